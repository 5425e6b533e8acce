"""OBS transfer throughput and client memory: upload_file/download_file of a large file (1 GiB by default).

The server runs in a separate process (this script with ``serve``): it streams uploads to files on disk and
serves ranged GETs from them, so the client process holds none of the data and its peak RSS is the SDK's.
Peak RSS is read from /proc/self/status (VmHWM), reset before each phase through /proc/self/clear_refs, and
reported above the baseline RSS measured just before. A raw-httpx single-stream PUT/GET of the same file,
measured in the same run, is the reference for throughput. Linux only (procfs).

    python bench/bench_obs.py [--size-mib 1024] [--part-mib 8] [--concurrency 4]

The server does not verify signatures (the emulator's job); it speaks only the calls these transfers make.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote
from xml.etree.ElementTree import fromstring

import anyio

MIB = 1024 * 1024
AK, SK = "BENCHMARKACCESSKEY01", "benchmark-secret-key"
BUCKET = "bench"

# --- the server process ---------------------------------------------------------------------------------

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class DiskObs:
    """Just enough OBS for the transfers, storing bodies as files: an object is a list of part files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects: dict[str, list[Path]] = {}
        self.uploads: dict[str, dict[int, Path]] = {}

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        method = scope["method"]
        _, _, key = unquote(scope["raw_path"].decode()).lstrip("/").partition("/")
        query = dict(parse_qsl(scope["query_string"].decode(), keep_blank_values=True))
        if "uploads" in scope["query_string"].decode().split("&"):
            query["uploads"] = ""
        headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}

        if method == "PUT" and not key:
            await _drain(receive)
            await _answer(send, 200)
        elif method == "PUT":
            path = self.root / uuid.uuid4().hex
            etag = await _stream_to_file(receive, path)
            if "uploadId" in query:
                self.uploads[query["uploadId"]][int(query["partNumber"])] = path
            else:
                self.objects[key] = [path]
            await _answer(send, 200, headers={"etag": f'"{etag}"'})
        elif method == "POST" and "uploads" in query:
            await _drain(receive)
            upload_id = uuid.uuid4().hex
            self.uploads[upload_id] = {}
            await _answer(send, 200, f"<InitiateMultipartUploadResult><UploadId>{upload_id}</UploadId>"
                                     "</InitiateMultipartUploadResult>".encode())
        elif method == "POST":
            document = fromstring(await _drain(receive))  # noqa: S314 - the bench's own client sent it
            parts = self.uploads.pop(query["uploadId"])
            numbers = [int(part.findtext("PartNumber") or "0") for part in document.iter("Part")]
            self.objects[key] = [parts[number] for number in numbers]
            await _answer(send, 200, b"<CompleteMultipartUploadResult><ETag>\"multipart\"</ETag>"
                                     b"</CompleteMultipartUploadResult>")
        elif method == "DELETE":
            await _drain(receive)
            self.uploads.pop(query.get("uploadId", ""), None)
            await _answer(send, 204)
        elif method in ("GET", "HEAD"):
            await _drain(receive)
            await self._get(send, key, headers.get("range"), head=method == "HEAD")
        else:
            await _answer(send, 405)

    async def _get(self, send: Send, key: str, range_header: str | None, *, head: bool) -> None:
        files = self.objects.get(key)
        if files is None:
            await _answer(send, 404, b"<Error><Code>NoSuchKey</Code></Error>")
            return
        size = sum(path.stat().st_size for path in files)
        first, last, status = 0, size - 1, 200
        extra = {"etag": '"bench"', "content-type": "application/octet-stream"}
        if range_header:
            start_text, _, end_text = range_header.removeprefix("bytes=").partition("-")
            first, last, status = int(start_text), min(int(end_text or size - 1), size - 1), 206
            extra["content-range"] = f"bytes {first}-{last}/{size}"
        length = last - first + 1
        await send({"type": "http.response.start", "status": status, "headers": _header_list(
            {**extra, "content-length": str(length)})})
        if head:
            await send({"type": "http.response.body", "body": b""})
            return
        offset = 0
        for path in files:
            part_size = path.stat().st_size
            begin, end = max(first, offset), min(last + 1, offset + part_size)
            if begin < end:
                async with await anyio.open_file(path, "rb") as file:
                    await file.seek(begin - offset)
                    remaining = end - begin
                    while remaining:
                        chunk = await file.read(min(MIB, remaining))
                        remaining -= len(chunk)
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
            offset += part_size
        await send({"type": "http.response.body", "body": b""})


def _header_list(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.encode()) for name, value in headers.items()]


async def _answer(send: Send, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    all_headers = {**(headers or {}), "content-length": str(len(body)), "x-obs-request-id": uuid.uuid4().hex}
    await send({"type": "http.response.start", "status": status, "headers": _header_list(all_headers)})
    await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _stream_to_file(receive: Receive, path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    async with await anyio.open_file(path, "wb") as file:
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            digest.update(chunk)
            await file.write(chunk)
            if not message.get("more_body"):
                return digest.hexdigest()


def serve(root: Path) -> None:
    import socket

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)  # the parent reads the port from the first line
    config = uvicorn.Config(DiskObs(root), log_level="warning", lifespan="off", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


# --- the client process -----------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    """Make VmHWM start again from the current RSS (Linux >= 4.0); False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Phase:
    """Wall time and peak RSS above the RSS at the start, for one transfer."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size

    def __enter__(self) -> Phase:
        self.peak_resettable = _reset_peak()
        self.baseline_kib = _status_kib("VmRSS")
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        elapsed = time.perf_counter() - self.started
        above = (_status_kib("VmHWM") - self.baseline_kib) / 1024
        note = "" if self.peak_resettable else " (peak since process start: clear_refs refused)"
        print(f"{self.name:<34} {self.size / MIB / elapsed:8.1f} MiB/s  {elapsed:6.2f} s   "
              f"peak RSS +{above:6.1f} MiB{note}")


def _make_file(path: Path, size: int) -> None:
    block = os.urandom(MIB)
    with path.open("wb") as file:
        for offset in range(0, size, MIB):
            file.write(block[: min(MIB, size - offset)] if offset else os.urandom(min(MIB, size)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


async def run_client(base_url: str, work: Path, size: int, part_size: int, concurrency: int) -> None:
    import httpx

    from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials

    source, target, raw_target = work / "source.bin", work / "download.bin", work / "raw-download.bin"
    _make_file(source, size)
    config = ClientConfig(endpoints={"obs": base_url})
    async with AsyncHuaweiCloud(region="cn-north-4", credentials=Credentials(ak=AK, sk=SK), config=config,
                                environ={}) as cloud, httpx.AsyncClient(timeout=600) as raw:
        await cloud.obs.create_bucket(BUCKET)
        progress_calls = 0

        def progress(done: int, total: int) -> None:
            nonlocal progress_calls
            progress_calls += 1

        print(f"{size / MIB:.0f} MiB, part {part_size / MIB:.0f} MiB, concurrency {concurrency}, "
              f"baseline RSS {_status_kib('VmRSS') / 1024:.1f} MiB")

        async def file_chunks() -> AsyncIterator[bytes]:
            async with await anyio.open_file(source, "rb") as file:
                while chunk := await file.read(MIB):
                    yield chunk

        with Phase("raw httpx PUT (1 stream)", size):
            answer = await raw.put(f"{base_url}/{BUCKET}/raw.bin", content=file_chunks(),
                                   headers={"Content-Length": str(size)})
            answer.raise_for_status()
        with Phase("raw httpx GET (1 stream)", size):
            async with (
                raw.stream("GET", f"{base_url}/{BUCKET}/raw.bin") as response,
                await anyio.open_file(raw_target, "wb") as file,
            ):
                async for chunk in response.aiter_raw(MIB):
                    await file.write(chunk)
        with Phase("upload_file", size):
            await cloud.obs.upload_file(source, BUCKET, "big.bin", part_size=part_size, concurrency=concurrency,
                                        progress=progress)
        with Phase("download_file", size):
            await cloud.obs.download_file(BUCKET, "big.bin", target, part_size=part_size, concurrency=concurrency,
                                          progress=progress)
    if _sha256(source) != _sha256(target):
        raise SystemExit("download_file returned different bytes")
    print(f"verified: sha256 of the download matches; {progress_calls} progress callbacks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--part-mib", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-obs-"))
    server_root = work / "server"
    server_root.mkdir()
    server = subprocess.Popen([sys.executable, __file__, "serve", str(server_root)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        anyio.run(run_client, f"http://127.0.0.1:{port}", work, args.size_mib * MIB, args.part_mib * MIB,
                  args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(Path(sys.argv[2]))
    else:
        main()
