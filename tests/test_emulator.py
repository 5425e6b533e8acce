"""The IAM/ECS emulator: gateway signature checks, IAM, ECS, faults, the server mode and the pytest plugin."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, RetryPolicy, signing_hook
from hwcloud_client.auth import apig
from hwcloud_client.config import SigningAlgorithm
from hwcloud_client.errors import (
    APIError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    TimeoutError,
    TransportError,
)
from hwcloud_client.testing import DEMO_SECRET_KEY, EmulatedRequest, FakeHuaweiCloud
from hwcloud_client.testing._apig import KnownKey, SignatureRejected, verify_signature

pytestmark = pytest.mark.anyio

ALGORITHMS: list[SigningAlgorithm] = [
    "SDK-HMAC-SHA256",
    "SDK-HMAC-SM3",
    "V11-HMAC-SHA256",
    "SDK-ECDSA-P256-SHA256",
    "SDK-SM2-SM3",
]
ECS = "https://ecs.cn-north-4.myhuaweicloud.com"
KEYPAIRS = "/v2.1/{project_id}/os-keypairs"
FAST = RetryPolicy(backoff_base=0.0, backoff_cap=0.0, retry_after_cap=0.05)
SERVER_SPEC: dict[str, Any] = {
    "name": "web",
    "flavorRef": "s6.small.1",
    "imageRef": "67f433d8-ed0e-4321-a8a2-a71838539e09",
    "vpcid": "0dae26c9-9a46-45d3-8b0e-4d4f9b3bb3a6",
    "nics": [{"subnet_id": "e1e5a84f-7cc1-4be0-a5c4-0b9b1d1f5a53"}],
    "root_volume": {"volumetype": "SSD", "size": 40},
}


class Clock:
    """A settable clock for the emulator."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def cloud_for(
    fake: FakeHuaweiCloud,
    *,
    credentials: Credentials | None = None,
    algorithm: SigningAlgorithm = "SDK-HMAC-SHA256",
    retry: RetryPolicy = FAST,
    transport: httpx.AsyncBaseTransport | None = None,
    project: str | None = None,
    clock: Callable[[], float] | None = None,
) -> AsyncHuaweiCloud:
    return AsyncHuaweiCloud(
        region=fake.region,
        credentials=credentials or fake.credentials,
        project=project,
        config=ClientConfig(signing_algorithm=algorithm, retry=retry),
        http_client=httpx.AsyncClient(transport=transport or fake.transport()),
        environ={},
        clock=clock,
    )


class Tamper(httpx.AsyncBaseTransport):
    """Changes a request after it was signed, before the emulator sees it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, change: Callable[[httpx.Request], httpx.Request]) -> None:
        self.inner, self.change = inner, change

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return await self.inner.handle_async_request(self.change(request))


def with_body(body: bytes) -> Callable[[httpx.Request], httpx.Request]:
    def change(request: httpx.Request) -> httpx.Request:
        headers = httpx.Headers(request.headers)
        headers["content-length"] = str(len(body))
        return httpx.Request(request.method, request.url, headers=headers, content=body)

    return change


def assert_gateway_rejection(error: AuthenticationError, words: str) -> None:
    assert error.status_code == 401
    assert error.error_code == "APIGW.0301"
    assert error.error_msg is not None and error.error_msg.startswith("Incorrect IAM authentication information")
    assert words in error.error_msg
    assert error.request_id and error.headers.get("date")
    assert error.body is not None and error.request_id.encode() in error.body


# --- the gateway ---------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_every_signing_algorithm_is_verified(algorithm: SigningAlgorithm) -> None:
    fake = FakeHuaweiCloud()
    async with cloud_for(fake, algorithm=algorithm) as cloud:
        listed = await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/detail", params={"name": "a b+c~"})
        created = await cloud.request("ecs", "POST", KEYPAIRS, json={"keypair": {"name": "k"}})
    assert listed.json() == {"count": 0, "servers": []}
    assert created.json()["keypair"]["name"] == "k"
    assert listed.headers["x-request-id"] and listed.headers["date"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_a_body_changed_after_signing_is_rejected(algorithm: SigningAlgorithm) -> None:
    fake = FakeHuaweiCloud()
    tampered = Tamper(fake.transport(), with_body(b'{"keypair":{"name":"evil"}}'))
    async with cloud_for(fake, algorithm=algorithm, transport=tampered, project=fake.project_id) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.request("ecs", "POST", KEYPAIRS, json={"keypair": {"name": "k"}})
    assert_gateway_rejection(caught.value, "verify aksk signature fail")
    assert fake.ecs.keypairs == {}


async def test_a_query_changed_after_signing_is_rejected() -> None:
    fake = FakeHuaweiCloud()

    def other_limit(request: httpx.Request) -> httpx.Request:
        return httpx.Request(request.method, request.url.copy_with(query=b"limit=1000"), headers=request.headers)

    async with cloud_for(fake, transport=Tamper(fake.transport(), other_limit), project=fake.project_id) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/detail", params={"limit": 1})
    assert_gateway_rejection(caught.value, "verify aksk signature fail")


async def test_an_unsigned_project_header_is_rejected() -> None:
    fake = FakeHuaweiCloud()

    def add_project(request: httpx.Request) -> httpx.Request:
        request.headers["X-Domain-Id"] = "someone-else"
        return request

    async with cloud_for(fake, transport=Tamper(fake.transport(), add_project), project=fake.project_id) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    assert_gateway_rejection(caught.value, "x-domain-id header is sent but not signed")


async def test_a_wrong_secret_key_is_rejected() -> None:
    fake = FakeHuaweiCloud()
    async with cloud_for(fake, credentials=Credentials(ak=fake.ak, sk="not-the-secret")) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.request("iam", "GET", "/v3/auth/domains")
    assert_gateway_rejection(caught.value, "verify aksk signature fail")
    assert "not-the-secret" not in str(caught.value)


async def test_an_unknown_access_key_is_rejected() -> None:
    fake = FakeHuaweiCloud()
    async with cloud_for(fake, credentials=Credentials(ak="AKNOBODYKNOWS", sk=DEMO_SECRET_KEY)) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.request("iam", "GET", "/v3/auth/domains")
    assert_gateway_rejection(caught.value, "AKNOBODYKNOWS does not exist")


async def test_a_stale_signature_time_is_rejected_with_a_time_message() -> None:
    fake = FakeHuaweiCloud()
    fake.faults.clock_skew = 16 * 60
    hook = signing_hook(fake.credentials)
    async with httpx.AsyncClient(transport=fake.transport(), event_hooks={"request": [hook]}) as client:
        response = await client.get("https://iam.cn-north-4.myhuaweicloud.com/v3/auth/domains")
    body = response.json()
    assert response.status_code == 401 and body["error_code"] == "APIGW.0301"
    assert "15 minutes" in body["error_msg"] and "time" in body["error_msg"]
    assert body["request_id"] == response.headers["x-request-id"]


async def test_the_client_learns_the_emulator_clock_and_retries() -> None:
    fake = FakeHuaweiCloud()
    fake.faults.clock_skew = 3600
    async with cloud_for(fake, project=fake.project_id) as cloud:
        response = await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
        assert abs(cloud.skews.offset(urlsplit(cloud.endpoint("ecs").url).netloc) - 3600) < 5
    assert response.status_code == 200
    assert [call.status for call in fake.calls] == [401, 200]


@pytest.mark.parametrize(
    ("headers", "words"),
    [({}, "Authorization header is missing"), ({"Authorization": "SDK-HMAC-SHA256 Access=x"}, "X-Sdk-Date")],
)
async def test_unsigned_requests_are_rejected(headers: dict[str, str], words: str) -> None:
    fake = FakeHuaweiCloud()
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        response = await client.get(f"{ECS}/v1/p/cloudservers/flavors", headers=headers)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0301"
    assert words in response.json()["error_msg"]


async def test_an_unknown_api_is_the_gateways_404() -> None:
    fake = FakeHuaweiCloud()
    async with cloud_for(fake, project=fake.project_id) as cloud:
        with pytest.raises(NotFoundError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/no-such-api")
    assert caught.value.error_code == "APIGW.0101"


# --- IAM -----------------------------------------------------------------------------------------


async def test_iam_projects_domains_regions_users_and_keys() -> None:
    fake = FakeHuaweiCloud(region="ap-southeast-1")
    async with cloud_for(fake) as cloud:
        projects = (await cloud.request("iam", "GET", "/v3/projects", params={"name": "ap-southeast-1"})).json()
        shown = (await cloud.request("iam", "GET", f"/v3/projects/{fake.project_id}")).json()
        auth_projects = (await cloud.request("iam", "GET", "/v3/auth/projects")).json()
        domains = (await cloud.request("iam", "GET", "/v3/auth/domains")).json()
        regions = (await cloud.request("iam", "GET", "/v3/regions")).json()
        users = (await cloud.request("iam", "GET", "/v3/users")).json()
        keys = (await cloud.request("iam", "GET", "/v3.0/OS-CREDENTIAL/credentials")).json()
        with pytest.raises(NotFoundError):
            await cloud.request("iam", "GET", "/v3/projects/0123456789abcdef0123456789abcdef")
        assert await cloud.project_id() == fake.project_id  # discovered through IAM
    assert [project["id"] for project in projects["projects"]] == [fake.project_id]
    assert set(projects["links"]) == {"self", "previous", "next"}
    assert shown["project"]["name"] == "ap-southeast-1"
    assert shown["project"]["domain_id"] == fake.domain_id
    assert fake.project_id in {project["id"] for project in auth_projects["projects"]}
    assert domains["domains"][0]["id"] == fake.domain_id
    assert "ap-southeast-1" in {region["id"] for region in regions["regions"]}
    assert users["users"][0]["name"] == fake.iam.user_name
    assert keys["credentials"][0]["access"] == fake.ak and "secret" not in keys["credentials"][0]


async def test_password_tokens_authorize_requests_instead_of_signatures() -> None:
    fake = FakeHuaweiCloud()
    auth = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": fake.iam.user_name, "password": fake.iam.password,
                             "domain": {"name": fake.iam.domain_name}}
                },
            },
            "scope": {"project": {"name": fake.region}},
        }
    }
    iam = "https://iam.cn-north-4.myhuaweicloud.com"
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        issued = await client.post(f"{iam}/v3/auth/tokens", json=auth)
        token = issued.headers["x-subject-token"]
        flavors = await client.get(
            f"{ECS}/v1/{fake.project_id}/cloudservers/flavors",
            headers={"X-Auth-Token": token},
        )
        validated = await client.get(
            f"{iam}/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}
        )
        forged = await client.get(f"{iam}/v3/auth/domains", headers={"X-Auth-Token": "MIIforged"})
        auth["auth"]["identity"]["password"]["user"]["password"] = "wrong"
        refused = await client.post(f"{iam}/v3/auth/tokens", json=auth)
    assert issued.status_code == 201
    assert issued.json()["token"]["project"]["id"] == fake.project_id
    assert issued.json()["token"]["methods"] == ["password"]
    assert flavors.status_code == 200 and flavors.json()["flavors"]
    assert validated.status_code == 200 and validated.headers["x-subject-token"] == token
    assert forged.status_code == 401 and forged.json()["error_code"] == "APIGW.0301"
    assert refused.status_code == 401 and refused.json()["error"]["code"] == 401


async def test_temporary_access_keys_sign_with_their_security_token_until_they_expire() -> None:
    clock = Clock()
    fake = FakeHuaweiCloud(clock=clock)
    body = {"auth": {"identity": {"methods": ["token"], "token": {"duration_seconds": 900}}}}
    async with cloud_for(fake, clock=clock) as cloud:
        issued = await cloud.request("iam", "POST", "/v3.0/OS-CREDENTIAL/securitytokens", json=body)
    credential = issued.json()["credential"]
    assert issued.status_code == 201
    assert set(credential) == {"access", "secret", "securitytoken", "expires_at"}
    assert credential["expires_at"].endswith("Z") and "." in credential["expires_at"]

    without_token = Credentials(ak=credential["access"], sk=credential["secret"])
    temporary = Credentials(
        ak=credential["access"], sk=credential["secret"], security_token=credential["securitytoken"]
    )
    async with cloud_for(fake, credentials=temporary, project=fake.project_id, clock=clock) as cloud:
        assert (await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")).status_code == 200
        clock.now += 901
        with pytest.raises(AuthenticationError) as expired:
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    clock.now -= 901
    async with cloud_for(fake, credentials=without_token, project=fake.project_id, clock=clock) as cloud:
        with pytest.raises(AuthenticationError) as tokenless:
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    assert "does not exist or is not valid" in str(expired.value.error_msg)
    assert "X-Security-Token" in str(tokenless.value.error_msg)


async def test_temporary_key_durations_outside_15_minutes_to_a_day_are_refused() -> None:
    fake = FakeHuaweiCloud()
    body = {"auth": {"identity": {"methods": ["token"], "token": {"duration_seconds": 60}}}}
    async with cloud_for(fake) as cloud:
        with pytest.raises(APIError) as caught:
            await cloud.request("iam", "POST", "/v3.0/OS-CREDENTIAL/securitytokens", json=body)
    assert caught.value.status_code == 400
    assert fake.iam.temporary_keys == {}


# --- ECS -----------------------------------------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def slow_jobs(clock: Clock) -> FakeHuaweiCloud:
    return FakeHuaweiCloud(job_delay=30, clock=clock)


async def create(cloud: AsyncHuaweiCloud, count: int = 1, token: str | None = None, **spec: Any) -> dict[str, Any]:
    headers = {"X-Client-Token": token} if token else None
    body = {"server": {**SERVER_SPEC, "count": count, **spec}}
    response = await cloud.request("ecs", "POST", "/v1/{project_id}/cloudservers", json=body, headers=headers)
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def show(cloud: AsyncHuaweiCloud, server_id: str) -> dict[str, Any]:
    response = await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/{server_id}",
                                   path_params={"server_id": server_id})
    server: dict[str, Any] = response.json()["server"]
    return server


async def job(cloud: AsyncHuaweiCloud, job_id: str) -> dict[str, Any]:
    response = await cloud.request("ecs", "GET", "/v1/{project_id}/jobs/{job_id}", path_params={"job_id": job_id})
    document: dict[str, Any] = response.json()
    return document


async def test_created_servers_build_until_the_job_finishes(slow_jobs: FakeHuaweiCloud, clock: Clock) -> None:
    async with cloud_for(slow_jobs, project=slow_jobs.project_id, clock=clock) as cloud:
        created = await create(cloud, count=2, metadata={"team": "a"}, server_tags=[{"key": "env", "value": "dev"}])
        running = await job(cloud, created["job_id"])
        building = await show(cloud, created["serverIds"][0])
        clock.now += 30
        finished = await job(cloud, created["job_id"])
        active = await show(cloud, created["serverIds"][0])
    assert running["status"] == "RUNNING" and running["end_time"] == ""
    assert building["status"] == "BUILD" and building["OS-EXT-STS:vm_state"] == "building"
    assert finished["status"] == "SUCCESS" and finished["job_type"] == "createServer"
    sub_jobs = finished["entities"]["sub_jobs"]
    assert {sub["entities"]["server_id"] for sub in sub_jobs} == set(created["serverIds"])
    assert finished["entities"]["sub_jobs_total"] == 2
    assert active["status"] == "ACTIVE" and active["OS-EXT-STS:vm_state"] == "active"
    assert active["name"] in ("web-0001", "web-0002")
    assert active["flavor"] == {"id": "s6.small.1", "name": "s6.small.1", "vcpus": "1", "ram": "1024", "disk": "0"}
    assert active["metadata"]["team"] == "a" and active["tags"] == ["env=dev"]
    assert active["tenant_id"] == slow_jobs.project_id
    assert list(active["addresses"]) == [SERVER_SPEC["vpcid"]]


async def test_the_same_client_token_creates_once(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud
) -> None:
    first = await create(fake_cloud_client, count=3, token="create-web-1")
    again = await create(fake_cloud_client, count=3, token="create-web-1")
    other = await create(fake_cloud_client, count=1, token="create-web-2")
    assert again == first and other["job_id"] != first["job_id"]
    assert len(fake_cloud.ecs.servers) == 4


async def test_server_list_pages_are_numbered_from_one(fake_cloud_client: AsyncHuaweiCloud) -> None:
    await create(fake_cloud_client, count=5)
    path = "/v1/{project_id}/cloudservers/detail"
    pages = [
        (await fake_cloud_client.request("ecs", "GET", path, params={"limit": 2, "offset": page})).json()
        for page in (1, 2, 3, 4)
    ]
    named = (await fake_cloud_client.request("ecs", "GET", path, params={"name": "web-0003"})).json()
    assert [page["count"] for page in pages] == [5, 5, 5, 5]
    names = [server["name"] for page in pages for server in page["servers"]]
    assert sorted(names) == [f"web-000{i}" for i in range(1, 6)] and pages[3]["servers"] == []
    assert [server["name"] for server in named["servers"]] == ["web-0003"]


async def test_stop_start_reboot_resize_update_and_delete(slow_jobs: FakeHuaweiCloud, clock: Clock) -> None:
    action = "/v1/{project_id}/cloudservers/action"
    async with cloud_for(slow_jobs, project=slow_jobs.project_id, clock=clock) as cloud:
        server_id = (await create(cloud))["serverIds"][0]
        clock.now += 30
        servers = [{"id": server_id}]

        await cloud.request("ecs", "POST", action, json={"os-stop": {"servers": servers, "type": "HARD"}})
        assert (await show(cloud, server_id))["OS-EXT-STS:task_state"] == "powering-off"
        clock.now += 30
        stopped = await show(cloud, server_id)

        resize = await cloud.request("ecs", "POST", "/v1.1/{project_id}/cloudservers/{id}/resize",
                                     path_params={"id": server_id}, json={"resize": {"flavorRef": "c7.large.2"}})
        assert (await show(cloud, server_id))["status"] == "RESIZE"
        clock.now += 30
        resized = await show(cloud, server_id)
        assert (await job(cloud, resize.json()["job_id"]))["status"] == "SUCCESS"

        await cloud.request("ecs", "POST", action, json={"os-start": {"servers": servers}})
        clock.now += 30
        started = await show(cloud, server_id)

        await cloud.request("ecs", "POST", action, json={"reboot": {"servers": servers, "type": "SOFT"}})
        rebooting = await show(cloud, server_id)
        clock.now += 30

        updated = await cloud.request("ecs", "PUT", "/v1/{project_id}/cloudservers/{id}",
                                      path_params={"id": server_id}, json={"server": {"name": "renamed"}})
        deleted = await cloud.request("ecs", "POST", "/v1/{project_id}/cloudservers/delete",
                                      json={"servers": servers, "delete_volume": True})
        clock.now += 30
        with pytest.raises(NotFoundError) as gone:
            await show(cloud, server_id)
        assert (await job(cloud, deleted.json()["job_id"]))["status"] == "SUCCESS"
    assert stopped["status"] == "SHUTOFF" and stopped["OS-EXT-STS:power_state"] == 4
    assert resized["flavor"]["id"] == "c7.large.2" and resized["status"] == "SHUTOFF"
    assert started["status"] == "ACTIVE"
    assert rebooting["status"] == "REBOOT"
    assert updated.json()["server"]["name"] == "renamed"
    assert gone.value.error_code == "Ecs.0114"


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/v1/{project_id}/cloudservers", {"server": {**SERVER_SPEC, "flavorRef": "no.such.flavor"}}, "Ecs.0005"),
        ("/v1/{project_id}/cloudservers", {"server": {**SERVER_SPEC, "count": 0}}, "Ecs.0005"),
        ("/v1/{project_id}/cloudservers", {"server": {"name": "incomplete"}}, "Ecs.0005"),
        ("/v1/{project_id}/cloudservers/action", {"os-stop": {"servers": [], "type": "SOFT"}}, "Ecs.0005"),
        ("/v1/{project_id}/cloudservers/action", {"reboot": {"servers": [{"id": "x"}], "type": "NOW"}}, "Ecs.0005"),
    ],
)
async def test_bad_parameters_are_ecs_0005(
    fake_cloud_client: AsyncHuaweiCloud, path: str, body: dict[str, Any], code: str
) -> None:
    with pytest.raises(APIError) as caught:
        await fake_cloud_client.request("ecs", "POST", path, json=body)
    assert caught.value.status_code == 400
    assert caught.value.error_code == code


async def test_missing_servers_jobs_and_foreign_projects(fake_cloud_client: AsyncHuaweiCloud) -> None:
    with pytest.raises(NotFoundError) as server:
        await show(fake_cloud_client, "7d2f6a3c-0000-4000-8000-000000000000")
    with pytest.raises(NotFoundError) as batch:
        await fake_cloud_client.request("ecs", "POST", "/v1/{project_id}/cloudservers/action",
                                        json={"os-start": {"servers": [{"id": "missing"}]}})
    with pytest.raises(NotFoundError):
        await job(fake_cloud_client, "ff80808288d41e1b018990260955686a")
    with pytest.raises(PermissionDeniedError):
        await fake_cloud_client.request("ecs", "GET", "/v1/{p}/cloudservers/detail", path_params={"p": "not-mine"})
    assert server.value.error_code == "Ecs.0114" and "could not be found" in str(server.value.error_msg)
    assert batch.value.error_code == "Ecs.0114"


async def test_resizing_to_the_same_flavor_is_ecs_0009(fake_cloud_client: AsyncHuaweiCloud) -> None:
    server_id = (await create(fake_cloud_client))["serverIds"][0]
    with pytest.raises(APIError) as caught:
        await fake_cloud_client.request("ecs", "POST", "/v1.1/{project_id}/cloudservers/{id}/resize",
                                        path_params={"id": server_id}, json={"resize": {"flavorRef": "s6.small.1"}})
    assert caught.value.status_code == 400 and caught.value.error_code == "Ecs.0009"


async def test_a_failed_job_leaves_created_servers_in_error(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud
) -> None:
    fake_cloud.ecs.fail_next_job(error_code="Ecs.0010", fail_reason="The private IP address is already being used.")
    created = await create(fake_cloud_client)
    failed = await job(fake_cloud_client, created["job_id"])
    assert failed["status"] == "FAIL" and failed["error_code"] == "Ecs.0010"
    assert failed["fail_reason"] == "The private IP address is already being used."
    assert failed["entities"]["sub_jobs"][0]["status"] == "FAIL"
    assert (await show(fake_cloud_client, created["serverIds"][0]))["status"] == "ERROR"


async def test_flavors_interfaces_and_tags(fake_cloud_client: AsyncHuaweiCloud) -> None:
    server_id = (await create(fake_cloud_client))["serverIds"][0]
    path = {"id": server_id}
    flavors = (await fake_cloud_client.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")).json()
    interfaces = (await fake_cloud_client.request(
        "ecs", "GET", "/v1/{project_id}/cloudservers/{id}/os-interface", path_params=path)).json()
    tag_action = "/v1/{project_id}/cloudservers/{id}/tags/action"
    created = await fake_cloud_client.request("ecs", "POST", tag_action, path_params=path, json={
        "action": "create", "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "db"}]})
    await fake_cloud_client.request("ecs", "POST", tag_action, path_params=path,
                                    json={"action": "delete", "tags": [{"key": "team", "value": "db"}]})
    tags = (await fake_cloud_client.request("ecs", "GET", "/v1/{project_id}/cloudservers/{id}/tags",
                                            path_params=path)).json()
    project_tags = (await fake_cloud_client.request("ecs", "GET", "/v1/{project_id}/cloudservers/tags")).json()
    tagged = (await fake_cloud_client.request("ecs", "GET", "/v1/{project_id}/cloudservers/detail",
                                              params={"tags": "env=prod"})).json()
    assert {"s6.small.1", "c7.large.2"} <= {flavor["id"] for flavor in flavors["flavors"]}
    assert flavors["flavors"][0]["os_extra_specs"]["ecs:performancetype"]
    attachment = interfaces["interfaceAttachments"][0]
    assert attachment["port_state"] == "ACTIVE" and attachment["fixed_ips"][0]["subnet_id"] == SERVER_SPEC["nics"][0][
        "subnet_id"]
    assert created.status_code == 204
    assert tags == {"tags": [{"key": "env", "value": "prod"}]}
    assert project_tags == {"tags": [{"key": "env", "values": ["prod"]}]}
    assert [server["id"] for server in tagged["servers"]] == [server_id]


async def test_nova_keypairs(fake_cloud_client: AsyncHuaweiCloud) -> None:
    path = KEYPAIRS
    generated = (await fake_cloud_client.request("ecs", "POST", path, json={"keypair": {"name": "gen"}})).json()
    imported = (await fake_cloud_client.request(
        "ecs", "POST", path, json={"keypair": {"name": "mine", "public_key": "ssh-ed25519 AAAAC3Nza me@host"}})).json()
    listed = (await fake_cloud_client.request("ecs", "GET", path)).json()
    with pytest.raises(ConflictError):
        await fake_cloud_client.request("ecs", "POST", path, json={"keypair": {"name": "gen"}})
    await fake_cloud_client.request("ecs", "DELETE", path + "/{name}", path_params={"name": "gen"})
    with pytest.raises(NotFoundError) as gone:
        await fake_cloud_client.request("ecs", "GET", path + "/{name}", path_params={"name": "gen"})
    assert generated["keypair"]["private_key"].startswith("-----BEGIN")
    assert "private_key" not in imported["keypair"] and imported["keypair"]["fingerprint"].count(":") == 15
    assert sorted(item["keypair"]["name"] for item in listed["keypairs"]) == ["gen", "mine"]
    assert gone.value.error_code == "404" and "not found" in str(gone.value.error_msg)


# --- faults --------------------------------------------------------------------------------------


async def test_a_burst_of_429_with_retry_after_is_retried(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud
) -> None:
    fake_cloud.faults.fail_next(2, status=429, retry_after=0.01)
    response = await fake_cloud_client.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    assert response.status_code == 200 and response.attempts == 3
    assert [call.status for call in fake_cloud.calls] == [429, 429, 200]
    assert fake_cloud.faults.pending == 0


async def test_a_503_burst_longer_than_the_retry_budget_surfaces(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud
) -> None:
    fake_cloud.faults.fail_next(5, status=503, service="ecs")
    with pytest.raises(ServerError) as caught:
        await fake_cloud_client.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
    assert caught.value.status_code == 503 and caught.value.error_code == "APIGW.0202"
    assert fake_cloud.faults.pending == 2
    # Faults aimed at ECS leave IAM alone.
    assert (await fake_cloud_client.request("iam", "GET", "/v3/auth/domains")).status_code == 200


async def test_dropped_connections_retry_reads_but_not_unsafe_writes(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud
) -> None:
    fake_cloud.faults.drop_next(1)
    listed = await fake_cloud_client.request("ecs", "GET", "/v1/{project_id}/cloudservers/detail")
    fake_cloud.faults.drop_next(1)
    with pytest.raises(TransportError):
        await fake_cloud_client.request("ecs", "POST", KEYPAIRS, json={"keypair": {"name": "k"}})
    assert listed.attempts == 2
    assert [call.status for call in fake_cloud.calls] == [0, 200, 0]


async def test_latency_meets_the_call_deadline(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud
) -> None:
    fake_cloud.faults.latency = 5.0
    with pytest.raises(TimeoutError):
        await fake_cloud_client.request(
            "ecs", "GET", "/v1/{project_id}/cloudservers/flavors", retry=RetryPolicy(max_attempts=1, deadline=0.05)
        )


def test_only_throttling_and_server_errors_can_be_injected(fake_cloud: FakeHuaweiCloud) -> None:
    with pytest.raises(ValueError, match="429"):
        fake_cloud.faults.fail_next(1, status=404)


# --- the served emulator -------------------------------------------------------------------------


def served_cloud(fake: FakeHuaweiCloud, base_url: str, **kwargs: Any) -> AsyncHuaweiCloud:
    config = ClientConfig(endpoints={"ecs": base_url, "iam": base_url}, retry=FAST)
    kwargs.setdefault("credentials", fake.credentials)
    return AsyncHuaweiCloud(region=fake.region, config=config, environ={}, **kwargs)


async def test_end_to_end_over_http(served: tuple[FakeHuaweiCloud, str]) -> None:
    fake, base_url = served
    async with served_cloud(fake, base_url) as cloud:
        flavors = await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
        created = await create(cloud, count=2)
        finished = await job(cloud, created["job_id"])
        listed = (await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/detail")).json()
        keypair = await cloud.request("ecs", "POST", KEYPAIRS, json={"keypair": {"name": "e2e"}})
        assert await cloud.project_id() == fake.project_id  # discovered from the served IAM
    assert flavors.status_code == 200 and flavors.request_id
    assert finished["status"] == "SUCCESS"
    assert listed["count"] == 2 and {server["status"] for server in listed["servers"]} == {"ACTIVE"}
    assert keypair.json()["keypair"]["name"] == "e2e"
    assert [call.service for call in fake.calls][:2] == ["iam", "ecs"]


async def test_signature_failures_over_http(served: tuple[FakeHuaweiCloud, str]) -> None:
    fake, base_url = served
    async with served_cloud(fake, base_url, credentials=Credentials(ak=fake.ak, sk="wrong"),
                            project=fake.project_id) as cloud:
        with pytest.raises(AuthenticationError) as caught:
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/detail", params={"name": "a b"})
    assert_gateway_rejection(caught.value, "verify aksk signature fail")


async def test_faults_over_http(served: tuple[FakeHuaweiCloud, str]) -> None:
    fake, base_url = served
    fake.faults.clock_skew = -3600
    fake.faults.fail_next(1, status=429, retry_after=0)
    fake.faults.drop_next(1)
    async with served_cloud(fake, base_url, project=fake.project_id) as cloud:
        response = await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")
        assert abs(cloud.skews.offset(urlsplit(base_url).netloc) + 3600) < 5
    assert response.status_code == 200
    assert [call.status for call in fake.calls] == [429, 0, 401, 200]


async def test_the_printed_environment_configures_the_sdk(served: tuple[FakeHuaweiCloud, str]) -> None:
    fake, base_url = served
    environment = fake.environment(base_url)
    assert environment["HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_4"] == base_url
    async with AsyncHuaweiCloud(environ=environment) as cloud:
        response = await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/detail")
    assert response.status_code == 200
    assert fake.calls[-1].path == f"/v1/{fake.project_id}/cloudservers/detail"


def test_the_module_serves_and_prints_the_environment() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "hwcloud_client.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:
            if line.startswith("Press Ctrl-C"):
                break
            printed.append(line)
        base_url = printed[0].rsplit(" ", 1)[-1].strip()
        exports = dict(line.removeprefix("export ").strip().split("=", 1) for line in printed if "export " in line)
        response = httpx.get(f"{base_url}/v3/projects")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert base_url.startswith("http://127.0.0.1:")
    assert exports["HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_4"] == base_url
    assert exports["HUAWEICLOUD_SDK_REGION"] == "cn-north-4" and len(exports["HUAWEICLOUD_SDK_PROJECT_ID"]) == 32
    assert response.status_code == 401 and response.json()["error_code"] == "APIGW.0301"


# --- the pytest plugin ---------------------------------------------------------------------------


async def test_the_plugin_fixtures_share_one_emulator(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud, fake_cloud_server: str
) -> None:
    await create(fake_cloud_client)
    async with served_cloud(fake_cloud, fake_cloud_server, project=fake_cloud.project_id) as cloud:
        listed = (await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/detail")).json()
    assert listed["count"] == 1
    assert fake_cloud_client.region == fake_cloud.region


# --- the typed clients against the emulator --------------------------------------------------------


async def test_typed_ecs_client_round_trip(fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud) -> None:
    ecs = fake_cloud_client.ecs
    spec = {
        "imageRef": SERVER_SPEC["imageRef"], "flavorRef": "s6.small.1", "name": "typed", "vpcid": SERVER_SPEC["vpcid"],
        "nics": [{"subnet_id": SERVER_SPEC["nics"][0]["subnet_id"]}], "root_volume": {"volumetype": "SSD", "size": 40},
        "count": 3,
    }
    created = await ecs.create_servers(server=spec, x_client_token="typed-create")
    repeated = await ecs.create_servers(body={"server": spec}, x_client_token="typed-create")
    finished = await ecs.wait_for_job(created.job_id or "", interval=0.01, timeout=5)
    servers = [server async for server in ecs.iter_servers_details(limit=2)]
    server_ids = created.server_ids or []
    stopping = await ecs.batch_stop_servers(server_ids=server_ids[:1], stop_type="HARD")
    await ecs.wait_for_job(stopping.job_id, interval=0.01, timeout=5)
    stopped = (await ecs.show_server(server_id=server_ids[0])).server
    tag_body = {"action": "create", "tags": [{"key": "env", "value": "test"}]}
    await ecs.batch_create_server_tags(server_id=server_ids[0], body=tag_body)
    tags = await ecs.show_server_tags(server_id=server_ids[0])
    flavors = await ecs.list_flavors()
    with pytest.raises(NotFoundError) as missing:
        await ecs.show_server(server_id="7d2f6a3c-0000-4000-8000-000000000000")

    assert finished.status == "SUCCESS"
    assert sorted(server.id for server in servers) == sorted(server_ids)
    assert {server.status for server in servers} == {"ACTIVE"}
    assert stopped is not None and stopped.status == "SHUTOFF"
    assert [(tag.key, tag.value) for tag in tags.tags or []] == [("env", "test")]
    assert "s6.small.1" in {flavor.id for flavor in flavors.flavors or []}
    assert missing.value.error_code == "Ecs.0114"
    assert repeated.job_id == created.job_id and len(fake_cloud.ecs.servers) == 3


async def test_typed_iam_client_round_trip(fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud) -> None:
    iam = fake_cloud_client.iam
    projects = await iam.keystone_list_projects(name=fake_cloud.region)
    domains = await iam.keystone_list_auth_domains()
    keys = await iam.list_permanent_access_keys()
    assert [project.id for project in projects.projects or []] == [fake_cloud.project_id]
    assert (domains.domains or [])[0].id == fake_cloud.domain_id
    assert [key.access for key in keys.credentials or []] == [fake_cloud.ak]


async def test_obs_traffic_reaches_the_obs_emulator(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud
) -> None:
    obs = fake_cloud_client.obs
    await obs.create_bucket("emulated-bucket")
    await obs.put_object("emulated-bucket", "dir/a.txt", b"hello")
    async with await obs.get_object("emulated-bucket", "dir/a.txt") as body:
        content = await body.read()
    assert content == b"hello"
    assert {call.service for call in fake_cloud.calls} == {"obs"}
    assert all(call.status < 300 for call in fake_cloud.calls)


async def test_obs_over_http_is_path_style(served: tuple[FakeHuaweiCloud, str]) -> None:
    fake, base_url = served
    config = ClientConfig(endpoints={"obs": base_url}, obs_path_style=True, retry=FAST)
    async with AsyncHuaweiCloud(region=fake.region, credentials=fake.credentials, config=config, environ={}) as cloud:
        await cloud.obs.create_bucket("served-bucket")
        await cloud.obs.put_object("served-bucket", "k", b"over http")
        async with await cloud.obs.get_object("served-bucket", "k") as body:
            content = await body.read()
    assert content == b"over http"
    assert [call.path for call in fake.calls][:2] == ["/served-bucket", "/served-bucket/k"]


@pytest.mark.parametrize(("signed_query", "accepted"), [("q=a%2Bb", True), ("q=a%20b", False)])
def test_the_gateway_reads_plus_in_the_query_as_a_literal_plus(signed_query: str, accepted: bool) -> None:
    headers = {"host": "ecs.cn-north-4.myhuaweicloud.com", "x-sdk-date": "20240101T000000Z"}
    spec = apig.algorithm_spec("SDK-HMAC-SHA256")
    headers["authorization"] = apig.sign_request(
        method="GET", raw_path="/v1/p/cloudservers/detail", raw_query=signed_query, headers=headers,
        body_hash=spec.empty_hash, credentials=Credentials(ak="AK", sk="SK"), sdk_date=headers["x-sdk-date"],
    )
    request = EmulatedRequest("GET", "/v1/p/cloudservers/detail", "q=a+b", headers, b"", headers["host"])

    def verify() -> None:
        verify_signature(request, lookup=lambda _: KnownKey("SK"), now=1704067200.0, region="r", service="ecs")

    if accepted:
        verify()
    else:
        with pytest.raises(SignatureRejected, match="verify aksk signature fail"):
            verify()


def test_emulator_records_do_not_show_secrets_in_repr() -> None:
    from hwcloud_client.testing._iam import TemporaryKey

    shown = " ".join(
        [
            repr(KnownKey(secret="sk-VALUE", security_token="token-VALUE")),
            repr(TemporaryKey(secret="sk-VALUE", security_token="token-VALUE", expires_at=0.0)),
            repr(
                EmulatedRequest(
                    method="POST",
                    raw_path="/v3/auth/tokens",
                    raw_query="",
                    headers={"authorization": "SDK-HMAC-SHA256 Signature=sig-VALUE", "x-auth-token": "token-VALUE"},
                    body=b'{"password": "pw-VALUE"}',
                    host="iam.myhuaweicloud.com",
                )
            ),
        ]
    )
    assert "VALUE" not in shown
