from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anyio
import anyio.lowlevel
import httpx
import pytest
from pydantic import SecretStr

from hwcloud_client.auth.providers import (
    ChainCredentialsProvider,
    CredentialsNotFoundError,
    CredentialsProvider,
    EnvCredentialsProvider,
    MetadataCredentialsProvider,
    ProfileCredentialsProvider,
    RefreshingCredentialsProvider,
    StaticCredentialsProvider,
    default_provider_chain,
    parse_expiry,
)
from hwcloud_client.config import Credentials
from hwcloud_client.errors import ConfigurationError, ConnectError
from hwcloud_client.errors import TimeoutError as HuaweiCloudTimeoutError
from tests.helpers import GatedFetch

SK = "SECRET-sk-0123456789"
TOKEN = "SECRET-token-abcdef"
NEW_SK = "SECRET-new-sk-9876"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_credentials(ak: str = "AK-OLD", *, sk: str = SK, expires_at: float | None = None) -> Credentials:
    token = SecretStr(TOKEN) if expires_at else None
    return Credentials(ak=ak, sk=SecretStr(sk), security_token=token, expires_at=expires_at)


def hints(provider: CredentialsProvider) -> tuple[str | None, str | None]:
    return provider.project_id, provider.domain_id


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class CountingProvider:
    """A provider that yields fixed credentials (or raises) and counts how often it was asked."""

    def __init__(self, result: Credentials | Exception, *, project_id: str | None = None) -> None:
        self.result = result
        self.calls = 0
        self._project_id = project_id

    @property
    def project_id(self) -> str | None:
        return self._project_id

    @property
    def domain_id(self) -> str | None:
        return None

    async def get_credentials(self) -> Credentials:
        self.calls += 1
        await anyio.lowlevel.checkpoint()
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


# ---------------------------------------------------------------- parse_expiry


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T12:00:00.123456Z", datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp() + 0.123456),
        ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp()),
        ("2024-05-01T12:00:00", datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp()),
        ("2024-05-01 12:00:00.5", datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp() + 0.5),
        ("2024-05-01T20:00:00+08:00", datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp()),
        ("2024-05-01T07:30:00.000-0430", datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp()),
        ("2024-05-01T12:00:00.123456789z", datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp() + 0.123456789),
    ],
)
def test_parse_expiry(text: str, expected: float) -> None:
    assert parse_expiry(text) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("text", ["", "tomorrow", "2024-05-01", "2024-13-01T00:00:00Z", "1714564800"])
def test_parse_expiry_rejects_other_shapes(text: str) -> None:
    with pytest.raises(ValueError, match="expiry"):
        parse_expiry(text)


# ---------------------------------------------------------------- static and env


@pytest.mark.anyio
async def test_static_provider() -> None:
    credentials = make_credentials()
    provider = StaticCredentialsProvider(credentials, project_id="p1", domain_id="d1")
    assert isinstance(provider, CredentialsProvider)
    assert await provider.get_credentials() is credentials
    assert (provider.project_id, provider.domain_id) == ("p1", "d1")
    assert SK not in repr(provider)


@pytest.mark.anyio
async def test_env_provider_reads_the_official_names() -> None:
    environ = {
        "HUAWEICLOUD_SDK_AK": "AK-ENV",
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": TOKEN,
        "HUAWEICLOUD_SDK_PROJECT_ID": "project-1",
        "HUAWEICLOUD_SDK_DOMAIN_ID": "domain-1",
    }
    provider = EnvCredentialsProvider(environ=environ)
    assert (provider.project_id, provider.domain_id) == ("project-1", "domain-1")
    environ["HUAWEICLOUD_SDK_AK"] = "CHANGED-LATER"  # read once, at construction
    credentials = await provider.get_credentials()
    assert credentials.ak == "AK-ENV"
    assert credentials.sk.get_secret_value() == SK
    assert credentials.security_token is not None
    assert credentials.security_token.get_secret_value() == TOKEN
    assert SK not in repr(provider) and TOKEN not in repr(provider)


@pytest.mark.anyio
async def test_env_provider_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "AK-OS")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    monkeypatch.delenv("HUAWEICLOUD_SDK_PROJECT_ID", raising=False)
    provider = EnvCredentialsProvider()
    assert (await provider.get_credentials()).ak == "AK-OS"
    assert provider.project_id is None


@pytest.mark.anyio
async def test_env_provider_without_keys_is_not_found() -> None:
    provider = EnvCredentialsProvider(environ={"HUAWEICLOUD_SDK_AK": ""})
    with pytest.raises(CredentialsNotFoundError, match="HUAWEICLOUD_SDK_AK"):
        await provider.get_credentials()


@pytest.mark.anyio
async def test_env_provider_with_half_a_key_pair_is_a_configuration_error() -> None:
    provider = EnvCredentialsProvider(environ={"HUAWEICLOUD_SDK_SK": SK})
    with pytest.raises(ConfigurationError) as caught:
        await provider.get_credentials()
    assert not isinstance(caught.value, CredentialsNotFoundError)
    assert "HUAWEICLOUD_SDK_AK" in str(caught.value)
    assert SK not in str(caught.value)


@pytest.mark.anyio
async def test_env_provider_invalid_secret_does_not_leak() -> None:
    provider = EnvCredentialsProvider(environ={"HUAWEICLOUD_SDK_AK": "AK", "HUAWEICLOUD_SDK_SK": SK + "\n"})
    with pytest.raises(ConfigurationError, match="sk") as caught:
        await provider.get_credentials()
    assert SK not in str(caught.value)


# ---------------------------------------------------------------- profile file


OFFICIAL_FILE = f"""\
[basic]
ak = AK-FILE
sk = {SK}
project_id = project-file

[global]
ak = AK-FILE
sk = {SK}
domain_id = domain-file

[prod]
ak = AK-PROD
sk = %{SK}
security_token = {TOKEN}
"""


@pytest.mark.anyio
async def test_profile_basic_section_with_hints_from_global(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(OFFICIAL_FILE)
    provider = ProfileCredentialsProvider(path=path)
    assert hints(provider) == (None, None)  # learnt on first use
    credentials = await provider.get_credentials()
    assert credentials.ak == "AK-FILE"
    assert credentials.sk.get_secret_value() == SK
    assert hints(provider) == ("project-file", "domain-file")


@pytest.mark.anyio
async def test_profile_named_section_keeps_percent_signs(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(OFFICIAL_FILE)
    provider = ProfileCredentialsProvider(path=path, profile="prod")
    credentials = await provider.get_credentials()
    assert credentials.ak == "AK-PROD"
    assert credentials.sk.get_secret_value() == "%" + SK
    assert credentials.security_token is not None
    assert (provider.project_id, provider.domain_id) == (None, None)


@pytest.mark.anyio
async def test_profile_global_only_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(f"[global]\nak = AK-G\nsk = {SK}\ndomain_id = dom\n")
    provider = ProfileCredentialsProvider(path=path)
    assert (await provider.get_credentials()).ak == "AK-G"
    assert provider.domain_id == "dom"


@pytest.mark.anyio
async def test_profile_hints_are_not_borrowed_from_a_different_key(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(f"[basic]\nak = AK-1\nsk = {SK}\n[global]\nak = AK-2\nsk = {SK}\ndomain_id = dom\n")
    provider = ProfileCredentialsProvider(path=path)
    assert (await provider.get_credentials()).ak == "AK-1"
    assert provider.domain_id is None


@pytest.mark.anyio
async def test_profile_path_from_env_then_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    custom = tmp_path / "custom.ini"
    custom.write_text(f"[basic]\nak = AK-CUSTOM\nsk = {SK}\n")
    provider = ProfileCredentialsProvider(environ={"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(custom)})
    assert provider.path == custom
    assert (await provider.get_credentials()).ak == "AK-CUSTOM"

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".huaweicloud").mkdir()
    (tmp_path / ".huaweicloud" / "credentials").write_text(f"[basic]\nak = AK-HOME\nsk = {SK}\n")
    home_provider = ProfileCredentialsProvider(environ={})
    assert home_provider.path == tmp_path / ".huaweicloud" / "credentials"
    assert (await home_provider.get_credentials()).ak == "AK-HOME"


@pytest.mark.anyio
async def test_profile_file_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(f"[basic]\nak = AK-FIRST\nsk = {SK}\n")
    provider = ProfileCredentialsProvider(path=path)
    assert (await provider.get_credentials()).ak == "AK-FIRST"
    path.write_text(f"[basic]\nak = AK-SECOND\nsk = {SK}\n")
    assert (await provider.get_credentials()).ak == "AK-FIRST"


@pytest.mark.anyio
async def test_profile_missing_file_is_not_found(tmp_path: Path) -> None:
    provider = ProfileCredentialsProvider(path=tmp_path / "nope")
    with pytest.raises(CredentialsNotFoundError, match="not found"):
        await provider.get_credentials()


@pytest.mark.anyio
async def test_profile_missing_named_section_lists_the_sections(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(OFFICIAL_FILE)
    provider = ProfileCredentialsProvider(path=path, profile="staging")
    with pytest.raises(ConfigurationError, match=r"\[staging\].*\[basic\], \[global\], \[prod\]") as caught:
        await provider.get_credentials()
    assert not isinstance(caught.value, CredentialsNotFoundError)


@pytest.mark.anyio
async def test_profile_section_without_sk(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text("[basic]\nak = AK\n")
    with pytest.raises(ConfigurationError, match="needs both 'ak' and 'sk'"):
        await ProfileCredentialsProvider(path=path).get_credentials()


@pytest.mark.anyio
async def test_profile_malformed_file_does_not_quote_lines(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(f"[basic]\nak = AK\n{SK}\n")  # a line that is not "key = value"
    with pytest.raises(ConfigurationError, match="line 3") as caught:
        await ProfileCredentialsProvider(path=path).get_credentials()
    assert SK not in str(caught.value)

    path.write_text(f"sk = {SK}\n[basic]\n")  # no section header first
    with pytest.raises(ConfigurationError, match="MissingSectionHeaderError") as caught:
        await ProfileCredentialsProvider(path=path).get_credentials()
    assert SK not in str(caught.value)


# ---------------------------------------------------------------- metadata


def security_key_body(*, expires_at: str = "2099-01-01T00:00:00.000000Z", **overrides: object) -> bytes:
    credential: dict[str, object] = {
        "access": "AK-META",
        "secret": NEW_SK,
        "securitytoken": TOKEN,
        "expires_at": expires_at,
    }
    credential.update(overrides)
    return json.dumps({"credential": credential}).encode()


class FakeMetadataService:
    """An IMDS double for httpx.MockTransport; it records every request."""

    def __init__(self, *, token_status: int = 200, body: bytes | None = None, key_status: int = 200) -> None:
        self.token_status = token_status
        self.body = security_key_body() if body is None else body
        self.key_status = key_status
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        await anyio.sleep(0.01)  # let concurrent callers pile up
        if request.method == "PUT" and request.url.path == "/meta-data/latest/api/token":
            return httpx.Response(self.token_status, text="imds-token" if self.token_status == 200 else "")
        if request.method == "GET" and request.url.path == "/openstack/latest/securitykey":
            return httpx.Response(self.key_status, content=self.body)
        return httpx.Response(404)

    def count(self, method: str) -> int:
        return sum(1 for request in self.requests if request.method == method)


def metadata_provider(service: Callable[[httpx.Request], object]) -> MetadataCredentialsProvider:
    return MetadataCredentialsProvider(base_url="http://169.254.169.254", transport=httpx.MockTransport(service))  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_metadata_imdsv2() -> None:
    service = FakeMetadataService()
    provider = metadata_provider(service)
    credentials = await provider.get_credentials()
    await provider.aclose()

    assert credentials.ak == "AK-META"
    assert credentials.sk.get_secret_value() == NEW_SK
    assert credentials.security_token is not None
    assert credentials.expires_at == datetime(2099, 1, 1, tzinfo=timezone.utc).timestamp()
    put, get = service.requests
    assert (put.method, put.url.path, put.headers["X-Metadata-Token-Ttl-Seconds"]) == (
        "PUT",
        "/meta-data/latest/api/token",
        "21600",
    )
    assert (get.method, get.url.path, get.headers["X-Metadata-Token"]) == (
        "GET",
        "/openstack/latest/securitykey",
        "imds-token",
    )


class _LocalImdsHandler(BaseHTTPRequestHandler):
    def do_PUT(self) -> None:
        self._answer(b"local-token" if self.path == "/meta-data/latest/api/token" else None)

    def do_GET(self) -> None:
        authorized = self.headers.get("X-Metadata-Token") == "local-token"
        ok = self.path == "/openstack/latest/securitykey" and authorized
        self._answer(security_key_body() if ok else None)

    def _answer(self, body: bytes | None) -> None:
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        del format, args


@pytest.fixture
def local_imds() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LocalImdsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.anyio
async def test_metadata_never_goes_through_a_proxy(local_imds: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # An httpx client that trusted the environment would send these requests to the dead proxy.
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://proxy.invalid:3128")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    provider = MetadataCredentialsProvider(base_url=local_imds)
    credentials = await provider.get_credentials()
    await provider.aclose()
    assert credentials.ak == "AK-META"


@pytest.mark.anyio
@pytest.mark.parametrize("status", [404, 405, 503])
async def test_metadata_falls_back_to_imdsv1(status: int) -> None:
    service = FakeMetadataService(token_status=status)
    provider = metadata_provider(service)
    assert (await provider.get_credentials()).ak == "AK-META"
    await provider.aclose()
    get = service.requests[-1]
    assert get.url.path == "/openstack/latest/securitykey"
    assert "X-Metadata-Token" not in get.headers


@pytest.mark.anyio
async def test_metadata_accepts_other_spellings_and_expiry_without_fraction() -> None:
    body = json.dumps(
        {
            "credentials": {
                "accessKeyId": "AK-CAMEL",
                "secretAccessKey": NEW_SK,
                "securityToken": TOKEN,
                "expiration": "2099-01-01T08:00:00+08:00",
            }
        }
    ).encode()
    provider = metadata_provider(FakeMetadataService(body=body))
    credentials = await provider.get_credentials()
    await provider.aclose()
    assert credentials.ak == "AK-CAMEL"
    assert credentials.expires_at == datetime(2099, 1, 1, tzinfo=timezone.utc).timestamp()


@pytest.mark.anyio
async def test_metadata_without_agency_is_not_found_and_says_why() -> None:
    service = FakeMetadataService(key_status=401, body=b'{"error":"Please configure Cloud Service Agency first"}')
    provider = metadata_provider(service)
    with pytest.raises(CredentialsNotFoundError, match="no agency is attached"):
        await provider.get_credentials()
    await provider.aclose()


@pytest.mark.anyio
async def test_metadata_unexpected_token_status_is_not_found() -> None:
    provider = metadata_provider(FakeMetadataService(token_status=403))
    with pytest.raises(CredentialsNotFoundError, match="HTTP 403"):
        await provider.get_credentials()
    await provider.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"credential": {"access": "AK"}}).encode(),
        security_key_body(expires_at="soon"),
        json.dumps({"credential": {"access": "AK", "secret": NEW_SK}}).encode(),
    ],
)
async def test_metadata_malformed_answer_is_a_configuration_error_without_secrets(body: bytes) -> None:
    provider = metadata_provider(FakeMetadataService(body=body))
    with pytest.raises(ConfigurationError) as caught:
        await provider.get_credentials()
    await provider.aclose()
    assert not isinstance(caught.value, CredentialsNotFoundError)
    assert NEW_SK not in str(caught.value)


@pytest.mark.anyio
async def test_metadata_unreachable_is_a_connect_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    provider = metadata_provider(refuse)
    with pytest.raises(ConnectError, match="unreachable"):
        await provider.get_credentials()
    await provider.aclose()


@pytest.mark.anyio
async def test_metadata_timeout_is_a_timeout_error() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    provider = metadata_provider(hang)
    with pytest.raises(HuaweiCloudTimeoutError, match="timed out"):
        await provider.get_credentials()
    await provider.aclose()


@pytest.mark.anyio
async def test_one_metadata_fetch_for_100_concurrent_first_calls() -> None:
    service = FakeMetadataService()
    provider = metadata_provider(service)
    results: list[Credentials] = []

    async def call() -> None:
        results.append(await provider.get_credentials())

    async with anyio.create_task_group() as tasks:
        for _ in range(100):
            tasks.start_soon(call)
    await provider.aclose()

    assert len(results) == 100
    assert {credentials.ak for credentials in results} == {"AK-META"}
    assert (service.count("PUT"), service.count("GET")) == (1, 1)


@pytest.mark.anyio
async def test_metadata_aclose_closes_its_client_and_a_later_call_reopens() -> None:
    service = FakeMetadataService()
    provider = metadata_provider(service)
    await provider.aclose()  # nothing opened yet: a no-op
    await provider.get_credentials()
    await provider.aclose()
    assert len(service.requests) == 2


# ---------------------------------------------------------------- refreshing wrapper


def controlled_fetch(clock: FakeClock) -> GatedFetch[Credentials]:
    """A fetch whose answers the test releases: AK-1, AK-2..., each valid for an hour from the clock's now."""
    return GatedFetch(lambda call: make_credentials(f"AK-{call}", sk=NEW_SK, expires_at=clock.now + 3600.0))


def seeded(clock: FakeClock, fetch: GatedFetch[Credentials], *, remaining: float) -> RefreshingCredentialsProvider:
    provider = RefreshingCredentialsProvider(
        fetch, advisory_window=600, mandatory_window=120, advisory_retry_delay=10, clock=clock
    )
    provider._current = make_credentials(expires_at=clock.now + remaining)
    return provider


@pytest.mark.anyio
async def test_fresh_credentials_are_returned_without_fetching() -> None:
    clock = FakeClock()
    fetch = controlled_fetch(clock)
    provider = seeded(clock, fetch, remaining=601)
    assert (await provider.get_credentials()).ak == "AK-OLD"
    assert fetch.calls == 0


@pytest.mark.anyio
async def test_credentials_without_expiry_never_refresh() -> None:
    clock = FakeClock()
    fetch = controlled_fetch(clock)
    fetch.release.set()
    provider = RefreshingCredentialsProvider(fetch, clock=clock)
    provider._current = make_credentials()
    clock.now += 10**9
    assert (await provider.get_credentials()).ak == "AK-OLD"
    assert fetch.calls == 0


@pytest.mark.anyio
async def test_advisory_window_one_caller_refreshes_others_get_the_current_snapshot() -> None:
    clock = FakeClock()
    fetch = controlled_fetch(clock)
    provider = seeded(clock, fetch, remaining=300)
    refreshed: list[Credentials] = []

    async def refresher() -> None:
        refreshed.append(await provider.get_credentials())

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(refresher)
        await fetch.started.wait()
        # While the refresh is in flight, other callers are not held up.
        others = [await provider.get_credentials() for _ in range(5)]
        assert {credentials.ak for credentials in others} == {"AK-OLD"}
        fetch.release.set()

    assert [credentials.ak for credentials in refreshed] == ["AK-1"]
    assert fetch.calls == 1
    assert (await provider.get_credentials()).ak == "AK-1"


@pytest.mark.anyio
async def test_advisory_failure_keeps_old_credentials_and_warns_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    fetch = controlled_fetch(clock)
    fetch.error = ConnectError("ECS metadata service at http://169.254.169.254 is unreachable (ConnectError)")
    fetch.release.set()
    provider = seeded(clock, fetch, remaining=300)

    with caplog.at_level(logging.WARNING, logger="hwcloud_client"):
        credentials = await provider.get_credentials()
    assert credentials.ak == "AK-OLD"
    assert fetch.calls == 1
    [record] = [r for r in caplog.records if r.name == "hwcloud_client"]
    assert record.levelno == logging.WARNING
    assert "unreachable" in record.getMessage()
    assert SK not in caplog.text and TOKEN not in caplog.text and NEW_SK not in caplog.text

    # A broken source is not hit again on every call...
    clock.now += 5
    assert (await provider.get_credentials()).ak == "AK-OLD"
    assert fetch.calls == 1
    # ...but is retried after the delay, and a success replaces the snapshot.
    clock.now += 6
    fetch.error = None
    assert (await provider.get_credentials()).ak == "AK-2"
    assert fetch.calls == 2


@pytest.mark.anyio
@pytest.mark.parametrize("remaining", [120, 1, -5, None])
async def test_mandatory_window_everyone_waits_for_one_refresh(remaining: float | None) -> None:
    clock = FakeClock()
    fetch = controlled_fetch(clock)
    if remaining is None:
        provider = RefreshingCredentialsProvider(fetch, clock=clock)  # nothing fetched yet
    else:
        provider = seeded(clock, fetch, remaining=remaining)
    results: list[Credentials] = []

    async def call() -> None:
        results.append(await provider.get_credentials())

    async with anyio.create_task_group() as tasks:
        for _ in range(20):
            tasks.start_soon(call)
        await fetch.started.wait()
        await anyio.wait_all_tasks_blocked()
        assert results == []  # nobody got the old snapshot
        fetch.release.set()

    assert [credentials.ak for credentials in results] == ["AK-1"] * 20
    assert fetch.calls == 1


@pytest.mark.anyio
async def test_mandatory_failure_is_shared_then_retried_by_the_next_call() -> None:
    clock = FakeClock()
    fetch = controlled_fetch(clock)
    fetch.error = ConnectError("metadata unreachable")
    provider = seeded(clock, fetch, remaining=60)
    failures: list[Exception] = []

    async def call() -> None:
        try:
            await provider.get_credentials()
        except ConnectError as exc:
            failures.append(exc)

    async with anyio.create_task_group() as tasks:
        for _ in range(10):
            tasks.start_soon(call)
        await fetch.started.wait()
        await anyio.wait_all_tasks_blocked()
        fetch.release.set()

    assert len(failures) == 10
    assert fetch.calls == 1
    fetch.error = None
    assert (await provider.get_credentials()).ak == "AK-2"
    assert fetch.calls == 2


@pytest.mark.anyio
async def test_cancelling_the_refreshing_caller_does_not_cancel_the_shielded_fetch() -> None:
    clock = FakeClock()
    fetch = controlled_fetch(clock)
    provider = RefreshingCredentialsProvider(fetch, clock=clock)
    waiter_results: list[Credentials] = []
    refresher_scope = anyio.CancelScope()

    async def refresher() -> None:
        with refresher_scope:
            await provider.get_credentials()

    async def waiter() -> None:
        waiter_results.append(await provider.get_credentials())

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(refresher)
        await fetch.started.wait()
        tasks.start_soon(waiter)
        await anyio.wait_all_tasks_blocked()
        refresher_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        assert fetch.completed == 0  # still running inside its shield
        fetch.release.set()

    assert fetch.completed == 1
    assert fetch.calls == 1
    assert [credentials.ak for credentials in waiter_results] == ["AK-1"]
    assert (await provider.get_credentials()).ak == "AK-1"


@pytest.mark.anyio
async def test_cancelling_a_waiter_does_not_disturb_the_refresh() -> None:
    clock = FakeClock()
    fetch = controlled_fetch(clock)
    provider = RefreshingCredentialsProvider(fetch, clock=clock)
    results: list[Credentials] = []
    waiter_scope = anyio.CancelScope()

    async def refresher() -> None:
        results.append(await provider.get_credentials())

    async def waiter() -> None:
        with waiter_scope:
            await provider.get_credentials()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(refresher)
        await fetch.started.wait()
        tasks.start_soon(waiter)
        await anyio.wait_all_tasks_blocked()
        waiter_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        fetch.release.set()

    assert waiter_scope.cancelled_caught
    assert [credentials.ak for credentials in results] == ["AK-1"]
    assert fetch.calls == 1


@pytest.mark.anyio
async def test_refresh_is_bounded_by_refresh_timeout() -> None:
    clock = FakeClock()
    fetch = controlled_fetch(clock)  # never released
    provider = RefreshingCredentialsProvider(fetch, refresh_timeout=0.05, clock=clock)
    with pytest.raises(HuaweiCloudTimeoutError, match=r"longer than 0\.05 s"):
        await provider.get_credentials()
    assert fetch.completed == 0


def test_refreshing_provider_can_be_built_outside_an_event_loop_and_used_on_each_backend() -> None:
    async def fetch() -> Credentials:
        return make_credentials("AK-NEW", expires_at=time.time() + 3600)

    for backend in ("asyncio", "trio"):
        provider = RefreshingCredentialsProvider(fetch)  # no running loop here: the lock comes later
        assert anyio.run(provider.get_credentials, backend=backend).ak == "AK-NEW"


def test_refreshing_provider_rejects_inconsistent_windows() -> None:
    async def never() -> Credentials:
        raise AssertionError

    with pytest.raises(ConfigurationError, match="mandatory_window"):
        RefreshingCredentialsProvider(never, advisory_window=60, mandatory_window=120)
    with pytest.raises(ConfigurationError, match="refresh_timeout"):
        RefreshingCredentialsProvider(never, refresh_timeout=0)


# ---------------------------------------------------------------- chain


@pytest.mark.anyio
async def test_chain_takes_the_first_that_yields_and_remembers_it() -> None:
    missing = CountingProvider(CredentialsNotFoundError("nothing here"))
    unreachable = CountingProvider(ConnectError("metadata unreachable"))
    winner = CountingProvider(make_credentials("AK-WIN"), project_id="proj")
    later = CountingProvider(make_credentials("AK-LATER"))
    chain = ChainCredentialsProvider([missing, unreachable, winner, later])
    assert chain.project_id is None

    assert (await chain.get_credentials()).ak == "AK-WIN"
    assert (await chain.get_credentials()).ak == "AK-WIN"
    assert (missing.calls, unreachable.calls, winner.calls, later.calls) == (1, 1, 2, 0)
    assert chain.chosen_provider is winner
    assert chain.project_id == "proj"


@pytest.mark.anyio
async def test_chain_searches_once_for_concurrent_first_calls() -> None:
    missing = CountingProvider(CredentialsNotFoundError("nothing here"))
    winner = CountingProvider(make_credentials("AK-WIN"))
    chain = ChainCredentialsProvider([missing, winner])
    async with anyio.create_task_group() as tasks:
        for _ in range(50):
            tasks.start_soon(chain.get_credentials)
    assert missing.calls == 1
    assert winner.calls == 50


@pytest.mark.anyio
async def test_chain_stops_at_a_misconfigured_provider() -> None:
    broken = EnvCredentialsProvider(environ={"HUAWEICLOUD_SDK_AK": "AK-ONLY"})
    fallback = CountingProvider(make_credentials("AK-FALLBACK"))
    chain = ChainCredentialsProvider([broken, fallback])
    with pytest.raises(ConfigurationError, match="HUAWEICLOUD_SDK_SK"):
        await chain.get_credentials()
    assert fallback.calls == 0


def unused_local_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.anyio
async def test_default_chain_lists_every_reason_when_nothing_yields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    chain = default_provider_chain(environ={}, metadata_base_url=f"http://127.0.0.1:{unused_local_port()}")
    with pytest.raises(ConfigurationError) as caught:
        await chain.get_credentials()
    await chain.aclose()
    message = str(caught.value)
    assert not isinstance(caught.value, CredentialsNotFoundError)
    for reason in ("EnvCredentialsProvider", "HUAWEICLOUD_SDK_AK", "ProfileCredentialsProvider", "not found"):
        assert reason in message
    assert "MetadataCredentialsProvider" in message and "unreachable" in message


@pytest.mark.anyio
async def test_default_chain_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".huaweicloud").mkdir()
    (tmp_path / ".huaweicloud" / "credentials").write_text(OFFICIAL_FILE)
    environ = {"HUAWEICLOUD_SDK_AK": "AK-ENV", "HUAWEICLOUD_SDK_SK": SK, "HUAWEICLOUD_SDK_PROJECT_ID": "p-env"}
    dead_metadata = f"http://127.0.0.1:{unused_local_port()}"

    explicit = default_provider_chain(make_credentials("AK-EXPLICIT"), environ=environ, metadata_base_url=dead_metadata)
    assert (await explicit.get_credentials()).ak == "AK-EXPLICIT"
    assert isinstance(explicit.chosen_provider, StaticCredentialsProvider)

    custom = CountingProvider(make_credentials("AK-CUSTOM"))
    assert (await default_provider_chain(custom, environ=environ).get_credentials()).ak == "AK-CUSTOM"

    from_env = default_provider_chain(environ=environ, metadata_base_url=dead_metadata)
    assert (await from_env.get_credentials()).ak == "AK-ENV"
    assert from_env.project_id == "p-env"

    from_file = default_provider_chain(environ={}, metadata_base_url=dead_metadata)
    assert (await from_file.get_credentials()).ak == "AK-FILE"
    assert (from_file.project_id, from_file.domain_id) == ("project-file", "domain-file")
    for chain in (explicit, from_env, from_file):
        await chain.aclose()
    assert [type(p).__name__ for p in from_file.providers] == [
        "EnvCredentialsProvider",
        "ProfileCredentialsProvider",
        "MetadataCredentialsProvider",
    ]
    assert SK not in repr(from_file)


def test_chain_needs_providers() -> None:
    with pytest.raises(ConfigurationError):
        ChainCredentialsProvider([])


@pytest.mark.anyio
async def test_chain_aclose_closes_every_provider_even_when_one_fails() -> None:
    from hwcloud_client.auth.providers import ChainCredentialsProvider

    closed: list[str] = []

    class Closeable:
        project_id = domain_id = None

        def __init__(self, name: str, *, fail: bool) -> None:
            self.name, self.fail = name, fail

        async def get_credentials(self) -> Credentials:
            raise AssertionError("not used")

        async def aclose(self) -> None:
            closed.append(self.name)
            if self.fail:
                raise RuntimeError(f"{self.name} failed to close")

    chain = ChainCredentialsProvider([Closeable("first", fail=True), Closeable("second", fail=False)])
    with pytest.raises(RuntimeError, match="first failed"):
        await chain.aclose()
    assert closed == ["first", "second"]
