"""End to end: the OBS client against the emulator served by uvicorn on 127.0.0.1 (path style, AWS V2 dialect,
every request's signature verified by the emulator)."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, HuaweiCloud, RetryPolicy
from hwcloud_client.errors import AuthenticationError, ConflictError, NotFoundError, PermissionDeniedError, ServerError
from hwcloud_client.testing._base import EmulatedRequest, EmulatedResponse
from hwcloud_client.testing._obs import MIN_PART_SIZE, ObsEmulator
from tests.test_obs_emulator import EmulatorApp, serve

AK, SK = "E2ETESTACCESSKEY0001", "e2e-test-secret-key"
FAST_RETRY = RetryPolicy(backoff_base=0.0, backoff_cap=0.0, retry_after_cap=0.0)
_bucket_numbers = itertools.count()

pytestmark = pytest.mark.anyio


class FlakyObsEmulator(ObsEmulator):
    """Fails every upload of one part number with a 500, to see what the client leaves behind."""

    failing_part: int | None = None

    async def handle(self, request: EmulatedRequest) -> EmulatedResponse:
        if self.failing_part is not None and f"partNumber={self.failing_part}&" in request.raw_query + "&":
            return EmulatedResponse(500, b"<Error><Code>InternalError</Code><Message>injected</Message></Error>")
        return await super().handle(request)


@pytest.fixture(scope="module")
def emulator() -> FlakyObsEmulator:
    return FlakyObsEmulator({AK: SK})


@pytest.fixture(scope="module")
def base_url(emulator: FlakyObsEmulator) -> Iterator[str]:
    with serve(EmulatorApp(emulator)) as url:
        yield url


def new_cloud(base_url: str, *, sk: str = SK, clock: Callable[[], float] | None = None) -> AsyncHuaweiCloud:
    return AsyncHuaweiCloud(
        region="cn-north-4",
        credentials=Credentials(ak=AK, sk=sk),
        config=ClientConfig(retry=FAST_RETRY, endpoints={"obs": base_url}),
        environ={},
        clock=clock,
    )


@pytest.fixture
async def cloud(base_url: str) -> AsyncIterator[AsyncHuaweiCloud]:
    async with new_cloud(base_url) as client:
        yield client


@pytest.fixture
async def bucket(cloud: AsyncHuaweiCloud) -> str:
    name = f"e2e-bucket-{next(_bucket_numbers)}"
    await cloud.obs.create_bucket(name)
    return name


def pattern(size: int) -> bytes:
    """Deterministic bytes where every offset differs from its neighbours, so misplaced parts show."""
    return bytes((i * 7 + i // 251) % 256 for i in range(size))


async def test_buckets(cloud: AsyncHuaweiCloud) -> None:
    await cloud.obs.create_bucket("e2e-buckets", location="cn-south-1")
    with pytest.raises(ConflictError):
        await cloud.obs.create_bucket("e2e-buckets")
    listed = await cloud.obs.list_buckets()
    assert "e2e-buckets" in [b.name for b in listed.buckets]
    assert next(b for b in listed.buckets if b.name == "e2e-buckets").location == "cn-south-1"
    assert (await cloud.obs.head_bucket("e2e-buckets")).location == "cn-south-1"
    assert await cloud.obs.get_bucket_location("e2e-buckets") == "cn-south-1"
    await cloud.obs.put_object("e2e-buckets", "k", b"x")
    with pytest.raises(ConflictError, match="BucketNotEmpty"):
        await cloud.obs.delete_bucket("e2e-buckets")
    await cloud.obs.delete_object("e2e-buckets", "k")
    await cloud.obs.delete_bucket("e2e-buckets")
    with pytest.raises(NotFoundError):
        await cloud.obs.head_bucket("e2e-buckets")


async def test_objects_from_every_kind_of_body(cloud: AsyncHuaweiCloud, bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(pattern(300_000))

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"chunk;"

    await cloud.obs.put_object(bucket, "bytes", b"in memory", metadata={"Owner": "Zoë Ünïcode"})
    await cloud.obs.put_object(bucket, "path", source)
    await cloud.obs.put_object(bucket, "str path", str(source), content_type="application/x-test")
    with source.open("rb") as file:
        await cloud.obs.put_object(bucket, "file object", file)
    await cloud.obs.put_object(bucket, "iterable", chunks())

    expected = {
        "bytes": b"in memory", "path": source.read_bytes(), "str path": source.read_bytes(),
        "file object": source.read_bytes(), "iterable": b"chunk;" * 3,
    }
    for key, content in expected.items():
        async with await cloud.obs.get_object(bucket, key) as body:
            assert await body.read() == content, key
    info = await cloud.obs.head_object(bucket, "bytes")
    assert info.metadata == {"owner": "Zoë Ünïcode"}
    assert info.content_length == len(b"in memory")
    assert (await cloud.obs.head_object(bucket, "str path")).content_type == "application/x-test"

    async with await cloud.obs.get_object(bucket, "path", byte_range=(1000, 1999)) as ranged:
        assert ranged.status_code == 206
        assert await ranged.read() == source.read_bytes()[1000:2000]

    copied = await cloud.obs.copy_object(bucket, "bytes", bucket, "copy")
    assert copied.etag == info.etag
    assert (await cloud.obs.head_object(bucket, "copy")).metadata == {"owner": "Zoë Ünïcode"}
    await cloud.obs.copy_object(bucket, "bytes", bucket, "replaced", metadata={"owner": "bob"})
    assert (await cloud.obs.head_object(bucket, "replaced")).metadata == {"owner": "bob"}

    await cloud.obs.delete_object(bucket, "copy")
    with pytest.raises(NotFoundError, match="NoSuchKey"):
        await cloud.obs.get_object(bucket, "copy")
    result = await cloud.obs.delete_objects(bucket, ["bytes", "replaced", "never existed"], quiet=True)
    assert (result.deleted, result.errors) == ([], [])
    remaining = sorted([item.key async for item in cloud.obs.iter_objects(bucket)])
    assert remaining == ["file object", "iterable", "path", "str path"]


async def test_listing_over_several_pages(cloud: AsyncHuaweiCloud, bucket: str) -> None:
    keys = [f"logs/2026/{day:02d}.txt" for day in range(1, 8)] + ["logs/readme", "top.txt"]
    for key in keys:
        await cloud.obs.put_object(bucket, key, key.encode())
    seen = [item.key async for item in cloud.obs.iter_objects(bucket, prefix="logs/", page_size=2)]
    assert seen == sorted(k for k in keys if k.startswith("logs/"))  # 8 keys: 4 pages
    first = await cloud.obs.list_objects(bucket, prefix="logs/", max_keys=3)
    assert first.is_truncated and len(first.contents) == 3
    top = await cloud.obs.list_objects(bucket, delimiter="/")
    assert top.common_prefixes == ["logs/"]
    assert [item.key for item in top.contents] == ["top.txt"]
    nested = [item.key async for item in cloud.obs.iter_objects(bucket, prefix="logs/", delimiter="/", page_size=1)]
    assert nested == ["logs/readme"]


async def test_multipart_upload_in_three_parts(cloud: AsyncHuaweiCloud, bucket: str) -> None:
    data = pattern(2 * MIN_PART_SIZE + 1234)
    chunks = [data[:MIN_PART_SIZE], data[MIN_PART_SIZE : 2 * MIN_PART_SIZE], data[2 * MIN_PART_SIZE :]]
    upload = await cloud.obs.initiate_multipart_upload(bucket, "big.bin", metadata={"kind": "multipart"})
    parts = [
        await cloud.obs.upload_part(bucket, "big.bin", upload.upload_id, number, chunk)
        for number, chunk in zip((3, 1, 2), (chunks[2], chunks[0], chunks[1]), strict=True)
    ]
    listed = await cloud.obs.list_parts(bucket, "big.bin", upload.upload_id)
    assert [(p.part_number, p.size) for p in listed.parts] == [(1, MIN_PART_SIZE), (2, MIN_PART_SIZE), (3, 1234)]
    done = await cloud.obs.complete_multipart_upload(bucket, "big.bin", upload.upload_id, parts)
    assert done.etag and done.etag.endswith('-3"')
    async with await cloud.obs.get_object(bucket, "big.bin") as body:
        assert await body.read() == data
    assert (await cloud.obs.head_object(bucket, "big.bin")).metadata == {"kind": "multipart"}

    aborted = await cloud.obs.initiate_multipart_upload(bucket, "dropped.bin")
    await cloud.obs.abort_multipart_upload(bucket, "dropped.bin", aborted.upload_id)
    with pytest.raises(NotFoundError, match="NoSuchUpload"):
        await cloud.obs.list_parts(bucket, "dropped.bin", aborted.upload_id)


async def test_upload_and_download_files_in_parallel(cloud: AsyncHuaweiCloud, bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "upload.bin"
    source.write_bytes(pattern(5 * MIN_PART_SIZE + 777))
    uploads: list[tuple[int, int]] = []
    result = await cloud.obs.upload_file(
        source, bucket, "file.bin", part_size=MIN_PART_SIZE, concurrency=3, metadata={"source": "upload_file"},
        progress=lambda done, total: uploads.append((done, total)),
    )
    assert result.etag and result.etag.endswith('-6"')
    assert result.request_id, "the multipart upload reports its completing request's id"
    total = source.stat().st_size
    assert [t for _, t in uploads] == [total] * 6
    assert [d for d, _ in uploads] == sorted(d for d, _ in uploads)
    assert uploads[-1] == (total, total)

    target = tmp_path / "download.bin"
    downloads: list[tuple[int, int]] = []
    info = await cloud.obs.download_file(
        bucket, "file.bin", target, part_size=150_000, concurrency=4, progress=lambda d, t: downloads.append((d, t))
    )
    assert target.read_bytes() == source.read_bytes()
    assert info.metadata == {"source": "upload_file"}
    assert len(downloads) == 4
    assert downloads[-1] == (total, total)
    assert [leftover async for leftover in anyio.Path(tmp_path).glob("*.obs-partial")] == []

    small = tmp_path / "small.txt"
    small.write_bytes(b"one request")
    await cloud.obs.upload_file(small, bucket, "small.txt", concurrency=2)
    await cloud.obs.download_file(bucket, "small.txt", tmp_path / "small-copy.txt")
    assert (tmp_path / "small-copy.txt").read_bytes() == b"one request"


async def test_a_failing_part_aborts_the_upload(
    cloud: AsyncHuaweiCloud, bucket: str, emulator: FlakyObsEmulator, tmp_path: Path
) -> None:
    source = tmp_path / "doomed.bin"
    source.write_bytes(pattern(4 * MIN_PART_SIZE))
    emulator.failing_part = 3
    try:
        with pytest.raises(ServerError) as failed:
            await cloud.obs.upload_file(source, bucket, "doomed.bin", part_size=MIN_PART_SIZE, concurrency=2)
    finally:
        emulator.failing_part = None
    assert failed.value.status_code == 500
    assert emulator.multipart_uploads(bucket) == []
    with pytest.raises(NotFoundError):
        await cloud.obs.head_object(bucket, "doomed.bin")
    with pytest.raises(NotFoundError):
        await cloud.obs.download_file(bucket, "doomed.bin", tmp_path / "never.bin")
    assert not await anyio.Path(tmp_path / "never.bin").exists()
    assert [leftover async for leftover in anyio.Path(tmp_path).glob("*.obs-partial")] == []


async def test_signed_urls_work_with_plain_httpx(cloud: AsyncHuaweiCloud, bucket: str, base_url: str) -> None:
    await cloud.obs.put_object(bucket, "shared/report 1.txt", b"quarterly numbers")
    get_url = await cloud.obs.create_signed_url("GET", bucket, "shared/report 1.txt", expires_in=60)
    put_url = await cloud.obs.create_signed_url(
        "PUT", bucket, "shared/upload.txt", expires_in=60, headers={"Content-Type": "text/plain"}
    )
    head_url = await cloud.obs.create_signed_url("HEAD", bucket, "shared/upload.txt", expires_in=60)
    delete_url = await cloud.obs.create_signed_url("DELETE", bucket, "shared/upload.txt", expires_in=60)
    assert get_url.startswith(f"{base_url}/{bucket}/shared/report%201.txt?")
    async with httpx.AsyncClient() as plain:
        fetched = await plain.get(get_url)
        assert (fetched.status_code, fetched.content) == (200, b"quarterly numbers")
        put = await plain.put(put_url, content=b"via url", headers={"Content-Type": "text/plain"})
        assert put.status_code == 200
        head = await plain.head(head_url)
        assert (head.status_code, head.headers["content-length"]) == (200, "7")
        unsigned_type = await plain.put(put_url, content=b"x", headers={"Content-Type": "text/html"})
        assert unsigned_type.status_code == 403
        assert (await plain.delete(delete_url)).status_code == 204
        assert (await plain.head(head_url)).status_code == 404

    async with new_cloud(cloud.endpoint("obs").url, clock=lambda: time.time() - 3600) as late:
        expired_url = await late.obs.create_signed_url("GET", bucket, "shared/report 1.txt", expires_in=60)
    async with httpx.AsyncClient() as plain:
        expired = await plain.get(expired_url)
    assert expired.status_code == 403
    assert b"expired" in expired.content


async def test_wrong_secret_is_an_authentication_error(base_url: str, bucket: str) -> None:
    async with new_cloud(base_url, sk="wrong") as wrong:
        with pytest.raises(PermissionDeniedError) as denied:  # HEAD: a 403 without a body
            await wrong.obs.head_bucket(bucket)
        with pytest.raises(AuthenticationError, match="SignatureDoesNotMatch") as mismatch:
            await wrong.obs.list_objects(bucket)
    assert denied.value.status_code == 403
    assert mismatch.value.request_id


def test_blocking_facade(base_url: str, tmp_path: Path) -> None:
    with HuaweiCloud(
        region="cn-north-4", credentials=Credentials(ak=AK, sk=SK),
        config=ClientConfig(retry=FAST_RETRY, endpoints={"obs": base_url}), environ={},
    ) as cloud:
        cloud.obs.create_bucket("e2e-sync")
        cloud.obs.put_object("e2e-sync", "a.txt", b"sync body")
        with cloud.obs.get_object("e2e-sync", "a.txt") as body:
            assert b"".join(body.iter_bytes()) == b"sync body"
        with cloud.obs.get_object("e2e-sync", "a.txt", byte_range=(5, None)) as tail:
            assert tail.read() == b"body"
        assert [item.key for item in cloud.obs.iter_objects("e2e-sync")] == ["a.txt"]
        source = tmp_path / "sync.bin"
        source.write_bytes(pattern(3 * MIN_PART_SIZE))
        cloud.obs.upload_file(source, "e2e-sync", "sync.bin", part_size=MIN_PART_SIZE, concurrency=2)
        cloud.obs.download_file("e2e-sync", "sync.bin", tmp_path / "back.bin", part_size=MIN_PART_SIZE)
        assert (tmp_path / "back.bin").read_bytes() == source.read_bytes()
        url = cloud.obs.create_signed_url("GET", "e2e-sync", "a.txt")
        assert httpx.get(url).content == b"sync body"


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_file_transfers_and_abort_on_trio(
    cloud: AsyncHuaweiCloud, bucket: str, emulator: FlakyObsEmulator, tmp_path: Path
) -> None:
    source = tmp_path / "trio.bin"
    source.write_bytes(pattern(3 * MIN_PART_SIZE + 1))
    await cloud.obs.upload_file(source, bucket, "trio.bin", part_size=MIN_PART_SIZE, concurrency=3)
    await cloud.obs.download_file(bucket, "trio.bin", tmp_path / "back.bin", part_size=MIN_PART_SIZE, concurrency=3)
    assert (tmp_path / "back.bin").read_bytes() == source.read_bytes()
    emulator.failing_part = 2
    try:
        with pytest.raises(ServerError):
            await cloud.obs.upload_file(source, bucket, "trio-doomed.bin", part_size=MIN_PART_SIZE, concurrency=3)
    finally:
        emulator.failing_part = None
    assert emulator.multipart_uploads(bucket) == []
