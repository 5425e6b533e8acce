"""Generated request models take what users naturally pass: omitted optional fields, plain str secrets."""

from __future__ import annotations

from pydantic import SecretStr
from typing_extensions import assert_type

import hwcloud_client as hw
from hwcloud_client.services.ecs_v2 import BatchResetServersPasswordRequestBody, ServerId
from hwcloud_client.services.vpc_v2 import CreateSubnetOption, CreateSubnetRequestBody, CreateSubnetResponse


async def create_subnet(cloud: hw.AsyncHuaweiCloud) -> str | None:
    option = CreateSubnetOption(name="web", cidr="192.168.1.0/24", vpc_id="vpc-1", gateway_ip="192.168.1.1")
    created = await cloud.vpc.create_subnet(body=CreateSubnetRequestBody(subnet=option))
    assert_type(created, CreateSubnetResponse)
    return created.subnet.id if created.subnet else None


def reset_password() -> BatchResetServersPasswordRequestBody:
    body = BatchResetServersPasswordRequestBody(new_password="Passw0rd!", servers=[ServerId(id="s-1")])
    # A SecretStr at run time whatever was passed: never shown by repr.
    assert isinstance(body.new_password, SecretStr)
    return body
