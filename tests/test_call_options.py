"""Per-call options: ``with_options`` views change timeout, retries, headers and query of every call."""

from __future__ import annotations

import httpx
import pytest

from hwcloud_client import HuaweiCloud, RetryPolicy
from hwcloud_client.errors import ConfigurationError, ServerError
from tests.helpers import CREDS, Recorder, assert_validly_signed, facade

pytestmark = pytest.mark.anyio

FLAVORS = {"flavors": []}


async def test_a_views_retry_policy_changes_how_often_typed_calls_are_tried() -> None:
    recorder = Recorder(lambda request: httpx.Response(503))
    async with facade(recorder, retry=RetryPolicy(max_attempts=3, backoff_base=0.0, backoff_cap=0.0)) as cloud:
        with pytest.raises(ServerError):
            await cloud.with_options(retry=RetryPolicy(max_attempts=1)).ecs.list_flavors()
        assert len(recorder.requests) == 1
        with pytest.raises(ServerError):
            await cloud.ecs.list_flavors()
    assert len(recorder.requests) == 4, "the facade itself keeps its own policy"


async def test_a_views_timeout_is_every_attempts_httpx_timeout() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=FLAVORS))
    async with facade(recorder) as cloud:
        await cloud.with_options(timeout=0.05).ecs.list_flavors()
        await cloud.ecs.list_flavors()
    timed, default = (request.extensions["timeout"] for request in recorder.requests)
    assert timed == {"connect": 0.05, "read": 0.05, "write": 0.05, "pool": 0.05}
    assert default["read"] != 0.05


async def test_a_views_headers_and_query_reach_the_wire_signed() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=FLAVORS))
    async with facade(recorder) as cloud:
        view = cloud.with_options(headers={"X-Language": "en-us"}, query={"trace": "t1"})
        await view.ecs.list_flavors(availability_zone="az1")
        await view.with_options(headers={"X-Language": "zh-cn"}).ecs.list_flavors()
    first, second = recorder.requests
    assert first.headers["x-language"] == "en-us" and second.headers["x-language"] == "zh-cn"
    assert dict(first.url.params) == {"availability_zone": "az1", "trace": "t1"}
    assert "x-language" in first.headers["authorization"], "the added header is signed"
    assert_validly_signed(first)
    assert_validly_signed(second)


async def test_a_call_argument_wins_over_the_view() -> None:
    recorder = Recorder(lambda request: httpx.Response(200))
    async with facade(recorder) as cloud:
        view = cloud.with_options(headers={"X-Language": "en-us"})
        await view.request("ecs", "GET", "/v1/x", headers={"X-Language": "zh-cn"})
    assert recorder.requests[0].headers["x-language"] == "zh-cn"


async def test_a_view_shares_the_pool_and_closing_it_closes_nothing() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=FLAVORS))
    async with facade(recorder) as cloud:
        view = cloud.with_options(timeout=5)
        assert view.http is cloud.http and view.retry_budget is cloud.retry_budget
        await view.aclose()
        await cloud.ecs.list_flavors()
        assert view.ecs is not cloud.ecs, "services are bound to the view that made them"
    with pytest.raises(ConfigurationError, match="closed"):
        await view.ecs.list_flavors()


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_a_view_refuses_a_nonsense_timeout(timeout: float) -> None:
    cloud = facade(Recorder(lambda request: httpx.Response(200)))
    with pytest.raises(ConfigurationError, match="timeout"):
        cloud.with_options(timeout=timeout)


def test_the_blocking_facade_has_views_too() -> None:
    recorder = Recorder(lambda request: httpx.Response(503))
    with HuaweiCloud(
        region="cn-north-4", credentials=CREDS, project="p1", environ={}, http_client=recorder.client()
    ) as cloud:
        view = cloud.with_options(retry=RetryPolicy(max_attempts=1))
        with pytest.raises(ServerError):
            view.ecs.list_flavors()
        view.close()
        assert len(recorder.requests) == 1
        with pytest.raises(ServerError):
            cloud.with_options(retry=RetryPolicy(max_attempts=2, backoff_base=0.0, backoff_cap=0.0)).ecs.list_flavors()
    assert len(recorder.requests) == 3


async def test_views_serve_generated_services_too() -> None:
    recorder = Recorder(lambda request: httpx.Response(503))
    async with facade(recorder, retry=RetryPolicy(max_attempts=3, backoff_base=0.0, backoff_cap=0.0)) as cloud:
        view = cloud.with_options(retry=RetryPolicy(max_attempts=1), headers={"X-Language": "en-us"}, query={"t": "1"})
        with pytest.raises(ServerError):
            await view.vpc_v2.list_vpcs(limit=5)
    [request] = recorder.requests
    assert request.headers["x-language"] == "en-us" and dict(request.url.params) == {"limit": "5", "t": "1"}
    assert_validly_signed(request)
