"""The OBS emulator: signature checks (both dialects and styles), error bodies, and esdk-obs-python against it.

Also home of the small adapters that drive the OBS emulator on its own, without FakeHuaweiCloud's
router: an httpx MockTransport (in process) and an ASGI app served by uvicorn on 127.0.0.1 (end to end).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from obs import ObsClient

from hwcloud_client.auth.obs import (
    Dialect,
    authorization,
    presign_query,
    query_string,
    rfc1123_date,
    wire_path,
)
from hwcloud_client.config import Credentials
from hwcloud_client.testing._base import EmulatedRequest
from hwcloud_client.testing._obs import ObsEmulator

AK, SK = "EMULATORAK0000000001", "emulator-secret-key-0001"
SERVICE_HOST = "obs.cn-north-4.myhuaweicloud.com"
NOW = 1_773_133_200.0  # Tue, 10 Mar 2026 09:00:00 GMT

pytestmark = pytest.mark.anyio


# --- adapters -----------------------------------------------------------------------------------------


def _bucket_from_host(host: str, service_host: str) -> str | None:
    hostname = host.rsplit(":", 1)[0]
    return hostname[: -len(service_host) - 1] if hostname.endswith("." + service_host) else None


def emulated_request(
    request: httpx.Request, body: bytes, *, service_host: str = SERVICE_HOST, path_prefix: str = ""
) -> EmulatedRequest:
    """``path_prefix`` is cut from the path, as a router that mounts the emulator under it would."""
    raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
    host = request.headers["host"]
    return EmulatedRequest(
        method=request.method,
        raw_path=raw_path.removeprefix(path_prefix) or "/",
        path_prefix=path_prefix,
        raw_query=raw_query,
        headers=dict(request.headers.items()),
        body=body,
        host=host,
        bucket=_bucket_from_host(host, service_host),
    )


def emulator_transport(emulator: ObsEmulator, *, service_host: str = SERVICE_HOST) -> httpx.MockTransport:
    """In-process: httpx requests go straight to ``emulator.handle``."""

    async def handler(request: httpx.Request) -> httpx.Response:
        answer = await emulator.handle(emulated_request(request, await request.aread(), service_host=service_host))
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)

    return httpx.MockTransport(handler)


Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class EmulatorApp:
    """A minimal ASGI app around the emulator, to serve it on a real socket."""

    def __init__(self, emulator: ObsEmulator, *, service_host: str = "localhost") -> None:
        self.emulator = emulator
        self.service_host = service_host

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        host = headers.get("host", "")
        request = EmulatedRequest(
            method=scope["method"],
            raw_path=scope["raw_path"].decode("ascii").partition("?")[0],
            raw_query=scope["query_string"].decode("ascii"),
            headers=headers,
            body=b"".join(chunks),
            host=host,
            bucket=_bucket_from_host(host, self.service_host),
        )
        answer = await self.emulator.handle(request)
        response_headers = [(name.lower().encode(), value.encode()) for name, value in answer.headers.items()]
        if all(name != b"content-length" for name, _ in response_headers):
            response_headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": response_headers})
        await send({"type": "http.response.body", "body": answer.body})


@contextmanager
def serve(app: EmulatorApp) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the emulator server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --- raw signed requests against the emulator ----------------------------------------------------------


@pytest.fixture
def emulator() -> ObsEmulator:
    return ObsEmulator({AK: SK}, clock=lambda: NOW)


async def raw_call(
    emulator: ObsEmulator,
    method: str,
    bucket: str | None,
    key: str | None = None,
    *,
    body: bytes = b"",
    query: list[tuple[str, str | None]] | None = None,
    headers: dict[str, str] | None = None,
    path_style: bool = False,
    dialect: Dialect = "obs",
    ak: str = AK,
    sk: str = SK,
    date: float = NOW,
    sign: bool = True,
) -> httpx.Response:
    """Sign with the pure signer (the SDK client is not involved) and send through the MockTransport."""
    query = query or []
    all_headers = {"Date": rfc1123_date(date), **(headers or {})}
    if sign:
        all_headers["Authorization"] = authorization(
            Credentials(ak=ak, sk=sk), method=method, bucket=bucket, key=key, query=query,
            headers=all_headers, path_style=path_style, dialect=dialect,
        )
    host = SERVICE_HOST if path_style or bucket is None else f"{bucket}.{SERVICE_HOST}"
    path = wire_path(bucket=bucket, key=key, path_style=path_style)
    encoded = query_string(query)
    url = f"https://{host}{path}" + (f"?{encoded}" if encoded else "")
    async with httpx.AsyncClient(transport=emulator_transport(emulator)) as client:
        return await client.request(method, url, headers=all_headers, content=body)


def error_code(response: httpx.Response) -> str | None:
    from hwcloud_client._xml import parse_xml

    return parse_xml(response.content).findtext("Code")


@pytest.mark.parametrize(("path_style", "dialect"), [(False, "obs"), (True, "aws"), (True, "obs"), (False, "aws")])
async def test_both_dialects_in_both_styles_are_verified(
    emulator: ObsEmulator, path_style: bool, dialect: Dialect
) -> None:
    created = await raw_call(emulator, "PUT", "bkt", path_style=path_style, dialect=dialect)
    assert created.status_code == 200, created.text
    meta = f"x-{dialect if dialect == 'obs' else 'amz'}-meta-colour"
    put = await raw_call(
        emulator, "PUT", "bkt", "dir/a b+c~é.txt", body=b"hello", headers={meta: "blue", "Content-Type": "text/x"},
        path_style=path_style, dialect=dialect,
    )
    assert put.status_code == 200, put.text
    assert put.headers["etag"] == f'"{hashlib.md5(b"hello", usedforsecurity=False).hexdigest()}"'
    got = await raw_call(emulator, "GET", "bkt", "dir/a b+c~é.txt", path_style=path_style, dialect=dialect)
    assert got.content == b"hello"
    assert got.headers[meta] == "blue"
    assert got.headers["content-type"] == "text/x"
    assert got.headers["x-obs-request-id"]


async def test_every_response_has_a_request_id_and_errors_are_obs_xml(emulator: ObsEmulator) -> None:
    missing = await raw_call(emulator, "GET", "nobucket", "k")
    assert missing.status_code == 404
    assert error_code(missing) == "NoSuchBucket"
    from hwcloud_client._xml import parse_xml

    document = parse_xml(missing.content)
    assert document.findtext("RequestId") == missing.headers["x-obs-request-id"]
    assert document.findtext("HostId")
    assert document.findtext("Message")

    await raw_call(emulator, "PUT", "bkt")
    no_key = await raw_call(emulator, "GET", "bkt", "missing")
    assert (no_key.status_code, error_code(no_key)) == (404, "NoSuchKey")
    head = await raw_call(emulator, "HEAD", "bkt", "missing")
    assert head.status_code == 404
    assert head.content == b""
    assert head.headers["x-obs-request-id"]


async def test_bad_signature_is_rejected_without_echoing_secrets(emulator: ObsEmulator) -> None:
    response = await raw_call(emulator, "PUT", "bkt", sk="not-the-secret-key")
    assert response.status_code == 403
    assert error_code(response) == "SignatureDoesNotMatch"
    from hwcloud_client._xml import parse_xml

    document = parse_xml(response.content)
    assert document.findtext("StringToSign", "").endswith("/bkt/")
    sent_signature = response.request.headers["authorization"].rsplit(":", 1)[1]
    assert sent_signature.encode() not in response.content
    assert SK.encode() not in response.content


async def test_unknown_access_key_is_rejected(emulator: ObsEmulator) -> None:
    response = await raw_call(emulator, "PUT", "bkt", ak="UNKNOWNAK")
    assert (response.status_code, error_code(response)) == (403, "InvalidAccessKeyId")


@pytest.mark.parametrize("offset", [-901.0, 901.0])
async def test_stale_or_future_date_is_rejected(emulator: ObsEmulator, offset: float) -> None:
    response = await raw_call(emulator, "PUT", "bkt", date=NOW + offset)
    assert (response.status_code, error_code(response)) == (403, "RequestTimeTooSkewed")
    within = await raw_call(emulator, "PUT", "bkt", date=NOW + offset * 0.99)
    assert within.status_code == 200


async def test_anonymous_and_unsupported_authorization_are_denied(emulator: ObsEmulator) -> None:
    anonymous = await raw_call(emulator, "PUT", "bkt", sign=False)
    assert (anonymous.status_code, error_code(anonymous)) == (403, "AccessDenied")
    v4 = await raw_call(emulator, "PUT", "bkt", sign=False, headers={"Authorization": "AWS4-HMAC-SHA256 x"})
    assert (v4.status_code, error_code(v4)) == (403, "AccessDenied")


async def test_tampered_content_type_or_metadata_breaks_the_signature(emulator: ObsEmulator) -> None:
    await raw_call(emulator, "PUT", "bkt")
    headers = {"Date": rfc1123_date(NOW), "Content-Type": "text/plain", "x-obs-meta-owner": "alice"}
    signed = authorization(
        Credentials(ak=AK, sk=SK), method="PUT", bucket="bkt", key="k", query=[], headers=headers, path_style=False
    )
    async with httpx.AsyncClient(transport=emulator_transport(emulator)) as client:
        url = f"https://bkt.{SERVICE_HOST}/k"
        ok = await client.put(url, headers={**headers, "Authorization": signed}, content=b"x")
        assert ok.status_code == 200
        for tampered in ({"x-obs-meta-owner": "mallory"}, {"Content-Type": "text/html"}, {"x-obs-acl": "public-read"}):
            answer = await client.put(url, headers={**headers, **tampered, "Authorization": signed}, content=b"x")
            assert (answer.status_code, error_code(answer)) == (403, "SignatureDoesNotMatch"), tampered
        other_key = await client.put(f"https://bkt.{SERVICE_HOST}/other", headers={**headers, "Authorization": signed})
        assert error_code(other_key) == "SignatureDoesNotMatch"


async def test_content_md5_mismatch_is_a_bad_digest(emulator: ObsEmulator) -> None:
    await raw_call(emulator, "PUT", "bkt")
    wrong = base64.b64encode(hashlib.md5(b"other", usedforsecurity=False).digest()).decode()
    response = await raw_call(emulator, "PUT", "bkt", "k", body=b"body", headers={"Content-MD5": wrong})
    assert (response.status_code, error_code(response)) == (400, "BadDigest")
    missing_md5 = await raw_call(emulator, "POST", "bkt", query=[("delete", None)], body=b"<Delete/>")
    assert (missing_md5.status_code, error_code(missing_md5)) == (400, "InvalidRequest")


async def test_presigned_url_is_checked_and_expires(emulator: ObsEmulator) -> None:
    await raw_call(emulator, "PUT", "bkt")
    await raw_call(emulator, "PUT", "bkt", "k", body=b"data")
    credentials = Credentials(ak=AK, sk=SK)

    def url(expires_at: int, key: str = "k") -> str:
        params = presign_query(
            credentials, method="GET", bucket="bkt", key=key, expires_at=expires_at, path_style=False
        )
        return f"https://bkt.{SERVICE_HOST}/{key}?{query_string(params)}"

    async with httpx.AsyncClient(transport=emulator_transport(emulator)) as client:
        fresh = await client.get(url(int(NOW) + 60))
        assert (fresh.status_code, fresh.content) == (200, b"data")
        expired = await client.get(url(int(NOW) - 1))
        assert (expired.status_code, error_code(expired)) == (403, "AccessDenied")
        assert b"expired" in expired.content
        tampered = url(int(NOW) + 60).replace("/k?", "/other?")
        assert error_code(await client.get(tampered)) == "SignatureDoesNotMatch"


async def test_ranges(emulator: ObsEmulator) -> None:
    await raw_call(emulator, "PUT", "bkt")
    await raw_call(emulator, "PUT", "bkt", "k", body=b"0123456789")
    cases = {"bytes=2-4": b"234", "bytes=7-": b"789", "bytes=-3": b"789", "bytes=8-100": b"89"}
    for header, expected in cases.items():
        answer = await raw_call(emulator, "GET", "bkt", "k", headers={"Range": header})
        assert (answer.status_code, answer.content) == (206, expected), header
    assert answer.headers["content-range"] == "bytes 8-9/10"
    unsatisfiable = await raw_call(emulator, "GET", "bkt", "k", headers={"Range": "bytes=10-"})
    assert (unsatisfiable.status_code, error_code(unsatisfiable)) == (416, "InvalidRange")
    assert unsatisfiable.headers["content-range"] == "bytes */10"


async def test_multipart_rules(emulator: ObsEmulator) -> None:
    small = ObsEmulator({AK: SK}, clock=lambda: NOW, min_part_size=4)
    await raw_call(small, "PUT", "bkt")
    initiated = await raw_call(small, "POST", "bkt", "big", query=[("uploads", None)])
    from hwcloud_client._xml import parse_xml

    upload_id = parse_xml(initiated.content).findtext("UploadId") or ""
    etags = {}
    for number, data in ((1, b"abcd"), (2, b"ef"), (3, b"gh")):
        part = await raw_call(
            small, "PUT", "bkt", "big", body=data, query=[("partNumber", str(number)), ("uploadId", upload_id)]
        )
        etags[number] = part.headers["etag"]

    def complete_body(numbers: list[int]) -> bytes:
        parts = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{etags[n]}</ETag></Part>" for n in numbers)
        return f"<CompleteMultipartUpload>{parts}</CompleteMultipartUpload>".encode()

    async def complete(numbers: list[int]) -> httpx.Response:
        return await raw_call(small, "POST", "bkt", "big", query=[("uploadId", upload_id)], body=complete_body(numbers))

    assert error_code(await complete([2, 1])) == "InvalidPartOrder"
    assert error_code(await complete([1, 2, 3])) == "EntityTooSmall"  # part 2 (not last) has 2 bytes < 4
    assert small.multipart_uploads("bkt") == [("big", upload_id)]
    done = await complete([1, 3])
    assert done.status_code == 200
    assert parse_xml(done.content).findtext("ETag", "").endswith('-2"')
    got = await raw_call(small, "GET", "bkt", "big")
    assert got.content == b"abcdgh"
    assert small.multipart_uploads("bkt") == []
    gone = await raw_call(small, "DELETE", "bkt", "big", query=[("uploadId", upload_id)])
    assert (gone.status_code, error_code(gone)) == (404, "NoSuchUpload")


async def test_unimplemented_sub_resources_say_so(emulator: ObsEmulator) -> None:
    await raw_call(emulator, "PUT", "bkt")
    answer = await raw_call(emulator, "GET", "bkt", query=[("policy", None)])
    assert (answer.status_code, error_code(answer)) == (501, "NotImplemented")


async def test_bucket_errors(emulator: ObsEmulator) -> None:
    # Path style: a host name would be lower-cased on the way.
    assert error_code(await raw_call(emulator, "PUT", "Bad_Name", path_style=True)) == "InvalidBucketName"
    await raw_call(emulator, "PUT", "bkt")
    assert (await raw_call(emulator, "PUT", "bkt")).status_code == 200  # OBS: re-created in its region
    elsewhere = b"<CreateBucketConfiguration><Location>cn-south-1</Location></CreateBucketConfiguration>"
    assert error_code(await raw_call(emulator, "PUT", "bkt", body=elsewhere)) == "BucketAlreadyOwnedByYou"
    await raw_call(emulator, "PUT", "bkt", "k", body=b"x")
    assert error_code(await raw_call(emulator, "DELETE", "bkt")) == "BucketNotEmpty"


# --- the official SDK against the emulator on a real socket ------------------------------------------------


def test_esdk_obs_python_against_the_emulator_server() -> None:
    emulator = ObsEmulator({AK: SK})
    with serve(EmulatorApp(emulator)) as base_url:
        client = ObsClient(
            access_key_id=AK, secret_access_key=SK, server=base_url, is_signature_negotiation=False, path_style=True
        )
        try:
            assert client.createBucket("esdk-bucket").status == 200
            put = client.putContent("esdk-bucket", "dir/hello world.txt", "hello from esdk")
            assert put.status == 200, put.errorCode
            got = client.getObject("esdk-bucket", "dir/hello world.txt", loadStreamInMemory=True)
            assert got.status == 200
            assert got.body.buffer == b"hello from esdk"
            listed = client.listObjects("esdk-bucket", prefix="dir/")
            assert [item.key for item in listed.body.contents] == ["dir/hello world.txt"]
            assert client.deleteObject("esdk-bucket", "dir/hello world.txt").status == 204
            missing = client.getObject("esdk-bucket", "dir/hello world.txt", loadStreamInMemory=True)
            assert (missing.status, missing.errorCode) == (404, "NoSuchKey")
            assert missing.requestId
            wrong = ObsClient(
                access_key_id=AK, secret_access_key="wrong", server=base_url, is_signature_negotiation=False,
                path_style=True,
            )
            denied = wrong.listObjects("esdk-bucket")
            assert (denied.status, denied.errorCode) == (403, "SignatureDoesNotMatch")
            wrong.close()
        finally:
            client.close()
