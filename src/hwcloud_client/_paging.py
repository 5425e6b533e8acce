"""A generic async pager for the pagination dialects Huawei Cloud APIs use.

A dialect says how to ask for the next page from what the last one returned:

* :class:`PageNumber` — ``offset`` is a page number (ECS v1 ``ListServersDetails``, starts at 1);
* :class:`ItemOffset` — ``offset`` counts items;
* :class:`Marker` — ``marker`` is the last item's id, or a ``next_marker``/``page_info.next_marker``
  found in the page;
* :class:`LinksNext` — follow ``links.next``/``*_links`` URLs (keystone style) by their query.

Every dialect stops on an empty page, even when a count in the response promises more.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

from .errors import ConfigurationError

__all__ = [
    "AsyncPager", "ItemOffset", "LinksNext", "Marker", "PageNumber", "PagingDialect", "Params", "dig", "iterate_pages",
]

PageT = TypeVar("PageT")
ItemT = TypeVar("ItemT")
Params = dict[str, Any]


class PagingDialect(Protocol):
    def first(self, params: Params) -> Params: ...

    def next(self, params: Params, page: Any, items: Sequence[Any]) -> Params | None:
        """Parameters for the following page, or None when this was the last one."""
        ...


def _total(page: Any, field: str | None) -> int | None:
    if field is None:
        return None
    value = page.get(field) if isinstance(page, Mapping) else getattr(page, field, None)
    return value if isinstance(value, int) else None


@dataclass(frozen=True)
class PageNumber:
    page_param: str = "offset"
    start: int = 1
    count_field: str | None = "count"

    def first(self, params: Params) -> Params:
        return {**params, self.page_param: params.get(self.page_param) or self.start}

    def next(self, params: Params, page: Any, items: Sequence[Any]) -> Params | None:
        return {**params, self.page_param: params[self.page_param] + 1}


@dataclass(frozen=True)
class ItemOffset:
    offset_param: str = "offset"
    count_field: str | None = None

    def first(self, params: Params) -> Params:
        return {**params, self.offset_param: params.get(self.offset_param) or 0}

    def next(self, params: Params, page: Any, items: Sequence[Any]) -> Params | None:
        return {**params, self.offset_param: params[self.offset_param] + len(items)}


def dig(document: Any, dotted: str) -> Any:
    """``document[a][b]`` (or attributes) for ``"a.b"``; None where a step is missing."""
    for part in dotted.split("."):
        if document is None:
            return None
        document = document.get(part) if isinstance(document, Mapping) else getattr(document, part, None)
    return document


@dataclass(frozen=True)
class Marker:
    """``next_marker_field`` (dotted, e.g. ``page_info.next_marker``) if set, else the last item's ``item_key``."""

    marker_param: str = "marker"
    next_marker_field: str | None = None
    item_key: str = "id"

    def first(self, params: Params) -> Params:
        return dict(params)

    def next(self, params: Params, page: Any, items: Sequence[Any]) -> Params | None:
        marker = dig(page, self.next_marker_field) if self.next_marker_field else dig(items[-1], self.item_key)
        if not marker or marker == params.get(self.marker_param):
            return None
        return {**params, self.marker_param: marker}


@dataclass(frozen=True)
class LinksNext:
    links_field: str = "links.next"

    def first(self, params: Params) -> Params:
        return dict(params)

    def next(self, params: Params, page: Any, items: Sequence[Any]) -> Params | None:
        url = dig(page, self.links_field)
        if not url:
            return None
        following = dict(parse_qsl(urlsplit(str(url)).query, keep_blank_values=True))
        return None if following == params else following


class AsyncPager(Generic[PageT, ItemT]):
    """Every item of every page (``async for item in pager``), or page by page (``pager.pages()``), resumable.

    ``continuation_token`` is an opaque string for the page after the last one fetched (``None`` once the
    listing is done): keep it, and ``pager.by_page(token)`` on a pager of the same list method goes on from
    there, in this process or another. Resuming is by page: items
    of a page you stopped in the middle of are not fetched again. Every dialect stops on an empty page, at
    a total the response announces, or after ``max_pages``.
    """

    def __init__(
        self,
        fetch: Callable[[Params], Awaitable[PageT]],
        items_of: Callable[[PageT], Sequence[ItemT]],
        dialect: PagingDialect,
        params: Params,
        *,
        max_pages: int | None = None,
        continuation_token: str | None = None,
        accepts: frozenset[str] | None = None,
    ) -> None:
        if max_pages is not None and max_pages < 1:
            raise ConfigurationError(f"max_pages must be at least 1, not {max_pages!r}")
        self._fetch = fetch
        self._items_of = items_of
        self._dialect = dialect
        self._max_pages = max_pages
        self._next: Params | None = dialect.first(params)
        self._seen = 0
        self._pages = 0
        self._items: AsyncGenerator[ItemT, None] | None = None
        # The list method's parameters: a token naming others was made by another listing (or by hand).
        self._accepts = accepts
        if continuation_token is not None:
            self._resume(continuation_token)

    @property
    def continuation_token(self) -> str | None:
        if self._next is None:
            return None
        state = {"params": self._next, "seen": self._seen}
        return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":"), default=str).encode()).decode("ascii")

    def _resume(self, token: str) -> None:
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
            params, seen = state["params"], state["seen"]
            if not isinstance(params, dict) or not isinstance(seen, int):
                raise TypeError
        except (ValueError, TypeError, KeyError, UnicodeError):
            raise ConfigurationError(
                "continuation_token is not one this SDK issued: pass pager.continuation_token as it was given"
            ) from None
        foreign = sorted(set(params) - self._accepts) if self._accepts is not None else []
        if foreign:
            raise ConfigurationError(
                f"continuation_token carries {', '.join(map(repr, foreign))}, which this listing does not take: "
                "resume a listing with the token of the same list method"
            )
        self._next, self._seen, self._pages = params, seen, 0

    async def by_page(self, continuation_token: str | None = None) -> AsyncIterator[PageT]:
        """The pages from ``continuation_token`` (or from where this pager is), one fetch each."""
        if continuation_token is not None:
            self._resume(continuation_token)
        count_field = getattr(self._dialect, "count_field", None)
        while self._next is not None:
            current = self._next
            page = await self._fetch(current)
            self._pages += 1
            items = self._items_of(page)
            self._seen += len(items)
            total = _total(page, count_field)
            done = (
                not items
                or (total is not None and self._seen >= total)
                or (self._max_pages is not None and self._pages >= self._max_pages)
            )
            self._next = None if done else self._dialect.next(current, page, items)
            if not items:
                return
            yield page

    def pages(self) -> AsyncIterator[PageT]:
        return self.by_page()

    async def _each_item(self) -> AsyncGenerator[ItemT, None]:
        async for page in self.by_page():
            for item in self._items_of(page):
                yield item

    def __aiter__(self) -> AsyncPager[PageT, ItemT]:
        return self

    async def __anext__(self) -> ItemT:
        if self._items is None:
            self._items = self._each_item()
        return await self._items.__anext__()

    async def aclose(self) -> None:
        if self._items is not None:
            await self._items.aclose()


def iterate_pages(
    fetch: Callable[[Params], Awaitable[PageT]],
    items_of: Callable[[PageT], Sequence[ItemT]],
    dialect: PagingDialect,
    params: Params,
    *,
    max_pages: int | None = None,
) -> AsyncPager[PageT, ItemT]:
    """Every item of every page; ``fetch(params)`` gets one page."""
    return AsyncPager(fetch, items_of, dialect, params, max_pages=max_pages)
