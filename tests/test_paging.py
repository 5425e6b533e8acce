"""The generic pager (_paging.iterate_pages) and its dialects, on their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from hwcloud_client._paging import ItemOffset, LinksNext, Marker, PageNumber, PagingDialect, iterate_pages

Params = dict[str, Any]


class Api:
    """Answers ``answer(params)`` and records every call's parameters; refuses to be called too often."""

    def __init__(self, answer: Any, limit: int = 20) -> None:
        self.answer = answer
        self.asked: list[Params] = []
        self.limit = limit

    async def __call__(self, params: Params) -> Any:
        self.asked.append(params)
        assert len(self.asked) <= self.limit, "the pager did not stop"
        return self.answer(params)


async def collect(api: Api, items_of: Any, dialect: PagingDialect, params: Params, **kwargs: Any) -> list[Any]:
    return [item async for item in iterate_pages(api, items_of, dialect, params, **kwargs)]


def items(page: Any) -> Sequence[Any]:
    return page["items"]  # type: ignore[no-any-return]


# --- marker paging -------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_next_marker_that_repeats_ends_paging() -> None:
    api = Api(lambda params: {"items": [{"id": "x"}], "page_info": {"next_marker": "m"}})
    got = await collect(api, items, Marker(next_marker_field="page_info.next_marker"), {"limit": 1})
    assert got == [{"id": "x"}, {"id": "x"}]
    assert api.asked == [{"limit": 1}, {"limit": 1, "marker": "m"}]


@pytest.mark.anyio
async def test_an_api_that_ignores_the_marker_is_not_paged_forever() -> None:
    api = Api(lambda params: {"items": [{"id": "a"}, {"id": "b"}]})
    got = await collect(api, items, Marker(), {})
    assert [item["id"] for item in got] == ["a", "b", "a", "b"]
    assert api.asked == [{}, {"marker": "b"}]


@pytest.mark.anyio
@pytest.mark.parametrize("following", [None, "", {"next_marker": None}])
async def test_no_next_marker_means_the_last_page(following: Any) -> None:
    page_info = following if isinstance(following, dict) else {"next_marker": following}
    api = Api(lambda params: {"items": [{"id": "a"}], "page_info": page_info})
    got = await collect(api, items, Marker(next_marker_field="page_info.next_marker"), {})
    assert got == [{"id": "a"}] and len(api.asked) == 1


@pytest.mark.anyio
async def test_a_missing_parent_of_the_marker_field_means_the_last_page() -> None:
    api = Api(lambda params: {"items": [{"id": "a"}], "page_info": None})
    got = await collect(api, items, Marker(next_marker_field="page_info.next_marker"), {})
    assert got == [{"id": "a"}] and len(api.asked) == 1


@pytest.mark.anyio
async def test_marker_dialect_names_its_parameter_and_item_key() -> None:
    data = {None: ["n1", "n2"], "n2": ["n3"], "n3": []}
    api = Api(lambda params: {"items": [{"name": n} for n in data[params.get("start")]]})
    got = await collect(api, items, Marker(marker_param="start", item_key="name"), {"limit": 2})
    assert [item["name"] for item in got] == ["n1", "n2", "n3"]
    assert api.asked == [{"limit": 2}, {"limit": 2, "start": "n2"}, {"limit": 2, "start": "n3"}]


@dataclass
class Item:
    id: str


@dataclass
class PageInfo:
    next_marker: str | None


@dataclass
class Page:
    items: list[Item]
    page_info: PageInfo | None = None
    count: Any = None


@pytest.mark.anyio
async def test_marker_paging_reads_models_by_attribute() -> None:
    pages = {None: Page([Item("a")], PageInfo("a")), "a": Page([Item("b")], PageInfo(None))}
    api = Api(lambda params: pages[params.get("marker")])
    got = await collect(api, lambda page: page.items, Marker(next_marker_field="page_info.next_marker"), {})
    assert got == [Item("a"), Item("b")]
    by_id = Api(lambda params: {None: Page([Item("a")]), "a": Page([Item("b")]), "b": Page([])}[params.get("marker")])
    assert await collect(by_id, lambda page: page.items, Marker(), {}) == [Item("a"), Item("b")]


# --- max_pages -----------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("max_pages", [1, 2, 3])
async def test_max_pages_bounds_the_calls(max_pages: int) -> None:
    api = Api(lambda params: {"items": [params["offset"]], "count": 1000})
    got = await collect(api, items, PageNumber(), {}, max_pages=max_pages)
    assert got == list(range(1, max_pages + 1))
    assert len(api.asked) == max_pages


@pytest.mark.anyio
async def test_without_max_pages_paging_goes_on_until_an_empty_page() -> None:
    api = Api(lambda params: {"items": [params["offset"]] if params["offset"] < 6 else []})
    assert await collect(api, items, PageNumber(count_field=None), {}) == [1, 2, 3, 4, 5]
    assert len(api.asked) == 6


# --- counts and offsets --------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_count_that_is_reached_exactly_ends_paging() -> None:
    api = Api(lambda params: {"items": [params["offset"]], "count": 2})
    assert await collect(api, items, PageNumber(), {}) == [1, 2]
    assert len(api.asked) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("count", ["2", None, 2.0])
async def test_a_count_that_is_not_an_int_is_ignored(count: Any) -> None:
    api = Api(lambda params: {"items": [params["offset"]] if params["offset"] < 4 else [], "count": count})
    assert await collect(api, items, PageNumber(), {}) == [1, 2, 3]


@pytest.mark.anyio
async def test_a_count_is_read_from_a_model_attribute() -> None:
    api = Api(lambda params: Page([Item(str(params["offset"]))], count=2))
    got = await collect(api, lambda page: page.items, PageNumber(), {})
    assert got == [Item("1"), Item("2")] and len(api.asked) == 2


@pytest.mark.anyio
async def test_page_number_starts_where_asked_and_keeps_other_parameters() -> None:
    api = Api(lambda params: {"items": [params["page"]] if params["page"] < 5 else []})
    assert await collect(api, items, PageNumber(page_param="page", start=0, count_field=None), {"page": 3}) == [3, 4]
    assert await collect(api, items, PageNumber(page_param="page", start=0, count_field=None), {"q": "x"}) == [
        0, 1, 2, 3, 4,
    ]
    assert api.asked[3] == {"page": 0, "q": "x"} and api.asked[4] == {"page": 1, "q": "x"}


@pytest.mark.anyio
async def test_item_offset_counts_items_from_the_offset_given() -> None:
    data = list(range(7))
    api = Api(lambda params: {"items": data[params["start"]: params["start"] + 3]})
    assert await collect(api, items, ItemOffset(offset_param="start"), {"start": 2}) == [2, 3, 4, 5, 6]
    assert [p["start"] for p in api.asked] == [2, 5, 7]
    api.asked.clear()
    assert await collect(api, items, ItemOffset(offset_param="start"), {}) == data
    assert [p["start"] for p in api.asked] == [0, 3, 6, 7]


@pytest.mark.anyio
async def test_an_empty_first_page_yields_nothing() -> None:
    api = Api(lambda params: {"items": [], "count": 5})
    assert await collect(api, items, ItemOffset(count_field="count"), {}) == []
    assert len(api.asked) == 1


# --- links -----------------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_next_link_that_repeats_ends_paging() -> None:
    api = Api(lambda params: {"items": [1], "links": {"next": "https://h.example.com/v3/x?marker=m&limit=1"}})
    assert await collect(api, items, LinksNext(), {}) == [1, 1]
    assert api.asked == [{}, {"marker": "m", "limit": "1"}]


@pytest.mark.anyio
async def test_a_next_link_keeps_blank_values_and_a_custom_field() -> None:
    def answer(params: Params) -> Any:
        following = "https://h.example.com/x?page=2&name=" if not params else None
        return {"items": [len(params)], "project_links": {"next": following}}

    api = Api(answer)
    assert await collect(api, items, LinksNext(links_field="project_links.next"), {}) == [0, 2]
    assert api.asked == [{}, {"page": "2", "name": ""}]


@dataclass
class Bare:
    """A page model with neither a count nor a page_info field."""

    items: list[Item]


@pytest.mark.anyio
async def test_a_model_without_the_count_or_marker_field_pages_on() -> None:
    pages = {1: Bare([Item("a")]), 2: Bare([Item("b")]), 3: Bare([])}
    api = Api(lambda params: pages[params["offset"]])
    assert await collect(api, lambda page: page.items, PageNumber(), {}) == [Item("a"), Item("b")]
    marker = Api(lambda params: Bare([Item("a")]))
    got = await collect(marker, lambda page: page.items, Marker(next_marker_field="page_info.next_marker"), {})
    assert got == [Item("a")] and len(marker.asked) == 1
