"""What the OBS client returns: frozen pydantic models built from OBS XML bodies and response headers."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from pydantic import BaseModel, ConfigDict

from .._http import httpx

__all__ = [
    "Bucket",
    "BucketInfo",
    "CompleteMultipartUploadResult",
    "CopyObjectResult",
    "DeleteError",
    "DeleteObjectsResult",
    "ListBucketsResult",
    "ListObjectsResult",
    "ListPartsResult",
    "MultipartUpload",
    "ObjectInfo",
    "ObjectSummary",
    "PartInfo",
    "PutObjectResult",
    "UploadedPart",
]

_FROZEN = ConfigDict(frozen=True)


class Bucket(BaseModel):
    model_config = _FROZEN

    name: str
    creation_date: datetime | None = None
    location: str | None = None
    bucket_type: str | None = None


class ListBucketsResult(BaseModel):
    model_config = _FROZEN

    owner_id: str | None = None
    buckets: list[Bucket]


class BucketInfo(BaseModel):
    """HeadBucket: the bucket exists and is yours; where it lives."""

    model_config = _FROZEN

    location: str | None = None
    request_id: str | None = None


class ObjectSummary(BaseModel):
    """One ``Contents`` entry of a listing."""

    model_config = _FROZEN

    key: str
    last_modified: datetime | None = None
    etag: str | None = None
    size: int
    storage_class: str | None = None
    owner_id: str | None = None


class ListObjectsResult(BaseModel):
    model_config = _FROZEN

    name: str
    prefix: str | None = None
    marker: str | None = None
    next_marker: str | None = None
    delimiter: str | None = None
    max_keys: int | None = None
    is_truncated: bool
    contents: list[ObjectSummary]
    common_prefixes: list[str]


class PutObjectResult(BaseModel):
    model_config = _FROZEN

    etag: str | None = None
    version_id: str | None = None
    request_id: str | None = None


class ObjectInfo(BaseModel):
    """An object's metadata, from HeadObject or the headers of GetObject."""

    model_config = _FROZEN

    content_length: int
    content_type: str | None = None
    etag: str | None = None
    last_modified: datetime | None = None
    storage_class: str | None = None
    version_id: str | None = None
    metadata: dict[str, str]
    request_id: str | None = None


class DeleteError(BaseModel):
    model_config = _FROZEN

    key: str
    code: str | None = None
    message: str | None = None


class DeleteObjectsResult(BaseModel):
    model_config = _FROZEN

    deleted: list[str]
    errors: list[DeleteError]


class CopyObjectResult(BaseModel):
    model_config = _FROZEN

    etag: str | None = None
    last_modified: datetime | None = None


class MultipartUpload(BaseModel):
    """An initiated multipart upload: pass ``upload_id`` to the part, complete and abort calls."""

    model_config = _FROZEN

    bucket: str
    key: str
    upload_id: str


class UploadedPart(BaseModel):
    """A part sent by UploadPart; a list of them completes the upload."""

    model_config = _FROZEN

    part_number: int
    etag: str


class CompleteMultipartUploadResult(BaseModel):
    model_config = _FROZEN

    location: str | None = None
    bucket: str | None = None
    key: str | None = None
    etag: str | None = None
    request_id: str | None = None


class PartInfo(BaseModel):
    model_config = _FROZEN

    part_number: int
    etag: str | None = None
    size: int
    last_modified: datetime | None = None


class ListPartsResult(BaseModel):
    model_config = _FROZEN

    bucket: str | None = None
    key: str | None = None
    upload_id: str | None = None
    parts: list[PartInfo]
    is_truncated: bool
    next_part_number_marker: int | None = None
    max_parts: int | None = None


# --- parsing helpers ------------------------------------------------------------------------------


def integer(element: Element, tag: str) -> int | None:
    found = element.findtext(tag)
    return int(found) if found else None


def flag(element: Element, tag: str) -> bool:
    return (element.findtext(tag) or "").strip().lower() == "true"


def iso_time(element: Element, tag: str) -> datetime | None:
    found = element.findtext(tag)
    return datetime.fromisoformat(found.replace("Z", "+00:00")) if found else None


def http_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def list_buckets_result(root: Element) -> ListBucketsResult:
    return ListBucketsResult(
        owner_id=root.findtext("Owner/ID"),
        buckets=[
            Bucket(
                name=item.findtext("Name") or "",
                creation_date=iso_time(item, "CreationDate"),
                location=item.findtext("Location"),
                bucket_type=item.findtext("BucketType"),
            )
            for item in root.iterfind("Buckets/Bucket")
        ],
    )


def location(root: Element) -> str:
    if root.tag == "CreateBucketConfiguration":
        return (root.findtext("LocationConstraint") or "").strip()
    return (root.text or "").strip()


def list_objects_result(root: Element) -> ListObjectsResult:
    return ListObjectsResult(
        name=root.findtext("Name") or "",
        prefix=root.findtext("Prefix"),
        marker=root.findtext("Marker"),
        next_marker=root.findtext("NextMarker"),
        delimiter=root.findtext("Delimiter"),
        max_keys=integer(root, "MaxKeys"),
        is_truncated=flag(root, "IsTruncated"),
        contents=[
            ObjectSummary(
                key=item.findtext("Key") or "",
                last_modified=iso_time(item, "LastModified"),
                etag=item.findtext("ETag"),
                size=integer(item, "Size") or 0,
                storage_class=item.findtext("StorageClass"),
                owner_id=item.findtext("Owner/ID"),
            )
            for item in root.iterfind("Contents")
        ],
        common_prefixes=[item.findtext("Prefix") or "" for item in root.iterfind("CommonPrefixes")],
    )


def delete_objects_result(root: Element) -> DeleteObjectsResult:
    return DeleteObjectsResult(
        deleted=[item.findtext("Key") or "" for item in root.iterfind("Deleted")],
        errors=[
            DeleteError(key=item.findtext("Key") or "", code=item.findtext("Code"), message=item.findtext("Message"))
            for item in root.iterfind("Error")
        ],
    )


def copy_object_result(root: Element) -> CopyObjectResult:
    return CopyObjectResult(etag=root.findtext("ETag"), last_modified=iso_time(root, "LastModified"))


def upload_id_of(root: Element) -> str:
    """The UploadId of an InitiateMultipartUpload answer; ValueError if it has none."""
    upload_id = root.findtext("UploadId")
    if not upload_id:
        raise ValueError("it has no UploadId")
    return upload_id


def complete_multipart_upload_result(root: Element) -> CompleteMultipartUploadResult:
    return CompleteMultipartUploadResult(
        location=root.findtext("Location"),
        bucket=root.findtext("Bucket"),
        key=root.findtext("Key"),
        etag=root.findtext("ETag"),
    )


def list_parts_result(root: Element) -> ListPartsResult:
    return ListPartsResult(
        bucket=root.findtext("Bucket"),
        key=root.findtext("Key"),
        upload_id=root.findtext("UploadId"),
        parts=[
            PartInfo(
                part_number=integer(item, "PartNumber") or 0,
                etag=item.findtext("ETag"),
                size=integer(item, "Size") or 0,
                last_modified=iso_time(item, "LastModified"),
            )
            for item in root.iterfind("Part")
        ],
        is_truncated=flag(root, "IsTruncated"),
        next_part_number_marker=integer(root, "NextPartNumberMarker"),
        max_parts=integer(root, "MaxParts"),
    )


def object_info(headers: httpx.Headers, *, size: int | None = None) -> ObjectInfo:
    """Metadata from response headers; ``size`` overrides Content-Length (a ranged GET's length is the range's)."""
    metadata: dict[str, str] = {}
    storage_class = version_id = None
    for name, value in headers.items():
        # A server answers in the dialect it was asked in: x-obs-* for OBS, x-amz-* for AWS signatures.
        if not name.startswith(("x-obs-", "x-amz-")):
            continue
        rest = name[len("x-obs-") :]
        if rest.startswith("meta-"):
            # Names and values travel %-encoded (esdk-obs-python's rule, so non-ASCII survives HTTP headers).
            metadata[unquote(rest[len("meta-") :])] = unquote(value)
        elif rest == "storage-class":
            storage_class = value
        elif rest == "version-id":
            version_id = value
    length = size if size is not None else int(headers.get("content-length") or 0)
    return ObjectInfo(
        content_length=length,
        content_type=headers.get("content-type"),
        etag=headers.get("etag"),
        last_modified=http_time(headers.get("last-modified")),
        storage_class=storage_class,
        version_id=version_id,
        metadata=metadata,
        request_id=headers.get("x-obs-request-id") or headers.get("x-amz-request-id"),
    )
