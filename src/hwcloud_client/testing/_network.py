"""Emulated VPC (v2 and v3: VPCs, subnets, security groups and their rules, ports) and EIP (v2 and v3), on the VPC host.

State is shared with ECS: a server booted into a subnet gets a port here, with an address from the subnet's CIDR;
an EIP bound to that port shows on the server. Documents are the operation's response model from the spec files
(every field present, empty) with the emulator's state laid over it, so their field names and types are those of
the official SDK's models. What this module does not implement is answered by the spec-driven tier.

Errors are in the VPC dialect Huawei documents for its VPC API (``{"code": "VPC.0002", "message": ...}``, the
"Error Codes" page of the VPC API reference, vpc_api_0003), and in v3's ``error_code``/``error_msg`` for v3 APIs.
"""

from __future__ import annotations

import ipaddress
import secrets
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._base import EmulatedRequest, EmulatedResponse
from ._routes import JsonObject, Route, Router, ServiceError, iso_time, json_response, query_params, read_json
from ._spec import catalog

__all__ = ["NetworkEmulator", "Port"]

# Documented codes (VPC API reference, "Error Codes", support.huaweicloud.com/intl/en-us/api-vpc/vpc_api_0003.html;
# the same table is the EIP reference's eip_api05_0002): VPC.0101 "Param is invalid." (400, creating a VPC), VPC.0003
# "VPC does not exist." (404). Deleting what is still in use, row by row: a VPC that contains subnets is 409 VPC.0104
# "Router contains subnets, please delete subnet first." (VPC.0108 is a VPC that contains EIPs); a subnet that an ECS
# or load balancer uses is VPC.0209 "Subnet is still used, such as computer, LB." with HTTP status 500, as the table
# has it; an EIP bound to a port is 409 VPC.0517 "Floatingip has associated with port, please disassociate it
# firstly." (deleting an EIP); binding an EIP bound elsewhere is 409 VPC.0510, binding a port that has one 409 VPC.0511.
VPC_HAS_SUBNETS = "VPC.0104"
SUBNET_HAS_PORTS = "VPC.0209"
SUBNET_IN_USE_STATUS = 500
EIP_BOUND = "VPC.0517"
PUBLIC_RANGE = ipaddress.ip_network("203.0.113.0/24")  # TEST-NET-3: never a real address


def vpc_error(status: int, code: str, message: str) -> ServiceError:
    return ServiceError(status, {"code": code, "message": message})


def _v3_error(status: int, code: str, message: str) -> ServiceError:
    return ServiceError(status, {"request_id": uuid.uuid4().hex, "error_code": code, "error_msg": message})


def _invalid(message: str) -> ServiceError:
    return vpc_error(400, "VPC.0101", f"Param is invalid: {message}")


def _overlay(key: str, model: str, values: JsonObject) -> JsonObject:
    base = catalog().synthesise(key, model, blank=True)
    document: JsonObject = base if isinstance(base, dict) else {}
    document.update(values)
    return document


@dataclass
class Vpc:
    id: str
    project_id: str
    name: str
    cidr: str
    description: str
    created: float


@dataclass
class Subnet:
    id: str
    project_id: str
    vpc_id: str
    name: str
    cidr: str
    gateway_ip: str
    availability_zone: str
    created: float
    neutron_subnet_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.cidr)


@dataclass
class Rule:
    id: str
    project_id: str
    security_group_id: str
    direction: str
    ethertype: str
    protocol: str | None
    port_range_min: int | None
    port_range_max: int | None
    remote_ip_prefix: str | None
    remote_group_id: str | None
    description: str
    created: float


@dataclass
class SecurityGroup:
    id: str
    project_id: str
    name: str
    description: str
    vpc_id: str
    created: float


@dataclass
class Port:
    id: str
    project_id: str
    network_id: str  # the subnet's id (Huawei's subnet id is its Neutron network id)
    ip_address: str
    mac_address: str
    device_id: str
    device_owner: str
    security_groups: list[str] = field(default_factory=list)


@dataclass
class Publicip:
    id: str
    project_id: str
    address: str
    ip_type: str
    bandwidth_name: str
    bandwidth_size: int
    share_type: str
    created: float
    bandwidth_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    port_id: str | None = None


class NetworkEmulator:
    """VPCs, subnets, security groups, ports and EIPs of every project of the emulated account."""

    def __init__(self, *, project_ids: Collection[str], region: str, clock: Callable[[], float]) -> None:
        self.project_ids = project_ids
        self.region = region
        self._clock = clock
        self.vpcs: dict[str, Vpc] = {}
        self.subnets: dict[str, Subnet] = {}
        self.security_groups: dict[str, SecurityGroup] = {}
        self.rules: dict[str, Rule] = {}
        self.ports: dict[str, Port] = {}
        self.publicips: dict[str, Publicip] = {}
        p = "/{project_id}"
        self.routes = (
            Route("POST", f"/v1{p}/vpcs", self._create_vpc),
            Route("GET", f"/v1{p}/vpcs", self._list_vpcs),
            Route("GET", f"/v1{p}/vpcs/{{vpc_id}}", self._show_vpc),
            Route("PUT", f"/v1{p}/vpcs/{{vpc_id}}", self._update_vpc),
            Route("DELETE", f"/v1{p}/vpcs/{{vpc_id}}", self._delete_vpc),
            Route("POST", f"/v1{p}/subnets", self._create_subnet),
            Route("GET", f"/v1{p}/subnets", self._list_subnets),
            Route("GET", f"/v1{p}/subnets/{{subnet_id}}", self._show_subnet),
            Route("DELETE", f"/v1{p}/vpcs/{{vpc_id}}/subnets/{{subnet_id}}", self._delete_subnet),
            Route("POST", f"/v1{p}/security-groups", self._create_security_group),
            Route("GET", f"/v1{p}/security-groups", self._list_security_groups),
            Route("GET", f"/v1{p}/security-groups/{{security_group_id}}", self._show_security_group),
            Route("DELETE", f"/v1{p}/security-groups/{{security_group_id}}", self._delete_security_group),
            Route("POST", f"/v1{p}/security-group-rules", self._create_rule),
            Route("GET", f"/v1{p}/security-group-rules", self._list_rules),
            Route("GET", f"/v1{p}/security-group-rules/{{security_group_rule_id}}", self._show_rule),
            Route("DELETE", f"/v1{p}/security-group-rules/{{security_group_rule_id}}", self._delete_rule),
            Route("PUT", f"/v1{p}/vpcs/{{vpc_id}}/subnets/{{subnet_id}}", self._update_subnet),
            Route("POST", f"/v1{p}/ports", self._create_port),
            Route("GET", f"/v1{p}/ports", self._list_ports),
            Route("GET", f"/v1{p}/ports/{{port_id}}", self._show_port),
            Route("DELETE", f"/v1{p}/ports/{{port_id}}", self._delete_port),
            # VPC v3
            Route("POST", f"/v3{p}/vpc/vpcs", self._create_vpc_v3),
            Route("GET", f"/v3{p}/vpc/vpcs", self._list_vpcs_v3),
            Route("GET", f"/v3{p}/vpc/vpcs/{{vpc_id}}", self._show_vpc_v3),
            Route("PUT", f"/v3{p}/vpc/vpcs/{{vpc_id}}", self._update_vpc_v3),
            Route("DELETE", f"/v3{p}/vpc/vpcs/{{vpc_id}}", self._delete_vpc_v3),
            Route("POST", f"/v3{p}/vpc/security-groups", self._create_security_group_v3),
            Route("GET", f"/v3{p}/vpc/security-groups", self._list_security_groups_v3),
            Route("GET", f"/v3{p}/vpc/security-groups/{{security_group_id}}", self._show_security_group_v3),
            Route("DELETE", f"/v3{p}/vpc/security-groups/{{security_group_id}}", self._delete_security_group_v3),
            Route("POST", f"/v3{p}/vpc/security-group-rules", self._create_rule_v3),
            Route("GET", f"/v3{p}/vpc/security-group-rules", self._list_rules_v3),
            Route("GET", f"/v3{p}/vpc/security-group-rules/{{security_group_rule_id}}", self._show_rule_v3),
            Route("DELETE", f"/v3{p}/vpc/security-group-rules/{{security_group_rule_id}}", self._delete_rule),
            # EIP v2
            Route("POST", f"/v1{p}/publicips", self._create_publicip),
            Route("GET", f"/v1{p}/publicips", self._list_publicips),
            Route("GET", f"/v1{p}/publicips/{{publicip_id}}", self._show_publicip),
            Route("PUT", f"/v1{p}/publicips/{{publicip_id}}", self._update_publicip),
            Route("DELETE", f"/v1{p}/publicips/{{publicip_id}}", self._delete_publicip),
            # EIP v3
            Route("GET", f"/v3{p}/eip/publicips", self._list_publicips_v3),
            Route("GET", f"/v3{p}/eip/publicips/{{publicip_id}}", self._show_publicip_v3),
            Route("POST", f"/v3{p}/eip/publicips/{{publicip_id}}/associate-instance", self._associate_v3),
            Route("POST", f"/v3{p}/eip/publicips/{{publicip_id}}/disassociate-instance", self._disassociate_v3),
        )
        self._router = Router(self.routes, reserved={"vpc_id": {"vpcs"}})

    async def handle(self, request: EmulatedRequest) -> EmulatedResponse:
        return self._router.dispatch(request)

    def internal_error(self, _: EmulatedRequest) -> EmulatedResponse:
        return json_response(500, {"code": "VPC.0500", "message": "Internal server error."})

    # --- what ECS asks -------------------------------------------------------------------------------

    def plug(self, project_id: str, vpc_id: str, subnet_id: str, device_id: str) -> Port:
        """A port for a new server: an address from the subnet's CIDR when the subnet is known here.

        A subnet the emulator does not know (tests that boot servers without creating a VPC) still gets a port,
        with an address from 192.168.0.0/16, so that EIPs can be bound to it.
        """
        subnet = self.subnets.get(subnet_id)
        if subnet is not None:
            if subnet.vpc_id != vpc_id or subnet.project_id != project_id:
                raise ServiceError(
                    400, {"error": {"code": "Ecs.0005", "message": f"Invalid parameter: subnet {subnet_id} "
                                    f"is not a subnet of VPC {vpc_id}"}}
                )
            address = self._free_address(subnet.network(), subnet_id, {subnet.gateway_ip})
        else:
            address = self._free_address(ipaddress.IPv4Network("192.168.0.0/16"), subnet_id, {"192.168.0.1"})
        port = Port(
            id=str(uuid.uuid4()),
            project_id=project_id,
            network_id=subnet_id,
            ip_address=address,
            mac_address="fa:16:3e:" + ":".join(secrets.token_hex(1) for _ in range(3)),
            device_id=device_id,
            device_owner=f"compute:{self.region}a",
        )
        self.ports[port.id] = port
        return port

    def unplug(self, port_id: str) -> None:
        """The server is gone: its port goes, and an EIP bound to it is unbound (as Huawei does)."""
        self.ports.pop(port_id, None)
        for publicip in self.publicips.values():
            if publicip.port_id == port_id:
                publicip.port_id = None

    def floating_ips(self, port_id: str) -> list[str]:
        return [publicip.address for publicip in self.publicips.values() if publicip.port_id == port_id]

    def _free_address(self, network: ipaddress.IPv4Network, subnet_id: str, reserved: set[str]) -> str:
        used = {port.ip_address for port in self.ports.values() if port.network_id == subnet_id} | reserved
        hosts = network.hosts()
        next(hosts, None)  # the first host address is the gateway's
        for candidate in hosts:
            if str(candidate) not in used:
                return str(candidate)
        raise vpc_error(409, "VPC.0203", f"No free IP address in subnet {subnet_id}.")

    # --- helpers ---------------------------------------------------------------------------------------

    def _project(self, project_id: str) -> str:
        if project_id not in self.project_ids:
            raise vpc_error(400, "VPC.0007", "urlTenantId is not equal tokenTenantId")
        return project_id

    def _vpc(self, project_id: str, vpc_id: str) -> Vpc:
        vpc = self.vpcs.get(vpc_id)
        if vpc is None or vpc.project_id != project_id:
            raise vpc_error(404, "VPC.0003", "VPC does not exist.")
        return vpc

    def _subnet(self, project_id: str, subnet_id: str) -> Subnet:
        subnet = self.subnets.get(subnet_id)
        if subnet is None or subnet.project_id != project_id:
            raise vpc_error(404, "VPC.0202", "Subnet does not exist.")
        return subnet

    def _group(self, project_id: str, group_id: str) -> SecurityGroup:
        group = self.security_groups.get(group_id)
        if group is None or group.project_id != project_id:
            raise vpc_error(404, "VPC.0602", "Security group does not exist.")
        return group

    def _publicip(self, project_id: str, publicip_id: str) -> Publicip:
        publicip = self.publicips.get(publicip_id)
        if publicip is None or publicip.project_id != project_id:
            raise vpc_error(404, "VPC.0504", "Floating IP could not be found.")
        return publicip

    def _port(self, project_id: str, port_id: str) -> Port:
        port = self.ports.get(port_id)
        if port is None or port.project_id != project_id:
            raise vpc_error(404, "VPC.0704", "Port does not exist.")
        return port

    # --- documents -------------------------------------------------------------------------------------

    def _vpc_doc(self, vpc: Vpc) -> JsonObject:
        return _overlay("vpc_v2", "Vpc", {
            "id": vpc.id, "name": vpc.name, "cidr": vpc.cidr, "description": vpc.description, "status": "OK",
            "enterprise_project_id": "0", "tenant_id": vpc.project_id, "created_at": _time(vpc.created),
            "updated_at": _time(vpc.created),
        })

    def _vpc_doc_v3(self, vpc: Vpc) -> JsonObject:
        return _overlay("vpc_v3", "Vpc", {
            "id": vpc.id, "name": vpc.name, "cidr": vpc.cidr, "description": vpc.description, "status": "ACTIVE",
            "enterprise_project_id": "0", "project_id": vpc.project_id, "created_at": _time(vpc.created),
            "updated_at": _time(vpc.created),
        })

    def _subnet_doc(self, subnet: Subnet) -> JsonObject:
        used = sum(1 for port in self.ports.values() if port.network_id == subnet.id)
        return _overlay("vpc_v2", "Subnet", {
            "id": subnet.id, "name": subnet.name, "cidr": subnet.cidr, "gateway_ip": subnet.gateway_ip,
            "vpc_id": subnet.vpc_id, "status": "ACTIVE", "dhcp_enable": True, "availability_zone":
            subnet.availability_zone, "neutron_network_id": subnet.id, "neutron_subnet_id": subnet.neutron_subnet_id,
            "primary_dns": "100.125.1.250", "secondary_dns": "100.125.21.250", "tenant_id": subnet.project_id,
            "scope": "center", "created_at": _time(subnet.created), "updated_at": _time(subnet.created),
            "available_ip_address_count": max(0, subnet.network().num_addresses - 3 - used),
        })

    def _rule_doc(self, rule: Rule) -> JsonObject:
        return _overlay("vpc_v2", "SecurityGroupRule", {
            "id": rule.id, "description": rule.description, "security_group_id": rule.security_group_id,
            "direction": rule.direction, "ethertype": rule.ethertype, "protocol": rule.protocol,
            "port_range_min": rule.port_range_min, "port_range_max": rule.port_range_max,
            "remote_ip_prefix": rule.remote_ip_prefix, "remote_group_id": rule.remote_group_id,
            "tenant_id": rule.project_id,
        })

    def _rule_doc_v3(self, rule: Rule) -> JsonObject:
        ports = None
        if rule.port_range_min is not None:
            ports = str(rule.port_range_min) if rule.port_range_min == rule.port_range_max else (
                f"{rule.port_range_min}-{rule.port_range_max}"
            )
        return _overlay("vpc_v3", "SecurityGroupRule", {
            "id": rule.id, "description": rule.description, "security_group_id": rule.security_group_id,
            "direction": rule.direction, "ethertype": rule.ethertype, "protocol": rule.protocol or "",
            "multiport": ports or "", "action": "allow", "priority": 1, "remote_ip_prefix": rule.remote_ip_prefix or "",
            "remote_group_id": rule.remote_group_id or "", "project_id": rule.project_id, "enabled": True,
            "created_at": _time(rule.created), "updated_at": _time(rule.created),
        })

    def _group_rules(self, group: SecurityGroup) -> list[Rule]:
        return [rule for rule in self.rules.values() if rule.security_group_id == group.id]

    def _group_doc(self, group: SecurityGroup) -> JsonObject:
        return _overlay("vpc_v2", "SecurityGroup", {
            "id": group.id, "name": group.name, "description": group.description, "vpc_id": group.vpc_id,
            "enterprise_project_id": "0", "security_group_rules": [self._rule_doc(r) for r in self._group_rules(group)],
        })

    def _group_doc_v3(self, group: SecurityGroup, *, rules: bool = True) -> JsonObject:
        document = _overlay("vpc_v3", "SecurityGroupInfo" if rules else "SecurityGroup", {
            "id": group.id, "name": group.name, "description": group.description, "project_id": group.project_id,
            "enterprise_project_id": "0", "created_at": _time(group.created), "updated_at": _time(group.created),
        })
        if rules:
            document["security_group_rules"] = [self._rule_doc_v3(rule) for rule in self._group_rules(group)]
        return document

    def _port_doc(self, port: Port) -> JsonObject:
        return _overlay("vpc_v2", "Port", {
            "id": port.id, "name": "", "network_id": port.network_id, "admin_state_up": True,
            "mac_address": port.mac_address, "fixed_ips": [{"subnet_id": port.network_id, "ip_address":
            port.ip_address}], "device_id": port.device_id, "device_owner": port.device_owner,
            "tenant_id": port.project_id, "status": "ACTIVE", "security_groups": list(port.security_groups),
            "binding:vnic_type": "normal", "instance_id": port.device_id, "instance_type": "ecs",
            "port_security_enabled": True, "zone_id": f"{self.region}a",
        })

    def _publicip_doc(self, publicip: Publicip, model: str = "PublicipShowResp") -> JsonObject:
        port = self.ports.get(publicip.port_id or "")
        return _overlay("eip_v2", model, {
            "id": publicip.id, "type": publicip.ip_type, "public_ip_address": publicip.address,
            "private_ip_address": port.ip_address if port else None, "port_id": publicip.port_id,
            "tenant_id": publicip.project_id, "create_time": _time(publicip.created, eip=True),
            "bandwidth_id": publicip.bandwidth_id, "bandwidth_name": publicip.bandwidth_name,
            "bandwidth_size": publicip.bandwidth_size, "bandwidth_share_type": publicip.share_type,
            "status": "ACTIVE" if port else "DOWN", "ip_version": 4, "enterprise_project_id": "0",
        })

    def _publicip_doc_v3(self, publicip: Publicip, model: str = "PublicipSingleShowResp") -> JsonObject:
        port = self.ports.get(publicip.port_id or "")
        fields = catalog().fields("eip_v3", model)
        values: JsonObject = {
            "id": publicip.id, "project_id": publicip.project_id, "ip_version": 4, "public_ip_address":
            publicip.address, "status": "ACTIVE" if port else "DOWN", "type": "EIP", "enterprise_project_id": "0",
            "associate_instance_type": "PORT" if port else "", "associate_instance_id": port.id if port else "",
            "created_at": _time(publicip.created), "updated_at": _time(publicip.created),
        }
        if "vnic" in fields:
            vnic = catalog().synthesise("eip_v3", fields["vnic"], blank=True)
            if isinstance(vnic, dict) and port is not None:
                vnic.update({"private_ip_address": port.ip_address, "port_id": port.id, "instance_id":
                             port.device_id, "instance_type": "ECS", "mac": port.mac_address, "vpc_id": ""})
                subnet = self.subnets.get(port.network_id)
                if subnet is not None:
                    vnic["vpc_id"] = subnet.vpc_id
            values["vnic"] = vnic if port is not None else None
        if "bandwidth" in fields:
            bandwidth = catalog().synthesise("eip_v3", fields["bandwidth"], blank=True)
            if isinstance(bandwidth, dict):
                bandwidth.update({"id": publicip.bandwidth_id, "name": publicip.bandwidth_name,
                                  "size": publicip.bandwidth_size, "share_type": publicip.share_type})
            values["bandwidth"] = bandwidth
        return _overlay("eip_v3", model, {key: value for key, value in values.items() if key in fields})

    # --- VPCs -------------------------------------------------------------------------------------------

    def _new_vpc(self, project_id: str, option: object) -> Vpc:
        if not isinstance(option, dict):
            raise _invalid("vpc is required and must be an object")
        cidr = option.get("cidr", "192.168.0.0/16")
        try:
            network = ipaddress.IPv4Network(cidr)
        except (ValueError, TypeError):
            raise _invalid(f"vpc.cidr {cidr!r} is not an IPv4 CIDR") from None
        allowed = [ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
        if not any(network.subnet_of(block) for block in allowed) or network.prefixlen > 28:
            raise _invalid("vpc.cidr must be inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, /8 to /28")
        name = option.get("name", "vpc-" + secrets.token_hex(2))
        if not isinstance(name, str) or not 1 <= len(name) <= 64:
            raise _invalid("vpc.name must be 1 to 64 characters")
        description = option.get("description") or ""
        vpc = Vpc(str(uuid.uuid4()), project_id, name, str(network), str(description), self._clock())
        self.vpcs[vpc.id] = vpc
        return vpc

    def _create_vpc(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        vpc = self._new_vpc(project_id, read_json(request, _invalid).get("vpc"))
        return json_response(200, {"vpc": self._vpc_doc(vpc)})

    def _owned_vpcs(self, project_id: str) -> list[Vpc]:
        return [vpc for vpc in self.vpcs.values() if vpc.project_id == project_id]

    def _list_vpcs(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        vpcs = _page(self._owned_vpcs(self._project(path[0])), request)
        return json_response(200, {"vpcs": [self._vpc_doc(vpc) for vpc in vpcs]})

    def _show_vpc(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        return json_response(200, {"vpc": self._vpc_doc(self._vpc(self._project(path[0]), path[1]))})

    def _changed_vpc(self, request: EmulatedRequest, path: Sequence[str]) -> Vpc:
        vpc = self._vpc(self._project(path[0]), path[1])
        option = read_json(request, _invalid).get("vpc")
        if not isinstance(option, dict):
            raise _invalid("vpc is required and must be an object")
        vpc.name = str(option.get("name", vpc.name))
        vpc.description = str(option.get("description", vpc.description))
        return vpc

    def _update_vpc(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        return json_response(200, {"vpc": self._vpc_doc(self._changed_vpc(request, path))})

    def _update_vpc_v3(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        vpc = self._changed_vpc(request, path)
        return json_response(200, {"request_id": uuid.uuid4().hex, "vpc": self._vpc_doc_v3(vpc)})

    def _refuse_vpc_delete(self, vpc: Vpc) -> None:
        if any(subnet.vpc_id == vpc.id for subnet in self.subnets.values()):
            raise vpc_error(409, VPC_HAS_SUBNETS, "Router contains subnets, please delete subnet first.")

    def _delete_vpc(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        vpc = self._vpc(self._project(path[0]), path[1])
        self._refuse_vpc_delete(vpc)
        del self.vpcs[vpc.id]
        return EmulatedResponse(status=204)

    def _create_vpc_v3(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        vpc = self._new_vpc(project_id, read_json(request, _invalid).get("vpc"))
        return json_response(201, {"request_id": uuid.uuid4().hex, "vpc": self._vpc_doc_v3(vpc)})

    def _list_vpcs_v3(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        vpcs = _page(self._owned_vpcs(self._project(path[0])), request)
        return json_response(200, {
            "request_id": uuid.uuid4().hex, "vpcs": [self._vpc_doc_v3(vpc) for vpc in vpcs],
            "page_info": {"current_count": len(vpcs), "previous_marker": vpcs[0].id if vpcs else ""},
        })

    def _show_vpc_v3(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        vpc = self._vpc(self._project(path[0]), path[1])
        return json_response(200, {"request_id": uuid.uuid4().hex, "vpc": self._vpc_doc_v3(vpc)})

    def _delete_vpc_v3(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        vpc = self._vpc(self._project(path[0]), path[1])
        try:
            self._refuse_vpc_delete(vpc)
        except ServiceError as refused:
            raise _v3_error(refused.status, str(refused.body["code"]), str(refused.body["message"])) from None
        del self.vpcs[vpc.id]
        return EmulatedResponse(status=204)

    # --- subnets ------------------------------------------------------------------------------------------

    def _create_subnet(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        option = read_json(request, _invalid).get("subnet")
        if not isinstance(option, dict):
            raise _invalid("subnet is required and must be an object")
        for name in ("name", "cidr", "gateway_ip", "vpc_id"):
            if not isinstance(option.get(name), str) or not option[name]:
                raise _invalid(f"subnet.{name} is required")
        vpc = self._vpc(project_id, option["vpc_id"])
        try:
            network = ipaddress.IPv4Network(option["cidr"])
            gateway = ipaddress.IPv4Address(option["gateway_ip"])
        except ValueError:
            raise _invalid("subnet.cidr and subnet.gateway_ip must be an IPv4 CIDR and address") from None
        if not network.subnet_of(ipaddress.IPv4Network(vpc.cidr)):
            raise vpc_error(400, "VPC.0204", f"Subnet cidr {network} is not in the VPC's cidr {vpc.cidr}.")
        if gateway not in network or gateway in (network.network_address, network.broadcast_address):
            raise vpc_error(400, "VPC.0205", f"Gateway ip {gateway} is not a host address of {network}.")
        for other in self.subnets.values():
            if other.vpc_id == vpc.id and other.network().overlaps(network):
                raise vpc_error(400, "VPC.0206", f"Subnet cidr {network} overlaps subnet {other.id}.")
        subnet = Subnet(
            id=str(uuid.uuid4()), project_id=project_id, vpc_id=vpc.id, name=option["name"], cidr=str(network),
            gateway_ip=str(gateway), availability_zone=str(option.get("availability_zone") or f"{self.region}a"),
            created=self._clock(),
        )
        self.subnets[subnet.id] = subnet
        return json_response(200, {"subnet": self._subnet_doc(subnet)})

    def _list_subnets(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        vpc_id = _first(request, "vpc_id")
        subnets = [s for s in self.subnets.values() if s.project_id == project_id and vpc_id in (None, s.vpc_id)]
        return json_response(200, {"subnets": [self._subnet_doc(subnet) for subnet in _page(subnets, request)]})

    def _show_subnet(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        return json_response(200, {"subnet": self._subnet_doc(self._subnet(self._project(path[0]), path[1]))})

    def _update_subnet(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        self._vpc(project_id, path[1])
        subnet = self._subnet(project_id, path[2])
        option = read_json(request, _invalid).get("subnet")
        if not isinstance(option, dict) or subnet.vpc_id != path[1]:
            raise _invalid("subnet is required and must be an object")
        subnet.name = str(option.get("name", subnet.name))
        return json_response(200, {"subnet": {"id": subnet.id, "status": "ACTIVE"}})

    def _delete_subnet(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        self._vpc(project_id, path[1])
        subnet = self._subnet(project_id, path[2])
        if subnet.vpc_id != path[1]:
            raise vpc_error(404, "VPC.0202", "Subnet does not exist.")
        if any(port.network_id == subnet.id for port in self.ports.values()):
            raise vpc_error(SUBNET_IN_USE_STATUS, SUBNET_HAS_PORTS, "Subnet is still used, such as computer, LB.")
        del self.subnets[subnet.id]
        return EmulatedResponse(status=204)

    # --- security groups and rules ---------------------------------------------------------------------------

    def _new_group(self, project_id: str, option: object) -> SecurityGroup:
        if not isinstance(option, dict) or not isinstance(option.get("name"), str) or not option["name"]:
            raise _invalid("security_group.name is required")
        vpc_id = option.get("vpc_id") or ""
        if vpc_id:
            self._vpc(project_id, str(vpc_id))
        group = SecurityGroup(
            str(uuid.uuid4()), project_id, option["name"], str(option.get("description") or ""), str(vpc_id),
            self._clock(),
        )
        self.security_groups[group.id] = group
        for ethertype in ("IPv4", "IPv6"):  # the default rules: everything out
            rule = Rule(str(uuid.uuid4()), project_id, group.id, "egress", ethertype, None, None, None, None, None, "",
                        self._clock())
            self.rules[rule.id] = rule
        return group

    def _new_rule(self, project_id: str, option: object) -> Rule:
        if not isinstance(option, dict):
            raise _invalid("security_group_rule is required and must be an object")
        group = self._group(project_id, str(option.get("security_group_id", "")))
        direction = option.get("direction")
        if direction not in ("ingress", "egress"):
            raise _invalid("security_group_rule.direction must be ingress or egress")
        low, high = option.get("port_range_min"), option.get("port_range_max")
        multiport = option.get("multiport")
        if isinstance(multiport, str) and multiport:
            first, _, last = multiport.partition("-")
            try:
                low, high = int(first), int(last or first)
            except ValueError:
                raise _invalid("security_group_rule.multiport must be a port or a range") from None
        for value in (low, high):
            if value is not None and (not isinstance(value, int) or not 1 <= value <= 65535):
                raise _invalid("security_group_rule ports must be 1 to 65535")
        rule = Rule(
            str(uuid.uuid4()), project_id, group.id, direction, str(option.get("ethertype") or "IPv4"),
            option.get("protocol"), low, high, option.get("remote_ip_prefix"), option.get("remote_group_id"),
            str(option.get("description") or ""), self._clock(),
        )
        self.rules[rule.id] = rule
        return rule

    def _create_security_group(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        group = self._new_group(self._project(path[0]), read_json(request, _invalid).get("security_group"))
        return json_response(200, {"security_group": self._group_doc(group)})

    def _owned_groups(self, project_id: str, request: EmulatedRequest) -> list[SecurityGroup]:
        vpc_id = _first(request, "vpc_id")
        return [
            group for group in self.security_groups.values()
            if group.project_id == project_id and vpc_id in (None, group.vpc_id)
        ]

    def _list_security_groups(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        groups = _page(self._owned_groups(self._project(path[0]), request), request)
        return json_response(200, {"security_groups": [self._group_doc(group) for group in groups]})

    def _show_security_group(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        group = self._group(self._project(path[0]), path[1])
        return json_response(200, {"security_group": self._group_doc(group)})

    def _remove_group(self, group: SecurityGroup) -> None:
        for rule in self._group_rules(group):
            del self.rules[rule.id]
        del self.security_groups[group.id]

    def _delete_security_group(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        self._remove_group(self._group(self._project(path[0]), path[1]))
        return EmulatedResponse(status=204)

    def _create_rule(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        rule = self._new_rule(self._project(path[0]), read_json(request, _invalid).get("security_group_rule"))
        return json_response(200, {"security_group_rule": self._rule_doc(rule)})

    def _owned_rules(self, project_id: str, request: EmulatedRequest) -> list[Rule]:
        group_id = _first(request, "security_group_id")
        return [
            rule for rule in self.rules.values()
            if rule.project_id == project_id and group_id in (None, rule.security_group_id)
        ]

    def _list_rules(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        rules = _page(self._owned_rules(self._project(path[0]), request), request)
        return json_response(200, {"security_group_rules": [self._rule_doc(rule) for rule in rules]})

    def _rule(self, project_id: str, rule_id: str) -> Rule:
        rule = self.rules.get(rule_id)
        if rule is None or rule.project_id != project_id:
            raise vpc_error(404, "VPC.0604", "Security group rule does not exist.")
        return rule

    def _show_rule(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        return json_response(200, {"security_group_rule": self._rule_doc(self._rule(self._project(path[0]), path[1]))})

    def _delete_rule(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        del self.rules[self._rule(self._project(path[0]), path[1]).id]
        return EmulatedResponse(status=204)

    def _create_security_group_v3(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        group = self._new_group(self._project(path[0]), read_json(request, _invalid).get("security_group"))
        return json_response(201, {"request_id": uuid.uuid4().hex, "security_group": self._group_doc_v3(group)})

    def _list_security_groups_v3(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        groups = _page(self._owned_groups(self._project(path[0]), request), request)
        return json_response(200, {
            "request_id": uuid.uuid4().hex,
            "security_groups": [self._group_doc_v3(group, rules=False) for group in groups],
            "page_info": {"current_count": len(groups), "previous_marker": groups[0].id if groups else ""},
        })

    def _show_security_group_v3(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        group = self._group(self._project(path[0]), path[1])
        return json_response(200, {"request_id": uuid.uuid4().hex, "security_group": self._group_doc_v3(group)})

    def _delete_security_group_v3(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        self._remove_group(self._group(self._project(path[0]), path[1]))
        return EmulatedResponse(status=204)

    def _create_rule_v3(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        rule = self._new_rule(self._project(path[0]), read_json(request, _invalid).get("security_group_rule"))
        return json_response(201, {"request_id": uuid.uuid4().hex, "security_group_rule": self._rule_doc_v3(rule)})

    def _show_rule_v3(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        rule = self._rule(self._project(path[0]), path[1])
        return json_response(200, {"request_id": uuid.uuid4().hex, "security_group_rule": self._rule_doc_v3(rule)})

    def _list_rules_v3(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        rules = _page(self._owned_rules(self._project(path[0]), request), request)
        return json_response(200, {
            "request_id": uuid.uuid4().hex, "security_group_rules": [self._rule_doc_v3(rule) for rule in rules],
            "page_info": {"current_count": len(rules), "previous_marker": rules[0].id if rules else ""},
        })

    # --- ports ---------------------------------------------------------------------------------------------

    def _list_ports(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        params = query_params(request)
        ports = [port for port in self.ports.values() if port.project_id == project_id]
        for name in ("device_id", "network_id", "mac_address"):
            if params.get(name):
                ports = [port for port in ports if getattr(port, name) in params[name]]
        if params.get("id"):
            ports = [port for port in ports if port.id in params["id"]]
        return json_response(200, {"ports": [self._port_doc(port) for port in _page(ports, request)]})

    def _show_port(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        return json_response(200, {"port": self._port_doc(self._port(self._project(path[0]), path[1]))})

    def _create_port(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        """A port of its own in a subnet (a virtual IP, a spare NIC): it holds an address until deleted."""
        project_id = self._project(path[0])
        option = read_json(request, _invalid).get("port")
        if not isinstance(option, dict) or not isinstance(option.get("network_id"), str):
            raise _invalid("port.network_id is required")
        subnet = self._subnet(project_id, option["network_id"])
        port = self.plug(project_id, subnet.vpc_id, subnet.id, "")
        port.device_owner = ""
        groups = option.get("security_groups")
        port.security_groups = [str(group) for group in groups] if isinstance(groups, list) else []
        return json_response(200, {"port": self._port_doc(port)})

    def _delete_port(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        port = self._port(self._project(path[0]), path[1])
        if port.device_owner.startswith("compute:"):
            raise vpc_error(409, "VPC.0705", f"The port {port.id} is a server's NIC; delete or detach it via ECS.")
        self.unplug(port.id)
        return EmulatedResponse(status=204)

    # --- EIPs ----------------------------------------------------------------------------------------------

    def _allocate_address(self) -> str:
        used = {publicip.address for publicip in self.publicips.values()}
        for candidate in list(PUBLIC_RANGE.hosts())[9:]:
            if str(candidate) not in used:
                return str(candidate)
        raise vpc_error(409, "VPC.0501", "Quota exceeded for resources: ['floatingip'].")

    def _create_publicip(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        document = read_json(request, _invalid)
        option, bandwidth = document.get("publicip"), document.get("bandwidth")
        if not isinstance(option, dict) or not isinstance(option.get("type"), str):
            raise _invalid("publicip.type is required")
        if not isinstance(bandwidth, dict):
            raise _invalid("bandwidth is required and must be an object")
        share_type = bandwidth.get("share_type")
        if share_type not in ("PER", "WHOLE"):
            raise _invalid("bandwidth.share_type must be PER or WHOLE")
        size = bandwidth.get("size", 1 if share_type == "WHOLE" else None)
        if share_type == "PER" and (not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 2000):
            raise _invalid("bandwidth.size must be an integer from 1 to 2000")
        publicip = Publicip(
            id=str(uuid.uuid4()), project_id=project_id, address=self._allocate_address(), ip_type=option["type"],
            bandwidth_name=str(bandwidth.get("name") or "bandwidth-" + secrets.token_hex(2)),
            bandwidth_size=int(size or 1), share_type=str(share_type), created=self._clock(),
        )
        self.publicips[publicip.id] = publicip
        return json_response(200, {"publicip": self._publicip_doc(publicip, "PublicipCreateResp")})

    def _list_publicips(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        params = query_params(request)
        found = [publicip for publicip in self.publicips.values() if publicip.project_id == project_id]
        if params.get("port_id"):
            found = [publicip for publicip in found if publicip.port_id in params["port_id"]]
        if params.get("id"):
            found = [publicip for publicip in found if publicip.id in params["id"]]
        return json_response(200, {"publicips": [self._publicip_doc(publicip) for publicip in _page(found, request)]})

    def _show_publicip(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        publicip = self._publicip(self._project(path[0]), path[1])
        return json_response(200, {"publicip": self._publicip_doc(publicip)})

    def _bind(self, publicip: Publicip, port_id: object) -> None:
        if port_id in (None, ""):
            publicip.port_id = None
            return
        port = self._port(publicip.project_id, str(port_id))
        if publicip.port_id not in (None, port.id):
            raise vpc_error(409, "VPC.0510", "Floatingip has already associated with port.")
        if any(other.port_id == port.id and other.id != publicip.id for other in self.publicips.values()):
            raise vpc_error(409, "VPC.0511", "Port has already associated with floatingip.")
        publicip.port_id = port.id

    def _update_publicip(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        publicip = self._publicip(self._project(path[0]), path[1])
        option = read_json(request, _invalid).get("publicip")
        if not isinstance(option, dict):
            raise _invalid("publicip is required and must be an object")
        if "port_id" in option:
            self._bind(publicip, option["port_id"])
        return json_response(200, {"publicip": self._publicip_doc(publicip, "PublicipUpdateResp")})

    def _delete_publicip(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        publicip = self._publicip(self._project(path[0]), path[1])
        if publicip.port_id is not None:  # "a bound EIP may not be deleted directly" (DeletePublicip)
            raise vpc_error(409, EIP_BOUND, "Floatingip has associated with port, please disassociate it firstly.")
        del self.publicips[publicip.id]
        return EmulatedResponse(status=204)

    def _list_publicips_v3(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project_id = self._project(path[0])
        found = [publicip for publicip in self.publicips.values() if publicip.project_id == project_id]
        page = _page(found, request)
        return json_response(200, {
            "request_id": uuid.uuid4().hex, "publicips": [self._publicip_doc_v3(publicip) for publicip in page],
            "page_info": {"current_count": len(page), "previous_marker": page[0].id if page else ""},
            "total_count": len(found),
        })

    def _show_publicip_v3(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        publicip = self._publicip(self._project(path[0]), path[1])
        return json_response(200, {"request_id": uuid.uuid4().hex, "publicip": self._publicip_doc_v3(publicip)})

    def _associate_v3(self, request: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        publicip = self._publicip(self._project(path[0]), path[1])
        option = read_json(request, _invalid).get("publicip")
        if not isinstance(option, dict) or option.get("associate_instance_type") != "PORT":
            raise _v3_error(400, "EIP.0001", "publicip.associate_instance_type must be PORT in the emulator")
        self._bind(publicip, option.get("associate_instance_id"))
        answer = self._publicip_doc_v3(publicip, "PublicipInstanceResp")
        return json_response(200, {"request_id": uuid.uuid4().hex, "publicip": answer})

    def _disassociate_v3(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        publicip = self._publicip(self._project(path[0]), path[1])
        publicip.port_id = None
        answer = self._publicip_doc_v3(publicip, "PublicipInstanceResp")
        return json_response(200, {"request_id": uuid.uuid4().hex, "publicip": answer})


def _time(epoch: float, *, eip: bool = False) -> str:
    stamp = iso_time(epoch)[:19]
    return stamp.replace("T", " ") if eip else stamp + "Z"


def _first(request: EmulatedRequest, name: str) -> str | None:
    values = query_params(request).get(name)
    return values[0] if values else None


def _page(items: list[Any], request: EmulatedRequest) -> list[Any]:
    """``marker`` (the last id of the previous page) and ``limit``, as the VPC APIs page."""
    params = query_params(request)
    marker = (params.get("marker") or [""])[0]
    if marker:
        ids = [item.id for item in items]
        items = items[ids.index(marker) + 1 :] if marker in ids else []
    limit = (params.get("limit") or [""])[0]
    if limit.isdigit() and int(limit) > 0:
        items = items[: int(limit)]
    return items
