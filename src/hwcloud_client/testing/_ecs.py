"""Emulated ECS: servers, asynchronous jobs, flavors, interfaces, tags and key pairs.

Paths, field names and status codes follow Huawei's ECS API reference (the ``/v1`` and ``/v1.1``
cloudservers APIs and the Nova ``/v2.1`` key pairs), as the official ``huaweicloudsdkecs`` models
spell them. Jobs are settled lazily against the clock: a job started at ``t`` finishes at
``t + job_delay``, and its effect (ACTIVE, SHUTOFF, new flavor, deletion...) appears on the first
request after that.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ._base import EmulatedRequest, EmulatedResponse
from ._routes import (
    JsonObject,
    Route,
    Router,
    ServiceError,
    iso_time,
    json_response,
    new_hex_id,
    query_params,
    read_json,
)

if TYPE_CHECKING:
    from ._evs import EvsEmulator
    from ._network import NetworkEmulator

__all__ = ["CLOUDSERVERS_API_NAMES", "FLAVORS", "EcsEmulator"]

ECS_URL = "https://ecs.myhuaweicloud.com"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 25
MAX_SERVERS_PER_CREATE = 500
_NAME = re.compile(r"[\w.\-\u4e00-\u9fa5]{1,64}")
_KEYPAIR_NAME = re.compile(r"[A-Za-z0-9_\-]{1,64}")
# What follows /v1/{project_id}/cloudservers/ in the paths of ECS's own APIs (huaweicloudsdkecs 3.1.219's
# EcsClient): the gateway routes these to their APIs, so none of them is ever taken for a server id; those
# the emulator does not implement (limits, os-server-groups, ...) get the gateway's "no such API" answer.
CLOUDSERVERS_API_NAMES = frozenset(
    {
        "action", "actions", "batch-resize", "delete", "detail", "flavor-sell-policies", "flavors", "limits",
        "nics", "os-reset-passwords", "os-server-groups", "resize_flavors", "resource_instances", "server-name",
        "tags",
    }
)  # fmt: skip


def _flavor(flavor_id: str, vcpus: int, ram_mib: int, performance_type: str) -> JsonObject:
    return {
        "id": flavor_id,
        "name": flavor_id,
        "vcpus": str(vcpus),
        "ram": ram_mib,
        "disk": "0",
        "swap": "",
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "OS-FLV-DISABLED:disabled": False,
        "rxtx_factor": 1.0,
        "rxtx_quota": None,
        "rxtx_cap": None,
        "os-flavor-access:is_public": True,
        "links": [{"rel": "self", "href": f"{ECS_URL}/v1/flavors/{flavor_id}", "type": None}],
        "os_extra_specs": {
            "ecs:performancetype": performance_type,
            "resource_type": f"IES-{performance_type}",
            "ecs:virtualization_env_types": "FusionCompute",
            "cond:operation:status": "normal",
        },
    }


FLAVORS: dict[str, JsonObject] = {
    flavor["id"]: flavor
    for flavor in (
        _flavor("s6.small.1", 1, 1024, "normal"),
        _flavor("s6.medium.2", 1, 2048, "normal"),
        _flavor("s6.large.2", 2, 4096, "normal"),
        _flavor("s6.xlarge.2", 4, 8192, "normal"),
        _flavor("c7.large.2", 2, 4096, "computingv3"),
        _flavor("c7.xlarge.2", 4, 8192, "computingv3"),
    )
}

# Where a flavor's sale differs by AZ (ListFlavors' extra spec cond:operation:az), by the AZ's letter in the region:
# c7.xlarge.2 is sold out in the region's AZ "b", so ListFlavors with availability_zone=<region>b leaves it out.
_FLAVOR_AZ_STATUS: dict[str, dict[str, str]] = {"c7.xlarge.2": {"b": "sellout"}}
# The states in which ListFlavors with an availability_zone returns a flavor (Huawei's API reference).
_LISTED_IN_AZ = frozenset({"normal", "obt", "promotion"})

ServerStatus = Literal["BUILD", "ACTIVE", "SHUTOFF", "REBOOT", "HARD_REBOOT", "RESIZE", "ERROR"]
# status -> (OS-EXT-STS:vm_state, OS-EXT-STS:power_state)
_VM_STATES: dict[str, tuple[str, int]] = {
    "BUILD": ("building", 0),
    "ACTIVE": ("active", 1),
    "SHUTOFF": ("stopped", 4),
    "REBOOT": ("active", 1),
    "HARD_REBOOT": ("active", 1),
    "RESIZE": ("resized", 1),
    "ERROR": ("error", 0),
}


def ecs_error(status: int, code: str, message: str) -> ServiceError:
    return ServiceError(status, {"error": {"code": code, "message": message}})


def _invalid(message: str) -> ServiceError:
    return ecs_error(400, "Ecs.0005", f"Invalid parameter: {message}")


def _nova_error(status: int, kind: str, message: str) -> ServiceError:
    return ServiceError(status, {kind: {"code": status, "message": message}})


def _nova_microversion(request: EmulatedRequest) -> tuple[int, int]:
    """The compute microversion a request asks for (``OpenStack-API-Version: compute 2.35`` or the legacy
    ``X-OpenStack-Nova-API-Version: 2.35``); 2.1 when it names none."""
    value = request.headers.get("openstack-api-version", "")
    wanted = value.split()[-1] if value.lower().startswith("compute ") else ""
    wanted = wanted or request.headers.get("x-openstack-nova-api-version", "")
    major, _, minor = wanted.strip().partition(".")
    return (int(major), int(minor)) if major.isdigit() and minor.isdigit() else (2, 1)


@dataclass
class Server:
    id: str
    project_id: str
    name: str
    flavor_id: str
    image_id: str
    vpc_id: str
    subnet_id: str
    availability_zone: str
    created: float
    sequence: int
    ip_address: str
    user_id: str
    status: ServerStatus = "BUILD"
    task_state: str | None = "spawning"
    launched_at: float | None = None
    updated: float = 0.0
    description: str = ""
    key_name: str | None = None
    user_data: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    security_group_ids: list[str] = field(default_factory=list)
    port_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    mac_address: str = field(default_factory=lambda: "fa:16:3e:" + ":".join(secrets.token_hex(1) for _ in range(3)))
    volume_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    reservation_id: str = field(default_factory=lambda: "r-" + secrets.token_hex(4))

    @property
    def hostname(self) -> str:
        return self.name.lower().replace("_", "-")[:63]

    def set_status(self, status: ServerStatus, task_state: str | None, now: float) -> None:
        self.status, self.task_state, self.updated = status, task_state, now

    def detail(
        self, floating_ips: Sequence[str] = (), data_volumes: Sequence[tuple[str, str]] = ()
    ) -> JsonObject:
        """The ``server`` document of ShowServer / ListServersDetails (with its EIPs and attached data volumes)."""
        flavor = FLAVORS[self.flavor_id]
        vm_state, power_state = _VM_STATES[self.status]
        address = {
            "version": "4",
            "addr": self.ip_address,
            "OS-EXT-IPS:type": "fixed",
            "OS-EXT-IPS-MAC:mac_addr": self.mac_address,
            "OS-EXT-IPS:port_id": self.port_id,
            "primary": True,
        }
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "created": _server_time(self.created),
            "updated": _server_time(self.updated or self.created),
            "flavor": {
                "id": flavor["id"],
                "name": flavor["name"],
                "vcpus": flavor["vcpus"],
                "ram": str(flavor["ram"]),
                "disk": flavor["disk"],
            },
            "image": {"id": self.image_id},
            "tenant_id": self.project_id,
            "user_id": self.user_id,
            "key_name": self.key_name,
            "addresses": {
                self.vpc_id: [address]
                + [
                    {**address, "addr": floating, "OS-EXT-IPS:type": "floating", "primary": False}
                    for floating in floating_ips
                ]
            },
            "security_groups": [{"id": group, "name": group} for group in self.security_group_ids]
            or [{"id": "default", "name": "default"}],
            "accessIPv4": "",
            "accessIPv6": "",
            "metadata": {
                "charging_mode": "0",
                "vpc_id": self.vpc_id,
                "metering.image_id": self.image_id,
                "metering.imagetype": "gold",
                "metering.resourcespeccode": f"{self.flavor_id}.linux",
                "os_type": "Linux",
                "os_bit": "64",
                **self.metadata,
            },
            "tags": [f"{key}={value}" for key, value in self.tags.items()],
            "sys_tags": [{"key": "_sys_enterprise_project_id", "value": "0"}],
            "enterprise_project_id": "0",
            "hostId": hashlib.sha224(f"{self.project_id}{self.availability_zone}".encode()).hexdigest(),
            "host_status": "UP",
            "progress": 100 if self.status != "BUILD" else 0,
            "locked": False,
            "config_drive": "",
            "fault": None,
            "OS-DCF:diskConfig": "MANUAL",
            "OS-EXT-AZ:availability_zone": self.availability_zone,
            "OS-EXT-STS:vm_state": vm_state,
            "OS-EXT-STS:task_state": self.task_state,
            "OS-EXT-STS:power_state": power_state,
            "OS-SRV-USG:launched_at": _server_time(self.launched_at, fraction=True) if self.launched_at else "",
            "OS-SRV-USG:terminated_at": "",
            "OS-EXT-SRV-ATTR:host": "emulated-host",
            "OS-EXT-SRV-ATTR:hypervisor_hostname": "emulated-hypervisor",
            "OS-EXT-SRV-ATTR:instance_name": f"instance-{self.sequence:08x}",
            "OS-EXT-SRV-ATTR:hostname": self.hostname,
            "OS-EXT-SRV-ATTR:reservation_id": self.reservation_id,
            "OS-EXT-SRV-ATTR:launch_index": 0,
            "OS-EXT-SRV-ATTR:kernel_id": "",
            "OS-EXT-SRV-ATTR:ramdisk_id": "",
            "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
            "OS-EXT-SRV-ATTR:user_data": self.user_data,
            "os-extended-volumes:volumes_attached": [
                {"id": self.volume_id, "delete_on_termination": "true", "bootIndex": "0", "device": "/dev/vda"}
            ]
            + [
                {"id": volume_id, "delete_on_termination": "false", "bootIndex": "", "device": device}
                for volume_id, device in data_volumes
            ],
            "os:scheduler_hints": {},
        }


@dataclass
class Job:
    """An ECS asynchronous job over one or more servers; ``finish`` applies its effect once."""

    job_id: str
    job_type: str
    sub_job_type: str
    project_id: str
    server_ids: list[str]
    begin_time: float
    finishes_at: float
    finish: Callable[[Server], None]
    revert: Callable[[Server], None]
    failure: tuple[str, str] | None = None
    finished: bool = False
    sub_job_ids: list[str] = field(default_factory=list)
    # A job over another resource than servers (EVS volumes): its own entities, and its effect (failed or not).
    entities_override: JsonObject | None = None
    effect: Callable[[bool], None] | None = None

    def document(self) -> JsonObject:
        status = ("FAIL" if self.failure else "SUCCESS") if self.finished else "RUNNING"
        end_time = iso_time(self.finishes_at, fraction_digits=3) if self.finished else ""
        error_code, fail_reason = self.failure if self.failure and self.finished else (None, None)
        sub_jobs = [
            {
                "job_id": sub_job_id,
                "job_type": self.sub_job_type,
                "status": status,
                "begin_time": iso_time(self.begin_time, fraction_digits=3),
                "end_time": end_time,
                "error_code": error_code,
                "fail_reason": fail_reason,
                "entities": {"server_id": server_id},
            }
            for sub_job_id, server_id in zip(self.sub_job_ids, self.server_ids, strict=True)
        ]
        entities: JsonObject = {"sub_jobs_total": len(sub_jobs), "sub_jobs": sub_jobs}
        if self.entities_override is not None:
            entities = dict(self.entities_override)
        elif len(self.server_ids) == 1:
            entities["server_id"] = self.server_ids[0]
        return {
            "job_id": self.job_id,
            "job_type": self.job_type,
            "status": status,
            "begin_time": iso_time(self.begin_time, fraction_digits=3),
            "end_time": end_time,
            "error_code": error_code,
            "fail_reason": fail_reason,
            "entities": entities,
        }


@dataclass
class Keypair:
    name: str
    public_key: str
    fingerprint: str
    key_type: str
    user_id: str

    def summary(self) -> JsonObject:
        return {
            "name": self.name,
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "type": self.key_type,
        }


class EcsEmulator:
    """Servers and jobs of every project of the emulated account."""

    def __init__(
        self,
        *,
        project_ids: Iterable[str],
        user_id: str,
        region: str,
        job_delay: float,
        clock: Callable[[], float],
    ) -> None:
        self.project_ids = frozenset(project_ids)
        self.user_id = user_id
        self.region = region
        self.job_delay = job_delay
        self._clock = clock
        self.servers: dict[str, Server] = {}
        self.jobs: dict[str, Job] = {}
        self.keypairs: dict[tuple[str, str], Keypair] = {}
        self._client_tokens: dict[tuple[str, str], JsonObject] = {}
        self._planned_failures: list[tuple[str, str]] = []
        self._sequence = itertools.count(1)
        p = "/{project_id}"
        # What the emulator answers, in dispatch order (tests walk them all).
        self.routes = (
            Route("POST", f"/v1{p}/cloudservers", self._create_servers),
            Route("POST", f"/v1.1{p}/cloudservers", self._create_servers),
            Route("GET", f"/v1{p}/cloudservers/detail", self._list_servers_details),
            Route("GET", f"/v1{p}/cloudservers/flavors", self._list_flavors),
            Route("GET", f"/v1{p}/cloudservers/tags", self._list_project_tags),
            Route("POST", f"/v1{p}/cloudservers/delete", self._delete_servers),
            Route("POST", f"/v1{p}/cloudservers/action", self._batch_action),
            Route("GET", f"/v1{p}/cloudservers/{{server_id}}", self._show_server),
            Route("PUT", f"/v1{p}/cloudservers/{{server_id}}", self._update_server),
            Route("POST", f"/v1{p}/cloudservers/{{server_id}}/resize", self._resize_server),
            Route("POST", f"/v1.1{p}/cloudservers/{{server_id}}/resize", self._resize_server),
            Route("GET", f"/v1{p}/cloudservers/{{server_id}}/os-interface", self._list_interfaces),
            Route("GET", f"/v1{p}/cloudservers/{{server_id}}/tags", self._show_server_tags),
            Route("POST", f"/v1{p}/cloudservers/{{server_id}}/tags/action", self._server_tags_action),
            Route("POST", f"/v1{p}/cloudservers/{{server_id}}/attachvolume", self._attach_volume),
            Route("DELETE", f"/v1{p}/cloudservers/{{server_id}}/detachvolume/{{volume_id}}", self._detach_volume),
            Route("GET", f"/v1{p}/cloudservers/{{server_id}}/os-volume_attachments", self._list_volume_attachments),
            Route("GET", f"/v1{p}/jobs/{{job_id}}", self._show_job),
            Route("GET", f"/v2.1{p}/os-keypairs", self._list_keypairs),
            Route("POST", f"/v2.1{p}/os-keypairs", self._create_keypair),
            Route("GET", f"/v2.1{p}/os-keypairs/{{keypair_name}}", self._show_keypair),
            Route("DELETE", f"/v2.1{p}/os-keypairs/{{keypair_name}}", self._delete_keypair),
        )
        self._router = Router(self.routes, reserved={"server_id": CLOUDSERVERS_API_NAMES})
        self._network: NetworkEmulator | None = None
        self._volumes: EvsEmulator | None = None

    def attach_neighbours(self, *, network: NetworkEmulator, volumes: EvsEmulator) -> None:
        """The VPC and EVS emulators whose state servers share (ports and addresses, EIPs, attached volumes)."""
        self._network = network
        self._volumes = volumes

    def now(self) -> float:
        return self._clock()

    def start_resource_job(
        self, project_id: str, job_type: str, entities: JsonObject, effect: Callable[[bool], None]
    ) -> Job:
        """A job over something else than servers (EVS volumes), in the one job table: ``effect(failed)`` once."""
        now = self._clock()
        job = Job(
            job_id=new_hex_id(), job_type=job_type, sub_job_type=job_type, project_id=project_id, server_ids=[],
            begin_time=now, finishes_at=now + self.job_delay, finish=lambda _: None, revert=lambda _: None,
            failure=self._planned_failures.pop(0) if self._planned_failures else None,
            entities_override=entities, effect=effect,
        )
        self.jobs[job.job_id] = job
        return job

    def show_job(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        self.settle()
        return self._show_job(request, path)

    def _detail(self, server: Server) -> JsonObject:
        floating = self._network.floating_ips(server.port_id) if self._network is not None else []
        volumes = (
            [(volume.id, device) for volume, _, device in self._volumes.attached_to(server.id)]
            if self._volumes is not None
            else []
        )
        return server.detail(floating, volumes)

    def fail_next_job(self, *, error_code: str = "Ecs.0000", fail_reason: str = "Emulated job failure") -> None:
        """Make the next job end in FAIL (a failed create leaves its servers in ERROR)."""
        self._planned_failures.append((error_code, fail_reason))

    async def handle(self, request: EmulatedRequest) -> EmulatedResponse:
        self.settle()
        return self._router.dispatch(request)

    def internal_error(self, _: EmulatedRequest) -> EmulatedResponse:
        # Ecs.0002's documented message; the table lists it for a failed task submission, the nearest it has.
        error = ecs_error(500, "Ecs.0002", "A system exception occurred. Try again later or contact customer service.")
        return json_response(error.status, error.body)

    def settle(self) -> None:
        """Finish every job whose time has come, in the order they started."""
        now = self._clock()
        for job in self.jobs.values():
            if job.finished or job.finishes_at > now:
                continue
            job.finished = True
            if job.effect is not None:
                job.effect(job.failure is not None)
            for server_id in job.server_ids:
                server = self.servers.get(server_id)
                if server is not None:
                    (job.revert if job.failure else job.finish)(server)

    # --- helpers ---------------------------------------------------------------------------------

    def _project(self, project_id: str) -> str:
        if project_id not in self.project_ids:
            raise ecs_error(
                403, "Ecs.0003", f"You do not have permission to perform this operation on project {project_id}."
            )
        return project_id

    def _server(self, project_id: str, server_id: str) -> Server:
        server = self.servers.get(server_id)
        if server is None or server.project_id != project_id:
            raise ecs_error(404, "Ecs.0114", f"Instance[{server_id}] could not be found.")
        return server

    def _start_job(
        self,
        project_id: str,
        job_type: str,
        sub_job_type: str,
        servers: Sequence[Server],
        *,
        begin: Callable[[Server], None],
        finish: Callable[[Server], None],
        revert: Callable[[Server], None],
    ) -> Job:
        now = self._clock()
        for server in servers:
            begin(server)
        job = Job(
            job_id=new_hex_id(),
            job_type=job_type,
            sub_job_type=sub_job_type,
            project_id=project_id,
            server_ids=[server.id for server in servers],
            begin_time=now,
            finishes_at=now + self.job_delay,
            finish=finish,
            revert=revert,
            failure=self._planned_failures.pop(0) if self._planned_failures else None,
            sub_job_ids=[new_hex_id() for _ in servers],
        )
        self.jobs[job.job_id] = job
        return job

    def _servers_from(self, project_id: str, items: object, where: str) -> list[Server]:
        if not isinstance(items, list) or not items:
            raise _invalid(f"{where} must be a non-empty list of {{\"id\": ...}}")
        ids = [item.get("id") if isinstance(item, dict) else None for item in items]
        if not all(isinstance(server_id, str) and server_id for server_id in ids):
            raise _invalid(f"every item of {where} needs an id")
        return [self._server(project_id, str(server_id)) for server_id in dict.fromkeys(ids)]

    # --- servers ---------------------------------------------------------------------------------

    def _create_servers(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        client_token = request.headers.get("x-client-token")
        if client_token and (project_id, client_token) in self._client_tokens:
            return json_response(200, self._client_tokens[(project_id, client_token)])
        document = read_json(request, _invalid)
        spec = document.get("server")
        if not isinstance(spec, dict):
            raise _invalid("server is required and must be an object")
        checked = _check_create(spec)
        if _boolean(document, "dry_run"):
            return json_response(202, {})
        now = self._clock()
        if checked.count == 1 or not checked.auto_rename:
            names = [checked.name] * checked.count
        else:
            names = [f"{checked.name}-{index:04d}" for index in range(1, checked.count + 1)]
        servers = []
        for server_name in names:
            sequence = next(self._sequence)
            server_id = str(uuid.uuid4())
            port = (
                self._network.plug(project_id, checked.vpc_id, checked.subnet_id, server_id)
                if self._network is not None
                else None
            )
            server = Server(
                id=server_id,
                project_id=project_id,
                name=server_name,
                flavor_id=checked.flavor_id,
                image_id=checked.image_id,
                vpc_id=checked.vpc_id,
                subnet_id=checked.subnet_id,
                availability_zone=checked.availability_zone or f"{self.region}a",
                created=now,
                sequence=sequence,
                ip_address=port.ip_address if port else f"192.168.{sequence // 250 % 250}.{sequence % 250 + 2}",
                user_id=self.user_id,
                description=checked.description or "",
                key_name=checked.key_name,
                user_data=checked.user_data,
                metadata=dict(checked.metadata),
                tags=dict(checked.tags),
                security_group_ids=list(checked.security_group_ids),
            )
            if port is not None:
                server.port_id, server.mac_address = port.id, port.mac_address
                port.security_groups = list(checked.security_group_ids)
            self.servers[server.id] = server
            servers.append(server)

        def launched(server: Server) -> None:
            server.set_status("ACTIVE", None, self._clock())
            server.launched_at = self._clock()

        job = self._start_job(
            project_id, "createServer", "createSingleServer", servers,
            begin=lambda server: None,
            finish=launched,
            revert=lambda server: server.set_status("ERROR", None, self._clock()),
        )
        answer = {"job_id": job.job_id, "serverIds": [server.id for server in servers]}
        if client_token:
            self._client_tokens[(project_id, client_token)] = answer
        return json_response(200, answer)

    def _list_servers_details(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        params = {key: values[0] for key, values in query_params(request).items()}
        limit = _int_param(params, "limit", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        page = max(1, _int_param(params, "offset", 1, 0, 10**6))
        servers = [server for server in self.servers.values() if server.project_id == project_id]
        if "server_id" in params:
            # As documented: server_id wins over every other filter, and an id of no server gets a placeholder
            # whose fields are all null but id and fault.
            found = {server.id: server for server in servers}
            wanted = list(dict.fromkeys(item.strip() for item in params["server_id"].split(",") if item.strip()))
            documents = [self._detail(found[item]) if item in found else self._missing(item) for item in wanted]
            return json_response(200, {"count": len(documents), "servers": documents})
        servers = [server for server in servers if _matches(server, params)]
        servers.sort(key=lambda server: (server.created, server.sequence), reverse=True)
        marker = params.get("marker")
        if marker is not None:
            # The id of the last server of the previous page: the page starts after it (offset is then unused).
            ids = [server.id for server in servers]
            if marker not in ids:
                raise _invalid(f"marker {marker!r} is not the id of a listed server")
            chosen = servers[ids.index(marker) + 1 : ids.index(marker) + 1 + limit]
        else:
            chosen = servers[(page - 1) * limit : page * limit]
        return json_response(200, {"count": len(servers), "servers": [self._detail(server) for server in chosen]})

    def _missing(self, server_id: str) -> JsonObject:
        """ListServersDetails' entry for a server_id of no server: the detail's fields, all null but id and fault."""
        sample = Server(
            id=server_id, project_id="", name="", flavor_id=next(iter(FLAVORS)), image_id="", vpc_id="",
            subnet_id="", availability_zone="", created=0.0, sequence=0, ip_address="", user_id="",
        )
        fault = {"code": 404, "message": f"Instance[{server_id}] could not be found.", "details": None,
                 "created": _server_time(self._clock())}
        return {**{name: None for name in sample.detail()}, "id": server_id, "fault": fault}

    def _show_server(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        return json_response(200, {"server": self._detail(self._server(self._project(path[0]), path[1]))})

    def _update_server(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        server = self._server(self._project(path[0]), path[1])
        changes = read_json(request, _invalid).get("server")
        if not isinstance(changes, dict) or not changes:
            raise _invalid("server must be an object with name, description, hostname or user_data")
        if "name" in changes and not (isinstance(changes["name"], str) and _NAME.fullmatch(changes["name"])):
            raise _invalid("server.name must be 1 to 64 letters, digits, '_', '-' or '.'")
        description = _optional_string(changes, "description", "server")
        if description is not None and len(description) > 85:
            raise _invalid("server.description must be at most 85 characters")
        user_data = _optional_string(changes, "user_data", "server")
        server.name = str(changes.get("name", server.name))
        server.description = server.description if description is None else description
        if "user_data" in changes:
            server.user_data = user_data
        server.updated = self._clock()
        detail = self._detail(server)
        keys = (
            "id", "name", "description", "status", "created", "updated", "flavor", "image", "tenant_id", "user_id",
            "metadata", "addresses", "hostId", "OS-DCF:diskConfig", "accessIPv4", "accessIPv6", "progress",
            "locked", "tags", "OS-EXT-SRV-ATTR:hostname", "OS-EXT-SRV-ATTR:user_data",
        )
        updated = {key: detail[key] for key in keys}
        # UpdateServer's answer names the image by its id (a string), where ShowServer has an {"id": ...} object:
        # UpdateServerResult.image in the official SDKs (huaweicloud-sdk-go-v3 model_update_server_result.go).
        updated["image"] = server.image_id
        return json_response(200, {"server": updated})

    def _delete_servers(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        document = read_json(request, _invalid)
        servers = self._servers_from(project_id, document.get("servers"), "servers")

        def deleted(server: Server) -> None:
            self.servers.pop(server.id, None)
            if self._network is not None:
                self._network.unplug(server.port_id)
            if self._volumes is not None:
                self._volumes.detach_all(server.id)

        job = self._start_job(
            project_id, "deleteServers", "deleteServer", servers,
            begin=lambda server: setattr(server, "task_state", "deleting"),
            finish=deleted,
            revert=lambda server: setattr(server, "task_state", None),
        )
        return json_response(200, {"job_id": job.job_id})

    def _batch_action(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        document = read_json(request, _invalid)
        actions = [name for name in ("os-start", "os-stop", "reboot") if name in document]
        if len(actions) != 1 or len(document) != 1:
            raise _invalid("the body must hold exactly one of os-start, os-stop or reboot")
        action = actions[0]
        option = document[action]
        if not isinstance(option, dict):
            raise _invalid(f"{action} must be an object")
        stop_type = option.get("type", "SOFT" if action == "os-stop" else None)
        if action != "os-start" and stop_type not in ("SOFT", "HARD"):
            raise _invalid(f"{action}.type must be SOFT or HARD")
        servers = self._servers_from(project_id, option.get("servers"), f"{action}.servers")

        def restore(server: Server) -> None:
            server.task_state = None

        if action == "os-start":
            job = self._start_job(
                project_id, "batchStartServers", "startServer", servers,
                begin=lambda server: setattr(server, "task_state", "powering-on"),
                finish=lambda server: server.set_status("ACTIVE", None, self._clock()),
                revert=restore,
            )
        elif action == "os-stop":
            job = self._start_job(
                project_id, "batchStopServers", "stopServer", servers,
                begin=lambda server: setattr(server, "task_state", "powering-off"),
                finish=lambda server: server.set_status("SHUTOFF", None, self._clock()),
                revert=restore,
            )
        else:
            hard = stop_type == "HARD"
            job = self._start_job(
                project_id, "batchRebootServers", "rebootServer", servers,
                begin=lambda server: server.set_status(
                    "HARD_REBOOT" if hard else "REBOOT", "rebooting_hard" if hard else "rebooting", self._clock()
                ),
                finish=lambda server: server.set_status("ACTIVE", None, self._clock()),
                revert=lambda server: server.set_status("ACTIVE", None, self._clock()),
            )
        return json_response(200, {"job_id": job.job_id})

    def _resize_server(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        server = self._server(project_id, path[1])
        document = read_json(request, _invalid)
        option = document.get("resize")
        if not isinstance(option, dict):
            raise _invalid("resize is required and must be an object")
        flavor_id = _flavor_ref(option, "resize")
        if flavor_id == server.flavor_id:
            raise ecs_error(400, "Ecs.0009", "Another flavor must be used for resizing.")
        if _boolean(document, "dry_run"):
            return json_response(202, {})
        status_before = server.status

        def resized(target: Server) -> None:
            target.flavor_id = flavor_id
            target.set_status(status_before, None, self._clock())

        job = self._start_job(
            project_id, "resizeServer", "resizeServer", [server],
            begin=lambda target: target.set_status("RESIZE", "resize_prep", self._clock()),
            finish=resized,
            revert=lambda target: target.set_status(status_before, None, self._clock()),
        )
        return json_response(200, {"job_id": job.job_id})

    def _list_flavors(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        """ListFlavors with its query: ``availability_zone`` keeps the flavors in the normal, obt or promotion state
        there; ``flavor_id`` the one flavor; ``limit`` (default 1000) and ``marker`` (a flavor id) page."""
        self._project(path[0])
        params = {key: values[0] for key, values in query_params(request).items()}
        flavors = [self._flavor_document(flavor) for flavor in FLAVORS.values()]
        zone = params.get("availability_zone")
        if zone:
            flavors = [flavor for flavor in flavors if _flavor_status(flavor, zone) in _LISTED_IN_AZ]
        if "flavor_id" in params:
            flavors = [flavor for flavor in flavors if flavor["id"] == params["flavor_id"]]
        marker = params.get("marker")
        if marker is not None:
            ids = [flavor["id"] for flavor in flavors]
            if marker not in ids:
                raise _invalid(f"marker {marker!r} is not a flavor id")
            flavors = flavors[ids.index(marker) + 1 :]
        limit = _int_param(params, "limit", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        return json_response(200, {"flavors": flavors[:limit]})

    def _flavor_document(self, flavor: JsonObject) -> JsonObject:
        by_zone = _FLAVOR_AZ_STATUS.get(str(flavor["id"]))
        if not by_zone:
            return flavor
        extra = dict(flavor["os_extra_specs"])
        extra["cond:operation:az"] = ", ".join(f"{self.region}{letter}({state})" for letter, state in by_zone.items())
        return {**flavor, "os_extra_specs": extra}

    def _list_interfaces(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        server = self._server(self._project(path[0]), path[1])
        interface = {
            "port_id": server.port_id,
            "port_state": "ACTIVE",
            "net_id": server.subnet_id,
            "mac_addr": server.mac_address,
            "fixed_ips": [{"subnet_id": server.subnet_id, "ip_address": server.ip_address}],
            "delete_on_termination": True,
            "driver_mode": "virtio",
            "min_rate": 0,
            "multiqueue_num": 1,
            "pci_address": "0000:00:0c.0",
        }
        return json_response(200, {"interfaceAttachments": [interface], "attachableQuantity": {"free_nic": 11}})

    # --- volumes (EVS disks attached through ECS) -------------------------------------------------

    def _evs(self) -> EvsEmulator:
        if self._volumes is None:
            raise _invalid("volumes are not emulated here")
        return self._volumes

    def _attach_volume(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        server = self._server(project_id, path[1])
        option = read_json(request, _invalid).get("volumeAttachment")
        if not isinstance(option, dict):
            raise _invalid("volumeAttachment is required and must be an object")
        volume_id = _required_string(option, "volumeId", "volumeAttachment")
        device = _optional_string(option, "device", "volumeAttachment")
        evs = self._evs()
        try:
            volume = evs.volume(project_id, volume_id)
        except ServiceError:
            raise _invalid(f"volumeAttachment.volumeId: the volume {volume_id} does not exist") from None
        if volume.status != "available":
            raise _invalid(f"the volume {volume_id} is {volume.status}, not available")
        taken = {dev for _, _, dev in evs.attached_to(server.id)} | {"/dev/vda"}
        free = (f"/dev/vd{letter}" for letter in "bcdefghijklmnopqrstuvwxyz")
        device = device or next(name for name in free if name not in taken)
        volume.status = "attaching"

        def attached(target: Server) -> None:
            evs.attach(volume, target.id, device, self._clock())

        def reverted(_: Server) -> None:
            volume.status = "available"

        job = self._start_job(
            project_id, "attachVolume", "attachVolume", [server], begin=lambda _: None, finish=attached, revert=reverted
        )
        return json_response(200, {"job_id": job.job_id})

    def _detach_volume(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        server = self._server(project_id, path[1])
        evs = self._evs()
        attached = {volume.id: volume for volume, _, _ in evs.attached_to(server.id)}
        volume = attached.get(path[2])
        if volume is None:
            raise ecs_error(404, "Ecs.0021", f"Volume[{path[2]}] is not attached to instance[{server.id}].")
        volume.status = "detaching"

        def detached(target: Server) -> None:
            evs.detach(volume, target.id)

        def reverted(_: Server) -> None:
            volume.status = "in-use"

        job = self._start_job(
            project_id, "detachVolume", "detachVolume", [server], begin=lambda _: None, finish=detached,
            revert=reverted,
        )
        return json_response(200, {"job_id": job.job_id})

    def _list_volume_attachments(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        server = self._server(self._project(path[0]), path[1])
        attachments = [
            {"device": "/dev/vda", "id": server.volume_id, "serverId": server.id, "volumeId": server.volume_id}
        ]
        if self._volumes is not None:
            attachments += [
                {"device": device, "id": volume.id, "serverId": server.id, "volumeId": volume.id}
                for volume, _, device in self._volumes.attached_to(server.id)
            ]
        return json_response(200, {"volumeAttachments": attachments})

    # --- tags ------------------------------------------------------------------------------------

    def _show_server_tags(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        server = self._server(self._project(path[0]), path[1])
        return json_response(200, {"tags": [{"key": key, "value": value} for key, value in server.tags.items()]})

    def _server_tags_action(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        server = self._server(self._project(path[0]), path[1])
        document = read_json(request, _invalid)
        action = document.get("action")
        if action not in ("create", "delete"):
            raise _invalid("action must be create or delete")
        tags = _tag_list(document.get("tags"), "tags")
        for key, value in tags:
            if action == "create":
                server.tags[key] = value
            elif value in ("", server.tags.get(key)):
                server.tags.pop(key, None)
        return EmulatedResponse(status=204)

    def _list_project_tags(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        values: dict[str, set[str]] = {}
        for server in self.servers.values():
            if server.project_id == project_id:
                for key, value in server.tags.items():
                    values.setdefault(key, set()).add(value)
        return json_response(200, {"tags": [{"key": key, "values": sorted(found)} for key, found in values.items()]})

    # --- jobs --------------------------------------------------------------------------------------

    def _show_job(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        job = self.jobs.get(path[1])
        if job is None or job.project_id != project_id:
            raise ecs_error(404, "Ecs.0000", f"Job [{path[1]}] could not be found.")
        return json_response(200, job.document())

    # --- key pairs (Nova v2.1) ----------------------------------------------------------------------

    def _keypair(self, project_id: str, name: str) -> Keypair:
        keypair = self.keypairs.get((project_id, name))
        if keypair is None:
            raise _nova_error(404, "itemNotFound", f"Keypair {name} not found.")
        return keypair

    def _list_keypairs(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        """Nova's ListKeypairs, by name; ``limit`` and ``marker`` (a key pair's name) page from microversion 2.35
        (``OpenStack-API-Version: compute 2.35``), and are ignored before it, as Nova does."""
        project_id = self._project(path[0])
        keypairs = sorted(
            (pair for (owner, _name), pair in self.keypairs.items() if owner == project_id), key=lambda p: p.name
        )
        params = {key: values[0] for key, values in query_params(request).items()}
        if _nova_microversion(request) >= (2, 35):
            marker = params.get("marker")
            if marker is not None:
                names = [pair.name for pair in keypairs]
                if marker not in names:
                    raise _nova_error(400, "badRequest", f"Marker {marker} could not be found.")
                keypairs = keypairs[names.index(marker) + 1 :]
            if "limit" in params:
                try:
                    limit = int(params["limit"])
                except ValueError:
                    raise _nova_error(400, "badRequest", "Invalid input for query parameters limit.") from None
                if limit < 0:
                    raise _nova_error(400, "badRequest", "Invalid input for query parameters limit.")
                keypairs = keypairs[:limit]
        return json_response(200, {"keypairs": [{"keypair": pair.summary()} for pair in keypairs]})

    def _show_keypair(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        keypair = self._keypair(self._project(path[0]), path[1])
        return json_response(200, {"keypair": {**keypair.summary(), "user_id": keypair.user_id}})

    def _create_keypair(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        option = read_json(request, lambda reason: _nova_error(400, "badRequest", reason)).get("keypair")
        if not isinstance(option, dict):
            raise _nova_error(400, "badRequest", "keypair is required and must be an object")
        name = option.get("name")
        if not isinstance(name, str) or not _KEYPAIR_NAME.fullmatch(name):
            raise _nova_error(400, "badRequest", "Keypair name must be 1 to 64 letters, digits, '_' or '-'.")
        if (project_id, name) in self.keypairs:
            raise _nova_error(409, "conflictingRequest", f"Key pair '{name}' already exists.")
        key_type = option.get("type", "ssh")
        if key_type not in ("ssh", "x509"):
            raise _nova_error(400, "badRequest", "Keypair type must be ssh or x509.")
        public_key = option.get("public_key")
        private_key = None
        if public_key is None:
            blob = secrets.token_bytes(64)
            public_key = "ssh-rsa " + base64.b64encode(blob).decode() + " Generated-by-Nova"
            private_key = "-----BEGIN RSA PRIVATE KEY-----\n" + base64.b64encode(secrets.token_bytes(96)).decode() + (
                "\n-----END RSA PRIVATE KEY-----\n"
            )
        elif not isinstance(public_key, str) or len(public_key.split()) < 2:
            raise _nova_error(400, "badRequest", "Keypair data is invalid: failed to parse the public key.")
        digest = hashlib.md5(public_key.split()[1].encode(), usedforsecurity=False).hexdigest()
        fingerprint = ":".join(digest[i : i + 2] for i in range(0, 32, 2))
        keypair = Keypair(name, public_key, fingerprint, key_type, self.user_id)
        self.keypairs[(project_id, name)] = keypair
        answer: JsonObject = {**keypair.summary(), "user_id": keypair.user_id}
        if private_key is not None:
            answer["private_key"] = private_key
        return json_response(200, {"keypair": answer})

    def _delete_keypair(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        self._keypair(project_id, path[1])
        del self.keypairs[(project_id, path[1])]
        return EmulatedResponse(status=204)


def _server_time(epoch_seconds: float | None, *, fraction: bool = False) -> str:
    """``2024-01-02T03:04:05Z``; ``launched_at`` has microseconds and no zone, as ECS sends it."""
    if epoch_seconds is None:
        return ""
    stamp = iso_time(epoch_seconds)
    return stamp[:-1] if fraction else stamp[:19] + "Z"


@dataclass(frozen=True)
class _ServerSpec:
    """The ``server`` of a CreateServers request, every field the emulator reads checked."""

    name: str
    flavor_id: str
    image_id: str
    vpc_id: str
    subnet_id: str
    count: int
    auto_rename: bool
    availability_zone: str | None
    description: str | None
    key_name: str | None
    user_data: str | None
    metadata: dict[str, str]
    tags: dict[str, str]
    security_group_ids: list[str]


def _check_create(spec: JsonObject) -> _ServerSpec:
    """Validate a ``server`` of CreateServers: Ecs.0005 naming the first field that is missing or wrong."""
    name = spec.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _invalid("server.name must be 1 to 64 letters, digits, '_', '-' or '.'")
    flavor_id = _flavor_ref(spec, "server")
    image_id = _required_string(spec, "imageRef", "server")
    vpc_id = _required_string(spec, "vpcid", "server")
    root_volume = spec.get("root_volume")
    if not isinstance(root_volume, dict):
        raise _invalid("server.root_volume is required and must be an object")
    _required_string(root_volume, "volumetype", "server.root_volume")
    nics = spec.get("nics")
    if not isinstance(nics, list) or not nics or not all(isinstance(nic, dict) for nic in nics):
        raise _invalid("server.nics must be a non-empty list of {\"subnet_id\": ...}")
    subnet_ids = [_required_string(nic, "subnet_id", "server.nics[]") for nic in nics]
    count = spec.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SERVERS_PER_CREATE:
        raise _invalid(f"server.count must be an integer from 1 to {MAX_SERVERS_PER_CREATE}")
    metadata = spec.get("metadata")
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict) or not all(isinstance(value, str) for value in metadata.values()):
        raise _invalid("server.metadata must be an object of strings")
    groups = spec.get("security_groups")
    groups = [] if groups is None else groups
    if not isinstance(groups, list) or not all(isinstance(group, dict) for group in groups):
        raise _invalid("server.security_groups must be a list of {\"id\": ...}")
    return _ServerSpec(
        name=name,
        flavor_id=flavor_id,
        image_id=image_id,
        vpc_id=vpc_id,
        subnet_id=subnet_ids[0],
        count=count,
        auto_rename=_boolean(spec, "isAutoRename", "server", default=True),
        availability_zone=_optional_string(spec, "availability_zone", "server"),
        description=_optional_string(spec, "description", "server"),
        key_name=_optional_string(spec, "key_name", "server"),
        user_data=_optional_string(spec, "user_data", "server"),
        metadata=metadata,
        tags=_tags_of(spec),
        security_group_ids=[_required_string(group, "id", "server.security_groups[]") for group in groups],
    )


def _required_string(option: JsonObject, name: str, where: str) -> str:
    value = option.get(name)
    if not isinstance(value, str) or not value:
        raise _invalid(f"{where}.{name} is required and must be a non-empty string")
    return value


def _optional_string(option: JsonObject, name: str, where: str) -> str | None:
    """``option[name]`` if it is a string, None if it is absent or null."""
    value = option.get(name)
    if value is not None and not isinstance(value, str):
        raise _invalid(f"{where}.{name} must be a string")
    return value


def _boolean(option: JsonObject, name: str, where: str | None = None, *, default: bool = False) -> bool:
    value = option.get(name, default)
    if not isinstance(value, bool):
        raise _invalid(f"{where + '.' if where else ''}{name} must be true or false")
    return value


def _flavor_ref(option: JsonObject, where: str) -> str:
    flavor_id = _required_string(option, "flavorRef", where)
    if flavor_id not in FLAVORS:
        raise _invalid(f"{where}.flavorRef {flavor_id!r} is not an available flavor")
    return flavor_id


def _tag_list(items: object, where: str) -> list[tuple[str, str]]:
    if not isinstance(items, list) or not items:
        raise _invalid(f"{where} must be a non-empty list of {{\"key\": ..., \"value\": ...}}")
    tags = []
    for item in items:
        key = item.get("key") if isinstance(item, dict) else None
        value = item.get("value", "") if isinstance(item, dict) else None
        if not isinstance(key, str) or not 1 <= len(key) <= 36 or not isinstance(value, str) or len(value) > 43:
            raise _invalid(f"every {where} item needs a key of 1 to 36 characters and a value of at most 43")
        tags.append((key, value))
    return tags


def _tags_of(spec: dict[str, Any]) -> dict[str, str]:
    """``server_tags`` ([{key, value}]), or the older ``tags`` (["key.value"])."""
    if spec.get("server_tags"):
        return dict(_tag_list(spec["server_tags"], "server.server_tags"))
    legacy = spec.get("tags") or []
    if not isinstance(legacy, list) or not all(isinstance(tag, str) for tag in legacy):
        raise _invalid("server.tags must be a list of \"key.value\" strings")
    return {key: value for key, _, value in (tag.partition(".") for tag in legacy)}


def _flavor_status(flavor: JsonObject, zone: str) -> str:
    """A flavor's state in ``zone``: its cond:operation:az entry for the zone, else its cond:operation:status."""
    extra = flavor["os_extra_specs"]
    for entry in str(extra.get("cond:operation:az") or "").split(","):
        name, _, state = entry.strip().partition("(")
        if name == zone and state.endswith(")"):
            return state[:-1]
    return str(extra.get("cond:operation:status") or "normal")


def _int_param(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    if name not in params:
        return default
    try:
        value = int(params[name])
    except ValueError:
        raise _invalid(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise _invalid(f"{name} must be from {low} to {high}")
    return value


def _matches(server: Server, params: dict[str, str]) -> bool:
    """The filters of ListServersDetails: name is a fuzzy match, tags are ``key=value``."""
    tag_pairs = {f"{key}={value}" for key, value in server.tags.items()}
    checks: dict[str, Callable[[str], bool]] = {
        "name": lambda wanted: wanted in server.name,
        "status": lambda wanted: server.status == wanted,
        "flavor": lambda wanted: server.flavor_id == wanted,
        "ip": lambda wanted: wanted in server.ip_address,
        "ip_eq": lambda wanted: server.ip_address == wanted,
        "server_id": lambda wanted: server.id in wanted.split(","),
        "reservation_id": lambda wanted: server.reservation_id == wanted,
        "tags": lambda wanted: wanted in tag_pairs,
        "not-tags": lambda wanted: wanted not in tag_pairs,
        "enterprise_project_id": lambda wanted: wanted in ("0", "all_granted_eps"),
    }
    return all(check(params[name]) for name, check in checks.items() if name in params)
