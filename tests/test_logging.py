"""_logging: headers go through an allowlist, everything else is ``<redacted>``, secrets never reach a record."""

from __future__ import annotations

import logging

import httpx
import pytest

from hwcloud_client._logging import log_call, log_request_headers, log_retry, redact_header, redact_log_text

AK = "AKEXAMPLE0123456789"
SECRETS = {
    "signature": "5f0c8d6e7a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "token": "MIIsecret-iam-token-value",
    "security_token": "sts-secret-token-value",
    "cookie": "session=secret-cookie",
}

ALLOWLISTED = [
    "Host", "Content-Type", "Content-Length", "Content-MD5", "User-Agent", "Accept", "Range", "X-Sdk-Date",
    "X-Project-Id", "X-Domain-Id", "X-Stage", "X-Client-Token", "X-Sdk-Content-Sha256", "X-Sdk-Content-Sm3",
    "Date", "X-Obs-Date",
]
HIDDEN = [
    "X-Auth-Token", "X-Subject-Token", "X-Security-Token", "X-Obs-Security-Token", "Cookie", "Proxy-Authorization",
    "X-Anything-Else", "x-obs-metadata", "X-Amz-Security-Token",
]


@pytest.mark.parametrize("name", ALLOWLISTED + [n.lower() for n in ALLOWLISTED] + ["x-obs-meta-owner", "X-Obs-Meta-A"])
def test_allowlisted_headers_are_shown_as_they_are(name: str) -> None:
    assert redact_header(name, "value 1/2") == "value 1/2"


@pytest.mark.parametrize("name", HIDDEN + [n.upper() for n in HIDDEN])
def test_every_other_header_is_redacted(name: str) -> None:
    assert redact_header(name, SECRETS["token"]) == "<redacted>"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-sdk-date, Signature={SECRETS['signature']}",
         "SDK-HMAC-SHA256 AK=AKEX… <redacted>"),
        (f"V11-HMAC-SHA256 Credential={AK}/20240101/cn-north-4/ecs, SignedHeaders=host, "
         f"Signature={SECRETS['signature']}", "V11-HMAC-SHA256 AK=AKEX… <redacted>"),
        (f"OBS {AK}:{SECRETS['signature']}", "OBS AK=AKEX… <redacted>"),
        (f"AWS {AK}:{SECRETS['signature']}", "AWS AK=AKEX… <redacted>"),
        (f"Bearer {SECRETS['token']}", "Bearer <redacted>"),
        # No scheme: a bare token, once shown whole as if it were the scheme.
        (SECRETS["signature"], "<redacted>"),
        (f"{SECRETS['token']},x y", "<redacted>"),
        (" Bearer x", "<redacted>"),
        ("Token-Scheme-Longer-Than-32-Chars x", "<redacted>"),
    ],
)
def test_authorization_shows_the_scheme_and_an_ak_prefix_only(value: str, shown: str) -> None:
    for name in ("Authorization", "authorization", "AUTHORIZATION"):
        assert redact_header(name, value) == shown


def test_the_ak_is_never_shown_whole() -> None:
    for value in (f"SDK-HMAC-SHA256 Access={AK}, Signature=x", f"OBS {AK}:sig"):
        assert AK not in redact_header("Authorization", value)


def _request(url: str = "https://ecs.cn-north-4.myhuaweicloud.com/v1/p1/cloudservers?Signature=query-secret") -> (
    httpx.Request
):
    return httpx.Request(
        "GET",
        url,
        headers={
            "Authorization": f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host, Signature={SECRETS['signature']}",
            "X-Auth-Token": SECRETS["token"],
            "X-Security-Token": SECRETS["security_token"],
            "Cookie": SECRETS["cookie"],
            "X-Project-Id": "p1",
            "X-Sdk-Date": "20240101T000000Z",
            "x-obs-meta-color": "blue",
        },
    )


def _text(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "".join(str(record.__dict__) for record in caplog.records)


def test_debug_headers_show_the_allowlist_and_hide_every_secret(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("hwcloud_client.test_logging")
    caplog.set_level(logging.DEBUG, logger=logger.name)
    log_request_headers(logger, _request())
    (record,) = caplog.records
    assert record.levelno == logging.DEBUG
    assert record.getMessage() == (
        "request GET ecs.cn-north-4.myhuaweicloud.com/v1/p1/cloudservers headers: "
        "host: ecs.cn-north-4.myhuaweicloud.com, authorization: SDK-HMAC-SHA256 AK=AKEX… <redacted>, "
        "x-auth-token: <redacted>, x-security-token: <redacted>, cookie: <redacted>, x-project-id: p1, "
        "x-sdk-date: 20240101T000000Z, x-obs-meta-color: blue"
    )
    text = _text(caplog)
    for secret in [*SECRETS.values(), AK, "query-secret"]:
        assert secret not in text


def test_headers_are_not_logged_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("hwcloud_client.test_logging")
    caplog.set_level(logging.INFO, logger=logger.name)
    log_request_headers(logger, _request())
    assert caplog.records == []


@pytest.mark.parametrize(
    ("headers", "request_id"),
    [({"X-Request-Id": "req-1", "x-obs-request-id": "obs-1"}, "req-1"), ({"x-obs-request-id": "obs-1"}, "obs-1"),
     ({}, "-")],
)
def test_one_info_line_per_call_with_fields(
    caplog: pytest.LogCaptureFixture, headers: dict[str, str], request_id: str
) -> None:
    logger = logging.getLogger("hwcloud_client.test_logging")
    caplog.set_level(logging.INFO, logger=logger.name)
    request = _request()
    log_call(logger, request, httpx.Response(201, headers=headers, request=request), 2, 12.345)
    (record,) = caplog.records
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        f"GET ecs.cn-north-4.myhuaweicloud.com/v1/p1/cloudservers -> 201 request_id={request_id} attempt=2 "
        "elapsed_ms=12.3"
    )
    fields = {name: getattr(record, name) for name in record.__dict__ if name.startswith("hwc_")}
    assert fields == {
        "hwc_method": "GET", "hwc_host": "ecs.cn-north-4.myhuaweicloud.com", "hwc_path": "/v1/p1/cloudservers",
        "hwc_status": 201, "hwc_request_id": request_id, "hwc_attempt": 2, "hwc_elapsed_ms": 12.3,
    }
    text = _text(caplog)
    for secret in [*SECRETS.values(), AK, "query-secret"]:
        assert secret not in text


def test_no_call_line_above_info(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("hwcloud_client.test_logging")
    caplog.set_level(logging.WARNING, logger=logger.name)
    request = _request()
    log_call(logger, request, httpx.Response(200, request=request), 1, 1.0)
    assert caplog.records == []


def test_a_retry_line(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("hwcloud_client.test_logging")
    caplog.set_level(logging.INFO, logger=logger.name)
    log_retry(logger, _request(), 1, 3, "HTTP 503", 0.256)
    (record,) = caplog.records
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        "retrying GET ecs.cn-north-4.myhuaweicloud.com/v1/p1/cloudservers after HTTP 503 in 0.26s (attempt 2 of 3)"
    )
    assert "query-secret" not in _text(caplog)


# --- the HTTP stack's own records (redact_log_text) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("headers=[(b'Host', b'h.example.com'), (b'X-Auth-Token', b'MIIsecret')]",
         "headers=[(b'Host', b'h.example.com'), (b'X-Auth-Token', b'<redacted>')]"),
        # an allowlisted value repr() writes in double quotes is left exactly as it was
        ("headers=[(b'User-Agent', b\"it's-ua/1.0\")]", "headers=[(b'User-Agent', b\"it's-ua/1.0\")]"),
        ("(b'Authorization', b'OBS AKEXAMPLE0123:c2lnbmF0dXJl')", "(b'Authorization', b'OBS AK=AKEX… <redacted>')"),
        ("socks auth=(b'user', b'pw-secret') to proxy", "socks auth=<redacted> to proxy"),
        ("GET https://b.obs.example.com/k?AccessKeyId=AK&Signature=abc%2B&Expires=1 ok",
         "GET https://b.obs.example.com/k?AccessKeyId=<redacted>&Signature=<redacted>&Expires=1 ok"),
        ("proxy http://user:pw-secret@proxy.example:3128 and https://ok.example/x",
         "proxy http://***@proxy.example:3128 and https://ok.example/x"),
        ("nothing to hide", "nothing to hide"),
    ],
)
def test_http_stack_text_is_redacted_exactly(text: str, expected: str) -> None:
    assert redact_log_text(text) == expected
