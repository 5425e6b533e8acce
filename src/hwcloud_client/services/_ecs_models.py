"""Request and response models of the ECS operations, with Huawei's field spellings as aliases.

Response models read Huawei's spelling (``alias``); request models are built with the Python names
and sent with Huawei's (``serialization_alias``), which also keeps their constructors type-checked. Those
with a ``serialization_alias`` are :class:`RequestModel`, which validates Huawei's spelling as the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr

from ._base import ApiModel, RequestModel, ResultModel, SentSecret, Timestamp

__all__ = [
    "CreateServersResponse",
    "DataVolume",
    "Flavor",
    "InterfaceAttachment",
    "Job",
    "JobEntities",
    "JobResponse",
    "JobStatus",
    "Keypair",
    "KeypairType",
    "ListFlavorsResponse",
    "ListServerInterfacesResponse",
    "ListServersDetailsResponse",
    "NovaCreateKeypairResponse",
    "NovaListKeypairsResponse",
    "PublicIp",
    "RootVolume",
    "ServerAddress",
    "ServerDetail",
    "ServerExtendParam",
    "ServerNic",
    "ServerResponse",
    "ServerSpec",
    "ServerStatus",
    "ServerTag",
    "ShowServerTagsResponse",
    "StopType",
    "SubJob",
]

ServerStatus = Literal[
    "BUILD", "REBOOT", "HARD_REBOOT", "REBUILD", "MIGRATING", "RESIZE", "ACTIVE", "SHUTOFF", "REVERT_RESIZE",
    "VERIFY_RESIZE", "ERROR", "DELETED", "SHELVED", "SHELVED_OFFLOADED", "UNKNOWN",
]
JobStatus = Literal["INIT", "RUNNING", "SUCCESS", "FAIL", "PENDING_PAYMENT"]
StopType = Literal["SOFT", "HARD"]
KeypairType = Literal["ssh", "x509"]


# --- servers ----------------------------------------------------------------------------------------


class ServerAddress(ApiModel):
    addr: str
    version: int | str | None = None
    primary: bool | None = None
    ip_type: Literal["fixed", "floating"] | str | None = Field(default=None, alias="OS-EXT-IPS:type")
    mac_addr: str | None = Field(default=None, alias="OS-EXT-IPS-MAC:mac_addr")
    port_id: str | None = Field(default=None, alias="OS-EXT-IPS:port_id")


class ServerFlavor(ApiModel):
    id: str
    name: str | None = None
    vcpus: str | None = None
    ram: str | None = None
    disk: str | None = None


class IdRef(ApiModel):
    id: str


class NamedRef(ApiModel):
    id: str | None = None
    name: str | None = None


class VolumeAttachment(ApiModel):
    id: str
    delete_on_termination: str | None = None
    boot_index: str | None = Field(default=None, alias="bootIndex")
    device: str | None = None


class ServerDetail(ApiModel):
    """A server as ListServersDetails and ShowServer describe it (ECS always sends its id, name and status)."""

    id: str
    name: str
    status: ServerStatus | str
    description: str | None = None
    created: Timestamp = None
    updated: Timestamp = None
    user_id: str | None = None
    tenant_id: str | None = None
    host_id: str | None = Field(default=None, alias="hostId")
    key_name: str | None = None
    flavor: ServerFlavor | None = None
    image: IdRef | None = None
    addresses: dict[str, list[ServerAddress]] = Field(default_factory=dict)
    security_groups: list[NamedRef] = Field(default_factory=list)
    metadata: dict[str, str] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    locked: bool | None = None
    progress: int | None = None
    enterprise_project_id: str | None = None
    availability_zone: str | None = Field(default=None, alias="OS-EXT-AZ:availability_zone")
    vm_state: str | None = Field(default=None, alias="OS-EXT-STS:vm_state")
    task_state: str | None = Field(default=None, alias="OS-EXT-STS:task_state")
    power_state: int | None = Field(default=None, alias="OS-EXT-STS:power_state")
    host: str | None = Field(default=None, alias="OS-EXT-SRV-ATTR:host")
    hostname: str | None = Field(default=None, alias="OS-EXT-SRV-ATTR:hostname")
    instance_name: str | None = Field(default=None, alias="OS-EXT-SRV-ATTR:instance_name")
    hypervisor_hostname: str | None = Field(default=None, alias="OS-EXT-SRV-ATTR:hypervisor_hostname")
    reservation_id: str | None = Field(default=None, alias="OS-EXT-SRV-ATTR:reservation_id")
    launch_index: int | None = Field(default=None, alias="OS-EXT-SRV-ATTR:launch_index")
    root_device_name: str | None = Field(default=None, alias="OS-EXT-SRV-ATTR:root_device_name")
    launched_at: Timestamp = Field(default=None, alias="OS-SRV-USG:launched_at")
    terminated_at: Timestamp = Field(default=None, alias="OS-SRV-USG:terminated_at")
    disk_config: str | None = Field(default=None, alias="OS-DCF:diskConfig")
    volumes_attached: list[VolumeAttachment] = Field(
        default_factory=list, alias="os-extended-volumes:volumes_attached"
    )
    fault: dict[str, Any] | None = None


class ListServersDetailsResponse(ResultModel):
    count: int | None = None
    servers: list[ServerDetail]


class ServerResponse(ResultModel):
    """ShowServer and UpdateServer: ``{"server": {...}}``."""

    server: ServerDetail


# --- create, actions, jobs --------------------------------------------------------------------------


class ServerNic(ApiModel):
    subnet_id: str
    ip_address: str | None = None
    ipv6_enable: bool | None = None


class RootVolume(ApiModel):
    volumetype: str
    size: int | None = None


class DataVolume(ApiModel):
    volumetype: str
    size: int
    shareable: bool | None = None
    multiattach: bool | None = None


class EipBandwidth(ApiModel):
    size: int | None = None
    sharetype: Literal["PER", "WHOLE"] | str
    chargemode: str | None = None
    id: str | None = None


class NewEip(ApiModel):
    iptype: str
    bandwidth: EipBandwidth


class PublicIp(ApiModel):
    """Either an existing EIP (``id``) or a new one (``eip``)."""

    id: str | None = None
    eip: NewEip | None = None
    delete_on_termination: bool | None = None


class ServerExtendParam(RequestModel):
    charging_mode: Literal["prePaid", "postPaid"] | str | None = Field(default=None, serialization_alias="chargingMode")
    region_id: str | None = Field(default=None, serialization_alias="regionID")
    period_type: Literal["month", "year"] | str | None = Field(default=None, serialization_alias="periodType")
    period_num: int | None = Field(default=None, serialization_alias="periodNum")
    # The API wants the strings "true"/"false" here, not JSON booleans.
    is_auto_renew: Literal["true", "false"] | None = Field(default=None, serialization_alias="isAutoRenew")
    is_auto_pay: Literal["true", "false"] | None = Field(default=None, serialization_alias="isAutoPay")
    enterprise_project_id: str | None = None
    support_auto_recovery: bool | None = None
    market_type: str | None = Field(default=None, serialization_alias="marketType")
    spot_price: str | None = Field(default=None, serialization_alias="spotPrice")


class ServerTag(ApiModel):
    key: str
    value: str | None = None


class ServerSpec(RequestModel):
    """What CreateServers builds (its ``server`` object). Fields not modelled here may be passed as extras."""

    image_ref: str = Field(serialization_alias="imageRef")
    flavor_ref: str = Field(serialization_alias="flavorRef")
    name: str
    vpcid: str
    nics: list[ServerNic]
    root_volume: RootVolume
    data_volumes: list[DataVolume] | None = None
    availability_zone: str | None = None
    count: int | None = None
    is_auto_rename: bool | None = Field(default=None, serialization_alias="isAutoRename")
    key_name: str | None = None
    admin_pass: SentSecret | None = Field(default=None, serialization_alias="adminPass")
    user_data: str | None = None
    publicip: PublicIp | None = None
    security_groups: list[IdRef] | None = None
    extendparam: ServerExtendParam | None = None
    metadata: dict[str, str] | None = None
    server_tags: list[ServerTag] | None = None
    description: str | None = None

    if TYPE_CHECKING:
        # For type checkers only (runtime: pydantic's own): the password may be a plain str.
        def __init__(
            self,
            *,
            image_ref: str,
            flavor_ref: str,
            name: str,
            vpcid: str,
            nics: list[ServerNic],
            root_volume: RootVolume,
            data_volumes: list[DataVolume] | None = None,
            availability_zone: str | None = None,
            count: int | None = None,
            is_auto_rename: bool | None = None,
            key_name: str | None = None,
            admin_pass: SecretStr | str | None = None,
            user_data: str | None = None,
            publicip: PublicIp | None = None,
            security_groups: list[IdRef] | None = None,
            extendparam: ServerExtendParam | None = None,
            metadata: dict[str, str] | None = None,
            server_tags: list[ServerTag] | None = None,
            description: str | None = None,
        ) -> None: ...


class CreateServersBody(ApiModel):
    server: ServerSpec
    dry_run: bool | None = None


class CreateServersResponse(ResultModel):
    """What CreateServers answers: the job to follow with ``wait_for_job``, and the new servers' ids."""

    job_id: str
    order_id: str | None = None
    server_ids: list[str] = Field(default_factory=list, alias="serverIds")


class JobResponse(ResultModel):
    """What an asynchronous ECS operation answers: the job to follow with ``wait_for_job``."""

    job_id: str
    order_id: str | None = None


class ServerBatch(ApiModel):
    servers: list[IdRef]
    type: StopType | None = None


class BatchStartBody(RequestModel):
    os_start: ServerBatch = Field(serialization_alias="os-start")


class BatchStopBody(RequestModel):
    os_stop: ServerBatch = Field(serialization_alias="os-stop")


class BatchRebootBody(ApiModel):
    reboot: ServerBatch


class DeleteServersBody(ApiModel):
    servers: list[IdRef]
    delete_publicip: bool | None = None
    delete_volume: bool | None = None


class ServerUpdate(ApiModel):
    name: str | None = None
    description: str | None = None
    hostname: str | None = None
    user_data: str | None = None


class UpdateServerBody(ApiModel):
    server: ServerUpdate


class ResizeExtendParam(RequestModel):
    is_auto_pay: Literal["true", "false"] | None = Field(default=None, serialization_alias="isAutoPay")


class ResizeOption(RequestModel):
    flavor_ref: str = Field(serialization_alias="flavorRef")
    mode: str | None = None
    dedicated_host_id: str | None = None
    extendparam: ResizeExtendParam | None = None


class ResizeServerBody(ApiModel):
    resize: ResizeOption
    dry_run: bool | None = None


class _JobFields(ApiModel):
    """What a job and each of its sub-jobs report."""

    job_type: str | None = None
    status: JobStatus | str
    begin_time: Timestamp = None
    end_time: Timestamp = None
    error_code: str | None = None
    fail_reason: str | None = None


class SubJobEntities(ApiModel):
    server_id: str | None = None
    nic_id: str | None = None
    errorcode_message: str | None = None


class SubJob(_JobFields):
    job_id: str | None = None
    entities: SubJobEntities | None = None


class JobEntities(ApiModel):
    server_id: str | None = None
    nic_id: str | None = None
    sub_jobs_total: int | None = None
    sub_jobs: list[SubJob] = Field(default_factory=list)


class Job(_JobFields, ResultModel):
    """ShowJob: the job, its sub-jobs (one per server) and, on failure, why."""

    job_id: str
    entities: JobEntities | None = None
    code: str | None = None
    message: str | None = None

    @property
    def server_ids(self) -> list[str]:
        """The servers the job's sub-jobs worked on (the new servers of a CreateServers job)."""
        if self.entities is None:
            return []
        found = [sub.entities.server_id for sub in self.entities.sub_jobs if sub.entities and sub.entities.server_id]
        if not found and self.entities.server_id:
            found.append(self.entities.server_id)
        return found


# --- flavors, interfaces, tags, keypairs ------------------------------------------------------------


class Flavor(ApiModel):
    id: str
    name: str
    vcpus: str | None = None
    ram: int | None = None
    disk: str | None = None
    swap: str | None = None
    ephemeral: int | None = Field(default=None, alias="OS-FLV-EXT-DATA:ephemeral")
    disabled: bool | None = Field(default=None, alias="OS-FLV-DISABLED:disabled")
    is_public: bool | None = Field(default=None, alias="os-flavor-access:is_public")
    rxtx_factor: float | None = None
    os_extra_specs: dict[str, str] = Field(default_factory=dict)
    attachable_quantity: dict[str, int] | None = Field(default=None, alias="attachableQuantity")


class ListFlavorsResponse(ResultModel):
    flavors: list[Flavor]


class FixedIp(ApiModel):
    ip_address: str | None = None
    subnet_id: str | None = None


class InterfaceAttachment(ApiModel):
    port_id: str
    net_id: str | None = None
    mac_addr: str | None = None
    port_state: str | None = None
    fixed_ips: list[FixedIp] = Field(default_factory=list)
    delete_on_termination: bool | None = None
    driver_mode: str | None = None
    pci_address: str | None = None


class ListServerInterfacesResponse(ResultModel):
    interface_attachments: list[InterfaceAttachment] = Field(alias="interfaceAttachments")
    attachable_quantity: dict[str, int] | None = Field(default=None, alias="attachableQuantity")


class ShowServerTagsResponse(ResultModel):
    tags: list[ServerTag]


class BatchCreateServerTagsBody(ApiModel):
    action: Literal["create"] = "create"
    tags: list[ServerTag]


class Keypair(ApiModel):
    name: str
    fingerprint: str | None = None
    public_key: str | None = None
    type: KeypairType | str | None = None
    user_id: str | None = None
    # Returned once, when the server generated the pair; it is the SSH private key.
    private_key: SecretStr | None = None


class KeypairEntry(ApiModel):
    keypair: Keypair


class NovaListKeypairsResponse(ResultModel):
    keypairs: list[KeypairEntry]


class NovaCreateKeypairResponse(ResultModel):
    keypair: Keypair


class NewKeypair(ApiModel):
    name: str
    public_key: str | None = None
    type: KeypairType | None = None
    user_id: str | None = None


class NovaCreateKeypairBody(ApiModel):
    keypair: NewKeypair
