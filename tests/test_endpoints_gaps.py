"""What the mutation run found untested in endpoints.py: env overrides, and the global services' shape."""

from __future__ import annotations

import pytest

from hwcloud_client import endpoints
from hwcloud_client.endpoints import SERVICES, ServiceInfo, resolve_endpoint
from hwcloud_client.errors import ConfigurationError


def test_a_hyphenated_service_reads_its_variable_with_underscores() -> None:
    environ = {"HUAWEICLOUD_SDK_REGION_CLOUD_TABLE_CN_NORTH_4": "ct.internal.example"}
    assert resolve_endpoint("cloud-table", "cn-north-4", environ=environ).url == "https://ct.internal.example"
    assert resolve_endpoint("cloud-table", "cn-north-1", environ=environ).url == (
        "https://cloud-table.cn-north-1.myhuaweicloud.com"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("ftp://ecs.example", "url must start with https:// or http://, got 'ftp://ecs.example'"),
        ("https://user:pw@ecs.example", "url must not carry user:password"),
    ],
)
def test_a_bad_override_says_what_is_wrong_with_it(value: str, reason: str) -> None:
    environ = {"HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_4": value}
    with pytest.raises(ConfigurationError) as caught:
        resolve_endpoint("ecs", "cn-north-4", environ=environ)
    message = str(caught.value)
    assert message.startswith("HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_4 does not hold a usable endpoint URL: ")
    assert reason in message
    assert "pw@" not in message


def test_a_global_service_is_domain_scoped_on_one_global_host() -> None:
    expected = ServiceInfo(
        name="cdn", scope="domain", global_endpoint="https://cdn.myhuaweicloud.com", has_regional_endpoints=False
    )
    # Called here, not only when the table is built at import, so that a change to it shows.
    assert endpoints._global_service("cdn") == expected == SERVICES["cdn"]
    assert endpoints._global_service("bss", host="bss-intl").global_endpoint == "https://bss-intl.myhuaweicloud.com"
