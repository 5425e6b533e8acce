"""With everything logged at DEBUG (``logging.basicConfig(level=logging.DEBUG)``), no secret reaches a record:
not from us, nor from httpx (its INFO line prints URLs, query included) or httpcore (its DEBUG traces print
response headers, such as the IAM token in X-Subject-Token, and a SOCKS proxy's user and password).

The calls go through real sockets to the emulator served on 127.0.0.1: httpx.MockTransport and ASGI
transports bypass httpcore, whose logger is the one that printed the token."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpcore
import httpx
import pytest

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, RetryPolicy, TokenAuth
from hwcloud_client._logging import HTTP_LOGGERS, redact_log_text
from hwcloud_client.services.iam import temporary_credentials
from hwcloud_client.testing import FakeHuaweiCloud

pytestmark = pytest.mark.anyio

NO_RETRY = RetryPolicy(max_attempts=1)


@pytest.fixture(scope="module")
def fake() -> FakeHuaweiCloud:
    return FakeHuaweiCloud()


@pytest.fixture(scope="module")
def base_url(fake: FakeHuaweiCloud) -> Iterator[str]:
    with fake.serve() as url:
        yield url


def _messages(records: list[logging.LogRecord]) -> list[str]:
    return [record.getMessage() for record in records]


async def test_no_secret_reaches_a_log_record_at_debug(
    fake: FakeHuaweiCloud, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    endpoints = {"iam": base_url, "ecs": base_url, "obs": base_url}
    config = ClientConfig(endpoints=endpoints, retry=NO_RETRY)
    token_auth = TokenAuth.from_password(
        domain_name=fake.iam.domain_name, user_name=fake.iam.user_name, password=fake.iam.password,
        project_id=fake.project_id, endpoint=base_url,
    )
    async with AsyncHuaweiCloud(
        region=fake.region, credentials=token_auth, project=fake.project_id, config=config, environ={}
    ) as by_token:
        await by_token.ecs.list_servers_details()  # X-Auth-Token out, after X-Subject-Token came in
        temporary = temporary_credentials(await by_token.iam.create_temporary_access_key_by_token())
        iam_token = (await token_auth.token()).get_secret_value()
    async with AsyncHuaweiCloud(
        region=fake.region, credentials=temporary, project=fake.project_id, config=config, environ={}
    ) as by_keys:
        await by_keys.ecs.list_flavors()  # X-Security-Token and an SDK-HMAC signature
        await by_keys.obs.create_bucket("logged-bucket")
        await by_keys.obs.put_object("logged-bucket", "k", b"x")  # x-amz-security-token, an AWS V2 signature
        signed_url = await by_keys.obs.create_signed_url("GET", "logged-bucket", "k")
    async with httpx.AsyncClient() as plain:  # anyone's client: httpx's INFO line prints the URL
        assert (await plain.get(signed_url)).content == b"x"

    assert temporary.security_token is not None
    signed = httpx.URL(signed_url).params
    secrets = {
        "IAM token": iam_token,
        "SK": temporary.sk.get_secret_value(),
        "security token": temporary.security_token.get_secret_value(),
        "URL signature": signed["Signature"],
    }
    records = caplog.records
    assert any(record.name == "httpcore.http11" for record in records), "httpcore's own logger was exercised"
    assert any("x-subject-token" in message.lower() for message in _messages(records)), "the header was logged"
    assert any(record.name == "httpx" and "Signature=" in record.getMessage() for record in records)
    for record in records:
        rendered = [record.getMessage(), str(record.msg), repr(record.args), repr(record.__dict__)]
        for what, secret in secrets.items():
            assert not any(secret in text for text in rendered), f"{what} in a record of {record.name}"
    for message in _messages([r for r in records if r.name.startswith("httpcore")]):
        for signature in re.findall(r"(?:OBS|AWS) [^:\s]+:([A-Za-z0-9+/=]{20,})", message):
            pytest.fail(f"an Authorization signature in {message!r}: {signature}")


def test_every_logger_of_httpx_and_httpcore_is_filtered() -> None:
    """A logger's filters see only the records made on that very logger: each one must be named. This fails
    when an httpx or httpcore upgrade logs on a logger the filter does not know."""
    used: set[str] = set()
    for package in (httpx, httpcore):
        root = Path(package.__file__).parent
        for source in root.rglob("*.py"):
            used |= set(re.findall(r"""getLogger\(["']([\w.]+)["']\)""", source.read_text()))
    assert used, "the scan found the loggers"
    assert used <= set(HTTP_LOGGERS)
    for name in HTTP_LOGGERS:
        assert any(type(f).__name__ == "_RedactingFilter" for f in logging.getLogger(name).filters), name


@pytest.mark.parametrize(
    ("message", "secret", "kept"),
    [
        (
            "receive_response_headers.complete return_value=(b'HTTP/1.1', 201, b'Created', "
            "[(b'Content-Type', b'application/json'), (b'X-Subject-Token', b'MIIEtoken-value'), "
            "(b'x-request-id', b'req-1')])",
            "MIIEtoken-value",
            ["(b'Content-Type', b'application/json')", "(b'x-request-id', b'req-1')", "X-Subject-Token"],
        ),
        (
            "receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', "
            "[(b'Set-Cookie', b\"session=abc'def\")])",
            "session=abc",
            ["Set-Cookie"],
        ),
        (
            "setup_socks5_connection.started stream=<s> host='obs.example' port=443 "
            "auth=(b'host', b'socks-pa55word')",
            "socks-pa55word",
            ["host='obs.example'"],
        ),
        (
            'HTTP Request: GET https://b.obs.example/k?AccessKeyId=AK12345678&Expires=1&Signature=c2lnbmF0dXJl%3D'
            '&x-obs-security-token=tok-value "HTTP/1.1 200 OK"',
            "c2lnbmF0dXJl",
            ["https://b.obs.example/k?", "Expires=1", "HTTP/1.1 200 OK"],
        ),
        (
            "HTTP Request: GET https://b.s3.example/k?X-Amz-Credential=AK%2F20240101&X-Amz-Signature=abcdef0123",
            "abcdef0123",
            ["X-Amz-Signature="],
        ),
        ("connect_tcp.failed exception=ProxyError('http://alice:pa55@proxy:3128 refused')", "pa55", ["proxy:3128"]),
    ],
)
def test_redaction_of_http_log_text(message: str, secret: str, kept: list[str]) -> None:
    redacted = redact_log_text(message)
    assert secret not in redacted
    for fragment in kept:
        assert fragment in redacted


def test_redaction_leaves_other_text_alone() -> None:
    message = "send_request_headers.started request=<Request [b'GET']>"
    assert redact_log_text(message) == message
