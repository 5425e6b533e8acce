"""The two fidelity classes of issue 16 that had no official-client test: routing, and input the API refuses.

Driven through the official, unmodified clients (huaweicloudsdkecs / vpc / evs and esdk-obs-python, test-only
oracles) against the served emulator:

- Routing: ``/cloudservers/limits`` and ``/cloudservers/os-server-groups`` are ECS APIs of their own (ShowServerLimits,
  support.huaweicloud.com/intl/en-us/api-ecs/ecs_02_0801.html; ListServerGroups, ecs_02_1305), not ShowServer of a
  server named ``limits`` ("Instance[limits] could not be found" before); every OBS API the emulator lacks answers
  the one ``501 NotImplemented`` (the error code OBS shares with S3 for functionality it does not implement), never
  405 in one place and 501 in another.
- Refused input: a body without a field the API requires gets the service's documented 400 in its own dialect,
  naming the field where the service's message does: ECS ``Ecs.0005`` (ECS "Error Codes", ecs_07_0002), VPC
  ``VPC.0101`` "Param is invalid." (vpc_api_0003), EVS ``EVS.1010`` "invalid volume size!" (evs_04_0038).
"""

from __future__ import annotations

from typing import Any

import pytest

from hwcloud_client.testing import FakeHuaweiCloud

from .test_emulator_network import official


def test_ecs_sub_paths_are_their_own_apis(served: tuple[FakeHuaweiCloud, str]) -> None:
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkecs import v2 as ecs

    fake, base_url = served
    client = official(ecs.EcsClient, fake, base_url)
    limits = client.show_server_limits(ecs.ShowServerLimitsRequest())
    groups = client.list_server_groups(ecs.ListServerGroupsRequest())
    with pytest.raises(ClientRequestException) as missing:
        client.show_server(ecs.ShowServerRequest(server_id="no-such-server"))

    assert limits.absolute is not None and groups.server_groups is not None
    assert [call.path.rsplit("/", 1)[-1] for call in fake.calls[:2]] == ["limits", "os-server-groups"]
    assert [call.status for call in fake.calls[:2]] == [200, 200]
    # ShowServer itself still answers for a server that does not exist.
    assert (missing.value.status_code, missing.value.error_code) == (404, "Ecs.0114")
    assert fake.internal_errors == []


def test_every_obs_api_the_emulator_lacks_is_one_501(served: tuple[FakeHuaweiCloud, str]) -> None:
    from obs import ObsClient

    fake, base_url = served
    client = ObsClient(
        access_key_id=fake.ak, secret_access_key=fake.sk, server=base_url, path_style=True, signature="v2",
        is_signature_negotiation=False,
    )
    try:
        client.createBucket("lacking")
        client.putContent("lacking", "k", "x")
        answers: dict[str, Any] = {
            "GetBucketPolicy": client.getBucketPolicy("lacking"),
            "GetBucketCors": client.getBucketCors("lacking"),
            "GetBucketTagging": client.getBucketTagging("lacking"),
            "ListMultipartUploads": client.listMultipartUploads("lacking"),
            "SetObjectMetadata": client.setObjectMetadata("lacking", "k"),
        }
    finally:
        client.close()
    assert {name: (answer.status, answer.errorCode) for name, answer in answers.items()} == {
        name: (501, "NotImplemented") for name in answers
    }
    assert fake.internal_errors == []


def test_a_missing_required_field_is_the_services_own_400(served: tuple[FakeHuaweiCloud, str]) -> None:
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkecs import v2 as ecs
    from huaweicloudsdkevs import v2 as evs
    from huaweicloudsdkvpc import v2 as vpc

    fake, base_url = served
    ecses, vpcs = official(ecs.EcsClient, fake, base_url), official(vpc.VpcClient, fake, base_url)
    evses = official(evs.EvsClient, fake, base_url)
    server = ecs.PostPaidServer(  # no flavorRef
        name="x", image_ref="67f433d8-ed0e-4321-a8a2-a71838539e09", vpcid="v",
        nics=[ecs.PostPaidServerNic(subnet_id="s")], root_volume=ecs.PostPaidServerRootVolume(volumetype="SSD"),
    )
    with pytest.raises(ClientRequestException) as no_flavor:
        ecses.create_post_paid_servers(
            ecs.CreatePostPaidServersRequest(body=ecs.CreatePostPaidServersRequestBody(server=server))
        )
    with pytest.raises(ClientRequestException) as no_cidr:
        vpcs.create_subnet(vpc.CreateSubnetRequest(body=vpc.CreateSubnetRequestBody(
            subnet=vpc.CreateSubnetOption(name="s", gateway_ip="10.0.0.1", vpc_id="v")
        )))
    with pytest.raises(ClientRequestException) as no_size:
        evses.create_volume(evs.CreateVolumeRequest(body=evs.CreateVolumeRequestBody(
            volume=evs.CreateVolumeOption(availability_zone="cn-north-4a", volume_type="SSD")
        )))

    assert (no_flavor.value.status_code, no_flavor.value.error_code) == (400, "Ecs.0005")
    assert "flavorRef" in no_flavor.value.error_msg
    assert (no_cidr.value.status_code, no_cidr.value.error_code) == (400, "VPC.0101")
    assert "cidr" in no_cidr.value.error_msg
    assert (no_size.value.status_code, no_size.value.error_code) == (400, "EVS.1010")
    assert all(call.status == 400 for call in fake.calls)
    assert fake.internal_errors == []
