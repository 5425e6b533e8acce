"""Typed results carry their call's request id (never in dumps); a 2xx body that is not the result is a typed error."""

from __future__ import annotations

import httpx
import pytest

import hwcloud_client as hw
from hwcloud_client import HuaweiCloud
from hwcloud_client.errors import ConfigurationError, MalformedResponseError
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
    "body", [b"<html><body>Sign in to the hotel Wi-Fi</body></html>", b"{\"flavors\": 7}", b"\xff\xfe"]
)
async def test_a_2xx_body_that_is_not_the_result_is_a_typed_error(body: bytes) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, content=body, headers={"X-Request-Id": "r-html"}))
    async with facade(recorder) as cloud:
        with pytest.raises(MalformedResponseError) as caught:
            await cloud.ecs.list_flavors()
    assert caught.value.request_id == "r-html" and "list_flavors" in str(caught.value)


async def test_an_empty_2xx_body_is_an_empty_result_as_the_official_sdk_makes_one() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, content=b"", headers={"X-Request-Id": "r-empty"}))
    async with facade(recorder) as cloud:
        flavors = await cloud.ecs.list_flavors()
    assert flavors.flavors is None and flavors._request_id == "r-empty"


def test_blocking_results_carry_the_request_id_too() -> None:
    with HuaweiCloud(
        region="cn-north-4", credentials=CREDS, project="p1", environ={}, http_client=Recorder(answer_with_id).client()
    ) as cloud:
        assert cloud.ecs.list_flavors()._request_id == "req-4"


async def test_the_raw_view_of_a_typed_result_has_status_headers_attempts_and_time() -> None:
    answers = iter([httpx.Response(503), answer_with_id(httpx.Request("GET", "https://x/v1/p/c"))])
    recorder = Recorder(lambda request: next(answers))
    async with facade(recorder) as cloud:
        flavors = await cloud.ecs.list_flavors()
    info = hw.response_info(flavors)
    assert (info.status_code, info.request_id, info.attempts) == (200, "req-3", 2)
    assert info.headers["x-request-id"] == "req-3" and info.elapsed_ms >= 0
    assert "attempts" not in flavors.model_dump_json()


def test_a_result_built_by_hand_has_no_raw_view() -> None:
    from hwcloud_client.services.ecs_v2 import ListFlavorsResponse

    with pytest.raises(ConfigurationError, match="not returned by a call"):
        hw.response_info(ListFlavorsResponse(flavors=[]))


async def test_a_generated_secret_given_as_str_is_masked_and_sent() -> None:
    from hwcloud_client.services.ecs_v2 import BatchResetServersPasswordRequestBody, ServerId

    body = BatchResetServersPasswordRequestBody(new_password="Passw0rd!", servers=[ServerId(id="s-1")])
    assert "Passw0rd!" not in repr(body) and "Passw0rd!" not in str(body.model_dump())
    recorder = Recorder(lambda request: httpx.Response(200, json={}))
    async with facade(recorder) as cloud:
        await cloud.ecs_v2.batch_reset_servers_password(body=body)
    assert b'"new_password":"Passw0rd!"' in recorder.requests[0].content


def test_by_alias_dumps_give_huaweis_json_back_unknown_fields_included() -> None:
    from hwcloud_client.services.vpc_v2 import ListVpcsResponse

    wire = {"vpcs": [{"id": "v1", "name": "a", "cidr": "10.0.0.0/8", "status": "OK", "routes": [],
                      "enterprise_project_id": "0", "tenantNewField": {"x": 1}}], "page_info": {"current_count": 1}}
    parsed = ListVpcsResponse.model_validate(wire)
    assert parsed.model_dump(by_alias=True, exclude_none=True) == wire


@pytest.mark.parametrize("header", ["X-Request-Id", "X-Obs-Request-Id", "X-Iam-Trace-Id", "X-Openstack-Request-Id"])
async def test_typed_results_read_the_request_id_from_every_header_errors_read(header: str) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=FLAVORS, headers={header: "rid-1"}))
    async with facade(recorder) as cloud:
        flavors = await cloud.ecs.list_flavors()
    assert flavors._request_id == "rid-1"
