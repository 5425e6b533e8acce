"""Pagers: items, pages, continuation tokens that resume mid-listing, the blocking twin, and paging request()."""

from __future__ import annotations

import httpx
import pytest

from hwcloud_client import AsyncPager, HuaweiCloud, Marker, PageNumber, SyncPager
from hwcloud_client.errors import ConfigurationError
from tests.helpers import CREDS, Recorder, facade

pytestmark = pytest.mark.anyio

SERVERS = [f"s{index}" for index in range(7)]


def list_servers(request: httpx.Request) -> httpx.Response:
    """ECS ListServersDetails: ``offset`` is a page number from 1, ``limit`` its size."""
    limit, page = int(request.url.params["limit"]), int(request.url.params["offset"])
    chosen = SERVERS[(page - 1) * limit : page * limit]
    servers = [{"id": i, "name": i, "status": "ACTIVE"} for i in chosen]
    return httpx.Response(200, json={"count": len(SERVERS), "servers": servers})


def list_vpcs(request: httpx.Request) -> httpx.Response:
    """VPC ListVpcs: ``marker`` is the last id of the previous page."""
    limit, marker = int(request.url.params["limit"]), request.url.params.get("marker")
    start = SERVERS.index(marker) + 1 if marker else 0
    return httpx.Response(200, json={"vpcs": [{"id": i} for i in SERVERS[start : start + limit]]})


async def test_a_pager_gives_items_or_pages() -> None:
    recorder = Recorder(list_servers)
    async with facade(recorder) as cloud:
        pager = cloud.ecs.iter_servers_details(limit=3)
        assert isinstance(pager, AsyncPager)
        assert [server.id async for server in pager] == SERVERS
        pages = [page async for page in cloud.ecs.iter_servers_details(limit=3).pages()]
    assert [len(page.servers) for page in pages] == [3, 3, 1], "the count stops it: no empty fourth page"
    assert len(recorder.requests) == 6


async def test_a_continuation_token_resumes_mid_listing_in_another_pager() -> None:
    recorder = Recorder(list_servers)
    async with facade(recorder) as cloud:
        first = cloud.ecs.iter_servers_details(limit=3)
        pages = first.pages()
        page_one = await pages.__anext__()
        token = first.continuation_token
        assert token is not None and [server.id for server in page_one.servers] == SERVERS[:3]
        recorder.requests.clear()

        resumed = [page async for page in cloud.ecs.iter_servers_details(limit=3).by_page(token)]
    assert [server.id for page in resumed for server in page.servers] == SERVERS[3:]
    assert [request.url.params["offset"] for request in recorder.requests] == ["2", "3"]


async def test_a_finished_pager_has_no_token_and_max_pages_stops_it() -> None:
    async with facade(Recorder(list_servers)) as cloud:
        pager = cloud.ecs.iter_servers_details(limit=3)
        assert [server.id async for server in pager] == SERVERS
        assert pager.continuation_token is None
        capped = cloud.paginate(
            "ecs", "/v1/{project_id}/cloudservers/detail", items="servers", dialect=PageNumber(),
            params={"limit": 2}, max_pages=2,
        )
        assert [server["id"] async for server in capped] == SERVERS[:4]


def encoded(state: object) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode("ascii")


@pytest.mark.parametrize(
    "token",
    ["", "not base64!", "bnVsbA==", "eyJwYXJhbXMiOiBbXX0=", encoded({"params": {}, "seen": "3"}),
     encoded({"params": [], "seen": 3})],
)
async def test_a_foreign_token_is_a_clear_error(token: str) -> None:
    async with facade(Recorder(list_servers)) as cloud:
        with pytest.raises(ConfigurationError) as caught:
            await cloud.ecs.iter_servers_details(limit=3).by_page(token).__anext__()
    assert str(caught.value) == (
        "continuation_token is not one this SDK issued: pass pager.continuation_token as it was given"
    )


async def test_a_pager_built_with_a_token_starts_where_it_says() -> None:
    recorder = Recorder(list_vpcs)
    async with facade(recorder) as cloud:

        async def fetch(params: dict[str, object]) -> dict[str, object]:
            response = await cloud.request("vpc", "GET", "/v1/{project_id}/vpcs", params=params)  # type: ignore[arg-type]
            page: dict[str, object] = response.json()
            return page

        token = encoded({"params": {"limit": 3, "marker": "s2"}, "seen": 3})
        pager = AsyncPager(fetch, lambda page: page["vpcs"], Marker(), {"limit": 3}, continuation_token=token)
        assert [vpc["id"] async for vpc in pager] == SERVERS[3:]
    assert recorder.requests[0].url.params["marker"] == "s2"


async def test_a_resumed_pager_counts_its_pages_afresh() -> None:
    recorder = Recorder(list_servers)
    async with facade(recorder) as cloud:
        first = cloud.ecs.iter_servers_details(limit=2)
        await first.pages().__anext__()
        token = first.continuation_token
        assert token is not None
        capped = cloud.paginate("ecs", "/v1/{project_id}/cloudservers/detail", items="servers",
                                dialect=PageNumber(), params={"limit": 2}, max_pages=2)
        pages = [page async for page in capped.by_page(token)]
    assert [[server["id"] for server in page["servers"]] for page in pages] == [SERVERS[2:4], SERVERS[4:6]]


async def test_a_token_of_a_pager_that_takes_any_parameter_resumes_whatever_it_names() -> None:
    # cloud.paginate() pages any request(): every key of a token is a query parameter there.
    recorder = Recorder(list_vpcs)
    async with facade(recorder) as cloud:
        listing = cloud.paginate("vpc", "/v1/{project_id}/vpcs", items="vpcs", dialect=Marker())
        token = encoded({"params": {"limit": 2, "marker": "s4", "enterprise_project_id": "all"}, "seen": 5})
        resumed = [vpc["id"] async for page in listing.by_page(token) for vpc in page["vpcs"]]
    assert resumed == SERVERS[5:]
    assert recorder.requests[0].url.params["enterprise_project_id"] == "all"


async def test_a_token_of_another_listing_is_a_clear_error_not_a_type_error() -> None:
    crafted = encoded({"params": {"limit": 3, "vpc_id": "v1", "zone": "z"}, "seen": 0})
    recorder = Recorder(list_servers)
    async with facade(recorder) as cloud:
        with pytest.raises(ConfigurationError) as caught:
            await cloud.ecs.iter_servers_details(limit=3).by_page(crafted).__anext__()
    assert str(caught.value) == (
        "continuation_token carries 'vpc_id', 'zone', which this listing does not take: "
        "resume a listing with the token of the same list method"
    )
    assert recorder.requests == []


async def test_paginate_pages_any_request_with_a_named_dialect() -> None:
    recorder = Recorder(list_vpcs)
    async with facade(recorder) as cloud:
        pager = cloud.paginate("vpc", "/v1/{project_id}/vpcs", items="vpcs", dialect=Marker(), params={"limit": 3})
        assert [vpc["id"] async for vpc in pager] == SERVERS
    assert [request.url.params.get("marker") for request in recorder.requests] == [None, "s2", "s5", "s6"]


def test_the_blocking_pager_iterates_pages_and_resumes() -> None:
    with HuaweiCloud(
        region="cn-north-4", credentials=CREDS, project="p1", environ={}, http_client=Recorder(list_servers).client()
    ) as cloud:
        pager = cloud.ecs.iter_servers_details(limit=3)
        assert isinstance(pager, SyncPager)
        assert next(pager).id == "s0"
        assert [server.id for server in pager] == SERVERS[1:]
        first = cloud.ecs.iter_servers_details(limit=3)
        first_pages = first.pages()
        next(first_pages)
        resumed = cloud.ecs.iter_servers_details(limit=3).by_page(first.continuation_token)
        assert [len(page.servers) for page in resumed] == [3, 1]
        listed = cloud.paginate("ecs", "/v1/{project_id}/cloudservers/detail", items="servers", dialect=PageNumber(),
                                params={"limit": 4})
        assert [server["id"] for server in listed] == SERVERS


async def test_max_pages_below_one_is_refused() -> None:
    async with facade(Recorder(list_servers)) as cloud:
        with pytest.raises(ConfigurationError, match="max_pages must be at least 1, not 0"):
            cloud.paginate("ecs", "/v1/x", items="servers", dialect=PageNumber(), max_pages=0)


async def test_a_token_keeps_the_count_so_a_resumed_listing_stops_at_the_total() -> None:
    recorder = Recorder(list_servers)
    async with facade(recorder) as cloud:
        first = cloud.ecs.iter_servers_details(limit=3)
        pages = first.pages()
        await pages.__anext__()
        await pages.__anext__()
        token = first.continuation_token
        recorder.requests.clear()
        resumed = [page async for page in cloud.ecs.iter_servers_details(limit=3).by_page(token)]
    assert [len(page.servers) for page in resumed] == [1]
    assert len(recorder.requests) == 1, "7 of 7 seen: no empty page is fetched after the last"


async def test_closing_a_pager_mid_listing_fetches_nothing_more() -> None:
    recorder = Recorder(list_servers)
    async with facade(recorder) as cloud:
        pager = cloud.ecs.iter_servers_details(limit=3)
        assert (await pager.__anext__()).id == "s0"
        await pager.aclose()
        with pytest.raises(StopAsyncIteration):
            await pager.__anext__()
        await cloud.ecs.iter_servers_details(limit=3).aclose()  # never started: nothing to close
    assert len(recorder.requests) == 1
