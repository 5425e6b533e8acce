"""What the public constructors accept, as users write it: plain ``str`` secrets, endpoint URLs as
strings, optional fields left out."""

from __future__ import annotations

import os

from pydantic import SecretStr
from typing_extensions import assert_type

import hwcloud_client as hw
from hwcloud_client.services.ecs_v2 import PrePaidServer as ServerSpec
from hwcloud_client.services.ecs_v2 import PrePaidServerDataVolume as DataVolume
from hwcloud_client.services.ecs_v2 import PrePaidServerExtendParam as ServerExtendParam
from hwcloud_client.services.ecs_v2 import PrePaidServerNic as ServerNic
from hwcloud_client.services.ecs_v2 import PrePaidServerPublicip as PublicIp
from hwcloud_client.services.ecs_v2 import PrePaidServerRootVolume as RootVolume
from hwcloud_client.services.ecs_v2 import PrePaidServerTag as ServerTag


def credentials() -> None:
    plain = hw.Credentials(ak="AK", sk="SK")
    temporary = hw.Credentials(ak="AK", sk="SK", security_token="token", expires_at=1.7e9)
    already_secret = hw.Credentials(ak="AK", sk=SecretStr("SK"), security_token=SecretStr("token"))
    from_env = hw.Credentials(ak=os.environ["HUAWEICLOUD_SDK_AK"], sk=os.environ["HUAWEICLOUD_SDK_SK"])
    assert_type(plain.sk, SecretStr)
    assert_type(temporary.security_token, SecretStr | None)
    assert_type(already_secret.expires_at, float | None)
    assert_type(from_env.ak, str)


def client_config() -> None:
    bare = hw.ClientConfig()
    urls = hw.ClientConfig(endpoints={"ecs": "https://ecs.internal.example.com", "iam": "http://127.0.0.1:8900"})
    mixed = hw.ClientConfig(
        region="cn-north-4",
        endpoints={"ecs": "https://ecs.example.com", "apig": hw.Endpoint(url="https://203.0.113.7", host="a.example")},
        proxy="http://user:password@proxy.example:3128",
        timeouts=hw.Timeouts(read=30),
        retry=hw.RetryPolicy(max_attempts=5),
        signing_algorithm="SDK-HMAC-SM3",
        http_backend="httpx",
    )
    assert_type(urls.endpoints["ecs"], hw.Endpoint)
    assert_type(mixed.proxy, str | None)
    assert_type(bare.region, str | None)
    assert_type(hw.ClientConfig.from_env(region="eu-west-101"), hw.ClientConfig)


def other_config_models() -> None:
    hw.Endpoint(url="https://ecs.example.com")
    hw.Project(project_id="0123456789abcdef")
    hw.Account()
    hw.Account(domain_id="d1")
    hw.Stage(name="RELEASE")
    hw.Timeouts()
    hw.RetryPolicy(deadline=60)


def server_spec() -> ServerSpec:
    # Only the required fields.
    minimal = ServerSpec(image_ref="img", flavor_ref="s6.small.1", name="web", vpcid="vpc",
                         nics=[ServerNic(subnet_id="subnet")], root_volume=RootVolume(volumetype="SSD"))
    # Declared so that a plain str type-checks as input; at run time it is always a SecretStr.
    assert_type(minimal.admin_pass, SecretStr | str | None)
    # Secrets as plain str; the optional request fields that go out under Huawei's spelling.
    return ServerSpec(
        image_ref="img", flavor_ref="s6.small.1", name="web", vpcid="vpc", count=2, is_auto_rename=True,
        nics=[ServerNic(subnet_id="subnet")], root_volume=RootVolume(volumetype="SSD", size=40),
        data_volumes=[DataVolume(volumetype="SSD", size=100)], admin_pass="Pa55word!",
        publicip=PublicIp(id="eip-1"), server_tags=[ServerTag(key="env", value="prod")],
        extendparam=ServerExtendParam(charging_mode="prePaid", period_type="month", period_num=1,
                                      is_auto_pay="true"),
    )
