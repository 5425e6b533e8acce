"""A refused signature explains what was signed (no secret) and the likeliest slip."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, RetryPolicy
from hwcloud_client.errors import APIError, AuthenticationError
from hwcloud_client.testing import FakeHuaweiCloud

pytestmark = pytest.mark.anyio

NOW = 1_773_133_200.0
FAST = RetryPolicy(max_attempts=1)


class Tampering(httpx.AsyncBaseTransport):
    """A proxy that rewrites a header after the client signed the request."""

    def __init__(self, fake: FakeHuaweiCloud, header: str, value: str) -> None:
        self.inner = fake.transport()
        self.header, self.value = header, value

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers = request.headers.copy()
        headers[self.header] = self.value
        forwarded = httpx.Request(request.method, request.url, headers=headers, content=await request.aread())
        return await self.inner.handle_async_request(forwarded)


def cloud_for(fake: FakeHuaweiCloud, transport: httpx.AsyncBaseTransport, credentials: Credentials) -> AsyncHuaweiCloud:
    return AsyncHuaweiCloud(
        region=fake.region, credentials=credentials, project=fake.project_id, environ={}, clock=lambda: NOW,
        config=ClientConfig(retry=FAST), http_client=httpx.AsyncClient(transport=transport),
    )


async def test_a_header_changed_after_signing_is_explained_with_what_was_signed() -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    async with cloud_for(fake, Tampering(fake, "x-project-id", "someone-else"), fake.credentials) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors", params={"a": "1"})
    message = str(caught.value)
    assert "--- canonical request ---" in message and "--- string to sign ---" in message
    assert f"x-project-id:{fake.project_id}" in message, "the value as signed, not as tampered"
    assert "SDK-HMAC-SHA256\n20260310T090000Z\n" in message
    assert "a header changed after signing" in message and "clock skew" not in message
    assert fake.credentials.sk.get_secret_value() not in message


async def test_a_wrong_clock_beyond_what_is_learned_is_explained_as_clock_skew() -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    fake.faults.clock_skew = 3 * 86400.0  # more than a learned skew may be
    async with cloud_for(fake, fake.transport(), fake.credentials) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    assert "clock skew: the request was signed -259200 s from the server's Date" in str(caught.value)


async def test_a_security_token_never_shows_in_the_explanation() -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    token = "session-token-that-must-not-leak"
    credentials = fake.credentials.model_copy(update={"security_token": SecretStr(token)})
    async with cloud_for(fake, Tampering(fake, "x-sdk-date", "20260310T090001Z"), credentials) as cloud:
        with pytest.raises(APIError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    assert caught.value.explanation is not None and token not in str(caught.value)
    assert "x-security-token:***" in str(caught.value)


async def test_obs_compares_its_string_to_sign_with_ours() -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    async with cloud_for(fake, fake.transport(), fake.credentials) as cloud:
        await cloud.obs.create_bucket("report-bucket")
    async with cloud_for(fake, Tampering(fake, "content-type", "text/plain"), fake.credentials) as cloud:
        with pytest.raises(APIError) as caught:
            await cloud.obs.put_object("report-bucket", "k", b"data")
    message = str(caught.value)
    assert caught.value.error_code == "SignatureDoesNotMatch"
    assert "--- OBS's string to sign ---" in message
    assert "first difference: line 3: we signed 'application/octet-stream', OBS computed 'text/plain'" in message
