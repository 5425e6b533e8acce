"""Typed OBS client: buckets, objects, multipart uploads, pre-signed URLs and parallel file transfers.

Requests go to ``https://<bucket>.obs.<region>.myhuaweicloud.com/<key>`` (virtual-host style) signed with
``OBS`` V2 signatures, or, with ``ClientConfig(obs_path_style=True)`` or an IP/``localhost`` endpoint, to
``<endpoint>/<bucket>/<key>`` signed with the S3-compatible ``AWS`` V2 dialect and ``x-amz-*`` headers, as
esdk-obs-python does (OBS signatures in path style were never checked against the real service).
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import ipaddress
import logging
import math
import os
import re
import secrets
import time
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, TypeVar
from urllib.parse import quote, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

import anyio

from .._blocking import PortalRunner, SyncService, blocking, blocking_iter
from .._collector import CollectorPaused
from .._http import httpx
from .._retry import deadline_from
from .._xml import parse_xml
from ..auth.flows import OBS_TARGET_EXTENSION, ObsTarget
from ..auth.obs import Dialect, presign_query, query_string, wire_path
from ..errors import (
    ConfigurationError,
    HuaweiCloudError,
    MalformedResponseError,
    TimeoutError,
    TransportError,
    api_error_from_response,
)
from . import _obs_models
from ._obs_models import *  # noqa: F403 - the models are part of this module's API
from ._obs_models import (
    BucketInfo,
    CompleteMultipartUploadResult,
    CopyObjectResult,
    DeleteObjectsResult,
    ListBucketsResult,
    ListObjectsResult,
    ListPartsResult,
    MultipartUpload,
    ObjectInfo,
    ObjectSummary,
    PutObjectResult,
    UploadedPart,
    complete_multipart_upload_result,
    copy_object_result,
    delete_objects_result,
    list_buckets_result,
    list_objects_result,
    list_parts_result,
    location,
    object_info,
    upload_id_of,
)

if TYPE_CHECKING:
    from .._response import Response
    from .._types import Body
    from ._cloud import Cloud

__all__ = [
    "DEFAULT_PART_SIZE",
    "MIN_PART_SIZE",
    "OBS",
    "ObjectBody",
    "Progress",
    "PutBody",
    "SyncOBS",
    "SyncObjectBody",
    *_obs_models.__all__,
]

logger = logging.getLogger("hwcloud_client")

# bytes, a file path, a binary file object or an async iterable of bytes; all but bytes are streamed.
PutBody = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes] | AsyncIterable[bytes]
# Called on the event loop after each part with (bytes transferred so far, total bytes).
Progress = Callable[[int, int], None]
SignedMethod = Literal["GET", "PUT", "HEAD", "DELETE"]

MIN_PART_SIZE = 100 * 1024  # OBS rejects smaller non-last parts with EntityTooSmall
MAX_PARTS = 10_000
MAX_DELETE_KEYS = 1000
DEFAULT_PART_SIZE = 8 * 1024 * 1024
DEFAULT_CONCURRENCY = 4
# Per-read size when streaming files: bounds memory at one chunk per part in flight.
_CHUNK_SIZE = 1024 * 1024
# Random names tried for a download's temporary file before giving up (each is 64 random bits).
_PARTIAL_NAME_ATTEMPTS = 100
# Windows has no O_NOFOLLOW (and planting a link there takes privileges).
_O_NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
# Cleaning up after a failed transfer must not hang forever, even when shielded from cancellation.
_CLEANUP_TIMEOUT = 30.0

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


@dataclass(frozen=True)
class _Target:
    """Where requests for one bucket go and how they are signed."""

    origin: str  # scheme://host[:port], with the bucket in the host name in virtual-host style
    root_path: str  # an endpoint's own path prefix (e.g. a local emulator mounted at /obs); never signed
    path_style: bool
    dialect: Dialect
    endpoint: str  # the endpoint's host[:port], without the bucket: one clock for all its buckets

    @property
    def header_prefix(self) -> str:
        return "x-obs-" if self.dialect == "obs" else "x-amz-"


@dataclass(frozen=True)
class _Payload:
    content: Body  # a bare async iterable is sent at most once
    length: int | None


class ObjectBody:
    """A streaming GetObject body: ``async with`` it, then ``aiter_bytes()`` or ``read()``.

    ``info`` holds the object's metadata (its ``content_length`` is this body's length: the range's for a
    ranged GET). Bytes come as stored: a ``Content-Encoding`` such as gzip is not undone.
    """

    def __init__(self, response: httpx.Response, *, deadline: float | None = None) -> None:
        self._response = response
        self._deadline = deadline
        self.status_code = response.status_code
        self.content_range: str | None = response.headers.get("content-range")
        self.info: ObjectInfo = object_info(response.headers)

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body in chunks; the connection is released when the iteration ends.

        The body must arrive before the call's deadline (``RetryPolicy.deadline`` plus 1 s per 64 KiB):
        a server that trickles it raises :class:`~hwcloud_client.errors.TimeoutError`.
        """
        if self._response.is_stream_consumed:
            # Already in memory: a transport (a test double such as MockTransport or respx) answered with bytes.
            yield self._response.content
            return
        chunks = self._response.aiter_raw(chunk_size)
        while True:
            # A scope per chunk, never across a yield: the deadline must not cancel the reader's own code.
            remaining = None if self._deadline is None else max(0.0, self._deadline - time.monotonic())
            try:
                with anyio.fail_after(remaining):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except builtins.TimeoutError:
                raise TimeoutError(
                    f"the body of {self._response.request.url.copy_with(query=None)} did not arrive before the "
                    "call's deadline; raise RetryPolicy(deadline=...) for a slow link"
                ) from None
            yield chunk

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def aclose(self) -> None:
        await self._response.aclose()

    async def __aenter__(self) -> ObjectBody:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<ObjectBody [{self.status_code}] {self.info.content_length} bytes>"


class OBS:
    """OBS operations on ``cloud.obs``. Methods are named after the OBS API operations, in snake_case."""

    def __init__(self, cloud: Cloud) -> None:
        self._cloud = cloud

    # --- buckets ----------------------------------------------------------------------------------

    async def list_buckets(self) -> ListBucketsResult:
        response = await self._send("GET", None)
        return _xml_result(response, "ListBuckets", {"ListAllMyBucketsResult"}, list_buckets_result)

    async def create_bucket(self, bucket: str, *, location: str | None = None) -> None:
        """Create a bucket in ``location`` (default: the client's region).

        Creating a bucket you already own in the same region succeeds; 409 ConflictError if someone else owns
        the name, or you own it in another region.
        """
        target = self._target(bucket)
        region = location or self._cloud.region
        content = None
        if region:
            root = Element("CreateBucketConfiguration")
            SubElement(root, "Location" if target.dialect == "obs" else "LocationConstraint").text = region
            content = _xml_bytes(root)
        await self._send("PUT", bucket, content=content, headers=_XML_HEADERS if content else None)

    async def head_bucket(self, bucket: str) -> BucketInfo:
        """Check the bucket exists (NotFoundError otherwise) and return its location."""
        response = await self._send("HEAD", bucket)
        headers = response.headers
        return BucketInfo(
            location=headers.get("x-obs-bucket-location") or headers.get("x-amz-bucket-region"),
            request_id=response.request_id,
        )

    async def delete_bucket(self, bucket: str) -> None:
        await self._send("DELETE", bucket)

    async def get_bucket_location(self, bucket: str) -> str:
        response = await self._send("GET", bucket, query=[("location", None)])
        # OBS answers <Location>region</Location>, its S3-compatible (path-style) dialect
        # <CreateBucketConfiguration><LocationConstraint>region</...></...> (S3's own bare <LocationConstraint> too).
        return _xml_result(
            response, "GetBucketLocation", {"Location", "LocationConstraint", "CreateBucketConfiguration"}, location
        )

    # --- objects ----------------------------------------------------------------------------------

    async def put_object(
        self,
        bucket: str,
        key: str,
        body: PutBody,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        content_length: int | None = None,
    ) -> PutObjectResult:
        """Upload an object. ``body`` is bytes, a file path (``str`` or ``os.PathLike``), a binary file
        object or an async iterable of bytes; the last three are streamed, never read whole.

        File paths, seekable file objects and bytes are retried on transient errors; an async iterable or a
        non-seekable file can be read only once, so it is sent once (with ``content_length`` if given,
        otherwise chunked).
        """
        payload = await _payload(body, content_length=content_length)
        prefix = self._target(bucket).header_prefix
        headers = _object_headers(prefix, content_type=content_type, metadata=metadata)
        response = await self._send_payload("PUT", bucket, key, payload, headers=headers)
        return PutObjectResult(
            etag=response.headers.get("etag"),
            version_id=response.headers.get(prefix + "version-id"),
            request_id=response.request_id,
        )

    async def get_object(
        self,
        bucket: str,
        key: str,
        *,
        byte_range: tuple[int, int | None] | None = None,
        if_match: str | None = None,
    ) -> ObjectBody:
        """Start downloading an object; read it from the returned :class:`ObjectBody`, then close it.

        ``byte_range=(first, last)`` is inclusive (``last=None``: to the end) and answers 206.
        ``if_match`` (an ETag) fails with 412 if the object changed.
        """
        headers: dict[str, str] = {}
        if byte_range is not None:
            first, last = byte_range
            headers["Range"] = f"bytes={first}-{'' if last is None else last}"
        if if_match is not None:
            headers["If-Match"] = if_match
        response = await self._send("GET", bucket, key, headers=headers, stream=True)
        length = response.headers.get("content-length", "")
        size = int(length) if length.isdigit() else None
        deadline = deadline_from(time.monotonic(), self._cloud.retry_policy, size)
        return ObjectBody(response.http_response, deadline=deadline)

    async def head_object(self, bucket: str, key: str) -> ObjectInfo:
        response = await self._send("HEAD", bucket, key)
        return object_info(response.headers)

    async def delete_object(self, bucket: str, key: str, *, version_id: str | None = None) -> None:
        """Delete an object; deleting a missing key succeeds, as in OBS."""
        await self._send("DELETE", bucket, key, query=_present(versionId=version_id))

    async def delete_objects(self, bucket: str, keys: Iterable[str], *, quiet: bool = False) -> DeleteObjectsResult:
        """Delete up to 1000 keys in one request; per-key failures are in ``errors`` (quiet: only those)."""
        root = Element("Delete")
        SubElement(root, "Quiet").text = "true" if quiet else "false"
        count = 0
        for key in keys:
            SubElement(SubElement(root, "Object"), "Key").text = key
            count += 1
        if not 0 < count <= MAX_DELETE_KEYS:
            raise ValueError(f"delete_objects takes 1 to {MAX_DELETE_KEYS} keys, got {count}")
        content = _xml_bytes(root)
        # OBS requires Content-MD5 on this request: it refuses a batch delete that could have been altered.
        headers = {**_XML_HEADERS, "Content-MD5": _content_md5(content)}
        response = await self._send("POST", bucket, query=[("delete", None)], headers=headers, content=content)
        return _xml_result(response, "DeleteObjects", {"DeleteResult"}, delete_objects_result)

    async def copy_object(
        self,
        source_bucket: str,
        source_key: str,
        bucket: str,
        key: str,
        *,
        metadata: Mapping[str, str] | None = None,
        content_type: str | None = None,
    ) -> CopyObjectResult:
        """Copy an object server-side. Its metadata is kept, unless ``metadata`` or ``content_type`` is
        given: then they replace it."""
        _check_bucket(source_bucket)
        _check_key(source_key)
        prefix = self._target(bucket).header_prefix
        headers = _object_headers(prefix, content_type=content_type, metadata=metadata)
        headers[prefix + "copy-source"] = f"/{source_bucket}/{quote(source_key, safe='/')}"
        replace = metadata is not None or content_type is not None
        headers[prefix + "metadata-directive"] = "REPLACE" if replace else "COPY"
        response = await self._send("PUT", bucket, key, headers=headers)
        return _xml_result(response, "CopyObject", {"CopyObjectResult"}, copy_object_result)

    async def list_objects(
        self,
        bucket: str,
        *,
        prefix: str | None = None,
        marker: str | None = None,
        delimiter: str | None = None,
        max_keys: int | None = None,
    ) -> ListObjectsResult:
        """One page of a listing (at most ``max_keys``, OBS caps it at 1000), keys after ``marker``."""
        query = _present(prefix=prefix, marker=marker, delimiter=delimiter, **{"max-keys": max_keys})
        response = await self._send("GET", bucket, query=query)
        return _xml_result(response, "ListObjects", {"ListBucketResult"}, list_objects_result)

    async def iter_objects(
        self,
        bucket: str,
        *,
        prefix: str | None = None,
        marker: str | None = None,
        delimiter: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[ObjectSummary]:
        """Every object of a listing, page after page (with a delimiter, common prefixes are skipped: use
        :meth:`list_objects` to see them)."""
        while True:
            page = await self.list_objects(
                bucket, prefix=prefix, marker=marker, delimiter=delimiter, max_keys=page_size
            )
            for item in page.contents:
                yield item
            # OBS sends NextMarker only with a delimiter; otherwise the last key (or prefix) is where to resume.
            last_seen = max([item.key for item in page.contents[-1:]] + page.common_prefixes[-1:], default=None)
            marker = page.next_marker or last_seen
            if not page.is_truncated or marker is None:
                return

    # --- multipart uploads ----------------------------------------------------------------------

    async def initiate_multipart_upload(
        self,
        bucket: str,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> MultipartUpload:
        headers = _object_headers(self._target(bucket).header_prefix, content_type=content_type, metadata=metadata)
        response = await self._send("POST", bucket, key, query=[("uploads", None)], headers=headers)
        upload_id = _xml_result(response, "InitiateMultipartUpload", {"InitiateMultipartUploadResult"}, upload_id_of)
        return MultipartUpload(bucket=bucket, key=key, upload_id=upload_id)

    async def upload_part(
        self,
        bucket: str,
        key: str,
        upload_id: str,
        part_number: int,
        body: PutBody,
        *,
        content_length: int | None = None,
    ) -> UploadedPart:
        """Upload part ``part_number`` (1 to 10000); ``body`` as for :meth:`put_object`."""
        payload = await _payload(body, content_length=content_length)
        return await self._upload_part(bucket, key, upload_id, part_number, payload)

    async def complete_multipart_upload(
        self, bucket: str, key: str, upload_id: str, parts: Iterable[UploadedPart]
    ) -> CompleteMultipartUploadResult:
        root = Element("CompleteMultipartUpload")
        for part in sorted(parts, key=lambda part: part.part_number):
            element = SubElement(root, "Part")
            SubElement(element, "PartNumber").text = str(part.part_number)
            SubElement(element, "ETag").text = part.etag
        response = await self._send(
            "POST", bucket, key, query=[("uploadId", upload_id)], content=_xml_bytes(root), headers=_XML_HEADERS
        )
        completed = _xml_result(
            response, "CompleteMultipartUpload", {"CompleteMultipartUploadResult"}, complete_multipart_upload_result
        )
        return completed.model_copy(update={"request_id": response.request_id})

    async def abort_multipart_upload(self, bucket: str, key: str, upload_id: str) -> None:
        await self._send("DELETE", bucket, key, query=[("uploadId", upload_id)])

    async def list_parts(
        self,
        bucket: str,
        key: str,
        upload_id: str,
        *,
        max_parts: int | None = None,
        part_number_marker: int | None = None,
    ) -> ListPartsResult:
        paging = _present(**{"max-parts": max_parts, "part-number-marker": part_number_marker})
        query = [("uploadId", upload_id), *paging]
        response = await self._send("GET", bucket, key, query=query)
        return _xml_result(response, "ListParts", {"ListPartsResult"}, list_parts_result)

    # --- pre-signed URLs ----------------------------------------------------------------------------

    async def create_signed_url(
        self,
        method: SignedMethod,
        bucket: str,
        key: str | None,
        *,
        expires_in: int = 300,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """A URL that performs one request without credentials (curl, a browser) for ``expires_in`` seconds.

        ``headers`` are signed too, and whoever uses the URL must send exactly them (e.g. ``Content-Type``
        for a PUT). The URL carries a signature (and a temporary security token): treat it as a secret.
        """
        if key is not None:
            _check_key(key)
        credentials = await self._cloud.signer.get_credentials()
        target = self._target(bucket)
        auth_query = presign_query(
            credentials,
            method=method,
            bucket=bucket,
            key=key,
            # The wall clock, never a learned skew: no server's Date may stretch a URL's life.
            expires_at=int(self._cloud.skews.wall()) + expires_in,
            headers=headers,
            path_style=target.path_style,
            dialect=target.dialect,
        )
        path = target.root_path + wire_path(bucket=bucket, key=key, path_style=target.path_style)
        return f"{target.origin}{path}?{query_string(auth_query)}"

    # --- high level: parallel file transfers --------------------------------------------------------

    async def upload_file(
        self,
        path: str | os.PathLike[str],
        bucket: str,
        key: str,
        *,
        part_size: int = DEFAULT_PART_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Progress | None = None,
        metadata: Mapping[str, str] | None = None,
        content_type: str | None = None,
    ) -> PutObjectResult:
        """Upload a file: one PutObject up to ``part_size``, else a multipart upload of ``concurrency``
        parts at a time, each streamed from the file. On failure or cancellation the multipart upload is
        aborted, so no orphaned parts are left (and billed). ``part_size`` grows if the file would need more
        than 10000 parts."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes (OBS's minimum part size)")
        source = Path(path)
        size = (await anyio.Path(source).stat()).st_size
        part_size = max(part_size, math.ceil(size / MAX_PARTS))
        if size <= part_size:
            result = await self.put_object(bucket, key, source, content_type=content_type, metadata=metadata)
            if progress is not None:
                progress(size, size)
            return result

        upload = await self.initiate_multipart_upload(bucket, key, content_type=content_type, metadata=metadata)
        uploaded: list[UploadedPart] = []
        done = 0

        async def upload_one(part: tuple[int, int]) -> None:
            nonlocal done
            number, offset = part
            length = min(part_size, size - offset)
            content = partial(_file_chunks, source, offset, length)
            payload = _Payload(content=content, length=length)
            uploaded.append(await self._upload_part(bucket, key, upload.upload_id, number, payload))
            done += length
            if progress is not None:
                progress(done, size)

        try:
            await _for_each_bounded(enumerate(range(0, size, part_size), start=1), concurrency, upload_one)
            completed = await self.complete_multipart_upload(bucket, key, upload.upload_id, uploaded)
        except BaseException:
            with anyio.move_on_after(_CLEANUP_TIMEOUT, shield=True):
                await self._abort_after_failure(upload)
            raise
        # The completing request's id: the one that made the object exist.
        return PutObjectResult(etag=completed.etag, request_id=completed.request_id)

    async def download_file(
        self,
        bucket: str,
        key: str,
        path: str | os.PathLike[str],
        *,
        part_size: int = DEFAULT_PART_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Progress | None = None,
    ) -> ObjectInfo:
        """Download an object to ``path`` with ranged GETs, ``concurrency`` at a time, each written at its
        offset as it streams. The parts are pinned to the object's ETag (a concurrent overwrite fails the
        download instead of mixing versions), and ``path`` appears only once complete: the parts go to a new
        temporary file beside it, which then replaces ``path`` in one rename (a link at ``path`` is replaced,
        not followed)."""
        if concurrency < 1 or part_size < 1:
            raise ValueError("part_size and concurrency must be at least 1")
        info = await self.head_object(bucket, key)
        size = info.content_length
        destination = Path(path)
        done = 0

        async def download_one(first: int) -> None:
            nonlocal done
            last = min(first + part_size, size) - 1
            written = 0
            async with (
                await self.get_object(bucket, key, byte_range=(first, last), if_match=info.etag) as body,
                await anyio.open_file(partial_file, "r+b", opener=_open_no_follow) as file,
            ):
                await file.seek(first)
                async for chunk in body.aiter_bytes(_CHUNK_SIZE):
                    written += len(chunk)
                    if written > last - first + 1:
                        break
                    await file.write(chunk)
            if written != last - first + 1:
                raise TransportError(f"bytes {first}-{last} of {bucket}/{key}: got {written} bytes")
            done += written
            if progress is not None:
                progress(done, size)

        # Shielded: cancelled while the worker thread creates the file, we would lose its name, and leave it behind.
        with anyio.CancelScope(shield=True):
            partial_file = anyio.Path(await anyio.to_thread.run_sync(_create_partial_file, destination, size))
        try:
            await _for_each_bounded(range(0, size, part_size), concurrency, download_one)
            await partial_file.replace(destination)
        except BaseException:
            with anyio.move_on_after(_CLEANUP_TIMEOUT, shield=True):
                await partial_file.unlink(missing_ok=True)
            raise
        if size == 0 and progress is not None:
            progress(0, 0)
        return info

    # --- plumbing ---------------------------------------------------------------------------------

    def _target(self, bucket: str | None) -> _Target:
        """Where a request for ``bucket`` goes (``None``: the service itself, as ListBuckets).

        Every bucket operation and pre-signed URL comes through here, so the bucket name is checked here,
        before anything is signed or sent: it becomes part of the host name.
        """
        if bucket is not None:
            _check_bucket(bucket)
        endpoint = urlsplit(self._cloud.endpoint("obs").url)
        path_style = self._cloud.config.obs_path_style or _is_ip_or_localhost(endpoint.hostname or "")
        host = endpoint.netloc if path_style or bucket is None else f"{bucket}.{endpoint.netloc}"
        return _Target(
            origin=f"{endpoint.scheme}://{host}",
            root_path=endpoint.path.rstrip("/"),
            path_style=path_style,
            # esdk-obs-python signs path-style requests with AWS V2: the combination known to work with OBS.
            dialect="aws" if path_style else "obs",
            endpoint=endpoint.netloc,
        )

    async def _send(
        self,
        method: str,
        bucket: str | None,
        key: str | None = None,
        *,
        query: Sequence[tuple[str, str | None]] = (),
        headers: Mapping[str, str] | None = None,
        content: Body | None = None,
        stream: bool = False,
    ) -> Response:
        """Send one OBS request through the core send path, re-dated and re-signed on every attempt.

        A body that is a bare async iterable is sent at most once (see ``AsyncHuaweiCloud.send``).
        """
        if key is not None:
            _check_key(key)
        target = self._target(bucket)
        path = target.root_path + wire_path(bucket=bucket, key=key, path_style=target.path_style)
        encoded_query = query_string(query)
        # The query goes in the URL string, not params=: httpx would re-encode it (space as "+", "uploads=").
        url = f"{target.origin}{path}?{encoded_query}" if encoded_query else f"{target.origin}{path}"
        if content is not None and not any(name.lower() == "content-type" for name in headers or {}):
            # Named here because some transports (aiohttp) add one of their own, which the signature lacks.
            headers = {**(headers or {}), "Content-Type": "application/octet-stream"}
        signed = ObsTarget(
            bucket=bucket, key=key, query=tuple(query), path_style=target.path_style, dialect=target.dialect,
            endpoint=target.endpoint,
        )
        return await self._cloud.send(
            method, url, auth=self._cloud.obs_auth, headers=headers, content=content, stream=stream,
            extensions={OBS_TARGET_EXTENSION: signed},
        )

    async def _send_payload(
        self,
        method: str,
        bucket: str,
        key: str,
        payload: _Payload,
        *,
        query: Sequence[tuple[str, str | None]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        all_headers = dict(headers or {})
        if payload.length is not None:
            # Known up front, so a stream is sent with Content-Length rather than chunked.
            all_headers["Content-Length"] = str(payload.length)
        return await self._send(method, bucket, key, query=query, headers=all_headers, content=payload.content)

    async def _upload_part(
        self, bucket: str, key: str, upload_id: str, part_number: int, payload: _Payload
    ) -> UploadedPart:
        if not 1 <= part_number <= MAX_PARTS:
            raise ValueError(f"part_number must be 1 to {MAX_PARTS}, got {part_number}")
        query: list[tuple[str, str | None]] = [("partNumber", str(part_number)), ("uploadId", upload_id)]
        response = await self._send_payload("PUT", bucket, key, payload, query=query)
        etag = response.headers.get("etag")
        if not etag:
            raise MalformedResponseError(
                "UploadPart", reason=f"part {part_number} has no ETag header", status_code=response.status_code,
                request_id=response.request_id,
            )
        return UploadedPart(part_number=part_number, etag=etag)

    async def _abort_after_failure(self, upload: MultipartUpload) -> None:
        try:
            await self.abort_multipart_upload(upload.bucket, upload.key, upload.upload_id)
        except HuaweiCloudError as error:
            # The transfer's own error is the one to raise; this one is only worth a warning.
            logger.warning("could not abort multipart upload %s of %s: %s", upload.upload_id, upload.key, error)


class SyncObjectBody:
    """Blocking twin of :class:`ObjectBody`: ``with`` it, then ``iter_bytes()`` or ``read()``."""

    def __init__(self, runner: PortalRunner, body: ObjectBody) -> None:
        self._runner = runner
        self._body = body
        self.status_code = body.status_code
        self.content_range = body.content_range
        self.info = body.info

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self._runner.iterate(self._body.aiter_bytes(chunk_size))

    def read(self) -> bytes:
        return self._runner.call(self._body.read)

    def close(self) -> None:
        self._runner.call(self._body.aclose)

    def __enter__(self) -> SyncObjectBody:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._body)


class SyncOBS(SyncService[OBS]):
    """Blocking twin of :class:`OBS`; progress callbacks run on the facade's event-loop thread."""

    list_buckets = blocking(OBS.list_buckets)
    create_bucket = blocking(OBS.create_bucket)
    head_bucket = blocking(OBS.head_bucket)
    delete_bucket = blocking(OBS.delete_bucket)
    get_bucket_location = blocking(OBS.get_bucket_location)
    put_object = blocking(OBS.put_object)
    head_object = blocking(OBS.head_object)
    delete_object = blocking(OBS.delete_object)
    delete_objects = blocking(OBS.delete_objects)
    copy_object = blocking(OBS.copy_object)
    list_objects = blocking(OBS.list_objects)
    iter_objects = blocking_iter(OBS.iter_objects)
    initiate_multipart_upload = blocking(OBS.initiate_multipart_upload)
    upload_part = blocking(OBS.upload_part)
    complete_multipart_upload = blocking(OBS.complete_multipart_upload)
    abort_multipart_upload = blocking(OBS.abort_multipart_upload)
    list_parts = blocking(OBS.list_parts)
    create_signed_url = blocking(OBS.create_signed_url)
    upload_file = blocking(OBS.upload_file)
    download_file = blocking(OBS.download_file)

    def get_object(
        self,
        bucket: str,
        key: str,
        *,
        byte_range: tuple[int, int | None] | None = None,
        if_match: str | None = None,
    ) -> SyncObjectBody:
        start = partial(self._async.get_object, bucket, key, byte_range=byte_range, if_match=if_match)
        return SyncObjectBody(self._runner, self._runner.call(start))


# --- helpers ----------------------------------------------------------------------------------------


def _is_ip_or_localhost(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# OBS's bucket naming rules (Developer Guide, "Use Restrictions" > "Bucket Names"): DNS-safe, because the
# name is the first label of the host name a request goes to.
_BUCKET_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r".{3,63}", re.DOTALL), "must be 3 to 63 characters long"),
    (re.compile(r"[a-z0-9.-]*"), "may contain only lowercase letters, digits, '-' and '.'"),
    (re.compile(r"[a-z0-9](?:.*[a-z0-9])?", re.DOTALL), "must start and end with a lowercase letter or a digit"),
    (re.compile(r"(?!.*\.\.).*", re.DOTALL), "must not contain '..'"),
    (re.compile(r"(?!.*(?:\.-|-\.)).*", re.DOTALL), "must not have '.' and '-' next to each other"),
    (re.compile(r"(?!\d+\.\d+\.\d+\.\d+\Z).*", re.DOTALL), "must not be formatted as an IP address"),
)


def _check_bucket(bucket: str) -> None:
    """Refuse a bucket name OBS would refuse: ``attacker.example/`` or ``""`` would otherwise send the signed
    request, with its body and security token, to another host."""
    if not isinstance(bucket, str):
        raise ConfigurationError(f"bucket must be a str, got {type(bucket).__name__}")
    for pattern, rule in _BUCKET_RULES:
        if not pattern.fullmatch(bucket):
            raise ConfigurationError(
                f"bucket {bucket[:80]!r} is not a valid OBS bucket name: it {rule} (OBS bucket names are 3 to 63 "
                "lowercase letters, digits, '-' and '.', e.g. 'my-bucket-2024')"
            )


def _check_key(key: str) -> None:
    if not key:
        raise ValueError("an object key must not be empty")
    # httpx (like browsers) collapses "." and ".." path segments, so such a key would reach another object.
    if any(segment in (".", "..") for segment in key.split("/")):
        raise ValueError(f"object key {key!r} has a '.' or '..' segment, which HTTP clients rewrite")


def _present(**params: str | int | None) -> list[tuple[str, str | None]]:
    return [(name, str(value)) for name, value in params.items() if value is not None]


def _object_headers(
    prefix: str, *, content_type: str | None, metadata: Mapping[str, str] | None
) -> dict[str, str]:
    headers: dict[str, str] = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    for name, value in (metadata or {}).items():
        # esdk-obs-python's encoding: HTTP headers are ASCII, and OBS returns the names lower-cased.
        encoded_name = quote(name.strip().lower(), safe=" ;/?:@&=+$,")
        headers[f"{prefix}meta-{encoded_name}"] = quote(value.strip(), safe=" ;/?:@&=+$,'*")
    return headers


_XML_HEADERS = {"Content-Type": "application/xml"}


def _xml_bytes(root: Element) -> bytes:
    return tostring(root, encoding="unicode").encode()


def _content_md5(content: bytes) -> str:
    return base64.b64encode(hashlib.md5(content, usedforsecurity=False).digest()).decode("ascii")


def _xml_result(
    response: Response, operation: str, roots: Collection[str], build: Callable[[Element], _Result]
) -> _Result:
    """What ``build`` makes of a successful answer's XML body, whose root element must be one of ``roots``.

    OBS can answer 200 with an ``<Error>`` document (copy, complete multipart, batch delete): an APIError.
    Any other body (a proxy's or captive portal's HTML page, an empty, truncated or foreign document) is a
    MalformedResponseError, never an empty result that a caller would take for an empty bucket.
    """
    def malformed(reason: str) -> MalformedResponseError:
        return MalformedResponseError(
            operation, reason=reason, status_code=response.status_code, request_id=response.request_id,
            body=response.content,
        )

    # Parsed and built with the collector paused: a 1,000-key listing is some 10,000 elements and models.
    with CollectorPaused():
        try:
            root = parse_xml(response.content)
        except ValueError as error:
            raise malformed(str(error)) from None
        if root.tag == "Error":
            http = response.http_response
            raise api_error_from_response(
                status_code=response.status_code, headers=http.headers, body=response.content,
                method=http.request.method, url=response.url,
            )
        if root.tag not in roots:
            expected = " or ".join(f"<{tag}>" for tag in sorted(roots))
            raise malformed(f"expected {expected}, got <{root.tag}>")
        try:
            return build(root)
        except ValueError as error:  # pydantic's ValidationError too: a number or date OBS would not write
            raise malformed(f"<{root.tag}>: {error}") from None


async def _payload(body: PutBody, *, content_length: int | None) -> _Payload:
    if isinstance(body, bytes | bytearray | memoryview):
        data = bytes(body)
        return _Payload(content=data, length=len(data))
    if isinstance(body, str | os.PathLike):
        path = Path(body)
        size = (await anyio.Path(path).stat()).st_size
        return _Payload(content=partial(_file_chunks, path, 0, size), length=size)
    if isinstance(body, AsyncIterable):
        return _Payload(content=body, length=content_length)
    file = body
    # In a worker thread, as every other touch of the file: positioning may block (a network-backed file).
    position = await anyio.to_thread.run_sync(_start_and_size, file)
    if position is not None:
        start, size = position
        return _Payload(content=partial(_file_object_chunks, file, start, size), length=size)
    return _Payload(content=_file_object_chunks(file, None, None), length=content_length)


def _create_partial_file(destination: Path, size: int) -> Path:
    """A new file of ``size`` bytes beside ``destination``, under a random name, for a download to fill.

    Created with O_CREAT|O_EXCL, which fails on any existing name, a link included (it never follows one): a
    link another local user planted at a predictable or guessed name cannot make the download overwrite a
    file of yours. Mode 0o666 under the umask, as ``open(destination, "wb")`` would have given.
    """
    for _ in range(_PARTIAL_NAME_ATTEMPTS):
        candidate = destination.with_name(f".{destination.name}.{secrets.token_hex(8)}.obs-partial")
        try:
            descriptor = os.open(candidate, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            try:
                os.ftruncate(descriptor, size)
            finally:
                os.close(descriptor)
        except BaseException:
            candidate.unlink()
            raise
        return candidate
    raise FileExistsError(
        f"{_PARTIAL_NAME_ATTEMPTS} random temporary names beside {destination} were all taken: check what keeps "
        "creating files in that directory, or download elsewhere"
    )


def _open_no_follow(path: str, flags: int) -> int:
    # The partial file is ours; had it been swapped for a link since, writing through it would hit another file.
    return os.open(path, flags | _O_NOFOLLOW)


def _start_and_size(file: IO[bytes]) -> tuple[int, int] | None:
    """(current position, bytes from there to the end) of a seekable file, else None; the position is kept."""
    if not file.seekable():
        return None
    start = file.tell()
    size = file.seek(0, os.SEEK_END) - start
    file.seek(start)
    return start, size


async def _file_chunks(path: Path, offset: int, length: int) -> AsyncIterator[bytes]:
    """``length`` bytes of a file from ``offset``, one chunk in memory at a time."""
    async with await anyio.open_file(path, "rb") as file:
        await file.seek(offset)
        remaining = length
        while remaining > 0:
            chunk = await file.read(min(_CHUNK_SIZE, remaining))
            if not chunk:
                raise OSError(f"{path} shrank while it was being uploaded")
            remaining -= len(chunk)
            yield chunk


async def _file_object_chunks(file: IO[bytes], start: int | None, length: int | None) -> AsyncIterator[bytes]:
    """A binary file object's bytes, read in a worker thread; from ``start`` again on every attempt."""
    if start is not None:
        await anyio.to_thread.run_sync(file.seek, start)
    remaining = length
    while remaining is None or remaining > 0:
        size = _CHUNK_SIZE if remaining is None else min(_CHUNK_SIZE, remaining)
        chunk = await anyio.to_thread.run_sync(file.read, size)
        if not chunk:
            if remaining is not None:
                raise OSError("the file object ended before its size when it was opened")
            return
        if remaining is not None:
            remaining -= len(chunk)
        yield chunk


async def _for_each_bounded(
    items: Iterable[_Item], concurrency: int, action: Callable[[_Item], Awaitable[None]]
) -> None:
    """Run ``action`` on every item, at most ``concurrency`` at a time. The first failure cancels the rest
    and is raised as itself, not wrapped in an ExceptionGroup."""
    pending = iter(items)
    failures: list[Exception] = []

    async def worker() -> None:
        try:
            for item in pending:  # the workers share one iterator: each item is taken exactly once
                await action(item)
        except Exception as error:
            failures.append(error)
            group.cancel_scope.cancel()

    async with anyio.create_task_group() as group:
        for _ in range(concurrency):
            group.start_soon(worker)
    if failures:
        raise failures[0]
