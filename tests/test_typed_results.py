"""Typed results carry their call's request id (never in dumps); a 2xx body that is not the result is a typed error."""

from __future__ import annotations

import httpx
import pytest

from hwcloud_client import HuaweiCloud
from hwcloud_client.errors import MalformedResponseError
from tests.helpers import CREDS, Recorder, facade

pytestmark = pytest.mark.anyio

FLAVORS = {"flavors": [{"id": "s6.small.1", "name": "s6.small.1", "vcpus": "1", "ram": 1024}]}


def answer_with_id(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=FLAVORS, headers={"X-Request-Id": f"req-{request.url.path.count('/')}"})


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_a_typed_result_carries_its_request_id_outside_its_dumps() -> None:
    async with facade(Recorder(answer_with_id)) as cloud:
        flavors = await cloud.ecs.list_flavors()
    assert flavors._request_id == "req-4"
    assert "req-4" not in flavors.model_dump_json() and "request_id" not in flavors.model_dump()


@pytest.mark.parametrize(
    "body", [b"<html><body>Sign in to the hotel Wi-Fi</body></html>", b"", b"{\"flavors\": 7}", b"\xff\xfe"]
)
async def test_a_2xx_body_that_is_not_the_result_is_a_typed_error(body: bytes) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, content=body, headers={"X-Request-Id": "r-html"}))
    async with facade(recorder) as cloud:
        with pytest.raises(MalformedResponseError) as caught:
            await cloud.ecs.list_flavors()
    assert caught.value.request_id == "r-html" and "ListFlavorsResponse" in str(caught.value)


def test_blocking_results_carry_the_request_id_too() -> None:
    with HuaweiCloud(
        region="cn-north-4", credentials=CREDS, project="p1", environ={}, http_client=Recorder(answer_with_id).client()
    ) as cloud:
        assert cloud.ecs.list_flavors()._request_id == "req-4"
