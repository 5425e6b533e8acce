"""Config models: frozen, validated with messages that name the field, secrets never shown."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hwcloud_client import Account, ClientConfig, Credentials, Endpoint, Project, RetryPolicy, Stage, Timeouts
from hwcloud_client.errors import APIError

SECRET = "very-secret-sk-value"
TOKEN = "very-secret-token"


def test_credentials_never_show_secrets() -> None:
    creds = Credentials(ak="AK123", sk=SECRET, security_token=TOKEN)
    for text in (repr(creds), str(creds), f"{creds}", str(creds.model_dump()), creds.model_dump_json()):
        assert SECRET not in text and TOKEN not in text
    assert "AK123" in repr(creds)
    assert creds.sk.get_secret_value() == SECRET


@pytest.mark.parametrize(
    ("kwargs", "field", "hint"),
    [
        ({"ak": "", "sk": "x"}, "ak", "must not be empty"),
        ({"ak": "AK 1", "sk": "x"}, "ak", "whitespace"),
        ({"ak": "AK1\n", "sk": "x"}, "ak", "whitespace"),
        ({"ak": "AK1", "sk": ""}, "sk", "must not be empty"),
        ({"ak": "AK1", "sk": f"{SECRET}\n"}, "sk", "stray newline"),
    ],
)
def test_bad_credentials_name_the_field_without_echoing_secrets(
    kwargs: dict[str, str], field: str, hint: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Credentials(**kwargs)  # type: ignore[arg-type]
    assert caught.value.errors()[0]["loc"] == (field,)
    assert hint in str(caught.value)
    assert SECRET not in str(caught.value)


def test_models_are_frozen() -> None:
    creds = Credentials(ak="AK", sk="SK")
    with pytest.raises(ValidationError):
        creds.ak = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Project(project_id="p").project_id = "q"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("ftp://example.com", "https://"),
        ("example.com", "https://"),
        ("https://", "no host"),
        ("https://user:pw@example.com", "user:password"),
        ("https://example.com/?a=1", "query"),
    ],
)
def test_endpoint_rejects_bad_urls(url: str, hint: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Endpoint(url=url)
    assert caught.value.errors()[0]["loc"] == ("url",)
    assert hint in str(caught.value)


def test_endpoint_with_host_override() -> None:
    endpoint = Endpoint(url="https://10.0.0.5:8443/", host="api.example.com")
    assert endpoint.url == "https://10.0.0.5:8443"
    assert endpoint.host == "api.example.com"
    with pytest.raises(ValidationError, match="bare host"):
        Endpoint(url="https://10.0.0.5", host="https://api.example.com/")


def test_project_account_stage() -> None:
    assert Project(project_id="p1").header_value == "p1"
    assert Project(project_id="p1", subproject_id="s1").header_value == "s1"
    assert Account(domain_id="d1").domain_id == "d1"
    assert Stage(name="RELEASE").name == "RELEASE"
    with pytest.raises(ValidationError) as caught:
        Project(project_id="p 1")
    assert caught.value.errors()[0]["loc"] == ("project_id",)
    with pytest.raises(ValidationError, match="stage name"):
        Stage(name="")


def test_client_config_from_an_empty_environment_is_the_default_with_its_own_endpoints() -> None:
    first, second = ClientConfig.from_env({}), ClientConfig.from_env({"HUAWEICLOUD_SDK_REGION": ""})
    assert first == second == ClientConfig()
    assert repr(first) == repr(ClientConfig()) and first.model_fields_set == set()
    assert first.endpoints == {} and first.endpoints is not second.endpoints
    assert first.timeouts == Timeouts() and first.retry == RetryPolicy()


def test_client_config_from_env_and_overrides() -> None:
    config = ClientConfig.from_env(
        {"HUAWEICLOUD_SDK_REGION": "cn-north-4", "HUAWEICLOUD_SDK_PROXY": "http://proxy:3128"},
        endpoints={"ECS": "https://127.0.0.1:9000"},
    )
    assert config.region == "cn-north-4"
    assert config.proxy == "http://proxy:3128"
    assert config.endpoints["ecs"].url == "https://127.0.0.1:9000"
    with pytest.raises(ValidationError, match="signing_algorithm"):
        ClientConfig(signing_algorithm="MD5")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="max_keepalive_connections"):
        ClientConfig(max_connections=2, max_keepalive_connections=5)


def test_errors_carry_request_id_and_no_request_secrets() -> None:
    error = APIError(status_code=401, error_code="APIGW.0301", error_msg="verify aksk signature fail",
                     request_id="req-1", body=b"{}")
    assert str(error) == "HTTP 401 APIGW.0301 | verify aksk signature fail | request_id=req-1"


def test_proxy_and_endpoint_passwords_stay_out_of_reprs_and_errors() -> None:
    config = ClientConfig(proxy="http://user:proxy-pw-VALUE@proxy:3128")
    assert config.proxy == "http://user:proxy-pw-VALUE@proxy:3128"
    assert "VALUE" not in repr(config) and "VALUE" not in str(config)
    with pytest.raises(ValidationError) as bad_proxy:
        ClientConfig(proxy="ftp://user:proxy-pw-VALUE@proxy")
    assert "proxy" in str(bad_proxy.value) and "VALUE" not in str(bad_proxy.value)
    for url in ("https://user:url-pw-VALUE@example.com", "ftp://user:url-pw-VALUE@example.com"):
        with pytest.raises(ValidationError) as bad_url:
            Endpoint(url=url)
        assert "user:password" in str(bad_url.value) and "VALUE" not in str(bad_url.value)
        with pytest.raises(ValidationError) as nested:
            ClientConfig(endpoints={"ecs": url})
        assert "VALUE" not in str(nested.value)


def test_api_errors_survive_pickling_with_their_fields() -> None:
    """Errors cross process boundaries (multiprocessing, task queues) with their class and fields."""
    import pickle

    from hwcloud_client.errors import NotFoundError

    error = NotFoundError(status_code=404, error_code="Ecs.0114", error_msg="gone", request_id="r-1", body=b"{}")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    assert type(copy) is NotFoundError
    assert (copy.status_code, copy.error_code, copy.request_id, copy.body) == (404, "Ecs.0114", "r-1", b"{}")
    assert str(copy) == str(error)
