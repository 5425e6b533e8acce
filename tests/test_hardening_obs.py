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

from hwcloud_client.errors import ConfigurationError
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
