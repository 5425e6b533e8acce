"""OBS in FakeHuaweiCloud: temporary keys and their security token, and clock skew learned from OBS.

A temporary access key (issued by the emulated IAM) is accepted by the emulated OBS only with its own
security token: ``x-obs-security-token`` (``x-amz-security-token`` in the AWS dialect) as a header, or as a
query parameter of a pre-signed URL. That is the check the API Gateway side applies to ``X-Security-Token``,
through the same lookup. OBS answers a missing or wrong token with 403 ``InvalidAccessKeyId``.

Everything runs in process on a settable clock, except the esdk-obs-python oracle, which needs a socket and
signs with the wall clock (the emulator it talks to uses the wall clock too).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from obs import ObsClient

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, RetryPolicy
from hwcloud_client._xml import parse_xml
from hwcloud_client.auth.obs import rfc1123_date
from hwcloud_client.errors import AuthenticationError
from hwcloud_client.testing import FakeHuaweiCloud

pytestmark = pytest.mark.anyio

BUCKET = "token-bucket"
FAST = RetryPolicy(backoff_base=0.0, backoff_cap=0.0, retry_after_cap=0.0)
# Virtual-host style signs with OBS (x-obs-*), path style with AWS V2 (x-amz-*), as esdk-obs-python does.
DIALECTS = pytest.mark.parametrize("path_style", [False, True], ids=["obs-dialect", "aws-dialect"])


class Clock:
    """One settable clock for the emulator and the client: no wall time in the in-process tests."""

    def __init__(self, now: float = 1_773_133_200.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Exchange:
    request: httpx.Request
    status: int
    code: str | None  # the OBS error code, None for a success
    body: bytes


class Recorder(httpx.AsyncBaseTransport):
    """Forwards to the emulator and keeps every exchange, so a test sees what the client retried internally."""

    def __init__(self, fake: FakeHuaweiCloud) -> None:
        self.inner = fake.transport()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        code = parse_xml(body).findtext("Code") if response.status_code >= 400 and body else None
        self.exchanges.append(Exchange(request, response.status_code, code, body))
        return httpx.Response(response.status_code, headers=response.headers, content=body)


def new_cloud(
    fake: FakeHuaweiCloud,
    clock: Clock,
    *,
    credentials: Credentials | None = None,
    path_style: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncHuaweiCloud:
    return AsyncHuaweiCloud(
        region=fake.region,
        credentials=credentials or fake.credentials,
        project=fake.project_id,
        config=ClientConfig(retry=FAST, obs_path_style=path_style),
        http_client=httpx.AsyncClient(transport=transport or fake.transport()),
        environ={},
        clock=clock,
    )


async def issue_temporary_key(fake: FakeHuaweiCloud, clock: Clock) -> Credentials:
    """A temporary AK/SK and security token from the emulated IAM, valid for 15 minutes."""
    body = {"auth": {"identity": {"methods": ["token"], "token": {"duration_seconds": 900}}}}
    async with new_cloud(fake, clock) as cloud:
        issued = await cloud.request("iam", "POST", "/v3.0/OS-CREDENTIAL/securitytokens", json=body)
    credential = issued.json()["credential"]
    return Credentials(ak=credential["access"], sk=credential["secret"], security_token=credential["securitytoken"])


def token_of(credentials: Credentials) -> str:
    assert credentials.security_token is not None
    return credentials.security_token.get_secret_value()


def token_header(path_style: bool) -> str:
    return "x-amz-security-token" if path_style else "x-obs-security-token"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fake(clock: Clock) -> FakeHuaweiCloud:
    """An emulator with one bucket (created with the permanent key) and no recorded calls."""
    fake = FakeHuaweiCloud(clock=clock)
    async with new_cloud(fake, clock) as cloud:
        await cloud.obs.create_bucket(BUCKET)
    fake.calls.clear()
    return fake


@pytest.fixture
async def temporary(fake: FakeHuaweiCloud, clock: Clock) -> Credentials:
    credentials = await issue_temporary_key(fake, clock)
    fake.calls.clear()
    return credentials


async def stored_keys(fake: FakeHuaweiCloud, clock: Clock) -> list[str]:
    async with new_cloud(fake, clock) as cloud:
        listed = await cloud.obs.list_objects(BUCKET)
    return [item.key for item in listed.contents]


# --- header authentication through the client ------------------------------------------------------------


@DIALECTS
async def test_a_temporary_key_with_its_token_is_accepted(
    fake: FakeHuaweiCloud, clock: Clock, temporary: Credentials, path_style: bool
) -> None:
    recorder = Recorder(fake)
    async with new_cloud(fake, clock, credentials=temporary, path_style=path_style, transport=recorder) as cloud:
        await cloud.obs.put_object(BUCKET, "dir/a.txt", b"temporary")
        async with await cloud.obs.get_object(BUCKET, "dir/a.txt") as body:
            assert await body.read() == b"temporary"
        assert (await cloud.obs.head_object(BUCKET, "dir/a.txt")).content_length == len(b"temporary")
    assert [exchange.status for exchange in recorder.exchanges] == [200, 200, 200]
    assert all(exchange.request.headers[token_header(path_style)] == token_of(temporary)
               for exchange in recorder.exchanges)
    assert [call.status for call in fake.calls] == [200, 200, 200]


@DIALECTS
async def test_a_temporary_key_without_its_token_is_refused(
    fake: FakeHuaweiCloud, clock: Clock, temporary: Credentials, path_style: bool
) -> None:
    tokenless = Credentials(ak=temporary.ak, sk=temporary.sk)  # signs correctly, but sends no token
    recorder = Recorder(fake)
    async with new_cloud(fake, clock, credentials=tokenless, path_style=path_style, transport=recorder) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.obs.put_object(BUCKET, "k", b"x")
    assert (caught.value.status_code, caught.value.error_code) == (403, "InvalidAccessKeyId")
    [exchange] = recorder.exchanges  # refused at once: not retried, not mistaken for a clock skew
    assert token_header(path_style) not in exchange.request.headers
    assert parse_xml(exchange.body).findtext("AccessKeyId") == temporary.ak
    assert await stored_keys(fake, clock) == []


@DIALECTS
async def test_a_temporary_key_with_a_wrong_token_is_refused(
    fake: FakeHuaweiCloud, clock: Clock, temporary: Credentials, path_style: bool
) -> None:
    other = await issue_temporary_key(fake, clock)
    wrong_tokens = {
        "made up": "not-the-token",
        "truncated": token_of(temporary)[:-1],
        "another key's": token_of(other),
        "non-ASCII": token_of(temporary) + "é",
    }
    for label, wrong in wrong_tokens.items():
        credentials = Credentials(ak=temporary.ak, sk=temporary.sk, security_token=wrong)
        async with new_cloud(fake, clock, credentials=credentials, path_style=path_style) as cloud:
            with pytest.raises(AuthenticationError) as caught:
                await cloud.obs.put_object(BUCKET, "k", b"x")
        assert (caught.value.status_code, caught.value.error_code) == (403, "InvalidAccessKeyId"), label
        assert caught.value.error_msg == "The security token is invalid.", label
    assert await stored_keys(fake, clock) == []


async def test_an_expired_temporary_key_is_refused(fake: FakeHuaweiCloud, clock: Clock, temporary: Credentials) -> None:
    async with new_cloud(fake, clock, credentials=temporary) as cloud:
        await cloud.obs.put_object(BUCKET, "before", b"x")
        clock.now += 901  # past its 15 minutes, on both sides' clock
        with pytest.raises(AuthenticationError) as caught:
            await cloud.obs.put_object(BUCKET, "after", b"x")
    assert (caught.value.status_code, caught.value.error_code) == (403, "InvalidAccessKeyId")
    assert await stored_keys(fake, clock) == ["before"]


async def test_a_wrong_secret_with_the_right_token_is_a_signature_mismatch_that_hides_the_token(
    fake: FakeHuaweiCloud, clock: Clock, temporary: Credentials
) -> None:
    credentials = Credentials(ak=temporary.ak, sk="not-the-secret", security_token=token_of(temporary))
    recorder = Recorder(fake)
    async with new_cloud(fake, clock, credentials=credentials, transport=recorder) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.obs.put_object(BUCKET, "k", b"x")
    assert caught.value.error_code == "SignatureDoesNotMatch"
    [exchange] = recorder.exchanges
    assert "x-obs-security-token:***" in (parse_xml(exchange.body).findtext("StringToSign") or "")
    assert token_of(temporary).encode() not in exchange.body


async def test_a_permanent_key_needs_no_token(fake: FakeHuaweiCloud, clock: Clock) -> None:
    async with new_cloud(fake, clock) as cloud:
        await cloud.obs.put_object(BUCKET, "k", b"permanent")
    assert [call.status for call in fake.calls] == [200]


# --- pre-signed URLs: the token is a query parameter --------------------------------------------------------


@DIALECTS
async def test_a_presigned_url_of_a_temporary_key_needs_its_token(
    fake: FakeHuaweiCloud, clock: Clock, temporary: Credentials, path_style: bool
) -> None:
    async with new_cloud(fake, clock, credentials=temporary, path_style=path_style) as cloud:
        await cloud.obs.put_object(BUCKET, "shared.txt", b"shared")
        url = await cloud.obs.create_signed_url("GET", BUCKET, "shared.txt")
    assert dict(parse_qsl(urlsplit(url).query))[token_header(path_style)] == token_of(temporary)

    async def urls_of(credentials: Credentials) -> str:
        async with new_cloud(fake, clock, credentials=credentials, path_style=path_style) as cloud:
            return await cloud.obs.create_signed_url("GET", BUCKET, "shared.txt")

    # Validly signed both, one without a token, one with a token that is not the key's.
    tokenless = await urls_of(Credentials(ak=temporary.ak, sk=temporary.sk))
    wrong = await urls_of(Credentials(ak=temporary.ak, sk=temporary.sk, security_token="not-the-token"))
    async with httpx.AsyncClient(transport=fake.transport()) as anonymous:
        fetched = await anonymous.get(url)
        refused = {"missing": await anonymous.get(tokenless), "wrong": await anonymous.get(wrong)}
    assert (fetched.status_code, fetched.content) == (200, b"shared")
    for label, response in refused.items():
        document = parse_xml(response.content)
        assert (response.status_code, document.findtext("Code")) == (403, "InvalidAccessKeyId"), label
    assert parse_xml(refused["wrong"].content).findtext("Message") == "The security token is invalid."


# --- the official SDK (esdk-obs-python) as an oracle -----------------------------------------------------------


@pytest.fixture
def wall_clock_fake() -> FakeHuaweiCloud:
    """esdk-obs-python dates its requests with the wall clock: so must the emulator it talks to."""
    return FakeHuaweiCloud()


@pytest.fixture
def served(wall_clock_fake: FakeHuaweiCloud) -> Iterator[str]:
    with wall_clock_fake.serve() as base_url:
        yield base_url


async def test_esdk_obs_python_with_temporary_credentials(wall_clock_fake: FakeHuaweiCloud, served: str) -> None:
    fake = wall_clock_fake
    async with AsyncHuaweiCloud(
        region=fake.region, credentials=fake.credentials,
        http_client=httpx.AsyncClient(transport=fake.transport()), environ={},
    ) as cloud:
        body = {"auth": {"identity": {"methods": ["token"], "token": {"duration_seconds": 900}}}}
        credential = (await cloud.request("iam", "POST", "/v3.0/OS-CREDENTIAL/securitytokens", json=body)).json()[
            "credential"
        ]
    ak, sk, token = credential["access"], credential["secret"], credential["securitytoken"]

    def client(security_token: str | None) -> ObsClient:
        # An IP endpoint: path style, so esdk signs with AWS V2 and sends x-amz-security-token.
        return ObsClient(
            access_key_id=ak, secret_access_key=sk, security_token=security_token, server=served,
            is_signature_negotiation=False, path_style=True,
        )

    right, without, wrong = client(token), client(None), client("not-the-token")
    try:
        assert right.createBucket("esdk-token-bucket").status == 200
        assert right.putContent("esdk-token-bucket", "k", "from esdk").status == 200
        got = right.getObject("esdk-token-bucket", "k", loadStreamInMemory=True)
        assert (got.status, got.body.buffer) == (200, b"from esdk")
        for refused_client in (without, wrong):
            refused = refused_client.putContent("esdk-token-bucket", "k", "overwritten")
            assert (refused.status, refused.errorCode) == (403, "InvalidAccessKeyId")
        assert wrong.getObject("esdk-token-bucket", "k").errorMessage == "The security token is invalid."
    finally:
        for each in (right, without, wrong):
            each.close()

    # The OBS dialect, virtual-host style, in a pre-signed URL: x-obs-security-token in the query, signed.
    presigner = ObsClient(
        access_key_id=ak, secret_access_key=sk, security_token=token,
        # http: esdk builds a TLS context (with a DeprecationWarning) for an https server, unused here.
        server=f"http://obs.{fake.region}.myhuaweicloud.com", is_signature_negotiation=False, signature="obs",
    )
    url = presigner.createSignedUrl("GET", "esdk-token-bucket", "k", expires=300).signedUrl
    presigner.close()
    assert "x-obs-security-token=" in url
    async with httpx.AsyncClient(transport=fake.transport()) as anonymous:
        fetched = await anonymous.get(url)
        forged = await anonymous.get(url.replace("x-obs-security-token=", "x-obs-security-token=X"))
    assert (fetched.status_code, fetched.content) == (200, b"from esdk")
    assert (forged.status_code, parse_xml(forged.content).findtext("Code")) == (403, "InvalidAccessKeyId")


# --- clock skew: OBS's RequestTimeTooSkewed, learned once ------------------------------------------------------


@DIALECTS
async def test_the_client_learns_the_clock_skew_from_obs_and_re_signs_once(clock: Clock, path_style: bool) -> None:
    fake = FakeHuaweiCloud(clock=clock)
    recorder = Recorder(fake)
    async with new_cloud(fake, clock, path_style=path_style, transport=recorder) as cloud:
        await cloud.obs.create_bucket(BUCKET)
        fake.faults.clock_skew = 20 * 60  # the emulator is 20 minutes ahead of the client
        fake.calls.clear()
        recorder.exchanges.clear()

        await cloud.obs.put_object(BUCKET, "first", b"one")
        assert [call.status for call in fake.calls] == [403, 200]
        rejected, accepted = recorder.exchanges
        assert (rejected.status, rejected.code) == (403, "RequestTimeTooSkewed")
        assert rejected.request.headers["date"] == rfc1123_date(clock.now)
        assert accepted.request.headers["date"] == rfc1123_date(clock.now + 20 * 60)
        obs_host = urlsplit(cloud.endpoint("obs").url).netloc
        assert cloud.skews.offset(obs_host) == 20 * 60
        assert cloud.skews.offset("iam.cn-north-4.myhuaweicloud.com") == 0, "learned for OBS only"

        await cloud.obs.put_object(BUCKET, "second", b"two")
        assert [call.status for call in fake.calls] == [403, 200, 200]  # at once: the skew is remembered

        listed = await cloud.obs.list_objects(BUCKET)
    assert [item.key for item in listed.contents] == ["first", "second"]

