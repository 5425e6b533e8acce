"""Single-connection shards behind one transport: each request takes a free shard until its response closes.

httpcore's pool scans all its connections on every request and response (encode/httpcore#1035): N
one-connection pools, each serving one request at a time, measured 1.6x the throughput of one
N-connection pool. A shard goes back to the free list when the response's stream closes, so a streamed
response keeps its connection for as long as it is read, and no other request is queued behind it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractContextManager, nullcontext

import anyio

from .._http import httpx

__all__ = ["ShardedTransport"]


class ShardedTransport(httpx.AsyncBaseTransport):
    """Sends each request through one free shard (a transport with one connection) at a time."""

    def __init__(self, shards: Sequence[httpx.AsyncBaseTransport]) -> None:
        if not shards:
            raise ValueError("a sharded transport needs at least one shard")
        self._shards = tuple(shards)
        self._free = list(shards)
        # Created on first use: the transport may be built outside the event loop that sends.
        self._slots: anyio.Semaphore | None = None

    @property
    def free_shards(self) -> int:
        return len(self._free)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        slots = self._slots
        if slots is None:
            slots = self._slots = anyio.Semaphore(len(self._shards))
        try:
            slots.acquire_nowait()
        except anyio.WouldBlock:
            await self._wait_for_shard(slots, request)
        shard = self._free.pop()
        release = _Release(self, shard)
        try:
            response = await shard.handle_async_request(request)
        except BaseException:
            release()
            raise
        response.stream = _ReleasingStream(response.stream, release)
        return response

    async def _wait_for_shard(self, slots: anyio.Semaphore, request: httpx.Request) -> None:
        pool_timeout = request.extensions.get("timeout", {}).get("pool")
        waiting: AbstractContextManager[object] = (
            anyio.fail_after(pool_timeout) if pool_timeout is not None else nullcontext()
        )
        try:
            with waiting:
                await slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no connection became free within the pool timeout", request=request) from None

    def _put_back(self, shard: httpx.AsyncBaseTransport) -> None:
        self._free.append(shard)
        if self._slots is not None:
            self._slots.release()

    async def aclose(self) -> None:
        # Shielded by the caller (the facade's aclose); each shard is closed even if another fails.
        errors: list[Exception] = []
        for shard in self._shards:
            try:
                await shard.aclose()
            except Exception as error:
                errors.append(error)
        if errors:
            raise errors[0]


class _Release:
    """Puts one shard back, once, however many times it is called."""

    __slots__ = ("_shard", "_transport")

    def __init__(self, transport: ShardedTransport, shard: httpx.AsyncBaseTransport) -> None:
        self._transport: ShardedTransport | None = transport
        self._shard = shard

    def __call__(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            transport._put_back(self._shard)


class _ReleasingStream(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream | httpx.SyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:  # type: ignore[union-attr]
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()  # type: ignore[union-attr]
        finally:
            self._release()
