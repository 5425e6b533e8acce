"""The redesigned send path, piece by piece: auth flows, clock skews, retry decisions and budget, the
sharded transport, and the defects of the hardening review (each test here failed on the old send loop)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import pytest
from pydantic import SecretStr

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, RetryPolicy, TokenAuth, signing_hook
from hwcloud_client._retry import CallRetries, RetryBudget, backoff_delay, retry_after_seconds
from hwcloud_client._transports import ShardedTransport
from hwcloud_client.auth.flows import ClockSkews, is_signature_time_rejection
from hwcloud_client.errors import (
    APIError,
    BodyNotReplayableError,
    ConfigurationError,
    RedirectError,
    ServerError,
    UnsafeRedirectError,
    api_error_from_response,
)
from hwcloud_client.testing import FakeHuaweiCloud
from tests.helpers import CREDS, Recorder, facade

pytestmark = pytest.mark.anyio

NOW = 1_773_133_200.0
NO_WAIT = RetryPolicy(backoff_base=0.0, backoff_cap=0.0, retry_after_cap=0.0)


def error(status: int, code: str | None = None, msg: str | None = None, **headers: str) -> APIError:
    body = b"" if code is None else f'{{"error_code": "{code}", "error_msg": "{msg or ""}"}}'.encode()
    return api_error_from_response(status_code=status, headers=headers, body=body)


def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


# --- clock skews: bounded, per endpoint, and only from signature-time rejections ------------------------


def test_a_skew_is_learned_for_the_endpoint_that_answered_only() -> None:
    skews = ClockSkews(lambda: NOW)
    assert skews.learn("ecs.example", http_date(NOW + 3600))
    assert skews.now("ecs.example") == NOW + 3600
    assert skews.now("iam.example") == NOW, "another endpoint keeps the wall clock"
    assert skews.wall() == NOW


@pytest.mark.parametrize("offset", [9 * 365 * 86400.0, -2 * 86400.0])
def test_an_absurd_date_is_not_adopted(offset: float) -> None:
    skews = ClockSkews(lambda: NOW)
    assert not skews.learn("partner.example", http_date(NOW + offset))
    assert skews.now("partner.example") == NOW


def test_a_date_within_the_gateways_tolerance_teaches_nothing() -> None:
    skews = ClockSkews(lambda: NOW)
    assert not skews.learn("ecs.example", http_date(NOW + 60))
    assert skews.learn("ecs.example", http_date(NOW + 20 * 60))
    assert not skews.learn("ecs.example", http_date(NOW + 20 * 60)), "the same answer again changes nothing"


@pytest.mark.parametrize("date", [None, "", "yesterday", "Thu, 99 Foo 2026 99:99:99 GMT"])
def test_a_missing_or_garbled_date_teaches_nothing(date: str | None) -> None:
    assert not ClockSkews(lambda: NOW).learn("ecs.example", date)


def test_only_a_signature_time_rejection_counts() -> None:
    assert is_signature_time_rejection(error(401, "APIGW.0301", "signature expired"))
    assert is_signature_time_rejection(error(403, "RequestTimeTooSkewed", "The difference between time is too large"))
    assert not is_signature_time_rejection(error(500, "APIGW.0301", "signature expired")), "a 5xx is no rejection"
    assert not is_signature_time_rejection(error(401, "APIGW.0301", "incorrect signature"))
    assert not is_signature_time_rejection(error(400, "Ecs.0005", "the date is invalid"))


async def test_a_5xx_mentioning_expiry_with_a_date_does_not_move_the_clock() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        body = {"error_code": "APIGW.0301", "error_msg": "token expired at this time"}
        return httpx.Response(502, json=body, headers={"Date": http_date(NOW + 7200)})

    async with facade(Recorder(answer), clock=lambda: NOW, retry=RetryPolicy(max_attempts=1)) as cloud:
        with pytest.raises(ServerError):
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
        assert cloud.skews.now("ecs.cn-north-4.myhuaweicloud.com") == NOW


async def test_a_far_future_date_cannot_stretch_a_presigned_url() -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    fake.faults.clock_skew = 9 * 365 * 86400.0  # a broken or hostile OBS endpoint
    async with AsyncHuaweiCloud(
        region=fake.region, credentials=fake.credentials, project=fake.project_id, environ={}, clock=lambda: NOW,
        config=ClientConfig(retry=NO_WAIT), http_client=httpx.AsyncClient(transport=fake.transport()),
    ) as cloud:
        with pytest.raises(APIError, match="RequestTimeTooSkewed"):
            await cloud.obs.create_bucket("skewed-bucket")
        url = await cloud.obs.create_signed_url("GET", "skewed-bucket", "k", expires_in=300)
    assert parse_qs(urlsplit(url).query)["Expires"] == [str(int(NOW) + 300)]


async def test_a_presigned_url_ignores_a_learned_skew() -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    fake.faults.clock_skew = 3600
    async with AsyncHuaweiCloud(
        region=fake.region, credentials=fake.credentials, project=fake.project_id, environ={}, clock=lambda: NOW,
        config=ClientConfig(retry=NO_WAIT), http_client=httpx.AsyncClient(transport=fake.transport()),
    ) as cloud:
        await cloud.obs.create_bucket("skewed-bucket")  # learns the hour on the way
        url = await cloud.obs.create_signed_url("GET", "skewed-bucket", "k", expires_in=300)
    assert parse_qs(urlsplit(url).query)["Expires"] == [str(int(NOW) + 300)]


# --- defect 1: a one-shot body is never sent twice ---------------------------------------------------------


async def test_a_one_shot_body_is_not_resent_after_a_skew_rejection_and_nothing_is_stored() -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    async with AsyncHuaweiCloud(
        region=fake.region, credentials=fake.credentials, project=fake.project_id, environ={}, clock=lambda: NOW,
        config=ClientConfig(retry=NO_WAIT), http_client=httpx.AsyncClient(transport=fake.transport()),
    ) as cloud:
        await cloud.obs.create_bucket("one-shot")
        fake.faults.clock_skew = 20 * 60

        async def chunks() -> AsyncIterator[bytes]:
            yield b"precious "
            yield b"data"

        with pytest.raises(BodyNotReplayableError, match="one-shot stream") as caught:
            await cloud.obs.put_object("one-shot", "k", chunks(), content_length=13)
        assert isinstance(caught.value.__cause__, APIError)
        listing = await cloud.obs.list_objects("one-shot")
    assert [entry.key for entry in listing.contents] == [], "no empty object was stored by a replay"


async def test_a_one_shot_body_is_not_retried_after_a_503() -> None:
    recorder = Recorder(lambda request: httpx.Response(503))

    async def chunks() -> AsyncIterator[bytes]:
        yield b"once"

    async with facade(recorder) as cloud:
        with pytest.raises(ServerError):
            await cloud.send("PUT", "https://ecs.cn-north-4.myhuaweicloud.com/v1/x", content=chunks())
    assert len(recorder.requests) == 1


async def test_a_body_factory_is_replayed_from_the_start() -> None:
    answers = iter([httpx.Response(503), httpx.Response(200)])
    recorder = Recorder(lambda request: next(answers))

    async def chunks() -> AsyncIterator[bytes]:
        yield b"again"

    async with facade(recorder) as cloud:
        await cloud.send("PUT", "https://ecs.cn-north-4.myhuaweicloud.com/v1/x", content=chunks)
    assert [request.content for request in recorder.requests] == [b"again", b"again"]


# --- IAM token flow -----------------------------------------------------------------------------------


async def test_a_revoked_token_is_renewed_once_for_many_calls_in_flight() -> None:
    fetched: list[str] = []

    async def fetch() -> tuple[SecretStr, float]:
        fetched.append(f"token-{len(fetched)}")
        await anyio.sleep(0.01)
        return SecretStr(fetched[-1]), NOW + 86400

    revoked = {"token-0"}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["x-auth-token"] in revoked:
            return httpx.Response(401, json={"error": {"code": "APIGW.0307", "message": "token expired"}})
        return httpx.Response(200, json={})

    auth = TokenAuth(fetch, clock=lambda: NOW)
    async with facade(Recorder(answer), credentials=auth) as cloud:
        await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
        revoked.add("token-0")
        async with anyio.create_task_group() as group:
            for _ in range(200):
                group.start_soon(cloud.request, "ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    assert fetched == ["token-0", "token-1"], "one new token for all 200 refused calls"


def test_invalidating_a_rejected_token_keeps_a_newer_one() -> None:
    auth = TokenAuth(_never, clock=lambda: NOW)
    auth._token, auth._refresh_at = SecretStr("new"), NOW + 60
    auth.invalidate(rejected="old")
    assert auth._fresh_token() is not None
    auth.invalidate(rejected="new")
    assert auth._fresh_token() is None


async def _never() -> tuple[SecretStr, float]:
    raise AssertionError("not fetched")


async def test_a_token_is_not_renewed_after_a_403() -> None:
    async def fetch() -> tuple[SecretStr, float]:
        return SecretStr("t"), NOW + 86400

    recorder = Recorder(lambda request: httpx.Response(403, json={"error_code": "IAM.0002", "error_msg": "denied"}))
    async with facade(recorder, credentials=TokenAuth(fetch, clock=lambda: NOW)) as cloud:
        with pytest.raises(APIError):
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    assert len(recorder.requests) == 1


# --- retry decisions -------------------------------------------------------------------------------------


def test_retry_after_is_capped_at_the_policy_cap() -> None:
    policy = RetryPolicy(backoff_base=0.0, backoff_cap=0.0, retry_after_cap=5.0)
    assert backoff_delay(1, policy, retry_after=3600) == 5.0
    assert backoff_delay(1, policy, retry_after=2.0) == 2.0


def test_backoff_grows_and_is_capped_with_full_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    bounds: list[float] = []
    monkeypatch.setattr("random.uniform", lambda low, high: bounds.append(high) or high)
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=3.0)
    delays = [backoff_delay(attempt, policy) for attempt in (1, 2, 3, 4)]
    assert bounds == [0.5, 1.0, 2.0, 3.0] and delays == bounds


def test_backoff_jitter_stays_within_its_bound() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=8.0)
    delays = [backoff_delay(3, policy) for _ in range(200)]
    assert all(0.0 <= delay <= 4.0 for delay in delays) and len(set(delays)) > 100


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0.0), ("-5", 0.0), ("2.5", 2.5), ("nan", 0.0), ("soon", None), ("", None),
     (http_date(NOW + 30), 30.0), (http_date(NOW - 30), 0.0)],
)
def test_retry_after_in_seconds_or_as_an_http_date(value: str, expected: float | None) -> None:
    assert retry_after_seconds({"retry-after": value}, now=NOW) == expected


def test_the_budget_stops_retries_and_successes_refill_it() -> None:
    budget = RetryBudget(12, retry_cost=5, timeout_cost=10, success_refund=1)
    assert budget.withdraw(after_timeout=False) == 5
    assert budget.withdraw(after_timeout=True) == 0, "7 left cannot pay for a timeout's 10"
    assert budget.withdraw(after_timeout=False) == 5
    assert budget.withdraw(after_timeout=False) == 0
    budget.deposit(100)
    assert budget.available == 12, "never above capacity"


def test_a_call_that_retried_gives_its_tokens_back_on_success() -> None:
    budget = RetryBudget(20)
    retries = CallRetries(RetryPolicy(max_attempts=3, backoff_base=0.0, backoff_cap=0.0), budget)
    assert retries.after_error(error(503), idempotent=False, replayable=True) == 0.0
    assert budget.available == 15
    retries.succeeded()
    assert budget.available == 20


def test_retries_stop_at_max_attempts_and_for_what_is_not_retryable() -> None:
    retries = CallRetries(RetryPolicy(max_attempts=2, backoff_base=0.0, backoff_cap=0.0), RetryBudget())
    assert retries.after_error(error(500), idempotent=False, replayable=True) is None, "POST + 500: not retried"
    assert retries.after_error(error(500), idempotent=True, replayable=False) is None, "spent body"
    assert retries.after_error(error(500), idempotent=True, replayable=True) == 0.0
    assert retries.after_error(error(500), idempotent=True, replayable=True) is None, "2 attempts made"


async def test_a_503_storm_stays_within_the_clients_retry_budget() -> None:
    fake = FakeHuaweiCloud()
    fake.faults.fail_next(10_000, status=503)
    config = ClientConfig(retry=RetryPolicy(max_attempts=5, backoff_base=0.0, backoff_cap=0.0))
    async with AsyncHuaweiCloud(
        region=fake.region, credentials=fake.credentials, project=fake.project_id, environ={}, config=config,
        http_client=httpx.AsyncClient(transport=fake.transport()),
    ) as cloud:
        cloud.retry_budget = RetryBudget(50, retry_cost=5)
        for _ in range(30):
            with pytest.raises(ServerError):
                await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    retries = len(fake.calls) - 30
    assert retries == 10, "50 tokens pay for 10 retries; without a budget 30 calls would make 120"


# --- the sharded transport -------------------------------------------------------------------------------


class CountingShard(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return httpx.Response(200, stream=httpx.ByteStream(b"body"))


async def test_a_shard_is_busy_until_its_response_closes() -> None:
    transport = ShardedTransport([CountingShard(), CountingShard()])
    async with httpx.AsyncClient(transport=transport) as client:
        request = client.build_request("GET", "https://example.test/")
        streamed = await client.send(request, stream=True)
        assert transport.free_shards == 1
        await client.get("https://example.test/")
        assert transport.free_shards == 1, "a read response gives its shard back"
        await streamed.aclose()
        await streamed.aclose()
        assert transport.free_shards == 2, "closing twice returns the shard once"


async def test_waiting_for_a_shard_honours_the_pool_timeout() -> None:
    transport = ShardedTransport([CountingShard()])
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(5.0, pool=0.01)) as client:
        held = await client.send(client.build_request("GET", "https://example.test/"), stream=True)
        with pytest.raises(httpx.PoolTimeout):
            await client.get("https://example.test/")
        await held.aclose()
        assert (await client.get("https://example.test/")).status_code == 200


async def test_a_failing_shard_is_released() -> None:
    class Broken(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

    transport = ShardedTransport([Broken()])
    async with httpx.AsyncClient(transport=transport) as client:
        for _ in range(2):
            with pytest.raises(httpx.ConnectError):
                await client.get("https://example.test/")
    assert transport.free_shards == 1


# --- defects 3 and 5, and bad path and query values ------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["@evil.example/x", ".evil.example/x", "v1/x", "/v1/../v2/x", "/v1/./x", "/v1/%2e%2e/x", "/v1/a b"]
)
async def test_a_path_that_could_change_the_host_or_climb_is_refused(path: str) -> None:
    recorder = Recorder(lambda request: httpx.Response(200))
    async with facade(recorder) as cloud:
        with pytest.raises(ConfigurationError, match="path"):
            await cloud.request("ecs", "GET", path)
    assert recorder.requests == []


@pytest.mark.parametrize("value", ["", None, b"raw"])
async def test_an_empty_or_none_path_value_is_refused(value: Any) -> None:
    recorder = Recorder(lambda request: httpx.Response(200))
    async with facade(recorder) as cloud:
        with pytest.raises(ConfigurationError, match="server_id"):
            path, params = "/v1/{project_id}/cloudservers/{server_id}", {"server_id": value}
            await cloud.request("ecs", "GET", path, path_params=params)
    assert recorder.requests == []


async def test_bytes_query_values_are_refused() -> None:
    recorder = Recorder(lambda request: httpx.Response(200))
    async with facade(recorder) as cloud:
        with pytest.raises(ConfigurationError, match="'name' is bytes"):
            await cloud.request("ecs", "GET", "/v1/x", params={"name": b"raw"})
    assert recorder.requests == []


@pytest.mark.parametrize("status", [301, 302, 304, 307])
async def test_a_3xx_is_an_error_not_a_success(status: int) -> None:
    recorder = Recorder(lambda request: httpx.Response(status, headers={"Location": "https://elsewhere.example/"}))
    async with facade(recorder) as cloud:
        with pytest.raises(RedirectError) as caught:
            await cloud.obs.delete_object("bucket-a", "k")
    assert caught.value.status_code == status and len(recorder.requests) == 1


# --- defect 4: redirects never carry credentials to another host ----------------------------------------


def redirecting(request: httpx.Request) -> httpx.Response:
    if request.url.host == "ecs.cn-north-4.myhuaweicloud.com":
        return httpx.Response(302, headers={"Location": "https://attacker.example/steal"})
    return httpx.Response(200)


async def test_the_sdk_never_follows_a_redirect_even_with_a_following_client() -> None:
    recorder = Recorder(redirecting)
    client = httpx.AsyncClient(transport=httpx.MockTransport(recorder), follow_redirects=True)
    async with AsyncHuaweiCloud(
        region="cn-north-4", credentials=CREDS, project="p1", http_client=client, environ={}
    ) as cloud:
        with pytest.raises(RedirectError):
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    await client.aclose()
    assert [request.url.host for request in recorder.requests] == ["ecs.cn-north-4.myhuaweicloud.com"]


async def test_the_hook_refuses_to_sign_a_request_redirected_to_another_host() -> None:
    recorder = Recorder(redirecting)
    token_creds = CREDS.model_copy(update={"security_token": SecretStr("session-token")})
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(recorder), follow_redirects=True,
        event_hooks={"request": [signing_hook(token_creds)]},
    ) as client:
        with pytest.raises(UnsafeRedirectError, match="attacker.example"):
            await client.get("https://ecs.cn-north-4.myhuaweicloud.com/v1/p1/cloudservers/flavors")
    assert [request.url.host for request in recorder.requests] == ["ecs.cn-north-4.myhuaweicloud.com"]


async def test_calls_in_flight_when_the_facade_closes_get_a_clear_error() -> None:
    started = anyio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        started.set()
        await anyio.sleep(0.05)
        return httpx.Response(200)

    cloud = AsyncHuaweiCloud(
        region="cn-north-4", credentials=CREDS, project="p1", environ={},
        config=ClientConfig(retry=NO_WAIT, max_connections=1, max_keepalive_connections=1),
    )
    cloud._http = httpx.AsyncClient(transport=ShardedTransport([httpx.MockTransport(slow)]))
    outcomes: list[BaseException] = []

    async def call() -> None:
        try:
            await cloud.request("ecs", "GET", "/v1/{project_id}/a")
            await cloud.request("ecs", "GET", "/v1/{project_id}/b")
        except Exception as caught:
            outcomes.append(caught)

    async with anyio.create_task_group() as group:
        group.start_soon(call)
        await started.wait()
        await cloud.aclose()
    assert len(outcomes) == 1 and isinstance(outcomes[0], ConfigurationError)
    assert "closed" in str(outcomes[0])


async def test_head_object_learns_the_clock_from_a_bare_403_and_re_signs_once() -> None:
    answers = iter([
        httpx.Response(403, headers={"Date": http_date(NOW + 30 * 60)}),
        httpx.Response(200, headers={"Content-Length": "3", "ETag": '"e"'}),
    ])
    recorder = Recorder(lambda request: next(answers))
    async with facade(recorder, clock=lambda: NOW) as cloud:
        info = await cloud.obs.head_object("bucket-a", "k")
    assert info.etag == '"e"'
    first, second = recorder.requests
    assert first.headers["date"] == http_date(NOW) and second.headers["date"] == http_date(NOW + 30 * 60)


async def test_a_bare_403_within_the_tolerance_is_just_forbidden() -> None:
    recorder = Recorder(lambda request: httpx.Response(403, headers={"Date": http_date(NOW + 60)}))
    async with facade(recorder, clock=lambda: NOW) as cloud:
        with pytest.raises(APIError) as caught:
            await cloud.obs.head_object("bucket-a", "k")
    assert caught.value.status_code == 403 and len(recorder.requests) == 1


async def test_an_unsigned_call_keeps_the_callers_authorization_and_adds_no_signature() -> None:
    from hwcloud_client.auth.flows import UNSIGNED

    recorder = Recorder(lambda request: httpx.Response(201, json={}))
    async with facade(recorder) as cloud:
        await cloud.request("iam", "POST", "/v3.0/OS-AUTH/id-token/tokens", headers={"Authorization": "id-token"},
                            json={}, auth=UNSIGNED)
    [request] = recorder.requests
    assert request.headers["authorization"] == "id-token" and "x-sdk-date" not in request.headers
