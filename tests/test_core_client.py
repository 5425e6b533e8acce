"""The core client: request(), retries that re-sign, clock skew, errors, logging, discovery, paging, waiting."""

from __future__ import annotations

import logging
import platform
import ssl
from email.utils import formatdate
from typing import Any

import anyio
import httpx
import pytest

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, Endpoint, RetryPolicy, Stage
from hwcloud_client._paging import ItemOffset, LinksNext, Marker, PageNumber, iterate_pages
from hwcloud_client._transports import ShardedTransport
from hwcloud_client._waiter import wait_until
from hwcloud_client.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    ConnectError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    WaiterTimeoutError,
)
from tests.helpers import AK, SK, Recorder, assert_validly_signed, facade


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True}, headers={"X-Request-Id": "req-ok"})


@pytest.mark.anyio
async def test_request_fills_project_signs_and_returns_a_response() -> None:
    recorder = Recorder(ok)
    async with facade(recorder) as cloud:
        response = await cloud.request(
            "ecs", "GET", "/v1/{project_id}/cloudservers/{server_id}",
            path_params={"server_id": "a/b"}, params={"limit": 2, "tags": ["x", "y"], "skip": None, "flag": True},
        )
    assert response.status_code == 200 and response.request_id == "req-ok" and response.json() == {"ok": True}
    (request,) = recorder.requests
    assert request.url.host == "ecs.cn-north-4.myhuaweicloud.com"
    assert request.url.raw_path == b"/v1/p1/cloudservers/a%2Fb?flag=true&limit=2&tags=x&tags=y"
    assert request.headers["x-project-id"] == "p1"
    assert_validly_signed(request)


@pytest.mark.anyio
async def test_an_owned_client_says_who_it_is_in_the_user_agent() -> None:
    async with AsyncHuaweiCloud(region="cn-north-4", credentials=Credentials(ak=AK, sk=SK), project="p1") as cloud:
        agent = cloud.http.headers["User-Agent"]
    assert agent.startswith("hwcloud-client/")
    assert f" python/{platform.python_version()} httpx/{httpx.__version__}" in agent


@pytest.mark.anyio
async def test_one_tls_context_serves_every_single_connection_shard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created: list[ssl.SSLContext] = []
    create_default_context = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        created.append(create_default_context(*args, **kwargs))
        return created[-1]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    config = ClientConfig(max_connections=4, max_keepalive_connections=4)
    async with AsyncHuaweiCloud(region="cn-north-4", credentials=Credentials(ak=AK, sk=SK), config=config) as cloud:
        transport = cloud.http._transport
        assert isinstance(transport, ShardedTransport) and transport.free_shards == 4
    assert len(created) == 1, "loading the CA bundle once per facade, not once per shard"


@pytest.mark.anyio
async def test_a_closed_facade_opens_no_new_pool() -> None:
    cloud = AsyncHuaweiCloud(region="cn-north-4", credentials=Credentials(ak=AK, sk=SK), project="p1")
    await cloud.aclose()
    with pytest.raises(ConfigurationError, match="closed; create a new one"):
        _ = cloud.http
    with pytest.raises(ConfigurationError, match="closed"):
        await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    assert cloud._http is None


@pytest.mark.anyio
async def test_unfilled_placeholder_is_an_error_and_nothing_is_sent() -> None:
    recorder = Recorder(ok)
    async with facade(recorder) as cloud:
        with pytest.raises(ConfigurationError, match="server_id"):
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/{server_id}")
    assert recorder.requests == []


@pytest.mark.anyio
async def test_own_api_gateway_api_with_host_override_and_stage() -> None:
    recorder = Recorder(ok)
    async with facade(recorder) as cloud:
        await cloud.request(
            Endpoint(url="https://10.1.2.3:8443", host="api.example.com"), "POST", "/orders",
            json={"item": "x"}, stage=Stage(name="RELEASE"),
        )
    (request,) = recorder.requests
    assert request.url.host == "10.1.2.3" and request.headers["host"] == "api.example.com"
    assert request.headers["x-stage"] == "RELEASE"
    assert request.content == b'{"item":"x"}'
    assert "x-project-id" not in request.headers
    assert_validly_signed(request)


# --- retries -----------------------------------------------------------------------------------

def scripted(*outcomes: Any) -> Recorder:
    """Answer with each outcome in turn: a status code, (status, headers, json) or an exception class."""
    remaining = list(outcomes)

    def answer(request: httpx.Request) -> httpx.Response:
        outcome = remaining.pop(0) if remaining else 200
        if isinstance(outcome, type) and issubclass(outcome, Exception):
            raise outcome("injected", request=request)  # type: ignore[call-arg]
        if isinstance(outcome, tuple):
            status, headers, body = outcome
            return httpx.Response(status, headers=headers, json=body)
        return httpx.Response(outcome, json={"error_code": f"X.{outcome}", "error_msg": "e"} if outcome >= 400 else {})

    return Recorder(answer)


RETRY_MATRIX = [
    # (failure, method, idempotency token, retried)
    (httpx.ConnectError, "POST", False, True),
    (httpx.ConnectTimeout, "PATCH", False, True),
    (429, "POST", False, True),
    (503, "POST", False, True),
    ((403, {}, {"error_code": "APIGW.0308", "error_msg": "throttled"}), "POST", False, True),
    (500, "GET", False, True),
    (502, "DELETE", False, True),
    (504, "PUT", False, True),
    (500, "POST", False, False),
    (502, "PATCH", False, False),
    (500, "POST", True, True),
    (httpx.ReadTimeout, "GET", False, True),
    (httpx.ReadTimeout, "POST", False, False),
    (httpx.ReadTimeout, "POST", True, True),
    (httpx.RemoteProtocolError, "HEAD", False, True),
    (httpx.RemoteProtocolError, "POST", False, False),
    (400, "GET", False, False),
    (401, "GET", False, False),
    (404, "DELETE", False, False),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("failure", "method", "token", "retried"), RETRY_MATRIX)
async def test_retry_matrix(failure: Any, method: str, token: bool, retried: bool) -> None:
    recorder = scripted(failure, failure)
    clock = iter(range(1_704_067_200, 1_704_067_300))
    headers = {"X-Client-Token": "tok-1"} if token else {}
    async with facade(recorder, clock=lambda: float(next(clock))) as cloud:
        call = cloud.request("ecs", method, "/v1/{project_id}/things", headers=headers)
        if retried:
            response = await call
            assert response.status_code == 200 and response.attempts == 3
        else:
            with pytest.raises((APIError, TransportError)):
                await call
    assert len(recorder.requests) == (3 if retried else 1)
    dates = [r.headers["x-sdk-date"] for r in recorder.requests]
    assert len(set(dates)) == len(dates), "every attempt is re-dated"
    for request in recorder.requests:
        assert_validly_signed(request)


@pytest.mark.anyio
async def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    recorder = scripted(503, 503, 503, 503)
    async with facade(recorder) as cloud:
        with pytest.raises(ServerError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/x")
    assert caught.value.status_code == 503 and len(recorder.requests) == 3


@pytest.mark.anyio
async def test_retry_after_is_respected_up_to_its_cap() -> None:
    recorder = scripted((429, {"Retry-After": "0.2"}, {"error_code": "APIGW.0308", "error_msg": "slow"}))
    times: list[float] = []

    def record_time(request: httpx.Request) -> httpx.Response:
        times.append(anyio.current_time())
        return scripted_answer(request)

    scripted_answer = recorder.answer
    recorder.answer = record_time
    policy = RetryPolicy(backoff_base=0.0, backoff_cap=0.0, retry_after_cap=0.15)
    async with facade(recorder, retry=policy) as cloud:
        await cloud.request("ecs", "GET", "/v1/{project_id}/x")
    assert len(times) == 2
    assert 0.14 <= times[1] - times[0] < 1.0, "waited Retry-After, capped at retry_after_cap"


@pytest.mark.anyio
async def test_deadline_stops_retrying() -> None:
    recorder = scripted((503, {"Retry-After": "5"}, {}), 503, 503)
    policy = RetryPolicy(max_attempts=5, backoff_base=0.0, retry_after_cap=5.0, deadline=0.5)
    async with facade(recorder, retry=policy) as cloud:
        with anyio.fail_after(3):
            with pytest.raises(ServerError):
                await cloud.request("ecs", "GET", "/v1/{project_id}/x")
    assert len(recorder.requests) == 1, "a 5 s Retry-After does not fit in a 0.5 s deadline"


@pytest.mark.anyio
async def test_per_call_retry_override() -> None:
    recorder = scripted(503, 503)
    async with facade(recorder) as cloud:
        with pytest.raises(ServerError):
            await cloud.request("ecs", "GET", "/v1/{project_id}/x", retry=RetryPolicy(max_attempts=1))
    assert len(recorder.requests) == 1


@pytest.mark.anyio
async def test_clock_skew_is_learned_and_the_call_retried_once() -> None:
    local_now = 1_704_067_200.0
    server_ahead = 20 * 60

    def gateway(request: httpx.Request) -> httpx.Response:
        from datetime import datetime, timezone

        sent = datetime.strptime(request.headers["x-sdk-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        server_now = local_now + server_ahead
        if abs(sent.timestamp() - server_now) > 15 * 60:
            return httpx.Response(
                401, headers={"Date": formatdate(server_now, usegmt=True), "X-Request-Id": "skew"},
                json={"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: "
                      "the signature time has expired, check the local time", "request_id": "skew"},
            )
        return httpx.Response(200, json={})

    recorder = Recorder(gateway)
    async with facade(recorder, clock=lambda: local_now) as cloud:
        await cloud.request("ecs", "GET", "/v1/{project_id}/a")
        await cloud.request("ecs", "GET", "/v1/{project_id}/b")
    statuses = [r.url.path for r in recorder.requests]
    assert statuses == ["/v1/p1/a", "/v1/p1/a", "/v1/p1/b"], "rejected once, then right the first time"
    assert recorder.requests[1].headers["x-sdk-date"] == "20240101T002000Z"


@pytest.mark.anyio
async def test_signature_rejections_without_a_time_hint_are_not_retried() -> None:
    recorder = scripted((401, {"Date": formatdate(usegmt=True)},
                         {"error_code": "APIGW.0301", "error_msg": "verify aksk signature fail"}))
    async with facade(recorder) as cloud:
        with pytest.raises(AuthenticationError, match=r"APIGW\.0301"):
            await cloud.request("ecs", "GET", "/v1/{project_id}/x")
    assert len(recorder.requests) == 1


@pytest.mark.anyio
async def test_cancelling_a_call_releases_its_connection() -> None:
    release = anyio.Event()

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        await release.wait()

    transport = httpx.ASGITransport(app=slow_app)
    async with AsyncHuaweiCloud(
        region="cn-north-4", credentials=Credentials(ak=AK, sk=SK), project="p1",
        http_client=httpx.AsyncClient(transport=transport), environ={},
    ) as cloud:
        with anyio.move_on_after(0.1) as scope:
            await cloud.request("ecs", "GET", "/v1/{project_id}/slow")
        assert scope.cancelled_caught
        limiter = cloud._in_flight()
        assert limiter.borrowed_tokens == 0, "the in-flight slot is given back"
        release.set()


# --- transport errors and error bodies ---------------------------------------------------------

@pytest.mark.anyio
async def test_transport_errors_become_typed_errors_without_secrets() -> None:
    recorder = scripted(httpx.ConnectError, httpx.ConnectError, httpx.ConnectError)
    async with facade(recorder) as cloud:
        with pytest.raises(ConnectError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/x")
    assert "ecs.cn-north-4.myhuaweicloud.com" in str(caught.value)
    assert SK not in str(caught.value) and "Signature=" not in str(caught.value)


ERROR_DIALECTS = [
    (400, b'{"error_code":"Ecs.0005","error_msg":"bad parameter","request_id":"b1"}', "Ecs.0005", "bad parameter"),
    (400, b'{"errorCode":"IAM.0001","errorMsg":"bad request"}', "IAM.0001", "bad request"),
    (409, b'{"code":"VPC.0101","message":"in use"}', "VPC.0101", "in use"),
    (404, b'{"error":{"code":"Ecs.0114","message":"server not found"}}', "Ecs.0114", "server not found"),
    (404, b'{"itemNotFound":{"message":"Keypair k could not be found.","code":404}}', "404",
     "Keypair k could not be found."),
    (404, b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>missing</Message>'
          b'<RequestId>obs-1</RequestId><HostId>h</HostId></Error>', "NoSuchKey", "missing"),
    (500, b'{"error_code": ', None, None),
    (502, b"<html><body>Bad Gateway</body></html>", None, None),
    (503, b"", None, None),
    (500, b"upstream exploded", None, "upstream exploded"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "body", "code", "message"), ERROR_DIALECTS)
async def test_error_dialects(status: int, body: bytes, code: str | None, message: str | None) -> None:
    recorder = Recorder(lambda request: httpx.Response(status, content=body, headers={"X-Request-Id": "rid-9"}))
    async with facade(recorder, retry=RetryPolicy(max_attempts=1)) as cloud:
        with pytest.raises(APIError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/x")
    error = caught.value
    assert (error.status_code, error.error_code, error.error_msg) == (status, code, message)
    assert error.request_id == "rid-9" and "rid-9" in str(error) and str(status) in str(error)
    assert error.body == body
    expected = {404: NotFoundError, 409: ConflictError, 400: APIError}.get(status, ServerError)
    assert type(error) is expected


# --- logging -----------------------------------------------------------------------------------

@pytest.mark.anyio
async def test_debug_logs_hold_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = "security-token-value-xyz"
    recorder = scripted(503, 200)
    async with facade(recorder, credentials=Credentials(ak=AK, sk=SK, security_token=token)) as cloud:
        await cloud.request("ecs", "POST", "/v1/{project_id}/x", json={"a": 1}, headers={"X-Client-Token": "c"},
                            params={"limit": 1})
    signatures = [r.headers["authorization"].rsplit("Signature=", 1)[1] for r in recorder.requests]
    ours = [r for r in caplog.records if r.name == "hwcloud_client"]
    assert any("request_id" in r.getMessage() and "attempt=2" in r.getMessage() for r in ours)
    assert any("x-sdk-date" in r.getMessage() for r in ours if r.levelno == logging.DEBUG)
    everything = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    for secret in (SK, token, AK, *signatures):
        assert secret not in everything
    assert AK[:4] + "…" in everything, "the AK appears only as a prefix"


# --- discovery ---------------------------------------------------------------------------------

class Discovery:
    def __init__(self, projects: list[dict[str, str]]) -> None:
        self.projects = projects
        self.lookups = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/projects":
            self.lookups += 1
            assert request.url.host == "iam.cn-north-4.myhuaweicloud.com"
            assert request.url.params["name"] == "cn-north-4"
            return httpx.Response(200, json={"projects": self.projects}, headers={"X-Request-Id": "iam-1"})
        return httpx.Response(200, json={"project": request.headers["x-project-id"]})


class TestDiscovery:
    @pytest.fixture(params=["asyncio", "trio"])
    def anyio_backend(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.mark.anyio
    async def test_project_discovered_once_for_100_concurrent_calls(self) -> None:
        discovery = Discovery([{"id": "proj-42", "name": "cn-north-4"}])
        recorder = Recorder(discovery)
        results: list[Any] = []
        async with facade(recorder, project=None) as cloud:
            async def call() -> None:
                results.append((await cloud.request("ecs", "GET", "/v1/{project_id}/x")).json())

            async with anyio.create_task_group() as group:
                for _ in range(100):
                    group.start_soon(call)
        assert discovery.lookups == 1
        assert results == [{"project": "proj-42"}] * 100

    @pytest.mark.anyio
    @pytest.mark.parametrize(("projects", "found"), [([], "no project"), ([{"id": "a"}, {"id": "b"}], "2 projects")])
    async def test_zero_or_several_projects_is_a_clear_error(self, projects: list[dict[str, str]], found: str) -> None:
        recorder = Recorder(Discovery(projects))
        async with facade(recorder, project=None) as cloud:
            with pytest.raises(ConfigurationError, match=f"{found} named 'cn-north-4'.*iam-1"):
                await cloud.request("ecs", "GET", "/v1/{project_id}/x")


@pytest.mark.anyio
async def test_domain_id_discovered_for_domain_scoped_paths() -> None:
    def iam(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/auth/domains":
            return httpx.Response(200, json={"domains": [{"id": "dom-1", "name": "acct"}]})
        return httpx.Response(200, json={"seen": request.headers.get("x-domain-id")})

    recorder = Recorder(iam)
    async with facade(recorder, project=None) as cloud:
        response = await cloud.request("iam", "GET", "/v3/domains/{domain_id}/config")
    assert response.json() == {"seen": "dom-1"}
    assert recorder.requests[-1].url.path == "/v3/domains/dom-1/config"


@pytest.mark.anyio
async def test_eu_region_discovers_through_the_eu_iam() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"projects": [{"id": "eu-p"}]}))
    async with facade(recorder, project=None, region="eu-west-101") as cloud:
        assert await cloud.project_id() == "eu-p"
    assert recorder.requests[0].url.host == "iam.eu-west-101.myhuaweicloud.eu"


# --- paging and waiting -------------------------------------------------------------------------

@pytest.mark.anyio
async def test_page_number_pager_stops_on_an_empty_page_despite_a_wrong_count() -> None:
    pages = {1: ["a", "b"], 2: ["c", "d"], 3: ["e"], 4: []}
    asked: list[dict[str, Any]] = []

    async def fetch(params: dict[str, Any]) -> dict[str, Any]:
        asked.append(params)
        return {"count": 99, "items": pages[params["offset"]]}

    items = [i async for i in iterate_pages(fetch, lambda p: p["items"], PageNumber(), {"limit": 2})]
    assert items == ["a", "b", "c", "d", "e"]
    assert [p["offset"] for p in asked] == [1, 2, 3, 4]


@pytest.mark.anyio
async def test_count_ends_paging_without_an_extra_call() -> None:
    asked: list[int] = []

    async def fetch(params: dict[str, Any]) -> dict[str, Any]:
        asked.append(params["offset"])
        return {"count": 3, "items": [1, 2] if params["offset"] == 0 else [3]}

    items = [i async for i in iterate_pages(fetch, lambda p: p["items"], ItemOffset(count_field="count"), {})]
    assert items == [1, 2, 3] and asked == [0, 2]


@pytest.mark.anyio
async def test_marker_pagers_follow_next_marker_or_the_last_id() -> None:
    data = {None: (["a", "b"], "b"), "b": (["c"], "c"), "c": ([], None)}

    async def fetch(params: dict[str, Any]) -> dict[str, Any]:
        items, following = data[params.get("marker")]
        return {"page_info": {"next_marker": following}, "items": [{"id": i} for i in items]}

    by_field = Marker(next_marker_field="page_info.next_marker")
    by_last = Marker()
    for dialect in (by_field, by_last):
        got = [i["id"] async for i in iterate_pages(fetch, lambda p: p["items"], dialect, {})]
        assert got == ["a", "b", "c"]


@pytest.mark.anyio
async def test_links_next_pager() -> None:
    async def fetch(params: dict[str, Any]) -> dict[str, Any]:
        page = int(params.get("page", 1))
        following = f"https://iam.example.com/v3/projects?page={page + 1}" if page < 3 else None
        return {"projects": [page], "links": {"next": following}}

    got = [i async for i in iterate_pages(fetch, lambda p: p["projects"], LinksNext(), {})]
    assert got == [1, 2, 3]


@pytest.mark.anyio
async def test_waiter_success_failure_and_timeout() -> None:
    states = iter(["INIT", "RUNNING", "SUCCESS"])

    async def poll() -> str:
        return next(states)

    assert await wait_until(poll, success=lambda s: s == "SUCCESS", timeout=5, interval=0.001) == "SUCCESS"

    async def failing() -> str:
        return "FAIL"

    with pytest.raises(RuntimeError, match="boom"):
        await wait_until(failing, success=lambda s: False,
                         failure=lambda s: RuntimeError("boom") if s == "FAIL" else None, timeout=5, interval=0.001)

    async def stuck() -> str:
        return "RUNNING"

    with pytest.raises(WaiterTimeoutError) as caught:
        await wait_until(stuck, success=lambda s: False, timeout=0.05, interval=0.01)
    assert caught.value.last_state == "RUNNING"


@pytest.mark.anyio
async def test_waiter_is_cancellable() -> None:
    polls = 0

    async def stuck() -> str:
        nonlocal polls
        polls += 1
        return "RUNNING"

    with anyio.move_on_after(0.05) as scope:
        await wait_until(stuck, success=lambda s: False, timeout=60, interval=0.01)
    assert scope.cancelled_caught and polls >= 2


def test_rate_limit_error_class_for_throttling_codes() -> None:
    from hwcloud_client.errors import api_error_from_response

    error = api_error_from_response(status_code=403, headers={}, body=b'{"error_code":"APIGW.0308","error_msg":"x"}')
    assert type(error) is RateLimitError
    assert (error.status_code, error.error_code, error.error_msg) == (403, "APIGW.0308", "x")
    other = api_error_from_response(status_code=403, headers={}, body=b'{"error_code":"APIGW.0301","error_msg":"x"}')
    assert type(other) is PermissionDeniedError


@pytest.mark.anyio
async def test_a_rejected_token_is_renewed_once_and_the_call_retried() -> None:
    from pydantic import SecretStr

    from hwcloud_client import TokenAuth

    issued = iter(["revoked-token", "fresh-token", "never-used"])

    async def fetch() -> tuple[SecretStr, float]:
        return SecretStr(next(issued)), 4_102_444_800.0

    def gateway(request: httpx.Request) -> httpx.Response:
        if request.headers["x-auth-token"] == "fresh-token":
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(401, json={"error_code": "APIGW.0307", "error_msg": "The token expires."})

    recorder = Recorder(gateway)
    async with facade(recorder, credentials=TokenAuth(fetch)) as cloud:
        assert (await cloud.request("ecs", "GET", "/v1/{project_id}/x")).json() == {"ok": True}
    assert [r.headers["x-auth-token"] for r in recorder.requests] == ["revoked-token", "fresh-token"]
    assert "authorization" not in recorder.requests[0].headers


@pytest.mark.anyio
async def test_a_cancelled_call_gives_its_connection_back_to_the_pool() -> None:
    """One pooled connection only: if cancelling leaked it, the next call would wait out the pool timeout."""
    from hwcloud_client import ClientConfig, Timeouts
    from hwcloud_client.testing import FakeHuaweiCloud

    fake = FakeHuaweiCloud()
    with fake.serve() as url:
        config = ClientConfig(
            endpoints={"ecs": url}, max_connections=1, max_keepalive_connections=1,
            timeouts=Timeouts(pool=1.0), retry=RetryPolicy(max_attempts=1),
        )
        async with AsyncHuaweiCloud(region=fake.region, credentials=fake.credentials, project=fake.project_id,
                                    config=config, environ={}) as cloud:
            fake.faults.latency = 2.0
            with anyio.move_on_after(0.2) as scope:
                await cloud.ecs.list_flavors()
            assert scope.cancelled_caught
            fake.faults.latency = 0.0
            with anyio.fail_after(5):
                flavors = await cloud.ecs.list_flavors()
            assert flavors.flavors


@pytest.mark.anyio
async def test_aclose_leaves_a_callers_provider_open_and_closes_its_own() -> None:
    class Provider:
        project_id = domain_id = None
        closed = 0

        async def get_credentials(self) -> Credentials:
            return Credentials(ak=AK, sk=SK)

        async def aclose(self) -> None:
            self.closed += 1

    provider = Provider()
    async with facade(Recorder(ok), credentials=provider) as cloud:
        await cloud.request("ecs", "GET", "/v1/{project_id}/x")
    assert provider.closed == 0, "the caller owns the provider it passed in"


def test_transport_errors_hide_proxy_credentials() -> None:
    from hwcloud_client._client import _transport_error

    request = httpx.Request("GET", "https://ecs.cn-north-4.myhuaweicloud.com/v1/p/x?Signature=abc")
    error = _transport_error(
        httpx.ProxyError("proxy http://alice:hunter2@proxy.example:3128 refused", request=request), request
    )
    assert "hunter2" not in str(error) and "alice" not in str(error)
    assert "proxy.example:3128" in str(error) and "Signature" not in str(error)


@pytest.mark.anyio
async def test_discovery_of_an_entry_without_an_id_is_a_clear_error() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"projects": [{"name": "cn-north-4"}]}))
    async with facade(recorder, project=None) as cloud:
        with pytest.raises(ConfigurationError, match="without an id"):
            await cloud.project_id()
