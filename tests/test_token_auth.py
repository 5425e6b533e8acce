"""Token auth: X-Auth-Token instead of a signature, refresh before expiry, one fetch at a time, no leaks."""

from __future__ import annotations

import json
import logging

import anyio
import httpx
import pytest
from pydantic import SecretStr

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, HuaweiCloud
from hwcloud_client.auth.token import TokenAuth
from hwcloud_client.errors import AuthenticationError, ConfigurationError, ConnectError
from hwcloud_client.errors import TimeoutError as HuaweiCloudTimeoutError
from tests.helpers import GatedFetch, Recorder

pytestmark = pytest.mark.anyio

TOKEN = "MIIEhwYJKoZIhvcNAQcCoIIEeDCCBHQCAQExDTALBglghkgBZQMEAgEwggKVBgkqhkiG9w0BBwGgggKGBIIC"
PASSWORD = "Pa55-w0rd!"
NOW = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class CountingFetch:
    """Hands out token-1, token-2... each valid for ``lifetime`` seconds from the clock's now."""

    def __init__(self, clock: Clock, *, lifetime: float = 86_400.0, delay: float = 0.0) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.delay = delay
        self.calls = 0

    async def __call__(self) -> tuple[SecretStr, float]:
        self.calls += 1
        if self.delay:
            await anyio.sleep(self.delay)
        return SecretStr(f"token-{self.calls}"), self.clock() + self.lifetime


def clocked_auth(**kwargs: float) -> tuple[TokenAuth, CountingFetch]:
    """A TokenAuth and its fetch on one fake clock (tokens must not look expired to the real clock)."""
    clock = Clock()
    fetch = CountingFetch(clock, **kwargs)
    return TokenAuth(fetch, clock=clock), fetch


def ecs_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"count": 0, "servers": []})


def cloud_with(auth: TokenAuth, recorder: Recorder, **kwargs: object) -> AsyncHuaweiCloud:
    kwargs.setdefault("project", "p1")
    return AsyncHuaweiCloud(region="cn-north-4", credentials=auth, config=ClientConfig(), http_client=recorder.client(),
                            environ={}, **kwargs)  # type: ignore[arg-type]


async def test_requests_carry_the_token_instead_of_a_signature() -> None:
    auth, fetch = clocked_auth()
    recorder = Recorder(ecs_answer)
    async with cloud_with(auth, recorder) as cloud:
        await cloud.ecs.list_servers_details(limit=1)
        await cloud.ecs.list_servers_details(limit=1)
    for request in recorder.requests:
        assert request.headers["X-Auth-Token"] == "token-1"
        assert request.headers["X-Project-Id"] == "p1"
        assert "Authorization" not in request.headers and "X-Sdk-Date" not in request.headers
    assert fetch.calls == 1


async def test_concurrent_calls_share_one_fetch() -> None:
    auth, fetch = clocked_auth(delay=0.01)
    tokens: list[str] = []

    async def use() -> None:
        tokens.append((await auth.token()).get_secret_value())

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(use)
    assert fetch.calls == 1
    assert tokens == ["token-1"] * 20


async def test_callers_queued_behind_a_failed_fetch_share_its_error_and_the_next_call_retries() -> None:
    clock = Clock()
    fetch = GatedFetch(lambda call: (SecretStr(f"token-{call}"), clock() + 3600))
    fetch.error = ConnectError("IAM unreachable")
    auth = TokenAuth(fetch, clock=clock)
    failures: list[Exception] = []

    async def use() -> None:
        try:
            await auth.token()
        except ConnectError as exc:
            failures.append(exc)

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(use)
        await anyio.wait_all_tasks_blocked()
        fetch.release.set()
    assert len(failures) == 5 and fetch.calls == 1
    fetch.error = None
    assert (await auth.token()).get_secret_value() == "token-2"


async def test_a_hung_fetch_raises_the_sdk_timeout_error() -> None:
    async def hung() -> tuple[SecretStr, float]:
        await anyio.sleep_forever()
        raise AssertionError

    auth = TokenAuth(hung, refresh_timeout=0.05)
    with pytest.raises(HuaweiCloudTimeoutError, match=r"^fetching an IAM token took longer than 0\.05 s$"):
        await auth.token()
    assert repr(auth) == "TokenAuth(token=None)"


async def test_the_token_is_refreshed_before_it_expires() -> None:
    clock = Clock()
    fetch = CountingFetch(clock, lifetime=3600)
    auth = TokenAuth(fetch, refresh_before=600, clock=clock)
    assert (await auth.token()).get_secret_value() == "token-1"
    clock.now += 2999  # 601 s left: still good
    assert (await auth.token()).get_secret_value() == "token-1"
    clock.now += 2  # 599 s left: renew
    assert (await auth.token()).get_secret_value() == "token-2"
    auth.invalidate()
    assert (await auth.token()).get_secret_value() == "token-3"


async def test_a_short_lived_token_is_renewed_at_half_life_not_on_every_call() -> None:
    clock = Clock()
    fetch = CountingFetch(clock, lifetime=300)
    auth = TokenAuth(fetch, refresh_before=900, clock=clock)
    await auth.token()
    clock.now += 149
    await auth.token()
    assert fetch.calls == 1
    clock.now += 2
    await auth.token()
    assert fetch.calls == 2


async def test_project_and_domain_are_discovered_with_the_token() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/projects":
            return httpx.Response(200, json={"projects": [{"id": "p-found", "name": "cn-north-4"}]})
        if request.url.path == "/v3/auth/domains":
            return httpx.Response(200, json={"domains": [{"id": "d-found", "name": "acme"}]})
        return httpx.Response(200, json={"count": 0, "servers": [], "users": []})

    recorder = Recorder(answer)
    async with cloud_with(clocked_auth()[0], recorder, project=None) as cloud:
        await cloud.ecs.list_servers_details()
        await cloud.iam.keystone_list_users()
    paths = [request.url.path for request in recorder.requests]
    assert paths == ["/v3/projects", "/v1/p-found/cloudservers/detail", "/v3/auth/domains", "/v3/users"]
    assert all(request.headers["X-Auth-Token"] == "token-1" for request in recorder.requests)
    assert recorder.requests[1].headers["X-Project-Id"] == "p-found"
    assert recorder.requests[3].headers["X-Domain-Id"] == "d-found"


async def test_from_password_fetches_from_the_regional_iam_and_never_shows_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def iam(request: httpx.Request) -> httpx.Response:
        body = {"token": {"expires_at": "2099-01-01T00:00:00.000000Z", "methods": ["password"],
                          "project": {"id": "p1", "name": "cn-north-4"}}}
        return httpx.Response(201, json=body, headers={"X-Subject-Token": TOKEN})

    iam_recorder = Recorder(iam)
    auth = TokenAuth.from_password(
        domain_name="acme", user_name="ops", password=PASSWORD, project_name="cn-north-4", region="cn-north-4",
        http_client=iam_recorder.client(),
    )
    ecs_recorder = Recorder(ecs_answer)
    caplog.set_level(logging.DEBUG, logger="hwcloud_client")
    async with cloud_with(auth, ecs_recorder) as cloud:
        await cloud.ecs.list_servers_details()
        await cloud.ecs.list_servers_details()
        assert TOKEN not in repr(auth) and TOKEN not in repr(cloud)
    (token_request,) = iam_recorder.requests
    assert str(token_request.url) == "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens?nocatalog=true"
    assert "Authorization" not in token_request.headers
    assert json.loads(token_request.content)["auth"] == {
        "identity": {"methods": ["password"],
                     "password": {"user": {"name": "ops", "password": PASSWORD, "domain": {"name": "acme"}}}},
        "scope": {"project": {"name": "cn-north-4"}},
    }
    assert ecs_recorder.requests[0].headers["X-Auth-Token"] == TOKEN
    assert caplog.records, "the call should have been logged"
    assert TOKEN not in caplog.text and PASSWORD not in caplog.text


async def test_a_refused_password_raises_without_echoing_it() -> None:
    def iam(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"code": 401, "message": "The username or password is wrong.",
                                                   "title": "Unauthorized"}}, headers={"X-Request-Id": "r-401"})

    auth = TokenAuth.from_password(domain_name="acme", user_name="ops", password=SecretStr(PASSWORD),
                                   endpoint="https://iam.example.internal", http_client=Recorder(iam).client())
    with pytest.raises(AuthenticationError) as caught:
        await auth.token()
    assert "r-401" in str(caught.value) and PASSWORD not in str(caught.value)
    assert caught.value.url == "https://iam.example.internal/v3/auth/tokens"


async def test_aksk_only_operations_say_that_a_token_cannot_sign_them() -> None:
    with pytest.raises(ConfigurationError, match="AK/SK"):
        await TokenAuth(CountingFetch(Clock())).get_credentials()


def test_the_blocking_facade_accepts_token_auth() -> None:
    recorder = Recorder(ecs_answer)
    with HuaweiCloud(region="cn-north-4", credentials=clocked_auth()[0], project="p1",
                     http_client=recorder.client(), environ={}) as cloud:
        assert cloud.ecs.list_servers_details().servers == []
    assert recorder.requests[0].headers["X-Auth-Token"] == "token-1"
