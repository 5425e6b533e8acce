"""Upload a file to OBS in parallel parts with a progress bar, then download it with ranged GETs.

Runs against the bundled emulator served on 127.0.0.1; against your account, build the facade with
your region and let the credentials come from the environment.

    .venv/bin/python examples/obs_upload_progress.py [--size-mib 40]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import anyio

import hwcloud_client as hw
from hwcloud_client.testing import FakeHuaweiCloud

MIB = 1024 * 1024


def show_progress(done: int, total: int) -> None:
    width = 40
    filled = width * done // total if total else width
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done / MIB:6.1f} / {total / MIB:.1f} MiB", end="")
    if done == total:
        print()


async def transfer(cloud: hw.AsyncHuaweiCloud, source: Path, target: Path) -> None:
    async with cloud:
        await cloud.obs.create_bucket("uploads")
        print(f"uploading {source.name} in 8 MiB parts, 4 at a time")
        await cloud.obs.upload_file(source, "uploads", "data/file.bin", part_size=8 * MIB, concurrency=4,
                                    progress=show_progress, metadata={"origin": "example"})
        info = await cloud.obs.head_object("uploads", "data/file.bin")
        print(f"stored {info.content_length} bytes, metadata {dict(info.metadata)}")
        print("downloading with ranged GETs")
        await cloud.obs.download_file("uploads", "data/file.bin", target, part_size=8 * MIB, concurrency=4,
                                      progress=show_progress)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=40)
    size = parser.parse_args().size_mib * MIB
    fake = FakeHuaweiCloud()
    with tempfile.TemporaryDirectory() as folder, fake.serve() as url:
        source, target = Path(folder) / "file.bin", Path(folder) / "copy.bin"
        source.write_bytes(os.urandom(size))
        cloud = hw.AsyncHuaweiCloud(region=fake.region, credentials=fake.credentials, environ={},
                                    config=hw.ClientConfig(endpoints={"iam": url, "obs": url}))
        anyio.run(transfer, cloud, source, target)
        same = target.read_bytes() == source.read_bytes()
    print("the copy is identical" if same else "the copy DIFFERS")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
