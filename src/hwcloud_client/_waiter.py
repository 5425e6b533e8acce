"""A generic waiter: poll until the state is final, with interval, timeout and cancellation."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

from .errors import ConfigurationError, WaiterTimeoutError

__all__ = ["wait_until"]

StateT = TypeVar("StateT")


async def wait_until(
    poll: Callable[[], Awaitable[StateT]],
    *,
    success: Callable[[StateT], bool],
    failure: Callable[[StateT], Exception | None] = lambda state: None,
    timeout: float,
    interval: float = 5.0,
    max_interval: float | None = None,
    description: str = "the resource",
    clock: Callable[[], float] = time.monotonic,
) -> StateT:
    """Poll ``poll()`` every ``interval`` seconds (growing ×1.5 up to ``max_interval``) until ``success``.

    ``failure(state)`` returns the exception to raise for a failed final state, or None to keep
    waiting. Raises :class:`WaiterTimeoutError` carrying the last state after ``timeout`` seconds.
    Cancelling the caller's scope cancels the wait at once.
    """
    for name, value in (("timeout", timeout), ("interval", interval), ("max_interval", max_interval)):
        if value is not None and not value > 0:
            raise ConfigurationError(f"{name} must be a positive number of seconds, not {value!r}")
    deadline = clock() + timeout
    delay = interval
    state: StateT | None = None
    while True:
        state = await poll()
        if success(state):
            return state
        error = failure(state)
        if error is not None:
            raise error
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaiterTimeoutError(f"timed out after {timeout:g}s waiting for {description}", last_state=state)
        await anyio.sleep(min(delay, remaining))
        if max_interval is not None:
            delay = min(delay * 1.5, max_interval)
