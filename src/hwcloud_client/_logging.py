"""Logging on the ``hwcloud_client`` logger, redacted: secrets never reach a record.

INFO: one line per call. DEBUG: request headers through an allowlist; the AK appears only as a
prefix, and signatures and tokens never.
"""

from __future__ import annotations

import logging
import re

from ._http import httpx

__all__ = ["log_call", "log_request_headers", "log_retry", "redact_header"]

_SHOWN_HEADERS = frozenset(
    {
        "host", "content-type", "content-length", "content-md5", "user-agent", "accept", "range",
        "x-sdk-date", "x-project-id", "x-domain-id", "x-stage", "x-client-token", "x-sdk-content-sha256",
        "x-sdk-content-sm3", "date", "x-obs-date",
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
    request_id = response.headers.get("x-request-id") or response.headers.get("x-obs-request-id") or "-"
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
