"""IAM: every operation on the wire and parsed; X-Domain-Id, endpoints, paging, secrets, the blocking facade."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, HuaweiCloud
from hwcloud_client.errors import MalformedResponseError
from hwcloud_client.services.iam import IAM
from tests.helpers import CREDS, Recorder, assert_validly_signed, facade

pytestmark = pytest.mark.anyio

SUBJECT_TOKEN = "MIIDkgYJKoZIhvcNAQcCoIIDgzCCA38CAQExDTALBglghkgBZQMEAgEwgXIGCSqGSIb3DQEHAa"
TEMP_SK = "temp-secret-key-value-0001"
TEMP_TOKEN = "gQpjbi1ub3J0aC00iUbYW3Vq2l0hKH5R-security-token"

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
            lambda result: result.projects[0].id == "0a1b2c3d4e5f" and result.links.self_url.endswith("/projects"),
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
            lambda result: result.regions[0].locales["en-us"] == "CN North-Beijing4",
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
            lambda result: result.users[0].password_expires_at.year == 2025 and result.users[0].pwd_strength == "high",
        ),
        id="keystone_list_users",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_create_user_token_by_password(
                domain_name="acme", user_name="ops", password="Pa55-w0rd!", project_name="cn-north-4", nocatalog=True
            ),
            "POST", "/v3/auth/tokens", [("nocatalog", "true")], {}, {
                "auth": {
                    "identity": {"methods": ["password"], "password": {"user": {
                        "name": "ops", "password": "Pa55-w0rd!", "domain": {"name": "acme"}}}},
                    "scope": {"project": {"name": "cn-north-4"}},
                }
            },
            TOKEN_BODY,
            lambda result: (
                result.subject_token.get_secret_value() == SUBJECT_TOKEN
                and SUBJECT_TOKEN not in repr(result)
                and result.token.project.id == "0a1b2c3d4e5f"
                and result.token.expires_at.tzinfo is not None
                and result.token.user.password_expires_at is None
            ),
            answer_headers={"X-Subject-Token": SUBJECT_TOKEN},
        ),
        id="keystone_create_user_token_by_password",
    ),
    pytest.param(
        Case(
            lambda iam: iam.keystone_validate_token(subject_token=SecretStr(SUBJECT_TOKEN)),
            "GET", "/v3/auth/tokens", [], {"X-Subject-Token": SUBJECT_TOKEN}, None, TOKEN_BODY,
            lambda result: [role.name for role in result.token.roles] == ["op_gated_lakeformation", "te_admin"],
            answer_headers={"X-Subject-Token": SUBJECT_TOKEN},
        ),
        id="keystone_validate_token",
    ),
    pytest.param(
        Case(
            lambda iam: iam.create_temporary_access_key_by_token(duration_seconds=900),
            "POST", "/v3.0/OS-CREDENTIAL/securitytokens", [], {},
            {"auth": {"identity": {"methods": ["token"], "token": {"duration_seconds": 900}}}},
            TEMPORARY_KEY,
            lambda result: (
                result.credential.secret.get_secret_value() == TEMP_SK
                and TEMP_SK not in repr(result) and TEMP_TOKEN not in repr(result)
                and result.credential.to_credentials().security_token.get_secret_value() == TEMP_TOKEN
            ),
        ),
        id="create_temporary_access_key_by_token",
    ),
    pytest.param(
        Case(
            lambda iam: iam.create_temporary_access_key_by_agency(
                agency_name="ops-agency", domain_name="partner", duration_seconds=3600, session_user="alice",
                policy={"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["obs:object:GetObject"]}]},
            ),
            "POST", "/v3.0/OS-CREDENTIAL/securitytokens", [], {},
            {"auth": {"identity": {
                "methods": ["assume_role"],
                "assume_role": {"agency_name": "ops-agency", "domain_name": "partner", "duration_seconds": 3600,
                                "session_user": {"name": "alice"}},
                "policy": {"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["obs:object:GetObject"]}]},
            }}},
            TEMPORARY_KEY,
            lambda result: result.credential.access == "TEMPAK0001" and result.credential.expires_at.minute == 27,
        ),
        id="create_temporary_access_key_by_agency",
    ),
    pytest.param(
        Case(
            lambda iam: iam.list_permanent_access_keys(user_id="u1"),
            "GET", "/v3.0/OS-CREDENTIAL/credentials", [("user_id", "u1")], {"X-Domain-Id": "d1"}, None,
            {"credentials": [{"user_id": "u1", "access": "LOUGPSYV1ZX1JQ1CXBHC", "status": "active",
                              "create_time": "2020-01-08T06:26:08.123059Z", "description": ""}]},
            lambda result: result.credentials[0].status == "active" and result.credentials[0].create_time.year == 2020,
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
    assert "X-Project-Id" not in request.headers
    assert_validly_signed(request)
    assert case.check(result), result


async def test_domain_scoped_operations_discover_the_account_once() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/auth/domains":
            return httpx.Response(200, json={"domains": [{"id": "d-found", "name": "acme"}]})
        return httpx.Response(200, json={"users": [], "credentials": []})

    recorder = Recorder(answer)
    async with facade(recorder) as cloud:
        await cloud.iam.keystone_list_users()
        await cloud.iam.list_permanent_access_keys()
    assert [request.url.path for request in recorder.requests] == [
        "/v3/auth/domains", "/v3/users", "/v3.0/OS-CREDENTIAL/credentials"
    ]
    assert [request.headers.get("X-Domain-Id") for request in recorder.requests[1:]] == ["d-found", "d-found"]


async def test_without_a_region_iam_uses_the_global_endpoint() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"regions": []}))
    cloud = AsyncHuaweiCloud(region=None, credentials=CREDS, config=ClientConfig(), http_client=recorder.client(),
                             environ={})
    async with cloud:
        assert (await cloud.iam.keystone_list_regions()).regions == []
    assert recorder.requests[0].url.host == "iam.myhuaweicloud.com"


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
        listed = cloud.iam.keystone_list_projects(name="cn-north-4")
        every = list(cloud.iam.iter_keystone_list_projects())
        token = cloud.iam.keystone_create_user_token_by_password(domain_name="acme", user_name="ops", password="pw")
    assert listed.projects[0].id == every[0].id == "0a1b2c3d4e5f"
    assert len(every) == 1
    assert token.subject_token.get_secret_value() == SUBJECT_TOKEN
    # Without a project, the token is scoped to the user's account.
    assert json.loads(recorder.requests[-1].content)["auth"]["scope"] == {"domain": {"name": "acme"}}


@pytest.mark.parametrize(
    ("path", "answer", "call", "missing"),
    [
        (("POST", "/v3/auth/tokens"), {"token": {"methods": ["password"]}},
         lambda iam: iam.keystone_create_user_token_by_password(domain_name="acme", user_name="ops", password="pw"),
         "token.expires_at"),
        (("GET", "/v3/auth/tokens"), {"token": {}}, lambda iam: iam.keystone_validate_token(subject_token="t"),
         "token.expires_at"),
        (("POST", "/v3.0/OS-CREDENTIAL/securitytokens"),
         {"credential": {k: v for k, v in TEMPORARY_KEY["credential"].items() if k != "expires_at"}},
         lambda iam: iam.create_temporary_access_key_by_token(), "credential.expires_at"),
    ],
)
async def test_a_success_without_a_field_iam_always_sends_is_a_malformed_response(
    path: tuple[str, str], answer: dict[str, Any], call: Callable[[IAM], Awaitable[object]], missing: str
) -> None:
    # A token's and temporary keys' expires_at are datetime, not Optional: a 2xx without it is not IAM's answer.
    def answer_it(request: httpx.Request) -> httpx.Response:
        assert (request.method, request.url.path) == path
        return httpx.Response(201, json=answer, headers={"X-Request-Id": "req-1", "X-Subject-Token": "t"})

    async with facade(Recorder(answer_it)) as cloud:
        with pytest.raises(MalformedResponseError, match=rf"\b{missing}: Field required") as raised:
            await call(cloud.iam)
    assert raised.value.request_id == "req-1"
