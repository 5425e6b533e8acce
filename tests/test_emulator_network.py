"""The emulator's stateful VPC, EIP, EVS and IMS, consistent with ECS: the VPC → subnet → server → volume → EIP story.

Told twice: through our generated clients in-process, and through the official, unmodified clients
(huaweicloudsdkvpc / evs / eip / ecs, test-only oracles) against the served emulator on one base URL. Both read
back the same consistent state: the server's address is from its subnet's CIDR and keyed by its VPC, the attached
volume shows on the server and the server on the volume, the bound EIP shows on the server as a floating address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, RetryPolicy
from hwcloud_client._http import httpx
from hwcloud_client.errors import APIError
from hwcloud_client.testing import FakeHuaweiCloud

pytestmark = pytest.mark.anyio

SERVER = {
    "name": "web",
    "flavorRef": "s6.medium.2",
    "imageRef": "67f433d8-ed0e-4321-a8a2-a71838539e09",
    "root_volume": {"volumetype": "SSD", "size": 40},
}


@pytest.fixture
async def cloud() -> AsyncIterator[tuple[FakeHuaweiCloud, AsyncHuaweiCloud]]:
    fake = FakeHuaweiCloud()
    client = AsyncHuaweiCloud(
        region=fake.region,
        credentials=fake.credentials,
        project=fake.project_id,
        config=ClientConfig(region=fake.region, retry=RetryPolicy(max_attempts=1)),
        http_client=httpx.AsyncClient(transport=fake.transport()),
        environ={},
    )
    async with client:
        yield fake, client


async def network(client: AsyncHuaweiCloud) -> tuple[str, str]:
    vpc = (await client.vpc_v2.create_vpc(body={"vpc": {"name": "prod", "cidr": "10.10.0.0/16"}})).vpc
    assert vpc is not None and vpc.id
    subnet = (
        await client.vpc_v2.create_subnet(
            body={"subnet": {"name": "app", "cidr": "10.10.1.0/24", "gateway_ip": "10.10.1.1", "vpc_id": vpc.id}}
        )
    ).subnet
    assert subnet is not None and subnet.id
    return vpc.id, subnet.id


async def boot(client: AsyncHuaweiCloud, vpc_id: str, subnet_id: str) -> str:
    created = await client.ecs_v2.create_post_paid_servers(
        body={"server": {**SERVER, "vpcid": vpc_id, "nics": [{"subnet_id": subnet_id}]}}
    )
    assert created.server_ids
    job = await client.ecs_v2.show_job(job_id=str(created.job_id))
    assert job.status == "SUCCESS"
    return created.server_ids[0]


async def test_the_story_through_our_generated_clients(cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud]) -> None:
    fake, client = cloud
    vpc_id, subnet_id = await network(client)
    group = (await client.vpc_v3.create_security_group(body={"security_group": {"name": "web"}})).security_group
    assert group is not None and group.id
    await client.vpc_v2.create_security_group_rule(
        body={"security_group_rule": {"security_group_id": group.id, "direction": "ingress", "protocol": "tcp",
                                      "port_range_min": 443, "port_range_max": 443, "ethertype": "IPv4"}}
    )
    server_id = await boot(client, vpc_id, subnet_id)

    volume = await client.evs_v2.create_volume(
        body={"volume": {"availability_zone": "cn-north-4a", "volume_type": "SSD", "size": 20, "name": "data"}}
    )
    volume_job = await client.evs_v2.show_job(job_id=str(volume.job_id))  # on the EVS host, ECS's job table
    assert volume_job.status == "SUCCESS" and volume.volume_ids
    volume_id = volume.volume_ids[0]
    attach = await client.ecs_v2.attach_server_volume(server_id=server_id, body={"volumeAttachment": {"volumeId":
                                                                                                       volume_id}})
    assert (await client.ecs_v2.show_job(job_id=str(attach.job_id))).status == "SUCCESS"

    eip = (
        await client.eip_v2.create_publicip(
            body={"publicip": {"type": "5_bgp"}, "bandwidth": {"name": "bw", "size": 5, "share_type": "PER"}}
        )
    ).publicip
    assert eip is not None and eip.id and eip.public_ip_address
    ports = (await client.vpc_v2.list_ports(device_id=server_id)).ports
    assert ports is not None and len(ports) == 1
    port = ports[0]
    bound = (await client.eip_v2.update_publicip(publicip_id=eip.id, body={"publicip": {"port_id": port.id}})).publicip

    server = (await client.ecs_v2.show_server(server_id=server_id)).server
    shown_volume = (await client.evs_v2.show_volume(volume_id=volume_id)).volume
    shown_eip = (await client.eip_v3.show_publicip(publicip_id=eip.id)).publicip
    subnet = (await client.vpc_v2.show_subnet(subnet_id=subnet_id)).subnet
    groups = (await client.vpc_v2.list_security_groups()).security_groups
    images = (await client.ims_v2.list_images(platform="Ubuntu")).images
    attachments = (await client.ecs_v2.list_server_volume_attachments(server_id=server_id)).volume_attachments

    assert server is not None and shown_volume is not None and shown_eip is not None and subnet is not None
    wire = server.model_dump(by_alias=True)
    addresses = wire["addresses"][vpc_id]
    fixed = next(address for address in addresses if address["OS-EXT-IPS:type"] == "fixed")
    floating = next(address for address in addresses if address["OS-EXT-IPS:type"] == "floating")
    assert ipaddress.ip_address(fixed["addr"]) in ipaddress.ip_network("10.10.1.0/24")
    assert port.fixed_ips and port.fixed_ips[0].ip_address == fixed["addr"] and port.network_id == subnet_id
    assert floating["addr"] == eip.public_ip_address
    assert bound is not None and bound.port_id == port.id and bound.private_ip_address == fixed["addr"]
    assert volume_id in {volume["id"] for volume in wire["os-extended-volumes:volumes_attached"]}
    assert shown_volume.status == "in-use" and shown_volume.attachments
    assert shown_volume.attachments[0].server_id == server_id
    assert attachments and volume_id in {attachment.volume_id for attachment in attachments}
    assert shown_eip.associate_instance_id == port.id and shown_eip.status == "ACTIVE"
    assert shown_eip.vnic is not None and shown_eip.vnic.vpc_id == vpc_id
    assert subnet.available_ip_address_count == 256 - 3 - 1
    assert groups and group.id in {found.id for found in groups}
    assert images and all(image.platform == "Ubuntu" for image in images)
    assert fake.internal_errors == []


async def test_deleting_a_server_releases_its_port_volume_and_eip(cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud]) -> (
    None
):
    _, client = cloud
    vpc_id, subnet_id = await network(client)
    server_id = await boot(client, vpc_id, subnet_id)
    volume_id = (
        await client.evs_v2.create_volume(body={"volume": {"availability_zone": "cn-north-4a", "volume_type": "SAS",
                                                           "size": 10}})
    ).volume_ids[0]  # type: ignore[index]
    await client.ecs_v2.attach_server_volume(server_id=server_id, body={"volumeAttachment": {"volumeId": volume_id}})
    eip = (
        await client.eip_v2.create_publicip(
            body={"publicip": {"type": "5_bgp"}, "bandwidth": {"name": "bw", "size": 1, "share_type": "PER"}}
        )
    ).publicip
    port_id = (await client.vpc_v2.list_ports(device_id=server_id)).ports[0].id  # type: ignore[index]
    await client.eip_v2.update_publicip(publicip_id=eip.id, body={"publicip": {"port_id": port_id}})  # type: ignore[union-attr]

    deleted = await client.ecs_v2.delete_servers(body={"servers": [{"id": server_id}]})
    await client.ecs_v2.show_job(job_id=str(deleted.job_id))
    await client.vpc_v2.delete_subnet(vpc_id=vpc_id, subnet_id=subnet_id)
    await client.vpc_v2.delete_vpc(vpc_id=vpc_id)

    volume = (await client.evs_v2.show_volume(volume_id=volume_id)).volume
    released = (await client.eip_v2.show_publicip(publicip_id=eip.id)).publicip  # type: ignore[union-attr]
    assert volume is not None and volume.status == "available" and not volume.attachments
    assert released is not None and released.status == "DOWN" and not released.port_id
    assert (await client.vpc_v2.list_vpcs()).vpcs == []


async def test_refusals_of_deleting_what_is_in_use(cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud]) -> None:
    """Deleting a VPC that has subnets, a subnet that has ports, an attached volume or a bound EIP is refused.

    Each row confirmed in Huawei's error code tables. VPC answers in its documented error body
    ``{"code": "VPC.xxxx", "message": ...}`` with the codes of its "Error Codes" table
    (https://support.huaweicloud.com/intl/en-us/api-vpc/vpc_api_0003.html, also the EIP reference's eip_api05_0002):
    409 VPC.0104 "Router contains subnets, please delete subnet first." for a VPC with subnets (VPC.0108, which the
    emulator answered before, is the row of a VPC that contains EIPs); VPC.0209 "Subnet is still used, such as
    computer, LB." for a subnet that an ECS or load balancer uses, with the status the table gives it: 500; 409 VPC.0517
    "Floatingip has associated with port, please disassociate it firstly." for deleting a bound EIP (DeletePublicip:
    "a bound EIP may not be deleted directly"). EVS's "Error Codes" (evs_04_0038): 400 EVS.1046 "Failed to delete the
    disk because the disk status is incorrect." (EVS.2024, answered before, is "volume is error!", a 500 of disk
    creation); Deleting an EVS Disk (evs_04_2008) documents the 400 and its ``{"error": {"code", "message"}}`` body.
    """
    _, client = cloud
    vpc_id, subnet_id = await network(client)
    server_id = await boot(client, vpc_id, subnet_id)
    volume_id = (
        await client.evs_v2.create_volume(body={"volume": {"availability_zone": "cn-north-4a", "volume_type": "SSD",
                                                           "size": 10}})
    ).volume_ids[0]  # type: ignore[index]
    await client.ecs_v2.attach_server_volume(server_id=server_id, body={"volumeAttachment": {"volumeId": volume_id}})

    with pytest.raises(APIError) as vpc_refused:
        await client.vpc_v2.delete_vpc(vpc_id=vpc_id)
    with pytest.raises(APIError) as vpc_v3_refused:
        await client.vpc_v3.delete_vpc(vpc_id=vpc_id)
    with pytest.raises(APIError) as subnet_refused:
        await client.vpc_v2.delete_subnet(vpc_id=vpc_id, subnet_id=subnet_id)
    with pytest.raises(APIError) as volume_refused:
        await client.evs_v2.delete_volume(volume_id=volume_id)

    assert (vpc_refused.value.status_code, vpc_refused.value.error_code) == (409, "VPC.0104")
    assert vpc_refused.value.error_msg == "Router contains subnets, please delete subnet first."
    assert (vpc_v3_refused.value.status_code, vpc_v3_refused.value.error_code) == (409, "VPC.0104")
    assert (subnet_refused.value.status_code, subnet_refused.value.error_code) == (500, "VPC.0209")
    assert (volume_refused.value.status_code, volume_refused.value.error_code) == (400, "EVS.1046")
    assert "in-use" in (volume_refused.value.error_msg or "")
    # Still there, all of it.
    assert (await client.vpc_v2.show_vpc(vpc_id=vpc_id)).vpc is not None
    assert (await client.evs_v2.show_volume(volume_id=volume_id)).volume.status == "in-use"  # type: ignore[union-attr]


async def test_a_subnet_must_lie_in_its_vpc_and_a_server_in_its_subnets_vpc(
    cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud],
) -> None:
    _, client = cloud
    vpc_id, subnet_id = await network(client)
    other = (await client.vpc_v2.create_vpc(body={"vpc": {"name": "other", "cidr": "172.16.0.0/16"}})).vpc
    with pytest.raises(APIError) as outside:
        await client.vpc_v2.create_subnet(
            body={"subnet": {"name": "x", "cidr": "10.20.0.0/24", "gateway_ip": "10.20.0.1", "vpc_id": vpc_id}}
        )
    with pytest.raises(APIError) as elsewhere:
        await client.ecs_v2.create_post_paid_servers(
            body={"server": {**SERVER, "vpcid": other.id, "nics": [{"subnet_id": subnet_id}]}}  # type: ignore[union-attr]
        )
    assert outside.value.status_code == 400 and "10.10.0.0/16" in (outside.value.error_msg or "")
    assert elsewhere.value.status_code == 400 and elsewhere.value.error_code == "Ecs.0005"


# --- the official clients against the served emulator ---------------------------------------------------


def official(client_class: Any, fake: FakeHuaweiCloud, base_url: str) -> Any:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig

    config = HttpConfig.get_default_config()
    config.retry_times = 0
    credentials = BasicCredentials(fake.ak, fake.sk, fake.project_id)
    return (
        client_class.new_builder().with_credentials(credentials).with_http_config(config)
        .with_endpoints([base_url]).build()
    )


def test_the_story_through_the_official_clients(served: tuple[FakeHuaweiCloud, str]) -> None:
    from huaweicloudsdkecs import v2 as ecs
    from huaweicloudsdkeip import v2 as eip
    from huaweicloudsdkeip import v3 as eip3
    from huaweicloudsdkevs import v2 as evs
    from huaweicloudsdkvpc import v2 as vpc

    fake, base_url = served
    vpcs, ecses = official(vpc.VpcClient, fake, base_url), official(ecs.EcsClient, fake, base_url)
    evses, eips = official(evs.EvsClient, fake, base_url), official(eip.EipClient, fake, base_url)
    eips3 = official(eip3.EipClient, fake, base_url)

    made_vpc = vpcs.create_vpc(
        vpc.CreateVpcRequest(body=vpc.CreateVpcRequestBody(vpc=vpc.CreateVpcOption(name="prod", cidr="10.10.0.0/16")))
    ).vpc
    subnet = vpcs.create_subnet(vpc.CreateSubnetRequest(body=vpc.CreateSubnetRequestBody(subnet=vpc.CreateSubnetOption(
        name="app", cidr="10.10.1.0/24", gateway_ip="10.10.1.1", vpc_id=made_vpc.id
    )))).subnet
    server = ecs.PostPaidServer(
        name="web", flavor_ref="s6.medium.2", image_ref="67f433d8-ed0e-4321-a8a2-a71838539e09", vpcid=made_vpc.id,
        nics=[ecs.PostPaidServerNic(subnet_id=subnet.id)],
        root_volume=ecs.PostPaidServerRootVolume(volumetype="SSD", size=40),
    )
    created = ecses.create_post_paid_servers(
        ecs.CreatePostPaidServersRequest(body=ecs.CreatePostPaidServersRequestBody(server=server))
    )
    server_id = created.server_ids[0]
    volume = evses.create_volume(evs.CreateVolumeRequest(body=evs.CreateVolumeRequestBody(
        volume=evs.CreateVolumeOption(availability_zone="cn-north-4a", volume_type="SSD", size=20, name="data")
    )))
    volume_job = evses.show_job(evs.ShowJobRequest(job_id=volume.job_id))
    attach = ecses.attach_server_volume(ecs.AttachServerVolumeRequest(
        server_id=server_id,
        body=ecs.AttachServerVolumeRequestBody(volume_attachment=ecs.AttachServerVolumeOption(
            volume_id=volume.volume_ids[0]
        )),
    ))
    attach_job = ecses.show_job(ecs.ShowJobRequest(job_id=attach.job_id))
    publicip = eips.create_publicip(eip.CreatePublicipRequest(body=eip.CreatePublicipRequestBody(
        publicip=eip.CreatePublicipOption(type="5_bgp"),
        bandwidth=eip.CreatePublicipBandwidthOption(name="bw", size=5, share_type="PER"),
    ))).publicip
    port = vpcs.list_ports(vpc.ListPortsRequest(device_id=server_id)).ports[0]
    eips3.associate_publicips(eip3.AssociatePublicipsRequest(
        publicip_id=publicip.id,
        body=eip3.AssociatePublicipsRequestBody(publicip=eip3.AssociatePublicipsOption(
            associate_instance_type="PORT", associate_instance_id=port.id
        )),
    ))

    shown = ecses.show_server(ecs.ShowServerRequest(server_id=server_id)).server
    shown_volume = evses.show_volume(evs.ShowVolumeRequest(volume_id=volume.volume_ids[0])).volume
    shown_eip = eips.show_publicip(eip.ShowPublicipRequest(publicip_id=publicip.id)).publicip
    subnets = vpcs.list_subnets(vpc.ListSubnetsRequest(vpc_id=made_vpc.id)).subnets

    addresses = shown.addresses[made_vpc.id]
    kinds = {address.os_ext_ip_stype: address.addr for address in addresses}
    assert ipaddress.ip_address(kinds["fixed"]) in ipaddress.ip_network(subnet.cidr)
    assert kinds["floating"] == publicip.public_ip_address
    assert volume_job.status == "SUCCESS" and attach_job.status == "SUCCESS"
    assert volume.volume_ids[0] in {attached.id for attached in shown.os_extended_volumesvolumes_attached}
    assert shown_volume.status == "in-use" and shown_volume.attachments[0].server_id == server_id
    assert shown_eip.port_id == port.id and shown_eip.private_ip_address == kinds["fixed"]
    assert [found.id for found in subnets] == [subnet.id]
    assert fake.internal_errors == []


def test_the_official_clients_see_the_refusals(served: tuple[FakeHuaweiCloud, str]) -> None:
    """The same refusals as in test_refusals_of_deleting_what_is_in_use, parsed by the official core."""
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
    from huaweicloudsdkecs import v2 as ecs
    from huaweicloudsdkevs import v2 as evs
    from huaweicloudsdkvpc import v2 as vpc

    fake, base_url = served
    vpcs, ecses = official(vpc.VpcClient, fake, base_url), official(ecs.EcsClient, fake, base_url)
    evses = official(evs.EvsClient, fake, base_url)
    made_vpc = vpcs.create_vpc(
        vpc.CreateVpcRequest(body=vpc.CreateVpcRequestBody(vpc=vpc.CreateVpcOption(name="p", cidr="10.0.0.0/16")))
    ).vpc
    subnet = vpcs.create_subnet(vpc.CreateSubnetRequest(body=vpc.CreateSubnetRequestBody(subnet=vpc.CreateSubnetOption(
        name="s", cidr="10.0.0.0/24", gateway_ip="10.0.0.1", vpc_id=made_vpc.id
    )))).subnet
    server = ecs.PostPaidServer(
        name="db", flavor_ref="s6.medium.2", image_ref="67f433d8-ed0e-4321-a8a2-a71838539e09", vpcid=made_vpc.id,
        nics=[ecs.PostPaidServerNic(subnet_id=subnet.id)],
        root_volume=ecs.PostPaidServerRootVolume(volumetype="SSD", size=40),
    )
    server_id = ecses.create_post_paid_servers(
        ecs.CreatePostPaidServersRequest(body=ecs.CreatePostPaidServersRequestBody(server=server))
    ).server_ids[0]
    volume_id = evses.create_volume(evs.CreateVolumeRequest(body=evs.CreateVolumeRequestBody(
        volume=evs.CreateVolumeOption(availability_zone="cn-north-4a", volume_type="SAS", size=10)
    ))).volume_ids[0]
    ecses.attach_server_volume(ecs.AttachServerVolumeRequest(
        server_id=server_id,
        body=ecs.AttachServerVolumeRequestBody(volume_attachment=ecs.AttachServerVolumeOption(volume_id=volume_id)),
    ))

    with pytest.raises(ClientRequestException) as vpc_refused:
        vpcs.delete_vpc(vpc.DeleteVpcRequest(vpc_id=made_vpc.id))
    with pytest.raises(ServerResponseException) as subnet_refused:
        vpcs.delete_subnet(vpc.DeleteSubnetRequest(vpc_id=made_vpc.id, subnet_id=subnet.id))
    with pytest.raises(ClientRequestException) as volume_refused:
        evses.delete_volume(evs.DeleteVolumeRequest(volume_id=volume_id))

    assert (vpc_refused.value.status_code, vpc_refused.value.error_code) == (409, "VPC.0104")
    # A 5xx: the official core raises its ServerResponseException, as it would for Huawei's own answer.
    assert (subnet_refused.value.status_code, subnet_refused.value.error_code) == (500, "VPC.0209")
    assert (volume_refused.value.status_code, volume_refused.value.error_code) == (400, "EVS.1046")
    assert vpc_refused.value.request_id and volume_refused.value.request_id
    assert fake.internal_errors == []


async def test_the_printed_environment_reaches_every_service_on_one_base_url(served: tuple[FakeHuaweiCloud, str]) -> (
    None
):
    fake, base_url = served
    environment = fake.environment(base_url)
    for service in ("VPC", "EIP", "EVS", "IMS", "DNS", "SWR", "FUNCTIONGRAPH", "AS"):
        assert environment[f"HUAWEICLOUD_SDK_REGION_{service}_CN_NORTH_4"] == base_url
    async with AsyncHuaweiCloud(environ=environment) as client:
        vpc = (await client.vpc_v3.create_vpc(body={"vpc": {"name": "v", "cidr": "192.168.0.0/16"}})).model_dump(
            by_alias=True
        )
        volumes = await client.evs_v2.list_volumes()
        zones = await client.dns_v2.list_public_zones(type="public")
        listed = await client.vpc_v2.list_vpcs()
    assert listed.vpcs and listed.vpcs[0].id == vpc["vpc"]["id"]
    assert volumes.count == 0 and zones.zones
    assert [call.service for call in fake.calls[-4:]] == ["vpc", "evs", "dns", "vpc"]


async def test_a_port_of_its_own_holds_its_subnet(cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud]) -> None:
    """A port created in a subnet takes an address from it and keeps the subnet from being deleted (VPC.0209)."""
    _, client = cloud
    vpc_id, subnet_id = await network(client)
    port = (await client.vpc_v2.create_port(body={"port": {"network_id": subnet_id}})).port
    assert port is not None and port.id and port.fixed_ips
    with pytest.raises(APIError) as refused:
        await client.vpc_v2.delete_subnet(vpc_id=vpc_id, subnet_id=subnet_id)
    await client.vpc_v2.delete_port(port_id=port.id)
    await client.vpc_v2.delete_subnet(vpc_id=vpc_id, subnet_id=subnet_id)

    assert ipaddress.ip_address(port.fixed_ips[0].ip_address or "") in ipaddress.ip_network("10.10.1.0/24")
    assert (refused.value.status_code, refused.value.error_code) == (500, "VPC.0209")
    assert (await client.vpc_v2.list_subnets(vpc_id=vpc_id)).subnets == []


async def test_a_bound_eip_is_refused_deletion_and_a_second_binding(
    cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud],
) -> None:
    """EIP rows of the error code table (eip_api05_0002, "Deleting an EIP" and "Updating an EIP"): 409 VPC.0517
    "Floatingip has associated with port, please disassociate it firstly.", 409 VPC.0510 "Floatingip has already
    associated with port." (an EIP bound elsewhere), 409 VPC.0511 "Port has already associated with floatingip."."""
    fake, client = cloud
    _, subnet_id = await network(client)
    first, second = [
        (await client.vpc_v2.create_port(body={"port": {"network_id": subnet_id}})).port for _ in range(2)
    ]
    assert first is not None and first.id and second is not None and second.id
    body = {"publicip": {"type": "5_bgp"}, "bandwidth": {"name": "b", "size": 5, "share_type": "PER"}}
    eip, other = [(await client.eip_v2.create_publicip(body=body)).publicip for _ in range(2)]
    assert eip is not None and eip.id and other is not None and other.id
    await client.eip_v2.update_publicip(publicip_id=eip.id, body={"publicip": {"port_id": first.id}})

    with pytest.raises(APIError) as deleting:
        await client.eip_v2.delete_publicip(publicip_id=eip.id)
    with pytest.raises(APIError) as rebinding:
        await client.eip_v2.update_publicip(publicip_id=eip.id, body={"publicip": {"port_id": second.id}})
    with pytest.raises(APIError) as doubling:
        await client.eip_v2.update_publicip(publicip_id=other.id, body={"publicip": {"port_id": first.id}})
    await client.eip_v2.update_publicip(publicip_id=eip.id, body={"publicip": {"port_id": ""}})  # unbind
    await client.eip_v2.delete_publicip(publicip_id=eip.id)

    assert (deleting.value.status_code, deleting.value.error_code) == (409, "VPC.0517")
    assert (rebinding.value.status_code, rebinding.value.error_code) == (409, "VPC.0510")
    assert (doubling.value.status_code, doubling.value.error_code) == (409, "VPC.0511")
    assert [publicip.id for publicip in (await client.eip_v2.list_publicips()).publicips or []] == [other.id]
    assert fake.internal_errors == []
