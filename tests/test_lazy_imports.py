"""``import hwcloud_client`` and building a facade import neither httpx, anyio's thread portal nor a service."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import httpx
import pytest

import hwcloud_client
from hwcloud_client import _http

DEFERRED = ["anyio.from_thread", "httpx", "hwcloud_client.services.ecs", "hwcloud_client.sync"]


def _modules_loaded_after(script: str) -> dict[str, list[str]]:
    """Run ``script`` in a fresh interpreter; it fills ``seen[label]`` with the DEFERRED modules loaded."""
    program = textwrap.dedent(f"""
        import json, sys
        DEFERRED = {DEFERRED!r}
        seen = {{}}
        def check(label):
            seen[label] = [name for name in DEFERRED if name in sys.modules]
    """) + textwrap.dedent(script) + "\nprint(json.dumps(seen))\n"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, list[str]] = json.loads(result.stdout)
    return loaded


def test_import_and_construction_defer_httpx_the_thread_portal_and_services() -> None:
    seen = _modules_loaded_after("""
        import hwcloud_client as hw
        check("import")
        credentials = hw.Credentials(ak="AK0123456789", sk="sk")
        cloud = hw.AsyncHuaweiCloud(region="cn-north-4", credentials=credentials, project="p" * 32)
        check("construct")
        cloud.http
        check("http")
        blocking = hw.HuaweiCloud(region="cn-north-4", credentials=credentials, project="p" * 32)
        check("blocking")
        cloud.ecs
        check("ecs")
        assert blocking.project_id() == "p" * 32
        check("first blocking call")
        blocking.close()
    """)
    assert seen == {
        "import": [],
        "construct": [],
        "http": ["httpx"],
        "blocking": ["httpx", "hwcloud_client.sync"],
        "ecs": ["httpx", "hwcloud_client.services.ecs", "hwcloud_client.sync"],
        "first blocking call": DEFERRED,
    }


def test_names_imported_on_first_access_are_the_real_ones() -> None:
    from hwcloud_client.auth.httpx_auth import HuaweiCloudAuth
    from hwcloud_client.sync import HuaweiCloud

    assert hwcloud_client.HuaweiCloudAuth is HuaweiCloudAuth
    assert issubclass(hwcloud_client.HuaweiCloudAuth, httpx.Auth)
    assert hwcloud_client.HuaweiCloud is HuaweiCloud
    assert {"HuaweiCloud", "HuaweiCloudAuth"} <= set(dir(hwcloud_client))


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'HuaweiCloudClient'"):
        _ = hwcloud_client.HuaweiCloudClient  # type: ignore[attr-defined]


def test_the_deferred_http_library_reads_through_to_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _http.httpx.Request is httpx.Request
    assert "imported on first use" in repr(_http.httpx)

    class PatchedClient(httpx.AsyncClient):
        pass

    # A patch of the module (as mock.patch("httpx.AsyncClient") does) must reach the package.
    monkeypatch.setattr(httpx, "AsyncClient", PatchedClient)
    assert _http.httpx.AsyncClient is PatchedClient
    with pytest.raises(AttributeError):
        _ = _http.httpx.NoSuchThing  # type: ignore[attr-defined]


def _service_modules_loaded_after(script: str) -> dict[str, list[str]]:
    """Run ``script`` in a fresh interpreter; ``check(label)`` records the generated service modules loaded."""
    program = textwrap.dedent("""
        import json, re, sys
        seen = {}
        def check(label):
            seen[label] = sorted(
                name for name in sys.modules if re.match(r"hwcloud_client[.]services[.][a-z]+_v[0-9]", name)
            )
    """) + textwrap.dedent(script) + "\nprint(json.dumps(seen))\n"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, list[str]] = json.loads(result.stdout)
    return loaded


def test_generated_services_load_one_at_a_time_and_without_their_models() -> None:
    seen = _service_modules_loaded_after("""
        import hwcloud_client as hw
        check("import")
        credentials = hw.Credentials(ak="AK0123456789", sk="sk")
        cloud = hw.AsyncHuaweiCloud(region="cn-north-4", credentials=credentials, project="p" * 32)
        blocking = hw.HuaweiCloud(region="cn-north-4", credentials=credentials, project="p" * 32)
        check("construct")
        cloud.vpc_v2
        check("vpc_v2")
        assert cloud.vpc is cloud.vpc_v2 and blocking.vpc is blocking.vpc_v2
        check("vpc alias")
        blocking.autoscaling
        check("blocking autoscaling")
        assert cloud.ecs is cloud.ecs_v2
        check("ecs")
        import hwcloud_client.services.vpc_v2 as vpc_v2
        vpc_v2.ListVpcsResponse
        check("a model")
        blocking.close()
    """)
    assert seen["import"] == seen["construct"] == []
    # The package and its client only: no model module until an operation (or a model name) needs it.
    vpc_v2 = ["hwcloud_client.services.vpc_v2", "hwcloud_client.services.vpc_v2._client"]
    assert seen["vpc_v2"] == seen["vpc alias"] == vpc_v2
    assert seen["blocking autoscaling"] == sorted(
        [*seen["vpc_v2"], "hwcloud_client.services.as_v1", "hwcloud_client.services.as_v1._client"]
    )
    # ECS v2 with its hand-written conveniences: still no model module.
    assert set(seen["ecs"]) - set(seen["blocking autoscaling"]) == {
        "hwcloud_client.services.ecs_v2", "hwcloud_client.services.ecs_v2._client"
    }
    assert set(seen["a model"]) - set(seen["ecs"]) == {
        "hwcloud_client.services.vpc_v2._list_vpcs", "hwcloud_client.services.vpc_v2._m_vpc",
        "hwcloud_client.services.vpc_v2._m_route",
    }


def test_import_and_construction_defer_anyio_json_the_pagers_and_pydantics_serializers() -> None:
    program = textwrap.dedent("""
        import sys
        import hwcloud_client as hw
        hw.AsyncHuaweiCloud(region="cn-north-4", credentials=hw.Credentials(ak="AK0123456789", sk="sk"), project="p")
        deferred = ("anyio", "json", "hwcloud_client._paging", "pydantic.functional_serializers")
        print(" ".join(name for name in deferred if name in sys.modules))
        from hwcloud_client import AsyncPager, PageNumber
        assert PageNumber.__module__ == AsyncPager.__module__ == "hwcloud_client._paging"
    """)
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_a_facade_without_a_config_builds_neither_the_configs_validator_nor_its_bases() -> None:
    program = textwrap.dedent("""
        import hwcloud_client as hw
        hw.AsyncHuaweiCloud(region="cn-north-4", credentials=hw.Credentials(ak="AK0123456789", sk="sk"), project="p")
        print(type(hw.ClientConfig.__dict__["__pydantic_validator__"]).__name__)
        print(type(hw.config._SecretInputModel.__dict__["__pydantic_validator__"]).__name__)
        hw.ClientConfig(max_in_flight=2)
        print(type(hw.ClientConfig.__dict__["__pydantic_validator__"]).__name__)
    """)
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["MockValSer", "MockValSer", "SchemaValidator"]
