"""IAM: every operation on the wire and parsed; X-Domain-Id, endpoints, paging, secrets, the blocking facade.

``cloud.iam`` is the generated IAM v3 client (the official request contract) plus conveniences written by hand:
the token and temporary-key operations also take their few fields as keyword arguments, and
:func:`~hwcloud_client.services.iam.temporary_credentials` turns temporary keys into credentials.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, HuaweiCloud
from hwcloud_client.errors import ConfigurationError, MalformedResponseError
from hwcloud_client.services.iam import IAM, temporary_credentials
from hwcloud_client.services.iam_v3 import (
    CreateTemporaryAccessKeyByAgencyResponse,
    CreateTemporaryAccessKeyByTokenResponse,
    KeystoneCreateUserTokenByPasswordResponse,
)
from tests.helpers import CREDS, Recorder, assert_validly_signed, facade

pytestmark = pytest.mark.anyio

SUBJECT_TOKEN = "MIIDkgYJKoZIhvcNAQcCoIIDgzCCA38CAQExDTALBglghkgBZQMEAgEwgXIGCSqGSIb3DQEHAa"
TEMP_SK = "temp-secret-key-value-0001"
TEMP_TOKEN = "gQpjbi1ub3J0aC00iUbYW3Vq2l0hKH5R-security-token"
PASSWORD = "Pa55-w0rd!"
JSON_BODY = "application/json;charset=utf-8"  # what the official SDK declares for IAM's bodies

PROJECT = {
    "id": "0a1b2c3d4e5f", "name": "cn-north-4", "domain_id": "d1", "parent_id": "d1", "is_domain": False,
    "enabled": True, "description": "",
    "links": {"self": "https://iam.myhuaweicloud.com/v3/projects/0a1b2c3d4e5f"},
}
LINKS = {"self": "https://iam.myhuaweicloud.com/v3/projects", "previous": None, "next": None}
TOKEN_BODY = {
    "token": {
        "expires_at": "2024-03-02T08:12:33.701000Z", "issued_at": "2024-03-01T08:12:33.701000Z",
        "methods": ["password"],
        "user": {"id": "u1", "name": "ops", "domain": {"id": "d1", "name": "acme"},
                 "password_expires_at": ""},
        "project": {"id": "0a1b2c3d4e5f", "name": "cn-north-4", "domain": {"id": "d1", "name": "acme"}},
        "roles": [{"id": "0", "name": "op_gated_lakeformation"}, {"id": "r2", "name": "te_admin"}],
    }
}
TEMPORARY_KEY = {"credential": {"access": "TEMPAK0001", "secret": TEMP_SK, "securitytoken": TEMP_TOKEN,
                                "expires_at": "2024-03-01T08:27:33.000000Z"}}
PASSWORD_BODY = {
    "auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "ops", "password": PASSWORD, "domain": {"name": "acme"}}}},
        "scope": {"project": {"name": "cn-north-4"}},
    }
}
POLICY = {"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["obs:object:GetObject"]}]}
AGENCY_BODY = {"auth": {"identity": {
    "methods": ["assume_role"],
    "assume_role": {"agency_name": "ops-agency", "domain_name": "partner", "duration_seconds": 3600,
                    "session_user": {"name": "alice"}},
    "policy": POLICY,
}}}
TOKEN_KEY_BODY = {"auth": {"identity": {"methods": ["token"], "token": {"duration_seconds": 900}}}}


def secrets_hidden(result: Any, *secrets: str) -> bool:
    """No secret in the result's repr, str or (Python) dump."""
    shown = repr(result) + str(result) + str(result.model_dump())
    return not any(secret in shown for secret in secrets)


@dataclass
class Case:
    call: Callable[[IAM], Awaitable[Any]]
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any
    answer: Any
    check: Callable[[Any], bool]
    answer_headers: dict[str, str] | None = None


CASES = [
    pytest.param(
        Case(
            lambda iam: iam.keystone_list_projects(name="cn-north-4", enabled=True),
            "GET", "/v3/projects", [("enabled", "true"), ("name", "cn-north-4")], {"X-Domain-Id": "d1"}, None,
            {"projects": [PROJECT], "links": LINKS},
            lambda result: result.projects[0].id == "0a1b2c3d4e5f" and result.links.self_.endswith("/projects"),
        ),
        id="keystone_list_projects",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_show_project(project_id="0a1b2c3d4e5f"),
            "GET", "/v3/projects/0a1b2c3d4e5f", [], {"X-Domain-Id": "d1"}, None, {"project": PROJECT},
            lambda result: result.project.name == "cn-north-4" and result.project.is_domain is False,
        ),
        id="keystone_show_project",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_list_auth_projects(),
            "GET", "/v3/auth/projects", [], {}, None, {"projects": [PROJECT, {**PROJECT, "id": "p2", "name": "MOS"}],
                                                      "links": {"self": "https://iam/v3/auth/projects"}},
            lambda result: [project.name for project in result.projects] == ["cn-north-4", "MOS"],
        ),
        id="keystone_list_auth_projects",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_list_auth_domains(),
            "GET", "/v3/auth/domains", [], {}, None,
            {"domains": [{"id": "d1", "name": "acme", "enabled": True, "description": "",
                          "links": {"self": "https://iam/v3/domains/d1"}}],
             "links": {"self": "https://iam/v3/auth/domains"}},
            lambda result: result.domains[0].id == "d1",
        ),
        id="keystone_list_auth_domains",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_list_regions(),
            "GET", "/v3/regions", [], {}, None,
            {"regions": [{"id": "cn-north-4", "type": "public", "parent_region_id": None, "description": "",
                          "locales": {"zh-cn": "华北-北京四", "en-us": "CN North-Beijing4"},
                          "links": {"self": "https://iam/v3/regions/cn-north-4"}}],
             "links": LINKS},
            lambda result: result.regions[0].locales.en_us == "CN North-Beijing4",
        ),
        id="keystone_list_regions",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_list_users(name="ops", enabled=False),
            "GET", "/v3/users", [("enabled", "false"), ("name", "ops")], {"X-Domain-Id": "d1"}, None,
            {"users": [{"id": "u1", "name": "ops", "domain_id": "d1", "enabled": True, "pwd_status": False,
                        "password_expires_at": "2025-01-01T00:00:00.000000", "last_project_id": "0a1b2c3d4e5f",
                        "pwd_strength": "high", "access_mode": "default", "description": "",
                        "links": {"self": "https://iam/v3/users/u1"}}],
             "links": LINKS},
            lambda result: (
                result.users[0].password_expires_at == "2025-01-01T00:00:00.000000"
                and result.users[0].pwd_strength == "high"
            ),
        ),
        id="keystone_list_users",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_create_user_token_by_password(
                domain_name="acme", user_name="ops", password=PASSWORD, project_name="cn-north-4", nocatalog="true"
            ),
            "POST", "/v3/auth/tokens", [("nocatalog", "true")], {"Content-Type": JSON_BODY}, PASSWORD_BODY,
            TOKEN_BODY,
            lambda result: (
                result.x_subject_token.get_secret_value() == SUBJECT_TOKEN
                and secrets_hidden(result, SUBJECT_TOKEN)
                and result.token.project.id == "0a1b2c3d4e5f"
                and result.token.expires_at == "2024-03-02T08:12:33.701000Z"
                and result.token.user.password_expires_at == ""
            ),
            answer_headers={"X-Subject-Token": SUBJECT_TOKEN},
        ),
        id="keystone_create_user_token_by_password",
    ),
    pytest.param(
        Case(
            # The contract form: the official body, the password a SecretStr inside it.
            lambda iam: iam.keystone_create_user_token_by_password(body={"auth": {
                **PASSWORD_BODY["auth"],
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": "ops", "password": SecretStr(PASSWORD), "domain": {"name": "acme"}}}},
            }}),
            "POST", "/v3/auth/tokens", [], {"Content-Type": JSON_BODY}, PASSWORD_BODY, TOKEN_BODY,
            lambda result: result.x_subject_token.get_secret_value() == SUBJECT_TOKEN,
            answer_headers={"X-Subject-Token": SUBJECT_TOKEN},
        ),
        id="keystone_create_user_token_by_password-body",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_validate_token(x_subject_token=SecretStr(SUBJECT_TOKEN)),
            "GET", "/v3/auth/tokens", [], {"X-Subject-Token": SUBJECT_TOKEN}, None, TOKEN_BODY,
            lambda result: (
                [role.name for role in result.token.roles] == ["op_gated_lakeformation", "te_admin"]
                and secrets_hidden(result, SUBJECT_TOKEN)
            ),
            answer_headers={"X-Subject-Token": SUBJECT_TOKEN},
        ),
        id="keystone_validate_token",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_validate_token(x_subject_token=SUBJECT_TOKEN, nocatalog="true"),
            "GET", "/v3/auth/tokens", [("nocatalog", "true")], {"X-Subject-Token": SUBJECT_TOKEN}, None, TOKEN_BODY,
            lambda result: result.token.user.name == "ops",
        ),
        id="keystone_validate_token-str",
    ),
    pytest.param(
        Case(
            lambda iam: iam.create_temporary_access_key_by_token(duration_seconds=900),
            "POST", "/v3.0/OS-CREDENTIAL/securitytokens", [], {"Content-Type": JSON_BODY}, TOKEN_KEY_BODY,
            TEMPORARY_KEY,
            lambda result: (
                result.credential.secret.get_secret_value() == TEMP_SK
                and secrets_hidden(result, TEMP_SK, TEMP_TOKEN)
                and temporary_credentials(result).security_token == SecretStr(TEMP_TOKEN)
            ),
        ),
        id="create_temporary_access_key_by_token",
    ),
    pytest.param(
        Case(
            lambda iam: iam.create_temporary_access_key_by_token(body=TOKEN_KEY_BODY),
            "POST", "/v3.0/OS-CREDENTIAL/securitytokens", [], {}, TOKEN_KEY_BODY, TEMPORARY_KEY,
            lambda result: result.credential.access == "TEMPAK0001",
        ),
        id="create_temporary_access_key_by_token-body",
    ),
    pytest.param(
        Case(
            lambda iam: iam.create_temporary_access_key_by_agency(
                agency_name="ops-agency", domain_name="partner", duration_seconds=3600, session_user="alice",
                policy=POLICY,
            ),
            "POST", "/v3.0/OS-CREDENTIAL/securitytokens", [], {"Content-Type": JSON_BODY}, AGENCY_BODY,
            TEMPORARY_KEY,
            lambda result: (
                result.credential.access == "TEMPAK0001"
                and temporary_credentials(result).expires_at == 1709281653.0  # 2024-03-01T08:27:33Z
            ),
        ),
        id="create_temporary_access_key_by_agency",
    ),
    pytest.param(
        Case(
            lambda iam: iam.create_temporary_access_key_by_agency(body=AGENCY_BODY),
            "POST", "/v3.0/OS-CREDENTIAL/securitytokens", [], {}, AGENCY_BODY, TEMPORARY_KEY,
            lambda result: result.credential.access == "TEMPAK0001",
        ),
        id="create_temporary_access_key_by_agency-body",
    ),
    pytest.param(
        Case(
            lambda iam: iam.list_permanent_access_keys(user_id="u1"),
            "GET", "/v3.0/OS-CREDENTIAL/credentials", [("user_id", "u1")], {"X-Domain-Id": "d1"}, None,
            {"credentials": [{"user_id": "u1", "access": "LOUGPSYV1ZX1JQ1CXBHC", "status": "active",
                              "create_time": "2020-01-08T06:26:08.123059Z", "description": ""}]},
            lambda result: (
                result.credentials[0].status == "active"
                and result.credentials[0].create_time == "2020-01-08T06:26:08.123059Z"
            ),
        ),
        id="list_permanent_access_keys",
    ),
]


@pytest.mark.parametrize("case", CASES)
async def test_every_operation_on_the_wire(case: Case) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=case.answer, headers=case.answer_headers)

    recorder = Recorder(answer)
    async with facade(recorder, account="d1") as cloud:
        result = await case.call(cloud.iam)
    (request,) = recorder.requests
    body = json.loads(request.content) if request.content else None
    assert (request.method, request.url.host, request.url.path) == (case.method, "iam.cn-north-4.myhuaweicloud.com",
                                                                    case.path)
    assert sorted(request.url.params.multi_items()) == case.query
    assert body == case.body
    for name, value in case.headers.items():
        assert request.headers[name] == value
    # With the account configured, every IAM request names it, as the official SDK's GlobalCredentials do.
    assert request.headers["X-Domain-Id"] == "d1"
    assert "X-Project-Id" not in request.headers
    assert_validly_signed(request)
    assert case.check(result), result


# --- the conveniences: one body, from body= or from the shorter arguments ------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda iam: iam.keystone_create_user_token_by_password(
                body=PASSWORD_BODY, domain_name="acme", user_name="ops", password=PASSWORD
            ),
            "not both", id="token-both",
        ),
        pytest.param(lambda iam: iam.keystone_create_user_token_by_password(), "pass body=", id="token-neither"),
        pytest.param(
            lambda iam: iam.keystone_create_user_token_by_password(domain_name="acme", user_name="ops"),
            "together", id="token-without-password",
        ),
        pytest.param(
            lambda iam: iam.create_temporary_access_key_by_token(body=TOKEN_KEY_BODY, duration_seconds=900),
            "either body=", id="key-by-token-both",
        ),
        pytest.param(
            lambda iam: iam.create_temporary_access_key_by_agency(body=AGENCY_BODY, agency_name="ops-agency"),
            "not both", id="key-by-agency-both",
        ),
        pytest.param(
            lambda iam: iam.create_temporary_access_key_by_agency(), "pass body=", id="key-by-agency-neither"
        ),
    ],
)
async def test_a_convenience_takes_body_or_its_fields_never_both_never_neither(
    call: Callable[[IAM], Awaitable[Any]], message: str
) -> None:
    recorder = Recorder(lambda request: httpx.Response(500))
    async with facade(recorder, account="d1") as cloud:
        with pytest.raises(ConfigurationError, match=message) as raised:
            await call(cloud.iam)
    assert recorder.requests == []
    assert PASSWORD not in str(raised.value)


async def test_temporary_keys_by_the_requests_own_token_need_no_argument() -> None:
    # Neither body= nor a field is the official default here: keys for the token the request is signed with.
    recorder = Recorder(lambda request: httpx.Response(201, json=TEMPORARY_KEY))
    async with facade(recorder, account="d1") as cloud:
        await cloud.iam.create_temporary_access_key_by_token()
        await cloud.iam.create_temporary_access_key_by_token(token=SecretStr("user-token-VALUE"))
    bodies = [json.loads(request.content) for request in recorder.requests]
    assert bodies == [
        {"auth": {"identity": {"methods": ["token"], "token": {}}}},
        {"auth": {"identity": {"methods": ["token"], "token": {"id": "user-token-VALUE"}}}},
    ]


# --- temporary credentials -----------------------------------------------------------------------------


def test_temporary_credentials_are_credentials_that_never_show_their_secrets() -> None:
    for response in (CreateTemporaryAccessKeyByTokenResponse, CreateTemporaryAccessKeyByAgencyResponse):
        credentials = temporary_credentials(response.model_validate(TEMPORARY_KEY))
        assert isinstance(credentials, Credentials)
        assert credentials.ak == "TEMPAK0001"
        assert credentials.sk.get_secret_value() == TEMP_SK
        assert credentials.security_token is not None
        assert credentials.security_token.get_secret_value() == TEMP_TOKEN
        assert credentials.expires_at == 1709281653.0
        shown = repr(credentials) + str(credentials)
        assert TEMP_SK not in shown and TEMP_TOKEN not in shown


def test_temporary_credentials_without_an_expiry_do_not_expire() -> None:
    key = {k: v for k, v in TEMPORARY_KEY["credential"].items() if k != "expires_at"}
    credentials = temporary_credentials(CreateTemporaryAccessKeyByTokenResponse.model_validate({"credential": key}))
    assert credentials.expires_at is None


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({}, id="no-credential"),
        pytest.param({"credential": {}}, id="empty-credential"),
        pytest.param({"credential": {"access": "TEMPAK0001", "securitytoken": TEMP_TOKEN}}, id="no-secret"),
        pytest.param({"credential": {"access": "TEMPAK0001", "secret": TEMP_SK}}, id="no-security-token"),
        pytest.param({"credential": {"access": "", "secret": TEMP_SK, "securitytoken": TEMP_TOKEN}}, id="no-ak"),
    ],
)
def test_temporary_credentials_refuse_a_result_without_a_whole_key(answer: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="no temporary access key") as raised:
        temporary_credentials(CreateTemporaryAccessKeyByTokenResponse.model_validate(answer))
    assert TEMP_SK not in str(raised.value) and TEMP_TOKEN not in str(raised.value)


# --- accounts, endpoints, paging ------------------------------------------------------------------------


async def test_account_scoped_operations_discover_the_account_once() -> None:
    # As the official SDK's GlobalCredentials: IAM acts on the caller's account, named by X-Domain-Id, which is
    # discovered once (KeystoneListAuthDomains) when not configured; /v3/auth/... calls describe the caller itself.
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/auth/domains":
            return httpx.Response(200, json={"domains": [{"id": "d-found", "name": "acme"}]})
        if request.url.path == "/v3/auth/projects":
            return httpx.Response(200, json={"projects": []})
        if request.url.path.startswith("/v3/projects/"):
            return httpx.Response(200, json={"project": PROJECT})
        return httpx.Response(200, json={"users": [], "credentials": [], "projects": []})

    recorder = Recorder(answer)
    async with facade(recorder) as cloud:
        await cloud.iam.keystone_list_auth_projects()
        await cloud.iam.keystone_list_users()
        await cloud.iam.list_permanent_access_keys()
        await cloud.iam.keystone_list_projects()
        await cloud.iam.keystone_show_project(project_id="0a1b2c3d4e5f")
    assert [request.url.path for request in recorder.requests] == [
        "/v3/auth/projects", "/v3/auth/domains", "/v3/users", "/v3.0/OS-CREDENTIAL/credentials", "/v3/projects",
        "/v3/projects/0a1b2c3d4e5f",
    ]
    assert [request.headers.get("X-Domain-Id") for request in recorder.requests] == [
        None, None, "d-found", "d-found", "d-found", "d-found"
    ]


async def test_without_a_region_iam_uses_the_global_endpoint() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/auth/domains":
            return httpx.Response(200, json={"domains": [{"id": "d-found", "name": "acme"}]})
        return httpx.Response(200, json={"regions": []})

    recorder = Recorder(answer)
    cloud = AsyncHuaweiCloud(region=None, credentials=CREDS, config=ClientConfig(), http_client=recorder.client(),
                             environ={})
    async with cloud:
        assert (await cloud.iam.keystone_list_regions()).regions == []
    assert {request.url.host for request in recorder.requests} == {"iam.myhuaweicloud.com"}
    assert recorder.requests[-1].url.path == "/v3/regions"


async def test_cloud_iam_is_the_generated_v3_client_extended() -> None:
    async with facade(Recorder(lambda request: httpx.Response(500))) as cloud:
        assert cloud.iam is cloud.iam_v3
        assert isinstance(cloud.iam, IAM)


async def test_iter_keystone_list_projects_walks_pages_until_an_empty_one() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        names = {1: ["a", "b"], 2: ["c", "d"], 3: ["e"]}.get(page, [])
        return httpx.Response(200, json={"projects": [{**PROJECT, "id": n, "name": n} for n in names], "links": LINKS})

    recorder = Recorder(answer)
    async with facade(recorder, account="d1") as cloud:
        names = [project.name async for project in cloud.iam.iter_keystone_list_projects(enabled=True)]
        explicit = [project.name async for project in cloud.iam.iter_keystone_list_projects(per_page=2, page=3)]
    assert names == ["a", "b", "c", "d", "e"]
    assert explicit == ["e"]
    queries = [sorted(request.url.params.multi_items()) for request in recorder.requests]
    assert queries[:4] == [[("enabled", "true"), ("page", str(page)), ("per_page", "5000")] for page in (1, 2, 3, 4)]
    assert queries[4:] == [[("page", "3"), ("per_page", "2")], [("page", "4"), ("per_page", "2")]]


def test_the_blocking_facade_makes_the_same_calls() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/auth/tokens":
            return httpx.Response(201, json=TOKEN_BODY, headers={"X-Subject-Token": SUBJECT_TOKEN})
        page = request.url.params.get("page")
        projects = [PROJECT] if page in (None, "1") else []
        return httpx.Response(200, json={"projects": projects, "links": LINKS})

    recorder = Recorder(answer)
    with HuaweiCloud(region="cn-north-4", credentials=CREDS, project="p1", account="d1",
                     http_client=recorder.client(), environ={}) as cloud:
        assert cloud.iam is cloud.iam_v3
        listed = cloud.iam.keystone_list_projects(name="cn-north-4")
        every = list(cloud.iam.iter_keystone_list_projects())
        token = cloud.iam.keystone_create_user_token_by_password(domain_name="acme", user_name="ops", password="pw")
        validated = cloud.iam.keystone_validate_token(x_subject_token=SecretStr(SUBJECT_TOKEN))
        with pytest.raises(ConfigurationError):
            cloud.iam.create_temporary_access_key_by_agency()
    assert listed.projects is not None and every[0].id == listed.projects[0].id == "0a1b2c3d4e5f"
    assert len(every) == 1
    assert isinstance(token, KeystoneCreateUserTokenByPasswordResponse)
    assert token.x_subject_token is not None and token.x_subject_token.get_secret_value() == SUBJECT_TOKEN
    assert validated.token is not None and validated.token.methods == ["password"]
    # Without a project, the token is scoped to the user's account.
    assert json.loads(recorder.requests[-2].content)["auth"]["scope"] == {"domain": {"name": "acme"}}
    assert recorder.requests[-1].headers["X-Subject-Token"] == SUBJECT_TOKEN


# --- results typed as Huawei sends them -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "answer", "call", "problem"),
    [
        (("GET", "/v3/projects"), {"projects": [{"id": "p1"}]},
         lambda iam: iam.keystone_list_projects(), "projects.0.name: Field required"),
        (("GET", "/v3/users"), {"users": [{"name": "ops"}]},
         lambda iam: iam.keystone_list_users(), "users.0.id: Field required"),
        (("GET", "/v3/auth/domains"), {"domains": [{"id": "d1"}]},
         lambda iam: iam.keystone_list_auth_domains(), "domains.0.name: Field required"),
        (("POST", "/v3/auth/tokens"), {"token": {"methods": "password"}},
         lambda iam: iam.keystone_create_user_token_by_password(domain_name="acme", user_name="ops", password="pw"),
         "token.methods: Input should be a valid array"),
        (("GET", "/v3/auth/tokens"), {"token": {"roles": {"name": "te_admin"}}},
         lambda iam: iam.keystone_validate_token(x_subject_token="t"), "token.roles: Input should be a valid array"),
        (("POST", "/v3.0/OS-CREDENTIAL/securitytokens"), {"credential": {**TEMPORARY_KEY["credential"], "access": 7}},
         lambda iam: iam.create_temporary_access_key_by_token(), "credential.access: Input should be a valid string"),
    ],
)
async def test_a_success_that_does_not_fit_the_official_model_is_a_malformed_response(
    path: tuple[str, str], answer: dict[str, Any], call: Callable[[IAM], Awaitable[object]], problem: str
) -> None:
    # A listed project's, user's or account's id and name are typed str (no None checks in users' code), the rest
    # is typed as the official models type it: a 2xx that does not fit is not IAM's answer, and the error says
    # where, never quoting the body (it may hold a token or a secret key).
    def answer_it(request: httpx.Request) -> httpx.Response:
        assert (request.method, request.url.path) == path
        return httpx.Response(201, json=answer, headers={"X-Request-Id": "req-1", "X-Subject-Token": "t"})

    async with facade(Recorder(answer_it), account="d1") as cloud:
        with pytest.raises(MalformedResponseError, match=rf"\b{problem}") as raised:
            await call(cloud.iam)
    assert raised.value.request_id == "req-1"
    assert TEMP_SK not in str(raised.value) and TEMP_TOKEN not in str(raised.value)
