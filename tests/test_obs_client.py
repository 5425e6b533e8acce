"""The OBS client on the wire: URLs in both styles, sub-resources, headers, XML bodies, Content-MD5, signatures
(checked against esdk-obs-python's signer), re-signing on retries, streaming bodies and error mapping."""

from __future__ import annotations

import base64
import hashlib
import io
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from obs import auth as esdk_auth
from obs import convertor as esdk_convertor

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, RetryPolicy
from hwcloud_client._xml import parse_xml
from hwcloud_client.auth.obs import Dialect
from hwcloud_client.errors import AuthenticationError, NotFoundError, ServerError
from hwcloud_client.services.obs import ObjectSummary, UploadedPart
from hwcloud_client.testing._obs import ObsEmulator
from tests.test_obs_emulator import emulated_request

AK, SK = "CLIENTTESTAK00000001", "client-test-secret-key"
NOW = 1_773_133_200.0
FAST_RETRY = RetryPolicy(backoff_base=0.0, backoff_cap=0.0, retry_after_cap=0.0)

pytestmark = pytest.mark.anyio


class Wire:
    """Records every request (with its body) and answers from the emulator, after ``failures`` 503s."""

    def __init__(self, emulator: ObsEmulator, *, service_host: str, path_prefix: str = "", failures: int = 0) -> None:
        self.emulator = emulator
        self.service_host = service_host
        self.path_prefix = path_prefix
        self.failures = failures
        self.requests: list[tuple[httpx.Request, bytes]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.requests.append((request, body))
        if self.failures:
            self.failures -= 1
            return httpx.Response(503, content=b"<Error><Code>ServiceUnavailable</Code></Error>")
        emulated = emulated_request(request, body, service_host=self.service_host, path_prefix=self.path_prefix)
        answer = await self.emulator.handle(emulated)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1][0]


class Unseekable(io.RawIOBase):
    """A pipe-like binary stream: readable once, not seekable."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._data.readinto(buffer)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        self.now += 1.0  # every reading is one second later: re-dated attempts differ
        return self.now


def make_cloud(
    *,
    endpoint: str = "https://obs.cn-north-4.myhuaweicloud.com",
    path_style: bool = False,
    failures: int = 0,
    token: str | None = None,
) -> tuple[AsyncHuaweiCloud, Wire]:
    clock = Clock()
    emulator = ObsEmulator({AK: SK}, clock=lambda: clock.now, min_part_size=1)
    url = httpx.URL(endpoint)
    wire = Wire(emulator, service_host=url.host, path_prefix=url.path.rstrip("/"), failures=failures)
    cloud = AsyncHuaweiCloud(
        region="cn-north-4",
        credentials=Credentials(ak=AK, sk=SK, security_token=token),
        config=ClientConfig(retry=FAST_RETRY, obs_path_style=path_style, endpoints={"obs": endpoint}),
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(wire)),
        environ={},
        clock=clock,
    )
    return cloud, wire


def esdk_authorization(request: httpx.Request, *, bucket: str | None, key: str | None, path_style: bool) -> str:
    """What esdk-obs-python's signer makes of this exact wire request."""
    dialect: Dialect = "obs" if request.headers["authorization"].startswith("OBS ") else "aws"
    raw_query = request.url.raw_path.decode().partition("?")[2]
    query = {}
    for item in filter(None, raw_query.split("&")):
        name, equals, value = item.partition("=")
        query[unquote(name)] = unquote(value) if equals else None
    signer = esdk_auth.Authentication(
        AK, SK, path_style, esdk_convertor.Adapter("obs" if dialect == "obs" else "v2"), request.url.host, False
    )
    headers = {name: value for name, value in request.headers.items() if name != "authorization"}
    return str(signer.doAuth(request.method, bucket, key, query, headers)["Authorization"])


# --- addressing and signatures ---------------------------------------------------------------------------


async def test_virtual_host_style_signs_with_obs_and_matches_esdk() -> None:
    cloud, wire = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        await cloud.obs.put_object(
            "bkt", "dir/a b+(1)~é.txt", b"hello", content_type="text/plain", metadata={"Owner": " Zoë "}
        )
    request, body = wire.requests[-1]
    assert str(request.url) == "https://bkt.obs.cn-north-4.myhuaweicloud.com/dir/a%20b%2B%281%29~%C3%A9.txt"
    assert request.headers["host"] == "bkt.obs.cn-north-4.myhuaweicloud.com"
    assert request.headers["authorization"].startswith(f"OBS {AK}:")
    assert request.headers["x-obs-meta-owner"] == "Zo%C3%AB"
    assert request.headers["content-type"] == "text/plain"
    assert body == b"hello"
    assert request.headers["authorization"] == esdk_authorization(
        request, bucket="bkt", key="dir/a b+(1)~é.txt", path_style=False
    )
    create = wire.requests[0][0]
    assert str(create.url) == "https://bkt.obs.cn-north-4.myhuaweicloud.com/"
    assert parse_xml(wire.requests[0][1]).findtext("Location") == "cn-north-4"
    assert create.headers["authorization"] == esdk_authorization(create, bucket="bkt", key=None, path_style=False)


@pytest.mark.parametrize(
    ("endpoint", "path_style"),
    [
        ("https://obs.cn-north-4.myhuaweicloud.com", True),
        ("http://10.0.0.7:9000", False),
        ("http://localhost:9000", False),
    ],
)
async def test_path_style_uses_the_aws_dialect_and_matches_esdk(endpoint: str, path_style: bool) -> None:
    cloud, wire = make_cloud(endpoint=endpoint, path_style=path_style)
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        await cloud.obs.put_object("bkt", "k", b"x", metadata={"colour": "blue"})
        assert await cloud.obs.get_bucket_location("bkt") == "cn-north-4"
    create, put, location = (request for request, _ in wire.requests)
    assert str(create.url) == f"{endpoint}/bkt"
    assert parse_xml(wire.requests[0][1]).findtext("LocationConstraint") == "cn-north-4"
    assert str(put.url) == f"{endpoint}/bkt/k"
    assert put.headers["x-amz-meta-colour"] == "blue"
    assert "x-obs-meta-colour" not in put.headers
    assert str(location.url) == f"{endpoint}/bkt?location"
    for request, key in ((create, None), (put, "k"), (location, None)):
        assert request.headers["authorization"].startswith(f"AWS {AK}:")
        assert request.headers["authorization"] == esdk_authorization(request, bucket="bkt", key=key, path_style=True)


async def test_endpoint_path_prefix_is_sent_but_not_signed() -> None:
    cloud, wire = make_cloud(endpoint="http://127.0.0.1:8000/obs")
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        wire.path_prefix = ""  # now the emulator takes /obs/bkt for bucket "obs", key "bkt": signed for another path
        with pytest.raises(AuthenticationError, match="SignatureDoesNotMatch"):
            await cloud.obs.get_bucket_location("bkt")
    request = wire.requests[0][0]
    assert request.url.raw_path == b"/obs/bkt"
    assert request.headers["authorization"] == esdk_authorization(request, bucket="bkt", key=None, path_style=True)


async def test_temporary_credentials_send_and_sign_the_security_token() -> None:
    cloud, wire = make_cloud(token="temporary-token-value")
    async with cloud:
        await cloud.obs.create_bucket("bkt")
    request = wire.last
    assert request.headers["x-obs-security-token"] == "temporary-token-value"
    assert request.headers["authorization"] == esdk_authorization(request, bucket="bkt", key=None, path_style=False)


async def test_every_attempt_is_re_dated_and_re_signed() -> None:
    cloud, wire = make_cloud(failures=2)
    async with cloud:
        await cloud.obs.create_bucket("bkt")
    assert len(wire.requests) == 3
    dates = [request.headers["date"] for request, _ in wire.requests]
    signatures = [request.headers["authorization"] for request, _ in wire.requests]
    assert len(set(dates)) == 3
    assert len(set(signatures)) == 3
    for request, _ in wire.requests:
        assert request.headers["authorization"] == esdk_authorization(request, bucket="bkt", key=None, path_style=False)


# --- request shapes ------------------------------------------------------------------------------------------


async def test_delete_objects_sends_escaped_xml_with_content_md5() -> None:
    cloud, wire = make_cloud()
    keys = ["a&b<c>.txt", 'q"uote', "plain"]
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        for key in keys:
            await cloud.obs.put_object("bkt", key, b"x")
        result = await cloud.obs.delete_objects("bkt", keys)
        assert sorted(result.deleted) == sorted(keys)
        assert result.errors == []
        assert [item async for item in cloud.obs.iter_objects("bkt")] == []
        with pytest.raises(ValueError, match="1 to 1000"):
            await cloud.obs.delete_objects("bkt", [])
    request, body = next((r, b) for r, b in wire.requests if r.method == "POST")
    assert str(request.url) == "https://bkt.obs.cn-north-4.myhuaweicloud.com/?delete"
    digest = hashlib.md5(body, usedforsecurity=False).digest()
    assert request.headers["content-md5"] == base64.b64encode(digest).decode()
    assert request.headers["content-type"] == "application/xml", "named, so no transport adds its own"
    document = parse_xml(body)
    assert document.findtext("Quiet") == "false"
    assert [item.findtext("Key") for item in document.iterfind("Object")] == keys


async def test_multipart_wire_shapes() -> None:
    cloud, wire = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        upload = await cloud.obs.initiate_multipart_upload("bkt", "big", metadata={"k": "v"})
        second = await cloud.obs.upload_part("bkt", "big", upload.upload_id, 2, b"world")
        first = await cloud.obs.upload_part("bkt", "big", upload.upload_id, 1, b"hello ")
        listed = await cloud.obs.list_parts("bkt", "big", upload.upload_id, max_parts=1)
        assert [part.part_number for part in listed.parts] == [1]
        assert listed.is_truncated
        await cloud.obs.complete_multipart_upload("bkt", "big", upload.upload_id, [second, first])
        body = await cloud.obs.get_object("bkt", "big")
        async with body:
            assert await body.read() == b"hello world"
        assert body.info.metadata == {"k": "v"}
    urls = [str(request.url) for request, _ in wire.requests]
    base = "https://bkt.obs.cn-north-4.myhuaweicloud.com/big"
    assert urls[1] == f"{base}?uploads"
    assert urls[2] == f"{base}?partNumber=2&uploadId={upload.upload_id}"
    assert urls[4] == f"{base}?uploadId={upload.upload_id}&max-parts=1"
    assert urls[5] == f"{base}?uploadId={upload.upload_id}"
    complete_body = wire.requests[5][1]
    numbers = [part.findtext("PartNumber") for part in parse_xml(complete_body).iterfind("Part")]
    assert numbers == ["1", "2"]
    for request, _ in wire.requests[1:6]:
        expected = esdk_authorization(request, bucket="bkt", key="big", path_style=False)
        assert request.headers["authorization"] == expected


async def test_listing_query_encoding_and_iteration_across_pages() -> None:
    cloud, wire = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        for key in ["my dir/a+1", "my dir/b", "my dir/sub/c", "my dir/sub/d", "other"]:
            await cloud.obs.put_object("bkt", key, b"x")
        page = await cloud.obs.list_objects("bkt", prefix="my dir/", delimiter="/", max_keys=2)
        assert [item.key for item in page.contents] == ["my dir/a+1", "my dir/b"]
        assert page.is_truncated
        assert page.next_marker == "my dir/b"
        rest = await cloud.obs.list_objects("bkt", prefix="my dir/", delimiter="/", marker=page.next_marker)
        assert rest.common_prefixes == ["my dir/sub/"]
        keys = [item.key async for item in cloud.obs.iter_objects("bkt", page_size=2)]
        assert keys == ["my dir/a+1", "my dir/b", "my dir/sub/c", "my dir/sub/d", "other"]
    listing = next(request for request, _ in wire.requests if b"prefix" in request.url.raw_path)
    assert listing.url.raw_path == b"/?prefix=my%20dir/&delimiter=/&max-keys=2"
    # This test double sends no NextMarker: the iterator resumes from the last key it saw.
    markers = [request.url.params.get("marker") for request, _ in wire.requests if "max-keys=2" in str(request.url)]
    assert markers[-3:] == [None, "my dir/b", "my dir/sub/d"]


# --- bodies --------------------------------------------------------------------------------------------------


async def test_file_paths_and_seekable_files_stream_with_a_length_and_are_replayed(tmp_path: Path) -> None:
    source = tmp_path / "data.bin"
    source.write_bytes(bytes(range(256)) * 5000)  # 1.2 MiB: more than one read chunk
    cloud, wire = make_cloud(failures=0)
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        wire.failures = 1
        await cloud.obs.put_object("bkt", "from-path", source)
        wire.failures = 1
        with source.open("rb") as file:
            file.seek(1000)
            await cloud.obs.put_object("bkt", "from-file", file)
        assert (await cloud.obs.head_object("bkt", "from-path")).content_length == source.stat().st_size
        assert (await cloud.obs.head_object("bkt", "from-file")).content_length == source.stat().st_size - 1000
    failed_path, sent_path, failed_file, sent_file = (pair for pair in wire.requests[1:5])
    assert failed_path[1] == sent_path[1] == source.read_bytes()
    assert sent_path[0].headers["content-length"] == str(source.stat().st_size)
    assert failed_file[1] == sent_file[1] == source.read_bytes()[1000:]


async def test_async_iterables_are_sent_once_chunked() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"part one, "
        yield b"part two"

    cloud, wire = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        await cloud.obs.put_object("bkt", "streamed", chunks())
        head = await cloud.obs.head_object("bkt", "streamed")
        assert head.content_length == len(b"part one, part two")
        put = wire.requests[1][0]
        assert put.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in put.headers
        wire.failures = 1
        with pytest.raises(ServerError):
            await cloud.obs.put_object("bkt", "once", chunks())
        assert len(wire.requests) == 4  # no second attempt: the iterable cannot be replayed
        wire.failures = 1
        with pytest.raises(ServerError):
            await cloud.obs.put_object("bkt", "unseekable", io.BufferedReader(Unseekable(b"abc")))
        assert len(wire.requests) == 5


async def test_ranged_get_streams_and_reports_metadata() -> None:
    cloud, wire = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        await cloud.obs.put_object("bkt", "k", b"0123456789", content_type="text/plain")
        async with await cloud.obs.get_object("bkt", "k", byte_range=(2, 5)) as body:
            assert body.status_code == 206
            assert body.content_range == "bytes 2-5/10"
            assert body.info.content_length == 4
            assert body.info.content_type == "text/plain"
            assert b"".join([chunk async for chunk in body.aiter_bytes()]) == b"2345"
        async with await cloud.obs.get_object("bkt", "k", byte_range=(7, None)) as tail:
            assert await tail.read() == b"789"
    assert wire.requests[2][0].headers["range"] == "bytes=2-5"
    assert "range" not in wire.requests[2][0].headers["authorization"].lower()


# --- errors --------------------------------------------------------------------------------------------------


async def test_obs_errors_become_typed_exceptions_without_secrets() -> None:
    cloud, wire = make_cloud(token="secret-session-token")
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        with pytest.raises(NotFoundError) as missing:
            await cloud.obs.get_object("bkt", "missing")
        with pytest.raises(NotFoundError) as head_missing:
            await cloud.obs.head_object("bkt", "missing")
        with pytest.raises(NotFoundError) as no_bucket:
            await cloud.obs.list_objects("nobucket")
    assert missing.value.error_code == "NoSuchKey"
    assert missing.value.request_id and missing.value.request_id in str(missing.value)
    assert head_missing.value.status_code == 404
    assert no_bucket.value.error_code == "NoSuchBucket"
    signature = wire.requests[1][0].headers["authorization"].rsplit(":", 1)[1]
    for error in (missing.value, head_missing.value, no_bucket.value):
        for secret in (SK, "secret-session-token", signature):
            assert secret not in str(error)
            assert secret not in repr(error)


async def test_dot_segments_in_keys_are_refused_before_sending() -> None:
    cloud, wire = make_cloud()
    async with cloud:
        for key in ("a/../b", "./x", ".."):
            with pytest.raises(ValueError, match="segment"):
                await cloud.obs.put_object("bkt", key, b"x")
    assert wire.requests == []


async def test_signed_url_shape() -> None:
    cloud, _ = make_cloud(token="tok")
    async with cloud:
        url = httpx.URL(await cloud.obs.create_signed_url("GET", "bkt", "dir/a b.txt", expires_in=600))
    assert url.host == "bkt.obs.cn-north-4.myhuaweicloud.com"
    assert url.raw_path.startswith(b"/dir/a%20b.txt?")
    assert url.params["AccessKeyId"] == AK
    assert url.params["x-obs-security-token"] == "tok"
    assert NOW + 600 <= int(url.params["Expires"]) <= NOW + 610  # from the facade's clock
    assert url.params["Signature"]


def test_summary_models_are_frozen() -> None:
    summary = ObjectSummary(key="k", size=1)
    with pytest.raises(ValueError, match="frozen"):
        summary.key = "other"  # type: ignore[misc]
    assert UploadedPart(part_number=1, etag='"e"').part_number == 1


class _ThreadRecordingFile(io.BytesIO):
    """A file object that notes which threads position it (a network-backed file may block on them)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.threads: set[int] = set()

    def seekable(self) -> bool:
        self.threads.add(threading.get_ident())
        return super().seekable()

    def tell(self) -> int:
        self.threads.add(threading.get_ident())
        return super().tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.threads.add(threading.get_ident())
        return super().seek(offset, whence)


async def test_file_object_body_is_positioned_off_the_event_loop() -> None:
    from hwcloud_client.services.obs import _payload

    file = _ThreadRecordingFile(b"0123456789")
    file.read(2)
    payload = await _payload(file, content_length=None)
    assert payload.length == 8
    assert threading.get_ident() not in file.threads
    assert callable(payload.content)
    assert b"".join([chunk async for chunk in payload.content()]) == b"23456789"
    assert threading.get_ident() not in file.threads
