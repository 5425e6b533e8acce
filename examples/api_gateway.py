"""Call your own API published on API Gateway (App/IAM AK/SK auth) through an IP or debugging domain.

The gateway routes by the group's domain in ``Host`` and by the environment in ``x-stage``; both are
signed. Here a local stand-in gateway checks the signature with hwcloud_client's own verifier pieces.

    .venv/bin/python examples/api_gateway.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import hwcloud_client as hw
from hwcloud_client.auth import apig

AK, SK = "DEMOAPPKEY", "demo-app-secret"


class StandInGateway(BaseHTTPRequestHandler):
    """Verifies SDK-HMAC-SHA256 like the gateway would, then answers with what it routed on."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value.strip() for name, value in self.headers.items()}
        authorization = headers.pop("authorization", "")
        signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
        path, _, query = self.path.partition("?")
        canonical = apig.canonical_request(
            self.command, path, query, headers, signed, apig.algorithm_spec("SDK-HMAC-SHA256").hexdigest(body)
        )
        expected = apig.sign_request(
            method=self.command, raw_path=path, raw_query=query, headers={k: headers[k] for k in signed},
            body_hash=canonical.rsplit("\n", 1)[1], credentials=hw.Credentials(ak=AK, sk=SK),
            sdk_date=headers["x-sdk-date"],
        )
        verified = expected == authorization
        payload = json.dumps(
            {"group_domain": headers.get("host"), "stage": headers.get("x-stage"), "signature_ok": verified}
        ).encode()
        self.send_response(200 if verified else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Request-Id", "apig-demo-1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


async def main() -> int:
    gateway = ThreadingHTTPServer(("127.0.0.1", 0), StandInGateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    try:
        async with hw.AsyncHuaweiCloud(region="cn-north-4", credentials=hw.Credentials(ak=AK, sk=SK)) as cloud:
            response = await cloud.request(
                hw.Endpoint(url=f"http://127.0.0.1:{gateway.server_address[1]}", host="orders.apig.example.com"),
                "POST",
                "/v1/orders",
                json={"item": "book", "quantity": 2},
                stage=hw.Stage(name="RELEASE"),
            )
        print(f"{response.status_code} request_id={response.request_id} {response.json()}")
        return 0 if response.json()["signature_ok"] else 1
    finally:
        gateway.shutdown()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
