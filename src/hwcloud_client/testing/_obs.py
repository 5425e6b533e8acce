"""The OBS emulator: in-memory buckets and objects behind verified ``OBS``/``AWS`` V2 signatures.

Every request is authenticated as OBS would: the ``Authorization`` header (either dialect, either addressing
style) or a pre-signed URL's query, against the known access keys; a temporary key must come with its security
token (``x-obs-security-token``/``x-amz-security-token``, a header or, pre-signed, a query parameter); the
request's ``Date`` must be within 15 minutes of the emulator's clock and a pre-signed URL must not have expired.
Errors are OBS XML bodies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import cached_property
from typing import NoReturn
from urllib.parse import quote, unquote
from xml.etree.ElementTree import Element, SubElement, tostring

from .._xml import parse_xml
from ..auth.obs import (
    OBS_SUB_RESOURCES,
    Dialect,
    canonical_resource,
    parse_authorization,
    rfc1123_date,
    sign_string,
    string_to_sign,
)
from ..services.obs import MIN_PART_SIZE  # the client's own: one OBS minimum part size
from ._base import EmulatedRequest, EmulatedResponse, SecretLookup, permanent_keys_lookup
from ._routes import Route, Router, iso_time

__all__ = ["MIN_PART_SIZE", "ObsEmulator"]

MAX_SKEW_SECONDS = 900.0
_MAX_PART_NUMBER = 10_000
_MAX_KEYS = 1000
_XMLNS = "http://obs.myhwclouds.com/doc/2015-06-30/"
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
_COPY_RANGE = re.compile(r"bytes=([0-9]{1,19})-([0-9]{1,19})")
# Sub-resources this emulator answers; any other signed sub-resource (acl, versioning, ...) is NotImplemented.
_HANDLED_SUB_RESOURCES = frozenset({"location", "delete", "uploads", "uploadid", "partnumber", "versionid", "acl"})
# GetObject's response header overrides (the response-* query parameters, obs_04_0083) and the headers they set.
_RESPONSE_OVERRIDES = {
    "response-content-type": "Content-Type",
    "response-content-language": "Content-Language",
    "response-expires": "Expires",
    "response-cache-control": "Cache-Control",
    "response-content-disposition": "Content-Disposition",
    "response-content-encoding": "Content-Encoding",
}
# The standard HTTP headers an object keeps from its upload (or a REPLACE copy) and answers GET/HEAD with, beside
# Content-Type; the ones GetObject's response-* parameters override (obs_04_0083).
_STANDARD_HEADERS = ("Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires")
_OPERATIONS = ("uploads", "uploadId", "location", "delete", "acl")
# Storage classes: OBS's names, and the S3-compatible API's for the same classes (devg-obs obs_06_0062/0063).
# esdk's Adapter.OBS_ALLOWED_STORAGE_CLASS and V2_ALLOWED_STORAGE_CLASS.
_AWS_STORAGE_CLASSES = {
    "STANDARD": "STANDARD", "WARM": "STANDARD_IA", "COLD": "GLACIER", "DEEP_ARCHIVE": "DEEP_ARCHIVE",
    "INTELLIGENT_TIERING": "INTELLIGENT_TIERING",
}
# Canned ACLs (x-obs-acl / x-amz-acl, PutObject obs_04_0080) each dialect knows, as esdk lists them:
# Adapter.OBS_ALLOWED_ACL_CONTROL and V2_ALLOWED_ACL_CONTROL (the S3-compatible API's).
_CANNED_ACLS: dict[Dialect, frozenset[str]] = {
    "obs": frozenset({"private", "public-read", "public-read-write", "public-read-delivered",
                      "public-read-write-delivered", "bucket-owner-full-control"}),
    "aws": frozenset({"private", "public-read", "public-read-write", "authenticated-read", "bucket-owner-read",
                      "bucket-owner-full-control", "log-delivery-write"}),
}
# What each canned ACL grants besides the owner's FULL_CONTROL: (group, permissions). OBS names the groups
# (Everyone...), the S3-compatible API gives their URIs.
_CANNED_GRANTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "public-read": (("Everyone", ("READ",)),),
    "public-read-write": (("Everyone", ("READ", "WRITE")),),
    "public-read-delivered": (("Everyone", ("READ",)),),
    "public-read-write-delivered": (("Everyone", ("READ", "WRITE")),),
    "authenticated-read": (("AuthenticatedUsers", ("READ",)),),
    "log-delivery-write": (("LogDelivery", ("WRITE", "READ_ACP")),),
}
_GROUP_URIS = {
    "Everyone": "http://acs.amazonaws.com/groups/global/AllUsers",
    "AuthenticatedUsers": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    "LogDelivery": "http://acs.amazonaws.com/groups/s3/LogDelivery",
}
_OWNER_ID = "emulator-owner"
# x-obs-server-side-encryption's values: OBS's "kms" (SSE-KMS) and "AES256" (SSE-OBS), the S3-compatible API's
# "aws:kms" and "AES256" (support.huaweicloud.com/api-obs/obs_04_0188.html; esdk's _set_sse_header).
_SSE_MODES: dict[Dialect, dict[str, str]] = {"obs": {"kms": "kms", "AES256": "AES256"},
                                             "aws": {"aws:kms": "kms", "AES256": "AES256"}}
_MAX_REDIRECT_LOCATION = 2048
# The methods of OBS's REST API; any other is refused as OBS refuses it, whatever the resource.
_HTTP_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"})
# OBS's wording (error code InvalidAccessKeyId: support.huaweicloud.com/api-obs/obs_errorcode_0009.html).
_UNKNOWN_ACCESS_KEY = "The OBS Access Key Id you provided does not exist in our records."


class _ObsError(Exception):
    def __init__(self, status: int, code: str, message: str, **details: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers: dict[str, str] = {}


def _fail(status: int, code: str, message: str, **details: str) -> NoReturn:
    raise _ObsError(status, code, message, **details)


def _not_implemented(what: str) -> NoReturn:
    """OBS's answer to a feature it lacks; the emulator's to every OBS API it does not emulate, whichever it is."""
    _fail(501, "NotImplemented", f"A header you provided implies functionality that is not implemented: the "
          f"emulator does not implement {what}")


@dataclass
class _Object:
    data: bytes
    etag: str
    modified: float
    content_type: str
    metadata: dict[str, str]  # names after the meta- prefix, values as sent (esdk %-encodes them)
    storage_class: str = "STANDARD"  # OBS's name (STANDARD, WARM, COLD, DEEP_ARCHIVE, INTELLIGENT_TIERING)
    acl: str = "private"
    encryption: _Encryption | None = None
    redirect_location: str | None = None
    standard_headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Encryption:
    """How an object is encrypted on the server: SSE-KMS (with the key id sent, if any), SSE-OBS, or SSE-C (by the
    MD5 of the customer's key, which a read must present again)."""

    mode: str  # "kms", "AES256" (SSE-OBS) or "SSE-C"
    kms_key_id: str | None = None
    customer_key_md5: str | None = None

    def headers(self, prefix: str, dialect: Dialect) -> dict[str, str]:
        """The response headers that tell it (OBS echoes them on PUT, GET and HEAD)."""
        if self.mode == "SSE-C":
            return {prefix + "server-side-encryption-customer-algorithm": "AES256",
                    prefix + "server-side-encryption-customer-key-MD5": self.customer_key_md5 or ""}
        headers = {prefix + "server-side-encryption": "aws:kms" if self.mode == "kms" and dialect == "aws"
                   else self.mode}
        if self.kms_key_id is not None:
            name = "server-side-encryption-kms-key-id" if dialect == "obs" else "server-side-encryption-aws-kms-key-id"
            headers[prefix + name] = self.kms_key_id
        return headers


@dataclass
class _Part:
    data: bytes
    etag: str
    modified: float


@dataclass
class _Upload:
    key: str
    content_type: str
    metadata: dict[str, str]
    storage_class: str
    acl: str = "private"
    encryption: _Encryption | None = None
    redirect_location: str | None = None
    standard_headers: dict[str, str] = field(default_factory=dict)
    parts: dict[int, _Part] = field(default_factory=dict)


@dataclass
class _Bucket:
    location: str
    created: float
    storage_class: str = "STANDARD"  # the default of its objects
    acl: str = "private"
    objects: dict[str, _Object] = field(default_factory=dict)
    uploads: dict[str, _Upload] = field(default_factory=dict)


@dataclass
class _Call:
    """A request resolved to its bucket, key, decoded query and signature dialect."""

    request: EmulatedRequest
    bucket: str | None
    key: str | None
    path_style: bool
    query: list[tuple[str, str | None]]
    dialect: Dialect = "obs"

    # Cached: the access check and the dispatch both read them, and a call's query never changes.
    @cached_property
    def params(self) -> dict[str, str | None]:
        return dict(self.query)

    @cached_property
    def operation(self) -> str | None:
        """The sub-resource that names the operation (``?uploads``, ``?acl``...), if any."""
        return next((name for name in _OPERATIONS if name in self.params), None)

    @cached_property
    def unsupported(self) -> list[str]:
        """The sub-resources of the query that the emulator does not implement."""
        handled = _HANDLED_SUB_RESOURCES | (_RESPONSE_OVERRIDES.keys() if self.key is not None else frozenset())
        return [name for name, _ in self.query if name.lower() in OBS_SUB_RESOURCES - handled]

    @property
    def prefix(self) -> str:
        return "x-obs-" if self.dialect == "obs" else "x-amz-"

    def header(self, name: str) -> str | None:
        return self.request.headers.get(self.prefix + name.lower())

    def storage_class(self, header: str = "storage-class") -> str | None:
        """The storage class a request names (OBS's name, whichever dialect), None if none; 400 if unknown."""
        sent = self.request.headers.get(header) if header.startswith("x-default") else self.header(header)
        if sent is None:
            return None
        wanted = sent.strip().upper()
        names = {aws: obs for obs, aws in _AWS_STORAGE_CLASSES.items()} if self.dialect == "aws" else {}
        names.update({name: name for name in _AWS_STORAGE_CLASSES} if self.dialect == "obs" else {})
        if wanted not in names:
            _fail(400, "InvalidStorageClass", "The storage class you specified is not valid.",
                  StorageClassRequested=sent)
        return names[wanted]

    def storage_class_name(self, storage_class: str) -> str:
        """A storage class as this request's dialect names it."""
        return storage_class if self.dialect == "obs" else _AWS_STORAGE_CLASSES[storage_class]

    def acl(self) -> str | None:
        """The canned ACL the request sets (x-obs-acl / x-amz-acl), None if none; 400 InvalidArgument if unknown."""
        sent = self.header("acl")
        if sent is None:
            return None
        if sent.strip() not in _CANNED_ACLS[self.dialect]:
            _fail(400, "InvalidArgument", f"{sent} is not a canned ACL", ArgumentName=self.prefix + "acl",
                  ArgumentValue=sent)
        return sent.strip()

    def encryption(self) -> _Encryption | None:
        """The server-side encryption the request asks for (SSE-KMS, SSE-OBS or SSE-C), None if none; 400 when the
        headers are not as OBS documents them (support.huaweicloud.com/api-obs/obs_04_0106.html, SSE-KMS; ..._0107,
        SSE-C; ..._0173, SSE-OBS)."""
        mode = self.header("server-side-encryption")
        key_id_name = "server-side-encryption-kms-key-id" if self.dialect == "obs" else (
            "server-side-encryption-aws-kms-key-id")
        key_id = self.header(key_id_name)
        customer = self.customer_key("")
        if customer is not None:
            if mode is not None:
                _fail(400, "InvalidArgument", "Server Side Encryption with a customer provided key cannot be "
                      "combined with another server side encryption",
                      ArgumentName=self.prefix + "server-side-encryption", ArgumentValue=mode)
            return _Encryption("SSE-C", customer_key_md5=customer)
        if mode is None:
            if key_id is not None:
                _fail(400, "InvalidArgument", f"{self.prefix}{key_id_name} needs {self.prefix}server-side-encryption",
                      ArgumentName=self.prefix + key_id_name, ArgumentValue=key_id)
            return None
        algorithm = self.header("server-side-data-encryption")  # SSE-KMS/SSE-OBS's cipher: AES256 (default) or SM4
        if algorithm is not None and algorithm.strip() != "AES256":
            _not_implemented(f"the {algorithm} server-side data encryption (only AES256)")
        known = _SSE_MODES[self.dialect].get(mode.strip())
        if known is None:
            _fail(400, "InvalidArgument", "The encryption method specified is not supported",
                  ArgumentName=self.prefix + "server-side-encryption", ArgumentValue=mode)
        if key_id is not None and known != "kms":
            _fail(400, "InvalidArgument", f"{self.prefix}{key_id_name} is only valid with SSE-KMS",
                  ArgumentName=self.prefix + key_id_name, ArgumentValue=key_id)
        return _Encryption(known, kms_key_id=key_id.strip() if key_id else None)

    def customer_key(self, source: str) -> str | None:
        """The MD5 (base64) of the SSE-C key the request presents (``source`` "copy-source-" for a copy's source),
        None if it presents none; 400 InvalidArgument unless algorithm, key and MD5 are all there and agree."""
        names = [f"{source}server-side-encryption-customer-{part}" for part in ("algorithm", "key", "key-MD5")]
        algorithm, key, key_md5 = (self.header(name) for name in names)
        if algorithm is None and key is None and key_md5 is None:
            return None
        if (algorithm or "").strip() != "AES256":
            _fail(400, "InvalidArgument", "The SSE-C algorithm must be AES256", ArgumentName=self.prefix + names[0],
                  ArgumentValue=algorithm or "")
        try:
            raw = base64.b64decode(key or "", validate=True)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            _fail(400, "InvalidArgument", "The SSE-C key must be a base64-encoded 256-bit key",
                  ArgumentName=self.prefix + names[1])
        digest = base64.b64encode(hashlib.md5(raw, usedforsecurity=False).digest()).decode()
        if (key_md5 or "").strip() != digest:
            _fail(400, "InvalidArgument", "The calculated MD5 hash of the key did not match the hash that was "
                  "provided.", ArgumentName=self.prefix + names[2])
        return digest

    def redirect_location(self) -> str | None:
        """x-obs-/x-amz-website-redirect-location: must start with "/", "http://" or "https://" and be at most 2 KB
        (PutObject, obs_04_0080); 400 InvalidArgument otherwise."""
        sent = self.header("website-redirect-location")
        if sent is None:
            return None
        if not sent.startswith(("/", "http://", "https://")) or len(sent.encode()) > _MAX_REDIRECT_LOCATION:
            _fail(400, "InvalidArgument", "The website redirect location must start with /, http:// or https:// "
                  "and be at most 2 KB", ArgumentName=self.prefix + "website-redirect-location", ArgumentValue=sent)
        return sent

    @property
    def route_path(self) -> str:
        """The path OBS's routes are matched against: ``/``, ``/{bucket}`` or ``/{bucket}/{key}`` (one segment)."""
        if self.bucket is None:
            return "/"
        return f"/{quote(self.bucket, safe='')}" + ("" if self.key is None else f"/{quote(self.key, safe='')}")

    def standard_headers(self) -> dict[str, str]:
        """Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires as sent."""
        headers = self.request.headers
        return {name: headers[name.lower()] for name in _STANDARD_HEADERS if name.lower() in headers}

    def metadata(self) -> dict[str, str]:
        meta = self.prefix + "meta-"
        headers = self.request.headers
        return {name[len(meta) :]: value.strip() for name, value in headers.items() if name.startswith(meta)}


class ObsEmulator:
    """An in-memory OBS for tests: ``await emulator.handle(request)`` for each :class:`EmulatedRequest`.

    ``credentials`` maps access key ids to secret keys (permanent keys), or is a lookup that also knows
    temporary keys and their security tokens (``FakeHuaweiCloud`` passes its IAM's, the one its API Gateway
    uses); ``clock`` is the emulator's time (seconds since the epoch), against which request dates and
    pre-signed URL expiry are checked. ``min_part_size`` is OBS's EntityTooSmall limit for non-last parts.
    """

    def __init__(
        self,
        credentials: Mapping[str, str] | SecretLookup,
        *,
        clock: Callable[[], float] = time.time,
        region: str = "cn-north-4",
        min_part_size: int = MIN_PART_SIZE,
    ) -> None:
        self._lookup = permanent_keys_lookup(credentials) if isinstance(credentials, Mapping) else credentials
        self._clock = clock
        self._region = region
        self._min_part_size = min_part_size
        self._buckets: dict[str, _Bucket] = {}
        # OBS's APIs, routed as every emulated service's are: by method, path (the path-style one, whichever
        # addressing style the request used) and the sub-resource that names the operation.
        self._router: Router[_Call] = Router([
            _route("GET", "/", self._list_buckets),
            _route("PUT", "/{bucket}", self._create_bucket),
            _route("HEAD", "/{bucket}", self._head_bucket),
            _route("DELETE", "/{bucket}", self._delete_bucket),
            _route("GET", "/{bucket}", self._list_objects),
            _route("GET", "/{bucket}", self._get_bucket_location, "location"),
            _route("GET", "/{bucket}", self._get_acl, "acl"),
            _route("PUT", "/{bucket}", self._set_acl, "acl"),
            _route("GET", "/{bucket}/{key}", self._get_acl, "acl"),
            _route("PUT", "/{bucket}/{key}", self._set_acl, "acl"),
            _route("POST", "/{bucket}", self._delete_objects, "delete"),
            _route("PUT", "/{bucket}/{key}", self._put_or_copy_object),
            _route("GET", "/{bucket}/{key}", self._get_object),
            _route("HEAD", "/{bucket}/{key}", self._get_object),
            _route("DELETE", "/{bucket}/{key}", self._delete_object),
            _route("POST", "/{bucket}/{key}", self._initiate_multipart_upload, "uploads"),
            _route("PUT", "/{bucket}/{key}", self._upload_part, "uploadId"),
            _route("POST", "/{bucket}/{key}", self._complete_multipart_upload, "uploadId"),
            _route("DELETE", "/{bucket}/{key}", self._abort_multipart_upload, "uploadId"),
            _route("GET", "/{bucket}/{key}", self._list_parts, "uploadId"),
        ])

    def __repr__(self) -> str:
        return f"ObsEmulator(region={self._region!r}, buckets={sorted(self._buckets)!r})"

    def multipart_uploads(self, bucket: str) -> list[tuple[str, str]]:
        """The (key, upload id) of every multipart upload in progress in ``bucket``: for tests' assertions."""
        return [(upload.key, upload_id) for upload_id, upload in self._buckets[bucket].uploads.items()]

    async def handle(self, request: EmulatedRequest) -> EmulatedResponse:
        request_id = _new_request_id()
        dialect: Dialect = "obs"
        try:
            call = self._resolve(request)
            negotiated = self._negotiate_api_version(call)
            if negotiated is not None:
                return self._with_common_headers(negotiated, request_id, "obs")
            self._authenticate(call)
            dialect = call.dialect
            response = self._dispatch(call)
        except _ObsError as error:
            response = _error_response(error, request_id, with_body=request.method != "HEAD")
        return self._with_common_headers(response, request_id, dialect)

    def internal_error(self, request: EmulatedRequest) -> EmulatedResponse:
        request_id = _new_request_id()
        error = _ObsError(500, "InternalError", "We encountered an internal error. Please try again.")
        return self._with_common_headers(
            _error_response(error, request_id, with_body=request.method != "HEAD"), request_id, "obs"
        )

    def _with_common_headers(self, response: EmulatedResponse, request_id: str, dialect: Dialect) -> EmulatedResponse:
        prefix = "x-obs-" if dialect == "obs" else "x-amz-"
        response.headers[prefix + "request-id"] = request_id
        response.headers["x-obs-request-id"] = request_id
        response.headers[prefix + "id-2"] = request_id + "-host"
        response.headers["Date"] = rfc1123_date(self._clock())
        return response

    # --- request resolution and authentication -----------------------------------------------------

    @staticmethod
    def _resolve(request: EmulatedRequest) -> _Call:
        query: list[tuple[str, str | None]] = []
        for item in request.raw_query.split("&"):
            if item:
                name, equals, value = item.partition("=")
                # A literal "+" is a plus sign: OBS clients encode spaces as %20.
                query.append((unquote(name), unquote(value) if equals else None))
        path = request.raw_path
        if request.bucket is not None:
            key = unquote(path[1:]) if len(path) > 1 else None
            return _Call(request, request.bucket, key, path_style=False, query=query)
        bucket, _, encoded_key = path[1:].partition("/")
        return _Call(request, bucket or None, unquote(encoded_key) or None, path_style=True, query=query)

    def _authenticate(self, call: _Call) -> None:
        request = call.request
        params = call.params
        authorization = request.headers.get("authorization")
        expires: int | None = None
        if authorization is not None:
            parsed = parse_authorization(authorization)
            if parsed is None:
                _fail(403, "AccessDenied", "Unsupported Authorization Type")
            call.dialect, access_key_id, signature = parsed
            self._check_date(call)
        elif "Signature" in params:
            call.dialect = "aws" if "AWSAccessKeyId" in params else "obs"
            access_key_id = params.get("AWSAccessKeyId" if call.dialect == "aws" else "AccessKeyId") or ""
            signature = params["Signature"] or ""
            try:
                expires = int(params.get("Expires") or "")
            except ValueError:
                _fail(403, "AccessDenied", "Query authentication needs an integer Expires")
            if expires < self._clock():
                _fail(403, "AccessDenied", "Request has expired", Expires=str(expires))
        elif self._anonymously_allowed(call):
            return
        else:
            _fail(403, "AccessDenied", "Anonymous access is forbidden for this operation")
        known = self._lookup(access_key_id)
        if known is None:
            _fail(403, "InvalidAccessKeyId", _UNKNOWN_ACCESS_KEY, AccessKeyId=access_key_id)
        # A header when the Authorization header signs, a query parameter in a pre-signed URL (where it is also
        # part of the signed resource); the signature covers it either way, as any x-obs-/x-amz- name.
        token_name = call.prefix + "security-token"
        problem = known.token_problem(
            request.headers.get(token_name) if authorization is not None else params.get(token_name)
        )
        if problem == "missing":
            # A guess: OBS documents only "a 403 error" for a temporary key sent without its token. It knows a
            # temporary key through that token alone, so the answer for an access key it cannot find is assumed.
            _fail(403, "InvalidAccessKeyId", _UNKNOWN_ACCESS_KEY, AccessKeyId=access_key_id)
        if problem == "invalid":
            # Documented (obs_errorcode_0009): a token that is malformed, expired or another key's.
            _fail(403, "InvalidAccessKeyId", "The security token is invalid.", AccessKeyId=access_key_id)
        resource = canonical_resource(
            bucket=call.bucket, key=call.key, query=call.query, path_style=call.path_style, dialect=call.dialect
        )
        to_sign = string_to_sign(
            method=request.method, headers=request.headers, canonical_resource=resource, expires=expires,
            dialect=call.dialect,
        )
        # As bytes: compare_digest refuses a str with non-ASCII characters, which a header value may decode to.
        if not hmac.compare_digest(sign_string(known.secret, to_sign).encode(), signature.encode()):
            # The provided signature is not echoed, and a security token is masked: error bodies get logged.
            token = request.headers.get(token_name) or params.get(token_name)
            shown = to_sign.replace(token, "***") if token else to_sign
            _fail(403, "SignatureDoesNotMatch",
                  "The request signature we calculated does not match the signature you provided.",
                  StringToSign=shown, AccessKeyId=access_key_id)

    def _anonymously_allowed(self, call: _Call) -> bool:
        """Whether an unsigned request does what a canned ACL opened to Everyone: read a bucket's listing (its ACL
        public-read*), an object's data and metadata (its own ACL public-read*, or its bucket's *-delivered one), or
        upload and delete the objects of a bucket whose ACL is public-read-write* (WRITE: "upload, overwrite, and
        delete any object in the bucket")."""
        method = call.request.method
        if method not in ("GET", "HEAD", "PUT", "DELETE") or call.bucket is None:
            return False
        bucket = self._buckets.get(call.bucket)
        # A canned ACL opens data and listings, never a sub-resource (an unimplemented one is refused too: 403, as
        # OBS answers Everyone, not the 501 a signed caller gets).
        if call.operation is not None or call.unsupported or bucket is None:
            return False
        if method in ("PUT", "DELETE"):
            return _grants_everyone(bucket.acl, "WRITE") and call.key is not None and call.header("copy-source") is None
        if call.key is None:
            return _grants_everyone(bucket.acl, "READ")
        stored = bucket.objects.get(call.key)
        if stored is None:
            return bucket.acl.endswith("-delivered")  # the 404 of an object the bucket's readers could read
        return _grants_everyone(stored.acl, "READ") or bucket.acl.endswith("-delivered")

    def _negotiate_api_version(self, call: _Call) -> EmulatedResponse | None:
        """esdk's dialect negotiation: an anonymous ``HEAD /?apiversion`` (or ``HEAD /bucket?apiversion``) answered
        with ``x-obs-api: 3.0``, which has esdk sign with the OBS signature (ObsClient._getApiVersion); a bucket
        that does not exist is a 404, as esdk expects of OBS."""
        request = call.request
        if request.method != "HEAD" or call.key is not None or "apiversion" not in call.params:
            return None
        if "authorization" in request.headers or "Signature" in call.params:
            return None  # a signed request is an ordinary HeadBucket/HEAD on the service
        if call.bucket is not None and call.bucket not in self._buckets:
            return EmulatedResponse(404)
        return EmulatedResponse(200, headers={"x-obs-api": "3.0"})

    def _check_date(self, call: _Call) -> None:
        value = call.header("date") or call.request.headers.get("date")
        if not value:
            _fail(403, "AccessDenied", "Requests need a Date or x-obs-date header")
        try:
            sent = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            _fail(403, "AccessDenied", "The Date header is not an RFC 1123 date")
        now = self._clock()
        if abs(now - sent) > MAX_SKEW_SECONDS:
            _fail(403, "RequestTimeTooSkewed",
                  "The difference between the request time and the server's time is too large.",
                  RequestTime=value, ServerTime=rfc1123_date(now))

    # --- routing ------------------------------------------------------------------------------------

    def _dispatch(self, call: _Call) -> EmulatedResponse:
        method = call.request.method
        if method not in _HTTP_METHODS:
            _fail(405, "MethodNotAllowed", f"The specified method {method} is not allowed against this resource.")
        unsupported = call.unsupported
        if unsupported:
            _not_implemented(f"?{unsupported[0]}")
        params = call.params
        version = params.get("versionId")
        if call.bucket is not None and "versionId" in params and version != "null":
            # No bucket here keeps versions: an object's only version is "null", as OBS names an unversioned one.
            _fail(404, "NoSuchVersion", "The specified version does not exist.", Key=call.key or "",
                  VersionId=version or "")
        # The service (GET /: ListBuckets) has no sub-resources: ListBuckets takes its query as parameters.
        operation = call.operation if call.bucket is not None else None
        found = self._router.find(method, call.route_path, operation)
        if found is None:
            if call.bucket is None:
                _not_implemented(f"{method} on the service")
            _not_implemented(f"{method} {'?' + operation if operation else 'without a sub-resource'} on "
                             f"{'a bucket' if call.key is None else 'an object'}")
        if method in ("PUT", "POST"):
            _refuse_unemulated_headers(call)
        handler, path = found
        return handler(call, path)

    def _bucket(self, call: _Call) -> _Bucket:
        assert call.bucket is not None  # routing sends only bucket-level and object-level calls here
        found = self._buckets.get(call.bucket)
        if found is None:
            _fail(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=call.bucket)
        return found

    def _object(self, bucket: _Bucket, key: str) -> _Object:
        found = bucket.objects.get(key)
        if found is None:
            _fail(404, "NoSuchKey", "The specified key does not exist.", Key=key)
        return found

    def _upload(self, call: _Call) -> _Upload:
        upload_id = call.params.get("uploadId") or ""
        found = self._bucket(call).uploads.get(upload_id)
        if found is None or found.key != call.key:
            _fail(404, "NoSuchUpload", "The specified upload does not exist.", UploadId=upload_id)
        return found

    # --- buckets ------------------------------------------------------------------------------------

    def _list_buckets(self, call: _Call) -> EmulatedResponse:
        """ListBuckets, paged by ``marker`` (a bucket name) and ``max-keys`` as esdk's listBuckets sends them, and
        filtered by the x-obs-bucket-type header (every emulated bucket is an OBJECT bucket, none POSIX)."""
        params = call.params
        marker = params.get("marker") or ""
        max_keys = _bounded_int(params.get("max-keys"), "max-keys", default=_MAX_KEYS, low=1, high=_MAX_KEYS)
        bucket_type = (call.request.headers.get("x-obs-bucket-type") or "").upper()
        if bucket_type not in ("", "OBJECT", "POSIX"):
            _fail(400, "InvalidArgument", "x-obs-bucket-type must be OBJECT or POSIX",
                  ArgumentName="x-obs-bucket-type", ArgumentValue=bucket_type)
        names = [] if bucket_type == "POSIX" else [name for name in sorted(self._buckets) if name > marker]
        shown, truncated = names[:max_keys], len(names) > max_keys
        root = _root("ListAllMyBucketsResult")
        owner = SubElement(root, "Owner")
        _add(owner, "ID", _OWNER_ID)
        if call.dialect == "aws":  # the S3-compatible API's owner has a display name too (esdk's v2 parser reads it)
            _add(owner, "DisplayName", _OWNER_ID)
        if "marker" in params or "max-keys" in params:
            _add(root, "Marker", marker)
            _add(root, "MaxKeys", str(max_keys))
            _add(root, "IsTruncated", "true" if truncated else "false")
            if truncated:
                _add(root, "NextMarker", shown[-1])
        buckets = SubElement(root, "Buckets")
        for name in shown:
            entry = SubElement(buckets, "Bucket")
            _add(entry, "Name", name)
            _add(entry, "CreationDate", iso_time(self._buckets[name].created, fraction_digits=3))
            _add(entry, "Location", self._buckets[name].location)
            _add(entry, "BucketType", "OBJECT")
        return _xml_response(root)

    def _create_bucket(self, call: _Call) -> EmulatedResponse:
        name = call.bucket or ""
        if not _BUCKET_NAME.fullmatch(name) or ".." in name:
            _fail(400, "InvalidBucketName", "The specified bucket is not valid.", BucketName=name)
        location = self._region
        if call.request.body.strip():
            root = _parse_body(call.request.body)
            location = (root.findtext("Location") or root.findtext("LocationConstraint") or location).strip()
        # The bucket's default storage class: x-obs-storage-class, or in the S3-compatible API x-default-storage-class.
        storage_class = call.storage_class("storage-class" if call.dialect == "obs" else "x-default-storage-class")
        acl = call.acl()
        if call.header("server-side-encryption") is not None or call.header("server-side-data-encryption"):
            _not_implemented("a bucket's default encryption (x-obs-server-side-encryption on CreateBucket)")
        existing = self._buckets.get(name)
        if existing is not None:
            # OBS: the owner re-creating a bucket in its region gets 200, the bucket keeping the properties of the
            # first creation; in another region, 409 (every bucket here is the one account's).
            if existing.location != location:
                _fail(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded.",
                      BucketName=name)
            return EmulatedResponse(200, headers={"Location": f"/{name}"})
        self._buckets[name] = _Bucket(location=location, created=self._clock(),
                                      storage_class=storage_class or "STANDARD", acl=acl or "private")
        return EmulatedResponse(200, headers={"Location": f"/{name}"})

    def _head_bucket(self, call: _Call) -> EmulatedResponse:
        bucket = self._bucket(call)
        header = "x-obs-bucket-location" if call.dialect == "obs" else "x-amz-bucket-region"
        headers = {header: bucket.location}
        if call.dialect == "obs":
            headers["x-obs-storage-class"] = bucket.storage_class
        return EmulatedResponse(200, headers=headers)

    def _delete_bucket(self, call: _Call) -> EmulatedResponse:
        bucket = self._bucket(call)
        if bucket.objects or bucket.uploads:
            _fail(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", BucketName=call.bucket or "")
        del self._buckets[call.bucket or ""]
        return EmulatedResponse(204)

    def _get_bucket_location(self, call: _Call) -> EmulatedResponse:
        # OBS's API answers <Location>region</Location> (obs_04_0024); its S3-compatible API, which the AWS
        # signature selects, <CreateBucketConfiguration><LocationConstraint>region</...></...> (s3api GET Bucket
        # location), the shapes esdk's parseGetBucketLocation reads in each dialect.
        location = self._bucket(call).location
        if call.dialect == "obs":
            root = _root("Location")
            root.text = location
        else:
            root = _root("CreateBucketConfiguration")
            _add(root, "LocationConstraint", location)
        return _xml_response(root)

    def _list_objects(self, call: _Call) -> EmulatedResponse:
        bucket = self._bucket(call)
        params = call.params
        prefix = params.get("prefix") or ""
        marker = params.get("marker") or ""
        delimiter = params.get("delimiter") or ""
        max_keys = _bounded_int(params.get("max-keys"), "max-keys", default=_MAX_KEYS, low=0, high=_MAX_KEYS)
        encoding = params.get("encoding-type")
        if encoding is not None and encoding.lower() != "url":
            _fail(400, "InvalidArgument", "Invalid Encoding Method specified in Request",
                  ArgumentName="encoding-type", ArgumentValue=encoding)

        def shown(name: str) -> str:
            # encoding-type=url: names URL-encoded (XML cannot carry every character a key may hold)
            return quote(name, safe="/") if encoding is not None else name

        contents: list[str] = []
        prefixes: list[str] = []
        truncated = False
        last_entry = ""
        for key in sorted(bucket.objects):
            if not key.startswith(prefix) or key <= marker:
                continue
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            common = key[: cut + len(delimiter)] if cut >= 0 else None
            if common is not None and (common <= marker or common in prefixes[-1:]):
                continue
            if len(contents) + len(prefixes) == max_keys:
                truncated = True
                break
            if common is None:
                contents.append(key)
            else:
                prefixes.append(common)
            last_entry = common or key

        root = _root("ListBucketResult")
        for tag, value in (("Name", call.bucket), ("Prefix", shown(prefix)), ("Marker", shown(marker)),
                           ("MaxKeys", max_keys)):
            _add(root, tag, str(value))
        if delimiter:
            _add(root, "Delimiter", shown(delimiter))
        if encoding is not None:
            _add(root, "EncodingType", "url")
        _add(root, "IsTruncated", "true" if truncated else "false")
        if truncated:  # OBS sends it with or without a delimiter: esdk's paging samples resume from next_marker
            _add(root, "NextMarker", shown(last_entry))
        for key in contents:
            stored = bucket.objects[key]
            entry = SubElement(root, "Contents")
            _add(entry, "Key", shown(key))
            _add(entry, "LastModified", iso_time(stored.modified, fraction_digits=3))
            _add(entry, "ETag", stored.etag)
            _add(entry, "Size", str(len(stored.data)))
            _add(SubElement(entry, "Owner"), "ID", "emulator-owner")
            _add(entry, "StorageClass", call.storage_class_name(stored.storage_class))
        for common in prefixes:
            _add(SubElement(root, "CommonPrefixes"), "Prefix", shown(common))
        return _xml_response(root)

    def _delete_objects(self, call: _Call) -> EmulatedResponse:
        bucket = self._bucket(call)
        if "content-md5" not in call.request.headers:
            _fail(400, "InvalidRequest", "Content-MD5 is required for a multi-object delete")
        _check_md5(call.request)
        request = _parse_body(call.request.body)
        quiet = (request.findtext("Quiet") or "").strip().lower() == "true"
        root = _root("DeleteResult")
        for key in (item.findtext("Key") or "" for item in request.iterfind("Object")):
            bucket.objects.pop(key, None)
            if not quiet:
                _add(SubElement(root, "Deleted"), "Key", key)
        return _xml_response(root)

    # --- objects ------------------------------------------------------------------------------------

    def _put_or_copy_object(self, call: _Call) -> EmulatedResponse:
        return self._copy_object(call) if call.header("copy-source") else self._put_object(call)

    def _put_object(self, call: _Call) -> EmulatedResponse:
        bucket = self._bucket(call)
        _check_md5(call.request)
        body = call.request.body
        stored = _Object(
            data=body, etag=_etag(body), modified=self._clock(), content_type=_content_type(call),
            metadata=call.metadata(), storage_class=call.storage_class() or bucket.storage_class,
            acl=call.acl() or "private", encryption=call.encryption(), redirect_location=call.redirect_location(),
            standard_headers=call.standard_headers(),
        )
        bucket.objects[call.key or ""] = stored
        return EmulatedResponse(200, headers={"ETag": stored.etag, **_encryption_headers(call, stored.encryption)})

    def _copy_source(self, call: _Call) -> _Object:
        """The object x-obs-/x-amz-copy-source names, once its x-...-copy-source-if-* conditions hold (else 412)."""
        source_bucket_name, _, source_key = unquote((call.header("copy-source") or "").partition("?")[0]).lstrip(
            "/"
        ).partition("/")
        source_bucket = self._buckets.get(source_bucket_name)
        if source_bucket is None:
            _fail(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=source_bucket_name)
        source = self._object(source_bucket, source_key)
        _check_customer_key(call, source.encryption, source="copy-source-")
        conditions = {
            name: value
            for name in ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since")
            if (value := call.header(f"copy-source-{name}")) is not None
        }
        if _check_conditions(conditions, source):  # a copy whose source is "not modified" is not made either
            _fail(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
        return source

    def _copy_object(self, call: _Call) -> EmulatedResponse:
        bucket = self._bucket(call)
        source = self._copy_source(call)
        replace = (call.header("metadata-directive") or "COPY").upper() == "REPLACE"
        copied = _Object(
            data=source.data, etag=source.etag, modified=self._clock(),
            content_type=_content_type(call) if replace else source.content_type,
            metadata=call.metadata() if replace else dict(source.metadata),
            storage_class=call.storage_class() or bucket.storage_class,
            # The copy is encrypted as the request asks (Copying Objects: the SSE headers apply to the copy).
            acl=call.acl() or "private", encryption=call.encryption(),
            redirect_location=call.redirect_location() or (None if replace else source.redirect_location),
            standard_headers=call.standard_headers() if replace else dict(source.standard_headers),
        )
        bucket.objects[call.key or ""] = copied
        root = _root("CopyObjectResult")
        _add(root, "LastModified", iso_time(copied.modified, fraction_digits=3))
        _add(root, "ETag", copied.etag)
        return _xml_response(root, headers=_encryption_headers(call, copied.encryption))

    def _get_object(self, call: _Call) -> EmulatedResponse:
        stored = self._object(self._bucket(call), call.key or "")
        _check_customer_key(call, stored.encryption)
        headers = {
            **_encryption_headers(call, stored.encryption),
            "Content-Type": stored.content_type,
            "ETag": stored.etag,
            "Last-Modified": rfc1123_date(stored.modified),
            "Accept-Ranges": "bytes",
            call.prefix + "storage-class": call.storage_class_name(stored.storage_class),
        }
        headers.update({f"{call.prefix}meta-{name}": value for name, value in stored.metadata.items()})
        headers.update(stored.standard_headers)
        if stored.redirect_location is not None:
            headers[call.prefix + "website-redirect-location"] = stored.redirect_location
        for name, value in call.query:  # GetObject's overrides of the response's headers
            header = _RESPONSE_OVERRIDES.get(name.lower())
            if header is not None and value is not None:
                headers[header] = value
        not_modified = _check_conditions(call.request.headers, stored)
        if not_modified:
            return EmulatedResponse(304, headers={name: headers[name] for name in ("ETag", "Last-Modified")})
        size = len(stored.data)
        status, first, last = 200, 0, size - 1
        requested = call.request.headers.get("range")
        if requested is not None:
            first, last = _byte_range(requested, size)
            status = 206
            headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        if call.request.method == "HEAD":
            # No body to measure: the router must send this length as is.
            headers["Content-Length"] = str(last - first + 1)
            return EmulatedResponse(status, headers=headers)
        return EmulatedResponse(status, body=stored.data[first : last + 1], headers=headers)

    def _delete_object(self, call: _Call) -> EmulatedResponse:
        self._bucket(call).objects.pop(call.key or "", None)
        return EmulatedResponse(204)

    # --- ACLs ----------------------------------------------------------------------------------------

    def _get_acl(self, call: _Call) -> EmulatedResponse:
        """GetBucketAcl / GetObjectAcl (support.huaweicloud.com/api-obs/obs_04_0031.html, obs_04_0090): the canned ACL
        as its grants, in the dialect's shape (OBS: ``<Canned>Everyone</Canned>`` grantees, a ``<Delivered>`` per bucket
        grant and one per object ACL, whether the bucket's ACL applies to its objects; S3-compatible: typed grantees
        with group URIs)."""
        bucket = self._bucket(call)
        acl = bucket.acl if call.key is None else self._object(bucket, call.key).acl
        root = _root("AccessControlPolicy")
        owner = SubElement(root, "Owner")
        _add(owner, "ID", _OWNER_ID)
        if call.dialect == "aws":
            _add(owner, "DisplayName", _OWNER_ID)
        elif call.key is not None:
            _add(root, "Delivered", "true" if bucket.acl.endswith("-delivered") else "false")
        grants = SubElement(root, "AccessControlList")
        for group, permission in (("", "FULL_CONTROL"),) + tuple(
            (group, permission) for group, permissions in _CANNED_GRANTS.get(acl, ()) for permission in permissions
        ):
            grant = SubElement(grants, "Grant")
            if call.dialect == "obs":
                grantee = SubElement(grant, "Grantee")
                _add(grantee, "Canned" if group else "ID", group or _OWNER_ID)
            else:
                kind = "Group" if group else "CanonicalUser"
                grantee = SubElement(grant, "Grantee", {"xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                                                        "xsi:type": kind})
                if group:
                    _add(grantee, "URI", _GROUP_URIS[group])
                else:
                    _add(grantee, "ID", _OWNER_ID)
                    _add(grantee, "DisplayName", _OWNER_ID)
            _add(grant, "Permission", permission)
            if call.dialect == "obs" and call.key is None:
                _add(grant, "Delivered", "true" if group and acl.endswith("-delivered") else "false")
        return _xml_response(root)

    def _set_acl(self, call: _Call) -> EmulatedResponse:
        """SetBucketAcl / SetObjectAcl with a canned ACL header; an ACL document (grants by account) is not
        emulated (501)."""
        bucket = self._bucket(call)
        acl = call.acl()
        if acl is None:
            if call.request.body.strip():
                _not_implemented("ACLs given as an AccessControlPolicy document (only canned x-obs-acl ones)")
            _fail(400, "MissingSecurityHeader", "Your request was missing a required header",
                  MissingHeaderName=call.prefix + "acl")
        if call.key is None:
            bucket.acl = acl
        else:
            self._object(bucket, call.key).acl = acl
        return EmulatedResponse(200)

    # --- multipart uploads --------------------------------------------------------------------------

    def _initiate_multipart_upload(self, call: _Call) -> EmulatedResponse:
        bucket = self._bucket(call)
        upload_id = uuid.uuid4().hex.upper()
        upload = _Upload(key=call.key or "", content_type=_content_type(call), metadata=call.metadata(),
                         storage_class=call.storage_class() or bucket.storage_class, acl=call.acl() or "private",
                         encryption=call.encryption(), redirect_location=call.redirect_location(),
                         standard_headers=call.standard_headers())
        bucket.uploads[upload_id] = upload
        root = _root("InitiateMultipartUploadResult")
        for tag, value in (("Bucket", call.bucket), ("Key", call.key), ("UploadId", upload_id)):
            _add(root, tag, value or "")
        return _xml_response(root, headers=_encryption_headers(call, upload.encryption))

    def _upload_part(self, call: _Call) -> EmulatedResponse:
        upload = self._upload(call)
        number = _bounded_int(call.params.get("partNumber"), "partNumber", default=0, low=1, high=_MAX_PART_NUMBER)
        # An SSE-C upload's parts come with its key (Uploading Parts, obs_04_0099), the copied ones too.
        _check_customer_key(call, upload.encryption, required_by="upload")
        if call.header("copy-source") is not None:
            return self._upload_part_copy(call, upload, number)
        _check_md5(call.request)
        body = call.request.body
        upload.parts[number] = _Part(data=body, etag=_etag(body), modified=self._clock())
        return EmulatedResponse(200, headers={"ETag": upload.parts[number].etag,
                                              **_encryption_headers(call, upload.encryption)})

    def _upload_part_copy(self, call: _Call, upload: _Upload, number: int) -> EmulatedResponse:
        """UploadPartCopy ("Copying Parts", obs_04_0100): the part is the source object or its copy-source-range."""
        source = self._copy_source(call)
        data = source.data
        requested = call.header("copy-source-range")
        if requested is not None:
            match = _COPY_RANGE.fullmatch(requested.strip())
            first, last = (int(match[1]), int(match[2])) if match else (1, 0)
            if first > last or last >= len(data):
                _fail(400, "InvalidArgument", "The x-obs-copy-source-range value must be of the form "
                      "bytes=first-last where first and last are the zero-based offsets of the first and last "
                      f"bytes to copy, within the source object of {len(data)} bytes",
                      ArgumentName=call.prefix + "copy-source-range", ArgumentValue=requested)
            data = data[first : last + 1]
        part = _Part(data=data, etag=_etag(data), modified=self._clock())
        upload.parts[number] = part
        root = _root("CopyPartResult")
        _add(root, "LastModified", iso_time(part.modified, fraction_digits=3))
        _add(root, "ETag", part.etag)
        return _xml_response(root, headers=_encryption_headers(call, upload.encryption))

    def _complete_multipart_upload(self, call: _Call) -> EmulatedResponse:
        upload = self._upload(call)
        listed = [
            ((item.findtext("PartNumber") or "").strip(), (item.findtext("ETag") or "").strip())
            for item in _parse_body(call.request.body).iterfind("Part")
        ]
        if not listed:
            _fail(400, "MalformedXML", "The XML you provided lists no part")
        numbers = [_bounded_int(n, "PartNumber", default=0, low=1, high=_MAX_PART_NUMBER) for n, _ in listed]
        if numbers != sorted(set(numbers)):
            _fail(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
        parts: list[_Part] = []
        for number, (_, etag) in zip(numbers, listed, strict=True):
            part = upload.parts.get(number)
            if part is None or part.etag.strip('"') != etag.strip('"'):
                _fail(400, "InvalidPart", "One or more of the specified parts could not be found.",
                      PartNumber=str(number))
            parts.append(part)
        for number, part in zip(numbers[:-1], parts[:-1], strict=True):
            if len(part.data) < self._min_part_size:
                _fail(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.",
                      PartNumber=str(number))
        digests = b"".join(bytes.fromhex(part.etag.strip('"')) for part in parts)
        etag = f'"{hashlib.md5(digests, usedforsecurity=False).hexdigest()}-{len(parts)}"'
        bucket = self._bucket(call)
        bucket.objects[upload.key] = _Object(
            data=b"".join(part.data for part in parts), etag=etag, modified=self._clock(),
            content_type=upload.content_type, metadata=upload.metadata, storage_class=upload.storage_class,
            acl=upload.acl, encryption=upload.encryption, redirect_location=upload.redirect_location,
            standard_headers=upload.standard_headers,
        )
        del bucket.uploads[call.params.get("uploadId") or ""]
        root = _root("CompleteMultipartUploadResult")
        for tag, value in (("Location", f"/{call.bucket}/{upload.key}"), ("Bucket", call.bucket or ""),
                           ("Key", upload.key), ("ETag", etag)):
            _add(root, tag, value)
        return _xml_response(root, headers=_encryption_headers(call, upload.encryption))

    def _abort_multipart_upload(self, call: _Call) -> EmulatedResponse:
        self._upload(call)
        del self._bucket(call).uploads[call.params.get("uploadId") or ""]
        return EmulatedResponse(204)

    def _list_parts(self, call: _Call) -> EmulatedResponse:
        upload = self._upload(call)
        params = call.params
        max_parts = _bounded_int(params.get("max-parts"), "max-parts", default=1000, low=1, high=1000)
        marker = _bounded_int(params.get("part-number-marker"), "part-number-marker", default=0, low=0,
                              high=_MAX_PART_NUMBER)
        numbers = sorted(n for n in upload.parts if n > marker)
        shown, truncated = numbers[:max_parts], len(numbers) > max_parts
        root = _root("ListPartsResult")
        for tag, value in (("Bucket", call.bucket or ""), ("Key", upload.key), ("UploadId", params.get("uploadId")),
                           ("PartNumberMarker", str(marker)), ("MaxParts", str(max_parts)),
                           ("IsTruncated", "true" if truncated else "false")):
            _add(root, tag, value or "")
        if shown:
            _add(root, "NextPartNumberMarker", str(shown[-1]))
        for number in shown:
            part = upload.parts[number]
            entry = SubElement(root, "Part")
            modified = iso_time(part.modified, fraction_digits=3)
            for tag, value in (("PartNumber", str(number)), ("LastModified", modified), ("ETag", part.etag),
                               ("Size", str(len(part.data)))):
                _add(entry, tag, value)
        return _xml_response(root)


# --- helpers ----------------------------------------------------------------------------------------


# Write headers of features the emulator lacks (grants to accounts, expiry, WORM, tags, callbacks, CRC64 and SHA-256
# checksums): refused with 501
# rather than dropped (PutObject, obs_04_0080; CreateBucket, obs_04_0021).
_UNEMULATED_HEADERS = ("grant-", "expires", "object-lock-", "tagging", "callback", "fs-file-interface",
                       "bucket-type", "az-redundancy", "cluster-type", "epid", "location-clustergroup-id",
                       "checksum-", "content-sha256")


def _refuse_unemulated_headers(call: _Call) -> None:
    for name, value in call.request.headers.items():
        if name == call.prefix + "bucket-type" and value.strip().upper() == "OBJECT":
            continue  # every emulated bucket is an object bucket
        if name.startswith(call.prefix) and name[len(call.prefix):].startswith(_UNEMULATED_HEADERS):
            _not_implemented(f"the {name} header")


def _grants_everyone(acl: str, permission: str) -> bool:
    return any(group == "Everyone" and permission in permissions for group, permissions in _CANNED_GRANTS.get(acl, ()))


def _encryption_headers(call: _Call, encryption: _Encryption | None) -> dict[str, str]:
    return {} if encryption is None else encryption.headers(call.prefix, call.dialect)


def _check_customer_key(
    call: _Call, encryption: _Encryption | None, *, source: str = "", required_by: str = "object"
) -> None:
    """An SSE-C object (or upload) is read only with its key: without it, 400 InvalidRequest; with another, 403
    AccessDenied (SSE-C, obs_04_0107: the headers apply to GetObject, HeadObject, UploadPart and, prefixed
    copy-source-, to the source of a copy). A key presented for what is not SSE-C encrypted is a 400. (The codes are
    S3's, which OBS's error code table shares; OBS documents no code for these cases.)"""
    presented = call.customer_key(source)
    if encryption is None or encryption.mode != "SSE-C":
        if presented is not None:
            _fail(400, "InvalidRequest", "The encryption parameters are not applicable to this object: it is not "
                  "encrypted with a customer provided key")
        return
    if presented is None:
        _fail(400, "InvalidRequest", f"The {required_by} was stored using a form of Server Side Encryption. The "
              "correct parameters must be provided to retrieve the object.")
    if presented != encryption.customer_key_md5:
        _fail(403, "AccessDenied", "The provided SSE-C key does not match the one the object was encrypted with")


def _route(
    method: str, pattern: str, handler: Callable[[_Call], EmulatedResponse], sub_resource: str | None = None
) -> Route[_Call]:
    """A route to a handler that reads the bucket and key from the call (they need no path parameters)."""
    return Route(method, pattern, lambda call, _: handler(call), sub_resource)



def _new_request_id() -> str:
    return uuid.uuid4().hex.upper()


def _root(tag: str) -> Element:
    return Element(tag, {"xmlns": _XMLNS})


def _add(parent: Element, tag: str, text: str) -> None:
    SubElement(parent, tag).text = text


def _xml_response(root: Element, status: int = 200, headers: Mapping[str, str] | None = None) -> EmulatedResponse:
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode()
    return EmulatedResponse(status, body=body, headers={"Content-Type": "application/xml", **(headers or {})})


def _error_response(error: _ObsError, request_id: str, *, with_body: bool) -> EmulatedResponse:
    if not with_body:  # a HEAD answer has no body: the status alone tells the error
        return EmulatedResponse(error.status, headers=dict(error.headers))
    root = Element("Error")
    _add(root, "Code", error.code)
    _add(root, "Message", error.message)
    for tag, value in error.details.items():
        _add(root, tag, value)
    _add(root, "RequestId", request_id)
    _add(root, "HostId", request_id + "-host")
    response = _xml_response(root, error.status)
    response.headers.update(error.headers)
    return response


def _parse_body(body: bytes) -> Element:
    try:
        return parse_xml(body)
    except ValueError:
        _fail(400, "MalformedXML", "The XML you provided was not well-formed or did not validate")


def _check_md5(request: EmulatedRequest) -> None:
    sent = request.headers.get("content-md5")
    if sent is None:
        return
    try:
        digest = base64.b64decode(sent, validate=True)
    except ValueError:
        _fail(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
    if digest != hashlib.md5(request.body, usedforsecurity=False).digest():
        _fail(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")


def _etag(data: bytes) -> str:
    return f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'


def _content_type(call: _Call) -> str:
    return call.request.headers.get("content-type") or "binary/octet-stream"


def _bounded_int(value: str | None, name: str, *, default: int, low: int, high: int) -> int:
    try:
        number = default if value is None else int(value)
    except ValueError:
        _fail(400, "InvalidArgument", f"{name} must be an integer", ArgumentName=name)
    # The default too: a required number (partNumber) has one out of range.
    if not low <= number <= high:
        _fail(400, "InvalidArgument", f"{name} must be between {low} and {high}", ArgumentName=name)
    return number


def _byte_range(header: str, size: int) -> tuple[int, int]:
    """(first, last) inclusive for ``bytes=a-b``, ``bytes=a-`` or ``bytes=-n``; 416 if unsatisfiable."""
    match = _RANGE.fullmatch(header.strip())
    first_text, last_text = match.groups() if match else ("", "")
    if first_text:
        first = _position(first_text)
        last = min(_position(last_text), size - 1) if last_text else size - 1
    elif last_text:  # the last n bytes
        first, last = max(0, size - _position(last_text)), size - 1
    else:
        first, last = size, -1
    if first > last or first >= size:
        error = _ObsError(416, "InvalidRange", "The requested range cannot be satisfied.")
        error.headers["Content-Range"] = f"bytes */{size}"
        raise error
    return first, last


def _position(digits: str) -> int:
    # Any position of 20 digits is past the end of every object; int() refuses thousands of digits outright.
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) < 20 else 10**20


def _etags(header: str) -> list[str]:
    """The entity tags of an If-Match/If-None-Match list, bare: esdk %-encodes header values (%22 for '"')."""
    tags = []
    for item in unquote(header).split(","):
        tag = item.strip()
        tag = tag[2:] if tag.startswith("W/") else tag
        tags.append(tag.strip('"'))
    return tags


def _http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(unquote(value)).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None  # an invalid date is ignored, as HTTP (RFC 9110 13.1.3) has it


def _check_conditions(headers: Mapping[str, str], stored: _Object) -> bool:
    """GetObject's preconditions, in HTTP's order (RFC 9110 13.2.2): a failed If-Match (else If-Unmodified-Since)
    is a 412; a matched If-None-Match (else a false If-Modified-Since) is a 304, which this returns True for."""
    etag = stored.etag.strip('"')
    modified = int(stored.modified)  # HTTP dates have whole seconds
    if_match = headers.get("if-match")
    if if_match is not None:
        tags = _etags(if_match)
        if "*" not in tags and etag not in tags:
            _fail(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                  Condition="If-Match")
    elif (since := _http_date(headers.get("if-unmodified-since") or "")) is not None and modified > since:
        _fail(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
              Condition="If-Unmodified-Since")
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = _etags(if_none_match)
        return "*" in tags or etag in tags
    since = _http_date(headers.get("if-modified-since") or "")
    return since is not None and modified <= since

