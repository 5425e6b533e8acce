"""Typed ECS client: ``cloud.ecs`` (regional, project-scoped: paths carry ``{project_id}``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from .._blocking import SyncService, blocking, blocking_pager
from .._paging import Marker, PageNumber
from .._response import Response
from .._retry import IDEMPOTENCY_HEADER
from .._waiter import wait_until
from ..errors import JobFailedError, NotFoundError
from . import _ecs_models
from ._base import Operation, ResultModel, Service, json_model, no_content, paginate
from ._ecs_models import *  # noqa: F403 - the models are part of this module's API
from ._ecs_models import (
    BatchCreateServerTagsBody,
    BatchRebootBody,
    BatchStartBody,
    BatchStopBody,
    CreateServersBody,
    CreateServersResponse,
    DeleteServersBody,
    IdRef,
    Job,
    JobResponse,
    KeypairType,
    ListFlavorsResponse,
    ListServerInterfacesResponse,
    ListServersDetailsResponse,
    NewKeypair,
    NovaCreateKeypairBody,
    NovaCreateKeypairResponse,
    NovaListKeypairsResponse,
    ResizeExtendParam,
    ResizeOption,
    ResizeServerBody,
    ServerBatch,
    ServerDetail,
    ServerResponse,
    ServerSpec,
    ServerStatus,
    ServerTag,
    ServerUpdate,
    ShowServerTagsResponse,
    StopType,
    UpdateServerBody,
)

__all__ = ["ECS", "SyncECS", *_ecs_models.__all__]

ResultT = TypeVar("ResultT", bound=ResultModel)


def _dry_run(nothing_created: Callable[[], ResultT]) -> Callable[[Response], ResultT]:
    """A dry run that passes ECS's checks creates nothing: ECS answers 202 with no job to parse."""

    def parse(response: Response) -> ResultT:
        result = nothing_created()
        result._answered_by(response)
        return result

    return parse


_SERVERS = "/v1/{project_id}/cloudservers"
_SERVER = _SERVERS + "/{server_id}"

LIST_SERVERS_DETAILS = Operation("GET", _SERVERS + "/detail", json_model(ListServersDetailsResponse))
SHOW_SERVER = Operation("GET", _SERVER, json_model(ServerResponse))
CREATE_SERVERS = Operation("POST", "/v1.1/{project_id}/cloudservers", json_model(CreateServersResponse))
CREATE_SERVERS_DRY_RUN = Operation(
    "POST", "/v1.1/{project_id}/cloudservers", _dry_run(lambda: CreateServersResponse(job_id=""))
)
DELETE_SERVERS = Operation("POST", _SERVERS + "/delete", json_model(JobResponse))
# Start, stop and reboot share one path; the body's single key says which action.
SERVER_ACTION = Operation("POST", _SERVERS + "/action", json_model(JobResponse))
UPDATE_SERVER = Operation("PUT", _SERVER, json_model(ServerResponse))
RESIZE_SERVER = Operation("POST", "/v1.1/{project_id}/cloudservers/{server_id}/resize", json_model(JobResponse))
RESIZE_SERVER_DRY_RUN = Operation(
    "POST", "/v1.1/{project_id}/cloudservers/{server_id}/resize", _dry_run(lambda: JobResponse(job_id=""))
)
LIST_FLAVORS = Operation("GET", _SERVERS + "/flavors", json_model(ListFlavorsResponse))
SHOW_JOB = Operation("GET", "/v1/{project_id}/jobs/{job_id}", json_model(Job))
LIST_SERVER_INTERFACES = Operation("GET", _SERVER + "/os-interface", json_model(ListServerInterfacesResponse))
SHOW_SERVER_TAGS = Operation("GET", _SERVER + "/tags", json_model(ShowServerTagsResponse))
BATCH_CREATE_SERVER_TAGS = Operation("POST", _SERVER + "/tags/action", no_content)
NOVA_LIST_KEYPAIRS = Operation("GET", "/v2.1/{project_id}/os-keypairs", json_model(NovaListKeypairsResponse))
NOVA_CREATE_KEYPAIR = Operation("POST", "/v2.1/{project_id}/os-keypairs", json_model(NovaCreateKeypairResponse))


def _servers(server_ids: Sequence[str]) -> list[IdRef]:
    if isinstance(server_ids, str):
        # A lone id would otherwise be split into one "server" per character.
        raise TypeError("server_ids must be a sequence of ids, not a single string")
    return [IdRef(id=server_id) for server_id in server_ids]


def _auto_pay(auto_pay: bool | None) -> ResizeExtendParam | None:
    if auto_pay is None:
        return None
    return ResizeExtendParam(is_auto_pay="true" if auto_pay else "false")


class ECS(Service):
    """Elastic Cloud Server operations, named after Huawei's (ListServersDetails → ``list_servers_details``)."""

    service_name = "ecs"

    # --- servers --------------------------------------------------------------------------------

    async def list_servers_details(
        self,
        *,
        name: str | None = None,
        status: ServerStatus | None = None,
        flavor: str | None = None,
        ip: str | None = None,
        ip_eq: str | None = None,
        server_ids: Sequence[str] | None = None,
        tags: str | None = None,
        not_tags: str | None = None,
        reservation_id: str | None = None,
        enterprise_project_id: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> ListServersDetailsResponse:
        """One page of servers; ``offset`` is a page number starting at 1, ``limit`` its size (≤ 1000)."""
        query = {
            "name": name, "status": status, "flavor": flavor, "ip": ip, "ip_eq": ip_eq,
            "server_id": ",".join(server_ids) if server_ids else None, "tags": tags, "not-tags": not_tags,
            "reservation_id": reservation_id, "enterprise_project_id": enterprise_project_id,
            "limit": limit, "offset": offset,
        }
        return await self._call(LIST_SERVERS_DETAILS, query=query)

    iter_servers_details = paginate(list_servers_details, items=lambda page: page.servers, dialect=PageNumber())

    async def show_server(self, *, server_id: str) -> ServerResponse:
        return await self._call(SHOW_SERVER, path={"server_id": server_id})

    async def create_servers(
        self, *, server: ServerSpec, dry_run: bool | None = None, client_token: str | None = None
    ) -> CreateServersResponse:
        """Create ``server.count`` servers; follow ``job_id`` with :meth:`wait_for_job`.

        ``client_token`` (a fresh UUID if not given) goes out as ``X-Client-Token`` on every attempt,
        so ECS creates the servers once even if a timed-out attempt had reached it and is retried.
        ``dry_run=True`` only has ECS check the request: an error if it fails, else a result with no job
        (``job_id == ""``) and no servers.
        """
        headers = {IDEMPOTENCY_HEADER: client_token or str(uuid.uuid4())}
        operation = CREATE_SERVERS_DRY_RUN if dry_run else CREATE_SERVERS
        return await self._call(operation, body=CreateServersBody(server=server, dry_run=dry_run), headers=headers)

    async def delete_servers(
        self, *, server_ids: Sequence[str], delete_publicip: bool | None = None, delete_volume: bool | None = None
    ) -> JobResponse:
        body = DeleteServersBody(
            servers=_servers(server_ids), delete_publicip=delete_publicip, delete_volume=delete_volume
        )
        return await self._call(DELETE_SERVERS, body=body)

    async def batch_start_servers(self, *, server_ids: Sequence[str]) -> JobResponse:
        return await self._call(SERVER_ACTION, body=BatchStartBody(os_start=ServerBatch(servers=_servers(server_ids))))

    async def batch_stop_servers(self, *, server_ids: Sequence[str], stop_type: StopType = "SOFT") -> JobResponse:
        """``stop_type="HARD"`` powers the servers off without waiting for the guest OS."""
        batch = ServerBatch(servers=_servers(server_ids), type=stop_type)
        return await self._call(SERVER_ACTION, body=BatchStopBody(os_stop=batch))

    async def batch_reboot_servers(self, *, server_ids: Sequence[str], reboot_type: StopType = "SOFT") -> JobResponse:
        batch = ServerBatch(servers=_servers(server_ids), type=reboot_type)
        return await self._call(SERVER_ACTION, body=BatchRebootBody(reboot=batch))

    async def update_server(
        self,
        *,
        server_id: str,
        name: str | None = None,
        description: str | None = None,
        hostname: str | None = None,
        user_data: str | None = None,
    ) -> ServerResponse:
        """Change the given fields; the others are left as they are."""
        update = ServerUpdate(name=name, description=description, hostname=hostname, user_data=user_data)
        return await self._call(UPDATE_SERVER, path={"server_id": server_id}, body=UpdateServerBody(server=update))

    async def resize_server(
        self,
        *,
        server_id: str,
        flavor_ref: str,
        mode: str | None = None,
        dedicated_host_id: str | None = None,
        auto_pay: bool | None = None,
        dry_run: bool | None = None,
    ) -> JobResponse:
        """Change the flavor. ``auto_pay`` pays a yearly/monthly server's order from the account balance.

        ``dry_run=True`` only has ECS check the request: an error if it fails, else a result with no job
        (``job_id == ""``).
        """
        option = ResizeOption(
            flavor_ref=flavor_ref, mode=mode, dedicated_host_id=dedicated_host_id, extendparam=_auto_pay(auto_pay)
        )
        body = ResizeServerBody(resize=option, dry_run=dry_run)
        operation = RESIZE_SERVER_DRY_RUN if dry_run else RESIZE_SERVER
        return await self._call(operation, path={"server_id": server_id}, body=body)

    async def list_server_interfaces(self, *, server_id: str) -> ListServerInterfacesResponse:
        return await self._call(LIST_SERVER_INTERFACES, path={"server_id": server_id})

    async def show_server_tags(self, *, server_id: str) -> ShowServerTagsResponse:
        return await self._call(SHOW_SERVER_TAGS, path={"server_id": server_id})

    async def batch_create_server_tags(self, *, server_id: str, tags: Mapping[str, str]) -> None:
        """Add tags (key → value); an existing key gets the new value."""
        body = BatchCreateServerTagsBody(tags=[ServerTag(key=key, value=value) for key, value in tags.items()])
        await self._call(BATCH_CREATE_SERVER_TAGS, path={"server_id": server_id}, body=body)

    # --- flavors, jobs, keypairs ------------------------------------------------------------------

    async def list_flavors(self, *, availability_zone: str | None = None) -> ListFlavorsResponse:
        return await self._call(LIST_FLAVORS, query={"availability_zone": availability_zone})

    async def show_job(self, *, job_id: str) -> Job:
        return await self._call(SHOW_JOB, path={"job_id": job_id})

    async def nova_list_keypairs(
        self, *, limit: int | None = None, marker: str | None = None
    ) -> NovaListKeypairsResponse:
        """One page of key pairs; ``marker`` is the name of the last key pair of the previous page."""
        return await self._call(NOVA_LIST_KEYPAIRS, query={"limit": limit, "marker": marker})

    iter_nova_list_keypairs = paginate(
        nova_list_keypairs, items=lambda page: page.keypairs, dialect=Marker(item_key="keypair.name")
    )

    async def nova_create_keypair(
        self, *, name: str, public_key: str | None = None, key_type: KeypairType | None = None,
        user_id: str | None = None,
    ) -> NovaCreateKeypairResponse:
        """Import ``public_key``, or let ECS generate a pair (then ``keypair.private_key`` holds it, once)."""
        keypair = NewKeypair(name=name, public_key=public_key, type=key_type, user_id=user_id)
        return await self._call(NOVA_CREATE_KEYPAIR, body=NovaCreateKeypairBody(keypair=keypair))

    # --- waiters ------------------------------------------------------------------------------------

    async def wait_for_job(self, job_id: str, *, timeout: float = 600.0, interval: float = 5.0) -> Job:
        """Poll ShowJob until SUCCESS and return the job (``job.server_ids`` lists its servers).

        Raises :class:`~hwcloud_client.errors.JobFailedError` with ECS's reason and error code when
        the job ends in FAIL, and :class:`~hwcloud_client.errors.WaiterTimeoutError` after ``timeout``.
        """

        def failed(job: Job) -> JobFailedError | None:
            if job.status != "FAIL":
                return None
            sub_failure = next(
                (sub for sub in (job.entities.sub_jobs if job.entities else []) if sub.status == "FAIL"), None
            )
            # ECS often puts the reason only on the failed sub-job.
            return JobFailedError(
                job_id,
                status=job.status,
                fail_reason=job.fail_reason or (sub_failure.fail_reason if sub_failure else None),
                error_code=job.error_code or (sub_failure.error_code if sub_failure else None),
                job=job,
            )

        return await wait_until(
            lambda: self.show_job(job_id=job_id),
            success=lambda job: job.status == "SUCCESS",
            failure=failed,
            timeout=timeout,
            interval=interval,
            description=f"ECS job {job_id}",
        )

    async def wait_for_server(
        self,
        server_id: str,
        *,
        status: ServerStatus = "ACTIVE",
        failures: Sequence[str] = ("ERROR",),
        timeout: float = 600.0,
        interval: float = 5.0,
    ) -> ServerDetail | None:
        """Poll ShowServer until the server has ``status``; return it.

        With ``status="DELETED"``, a 404 means done and ``None`` is returned. A status in ``failures``
        raises :class:`~hwcloud_client.errors.JobFailedError`; ``timeout`` raises ``WaiterTimeoutError``.
        """
        waiting_for_deletion = status == "DELETED"

        async def poll() -> ServerDetail | None:
            try:
                return (await self.show_server(server_id=server_id)).server
            except NotFoundError:
                if waiting_for_deletion:
                    return None
                raise

        def failed(server: ServerDetail | None) -> JobFailedError | None:
            if server is None or server.status not in failures:
                return None
            reason = str(server.fault.get("message")) if server.fault and server.fault.get("message") else None
            return JobFailedError(server_id, status=str(server.status), fail_reason=reason, job=server)

        return await wait_until(
            poll,
            success=lambda server: server.status == status if server is not None else waiting_for_deletion,
            failure=failed,
            timeout=timeout,
            interval=interval,
            description=f"server {server_id} to be {status}",
        )


class SyncECS(SyncService[ECS]):
    """Blocking twin of :class:`ECS`: the same methods, returning results instead of coroutines."""

    list_servers_details = blocking(ECS.list_servers_details)
    iter_servers_details = blocking_pager(ECS.iter_servers_details)
    show_server = blocking(ECS.show_server)
    create_servers = blocking(ECS.create_servers)
    delete_servers = blocking(ECS.delete_servers)
    batch_start_servers = blocking(ECS.batch_start_servers)
    batch_stop_servers = blocking(ECS.batch_stop_servers)
    batch_reboot_servers = blocking(ECS.batch_reboot_servers)
    update_server = blocking(ECS.update_server)
    resize_server = blocking(ECS.resize_server)
    list_server_interfaces = blocking(ECS.list_server_interfaces)
    show_server_tags = blocking(ECS.show_server_tags)
    batch_create_server_tags = blocking(ECS.batch_create_server_tags)
    list_flavors = blocking(ECS.list_flavors)
    show_job = blocking(ECS.show_job)
    nova_list_keypairs = blocking(ECS.nova_list_keypairs)
    iter_nova_list_keypairs = blocking_pager(ECS.iter_nova_list_keypairs)
    nova_create_keypair = blocking(ECS.nova_create_keypair)
    wait_for_job = blocking(ECS.wait_for_job)
    wait_for_server = blocking(ECS.wait_for_server)
