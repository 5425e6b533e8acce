"""auth/flows on its own: clock skews, signature-time rejections, the OBS flow's headers and signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from email.utils import formatdate

import anyio
import httpx
import pytest

from hwcloud_client import Credentials
from hwcloud_client.auth.flows import (
    OBS_TARGET_EXTENSION,
    ApigAuth,
    ClockSkews,
    ObsAuth,
    ObsTarget,
    is_signature_time_rejection,
)
from hwcloud_client.auth.hooks import RequestSigner
from hwcloud_client.errors import APIError, api_error_from_response

NOW = 1_704_067_200.0  # Mon, 01 Jan 2024 00:00:00 GMT
AK, SK = "AKFLOWS", "sk-flows-secret"


def rejection(status: int, code: str | None, msg: str = "", date: float | None = None) -> APIError:
    headers = {} if date is None else {"date": formatdate(date, usegmt=True)}
    body = b"" if code is None else f'{{"error_code": "{code}", "error_msg": "{msg}"}}'.encode()
    return api_error_from_response(status_code=status, headers=headers, body=body)


# --- clock skews ------------------------------------------------------------------------------------------------


def test_an_unknown_endpoint_has_no_offset() -> None:
    skews = ClockSkews(lambda: NOW)
    assert skews.offset("never.example") == 0.0
    assert skews.now("never.example") == NOW


@pytest.mark.parametrize(("skew", "learned"), [(899.0, False), (900.0, True), (-900.0, True), (86_400.0, True),
                                                (86_401.0, False), (-86_401.0, False)])
def test_the_tolerance_and_the_default_bound_are_inclusive(skew: float, learned: bool) -> None:
    skews = ClockSkews(lambda: NOW)
    assert skews.learn("gw.example", formatdate(NOW + skew, usegmt=True)) is learned
    assert skews.offset("gw.example") == (skew if learned else 0.0)


def test_what_is_learned_and_refused_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="hwcloud_client")
    skews = ClockSkews(lambda: NOW, max_skew=3600)
    assert skews.learn("gw.example", formatdate(NOW + 1800, usegmt=True))
    assert not skews.learn("far.example", formatdate(NOW + 7200, usegmt=True))
    assert [record.getMessage() for record in caplog.records] == [
        "clock skew of 1800 s learned from gw.example's Date; re-signing",
        "far.example sent a Date 7200 s away from the local clock; beyond 3600 s, so it is not adopted",
    ]


@pytest.mark.parametrize("date", [None, "", "not a date"])
def test_no_usable_date_teaches_nothing(date: str | None) -> None:
    skews = ClockSkews(lambda: NOW)
    assert skews.learn("gw.example", date) is False


# --- which rejections count ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403])
def test_a_signature_time_rejection_is_a_4xx_with_a_time_code_and_message(status: int) -> None:
    assert is_signature_time_rejection(rejection(status, "APIGW.0301", "request expired"))
    assert not is_signature_time_rejection(rejection(status, "APIGW.0301", "incorrect signature"))
    assert not is_signature_time_rejection(rejection(status, "Ecs.0001", "request expired"))


def test_other_statuses_are_never_signature_time_rejections() -> None:
    assert not is_signature_time_rejection(rejection(404, "APIGW.0301", "request expired"))
    assert not is_signature_time_rejection(rejection(500, "APIGW.0301", "request expired"))


def _request(url: str = "https://10.0.0.1:8443/v1/x", **headers: str) -> httpx.Request:
    return httpx.Request("GET", url, headers=headers)


def test_apig_learns_the_clock_of_the_host_the_signature_names() -> None:
    skews = ClockSkews(lambda: NOW)
    flow = ApigAuth(RequestSigner(Credentials(ak=AK, sk=SK)), skews)
    request = _request(Host="api.example.com")
    assert flow.after_rejection(request, rejection(401, "APIGW.0303", "signature expired", date=NOW + 3600))
    assert skews.offset("api.example.com") == 3600.0 and skews.offset("10.0.0.1:8443") == 0.0
    without_host = _request()
    del without_host.headers["host"]
    assert flow.after_rejection(without_host, rejection(401, "APIGW.0303", "signature expired", date=NOW - 3600))
    assert skews.offset("10.0.0.1:8443") == -3600.0


# --- the OBS flow ------------------------------------------------------------------------------------------------


def _obs(method: str, url: str, target: ObsTarget, token: str | None, **headers: str) -> httpx.Request:
    request = httpx.Request(method, url, headers=headers, extensions={OBS_TARGET_EXTENSION: target})
    flow = ObsAuth(RequestSigner(Credentials(ak=AK, sk=SK, security_token=token)), ClockSkews(lambda: NOW))
    anyio.run(flow.sign, request)
    return request


def _expected(dialect: str, to_sign: str) -> str:
    signature = base64.b64encode(hmac.digest(SK.encode(), to_sign.encode(), hashlib.sha1)).decode()
    return f"{dialect} {AK}:{signature}"


def test_obs_flow_dates_and_signs_with_the_token() -> None:
    target = ObsTarget(bucket="bkt", key="dir/a.txt", query=[], path_style=False, dialect="obs",
                       endpoint="obs.cn-north-4.myhuaweicloud.com")
    request = _obs("PUT", "https://bkt.obs.cn-north-4.myhuaweicloud.com/dir/a.txt", target, "tok",
                   **{"Content-Type": "text/plain"})
    assert request.headers["date"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert request.headers["x-obs-security-token"] == "tok"
    assert request.headers["authorization"] == _expected(
        "OBS", "PUT\n\ntext/plain\nMon, 01 Jan 2024 00:00:00 GMT\nx-obs-security-token:tok\n/bkt/dir/a.txt"
    )


def test_obs_flow_in_the_s3_dialect_path_style_without_a_token() -> None:
    target = ObsTarget(bucket="bkt", key=None, query=[("acl", None)], path_style=True, dialect="aws",
                       endpoint="obs.example.com")
    request = _obs("GET", "https://obs.example.com/bkt?acl", target, None, **{"x-amz-security-token": "stale"})
    assert "x-amz-security-token" not in request.headers
    assert request.headers["authorization"] == _expected("AWS", "GET\n\n\nMon, 01 Jan 2024 00:00:00 GMT\n/bkt?acl")


@pytest.mark.parametrize(
    ("method", "status", "code", "learns"),
    [("HEAD", 403, None, True), ("GET", 403, None, False), ("HEAD", 404, None, False),
     ("HEAD", 403, "AccessDenied", False)],
)
def test_obs_learns_from_a_bare_403_to_a_head_only(method: str, status: int, code: str | None, learns: bool) -> None:
    skews = ClockSkews(lambda: NOW)
    flow = ObsAuth(RequestSigner(Credentials(ak=AK, sk=SK)), skews)
    target = ObsTarget(bucket="b", key="k", query=[], path_style=False, dialect="obs", endpoint="obs.example.com")
    request = httpx.Request(method, "https://b.obs.example.com/k", extensions={OBS_TARGET_EXTENSION: target})
    assert flow.after_rejection(request, rejection(status, code, date=NOW + 3600)) is learns
    assert skews.offset("obs.example.com") == (3600.0 if learns else 0.0)


@pytest.mark.anyio
async def test_an_unsigned_call_refused_is_not_signed_and_sent_again() -> None:
    # A refused id token is the caller's credential: nothing this SDK signs can cure it.
    from hwcloud_client.auth.flows import UNSIGNED
    from hwcloud_client.errors import AuthenticationError
    from tests.helpers import Recorder, facade

    refused = {"error_code": "IAM.0001", "error_msg": "token is invalid"}
    recorder = Recorder(lambda request: httpx.Response(401, json=refused))
    async with facade(recorder) as cloud:
        with pytest.raises(AuthenticationError):
            await cloud.request("iam", "POST", "/v3.0/OS-AUTH/id-token/tokens", auth=UNSIGNED,
                                headers={"Authorization": "id-token"})
    (request,) = recorder.requests
    assert request.headers["Authorization"] == "id-token" and "X-Sdk-Date" not in request.headers
