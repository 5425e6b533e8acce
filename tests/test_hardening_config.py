"""Configuration against hostile or sloppy input: anchored patterns (a trailing newline is not a valid id), and
secrets (the SK, a proxy's password) kept out of dumps and out of every part of a ValidationError."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, Endpoint, Project, Stage
from hwcloud_client.config import Account
from hwcloud_client.endpoints import resolve_endpoint
from hwcloud_client.errors import ConfigurationError

SK = "sk-very-secret-value"
PROXY_PASSWORD = "proxy-pa55word"
PROXY = f"http://alice:{PROXY_PASSWORD}@proxy.example:3128"


# --- anchored patterns --------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["cn-north-4\n", "cn-north-4\r\n", "\ncn-north-4"])
def test_a_region_with_a_newline_is_not_a_region(region: str) -> None:
    """``$`` matches before a trailing newline: "cn-north-4\\n" passed and died later in httpx."""
    with pytest.raises(ConfigurationError, match="not a valid region id"):
        resolve_endpoint("ecs", region, environ={})


def test_the_facade_refuses_such_a_region_before_any_request() -> None:
    cloud = AsyncHuaweiCloud(region="cn-north-4\n", credentials=Credentials(ak="AK", sk=SK), environ={})
    with pytest.raises(ConfigurationError, match="region"):
        cloud.endpoint("ecs")


def test_a_service_name_with_a_newline_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="service name"):
        resolve_endpoint("ecs\n", "cn-north-4", environ={})


@pytest.mark.parametrize(
    "build",
    [
        lambda: Project(project_id="p1\n"),
        lambda: Project(project_id="p1", subproject_id="s1\n"),
        lambda: Account(domain_id="d1\n"),
        lambda: Stage(name="RELEASE\n"),
    ],
    ids=["project_id", "subproject_id", "domain_id", "stage"],
)
def test_ids_with_a_trailing_newline_are_refused(build: Callable[[], object]) -> None:
    """They go into headers (X-Project-Id, X-Domain-Id, x-stage), where a newline is refused only by httpx."""
    with pytest.raises(ValidationError, match="letters, digits"):
        build()


# --- the proxy's password in dumps ----------------------------------------------------------------------------


def test_dumps_mask_the_proxy_password_and_the_client_keeps_the_url() -> None:
    config = ClientConfig(proxy=PROXY)
    for dump in (str(config.model_dump()), config.model_dump_json(), str(config.model_dump(mode="json"))):
        assert PROXY_PASSWORD not in dump
        assert "http://alice:***@proxy.example:3128" in dump
    assert PROXY_PASSWORD not in repr(config) and PROXY_PASSWORD not in str(config)
    assert config.proxy == PROXY, "the client passes config.proxy to httpx: it must stay the real URL"
    assert config.model_copy(update={"max_connections": 1}).proxy == PROXY


@pytest.mark.parametrize("proxy", [None, "http://proxy.example:3128", "http://alice@proxy.example:3128"])
def test_proxies_without_a_password_are_dumped_as_they_are(proxy: str | None) -> None:
    assert ClientConfig(proxy=proxy).model_dump()["proxy"] == proxy


@pytest.mark.anyio
async def test_the_facade_hands_the_real_proxy_url_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    real_transport = httpx.AsyncHTTPTransport

    def recording_transport(*args: Any, **kwargs: Any) -> httpx.AsyncHTTPTransport:
        seen.append(kwargs.get("proxy"))
        return real_transport(*args, **kwargs)

    monkeypatch.setattr(httpx, "AsyncHTTPTransport", recording_transport)
    config = ClientConfig(proxy=PROXY)
    async with AsyncHuaweiCloud(region="cn-north-4", credentials=Credentials(ak="AK", sk=SK), config=config) as cloud:
        assert cloud.http is not None
    assert seen and set(seen) == {PROXY}


# --- secrets in ValidationError --------------------------------------------------------------------------------

INVALID = {
    "sk with whitespace": lambda: Credentials(ak="AK", sk=f" {SK} "),
    "ak missing (input is the whole dict)": lambda: Credentials(sk=SK),  # type: ignore[call-arg]
    "ak not a string": lambda: Credentials.model_validate({"ak": 1, "sk": SK}),
    "unknown field": lambda: Credentials(ak="AK", sk=SK, region=SK),  # type: ignore[call-arg]
    "from json": lambda: Credentials.model_validate_json(json.dumps({"ak": "A K", "sk": SK})),
    "token not a string": lambda: Credentials.model_validate({"ak": "AK", "sk": SK, "security_token": [SK]}),
    "proxy scheme": lambda: ClientConfig(proxy=f"ftp://alice:{PROXY_PASSWORD}@proxy.example"),
    "pool check (a model-level error)": lambda: ClientConfig(
        proxy=PROXY, max_connections=1, max_keepalive_connections=5
    ),
    "unknown config field": lambda: ClientConfig(proxy=PROXY, retries=3),  # type: ignore[call-arg]
    "bad type beside the proxy": lambda: ClientConfig.model_validate({"proxy": PROXY, "verify": "maybe"}),
    "endpoint with userinfo": lambda: Endpoint(url=f"https://alice:{PROXY_PASSWORD}@obs.example"),
    "nested endpoint": lambda: ClientConfig(endpoints={"obs": {"url": f"https://alice:{PROXY_PASSWORD}@obs.example"}}),
    "nested endpoint string": lambda: ClientConfig(endpoints={"obs": f"https://alice:{PROXY_PASSWORD}@obs.example"}),
    "from env": lambda: ClientConfig.from_env({"HUAWEICLOUD_SDK_PROXY": f"ftp://alice:{PROXY_PASSWORD}@x"}),
}


@pytest.mark.parametrize("build", INVALID.values(), ids=INVALID.keys())
def test_validation_errors_carry_no_secret_in_any_form(build: Callable[[], object]) -> None:
    """hide_input_in_errors hides the input from str() only: errors() and json() still held it (the whole
    input dict for a missing field or a model-level check), so a logged ``exc.errors()`` leaked the SK."""
    with pytest.raises(ValidationError) as caught:
        build()
    error = caught.value
    renderings = [
        str(error),
        repr(error),
        error.json(),
        repr(error.errors()),
        repr(error.errors(include_url=False, include_context=True, include_input=True)),
    ]
    for text in renderings:
        assert SK not in text and PROXY_PASSWORD not in text, text
    assert all(entry["input"] == "<hidden>" for entry in error.errors())
    assert error.errors()[0]["msg"], "the reason is still there"
