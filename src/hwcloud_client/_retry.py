"""Retry decisions: whether a failed attempt is tried again, and after how long.

Nothing here sends anything. :class:`CallRetries` follows one call; :class:`RetryBudget` is shared by
every call of a client, so that a storm of 503s cannot multiply the load on a struggling service
(botocore's retry quota is the model: a retry costs tokens, a success earns some back).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping

from ._http import http_date_timestamp, httpx
from .config import RetryPolicy
from .errors import APIError, RateLimitError

__all__ = [
    "IDEMPOTENCY_HEADER",
    "IDEMPOTENT_METHODS",
    "CallRetries",
    "RetryBudget",
    "backoff_delay",
    "deadline_from",
    "is_idempotent",
    "is_retryable_error",
    "is_retryable_exception",
    "retry_after_seconds",
    "transfer_allowance",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
IDEMPOTENCY_HEADER = "x-client-token"

# A body in flight must keep moving: a call's deadline grows by 1 s per 64 KiB it sends or streams, so only a
# stalled or trickling transfer runs out of time (a 1 GiB object gets about 4.5 hours at that floor).
MIN_TRANSFER_RATE = 64 * 1024

_ALWAYS_RETRIED_STATUS = frozenset({429, 503})
_IDEMPOTENT_RETRIED_STATUS = frozenset({500, 502, 504})


def is_idempotent(method: str, headers: Mapping[str, str]) -> bool:
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


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds (delta or HTTP date, never negative), or None."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        when = http_date_timestamp(value)
        if when is None:
            return None
        seconds = when - (time.time() if now is None else now)
    # NaN compares false with everything: max() would keep it.
    return seconds if seconds > 0 else 0.0


def transfer_allowance(size: int | None) -> float:
    """Seconds a call's deadline grows by for a body of ``size`` bytes."""
    return size / MIN_TRANSFER_RATE if size and size > 0 else 0.0


def deadline_from(start: float, policy: RetryPolicy, body_size: int | None) -> float | None:
    """When a call (or a streamed body) that starts at ``start`` (monotonic) runs out of time; None for never."""
    return start + policy.deadline + transfer_allowance(body_size) if policy.deadline else None


def backoff_delay(attempt: int, policy: RetryPolicy, *, retry_after: float | None = None) -> float:
    """Full jitter: uniform(0, min(cap, base * 2**(attempt-1))); a server's Retry-After (capped) wins if longer."""
    delay = random.uniform(0.0, min(policy.backoff_cap, policy.backoff_base * (2 ** (attempt - 1))))
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.retry_after_cap))
    return delay


class RetryBudget:
    """Tokens shared by a client's calls: each retry spends some, each success earns some back.

    With the defaults (botocore's standard mode) a client that only meets failures stops retrying after
    100 retries (50 after timeouts) until successes refill it. Thread-safe: the blocking facade's callers
    and the portal thread may share a client.
    """

    def __init__(
        self, capacity: int = 500, *, retry_cost: int = 5, timeout_cost: int = 10, success_refund: int = 1
    ) -> None:
        if capacity < 0 or retry_cost < 1 or timeout_cost < 1 or success_refund < 0:
            raise ValueError("a retry budget needs capacity >= 0, costs >= 1 and a refund >= 0")
        self.capacity = capacity
        self.retry_cost = retry_cost
        self.timeout_cost = timeout_cost
        self.success_refund = success_refund
        self._available = capacity
        self._lock = threading.Lock()

    @property
    def available(self) -> int:
        return self._available

    def withdraw(self, *, after_timeout: bool) -> int:
        """Tokens taken for one retry, or 0 when the budget cannot pay for it (then do not retry)."""
        cost = self.timeout_cost if after_timeout else self.retry_cost
        with self._lock:
            if self._available < cost:
                return 0
            self._available -= cost
            return cost

    def deposit(self, tokens: int) -> None:
        with self._lock:
            self._available = min(self.capacity, self._available + tokens)


class CallRetries:
    """The retry decisions of one call: attempts, backoff, the call's deadline and the client's budget."""

    def __init__(self, policy: RetryPolicy, budget: RetryBudget, *, body_size: int | None = None) -> None:
        self.policy = policy
        self.budget = budget
        self.attempt = 1
        self.started = time.monotonic()
        self.deadline = deadline_from(self.started, policy, body_size)
        self._spent = 0

    def remaining(self) -> float | None:
        """Seconds left before the call's deadline, or None without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def after_exception(self, error: Exception, *, idempotent: bool, replayable: bool) -> float | None:
        """The delay before the next attempt after a transport error, or None to give up."""
        if not replayable or not is_retryable_exception(error, idempotent=idempotent):
            return None
        delay = backoff_delay(self.attempt, self.policy)
        return self._next(delay, after_timeout=isinstance(error, httpx.TimeoutException))

    def after_error(self, error: APIError, *, idempotent: bool, replayable: bool) -> float | None:
        """The delay before the next attempt after an error answer, or None to give up."""
        if not replayable or not is_retryable_error(error, idempotent=idempotent):
            return None
        retry_after = retry_after_seconds(error.headers)
        return self._next(backoff_delay(self.attempt, self.policy, retry_after=retry_after), after_timeout=False)

    def succeeded(self) -> None:
        """Give the budget back what this call's retries took, or the refund of a call that needed none."""
        self.budget.deposit(self._spent if self._spent else self.budget.success_refund)

    def _next(self, delay: float, *, after_timeout: bool) -> float | None:
        if self.attempt >= self.policy.max_attempts:
            return None
        if self.deadline is not None and time.monotonic() + delay >= self.deadline:
            return None
        cost = self.budget.withdraw(after_timeout=after_timeout)
        if not cost:
            return None
        self._spent += cost
        self.attempt += 1
        return delay
