"""Running async code from blocking code: the portal thread, and the blocking twins of async methods.

One anyio blocking portal (an event loop in a background thread) per facade runs the async client;
every call hops into it and waits. The portal starts on the first call, so building a facade starts no
thread. That works from a plain script and from a thread that already runs an event loop (a notebook
cell, code inside ``asyncio.run``): no ``asyncio.run`` per call and no ``nest_asyncio``. Async iterators
become plain iterators. Ctrl-C cancels the pending call.

Sync twins are declared next to their async classes with :func:`blocking` and :func:`blocking_iter`,
which keep the async signatures for type checkers and IDEs. This module imports no client, so that
service modules can use it without importing the facade.
"""

from __future__ import annotations

import atexit
import inspect
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import CancelledError, Future
from contextlib import AbstractContextManager
from functools import partial, update_wrapper
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

from .errors import ConfigurationError

if TYPE_CHECKING:
    from anyio.from_thread import BlockingPortal

    from ._paging import AsyncPager

__all__ = ["PortalRunner", "SyncPager", "SyncService", "blocking", "blocking_iter", "blocking_pager"]

_CLOSED = "this client is closed; create a new one"

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
AsyncT = TypeVar("AsyncT")
PageT = TypeVar("PageT")


class PortalRunner:
    """Owns the background event loop, started on the first call, and runs coroutines and async iterators in it."""

    def __init__(self) -> None:
        self._start_lock = threading.Lock()
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None
        self._exit_hook: Callable[[], None] | None = None
        self._closed = False

    def _running_portal(self) -> BlockingPortal:
        portal = self._portal
        if portal is not None:
            return portal
        # Two threads making their first call at once must share one portal.
        with self._start_lock:
            if self._closed:
                raise ConfigurationError(_CLOSED)
            if self._portal is None:
                # Imported here: anyio.from_thread costs more to import than the rest of this module.
                from anyio.from_thread import start_blocking_portal

                portal_cm = start_blocking_portal("asyncio")
                self._portal = portal_cm.__enter__()
                self._portal_cm = portal_cm
                # A script that never calls close() must still exit. Left to interpreter shutdown, the
                # portal's context manager waits for its (daemon) loop thread, which no longer runs then;
                # atexit hooks run while it still does. A weak reference, so that the hook keeps nothing alive.
                self._exit_hook = partial(_close_at_exit, weakref.ref(self))
                atexit.register(self._exit_hook)
            return self._portal

    def call(self, function: Callable[[], Coroutine[Any, Any, R]]) -> R:
        try:
            future: Future[R] = self._running_portal().start_task_soon(function)
        except RuntimeError:
            if self._closed:  # closed by another thread after this one found the portal running
                raise ConfigurationError(_CLOSED) from None
            raise
        try:
            return future.result()
        except KeyboardInterrupt:
            future.cancel()
            raise
        except CancelledError:
            raise KeyboardInterrupt from None

    def iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        async def step() -> T:
            return await iterator.__anext__()

        async def close() -> None:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()

        try:
            while True:
                try:
                    yield self.call(step)
                except StopAsyncIteration:
                    return
        finally:
            # A half-read iterator collected after close(): its portal, and what it iterated, are gone already.
            if not self._closed:
                self.call(close)

    def close(self, last_call: Callable[[], Coroutine[Any, Any, object]] | None = None) -> None:
        """Stop the loop, after running ``last_call`` in it if it ever started; later calls are errors.

        Decided under the start lock: a first call that is starting the portal right now finishes
        starting it, and then ``last_call`` runs after whatever that call opened.
        """
        with self._start_lock:
            self._closed = True
            portal, portal_cm = self._portal, self._portal_cm
            self._portal = self._portal_cm = None
        if portal is None or portal_cm is None:
            return
        if self._exit_hook is not None:
            atexit.unregister(self._exit_hook)
        try:
            if last_call is not None:
                portal.call(last_call)
        finally:
            portal_cm.__exit__(None, None, None)


def _close_at_exit(runner: weakref.ref[PortalRunner]) -> None:
    alive = runner()
    if alive is not None:
        alive.close()


class SyncService(Generic[AsyncT]):
    """Base of the blocking twin of an async service client."""

    def __init__(self, runner: PortalRunner, async_client: AsyncT) -> None:
        self._runner = runner
        self._async = async_client


def blocking(
    method: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[SyncService[Any], P], R]:
    """The blocking twin of an async method, with its signature."""

    name = method.__name__

    def call(self: SyncService[Any], /, *args: P.args, **kwargs: P.kwargs) -> R:
        # Looked up on the instance so that a subclass's override is what runs.
        bound: Callable[P, Coroutine[Any, Any, R]] = getattr(self._async, name)
        return self._runner.call(partial(bound, *args, **kwargs))

    update_wrapper(call, method)
    return call


def blocking_iter(
    method: Callable[Concatenate[Any, P], AsyncIterator[T]],
) -> Callable[Concatenate[SyncService[Any], P], Iterator[T]]:
    """The blocking twin of an async iterator method: a plain iterator."""

    name = method.__name__

    def call(self: SyncService[Any], /, *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        bound: Callable[P, AsyncIterator[T]] = getattr(self._async, name)
        return self._runner.iterate(bound(*args, **kwargs))

    update_wrapper(call, method)
    # help() and IDEs show the async signature's arguments with what the twin really returns.
    call.__signature__ = inspect.signature(method).replace(  # type: ignore[attr-defined]
        return_annotation="Iterator"
    )
    return call


class SyncPager(Generic[PageT, T]):
    """Blocking twin of :class:`~hwcloud_client.AsyncPager`: iterate items, ``pages()``, ``by_page(token)``."""

    def __init__(self, runner: PortalRunner, pager: AsyncPager[PageT, T]) -> None:
        self._runner = runner
        self._pager = pager
        self._items: Iterator[T] | None = None

    @property
    def continuation_token(self) -> str | None:
        return self._pager.continuation_token

    def __iter__(self) -> SyncPager[PageT, T]:
        return self

    def __next__(self) -> T:
        if self._items is None:
            self._items = self._runner.iterate(self._pager)
        return next(self._items)

    def pages(self) -> Iterator[PageT]:
        return self._runner.iterate(self._pager.pages())

    def by_page(self, continuation_token: str | None = None) -> Iterator[PageT]:
        return self._runner.iterate(self._pager.by_page(continuation_token))


def blocking_pager(
    method: Callable[Concatenate[Any, P], AsyncPager[PageT, T]],
) -> Callable[Concatenate[SyncService[Any], P], SyncPager[PageT, T]]:
    """The blocking twin of an ``iter_*`` method: a :class:`SyncPager`."""

    name = method.__name__

    def call(self: SyncService[Any], /, *args: P.args, **kwargs: P.kwargs) -> SyncPager[PageT, T]:
        bound: Callable[P, AsyncPager[PageT, T]] = getattr(self._async, name)
        return SyncPager(self._runner, bound(*args, **kwargs))

    update_wrapper(call, method)
    call.__signature__ = inspect.signature(method).replace(  # type: ignore[attr-defined]
        return_annotation="SyncPager"
    )
    return call
