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

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

__all__ = ["ItemOffset", "LinksNext", "Marker", "PageNumber", "PagingDialect", "iterate_pages"]

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


def _dig(document: Any, dotted: str) -> Any:
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
        marker = _dig(page, self.next_marker_field) if self.next_marker_field else _dig(items[-1], self.item_key)
        if not marker or marker == params.get(self.marker_param):
            return None
        return {**params, self.marker_param: marker}


@dataclass(frozen=True)
class LinksNext:
    links_field: str = "links.next"

    def first(self, params: Params) -> Params:
        return dict(params)

    def next(self, params: Params, page: Any, items: Sequence[Any]) -> Params | None:
        url = _dig(page, self.links_field)
        if not url:
            return None
        following = dict(parse_qsl(urlsplit(str(url)).query, keep_blank_values=True))
        return None if following == params else following


async def iterate_pages(
    fetch: Callable[[Params], Awaitable[PageT]],
    items_of: Callable[[PageT], Sequence[ItemT]],
    dialect: PagingDialect,
    params: Params,
    *,
    max_pages: int | None = None,
) -> AsyncIterator[ItemT]:
    """Yield every item of every page; ``fetch(params)`` gets one page."""
    current: Params | None = dialect.first(params)
    seen = pages = 0
    count_field = getattr(dialect, "count_field", None)
    while current is not None:
        page = await fetch(current)
        pages += 1
        items = items_of(page)
        if not items:
            return
        for item in items:
            yield item
        seen += len(items)
        total = _total(page, count_field)
        if (total is not None and seen >= total) or (max_pages is not None and pages >= max_pages):
            return
        current = dialect.next(current, page, items)
