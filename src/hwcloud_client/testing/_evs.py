"""Emulated EVS: volumes created through jobs, attached to ECS servers (through ECS's attach/detach APIs).

Jobs are ECS's: one table serves ``/v1/{project_id}/jobs/{job_id}`` on the ECS and the EVS hosts alike, and a
volume job settles against the same clock as server jobs. Documents are the spec's ``VolumeDetail`` (every field,
empty) with the emulator's state laid over it. Errors are in EVS's dialect, ``{"error": {"code", "message"}}``
(the EVS API reference's error response, e.g. "Deleting an EVS Disk", evs_04_2008).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ._base import EmulatedRequest, EmulatedResponse
from ._routes import JsonObject, Route, Router, ServiceError, iso_time, json_response, query_params, read_json
from ._spec import catalog

__all__ = ["VOLUME_IN_USE", "EvsEmulator", "JobTable", "Volume"]


class StartedJob(Protocol):
    """A job as its starter sees it: an id to answer with."""

    @property
    def job_id(self) -> str: ...


class JobTable(Protocol):
    """The jobs EVS shares with ECS (one table, served at ``/v1/{project_id}/jobs/{job_id}``); ECS's is the one."""

    def now(self) -> float: ...
    def settle(self) -> None: ...
    def start_resource_job(
        self, project_id: str, job_type: str, entities: JsonObject, effect: Callable[[bool], None]
    ) -> StartedJob: ...
    def show_job(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse: ...


VOLUME_TYPES = frozenset({"SATA", "SAS", "GPSSD", "SSD", "ESSD", "GPSSD2", "ESSD2"})
# Deleting a disk that is attached (or in any status but available and the error ones): 400 EVS.1046 "Failed to delete
# the disk because the disk status is incorrect." (EVS API reference, "Error Codes", evs_04_0038; the 400 and its
# {"error": {"code", "message"}} body are Deleting an EVS Disk's, evs_04_2008). EVS.2024 is "volume is error!", a 500.
VOLUME_IN_USE = "EVS.1046"
# "Only a volume in the available, error, error_restoring, or error_extending state can be deleted" (ECS API
# reference, "Deleting a Disk"), and never one still attached.
DELETABLE = frozenset({"available", "error", "error_restoring", "error_extending", "error_rollbacking"})


def evs_error(status: int, code: str, message: str) -> ServiceError:
    return ServiceError(status, {"error": {"code": code, "message": message}})


def _invalid(message: str) -> ServiceError:
    return evs_error(400, "EVS.1009", f"invalid volumeForCreate: {message}")


@dataclass
class Volume:
    id: str
    project_id: str
    name: str
    size: int
    volume_type: str
    availability_zone: str
    description: str
    created: float
    status: str = "creating"
    # server id -> (attachment id, device, attached at)
    attachments: dict[str, tuple[str, str, float]] = field(default_factory=dict)


class EvsEmulator:
    def __init__(self, *, project_ids: Collection[str], region: str, ecs: JobTable) -> None:
        self.project_ids = project_ids
        self.region = region
        self._ecs = ecs
        self.volumes: dict[str, Volume] = {}
        p = "/{project_id}"
        self.routes = (
            Route("POST", f"/v2.1{p}/cloudvolumes", self._create),
            Route("GET", f"/v2{p}/cloudvolumes/detail", self._list),
            Route("GET", f"/v2{p}/cloudvolumes/{{volume_id}}", self._show),
            Route("PUT", f"/v2{p}/cloudvolumes/{{volume_id}}", self._update),
            Route("DELETE", f"/v2{p}/cloudvolumes/{{volume_id}}", self._delete),
            Route("GET", f"/v1{p}/jobs/{{job_id}}", self._show_job),
        )
        self._router = Router(self.routes, reserved={"volume_id": {"detail"}})

    async def handle(self, request: EmulatedRequest) -> EmulatedResponse:
        self._ecs.settle()
        return self._router.dispatch(request)

    def internal_error(self, _: EmulatedRequest) -> EmulatedResponse:
        return json_response(500, {"error": {"code": "EVS.5000", "message": "Internal server error."}})

    # --- what ECS asks ----------------------------------------------------------------------------------

    def volume(self, project_id: str, volume_id: str) -> Volume:
        volume = self.volumes.get(volume_id)
        if volume is None or volume.project_id != project_id:
            raise evs_error(404, "EVS.5404", f"The volume {volume_id} could not be found.")
        return volume

    def attached_to(self, server_id: str) -> list[tuple[Volume, str, str]]:
        """(volume, attachment id, device) of each volume attached to the server."""
        return [
            (volume, volume.attachments[server_id][0], volume.attachments[server_id][1])
            for volume in self.volumes.values()
            if server_id in volume.attachments
        ]

    def attach(self, volume: Volume, server_id: str, device: str, now: float) -> None:
        volume.attachments[server_id] = (str(uuid.uuid4()), device, now)
        volume.status = "in-use"

    def detach(self, volume: Volume, server_id: str) -> None:
        volume.attachments.pop(server_id, None)
        if not volume.attachments and volume.status in ("in-use", "detaching"):
            volume.status = "available"

    def detach_all(self, server_id: str) -> None:
        for volume in self.volumes.values():
            if server_id in volume.attachments:
                self.detach(volume, server_id)

    # --- documents ----------------------------------------------------------------------------------------

    def document(self, volume: Volume) -> JsonObject:
        base = catalog().synthesise("evs_v2", "VolumeDetail", blank=True)
        document: JsonObject = base if isinstance(base, dict) else {}
        attachments = [
            {
                "attached_at": iso_time(attached)[:-1], "attachment_id": attachment_id, "device": device,
                "host_name": "", "id": volume.id, "server_id": server_id, "volume_id": volume.id,
            }
            for server_id, (attachment_id, device, attached) in volume.attachments.items()
        ]
        document.update({
            "id": volume.id, "name": volume.name, "status": volume.status, "size": volume.size,
            "volume_type": volume.volume_type, "availability_zone": volume.availability_zone,
            "description": volume.description, "attachments": attachments, "bootable": "false",
            "created_at": iso_time(volume.created)[:-1], "updated_at": iso_time(volume.created)[:-1],
            "os-vol-tenant-attr:tenant_id": volume.project_id, "shareable": "false", "multiattach": False,
            "encrypted": False, "service_type": "EVS", "metadata": {}, "links": [], "tags": {},
            "enterprise_project_id": "0", "replication_status": "disabled",
        })
        for optional in ("iops", "throughput"):
            document.pop(optional, None)
        return document

    # --- handlers -------------------------------------------------------------------------------------------

    def _project(self, project_id: str) -> str:
        if project_id not in self.project_ids:
            raise evs_error(400, "EVS.0001", "invalid tenant id!")
        return project_id

    def _create(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        option = read_json(request, _invalid).get("volume")
        if not isinstance(option, dict):
            raise evs_error(400, "EVS.1008", "null createVolumeReq!")
        zone, volume_type, size = option.get("availability_zone"), option.get("volume_type"), option.get("size")
        if not isinstance(zone, str) or not zone:
            raise _invalid("volume.availability_zone is required")
        if volume_type not in VOLUME_TYPES:
            raise _invalid(f"volume.volume_type must be one of {', '.join(sorted(VOLUME_TYPES))}")
        if not isinstance(size, int) or isinstance(size, bool) or not 10 <= size <= 32768:
            raise evs_error(400, "EVS.1010", "invalid volume size!")
        count = option.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 100:
            raise _invalid("volume.count must be from 1 to 100")
        name = str(option.get("name") or "volume-" + uuid.uuid4().hex[:4])
        volumes = [
            Volume(
                id=str(uuid.uuid4()), project_id=project_id,
                name=name if count == 1 else f"{name}-{index:04d}", size=size, volume_type=str(volume_type),
                availability_zone=zone, description=str(option.get("description") or ""),
                created=self._ecs.now(),
            )
            for index in range(1, count + 1)
        ]
        for volume in volumes:
            self.volumes[volume.id] = volume

        def settled(failed: bool) -> None:
            for volume in volumes:
                volume.status = "error" if failed else "available"

        entities: JsonObject = {"volume_id": volumes[0].id, "name": volumes[0].name, "size": size,
                                "volume_type": volume_type}
        job = self._ecs.start_resource_job(project_id, "createVolume", entities, settled)
        return json_response(200, {"job_id": job.job_id, "volume_ids": [volume.id for volume in volumes]})

    def _list(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        params = {key: values[0] for key, values in query_params(request).items()}
        volumes = [volume for volume in self.volumes.values() if volume.project_id == project_id]
        if "status" in params:
            volumes = [volume for volume in volumes if volume.status == params["status"]]
        if "name" in params:
            volumes = [volume for volume in volumes if params["name"] in volume.name]
        total = len(volumes)
        offset = int(params["offset"]) if params.get("offset", "").isdigit() else 0
        limit = int(params["limit"]) if params.get("limit", "").isdigit() else 1000
        page = volumes[offset : offset + limit]
        return json_response(200, {"count": total, "volumes": [self.document(volume) for volume in page]})

    def _show(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        return json_response(200, {"volume": self.document(self.volume(self._project(path[0]), path[1]))})

    def _update(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        volume = self.volume(self._project(path[0]), path[1])
        option = read_json(request, _invalid).get("volume")
        if not isinstance(option, dict) or not ({"name", "description"} & option.keys()):
            raise evs_error(400, "EVS.1007", "volume name and description can not both be empty!")
        volume.name = str(option.get("name", volume.name))
        volume.description = str(option.get("description", volume.description))
        return json_response(200, self.document(volume))

    def _delete(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        volume = self.volume(project_id, path[1])
        if volume.attachments or volume.status not in DELETABLE:
            raise evs_error(
                400, VOLUME_IN_USE,
                "volume status must be available, error,  error_extending, error_restoring, error_rollbacking when "
                f"delete volume! (the volume {volume.id} is {volume.status})",
            )
        volume.status = "deleting"

        def settled(failed: bool) -> None:
            if failed:
                volume.status = "error_deleting"
            else:
                self.volumes.pop(volume.id, None)

        job = self._ecs.start_resource_job(project_id, "deleteVolume", {"volume_id": volume.id}, settled)
        return json_response(200, {"job_id": job.job_id})

    def _show_job(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        return self._ecs.show_job(request, path)
