"""Which failures are retried, how long to wait, and how a skewed clock is recognised."""

from __future__ import annotations

import random
import re
import time

from ._http import httpx
from .config import RetryPolicy
from .errors import APIError, RateLimitError

__all__ = ["IDEMPOTENT_METHODS", "backoff_delay", "is_retryable_error", "is_retryable_exception", "skew_from"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
IDEMPOTENCY_HEADER = "x-client-token"

_SIGNATURE_TIME_CODES = frozenset({"APIGW.0301", "APIGW.0303", "APIGW.0101", "RequestTimeTooSkewed"})
_SIGNATURE_TIME_WORDS = re.compile(r"expire|time|date|skew", re.IGNORECASE)
_ALWAYS_RETRIED_STATUS = frozenset({429, 503})
_IDEMPOTENT_RETRIED_STATUS = frozenset({500, 502, 504})


def is_idempotent(method: str, headers: httpx.Headers) -> bool:
    return method.upper() in IDEMPOTENT_METHODS or IDEMPOTENCY_HEADER in headers


def is_retryable_exception(error: Exception, *, idempotent: bool) -> bool:
    # Raised before a single byte reached the server: always safe to retry.
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    # The server may have processed the request: retry only what is idempotent.
    return idempotent and isinstance(
        error, httpx.ReadTimeout | httpx.WriteTimeout | httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError
    )


def is_retryable_error(error: APIError, *, idempotent: bool) -> bool:
    if isinstance(error, RateLimitError) or error.status_code in _ALWAYS_RETRIED_STATUS:
        return True
    return idempotent and error.status_code in _IDEMPOTENT_RETRIED_STATUS


def retry_after_seconds(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds (delta or HTTP date), or None."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    when = _http_date_timestamp(value)
    if when is None:
        return None
    return max(0.0, when - (time.time() if now is None else now))


def backoff_delay(attempt: int, policy: RetryPolicy, *, retry_after: float | None = None) -> float:
    """Full jitter: uniform(0, min(cap, base * 2**(attempt-1))); a server's Retry-After (capped) wins if longer."""
    delay = random.uniform(0.0, min(policy.backoff_cap, policy.backoff_base * (2 ** (attempt - 1))))
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.retry_after_cap))
    return delay


def skew_from(error: APIError, *, local_now: float) -> float | None:
    """Seconds to add to the local clock when the gateway rejected the signature for its time, else None."""
    if error.status_code not in (400, 401, 403) or error.error_code not in _SIGNATURE_TIME_CODES:
        return None
    if not _SIGNATURE_TIME_WORDS.search(error.error_msg or ""):
        return None
    server_date = error.headers.get("date")
    if not server_date:
        return None
    server_now = _http_date_timestamp(server_date)
    return None if server_now is None else server_now - local_now


def _http_date_timestamp(value: str) -> float | None:
    # Imported here: email.utils brings the email package and socket, and only error paths need it.
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
