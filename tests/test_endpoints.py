from __future__ import annotations

import pytest

from hwcloud_client.config import ClientConfig, Endpoint
from hwcloud_client.endpoints import SERVICES, ServiceInfo, resolve_endpoint, service_info
from hwcloud_client.errors import ConfigurationError

NO_ENV: dict[str, str] = {}


@pytest.mark.parametrize(
    ("service", "region", "url"),
    [
        ("ecs", "cn-north-4", "https://ecs.cn-north-4.myhuaweicloud.com"),
        ("ecs", "cn-east-3", "https://ecs.cn-east-3.myhuaweicloud.com"),
        ("ecs", "cn-southwest-2", "https://ecs.cn-southwest-2.myhuaweicloud.com"),
        ("ecs", "ap-southeast-1", "https://ecs.ap-southeast-1.myhuaweicloud.com"),
        ("ecs", "la-south-2", "https://ecs.la-south-2.myhuaweicloud.com"),
        ("ecs", "sa-brazil-1", "https://ecs.sa-brazil-1.myhuaweicloud.com"),
        ("ecs", "af-south-1", "https://ecs.af-south-1.myhuaweicloud.com"),
        ("ecs", "tr-west-1", "https://ecs.tr-west-1.myhuaweicloud.com"),
        ("ecs", "me-east-1", "https://ecs.me-east-1.myhuaweicloud.com"),
        ("ecs", "ru-moscow-1", "https://ecs.ru-moscow-1.myhuaweicloud.com"),
        ("ecs", "my-kualalumpur-1", "https://ecs.my-kualalumpur-1.myhuaweicloud.com"),
        ("ecs", "ae-ad-1", "https://ecs.ae-ad-1.myhuaweicloud.com"),
        # EU sovereign: some services on .eu, ECS on .com
        ("ecs", "eu-west-101", "https://ecs.eu-west-101.myhuaweicloud.com"),
        ("iam", "eu-west-101", "https://iam.eu-west-101.myhuaweicloud.eu"),
        ("obs", "eu-west-101", "https://obs.eu-west-101.myhuaweicloud.eu"),
        ("eps", "eu-west-101", "https://eps.eu-west-101.myhuaweicloud.eu"),
        ("tms", "eu-west-101", "https://tms.eu-west-101.myhuaweicloud.eu"),
        ("cdn", "eu-west-101", "https://cdn.myhuaweicloud.eu"),
        # regional IAM and OBS
        ("iam", "cn-north-4", "https://iam.cn-north-4.myhuaweicloud.com"),
        ("iam", "ap-southeast-3", "https://iam.ap-southeast-3.myhuaweicloud.com"),
        ("obs", "cn-north-4", "https://obs.cn-north-4.myhuaweicloud.com"),
        ("obs", "af-south-1", "https://obs.af-south-1.myhuaweicloud.com"),
        # CTS keeps .asia/.africa only as backup hosts; the primary is the template's
        ("cts", "ap-southeast-5", "https://cts.ap-southeast-5.myhuaweicloud.com"),
        ("cts", "af-north-1", "https://cts.af-north-1.myhuaweicloud.com"),
    ],
)
def test_real_regions(service: str, region: str, url: str) -> None:
    assert resolve_endpoint(service, region, environ=NO_ENV) == Endpoint(url=url)


@pytest.mark.parametrize(
    ("service", "region", "url"),
    [
        ("iam", None, "https://iam.myhuaweicloud.com"),
        ("bss", None, "https://bss.myhuaweicloud.com"),
        ("bss", "cn-north-1", "https://bss.myhuaweicloud.com"),
        ("eps", "cn-north-4", "https://eps.myhuaweicloud.com"),
        ("eps", "ru-moscow-1", "https://eps.ru-moscow-1.myhuaweicloud.com"),
        ("rms", "cn-north-4", "https://rms.myhuaweicloud.com"),
        ("tms", None, "https://tms.myhuaweicloud.com"),
        ("tms", "ap-southeast-1", "https://tms-intl.myhuaweicloud.com"),
        ("organizations", "ap-southeast-1", "https://organizations.myhuaweicloud.com"),
        ("cdn", "ap-southeast-1", "https://cdn.myhuaweicloud.com"),
    ],
)
def test_global_services(service: str, region: str | None, url: str) -> None:
    assert resolve_endpoint(service, region, environ=NO_ENV).url == url


def test_service_name_is_case_insensitive() -> None:
    assert resolve_endpoint("ECS", "cn-north-4", environ=NO_ENV).url == "https://ecs.cn-north-4.myhuaweicloud.com"


def test_unknown_but_well_formed_region_uses_the_template() -> None:
    assert resolve_endpoint("ecs", "xx-newplace-7", environ=NO_ENV).url == (
        "https://ecs.xx-newplace-7.myhuaweicloud.com"
    )
    assert resolve_endpoint("ecs", "cn-north-219", environ=NO_ENV).url == ("https://ecs.cn-north-219.myhuaweicloud.com")


def test_unknown_service_uses_the_template() -> None:
    assert resolve_endpoint("functiongraph", "cn-north-4", environ=NO_ENV).url == (
        "https://functiongraph.cn-north-4.myhuaweicloud.com"
    )


@pytest.mark.parametrize(
    "region", ["CN-NORTH-4", "cn_north_4", "cn-north", "north-4", " cn-north-4", "cn-north-4/x", ""]
)
def test_malformed_region_names_it_and_shows_the_shape(region: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_endpoint("ecs", region, environ=NO_ENV)
    message = str(caught.value)
    assert repr(region) in message
    assert "cn-north-4" in message and "<area>-<location>-<number>" in message


def test_malformed_service_name_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="service name"):
        resolve_endpoint("ecs/../iam", "cn-north-4", environ=NO_ENV)


def test_regional_service_without_region_says_how_to_set_it() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_endpoint("ecs", None, environ=NO_ENV)
    assert "region=" in str(caught.value)
    assert "HUAWEICLOUD_SDK_REGION" in str(caught.value)


def test_env_override_takes_the_first_of_a_list() -> None:
    environ = {"HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_4": " https://ecs.internal.example:8443 , https://backup.example"}
    assert resolve_endpoint("ecs", "cn-north-4", environ=environ).url == "https://ecs.internal.example:8443"
    # other regions and services are unaffected
    assert resolve_endpoint("ecs", "cn-east-3", environ=environ).url == "https://ecs.cn-east-3.myhuaweicloud.com"
    assert resolve_endpoint("evs", "cn-north-4", environ=environ).url == "https://evs.cn-north-4.myhuaweicloud.com"


def test_env_override_beats_the_table_and_accepts_a_bare_host() -> None:
    environ = {"HUAWEICLOUD_SDK_REGION_IAM_EU_WEST_101": "iam.proxy.example"}
    assert resolve_endpoint("iam", "eu-west-101", environ=environ).url == "https://iam.proxy.example"


def test_env_override_is_read_from_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_VPC_AP_SOUTHEAST_1", "http://127.0.0.1:9000")
    assert resolve_endpoint("vpc", "ap-southeast-1").url == "http://127.0.0.1:9000"
    monkeypatch.delenv("HUAWEICLOUD_SDK_REGION_VPC_AP_SOUTHEAST_1")
    assert resolve_endpoint("vpc", "ap-southeast-1").url == "https://vpc.ap-southeast-1.myhuaweicloud.com"


def test_bad_env_override_names_the_variable() -> None:
    environ = {"HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_4": "ftp://ecs.example"}
    with pytest.raises(ConfigurationError, match="HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_4"):
        resolve_endpoint("ecs", "cn-north-4", environ=environ)


def test_empty_env_override_is_ignored() -> None:
    environ = {"HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_4": " , "}
    assert resolve_endpoint("ecs", "cn-north-4", environ=environ).url == "https://ecs.cn-north-4.myhuaweicloud.com"


def test_user_override_wins_over_env_and_needs_no_region() -> None:
    custom = Endpoint(url="https://10.0.0.5", host="ecs.cn-north-4.myhuaweicloud.com")
    environ = {"HUAWEICLOUD_SDK_REGION_ECS_CN_NORTH_4": "https://from-env.example"}
    assert resolve_endpoint("ecs", "cn-north-4", overrides={"ecs": custom}, environ=environ) is custom
    assert resolve_endpoint("ECS", None, overrides={"ecs": custom}, environ=environ) is custom


def test_user_override_accepts_a_private_cloud_region_id() -> None:
    custom = Endpoint(url="https://ecs.hcs.example")
    assert resolve_endpoint("ecs", "Region01", overrides={"ecs": custom}, environ=NO_ENV) is custom
    with pytest.raises(ConfigurationError, match="Region01"):
        resolve_endpoint("evs", "Region01", overrides={"ecs": custom}, environ=NO_ENV)


def test_user_overrides_from_client_config() -> None:
    config = ClientConfig(region="cn-north-4", endpoints={"OBS": Endpoint(url="http://127.0.0.1:9000/")})
    endpoint = resolve_endpoint("obs", config.region, overrides=config.endpoints, environ=NO_ENV)
    assert endpoint.url == "http://127.0.0.1:9000"


def test_service_info_scopes() -> None:
    for name in ("ecs", "evs", "vpc", "ims", "ces", "rds", "obs"):
        info = service_info(name)
        assert (info.scope, info.global_endpoint, info.has_regional_endpoints) == ("project", None, True)
    iam = service_info("iam")
    assert (iam.scope, iam.global_endpoint, iam.has_regional_endpoints) == (
        "domain",
        "https://iam.myhuaweicloud.com",
        True,
    )
    for name in ("bss", "cdn", "eps", "rms", "tms", "organizations"):
        info = service_info(name)
        assert info.scope == "domain"
        assert info.global_endpoint == f"https://{name}.myhuaweicloud.com"
        assert not info.has_regional_endpoints


def test_unknown_service_defaults_to_project_scoped_regional() -> None:
    assert service_info("DNS") == ServiceInfo(name="dns", scope="project", global_endpoint=None)
    assert "dns" not in SERVICES


def test_service_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        SERVICES["ecs"] = ServiceInfo(name="ecs")  # type: ignore[index]
