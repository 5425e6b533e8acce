"""Logging on the ``hwcloud_client`` logger, redacted: secrets never reach a record.

INFO: one line per call. DEBUG: request headers through an allowlist; the AK appears only as a
prefix, and signatures and tokens never.

The HTTP stack logs too, and not redacted: httpx's INFO line prints each URL with its query (a pre-signed
URL's signature and security token), httpcore's DEBUG traces print response headers (an IAM token in
``X-Subject-Token``) and a SOCKS proxy's user and password. Importing this module installs a filter on
their loggers that redacts those records through the same allowlist, whichever client made the request.
"""

from __future__ import annotations

import logging
import re

from ._http import httpx, request_id_in

__all__ = ["HTTP_LOGGERS", "log_call", "log_request_headers", "log_retry", "redact_header", "redact_log_text"]

_SHOWN_HEADERS = frozenset(
    {
        "host", "content-type", "content-length", "content-md5", "user-agent", "accept", "range",
        "x-sdk-date", "x-project-id", "x-domain-id", "x-stage", "x-client-token", "x-sdk-content-sha256",
        "x-sdk-content-sm3", "date", "x-obs-date",
        # response headers, in httpcore's traces
        "x-request-id", "x-obs-request-id", "x-amz-request-id", "x-iam-trace-id", "x-openstack-request-id",
        "etag", "last-modified", "content-range", "content-encoding", "transfer-encoding", "connection",
        "server", "retry-after", ":status",
    }
)
_AUTH_ACCESS = re.compile(r"(?:Access=|Credential=|^(?:OBS|AWS) )([^,:/\s]+)")
# Only a word shaped like an auth scheme and followed by a space is shown: a bare token has no scheme.
_AUTH_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9-]{0,31}) ")


def _ak_prefix(ak: str) -> str:
    return ak[:4] + "…"


def redact_header(name: str, value: str) -> str:
    lower = name.lower()
    if lower == "authorization":
        scheme = _AUTH_SCHEME.match(value)
        if scheme is None:
            return "<redacted>"
        access = _AUTH_ACCESS.search(value)
        ak = f" AK={_ak_prefix(access.group(1))}" if access else ""
        return f"{scheme.group(1)}{ak} <redacted>"
    if lower in _SHOWN_HEADERS or lower.startswith("x-obs-meta-"):
        return value
    return "<redacted>"


def log_request_headers(logger: logging.Logger, request: httpx.Request) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    headers = ", ".join(f"{name}: {redact_header(name, value)}" for name, value in request.headers.items())
    logger.debug("request %s %s%s headers: %s", request.method, request.url.host, request.url.path, headers)


def log_call(
    logger: logging.Logger, request: httpx.Request, response: httpx.Response, attempt: int, elapsed_ms: float
) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    request_id = request_id_in(response.headers) or "-"
    # The same facts as record attributes, for structured log handlers.
    fields = {
        "hwc_method": request.method, "hwc_host": request.url.host, "hwc_path": request.url.path,
        "hwc_status": response.status_code, "hwc_request_id": request_id, "hwc_attempt": attempt,
        "hwc_elapsed_ms": round(elapsed_ms, 1),
    }
    logger.info(
        "%s %s%s -> %d request_id=%s attempt=%d elapsed_ms=%.1f",
        request.method, request.url.host, request.url.path, response.status_code, request_id, attempt, elapsed_ms,
        extra=fields,
    )


def log_retry(
    logger: logging.Logger, request: httpx.Request, attempt: int, max_attempts: int, reason: str, delay: float
) -> None:
    logger.info(
        "retrying %s %s%s after %s in %.2fs (attempt %d of %d)",
        request.method, request.url.host, request.url.path, reason, delay, attempt + 1, max_attempts,
    )


# --- the HTTP stack's own records ----------------------------------------------------------------------------

# A logger's filters see only the records made on that very logger, not its children's: each is named.
# (tests/test_hardening_logging.py checks this list against the loggers the installed httpx and httpcore use.)
HTTP_LOGGERS = (
    "httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy", "httpcore.socks",
)
# A bytes literal as repr() writes it: in single quotes, or in double quotes when the value holds a "'".
_BYTES = r"b'(?:[^'\\]|\\.)*'" "|" r'b"(?:[^"\\]|\\.)*"'
# httpcore prints headers as (b'name', b'value') pairs, and a SOCKS proxy's credentials as auth=(b'user', b'pw').
_SOCKS_AUTH = re.compile(rf"auth=\((?:{_BYTES}), (?:{_BYTES})\)")
_HEADER_PAIR = re.compile(rf"\((?P<name>{_BYTES}), (?P<value>{_BYTES})\)")
# Query parameters that sign or authorize a URL: OBS/AWS V2 and V4 pre-signed URLs, security tokens.
_SECRET_QUERY = re.compile(
    r"(?i)(?P<name>[?&](?:signature|x-amz-signature|x-amz-credential|accesskeyid|awsaccesskeyid"
    r"|x-(?:obs|amz)-security-token|security-?token)=)[^&#\s\"']*"
)
_URL_USERINFO = re.compile(r"(\w+://)[^/@\s'\"]+@")


def _redact_pair(match: re.Match[str]) -> str:
    name, value = match["name"], match["value"]
    shown = redact_header(name[2:-1], value[2:-1])
    return match[0] if shown == value[2:-1] else f"({name}, b'{shown}')"


def redact_log_text(text: str) -> str:
    """``text`` with header values outside the allowlist, signing query parameters and URL passwords redacted."""
    text = _SOCKS_AUTH.sub("auth=<redacted>", text)
    text = _HEADER_PAIR.sub(_redact_pair, text)
    text = _SECRET_QUERY.sub(r"\g<name><redacted>", text)
    return _URL_USERINFO.sub(r"\1***@", text)


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message through :func:`redact_log_text`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_log_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_REDACTING_FILTER = _RedactingFilter()
for _name in HTTP_LOGGERS:
    logging.getLogger(_name).addFilter(_REDACTING_FILTER)
