"""Behaviour of the send path's fast paths (issue 17): each one must do exactly what the slow path did.

No timing here: what these shortcuts save is measured by bench/ (bench/README.md).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import hwcloud_client as hw
from hwcloud_client import AsyncHuaweiCloud, ClientConfig
from hwcloud_client._client import _parsed_url, _url_of
from hwcloud_client._response import Response
from hwcloud_client._transports import ShardedTransport, skip_cookieless_responses
from hwcloud_client._transports._cookies import CookielessFastPath
from hwcloud_client.errors import MalformedResponseError
from hwcloud_client.services.ecs_v2._client import _LIST_SERVERS_DETAILS
from tests.helpers import CREDS, Recorder, assert_validly_signed, facade

pytestmark = pytest.mark.anyio


def _owned_facade(recorder: Recorder) -> AsyncHuaweiCloud:
    """A facade whose client is the one the SDK builds, its shards answered by ``recorder``."""
    cloud = AsyncHuaweiCloud(region="cn-north-4", credentials=CREDS, project="p1", config=ClientConfig(), environ={})
    client = cloud._new_http_client(cloud.config)
    client._transport = ShardedTransport([httpx.MockTransport(recorder)])
    cloud._http = client
    return cloud


async def test_the_sdks_own_client_still_stores_and_sends_back_cookies() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        # A streamed body, as a network transport gives: the shard is released when it is read and closed.
        cookie = [("Set-Cookie", "sticky=abc; Path=/")] if request.url.path == "/set" else []
        return httpx.Response(200, headers=cookie, stream=httpx.ByteStream(b"{}"))

    recorder = Recorder(answer)
    async with _owned_facade(recorder) as cloud:
        assert isinstance(cloud.http.cookies, CookielessFastPath)
        await cloud.request("ecs", "GET", "/plain")
        assert len(cloud.http.cookies.jar) == 0
        await cloud.request("ecs", "GET", "/set")
        assert cloud.http.cookies.get("sticky") == "abc"
        await cloud.request("ecs", "GET", "/after")
    assert "cookie" not in recorder.requests[0].headers
    assert recorder.requests[2].headers["cookie"] == "sticky=abc"
    assert_validly_signed(recorder.requests[2])  # the cookie is sent, and signed, as before


def test_a_response_without_a_cookie_header_leaves_the_jar_as_httpx_would() -> None:
    request = httpx.Request("GET", "https://ecs.example/x")
    fast, plain = CookielessFastPath(), httpx.Cookies()
    for headers in ([], [("Set-Cookie2", "a=1; Version=1")], [("set-cookie", "b=2"), ("Set-Cookie", "c=3")]):
        response = httpx.Response(200, headers=headers, request=request)
        fast.extract_cookies(response)
        plain.extract_cookies(response)
        assert sorted(fast.items()) == sorted(plain.items())
    assert dict(fast.items()) == {"b": "2", "c": "3"}


def test_only_a_plain_cookie_store_is_replaced() -> None:
    client = httpx.AsyncClient()
    jar = client.cookies.jar
    skip_cookieless_responses(client)
    assert isinstance(client.cookies, CookielessFastPath) and client.cookies.jar is jar
    custom = CookielessFastPath()
    client._cookies = custom
    skip_cookieless_responses(client)
    assert client.cookies is custom


def test_a_parsed_url_is_shared_and_equal_to_httpxs_own() -> None:
    url = "https://ecs.example/v1/p/servers?limit=1&name=a%20b"
    assert _url_of(url) is _url_of(url) is _parsed_url(url)
    assert _url_of(url) == httpx.URL(url)
    assert _url_of(url).raw_path == httpx.URL(url).raw_path


@pytest.mark.parametrize(
    "url",
    [
        "https://bucket.obs.example/key?AccessKeyId=AK&Expires=1&Signature=abc",
        "https://bucket.obs.example/key?x-obs-security-token=secret",
        "https://bucket.example/key?X-Amz-Credential=AK%2F20240101&X-Amz-Signature=abc",
    ],
)
def test_a_url_that_may_carry_a_credential_is_not_kept(url: str) -> None:
    _parsed_url.cache_clear()
    assert _url_of(url) == httpx.URL(url)
    assert _parsed_url.cache_info().currsize == 0


async def test_a_path_template_fills_and_refuses_as_before() -> None:
    from hwcloud_client.errors import ConfigurationError

    cloud = AsyncHuaweiCloud(region="cn-north-4", credentials=CREDS, project="p1", environ={})
    filled = await cloud._fill_path("/v1/{project_id}/servers/{server_id}/{project_id}", {"server_id": "a b{}/."})
    assert filled == "/v1/p1/servers/a%20b%7B%7D%2F./p1"
    assert await cloud._fill_path("/v1/{project_id}/servers", None) == "/v1/p1/servers"
    with pytest.raises(ConfigurationError, match="needs {missing}"):
        await cloud._fill_path("/v1/{missing}/{", None)  # a missing value is named before a malformed path
    for malformed in ("/v1/{project_id}/{x", "/v1/{1x}/y", "/v1/{project_id}/}"):
        with pytest.raises(ConfigurationError, match="unfilled or malformed"):
            await cloud._fill_path(malformed, None)


async def test_only_a_learned_skew_moves_a_signature_date_and_only_for_its_endpoint() -> None:
    from hwcloud_client.auth.flows import ApigAuth, ClockSkews
    from hwcloud_client.auth.hooks import RequestSigner

    skews = ClockSkews(lambda: 1_773_133_200.0)
    auth = ApigAuth(RequestSigner(CREDS, clock=skews.wall), skews)
    assert not skews.learned
    skewed = httpx.Request("GET", "https://ecs.example/v1")
    other = httpx.Request("GET", "https://vpc.example/v1")
    await auth.sign(skewed)
    assert skewed.headers["x-sdk-date"] == "20260310T090000Z"
    assert skews.learn("ecs.example", "Tue, 10 Mar 2026 11:00:00 GMT") and skews.learned
    await auth.sign(skewed)
    await auth.sign(other)
    assert skewed.headers["x-sdk-date"] == "20260310T110000Z"
    assert other.headers["x-sdk-date"] == "20260310T090000Z"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("X-Request-Id", "r1"), ("X-Iam-Trace-Id", "t1")], "r1"),
        ([("X-Openstack-Request-Id", "o1")], "o1"),
        ([], None),
    ],
)
def test_a_responses_request_id_is_the_same_however_often_it_is_read(
    headers: list[tuple[str, str]], expected: str | None
) -> None:
    response = Response(httpx.Response(200, headers=headers), attempts=1, elapsed_ms=1.0)
    assert response.request_id == expected
    assert response.request_id == expected
    assert response.info().request_id == expected
    assert repr(response) == f"<Response [200] request_id={expected}>"


class _CollectionCounter:
    """Counts the cyclic collector's runs while installed in ``gc.callbacks``."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        self.runs += phase == "start"


_PAGE = json.dumps({"count": 300, "servers": [
    {"id": f"s{index}", "name": f"n{index}", "status": "ACTIVE", "flavor": {"id": "f", "name": "f"},
     "addresses": {"net": [{"addr": "10.0.0.1", "version": "4"}]}, "metadata": {"key": "value"},
     "security_groups": [{"name": "default"}], "tags": ["a=b"]} for index in range(300)]}).encode()


@pytest.fixture()
def collections() -> Iterator[_CollectionCounter]:
    counter = _CollectionCounter()
    threshold = gc.get_threshold()
    gc.set_threshold(10)  # a collection every 10 allocations: a page of models would trigger hundreds
    gc.callbacks.append(counter)  # the interpreter's own list: a replaced attribute would never be called
    try:
        yield counter
    finally:
        gc.callbacks.remove(counter)
        gc.set_threshold(*threshold)


def _parse_page(cloud: AsyncHuaweiCloud, answer: Response) -> Any:
    return cloud.ecs_v2._parse(_LIST_SERVERS_DETAILS, answer)


def _answer(body: bytes) -> Response:
    return Response(httpx.Response(200, content=body, headers={"X-Request-Id": "r1"}), attempts=1, elapsed_ms=1.0)


async def test_a_page_becomes_its_result_without_the_cyclic_collector_which_runs_again_after(
    collections: _CollectionCounter,
) -> None:
    async with facade(Recorder(lambda request: httpx.Response(200))) as cloud:
        _parse_page(cloud, _answer(b"{}"))  # builds the models' schemas
        answer = _answer(_PAGE)
        before = collections.runs
        page = _parse_page(cloud, answer)
        assert collections.runs == before
    assert len(page.servers) == 300 and page.servers[299].flavor.id == "f"
    assert hw.response_info(page).request_id == "r1"
    assert gc.isenabled()
    gc.collect()
    assert collections.runs > before, "resumed: the collector runs and is seen"


async def test_a_refused_page_resumes_the_collector_and_a_caller_who_turned_it_off_keeps_it_off(
    collections: _CollectionCounter,
) -> None:
    async with facade(Recorder(lambda request: httpx.Response(200))) as cloud:
        with pytest.raises(MalformedResponseError):
            _parse_page(cloud, _answer(b'{"servers": 7}'))
        assert gc.isenabled()
        gc.disable()
        try:
            _parse_page(cloud, _answer(_PAGE))
            assert not gc.isenabled()
        finally:
            gc.enable()


_LISTING = (
    '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated>'
    + "".join(f"<Contents><Key>k{index:04d}</Key><Size>{index}</Size><LastModified>2024-01-01T00:00:00.000Z"
              "</LastModified></Contents>" for index in range(1000))
    + "</ListBucketResult>"
).encode()


def test_an_obs_listing_is_parsed_and_built_without_the_cyclic_collector(collections: _CollectionCounter) -> None:
    from hwcloud_client.services._obs_models import list_objects_result
    from hwcloud_client.services.obs import _xml_result

    answer = _answer(_LISTING)
    before = collections.runs
    listing = _xml_result(answer, "ListObjects", {"ListBucketResult"}, list_objects_result)
    assert collections.runs == before
    assert len(listing.contents) == 1000 and listing.contents[999].size == 999
    with pytest.raises(MalformedResponseError):
        _xml_result(_answer(b"<html>portal</html>"), "ListObjects", {"ListBucketResult"}, list_objects_result)
    assert gc.isenabled()


def test_a_responses_json_is_decoded_without_the_cyclic_collector(collections: _CollectionCounter) -> None:
    answer = _answer(_PAGE)
    before = collections.runs
    document = answer.json()
    assert collections.runs == before
    assert len(document["servers"]) == 300 and gc.isenabled()
    assert _answer(b"").json() is None
