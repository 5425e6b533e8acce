"""The signing hook signs what goes on the wire, byte-identical to the official Signer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwcloud_client import (
    Account,
    Credentials,
    HuaweiCloudAuth,
    Project,
    Stage,
    signing_hook,
    sync_signing_hook,
)
from hwcloud_client.config import SigningAlgorithm
from hwcloud_client.errors import ConfigurationError
from tests.oracle import CONNECTION_HEADERS, official_authorization, official_signed_request

AK, SK = "AKTEST", "SKTEST-secret-value"
CREDS = Credentials(ak=AK, sk=SK)
FIXED_CLOCK = 1704067200.0  # 2024-01-01T00:00:00Z

PATH_CHARS = st.sampled_from(
    list("abcXYZ019-_.~+ :@!$&'()*,;=") + ["%2F", "%20", "%7e", "%zz", "é", "名字", "%", "[", "]", "|", "^"]
)
QUERY_TEXT = st.lists(
    st.sampled_from(list("abcABZ09-_.~+ /?:@!$'()*,;=&#%") + ["é", "中文", "%2B", "%20"]), max_size=6
).map("".join)
# Any token-like name, plus the connection-level ones and a few ordinary ones in any case: which of
# them are signed is for the official side (tests/oracle.py) to say, not for our signer's own list.
# Only the headers httpx or the hook itself sets are left out, as a caller's value would be replaced.
HEADER_NAME = st.one_of(
    st.from_regex(r"\A[A-Za-z][A-Za-z0-9_-]{0,10}\Z"),
    st.sampled_from([*CONNECTION_HEADERS, "Accept", "X-Auth-Token", "X_Under_Score", "Content-MD5"]).flatmap(
        lambda name: st.sampled_from([name, name.lower(), name.upper()])
    ),
).filter(lambda name: name.lower() not in {"host", "content-length", "content-type", "x-sdk-date", "authorization"})
# A query-less request may still end in "?" or carry empty pieces; none of them is a parameter.
EMPTY_QUERY_SUFFIX = st.sampled_from(["", "?", "?&", "?&&"])
HEADER_VALUE = st.builds(
    lambda pad_left, core, pad_right: pad_left + core + pad_right,
    st.sampled_from(["", " ", "\t", "  "]),
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12),
    st.sampled_from(["", " ", "\t "]),
)
BODY = st.one_of(
    st.just(("none", None)),
    st.tuples(st.just("json"), st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3)),
    st.tuples(st.just("binary"), st.binary(max_size=64)),
    st.tuples(st.just("empty-json"), st.just(b"")),
)


def _record(requests: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={})

    return httpx.MockTransport(handler)


def _build_kwargs(body: tuple[str, object]) -> dict[str, object]:
    kind, value = body
    if kind == "json":
        return {"json": value}
    if kind == "binary":
        return {"content": value, "headers": {"Content-Type": "application/octet-stream"}}
    if kind == "empty-json":
        return {"content": value, "headers": {"Content-Type": "application/json"}}
    return {}


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    segments=st.lists(st.lists(PATH_CHARS, max_size=4).map("".join), max_size=4),
    query=st.lists(st.tuples(QUERY_TEXT, QUERY_TEXT), max_size=4),
    repeated=st.booleans(),
    headers=st.lists(st.tuples(HEADER_NAME, HEADER_VALUE), max_size=4, unique_by=lambda h: h[0].lower()),
    body=BODY,
    origin=st.sampled_from(
        ["https://ecs.cn-north-4.myhuaweicloud.com", "https://10.0.0.1:8443", "http://127.0.0.1:8080",
         "http://localhost", "https://iam.myhuaweicloud.com:443"]
    ),
    token=st.sampled_from([None, "sts-token+/="]),
    empty_query=EMPTY_QUERY_SUFFIX,
)
def test_hook_matches_official_signer_on_the_wire(
    method: str,
    segments: list[str],
    query: list[tuple[str, str]],
    repeated: bool,
    headers: list[tuple[str, str]],
    body: tuple[str, object],
    origin: str,
    token: str | None,
    empty_query: str,
) -> None:
    if repeated and query:
        query = [*query, (query[0][0], "again")]
    sent: list[httpx.Request] = []
    creds = Credentials(ak=AK, sk=SK, security_token=token)
    hook = sync_signing_hook(creds, clock=lambda: FIXED_CLOCK, project=Project(project_id="p123"))
    kwargs = _build_kwargs(body)
    extra_headers = dict(kwargs.pop("headers", {}))  # type: ignore[call-overload]
    with httpx.Client(transport=_record(sent), event_hooks={"request": [hook]}) as client:
        client.request(
            method,
            origin + "/" + "/".join(segments) + ("" if query else empty_query),
            params=query or None,
            headers=[*headers, *extra_headers.items()],
            **kwargs,  # type: ignore[arg-type]
        )
    (request,) = sent
    official = official_signed_request(request, AK, SK, query=query)
    assert request.headers["authorization"] == official.header_params["Authorization"]
    # What goes on the wire is what the official SDK would send (a bare "?" carries no parameter).
    assert request.url.raw_path.decode("ascii").removesuffix("?") == official.uri
    assert request.headers["x-sdk-date"] == "20240101T000000Z"
    assert ("x-security-token" in request.headers) == (token is not None)


def test_hook_signs_every_request_of_an_async_client() -> None:
    sent: list[httpx.Request] = []

    async def run() -> None:
        hook = signing_hook(CREDS, clock=lambda: FIXED_CLOCK)
        async with httpx.AsyncClient(transport=_record(sent), event_hooks={"request": [hook]}) as client:
            await client.get("https://iam.myhuaweicloud.com/v3/projects", params={"name": "cn-north-4"})
            await client.post("https://ecs.cn-north-4.myhuaweicloud.com/v1/p/cloudservers", json={"a": 1})
            await client.delete("https://ecs.cn-north-4.myhuaweicloud.com/v1/p/cloudservers/x%2Fy")

    import anyio

    anyio.run(run)
    assert len(sent) == 3
    for request, query in zip(sent, [{"name": "cn-north-4"}, {}, {}], strict=True):
        assert request.headers["authorization"].startswith("SDK-HMAC-SHA256 Access=AKTEST, SignedHeaders=")
        assert request.headers["authorization"] == official_authorization(request, AK, SK, query=query)


@pytest.mark.anyio
async def test_streamed_octet_stream_upload_is_unsigned_and_never_read_by_the_hook() -> None:
    pulled: list[bytes] = []
    sent: list[httpx.Request] = []

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in (b"part-1", b"part-2"):
            pulled.append(chunk)
            yield chunk

    async def check_untouched(request: httpx.Request) -> None:
        assert pulled == [], "the signing hook must not read a streamed body"
        sent.append(request)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"".join(request.stream))  # type: ignore[arg-type]

    hook = signing_hook(CREDS, clock=lambda: FIXED_CLOCK)
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(handler), event_hooks={"request": [hook, check_untouched]}
    ) as client:
        response = await client.put(
            "https://obs.example.com/bucket/key", content=chunks(),
            headers={"Content-Type": "application/octet-stream"},
        )
    (request,) = sent
    assert request.headers["x-sdk-content-sha256"] == "UNSIGNED-PAYLOAD"
    assert "x-sdk-content-sha256" in request.headers["authorization"].split("SignedHeaders=")[1]
    assert response.content == b"part-1part-2"
    assert pulled == [b"part-1", b"part-2"]


@pytest.mark.anyio
async def test_a_request_sent_twice_gets_two_dates_and_two_valid_signatures() -> None:
    now = [FIXED_CLOCK]
    sent: list[tuple[str, str, httpx.Request]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.headers["x-sdk-date"], request.headers["authorization"], request))
        return httpx.Response(200)

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(handler),
        event_hooks={"request": [signing_hook(CREDS, clock=lambda: now[0])]},
    ) as client:
        request = client.build_request("POST", "https://ecs.cn-north-4.myhuaweicloud.com/v1/p/x", json={"k": "v"})
        await client.send(request)
        now[0] += 61
        await client.send(request)
    (date1, auth1, _), (date2, auth2, last) = sent
    assert date1 == "20240101T000000Z" and date2 == "20240101T000101Z"
    assert auth1 != auth2
    assert auth2 == official_authorization(last, AK, SK, query=[])
    assert last.headers.get_list("authorization") == [auth2]


@pytest.mark.anyio
async def test_hook_adds_project_domain_stage_token_and_host_with_port() -> None:
    sent: list[httpx.Request] = []
    creds = Credentials(ak=AK, sk=SK, security_token="temporary-token")
    hook = signing_hook(
        creds, project=Project(project_id="p1", subproject_id="sub1"), account=Account(domain_id="d1"),
        stage=Stage(name="RELEASE"), clock=lambda: FIXED_CLOCK,
    )
    async with httpx.AsyncClient(transport=_record(sent), event_hooks={"request": [hook]}) as client:
        await client.get("https://10.1.2.3:8443/api/v1/things", headers={"Host": "api.example.com"})
        await client.get("https://gw.example.com:8443/x")
    first, second = sent
    assert first.headers["host"] == "api.example.com"
    assert second.headers["host"] == "gw.example.com:8443"
    assert first.headers["x-project-id"] == "sub1"
    assert first.headers["x-domain-id"] == "d1"
    assert first.headers["x-stage"] == "RELEASE"
    assert first.headers["x-security-token"] == "temporary-token"
    signed = first.headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-project-id", "x-domain-id", "x-stage", "x-security-token", "x-sdk-date"} <= set(signed)
    assert first.headers["authorization"] == official_authorization(first, AK, SK, query=[])


@pytest.mark.anyio
async def test_httpx_auth_flow_signs_like_the_hook() -> None:
    sent: list[httpx.Request] = []
    auth = HuaweiCloudAuth(CREDS, clock=lambda: FIXED_CLOCK)
    async with httpx.AsyncClient(transport=_record(sent), auth=auth) as client:
        await client.get("https://vpc.cn-north-4.myhuaweicloud.com/v1/p/vpcs", params={"limit": 2})
    with httpx.Client(transport=_record(sent), auth=auth) as sync_client:
        request = sync_client.build_request("GET", "https://vpc.cn-north-4.myhuaweicloud.com/v1/p/vpcs?limit=2")
        next(auth.sync_auth_flow(request))
        sent.append(request)
    assert sent[0].headers["authorization"] == sent[1].headers["authorization"]
    assert sent[0].headers["authorization"] == official_authorization(sent[0], AK, SK, query={"limit": 2})
    assert "SKTEST" not in repr(auth)


def test_query_is_sent_exactly_as_signed() -> None:
    sent: list[httpx.Request] = []
    hook = sync_signing_hook(CREDS, clock=lambda: FIXED_CLOCK)
    with httpx.Client(transport=_record(sent), event_hooks={"request": [hook]}) as client:
        client.get("https://h.example.com/x", params=[("q", "a b"), ("a", "1+1"), ("a", "0"), ("e", "")])
    assert sent[0].url.raw_path == b"/x?a=0&a=1%2B1&e=&q=a%20b"


def test_debug_logging_never_shows_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = "temporary-token-value"
    sent: list[httpx.Request] = []
    hook = sync_signing_hook(Credentials(ak=AK, sk=SK, security_token=token), clock=lambda: FIXED_CLOCK)
    with httpx.Client(transport=_record(sent), event_hooks={"request": [hook]}) as client:
        client.get("https://h.example.com/x")
    signature = sent[0].headers["authorization"].rsplit("Signature=", 1)[1]
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert caplog.records, "httpx/httpcore log at DEBUG, so there is something to check"
    for secret in (SK, token, signature):
        assert secret not in text


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    algorithm=st.sampled_from(["SDK-HMAC-SM3", "V11-HMAC-SHA256"]),
    segments=st.lists(st.lists(PATH_CHARS, max_size=4).map("".join), max_size=3),
    query=st.lists(st.tuples(QUERY_TEXT, QUERY_TEXT), max_size=3),
    headers=st.lists(st.tuples(HEADER_NAME, HEADER_VALUE), max_size=3, unique_by=lambda h: h[0].lower()),
    body=BODY,
    region=st.sampled_from(["cn-north-4", "eu-west-101", "ap-southeast-1"]),
    empty_query=EMPTY_QUERY_SUFFIX,
)
def test_sm3_and_v11_match_the_official_signers(
    algorithm: SigningAlgorithm,
    segments: list[str],
    query: list[tuple[str, str]],
    headers: list[tuple[str, str]],
    body: tuple[str, object],
    region: str,
    empty_query: str,
) -> None:
    sent: list[httpx.Request] = []
    hook = sync_signing_hook(CREDS, algorithm=algorithm, region=region, service="iotda", clock=lambda: FIXED_CLOCK)
    kwargs = _build_kwargs(body)
    extra_headers = dict(kwargs.pop("headers", {}))  # type: ignore[call-overload]
    with httpx.Client(transport=_record(sent), event_hooks={"request": [hook]}) as client:
        client.request("POST", "https://iotda.example.com/" + "/".join(segments) + ("" if query else empty_query),
                       params=query or None,
                       headers=[*headers, *extra_headers.items()], **kwargs)  # type: ignore[arg-type]
    (request,) = sent
    official = official_signed_request(request, AK, SK, query=query, algorithm=algorithm, region=region,
                                       service="iotda")
    assert request.headers["authorization"] == official.header_params["Authorization"]
    assert request.url.raw_path.decode("ascii").removesuffix("?") == official.uri


@pytest.mark.anyio
async def test_hook_takes_a_credentials_provider() -> None:
    class Rotating:
        project_id = None
        domain_id = None

        def __init__(self) -> None:
            self.calls = 0

        async def get_credentials(self) -> Credentials:
            self.calls += 1
            return Credentials(ak=f"AKROT{self.calls}", sk=SK, security_token=f"token-{self.calls}")

    provider = Rotating()
    sent: list[httpx.Request] = []
    async with httpx.AsyncClient(transport=_record(sent), event_hooks={"request": [signing_hook(provider)]}) as client:
        await client.get("https://ecs.cn-north-4.myhuaweicloud.com/v1/p/x")
        await client.get("https://ecs.cn-north-4.myhuaweicloud.com/v1/p/x")
    assert [r.headers["x-security-token"] for r in sent] == ["token-1", "token-2"]
    for number, request in enumerate(sent, start=1):
        assert request.headers["authorization"] == official_authorization(request, f"AKROT{number}", SK, query=[])


@pytest.mark.anyio
async def test_requests_mocked_with_respx_are_signed_like_real_ones() -> None:
    import respx

    with respx.mock(assert_all_called=True) as mock:
        route = mock.get("https://iam.myhuaweicloud.com/v3/projects").mock(
            return_value=httpx.Response(200, json={"projects": []})
        )
        hook = signing_hook(CREDS, clock=lambda: FIXED_CLOCK)
        async with httpx.AsyncClient(event_hooks={"request": [hook]}) as client:
            response = await client.get("https://iam.myhuaweicloud.com/v3/projects", params={"name": "cn-north-4"})
    assert response.json() == {"projects": []}
    sent = route.calls.last.request
    assert sent.url.raw_path == b"/v3/projects?name=cn-north-4"
    assert sent.headers["authorization"] == official_authorization(sent, AK, SK, query={"name": "cn-north-4"})


@pytest.mark.parametrize(
    ("scope", "missing"),
    [({"region": "cn-north-4"}, "service"), ({"service": "ecs"}, "region"), ({}, "region and service")],
)
def test_v11_without_a_full_scope_is_refused_before_anything_is_sent(scope: dict[str, str], missing: str) -> None:
    sent: list[httpx.Request] = []
    hook = sync_signing_hook(CREDS, algorithm="V11-HMAC-SHA256", clock=lambda: FIXED_CLOCK, **scope)
    with httpx.Client(transport=_record(sent), event_hooks={"request": [hook]}) as client, pytest.raises(
        ConfigurationError, match=rf"V11-HMAC-SHA256 needs the region and the service name .*\({missing} missing\)"
    ):
        client.get("https://ecs.cn-north-4.myhuaweicloud.com/v1/p/x")
    assert sent == []


@pytest.mark.parametrize("algorithm", ["HMAC-MD5", "sdk-hmac-sha256", ""])
def test_an_unknown_algorithm_is_a_configuration_error_naming_it_and_the_valid_ones(algorithm: str) -> None:
    valid = "SDK-HMAC-SHA256, SDK-HMAC-SM3, V11-HMAC-SHA256, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3"
    expected = f"signing_algorithm {algorithm!r} is not supported; choose one of {valid}"
    for make in (signing_hook, sync_signing_hook, HuaweiCloudAuth):
        with pytest.raises(ConfigurationError) as caught:
            make(CREDS, algorithm=algorithm)  # type: ignore[operator]
        assert str(caught.value) == expected
