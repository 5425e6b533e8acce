"""Hostile input to the OBS client: bucket names that would move a signed request to another host, downloads
that a planted symlink would redirect, and answers that are not the XML OBS sends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from hwcloud_client.errors import ConfigurationError
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
