"""OBS V2 signatures (``Authorization: OBS|AWS <AK>:<sig>`` and pre-signed URLs), as esdk-obs-python 3.26.6.

Pure functions, no I/O. They sign the bytes that go on the wire, so a caller must build the request path
with :func:`wire_path` and the query with :func:`query_string`, and send header values exactly as signed.

Two dialects share one algorithm: ``"obs"`` (scheme ``OBS``, ``x-obs-*`` headers) and ``"aws"`` (scheme
``AWS``, ``x-amz-*`` headers), the S3-compatible form esdk-obs-python sends in path style and to IP endpoints.
"""

from __future__ import annotations

import base64
import hmac
import time
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Literal, NamedTuple
from urllib.parse import quote, urlsplit

from hwcloud_client.config import Credentials

__all__ = [
    "OBS_SUB_RESOURCES",
    "Dialect",
    "ParsedAuthorization",
    "authorization",
    "canonical_resource",
    "encode_key",
    "parse_authorization",
    "presign_query",
    "query_string",
    "rfc1123_date",
    "sign_string",
    "signed_url",
    "string_to_sign",
    "wire_path",
]

Dialect = Literal["obs", "aws"]

# Verbatim from esdk-obs-python 3.26.6 obs/const.py ALLOWED_RESOURCE_PARAMTER_NAMES; matched on the lower-cased name.
OBS_SUB_RESOURCES: frozenset[str] = frozenset(
    {
        "acl", "backtosource", "policy", "torrent", "logging", "location", "storageinfo", "quota",
        "storageclass", "storagepolicy", "requestpayment", "versions", "versioning", "versionid", "uploads",
        "uploadid", "partnumber", "website", "notification", "dispolicy", "lifecycle", "deletebucket",
        "delete", "cors", "restore", "tagging", "replication", "metadata", "encryption", "publicaccessblock",
        "bucketstatus", "policystatus", "x-obs-accesslabel", "inventory", "obscompresspolicy", "object-lock",
        "retention", "directcoldaccess",
        "append", "position", "truncate", "modify", "rename", "length", "name", "fileinterface",
        "response-content-type", "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding",
        "x-image-save-bucket", "x-image-save-object", "x-image-process", "x-oss-process",
        "x-workflow-prefix", "x-workflow-start", "x-workflow-limit", "x-workflow-template-name",
        "x-workflow-graph-name", "x-workflow-execution-state", "x-workflow-execution-type",
        "x-workflow-next-marker", "obsworkflowtriggerpolicy",
        "obsbucketalias", "obsalias",
    }
)  # fmt: skip

_HEADER_PREFIX: Mapping[Dialect, str] = {"obs": "x-obs-", "aws": "x-amz-"}
_AUTH_SCHEME: Mapping[Dialect, str] = {"obs": "OBS", "aws": "AWS"}
_DIALECT_OF_SCHEME: Mapping[str, Dialect] = {"OBS": "obs", "AWS": "aws"}
_ACCESS_KEY_PARAM: Mapping[Dialect, str] = {"obs": "AccessKeyId", "aws": "AWSAccessKeyId"}

# Fixed English names: strftime's %a/%b follow the process locale, HTTP dates must not.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_by_name = itemgetter(0)


class ParsedAuthorization(NamedTuple):
    """The parts of an ``OBS``/``AWS`` V2 ``Authorization`` header, for a server that verifies it."""

    dialect: Dialect
    access_key_id: str
    signature: str

    def __repr__(self) -> str:
        return f"ParsedAuthorization(dialect={self.dialect!r}, access_key_id={self.access_key_id!r}, signature='***')"


def encode_key(key: str) -> str:
    """Percent-encode an object key for both the wire path and the signed resource (``/`` and ``~`` stay raw)."""
    return quote(key, safe="/~")


def wire_path(*, bucket: str | None, key: str | None, path_style: bool) -> str:
    """The request path as esdk-obs-python sends it: ``/<key>`` on a bucket host, ``/<bucket>/<key>`` in path style."""
    encoded_key = encode_key(key) if key else ""
    if path_style and bucket:
        return f"/{bucket}/{encoded_key}" if key else f"/{bucket}"
    return f"/{encoded_key}"


def query_string(query: Sequence[tuple[str, str | None]]) -> str:
    """The wire query without ``?``: value-less names first (bare, never ``name=``), then ``name=value`` pairs
    in order. Names and values use ``quote(x, safe='/')``, so a space is ``%20`` and ``+`` is ``%2B``."""
    bare = [quote(name, safe="/") for name, value in query if value is None]
    pairs = [f"{quote(name, safe='/')}={quote(value, safe='/')}" for name, value in query if value is not None]
    return "&".join(bare + pairs)


def canonical_resource(
    *,
    bucket: str | None,
    key: str | None,
    query: Sequence[tuple[str, str | None]],
    path_style: bool,
    dialect: Dialect = "obs",
) -> str:
    """CanonicalizedResource: ``/bucket/key``, plus the signed sub-resources sorted by name with raw values.

    A bucket-level request is ``/bucket/`` on a bucket host but ``/bucket`` in path style; no bucket gives ``/``.
    Query items whose lower-cased name is in :data:`OBS_SUB_RESOURCES` or starts with the dialect's header
    prefix are signed, written with the name as sent. Repeated names are all kept (esdk, using a dict, cannot
    send them).
    """
    if key:
        resource = f"/{bucket}/{encode_key(key)}" if bucket else f"/{encode_key(key)}"
    elif bucket:
        resource = f"/{bucket}" if path_style else f"/{bucket}/"
    else:
        resource = "/"

    prefix = _HEADER_PREFIX[dialect]
    signed = [(name, value) for name, value in query if _is_sub_resource(name.lower(), prefix)]
    if not signed:
        return resource
    # Sorted by the raw name, quoted afterwards: quoting first would reorder e.g. ':' (%3A) against digits.
    signed.sort(key=_by_name)
    items = [quote(name, safe="/") if value is None else f"{quote(name, safe='/')}={value}" for name, value in signed]
    return f"{resource}?{'&'.join(items)}"


def _is_sub_resource(lower_name: str, header_prefix: str) -> bool:
    return lower_name in OBS_SUB_RESOURCES or lower_name.startswith(header_prefix)


def string_to_sign(
    *,
    method: str,
    headers: Mapping[str, str],
    canonical_resource: str,
    expires: int | None = None,
    dialect: Dialect = "obs",
) -> str:
    """``VERB\\nContent-MD5\\nContent-Type\\nDate\\n`` + sorted ``x-obs-*:value\\n`` lines + resource.

    ``headers`` may use any case. Every value is trimmed: esdk trims only ``x-obs-meta-*`` values, but
    servers trim all header values before verifying, so trimming everything signs what the server sees.
    Names that differ only in case are joined with ``,``, the documented server rule for repeated headers.
    The Date line is empty when ``x-obs-date`` is present, and is ``expires`` for query authentication.
    """
    prefix = _HEADER_PREFIX[dialect]
    content_md5 = content_type = date = ""
    prefixed: dict[str, str] = {}
    for name, raw_value in headers.items():
        lower_name = name.lower()
        value = raw_value.strip()
        if lower_name.startswith(prefix):
            previous = prefixed.get(lower_name)
            prefixed[lower_name] = value if previous is None else f"{previous},{value}"
        elif lower_name == "content-md5":
            content_md5 = value
        elif lower_name == "content-type":
            content_type = value
        elif lower_name == "date":
            date = value
    if expires is not None:
        date = str(expires)
    elif prefix + "date" in prefixed:
        date = ""
    # Every prefixed name ("x-...") sorts after content-md5, content-type and date, so the fixed lines come first.
    lines = [method.upper(), content_md5, content_type, date]
    lines.extend(f"{name}:{prefixed[name]}" for name in sorted(prefixed))
    lines.append(canonical_resource)
    return "\n".join(lines)


def sign_string(sk: str, string_to_sign: str) -> str:
    """Base64 of HMAC-SHA1 keyed with the SK, both UTF-8."""
    digest = hmac.digest(sk.encode(), string_to_sign.encode(), "sha1")
    return base64.b64encode(digest).decode("ascii")


def authorization(
    credentials: Credentials,
    *,
    method: str,
    bucket: str | None,
    key: str | None,
    query: Sequence[tuple[str, str | None]],
    headers: Mapping[str, str],
    path_style: bool,
    dialect: Dialect = "obs",
) -> str:
    """The ``Authorization`` header value, ``OBS <AK>:<signature>`` (``AWS …`` for the ``aws`` dialect).

    ``headers`` are the headers as they will be sent (``Date`` or ``x-obs-date`` included). With temporary
    credentials they must carry ``x-obs-security-token`` (``x-amz-…``): it is signed like any prefixed header,
    and a signature over a missing or different token would only fail later, at the server.
    """
    if credentials.security_token is not None:
        _require_token_header(headers, credentials.security_token.get_secret_value(), dialect)
    resource = canonical_resource(bucket=bucket, key=key, query=query, path_style=path_style, dialect=dialect)
    to_sign = string_to_sign(method=method, headers=headers, canonical_resource=resource, dialect=dialect)
    signature = sign_string(credentials.sk.get_secret_value(), to_sign)
    return f"{_AUTH_SCHEME[dialect]} {credentials.ak}:{signature}"


def _require_token_header(headers: Mapping[str, str], token: str, dialect: Dialect) -> None:
    token_header = _HEADER_PREFIX[dialect] + "security-token"
    for name, value in headers.items():
        if name.lower() == token_header and value.strip() == token:
            return
    raise ValueError(f"temporary credentials: headers must carry {token_header} with the credentials' token")


def presign_query(
    credentials: Credentials,
    *,
    method: str,
    bucket: str | None,
    key: str | None,
    expires_at: int,
    query: Sequence[tuple[str, str | None]] = (),
    headers: Mapping[str, str] | None = None,
    path_style: bool,
    dialect: Dialect = "obs",
) -> list[tuple[str, str]]:
    """The query parameters that authenticate a pre-signed URL, in esdk's order: ``x-obs-security-token``
    (temporary credentials only), ``Expires``, ``AccessKeyId`` (``AWSAccessKeyId``), ``Signature``.

    ``expires_at`` is absolute, in seconds since the epoch. ``query`` holds the request's own parameters; the
    token parameter also enters the signed resource, with its raw value, because its name has the header
    prefix. ``headers`` are the headers the URL's user must send (e.g. ``Content-Type`` for a PUT).
    """
    auth_params: list[tuple[str, str]] = []
    signed_query = query
    if credentials.security_token is not None:
        token_param = _HEADER_PREFIX[dialect] + "security-token"
        # As esdk: a token the caller already put in the query wins.
        if all(name != token_param for name, _ in query):
            auth_params.append((token_param, credentials.security_token.get_secret_value()))
            signed_query = [*query, *auth_params]
    resource = canonical_resource(bucket=bucket, key=key, query=signed_query, path_style=path_style, dialect=dialect)
    to_sign = string_to_sign(
        method=method,
        headers={} if headers is None else headers,
        canonical_resource=resource,
        expires=expires_at,
        dialect=dialect,
    )
    auth_params.append(("Expires", str(expires_at)))
    auth_params.append((_ACCESS_KEY_PARAM[dialect], credentials.ak))
    auth_params.append(("Signature", sign_string(credentials.sk.get_secret_value(), to_sign)))
    return auth_params


def signed_url(
    credentials: Credentials,
    *,
    base_url: str,
    method: str,
    bucket: str | None,
    key: str | None,
    expires_at: int,
    query: Sequence[tuple[str, str | None]] = (),
    headers: Mapping[str, str] | None = None,
    path_style: bool,
    dialect: Dialect = "obs",
) -> str:
    """A pre-signed URL, byte-identical to esdk-obs-python's ``createSignedUrl``.

    ``base_url`` is the service endpoint, ``scheme://host[:port]``; on a bucket host the bucket is prepended
    to the host name. The URL carries a signature: treat it as a secret and never log it.
    """
    parts = urlsplit(base_url)
    if not parts.scheme or not parts.netloc or parts.path.strip("/") or parts.query or parts.fragment:
        raise ValueError("base_url must be scheme://host[:port] with no path, query or fragment")
    host = f"{bucket}.{parts.netloc}" if bucket and not path_style else parts.netloc
    auth_params = presign_query(
        credentials,
        method=method,
        bucket=bucket,
        key=key,
        expires_at=expires_at,
        query=query,
        headers=headers,
        path_style=path_style,
        dialect=dialect,
    )
    path = wire_path(bucket=bucket, key=key, path_style=path_style)
    return f"{parts.scheme}://{host}{path}?{query_string([*query, *auth_params])}"


def parse_authorization(value: str) -> ParsedAuthorization | None:
    """Split ``OBS <AK>:<signature>`` or ``AWS <AK>:<signature>``; ``None`` for anything else (e.g. V4)."""
    scheme, _, credential = value.partition(" ")
    dialect = _DIALECT_OF_SCHEME.get(scheme)
    access_key_id, colon, signature = credential.partition(":")
    if dialect is None or not colon or not access_key_id or not signature:
        return None
    return ParsedAuthorization(dialect, access_key_id, signature)


def rfc1123_date(ts: float) -> str:
    """``Tue, 10 Mar 2026 08:00:00 GMT`` for a Unix timestamp (fraction truncated, as esdk's ``strftime``)."""
    utc = time.gmtime(ts)
    return (
        f"{_WEEKDAYS[utc.tm_wday]}, {utc.tm_mday:02d} {_MONTHS[utc.tm_mon - 1]} {utc.tm_year:04d} "
        f"{utc.tm_hour:02d}:{utc.tm_min:02d}:{utc.tm_sec:02d} GMT"
    )
