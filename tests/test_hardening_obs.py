"""Hostile input to the OBS client: bucket names that would move a signed request to another host, downloads
that a planted symlink would redirect, and answers that are not the XML OBS sends."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, RetryPolicy
from hwcloud_client._xml import parse_xml
from hwcloud_client.errors import APIError, ConfigurationError, MalformedResponseError
from hwcloud_client.services import obs as obs_module
from hwcloud_client.services.obs import OBS, UploadedPart
from tests.test_obs_client import make_cloud

pytestmark = pytest.mark.anyio


# --- bucket names --------------------------------------------------------------------------------------------

# (name, the rule it breaks, as the error message must name it)
BAD_BUCKETS = [
    ("attacker.example/", "may contain only"),
    ("attacker.example/x?", "may contain only"),
    ("user@evil.example", "may contain only"),
    ("", "must be 3 to 63"),
    ("ab", "must be 3 to 63"),
    ("a" * 64, "must be 3 to 63"),
    ("My-Bucket", "may contain only"),
    ("my_bucket", "may contain only"),
    ("bucket\n", "may contain only"),
    ("-bucket", "must start and end"),
    ("bucket-", "must start and end"),
    (".bucket", "must start and end"),
    ("bucket.", "must start and end"),
    ("my..bucket", "must not contain '..'"),
    ("my-.bucket", "must not have '.' and '-' next to each other"),
    ("my.-bucket", "must not have '.' and '-' next to each other"),
    ("192.168.1.10", "must not be formatted as an IP address"),
]
GOOD_BUCKETS = ["abc", "a" * 63, "my-bucket.2024", "0bucket9", "a.b.c", "1.2.3", "1.2.3.4.5"]


def _operations(bucket: str) -> list[Callable[[OBS], Awaitable[Any]]]:
    """Every public OBS call that names a bucket, with that bucket."""
    part = UploadedPart(part_number=1, etag='"e"')
    return [
        lambda obs: obs.create_bucket(bucket),
        lambda obs: obs.head_bucket(bucket),
        lambda obs: obs.delete_bucket(bucket),
        lambda obs: obs.get_bucket_location(bucket),
        lambda obs: obs.put_object(bucket, "k", b"user data"),
        lambda obs: obs.get_object(bucket, "k"),
        lambda obs: obs.head_object(bucket, "k"),
        lambda obs: obs.delete_object(bucket, "k"),
        lambda obs: obs.delete_objects(bucket, ["k"]),
        lambda obs: obs.copy_object("good-bucket", "k", bucket, "k"),
        lambda obs: obs.copy_object(bucket, "k", "good-bucket", "k"),
        lambda obs: obs.list_objects(bucket),
        lambda obs: obs.initiate_multipart_upload(bucket, "k"),
        lambda obs: obs.upload_part(bucket, "k", "upload-id", 1, b"part"),
        lambda obs: obs.complete_multipart_upload(bucket, "k", "upload-id", [part]),
        lambda obs: obs.abort_multipart_upload(bucket, "k", "upload-id"),
        lambda obs: obs.list_parts(bucket, "k", "upload-id"),
        lambda obs: obs.create_signed_url("PUT", bucket, "k"),
        lambda obs: obs.create_signed_url("GET", bucket, None),
    ]


@pytest.mark.parametrize("path_style", [False, True])
@pytest.mark.parametrize(("bucket", "rule"), BAD_BUCKETS)
async def test_invalid_bucket_names_are_refused_before_anything_is_signed_or_sent(
    bucket: str, rule: str, path_style: bool
) -> None:
    """OBS's documented bucket naming rules (Developer Guide, "Use Restrictions" > "Bucket Names",
    https://support.huaweicloud.com/en-us/devg-obs/obs_06_0019.html, and the console guide's "Creating a
    Bucket", https://support.huaweicloud.com/intl/en-us/usermanual-obs/obs_03_0306.html): 3 to 63 characters;
    only lowercase letters, digits, hyphens and periods; starts and ends with a letter or digit; no two
    consecutive periods; no period next to a hyphen; not formatted as an IP address.

    The bucket becomes the first label of the host name: ``attacker.example/`` used to send the user's data,
    signed and with the security token, to attacker.example; an empty name went to ``.obs.<region>...``.
    """
    cloud, wire = make_cloud(path_style=path_style, token="session-token")
    async with cloud:
        for operation in _operations(bucket):
            with pytest.raises(ConfigurationError, match="bucket") as raised:
                await operation(cloud.obs)
            assert f"it {rule}" in str(raised.value)
    assert wire.requests == []


@pytest.mark.parametrize("bucket", GOOD_BUCKETS)
async def test_valid_bucket_names_go_through(bucket: str) -> None:
    cloud, wire = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket(bucket)
        await cloud.obs.put_object(bucket, "k", b"x")
        url = httpx.URL(await cloud.obs.create_signed_url("GET", bucket, "k"))
    assert [request.url.host for request, _ in wire.requests] == [f"{bucket}.obs.cn-north-4.myhuaweicloud.com"] * 2
    assert url.host == f"{bucket}.obs.cn-north-4.myhuaweicloud.com"


async def test_a_bucket_that_is_not_a_string_is_refused() -> None:
    cloud, wire = make_cloud()
    async with cloud:
        with pytest.raises(ConfigurationError, match="bucket must be a str"):
            await cloud.obs.head_bucket(b"bytes-bucket")  # type: ignore[arg-type]
    assert wire.requests == []


# --- download_file and planted links ----------------------------------------------------------------------


async def _download_with_a_planted_link(tmp_path: Path, link_name: str) -> Path:
    """Download ``bkt/k`` to ``tmp_path/out.bin`` while ``link_name`` beside it links to a victim file."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (tmp_path / link_name).symlink_to(victim)
    cloud, _ = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        await cloud.obs.put_object("bkt", "k", b"downloaded bytes")
        await cloud.obs.download_file("bkt", "k", tmp_path / "out.bin", part_size=5)
    assert (tmp_path / "out.bin").read_bytes() == b"downloaded bytes"
    return victim


async def test_download_does_not_write_through_a_link_at_the_old_predictable_path(tmp_path: Path) -> None:
    """Another local user could plant ``<dest>.obs-partial`` -> a file of yours, and the download overwrote it."""
    victim = await _download_with_a_planted_link(tmp_path, "out.bin.obs-partial")
    assert victim.read_bytes() == b"precious"


async def test_download_does_not_follow_a_link_at_a_guessed_temporary_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when the random name is guessed (here: forced), the temporary file is created exclusively
    (O_CREAT|O_EXCL, which never follows a link): another name is tried and the victim is untouched."""
    names = iter(["guessed", "fresh"])
    monkeypatch.setattr(obs_module, "secrets", SimpleNamespace(token_hex=lambda _: next(names)))
    victim = await _download_with_a_planted_link(tmp_path, ".out.bin.guessed.obs-partial")
    assert victim.read_bytes() == b"precious"
    assert list(names) == [], "the guessed name was tried first"
    assert sorted(os.listdir(tmp_path)) == [".out.bin.guessed.obs-partial", "out.bin", "victim.txt"]


class Interrupted(Exception):
    pass


async def test_a_failed_download_leaves_the_destination_and_no_temporary_file(tmp_path: Path) -> None:
    destination = tmp_path / "out.bin"
    destination.write_bytes(b"old contents")

    def interrupt(done: int, total: int) -> None:
        raise Interrupted  # after the first part: some bytes are already in the temporary file

    cloud, _ = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        await cloud.obs.put_object("bkt", "k", b"0123456789")
        with pytest.raises(Interrupted):
            await cloud.obs.download_file("bkt", "k", destination, part_size=4, concurrency=1, progress=interrupt)
    assert destination.read_bytes() == b"old contents"
    assert sorted(os.listdir(tmp_path)) == ["out.bin"]


async def test_download_to_a_symlinked_destination_replaces_the_link_not_its_target(tmp_path: Path) -> None:
    """os.replace renames over the link itself: the file the link pointed at keeps its contents."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    destination = tmp_path / "out.bin"
    destination.symlink_to(victim)
    cloud, _ = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        await cloud.obs.put_object("bkt", "k", b"new")
        await cloud.obs.download_file("bkt", "k", destination)
    assert not destination.is_symlink()
    assert destination.read_bytes() == b"new"
    assert victim.read_bytes() == b"precious"


async def test_downloaded_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    """mkstemp creates 0600 files; the finished download gets what open() would have given it (umask)."""
    umask = os.umask(0o022)
    os.umask(umask)
    cloud, _ = make_cloud()
    async with cloud:
        await cloud.obs.create_bucket("bkt")
        await cloud.obs.put_object("bkt", "k", b"x")
        await cloud.obs.download_file("bkt", "k", tmp_path / "out.bin")
    assert (tmp_path / "out.bin").stat().st_mode & 0o777 == 0o666 & ~umask


# --- answers that are not OBS XML -----------------------------------------------------------------------------

AK, SK = "HARDENINGTESTAK00001", "hardening-test-secret-key"
FAST_RETRY = RetryPolicy(backoff_base=0.0, backoff_cap=0.0, retry_after_cap=0.0)


def _answering(status: int, body: bytes, headers: dict[str, str] | None = None) -> AsyncHuaweiCloud:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"x-obs-request-id": "req-123", **(headers or {})})

    return AsyncHuaweiCloud(
        region="cn-north-4",
        credentials=Credentials(ak=AK, sk=SK),
        config=ClientConfig(retry=FAST_RETRY),
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
        environ={},
    )


_HTML = b"<html><head><title>Welcome</title></head><body><p>Sign in to the hotel Wi-Fi</p></body></html>"
_DOCTYPE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "boom">]><ListBucketResult><Name>&e;</Name></ListBucketResult>'
)
MALFORMED_BODIES = {
    "html page": _HTML,
    "html with a doctype": b"<!DOCTYPE html>" + _HTML,
    "empty": b"",
    "not xml": b"service temporarily moved",
    "truncated xml": b"<ListBucketResult><Name>bkt</Name><Contents><Key>a",
    "utf-16 with a doctype": _DOCTYPE.decode().replace("1.0", '1.0" encoding="UTF-16').encode("utf-16"),
    "utf-16 without a bom": _DOCTYPE.decode().replace("1.0", '1.0" encoding="UTF-16').encode("utf-16-le"),
    "wrong root": b"<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>",
    "bad number": (
        b"<ListBucketResult><Name>bkt</Name><MaxKeys>lots</MaxKeys><IsTruncated>false</IsTruncated>"
        b"</ListBucketResult>"
    ),
    "bad date": (
        b"<ListBucketResult><Name>bkt</Name><Contents><Key>a</Key><LastModified>yesterday</LastModified>"
        b"<Size>1</Size></Contents></ListBucketResult>"
    ),
}


@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
async def test_list_objects_on_a_body_that_is_not_a_listing_raises_a_typed_error(body: bytes) -> None:
    """A captive portal's 200 HTML page used to come back as an empty listing, which iter_objects (and any
    sync or cleanup built on it) takes for an empty bucket."""
    async with _answering(200, body) as cloud:
        with pytest.raises(MalformedResponseError) as raised:
            await cloud.obs.list_objects("bkt")
    error = raised.value
    assert error.operation == "ListObjects"
    assert error.request_id == "req-123"
    assert error.status_code == 200
    assert error.body == body
    assert "ListObjects" in str(error) and "req-123" in str(error)
    assert "endpoint" in str(error), "the message names what to check"
    assert not isinstance(error, APIError)


RESULT_CALLS: dict[str, Callable[[OBS], Awaitable[Any]]] = {
    "ListBuckets": lambda obs: obs.list_buckets(),
    "GetBucketLocation": lambda obs: obs.get_bucket_location("bkt"),
    "ListObjects": lambda obs: obs.list_objects("bkt"),
    "DeleteObjects": lambda obs: obs.delete_objects("bkt", ["k"]),
    "CopyObject": lambda obs: obs.copy_object("src", "k", "bkt", "k"),
    "InitiateMultipartUpload": lambda obs: obs.initiate_multipart_upload("bkt", "k"),
    "CompleteMultipartUpload": lambda obs: obs.complete_multipart_upload(
        "bkt", "k", "upload-id", [UploadedPart(part_number=1, etag='"e"')]
    ),
    "ListParts": lambda obs: obs.list_parts("bkt", "k", "upload-id"),
}


@pytest.mark.parametrize("operation", RESULT_CALLS.keys())
@pytest.mark.parametrize("body", [_HTML, b"<Broken", _DOCTYPE], ids=["html", "malformed", "doctype"])
async def test_every_xml_result_refuses_a_body_that_is_not_its_result(operation: str, body: bytes) -> None:
    async with _answering(200, body) as cloud:
        with pytest.raises(MalformedResponseError, match=operation) as raised:
            await RESULT_CALLS[operation](cloud.obs)
    assert raised.value.operation == operation


async def test_a_200_that_carries_an_obs_error_document_is_still_an_api_error() -> None:
    error_body = b"<Error><Code>InternalError</Code><Message>copy failed</Message><RequestId>r1</RequestId></Error>"
    async with _answering(200, error_body) as cloud:
        with pytest.raises(APIError, match="InternalError"):
            await cloud.obs.copy_object("src", "k", "bkt", "k")


async def test_initiate_multipart_upload_without_an_upload_id_is_a_malformed_response() -> None:
    body = b"<InitiateMultipartUploadResult><Bucket>bkt</Bucket></InitiateMultipartUploadResult>"
    async with _answering(200, body) as cloud:
        with pytest.raises(MalformedResponseError, match="UploadId"):
            await cloud.obs.initiate_multipart_upload("bkt", "k")


def test_malformed_response_error_pickles_with_its_fields() -> None:
    import pickle

    error = MalformedResponseError("ListObjects", reason="not XML", status_code=200, request_id="r", body=b"x")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, just pickled
    assert type(copy) is MalformedResponseError
    assert (copy.operation, copy.status_code, copy.request_id, copy.body) == ("ListObjects", 200, "r", b"x")
    assert str(copy) == str(error)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_parse_xml_refuses_a_doctype_hidden_in_utf_16(encoding: str) -> None:
    """The DOCTYPE scan reads bytes; in UTF-16 "<!DOCTYPE" is other bytes, and expat reads UTF-16 by itself."""
    document = _DOCTYPE.decode().replace("1.0", '1.0" encoding="UTF-16').encode(encoding)
    with pytest.raises(ValueError, match="not UTF-8"):
        parse_xml(document)
