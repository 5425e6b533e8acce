"""Type aliases shared by the facade and the services, in a module that imports neither."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable

__all__ = ["Body", "ParamValue"]

# bytes and factories of fresh streams (one per attempt) can be sent again; a bare async iterable only once.
Body = bytes | Callable[[], AsyncIterable[bytes]] | AsyncIterable[bytes]
ParamValue = str | int | float | bool | None | Iterable[str | int | float | bool]
