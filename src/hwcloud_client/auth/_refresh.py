"""One refresh at a time, shared by everyone who needed it: the mechanism behind token and credential refresh.

Kept in one place because getting it right took several details that are easy to lose in a copy: the lock
is created on first use (so its owner can be built outside an event loop), the fetch is shielded (a
cancelled caller must not abort a fetch that others are waiting for) yet bounded (a hung source must not
hold the lock forever), and callers that queued while a fetch ran take its outcome, its error included,
instead of each fetching again in turn.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from .._http import ImportedOnFirstUse
from ..errors import TimeoutError

if TYPE_CHECKING:
    import anyio
else:
    # Imported on the first refresh: `import hwcloud_client` does not need anyio.
    anyio = ImportedOnFirstUse("anyio")

__all__ = ["SingleFlight"]

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Runs ``fetch`` for whoever needs a new value, one flight at a time; callers decide *when* it is needed.

    ``what`` names the fetch in the :class:`~hwcloud_client.errors.TimeoutError` raised after ``timeout``
    seconds ("fetching an IAM token took longer than 30 s"). ``fetch`` should store the value where its
    owner looks for it: it runs inside the shield, so the value is kept even if the caller that started
    the flight is cancelled meanwhile. Use one instance from one event loop.
    """

    def __init__(self, fetch: Callable[[], Awaitable[T]], *, timeout: float, what: str) -> None:
        self._fetch = fetch
        self._timeout = timeout
        self._what = what
        self._lock: anyio.Lock | None = None
        # Flights finished so far: a caller that sees it change while queueing knows a flight landed.
        self._flights = 0
        # The last flight's value (boxed, so that any T is told apart from an error) or its error.
        self._last: tuple[T] | Exception | None = None

    def _get_lock(self) -> anyio.Lock:
        # No await between the check and the assignment, so two tasks cannot both create one.
        if self._lock is None:
            self._lock = anyio.Lock()
        return self._lock

    async def run(self) -> T:
        """Fetch, or wait for the flight in progress and take its outcome, its error included.

        Sharing the error too: a source that just failed or hung would most likely do so again, once per
        queued caller and one after another.
        """
        flights_seen = self._flights
        async with self._get_lock():
            last = self._last
            if self._flights != flights_seen and last is not None:
                if isinstance(last, Exception):
                    raise last
                return last[0]
            return await self._fly()

    async def run_if_idle(self, otherwise: T) -> T:
        """Fetch unless a flight is in progress, in which case return ``otherwise`` at once.

        For refreshes that are merely advisable: one caller pays for the fetch, nobody else waits.
        """
        lock = self._get_lock()
        try:
            lock.acquire_nowait()
        except anyio.WouldBlock:
            return otherwise
        try:
            return await self._fly()
        finally:
            lock.release()

    async def _fly(self) -> T:
        """Fetch under the lock (held by the caller) and record the outcome for those queued behind it."""
        with anyio.move_on_after(self._timeout, shield=True) as scope:
            try:
                value = await self._fetch()
            except Exception as error:
                self._land(error)
                raise
        if scope.cancelled_caught:
            timeout = TimeoutError(f"{self._what} took longer than {self._timeout:g} s")
            self._land(timeout)
            raise timeout
        self._land((value,))
        return value

    def _land(self, outcome: tuple[T] | Exception) -> None:
        self._last = outcome
        self._flights += 1
