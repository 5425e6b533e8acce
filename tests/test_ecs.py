"""ECS: every operation on the wire (method, path, query, headers, body) and parsed; paging, waiters, retries.

``cloud.ecs`` is the generated ECS v2 client (the official request contract: path, query and header parameters
as keyword arguments, the JSON body as ``body=``) plus a few conveniences written by hand, tested here in both
forms: the shorter arguments and the contract's ``body=``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkecs.v2.model import CreateServersRequestBody as OfficialCreateServersBody
from huaweicloudsdkecs.v2.model import PrePaidServer as OfficialPrePaidServer
from huaweicloudsdkecs.v2.model import PrePaidServerEip as OfficialEip
from huaweicloudsdkecs.v2.model import PrePaidServerEipBandwidth as OfficialBandwidth
from huaweicloudsdkecs.v2.model import PrePaidServerNic as OfficialNic
from huaweicloudsdkecs.v2.model import PrePaidServerPublicip as OfficialPublicIp
from huaweicloudsdkecs.v2.model import PrePaidServerRootVolume as OfficialRootVolume
from huaweicloudsdkecs.v2.model import ServerAddress as OfficialAddress
from huaweicloudsdkecs.v2.model import ServerDetail as OfficialServerDetail
from huaweicloudsdkecs.v2.model import ServerFlavor as OfficialFlavor
from huaweicloudsdkecs.v2.model import ServerImage as OfficialImage
from pydantic import SecretStr

from hwcloud_client import AsyncHuaweiCloud, HuaweiCloud, response_info
from hwcloud_client.errors import (
    APIError,
    ConfigurationError,
    JobFailedError,
    MalformedResponseError,
    NotFoundError,
    WaiterTimeoutError,
)
from hwcloud_client.errors import TimeoutError as HuaweiCloudTimeoutError
from hwcloud_client.services.ecs import ECS
from hwcloud_client.services.ecs_v2 import (
    CreateServersResponse,
    EcsV2,
    ListServersDetailsResponse,
    PrePaidServer,
    PrePaidServerEip,
    PrePaidServerEipBandwidth,
    PrePaidServerNic,
    PrePaidServerPublicip,
    PrePaidServerRootVolume,
    ResizeServerResponse,
    ShowJobResponse,
    ShowServerResponse,
)
from hwcloud_client.testing import FakeHuaweiCloud
from tests.helpers import CREDS, Recorder, assert_validly_signed, facade

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Every test here runs on asyncio and on trio."""
    return str(request.param)


SERVER_ID = "9fa8e47c-1c3e-4c52-a7b7-0bb4e0f3d8a1"
JOB_ID = "ff8080828e6b8d3a018e9b3c4f6a1c2d"
JSON_BODY = "application/json;charset=utf-8"  # what the official SDK declares for ECS's bodies

SERVER: dict[str, Any] = {
    "id": SERVER_ID,
    "name": "ecs-web-01",
    "status": "ACTIVE",
    "created": "2024-03-01T08:12:33Z",
    "updated": "2024-03-01T08:13:40Z",
    "tenant_id": "p1",
    "user_id": "7a1b3c4d5e6f",
    "hostId": "c7d2e0b1f3",
    "key_name": "kp-ops",
    "flavor": {"id": "s6.small.1", "name": "s6.small.1", "vcpus": "1", "ram": "1024", "disk": "0"},
    "image": {"id": "1189efbf-d48b-46ad-a823-94b942e2a000"},
    "addresses": {
        "0b3f7d2a-vpc": [
            {
                "version": "4",
                "addr": "192.168.0.12",
                "OS-EXT-IPS:type": "fixed",
                "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:5b:3c:01",
                "OS-EXT-IPS:port_id": "2c7f1d8e-port",
            }
        ]
    },
    "security_groups": [{"name": "default", "id": "5f1c0a2e-sg"}],
    "metadata": {"charging_mode": "0", "vpc_id": "0b3f7d2a-vpc", "metering.image_id": "1189efbf"},
    "tags": ["env=prod"],
    "locked": False,
    "progress": 0,
    "enterprise_project_id": "0",
    "OS-EXT-AZ:availability_zone": "cn-north-4a",
    "OS-EXT-STS:vm_state": "active",
    "OS-EXT-STS:task_state": "",
    "OS-EXT-STS:power_state": 1,
    "OS-EXT-SRV-ATTR:hostname": "ecs-web-01",
    "OS-EXT-SRV-ATTR:launch_index": 0,
    "OS-SRV-USG:launched_at": "2024-03-01T08:13:20.000000",
    "OS-SRV-USG:terminated_at": "",
    "OS-DCF:diskConfig": "MANUAL",
    "os-extended-volumes:volumes_attached": [
        {"id": "3d1e7a90-vol", "delete_on_termination": "true", "bootIndex": "0", "device": "/dev/vda"}
    ],
    "sys_tags": [{"key": "_sys_enterprise_project_id", "value": "0"}],
    "cpu_options": {"hw:cpu_threads": 2},
}


def server(**changes: Any) -> dict[str, Any]:
    return {**SERVER, **changes}


@dataclass
class Script:
    """Answers each (method, path) from a queue of (status, json body); the last answer repeats.

    A body of ``None`` is an empty body.
    """

    answers: dict[tuple[str, str], list[tuple[int, Any]]]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.answers[(request.method, request.url.path)]
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        if body is None:
            return httpx.Response(status, headers={"X-Request-Id": "req-1"})
        return httpx.Response(status, json=body, headers={"X-Request-Id": "req-1"})


def wire(request: httpx.Request) -> tuple[str, str, list[tuple[str, str]], Any]:
    body = json.loads(request.content) if request.content else None
    return request.method, request.url.path, sorted(request.url.params.multi_items()), body


@dataclass
class Case:
    call: Callable[[ECS], Awaitable[Any]]
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    answer: Any
    check: Callable[[Any], bool]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


SPEC = PrePaidServer(
    image_ref="1189efbf-d48b-46ad-a823-94b942e2a000",
    flavor_ref="s6.small.1",
    name="ecs-web",
    vpcid="0b3f7d2a-vpc",
    nics=[PrePaidServerNic(subnet_id="6f1e0c3a-subnet")],
    root_volume=PrePaidServerRootVolume(volumetype="SSD", size=40),
    count=2,
    is_auto_rename=True,
    admin_pass=SecretStr("Pa55-w0rd!"),
    publicip=PrePaidServerPublicip(
        eip=PrePaidServerEip(iptype="5_bgp", bandwidth=PrePaidServerEipBandwidth(size=5, sharetype="PER"))
    ),
)
SPEC_ON_THE_WIRE = {
    "imageRef": "1189efbf-d48b-46ad-a823-94b942e2a000", "flavorRef": "s6.small.1", "name": "ecs-web",
    "vpcid": "0b3f7d2a-vpc", "nics": [{"subnet_id": "6f1e0c3a-subnet"}],
    "root_volume": {"volumetype": "SSD", "size": 40}, "count": 2, "isAutoRename": True,
    "adminPass": "Pa55-w0rd!",
    "publicip": {"eip": {"iptype": "5_bgp", "bandwidth": {"size": 5, "sharetype": "PER"}}},
}
JOB_ANSWER = {"job_id": JOB_ID}


def job_case(call: Callable[[ECS], Awaitable[Any]], path: str, body: Any) -> Case:
    return Case(call, "POST", path, [], body, JOB_ANSWER, lambda result: result.job_id == JOB_ID)


ACTION = "/v1/p1/cloudservers/action"
STOP_BODY = {"os-stop": {"type": "HARD", "servers": [{"id": "s-1"}, {"id": "s-2"}]}}

CASES = [
    pytest.param(
        Case(
            lambda ecs: ecs.list_servers_details(
                status="ACTIVE", name="web", not_tags="env=dev", server_id="a,b", limit=50, offset=2
            ),
            "GET", "/v1/p1/cloudservers/detail",
            [("limit", "50"), ("name", "web"), ("not-tags", "env=dev"), ("offset", "2"), ("server_id", "a,b"),
             ("status", "ACTIVE")],
            None,
            {"count": 1, "servers": [SERVER]},
            lambda result: (result.count == 1 and result.servers[0].os_ext_st_svm_state == "active"),
        ),
        id="list_servers_details",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.show_server(server_id=SERVER_ID),
            "GET", f"/v1/p1/cloudservers/{SERVER_ID}", [], None, {"server": SERVER},
            lambda result: result.server.os_ext_a_zavailability_zone == "cn-north-4a",
        ),
        id="show_server",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.create_servers(server=SPEC, x_client_token="tok-1"),
            "POST", "/v1.1/p1/cloudservers", [], {"server": SPEC_ON_THE_WIRE},
            {"job_id": JOB_ID, "serverIds": ["s-1", "s-2"]},
            lambda result: result.server_ids == ["s-1", "s-2"] and result.job_id == JOB_ID,
            headers={"X-Client-Token": "tok-1"},
        ),
        id="create_servers",
    ),
    pytest.param(
        Case(
            # The contract form: the body in Huawei's spelling, as the official request's body.
            lambda ecs: ecs.create_servers(body={"server": SPEC_ON_THE_WIRE, "dry_run": False}, x_client_token="t2"),
            "POST", "/v1.1/p1/cloudservers", [], {"server": SPEC_ON_THE_WIRE, "dry_run": False},
            {"job_id": JOB_ID, "serverIds": ["s-1", "s-2"]},
            lambda result: result.server_ids == ["s-1", "s-2"],
            headers={"X-Client-Token": "t2"},
        ),
        id="create_servers-body",
    ),
    pytest.param(
        job_case(
            lambda ecs: ecs.delete_servers(server_ids=["s-1", "s-2"], delete_publicip=True, delete_volume=False),
            "/v1/p1/cloudservers/delete",
            {"servers": [{"id": "s-1"}, {"id": "s-2"}], "delete_publicip": True, "delete_volume": False},
        ),
        id="delete_servers",
    ),
    pytest.param(
        job_case(
            lambda ecs: ecs.delete_servers(body={"servers": [{"id": "s-1"}], "delete_volume": True}),
            "/v1/p1/cloudservers/delete", {"servers": [{"id": "s-1"}], "delete_volume": True},
        ),
        id="delete_servers-body",
    ),
    pytest.param(
        job_case(
            lambda ecs: ecs.batch_start_servers(server_ids=["s-1"]), ACTION, {"os-start": {"servers": [{"id": "s-1"}]}}
        ),
        id="batch_start_servers",
    ),
    pytest.param(
        job_case(
            lambda ecs: ecs.batch_start_servers(body={"os-start": {"servers": [{"id": "s-1"}]}}),
            ACTION, {"os-start": {"servers": [{"id": "s-1"}]}},
        ),
        id="batch_start_servers-body",
    ),
    pytest.param(
        job_case(lambda ecs: ecs.batch_stop_servers(server_ids=["s-1", "s-2"], stop_type="HARD"), ACTION, STOP_BODY),
        id="batch_stop_servers",
    ),
    pytest.param(
        job_case(lambda ecs: ecs.batch_stop_servers(body=STOP_BODY), ACTION, STOP_BODY),
        id="batch_stop_servers-body",
    ),
    pytest.param(
        job_case(
            lambda ecs: ecs.batch_reboot_servers(server_ids=["s-1"]),
            ACTION, {"reboot": {"type": "SOFT", "servers": [{"id": "s-1"}]}},
        ),
        id="batch_reboot_servers",
    ),
    pytest.param(
        job_case(
            lambda ecs: ecs.batch_reboot_servers(body={"reboot": {"type": "HARD", "servers": [{"id": "s-1"}]}}),
            ACTION, {"reboot": {"type": "HARD", "servers": [{"id": "s-1"}]}},
        ),
        id="batch_reboot_servers-body",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.update_server(
                server_id=SERVER_ID, body={"server": {"name": "ecs-web-02", "description": "front end"}}
            ),
            "PUT", f"/v1/p1/cloudservers/{SERVER_ID}", [],
            {"server": {"name": "ecs-web-02", "description": "front end"}},
            # The official UpdateServerResult: the image is its id (not ShowServer's {"id": ...}).
            {"server": server(name="ecs-web-02", description="front end", image=SERVER["image"]["id"])},
            lambda result: result.server.name == "ecs-web-02" and result.server.image == SERVER["image"]["id"],
        ),
        id="update_server",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.resize_server(
                server_id=SERVER_ID, body={"resize": {"flavorRef": "s6.large.2", "extendparam": {"isAutoPay": "true"}}}
            ),
            "POST", f"/v1.1/p1/cloudservers/{SERVER_ID}/resize", [],
            {"resize": {"flavorRef": "s6.large.2", "extendparam": {"isAutoPay": "true"}}},
            {"job_id": JOB_ID, "order_id": "CS2403011230ABCDE"},
            lambda result: result.order_id == "CS2403011230ABCDE",
        ),
        id="resize_server",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.list_flavors(availability_zone="cn-north-4a"),
            "GET", "/v1/p1/cloudservers/flavors", [("availability_zone", "cn-north-4a")], None,
            {
                "flavors": [
                    {
                        "id": "s6.small.1", "name": "s6.small.1", "vcpus": "1", "ram": 1024, "disk": "0", "swap": "",
                        "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": False, "rxtx_factor": 1,
                        "os-flavor-access:is_public": True, "links": [],
                        "os_extra_specs": {"ecs:performancetype": "normal", "cond:operation:status": "normal"},
                        "attachableQuantity": {"free_scsi": 59, "free_blk": 23, "free_disk": 23, "free_nic": 11},
                    }
                ]
            },
            lambda result: (
                result.flavors[0].os_flavor_accessis_public is True
                and result.flavors[0].os_extra_specs.ecsperformancetype == "normal"
                and result.flavors[0].attachable_quantity.free_nic == 11
            ),
        ),
        id="list_flavors",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.show_job(job_id=JOB_ID),
            "GET", f"/v1/p1/jobs/{JOB_ID}", [], None,
            {
                "job_id": JOB_ID, "job_type": "createServer", "status": "RUNNING",
                "begin_time": "2024-03-01T08:12:30.100Z", "end_time": "", "error_code": None, "fail_reason": None,
                "entities": {
                    "sub_jobs_total": 1,
                    "sub_jobs": [
                        {"job_id": "sub-1", "job_type": "createSingleServer", "status": "RUNNING",
                         "entities": {"server_id": "s-1"}, "begin_time": "2024-03-01T08:12:31.000Z"}
                    ],
                },
            },
            lambda result: (
                result.status == "RUNNING" and sub_job_servers(result) == ["s-1"] and result.end_time == ""
            ),
        ),
        id="show_job",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.list_server_interfaces(server_id=SERVER_ID),
            "GET", f"/v1/p1/cloudservers/{SERVER_ID}/os-interface", [], None,
            {
                "interfaceAttachments": [
                    {"port_state": "ACTIVE",
                     "fixed_ips": [{"subnet_id": "6f1e0c3a-subnet", "ip_address": "192.168.0.12"}],
                     "net_id": "6f1e0c3a-subnet", "port_id": "2c7f1d8e-port", "mac_addr": "fa:16:3e:5b:3c:01",
                     "delete_on_termination": True, "driver_mode": "virtio"}
                ],
                "attachableQuantity": {"free_nic": 11},
            },
            lambda result: result.interface_attachments[0].fixed_ips[0].ip_address == "192.168.0.12",
        ),
        id="list_server_interfaces",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.show_server_tags(server_id=SERVER_ID),
            "GET", f"/v1/p1/cloudservers/{SERVER_ID}/tags", [], None,
            {"tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": ""}]},
            lambda result: [(tag.key, tag.value) for tag in result.tags] == [("env", "prod"), ("team", "")],
        ),
        id="show_server_tags",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.batch_create_server_tags(
                server_id=SERVER_ID,
                body={"action": "create", "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "web"}]},
            ),
            "POST", f"/v1/p1/cloudservers/{SERVER_ID}/tags/action", [],
            {"action": "create", "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "web"}]},
            None,
            lambda result: result is None,
            status=204,
        ),
        id="batch_create_server_tags",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.nova_list_keypairs(limit=10, marker="kp-a"),
            "GET", "/v2.1/p1/os-keypairs", [("limit", "10"), ("marker", "kp-a")], None,
            {"keypairs": [{"keypair": {"fingerprint": "49:1a:ad:4c", "name": "kp-ops", "type": "ssh",
                                       "public_key": "ssh-rsa AAAAB3NzaC1yc2E Generated-by-Nova"}}]},
            lambda result: result.keypairs[0].keypair.name == "kp-ops",
        ),
        id="nova_list_keypairs",
    ),
    pytest.param(
        Case(
            lambda ecs: ecs.nova_create_keypair(body={"keypair": {"name": "kp-new", "type": "ssh"}}),
            "POST", "/v2.1/p1/os-keypairs", [], {"keypair": {"name": "kp-new", "type": "ssh"}},
            {"keypair": {"fingerprint": "0c:7a:5f", "name": "kp-new", "type": "ssh", "user_id": "7a1b3c4d5e6f",
                         "public_key": "ssh-rsa AAAAB3Nza Generated-by-Nova",
                         "private_key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpA\n-----END RSA PRIVATE KEY-----\n"}},
            lambda result: (
                result.keypair.private_key.get_secret_value().startswith("-----BEGIN RSA")
                and "PRIVATE KEY" not in repr(result) and "PRIVATE KEY" not in str(result.model_dump())
            ),
        ),
        id="nova_create_keypair",
    ),
]


def sub_job_servers(job: ShowJobResponse) -> list[str | None]:
    """The servers of a job's sub-jobs (ECS names each created, started... server on its own sub-job)."""
    sub_jobs = (job.entities.sub_jobs if job.entities else None) or []
    return [sub.entities.server_id if sub.entities else None for sub in sub_jobs]


@pytest.mark.parametrize("case", CASES)
async def test_every_operation_on_the_wire(case: Case) -> None:
    script = Script({(case.method, case.path): [(case.status, case.answer)]})
    async with facade(Recorder(script)) as cloud:
        result = await case.call(cloud.ecs)
    (request,) = script.requests
    assert wire(request) == (case.method, case.path, case.query, case.body)
    assert request.headers["X-Project-Id"] == "p1"
    # As the official SDK: every request declares a JSON content type, a body the one of its operation.
    assert request.headers["Content-Type"] == (JSON_BODY if case.body is not None else "application/json")
    for name, value in case.headers.items():
        assert request.headers[name] == value
    assert_validly_signed(request)
    assert case.check(result), result


def test_the_create_body_is_the_official_sdks() -> None:
    # The oracle: the official SDK's own request body for the same server, serialised by its own core.
    official = OfficialCreateServersBody(
        server=OfficialPrePaidServer(
            image_ref=SPEC.image_ref, flavor_ref=SPEC.flavor_ref, name=SPEC.name, vpcid=SPEC.vpcid,
            nics=[OfficialNic(subnet_id="6f1e0c3a-subnet")], root_volume=OfficialRootVolume(volumetype="SSD", size=40),
            count=2, is_auto_rename=True, admin_pass="Pa55-w0rd!",
            publicip=OfficialPublicIp(eip=OfficialEip(iptype="5_bgp", bandwidth=OfficialBandwidth(size=5,
                                                                                                   sharetype="PER"))),
        ),
    )
    assert sanitize_for_serialization(official) == {"server": SPEC_ON_THE_WIRE}


# --- the conveniences: one body, from body= or from the shorter arguments ------------------------------


CONVENIENCES: list[Any] = [
    pytest.param(
        lambda ecs, **both: ecs.create_servers(**both),
        {"server": SPEC}, {"server": SPEC_ON_THE_WIRE}, id="create_servers",
    ),
    pytest.param(
        lambda ecs, **both: ecs.delete_servers(**both),
        {"server_ids": ["s-1"]}, {"servers": [{"id": "s-1"}]}, id="delete_servers",
    ),
    pytest.param(
        lambda ecs, **both: ecs.batch_start_servers(**both),
        {"server_ids": ["s-1"]}, {"os-start": {"servers": [{"id": "s-1"}]}}, id="batch_start_servers",
    ),
    pytest.param(
        lambda ecs, **both: ecs.batch_stop_servers(**both),
        {"server_ids": ["s-1"]}, {"os-stop": {"servers": [{"id": "s-1"}], "type": "SOFT"}}, id="batch_stop_servers",
    ),
    pytest.param(
        lambda ecs, **both: ecs.batch_reboot_servers(**both),
        {"server_ids": ["s-1"]}, {"reboot": {"servers": [{"id": "s-1"}], "type": "SOFT"}}, id="batch_reboot_servers",
    ),
]


@pytest.mark.parametrize(("call", "shortcut", "body"), CONVENIENCES)
async def test_a_convenience_refuses_both_body_and_its_shorter_arguments(
    call: Callable[..., Awaitable[Any]], shortcut: dict[str, Any], body: dict[str, Any]
) -> None:
    script = Script({})
    async with facade(Recorder(script)) as cloud:
        with pytest.raises(ConfigurationError, match="not both"):
            await call(cloud.ecs, body=body, **shortcut)
        with pytest.raises(ConfigurationError, match="pass body="):
            await call(cloud.ecs)
    assert script.requests == []


@pytest.mark.parametrize(("call", "shortcut", "body"), CONVENIENCES)
async def test_a_convenience_sends_the_same_body_from_either_form(
    call: Callable[..., Awaitable[Any]], shortcut: dict[str, Any], body: dict[str, Any]
) -> None:
    answers = {("POST", path): [(200, JOB_ANSWER)] for path in
               ("/v1.1/p1/cloudservers", "/v1/p1/cloudservers/delete", ACTION)}
    script = Script(answers)
    async with facade(Recorder(script)) as cloud:
        by_shortcut = await call(cloud.ecs, **shortcut)
        by_body = await call(cloud.ecs, body=body)
    assert by_shortcut.job_id == by_body.job_id == JOB_ID
    first, second = script.requests
    assert json.loads(first.content) == json.loads(second.content) == body


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda ecs: ecs.delete_servers(server_ids="s-1"), id="delete_servers"),
        pytest.param(lambda ecs: ecs.batch_start_servers(server_ids="s-1"), id="batch_start_servers"),
        pytest.param(lambda ecs: ecs.batch_stop_servers(server_ids="s-1"), id="batch_stop_servers"),
        pytest.param(lambda ecs: ecs.batch_reboot_servers(server_ids="s-1"), id="batch_reboot_servers"),
    ],
)
async def test_a_lone_string_is_refused_as_server_ids(call: Callable[[ECS], Awaitable[Any]]) -> None:
    # A lone id would otherwise go out as one "server" per character.
    script = Script({})
    async with facade(Recorder(script)) as cloud:
        with pytest.raises(ConfigurationError, match="sequence of ids"):
            await call(cloud.ecs)
    assert script.requests == []


# --- idempotent creation and retries -------------------------------------------------------------------


async def test_create_servers_sends_a_fresh_client_token_and_keeps_the_password_out_of_reprs() -> None:
    script = Script({("POST", "/v1.1/p1/cloudservers"): [(200, {"job_id": JOB_ID, "serverIds": []})]})
    async with facade(Recorder(script)) as cloud:
        await cloud.ecs.create_servers(server=SPEC, dry_run=True)
        await cloud.ecs.create_servers(server=SPEC)
        await cloud.ecs.create_servers(body={"server": SPEC})
    tokens = [request.headers["X-Client-Token"] for request in script.requests]
    assert len(set(tokens)) == 3
    assert all(str(uuid.UUID(token)) == token for token in tokens)
    assert json.loads(script.requests[0].content)["dry_run"] is True
    assert "dry_run" not in json.loads(script.requests[1].content)
    assert "Pa55" not in repr(SPEC) and "Pa55" not in str(SPEC.model_dump())


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda ecs: ecs.create_servers(server=SPEC), id="shortcut-fresh-token"),
        pytest.param(lambda ecs: ecs.create_servers(body={"server": SPEC}), id="body-fresh-token"),
        pytest.param(lambda ecs: ecs.create_servers(server=SPEC, x_client_token="mine-1"), id="given-token"),
    ],
)
async def test_a_retried_create_sends_the_same_client_token(call: Callable[[ECS], Awaitable[Any]]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            # The server got the request; the answer never arrived.
            raise httpx.ReadTimeout("no answer", request=request)
        return httpx.Response(200, json={"job_id": JOB_ID, "serverIds": ["s-1"]})

    async with facade(Recorder(handler)) as cloud:
        created = await call(cloud.ecs)
    assert created.job_id == JOB_ID
    assert len(seen) == 2
    assert seen[0].headers["X-Client-Token"] == seen[1].headers["X-Client-Token"]
    assert seen[0].content == seen[1].content


async def test_the_generated_create_servers_sends_a_client_token_too() -> None:
    # EcsV2.create_servers (what ECS extends) gets one from _send as well: the header is the operation's.
    script = Script({("POST", "/v1.1/p1/cloudservers"): [(200, JOB_ANSWER)]})
    async with facade(Recorder(script)) as cloud:
        await EcsV2.create_servers(cloud.ecs, body={"server": SPEC})
    (request,) = script.requests
    assert str(uuid.UUID(request.headers["X-Client-Token"])) == request.headers["X-Client-Token"]


async def test_a_post_without_client_token_is_not_replayed_after_a_read_timeout() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ReadTimeout("no answer", request=request)

    async with facade(Recorder(handler)) as cloud:
        with pytest.raises(HuaweiCloudTimeoutError, match="timed out"):
            await cloud.ecs.delete_servers(server_ids=["s-1"])
    assert len(seen) == 1
    assert "X-Client-Token" not in seen[0].headers


# --- dry runs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "call", "sent"),
    [
        pytest.param(
            "/v1.1/p1/cloudservers", lambda ecs: ecs.create_servers(server=SPEC, dry_run=True),
            {"server": SPEC_ON_THE_WIRE, "dry_run": True}, id="create_servers",
        ),
        pytest.param(
            "/v1.1/p1/cloudservers", lambda ecs: ecs.create_servers(body={"server": SPEC, "dry_run": True}),
            {"server": SPEC_ON_THE_WIRE, "dry_run": True}, id="create_servers-body",
        ),
        pytest.param(
            f"/v1.1/p1/cloudservers/{SERVER_ID}/resize",
            lambda ecs: ecs.resize_server(server_id=SERVER_ID, body={"resize": {"flavorRef": "c7.large.2"},
                                                                     "dry_run": True}),
            {"resize": {"flavorRef": "c7.large.2"}, "dry_run": True}, id="resize_server",
        ),
    ],
)
async def test_a_dry_run_answered_202_without_a_body_has_no_job_and_carries_the_request_id(
    path: str, call: Callable[[ECS], Awaitable[CreateServersResponse | ResizeServerResponse]], sent: dict[str, Any]
) -> None:
    script = Script({("POST", path): [(202, None)]})
    async with facade(Recorder(script)) as cloud:
        checked = await call(cloud.ecs)
    assert checked.job_id == ""
    assert checked._request_id == "req-1"
    assert (response_info(checked).request_id, response_info(checked).status_code) == ("req-1", 202)
    (request,) = script.requests
    assert json.loads(request.content) == sent


async def test_a_dry_run_that_passes_has_no_job() -> None:
    # ECS answers a dry run that passes its checks with 202 and no job; one that fails, with its error.
    fake = FakeHuaweiCloud()
    one = SPEC.model_copy(update={"count": 1})
    async with AsyncHuaweiCloud(region=fake.region, credentials=fake.credentials, environ={},
                                http_client=httpx.AsyncClient(transport=fake.transport())) as cloud:
        checked = await cloud.ecs.create_servers(server=one, dry_run=True)
        assert (checked.job_id, checked.server_ids, checked._request_id is not None) == ("", None, True)
        assert (await cloud.ecs.list_servers_details()).servers == []
        created = await cloud.ecs.create_servers(server=one)
        assert created.job_id is not None
        server_id = sub_job_servers(await cloud.ecs.wait_for_job(created.job_id, timeout=5, interval=0.01))[0]
        assert server_id is not None
        resize = await cloud.ecs.resize_server(
            server_id=server_id, body={"resize": {"flavorRef": "c7.large.2"}, "dry_run": True}
        )
        assert resize.job_id == ""
        with pytest.raises(APIError):
            await cloud.ecs.create_servers(server=SPEC.model_copy(update={"flavor_ref": "no.such"}), dry_run=True)



async def test_update_server_against_the_emulator_answers_what_the_official_model_reads() -> None:
    # UpdateServer names the image by its id (a string), unlike ShowServer's {"id": ...}: a mismatch made the
    # rename succeed on the server and raise MalformedResponseError here.
    fake = FakeHuaweiCloud()
    async with AsyncHuaweiCloud(region=fake.region, credentials=fake.credentials, environ={},
                                http_client=httpx.AsyncClient(transport=fake.transport())) as cloud:
        created = await cloud.ecs.create_servers(server=SPEC.model_copy(update={"count": 1}))
        await cloud.ecs.wait_for_job(created.job_id or "", timeout=5, interval=0.01)
        server_id = (created.server_ids or [""])[0]
        updated = await cloud.ecs.update_server(server_id=server_id, body={"server": {"name": "renamed"}})
    assert updated.server is not None
    assert (updated.server.name, updated.server.image) == ("renamed", SPEC.image_ref)

# --- pagination --------------------------------------------------------------------------------------


def servers_page(count: int | None, *names: str) -> dict[str, Any]:
    page: dict[str, Any] = {"servers": [server(id=f"id-{name}", name=name) for name in names]}
    if count is not None:
        page["count"] = count
    return page


async def test_iter_servers_details_walks_page_numbers_until_the_count() -> None:
    path = ("GET", "/v1/p1/cloudservers/detail")
    script = Script({path: [(200, servers_page(5, "a", "b")), (200, servers_page(5, "c", "d")),
                            (200, servers_page(5, "e"))]})
    async with facade(Recorder(script)) as cloud:
        names = [item.name async for item in cloud.ecs.iter_servers_details(status="ACTIVE", limit=2)]
    assert names == ["a", "b", "c", "d", "e"]
    assert [sorted(r.url.params.multi_items()) for r in script.requests] == [
        [("limit", "2"), ("offset", str(page)), ("status", "ACTIVE")] for page in (1, 2, 3)
    ]


async def test_iter_servers_details_stops_on_an_empty_page_even_if_the_count_promises_more() -> None:
    path = ("GET", "/v1/p1/cloudservers/detail")
    script = Script({path: [(200, servers_page(99, "a", "b")), (200, servers_page(99, "c", "d")),
                            (200, servers_page(99, "e", "f")), (200, servers_page(99))]})
    async with facade(Recorder(script)) as cloud:
        names = [item.name async for item in cloud.ecs.iter_servers_details(limit=2)]
    assert names == ["a", "b", "c", "d", "e", "f"]
    assert [r.url.params["offset"] for r in script.requests] == ["1", "2", "3", "4"]


async def test_iter_servers_details_stops_when_the_count_is_reached_even_if_it_is_too_small() -> None:
    path = ("GET", "/v1/p1/cloudservers/detail")
    script = Script({path: [(200, servers_page(3, "a", "b")), (200, servers_page(3, "c", "d")),
                            (200, servers_page(3, "e"))]})
    async with facade(Recorder(script)) as cloud:
        names = [item.name async for item in cloud.ecs.iter_servers_details(limit=2, offset=1)]
    assert names == ["a", "b", "c", "d"]
    assert len(script.requests) == 2


def keypairs(*names: str) -> dict[str, Any]:
    return {"keypairs": [{"keypair": {"name": name, "type": "ssh"}} for name in names]}


async def test_nova_list_keypairs_pages_by_the_last_name_as_marker() -> None:
    # The contract form of key-pair paging: the caller passes the last name it saw as the next marker.
    path = ("GET", "/v2.1/p1/os-keypairs")
    script = Script({path: [(200, keypairs("a", "b")), (200, keypairs("c", "d")), (200, keypairs("e")),
                            (200, keypairs())]})
    names: list[str | None] = []
    marker: str | None = None
    async with facade(Recorder(script)) as cloud:
        while True:
            page = await cloud.ecs.nova_list_keypairs(limit=2, marker=marker)
            if not page.keypairs:
                break
            names += [entry.keypair.name if entry.keypair else None for entry in page.keypairs]
            marker = names[-1]
    assert names == ["a", "b", "c", "d", "e"]
    assert [r.url.params.get("marker") for r in script.requests] == [None, "b", "d", "e"]
    assert {r.url.params["limit"] for r in script.requests} == {"2"}


# --- waiters ------------------------------------------------------------------------------------------


def job(status: str, **extra: Any) -> dict[str, Any]:
    return {"job_id": JOB_ID, "job_type": "createServer", "status": status, **extra}


async def test_wait_for_job_polls_until_success_and_returns_the_sub_jobs_servers() -> None:
    sub_jobs = {"sub_jobs_total": 2, "sub_jobs": [
        {"status": "SUCCESS", "job_type": "createSingleServer", "entities": {"server_id": sid}}
        for sid in ("s-1", "s-2")
    ]}
    path = ("GET", f"/v1/p1/jobs/{JOB_ID}")
    script = Script({path: [(200, job("INIT")), (200, job("RUNNING")), (200, job("SUCCESS", entities=sub_jobs))]})
    async with facade(Recorder(script)) as cloud:
        final = await cloud.ecs.wait_for_job(JOB_ID, timeout=5, interval=0.001)
    assert isinstance(final, ShowJobResponse)
    assert final.status == "SUCCESS"
    assert sub_job_servers(final) == ["s-1", "s-2"]
    assert len(script.requests) == 3


async def test_wait_for_job_raises_with_the_failed_sub_jobs_reason_and_code() -> None:
    sub_jobs = {"sub_jobs": [{"status": "FAIL", "error_code": "Ecs.0013", "fail_reason": "insufficient quota",
                              "entities": {"server_id": "s-1"}}]}
    path = ("GET", f"/v1/p1/jobs/{JOB_ID}")
    script = Script({path: [(200, job("INIT")), (200, job("RUNNING")), (200, job("FAIL", entities=sub_jobs))]})
    async with facade(Recorder(script)) as cloud:
        with pytest.raises(JobFailedError) as caught:
            await cloud.ecs.wait_for_job(JOB_ID, timeout=5, interval=0.001)
    assert (caught.value.status, caught.value.error_code, caught.value.fail_reason) == (
        "FAIL", "Ecs.0013", "insufficient quota"
    )
    assert sub_job_servers(caught.value.job) == ["s-1"]


async def test_wait_for_job_prefers_the_jobs_own_reason() -> None:
    path = ("GET", f"/v1/p1/jobs/{JOB_ID}")
    script = Script({path: [(200, job("FAIL", error_code="Ecs.0000", fail_reason="image not found"))]})
    async with facade(Recorder(script)) as cloud:
        with pytest.raises(JobFailedError, match="Ecs.0000 image not found"):
            await cloud.ecs.wait_for_job(JOB_ID, timeout=5, interval=0.001)


async def test_wait_for_server_times_out_with_the_last_state() -> None:
    path = ("GET", f"/v1/p1/cloudservers/{SERVER_ID}")
    script = Script({path: [(200, {"server": server(status="BUILD")})]})
    async with facade(Recorder(script)) as cloud:
        with pytest.raises(WaiterTimeoutError) as caught:
            await cloud.ecs.wait_for_server(SERVER_ID, timeout=0.05, interval=0.005)
    assert caught.value.last_state.status == "BUILD"
    assert len(script.requests) >= 2


async def test_wait_for_server_treats_error_as_failure() -> None:
    path = ("GET", f"/v1/p1/cloudservers/{SERVER_ID}")
    failed = server(status="ERROR", fault={"code": 500, "message": "No valid host was found"})
    script = Script({path: [(200, {"server": server(status="BUILD")}), (200, {"server": failed})]})
    async with facade(Recorder(script)) as cloud:
        with pytest.raises(JobFailedError, match="No valid host was found") as caught:
            await cloud.ecs.wait_for_server(SERVER_ID, timeout=5, interval=0.001)
    assert caught.value.status == "ERROR" and caught.value.job.id == SERVER_ID


async def test_wait_for_server_reaches_active() -> None:
    path = ("GET", f"/v1/p1/cloudservers/{SERVER_ID}")
    script = Script({path: [(200, {"server": server(status="BUILD")}), (200, {"server": SERVER})]})
    async with facade(Recorder(script)) as cloud:
        reached = await cloud.ecs.wait_for_server(SERVER_ID, timeout=5, interval=0.001)
    assert reached is not None and reached.status == "ACTIVE"


async def test_waiting_for_deletion_ends_on_404() -> None:
    path = ("GET", f"/v1/p1/cloudservers/{SERVER_ID}")
    gone = {"itemNotFound": {"code": 404, "message": "Instance could not be found"}}
    script = Script({path: [(200, {"server": server(status="ACTIVE", **{"OS-EXT-STS:task_state": "deleting"})}),
                            (404, gone)]})
    async with facade(Recorder(script)) as cloud:
        assert await cloud.ecs.wait_for_server(SERVER_ID, status="DELETED", timeout=5, interval=0.001) is None
        # While waiting for ACTIVE, a missing server is an error, not success.
        with pytest.raises(NotFoundError):
            await cloud.ecs.wait_for_server(SERVER_ID, timeout=5, interval=0.001)


# --- models -------------------------------------------------------------------------------------------


def test_server_models_parse_huaweis_spellings_and_keep_unknown_fields() -> None:
    parsed = ShowServerResponse.model_validate_json(json.dumps({"server": server(brand_new_field={"x": 1})})).server
    assert parsed is not None
    assert parsed.os_ext_st_spower_state == 1 and parsed.os_ext_srv_att_rhostname == "ecs-web-01"
    assert parsed.addresses is not None and parsed.addresses["0b3f7d2a-vpc"][0].os_ext_ip_stype == "fixed"
    assert parsed.os_extended_volumesvolumes_attached is not None
    assert parsed.os_extended_volumesvolumes_attached[0].boot_index == "0"
    # Timestamps are the strings ECS sent, as in the official SDK ("" for one that has not happened).
    assert (parsed.created, parsed.os_srv_us_gterminated_at) == ("2024-03-01T08:12:33Z", "")
    assert parsed.sys_tags is not None and parsed.sys_tags[0].key == "_sys_enterprise_project_id"
    assert parsed.model_extra is not None
    assert parsed.model_extra["brand_new_field"] == {"x": 1}
    # Dumped by alias, the document is Huawei's again.
    assert parsed.model_dump(by_alias=True, exclude_none=True)["OS-EXT-STS:vm_state"] == "active"


def test_server_models_accept_the_official_sdks_own_payload() -> None:
    official = OfficialServerDetail(
        id=SERVER_ID, name="ecs-official", status="SHUTOFF", created="2024-03-01T08:12:33Z",
        updated="2024-03-02T08:12:33Z", tenant_id="p1", user_id="u1", host_id="h1", key_name="kp",
        flavor=OfficialFlavor(id="c7.large.2", name="c7.large.2", disk="0", vcpus="2", ram="4096"),
        image=OfficialImage(id="img-1"),
        addresses={"vpc-1": [OfficialAddress(version="4", addr="10.0.0.5", os_ext_ip_stype="fixed")]},
        os_ext_st_svm_state="stopped", os_ext_st_spower_state=4, os_ext_a_zavailability_zone="cn-north-4b",
        os_srv_us_glaunched_at="2024-03-01T08:13:20.000000", os_srv_us_gterminated_at="",
        metadata={"image_name": "CentOS 8"}, tags=["a=b"], locked=False, config_drive="", progress=0,
        host_status="UP", enterprise_project_id="0",
    )
    document = sanitize_for_serialization(official)
    detail = ShowServerResponse.model_validate_json(json.dumps({"server": document})).server
    assert detail is not None
    assert (detail.status, detail.os_ext_st_svm_state, detail.os_ext_st_spower_state,
            detail.os_ext_a_zavailability_zone) == ("SHUTOFF", "stopped", 4, "cn-north-4b")
    assert detail.addresses is not None and detail.addresses["vpc-1"][0].os_ext_ip_stype == "fixed"
    assert detail.flavor is not None and detail.host_status == "UP"
    listed = ListServersDetailsResponse.model_validate_json(json.dumps({"count": 1, "servers": [document]}))
    assert listed.servers is not None and listed.servers[0].id == SERVER_ID
    # The official names are the Python names: a field read off an official model reads the same here.
    assert detail.os_ext_st_svm_state == official.os_ext_st_svm_state and detail.host_id == official.host_id


# --- the blocking facade ------------------------------------------------------------------------------


def test_the_blocking_facade_makes_the_same_calls() -> None:
    pages = {"1": servers_page(3, "a", "b"), "2": servers_page(3, "c")}
    job_states = ["RUNNING", "SUCCESS"]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v1/p1/cloudservers/detail":
            return httpx.Response(200, json=pages[request.url.params["offset"]])
        if request.url.path == "/v1/p1/cloudservers/action":
            return httpx.Response(200, json={"job_id": JOB_ID})
        return httpx.Response(200, json=job(job_states.pop(0)))

    with HuaweiCloud(region="cn-north-4", credentials=CREDS, project="p1",
                     http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), environ={}) as cloud:
        assert cloud.ecs is cloud.ecs_v2
        first_page = cloud.ecs.list_servers_details(limit=2, offset=1)
        every = [item.name for item in cloud.ecs.iter_servers_details(limit=2)]
        stopped = cloud.ecs.batch_stop_servers(server_ids=["s-1"])
        assert stopped.job_id is not None
        final = cloud.ecs.wait_for_job(stopped.job_id, timeout=5, interval=0.001)
        with pytest.raises(ConfigurationError, match="not both"):
            cloud.ecs.batch_stop_servers(server_ids=["s-1"], body={"os-stop": {"servers": [{"id": "s-1"}]}})
    assert first_page.servers is not None and [item.name for item in first_page.servers] == ["a", "b"]
    assert every == ["a", "b", "c"]
    assert final.status == "SUCCESS"
    assert wire(seen[3]) == (
        "POST", "/v1/p1/cloudservers/action", [], {"os-stop": {"type": "SOFT", "servers": [{"id": "s-1"}]}}
    )
    assert_validly_signed(seen[3])


async def test_cloud_ecs_is_the_generated_v2_client_extended() -> None:
    async with facade(Recorder(Script({}))) as cloud:
        assert cloud.ecs is cloud.ecs_v2
        assert isinstance(cloud.ecs, ECS)


def test_admin_pass_by_its_huawei_name_is_still_a_secret() -> None:
    # "adminPass" must land in the SecretStr field, not in an unchecked extra that repr would show.
    spec = PrePaidServer.model_validate(
        {"image_ref": "img", "flavor_ref": "s6.small.1", "name": "web", "vpcid": "vpc", "nics": [],
         "root_volume": {"volumetype": "SSD"}, "adminPass": "Pa55-w0rd-VALUE"}
    )
    assert "VALUE" not in repr(spec) and "VALUE" not in str(spec.model_dump())
    assert isinstance(spec.admin_pass, SecretStr) and spec.admin_pass.get_secret_value() == "Pa55-w0rd-VALUE"
    assert json.loads(spec.model_dump_json(by_alias=True, exclude_none=True))["adminPass"] == "Pa55-w0rd-VALUE"


def test_a_plain_str_password_is_a_secret() -> None:
    spec = PrePaidServer(image_ref="img", flavor_ref="s6.small.1", name="web", vpcid="vpc", nics=[],
                         root_volume=PrePaidServerRootVolume(volumetype="SSD"), admin_pass="Pa55-w0rd-VALUE")
    assert isinstance(spec.admin_pass, SecretStr) and "VALUE" not in repr(spec)


async def test_a_password_given_as_plain_data_goes_out_but_is_never_shown() -> None:
    body = {"server": {**SPEC_ON_THE_WIRE, "adminPass": "Plain-VALUE"}}
    script = Script({("POST", "/v1.1/p1/cloudservers"): [(400, {"error": {"code": "Ecs.0005", "message": "bad"}})]})
    async with facade(Recorder(script)) as cloud:
        with pytest.raises(APIError) as caught:
            await cloud.ecs.create_servers(body=body)
    assert json.loads(script.requests[0].content)["server"]["adminPass"] == "Plain-VALUE"
    assert "VALUE" not in str(caught.value) and "VALUE" not in repr(caught.value)


# --- results typed as Huawei sends them -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "answer", "call", "problem"),
    [
        (("GET", f"/v1/p1/jobs/{JOB_ID}"), {"status": "SUCCESS"},
         lambda ecs: ecs.show_job(job_id=JOB_ID), "job_id: Field required"),
        (("POST", "/v1/p1/cloudservers/action"), {},
         lambda ecs: ecs.batch_stop_servers(server_ids=["s-1"]), "job_id: Field required"),
        (("POST", "/v1/p1/cloudservers/delete"), {"job_id": None},
         lambda ecs: ecs.delete_servers(server_ids=["s-1"]), "job_id: Input should be a valid string"),
        (("GET", "/v1/p1/cloudservers/detail"), {"servers": [{"id": "s-1", "status": "ACTIVE"}]},
         lambda ecs: ecs.list_servers_details(), "servers.0.name: Field required"),
        (("GET", f"/v1/p1/cloudservers/{SERVER_ID}"), {"server": {"id": SERVER_ID, "name": "web"}},
         lambda ecs: ecs.show_server(server_id=SERVER_ID), "server.status: Field required"),
        # create_servers' job_id may be missing (a dry run has none), but not of another type.
        (("POST", "/v1.1/p1/cloudservers"), {"job_id": ["not", "a", "string"]},
         lambda ecs: ecs.create_servers(server=SPEC), "job_id: Input should be a valid string"),
    ],
)
async def test_a_success_without_a_field_ecs_always_sends_is_a_malformed_response(
    path: tuple[str, str], answer: dict[str, Any], call: Callable[[ECS], Awaitable[object]], problem: str
) -> None:
    # A job's id and status, a server's id, name and status are typed str (no None checks in users' code): a 2xx
    # without them is not ECS's answer, and the error says which field is missing.
    async with facade(Recorder(Script({path: [(200, answer)]}))) as cloud:
        with pytest.raises(MalformedResponseError, match=rf"\b{problem}") as raised:
            await call(cloud.ecs)
    assert raised.value.request_id == "req-1"
