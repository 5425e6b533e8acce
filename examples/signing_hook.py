"""Bring your own httpx client: sign its requests with the hook, sent to a local server that prints them.

    .venv/bin/python examples/signing_hook.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

import hwcloud_client as hw


class EchoHandler(BaseHTTPRequestHandler):
    """Prints the request line and the Huawei headers, answers with a JSON echo."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        shown = {k: v for k, v in self.headers.items() if k.lower().startswith(("x-", "host", "authorization"))}
        if "Authorization" in shown:
            shown["Authorization"] = shown["Authorization"].split(", Signature=")[0] + ", Signature=<redacted>"
        print(f"  server got {self.command} {self.path}")
        for name, value in shown.items():
            print(f"    {name}: {value}")
        payload = json.dumps({"method": self.command, "path": self.path, "body_bytes": len(body)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Request-Id", "demo-request-1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


async def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    creds = hw.Credentials(ak="DEMOACCESSKEY", sk="demo-secret-key")
    hook = hw.signing_hook(creds, project=hw.Project(project_id="0123456789abcdef"))
    try:
        async with httpx.AsyncClient(event_hooks={"request": [hook]}) as client:
            print(f"Signing with {creds!r}")
            listed = await client.get(f"{base}/v1/0123456789abcdef/cloudservers/detail", params={"limit": 2})
            created = await client.post(f"{base}/v1/0123456789abcdef/cloudservers", json={"server": {"name": "a"}})
        for response in (listed, created):
            response.raise_for_status()
            print(f"  -> {response.status_code} {response.json()}")
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
