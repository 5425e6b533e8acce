"""``cloud.ecs`` (= ``cloud.ecs_v2``): the generated ECS v2 client, plus the conveniences written by hand.

Every operation keeps the generated contract (path, query and header parameters as keyword arguments, the
JSON body as ``body=``), so code written against the official request shapes ports mechanically. A few
operations also take shorter arguments (``batch_stop_servers(server_ids=[...])``), and ``wait_for_server``
follows a server's status. The models are the generated ones, in :mod:`hwcloud_client.services.ecs_v2`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .._blocking import blocking
from .._waiter import wait_until
from ..errors import ConfigurationError, JobFailedError, NotFoundError
from ._generated import Op, body_or_shorthand
from .ecs_v2 import EcsV2, SyncEcsV2
from .ecs_v2._client import (
    _BATCH_REBOOT_SERVERS,
    _BATCH_START_SERVERS,
    _BATCH_STOP_SERVERS,
    _CREATE_SERVERS,
    _DELETE_SERVERS,
    _RESIZE_SERVER,
)

if TYPE_CHECKING:
    from .ecs_v2 import (
        BatchRebootServersRequestBody,
        BatchRebootServersResponse,
        BatchStartServersRequestBody,
        BatchStartServersResponse,
        BatchStopServersRequestBody,
        BatchStopServersResponse,
        CreateServersRequestBody,
        CreateServersResponse,
        DeleteServersRequestBody,
        DeleteServersResponse,
        PrePaidServer,
        ResizeServerRequestBody,
        ResizeServerResponse,
        ServerDetail,
    )

__all__ = ["ECS", "PowerAction", "SyncECS"]

JobResult = TypeVar("JobResult", "CreateServersResponse", "ResizeServerResponse")
R = TypeVar("R")

PowerAction = Literal["SOFT", "HARD"]
"""How a stop or reboot goes: ``SOFT`` asks the guest OS, ``HARD`` cuts the power."""


def _server_refs(server_ids: Sequence[str] | None) -> list[dict[str, str]] | None:
    if server_ids is None:
        return None
    if isinstance(server_ids, str):
        # A lone id would otherwise be split into one "server" per character.
        raise ConfigurationError("server_ids must be a sequence of ids, not a single string: server_ids=[id]")
    return [{"id": server_id} for server_id in server_ids]


def _no_job_on_dry_run(result: JobResult, body: object) -> JobResult:
    """A dry run that passes ECS's checks creates nothing: ECS answers 202 with no job (an empty body or ``{}``),
    given here as ``job_id == ""`` so that it is never mistaken for a result that lost its job."""
    flag = body.get("dry_run") if isinstance(body, Mapping) else getattr(body, "dry_run", None)
    if flag is True and result.job_id is None:
        result.job_id = ""
    return result


class ECS(EcsV2):
    """Elastic Cloud Server v2: every generated operation, some with shorter arguments, and a server waiter."""

    async def create_servers(
        self,
        *,
        body: CreateServersRequestBody | Mapping[str, Any] | None = None,
        x_client_token: str | None = None,
        server: PrePaidServer | Mapping[str, Any] | None = None,
        dry_run: bool | None = None,
    ) -> CreateServersResponse:
        """Create ``server.count`` servers; follow ``job_id`` with :meth:`wait_for_job`.

        ``server=`` (with ``dry_run=``) is short for ``body={"server": ..., "dry_run": ...}``. The
        ``X-Client-Token`` (a fresh UUID unless ``x_client_token`` is given) goes out on every attempt, so ECS
        creates the servers once even if a timed-out attempt had reached it and is retried. A dry run only has
        ECS check the request: an error if it fails, else a result with no job (``job_id == ""``). A yearly or
        monthly server is ordered: its result has ``order_id`` and no ``job_id``.
        """
        shortcut = None if server is None else {"server": server, "dry_run": dry_run}
        chosen = body_or_shorthand("create_servers", body, shortcut, "server=")
        created = await self._invoke(_CREATE_SERVERS, {"body": chosen, "x_client_token": x_client_token})
        return _no_job_on_dry_run(created, chosen)

    async def resize_server(
        self, *, server_id: str, body: ResizeServerRequestBody | Mapping[str, Any]
    ) -> ResizeServerResponse:
        """Change the flavor; a dry run (``"dry_run": true``) gives a result with no job (``job_id == ""``)."""
        resized = await self._invoke(_RESIZE_SERVER, {"server_id": server_id, "body": body})
        return _no_job_on_dry_run(resized, body)

    async def delete_servers(
        self,
        *,
        body: DeleteServersRequestBody | Mapping[str, Any] | None = None,
        server_ids: Sequence[str] | None = None,
        delete_publicip: bool | None = None,
        delete_volume: bool | None = None,
    ) -> DeleteServersResponse:
        """Delete servers; ``server_ids=[...]`` is short for ``body={"servers": [{"id": ...}, ...]}``."""
        return await self._on_servers(_DELETE_SERVERS, body, server_ids, lambda refs: {
            "servers": refs, "delete_publicip": delete_publicip, "delete_volume": delete_volume,
        })

    async def batch_start_servers(
        self, *, body: BatchStartServersRequestBody | Mapping[str, Any] | None = None,
        server_ids: Sequence[str] | None = None,
    ) -> BatchStartServersResponse:
        """Start servers; ``server_ids=[...]`` is short for ``body={"os-start": {"servers": [...]}}``."""
        return await self._on_servers(
            _BATCH_START_SERVERS, body, server_ids, lambda refs: {"os-start": {"servers": refs}}
        )

    async def batch_stop_servers(
        self, *, body: BatchStopServersRequestBody | Mapping[str, Any] | None = None,
        server_ids: Sequence[str] | None = None, stop_type: PowerAction = "SOFT",
    ) -> BatchStopServersResponse:
        """Stop servers; ``server_ids=[...]`` (with ``stop_type``) is short for ``body={"os-stop": ...}``."""
        return await self._on_servers(
            _BATCH_STOP_SERVERS, body, server_ids, lambda refs: {"os-stop": {"servers": refs, "type": stop_type}}
        )

    async def batch_reboot_servers(
        self, *, body: BatchRebootServersRequestBody | Mapping[str, Any] | None = None,
        server_ids: Sequence[str] | None = None, reboot_type: PowerAction = "SOFT",
    ) -> BatchRebootServersResponse:
        """Reboot servers; ``server_ids=[...]`` (with ``reboot_type``) is short for ``body={"reboot": ...}``."""
        return await self._on_servers(
            _BATCH_REBOOT_SERVERS, body, server_ids, lambda refs: {"reboot": {"servers": refs, "type": reboot_type}}
        )

    async def _on_servers(
        self, op: Op[R], body: object, server_ids: Sequence[str] | None,
        spell: Callable[[list[dict[str, str]]], dict[str, Any]],
    ) -> R:
        """``op`` with ``body=``, or with the body that ``spell`` makes of ``server_ids``."""
        refs = _server_refs(server_ids)
        shorthand = None if refs is None else spell(refs)
        return await self._invoke(op, {"body": body_or_shorthand(op.name, body, shorthand, "server_ids=")})

    async def wait_for_server(
        self,
        server_id: str,
        *,
        status: str = "ACTIVE",
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
            fault = server.fault if isinstance(server.fault, Mapping) else {}
            reason = str(fault["message"]) if fault.get("message") else None
            return JobFailedError(server_id, status=server.status, fail_reason=reason, job=server)

        return await wait_until(
            poll,
            success=lambda server: server.status == status if server is not None else waiting_for_deletion,
            failure=failed,
            timeout=timeout,
            interval=interval,
            description=f"server {server_id} to be {status}",
        )


class SyncECS(SyncEcsV2):
    """Blocking twin of :class:`ECS`: the same methods, returning results instead of coroutines."""

    create_servers = blocking(ECS.create_servers)
    resize_server = blocking(ECS.resize_server)
    delete_servers = blocking(ECS.delete_servers)
    batch_start_servers = blocking(ECS.batch_start_servers)
    batch_stop_servers = blocking(ECS.batch_stop_servers)
    batch_reboot_servers = blocking(ECS.batch_reboot_servers)
    wait_for_server = blocking(ECS.wait_for_server)
