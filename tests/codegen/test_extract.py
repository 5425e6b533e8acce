"""The fact extractor (codegen/extract.py) against the pinned official packages: known operations, drift, CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codegen import _official, _types, extract

pytest.importorskip("huaweicloudsdkvpc", reason="the official packages are dev-only oracles")


def op(package: str, version: str, name: str, *, anomalies: int = 0) -> dict[str, Any]:
    facts, warnings = extract.extract_operation(package, version, name)
    assert len(warnings) == anomalies, warnings
    return facts


def params(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {param["name"]: param for param in operation["params"]}


@pytest.fixture(scope="module")
def vpc() -> dict[str, Any]:
    return extract.extract_package("vpc")


def test_vpc_snapshot_is_byte_identical_to_a_fresh_extraction(vpc: dict[str, Any]) -> None:
    """The drift check: the checked-in snapshot is what the installed pin gives, byte for byte."""
    assert extract.facts_path("vpc").read_text(encoding="utf-8") == extract.dumps(vpc)


def test_vpc_v2_list_vpcs(vpc: dict[str, Any]) -> None:
    assert vpc["package"] == "huaweicloudsdkvpc"
    assert vpc["pin"] == _official.PIN
    assert sorted(vpc["versions"]) == ["v2", "v3"]
    v2 = vpc["versions"]["v2"]
    assert v2["scope"] == "project"
    assert v2["credential_types"] == ["BasicCredentials"]
    assert v2["regions"]["cn-north-4"] == ["https://vpc.cn-north-4.myhuaweicloud.com"]
    names = [operation["name"] for operation in v2["operations"]]
    assert names == sorted(names)
    (list_vpcs,) = [operation for operation in v2["operations"] if operation["name"] == "list_vpcs"]
    assert list_vpcs["method"] == "GET"
    assert list_vpcs["path"] == "/v1/{project_id}/vpcs"
    assert list_vpcs["credential_path_params"] == ["project_id"]
    assert list_vpcs["request"] == "ListVpcsRequest"
    assert list_vpcs["response"] == "ListVpcsResponse"
    assert list_vpcs["response_kind"] == "model"
    assert list_vpcs["body_kind"] == "none"
    assert list_vpcs["params"][0] == {
        "name": "limit",
        "wire": "limit",
        "in": "query",
        "type": "int",
        "required": False,
        "collection": None,
        "sensitive": False,
    }
    assert {p["name"] for p in list_vpcs["params"]} == {"limit", "marker", "id", "enterprise_project_id"}
    response = v2["models"]["ListVpcsResponse"]
    assert response["fields"] == [
        {"name": "vpcs", "wire": "vpcs", "type": "list[Vpc]", "required": False, "sensitive": False}
    ]
    assert "Vpc" in v2["models"]  # reachable from the response
    assert "ListVpcsRequest" not in v2["models"]  # requests are operation params, not models


def test_models_are_exactly_those_reachable_from_operations(vpc: dict[str, Any]) -> None:
    for facts in vpc["versions"].values():
        models = facts["models"]
        seen: set[str] = set()
        pending = [operation["response"] for operation in facts["operations"]]
        for operation in facts["operations"]:
            for param in operation["params"]:
                if param["in"] in ("body", "form"):
                    pending += _types.model_names(param["type"])
        while pending:
            name = pending.pop()
            if name not in seen:
                seen.add(name)
                pending += [m for f in models[name]["fields"] for m in _types.model_names(f["type"])]
        assert seen == set(models)


def test_ecs_v2_list_servers_details_and_required_body_fields() -> None:
    operation = op("ecs", "v2", "list_servers_details")
    assert (operation["method"], operation["path"]) == ("GET", "/v1/{project_id}/cloudservers/detail")
    by_name = params(operation)
    assert by_name["not_tags"]["wire"] == "not-tags"  # attribute name vs wire key
    assert by_name["offset"]["type"] == "int"
    assert all(p["in"] == "query" and not p["required"] for p in operation["params"])

    facts = extract.extract_version("ecs", "v2")
    body = {f["name"]: f for f in facts["models"]["CreateServersRequestBody"]["fields"]}
    assert body["server"]["required"] is True
    assert body["dry_run"]["required"] is False


def test_iam_v3_keystone_list_projects_is_global() -> None:
    operation = op("iam", "v3", "keystone_list_projects")
    assert (operation["method"], operation["path"]) == ("GET", "/v3/projects")
    assert operation["credential_path_params"] == []
    assert params(operation)["name"]["in"] == "query"
    assert extract.extract_version("iam", "v3")["scope"] == "global"


def test_header_param_and_form_body() -> None:
    # the official template also reads a 'saml_response' the request class does not have: one anomaly
    operation = op("iam", "v3", "create_unscope_token_by_idp_initiated", anomalies=1)
    header = params(operation)["x_idp_id"]
    assert (header["in"], header["wire"], header["required"]) == ("header", "X-Idp-Id", True)
    assert operation["content_type"] == "application/x-www-form-urlencoded"
    assert operation["body_kind"] == "form"
    assert operation["response_headers"] == [{"name": "x_subject_token", "wire": "X-Subject-Token", "type": "str"}]


def test_x_language_header_and_enum_model() -> None:
    facts = extract.extract_version("iam", "v5")
    with_language = [
        operation["name"]
        for operation in facts["operations"]
        if any(p["in"] == "header" and p["wire"] == "X-Language" for p in operation["params"])
    ]
    assert len(with_language) == 5
    assert facts["models"]["AccessKeyStatus"] == {"fields": [], "enum": ["active", "inactive"]}


def test_bare_array_body() -> None:
    operation = op("evs", "v2", "associate_auto_snapshot_policy")
    body = params(operation)["body"]
    assert (body["in"], body["type"]) == ("body", "list[str]")
    assert operation["body_kind"] == "array"


def test_json_patch_body() -> None:
    operation = op("ims", "v2", "glance_update_image")
    assert operation["content_type"] == "application/openstack-images-v2.1-json-patch"
    assert operation["body_kind"] == "patch"
    assert params(operation)["body"]["type"] == "list[GlanceUpdateImageRequestBody]"


def test_multipart_body() -> None:
    operation = op("cce", "v3", "upload_chart", anomalies=2)  # form reads of attributes the request lacks
    assert (operation["method"], operation["path"]) == ("POST", "/v2/charts")
    assert operation["content_type"] == "multipart/form-data"
    assert operation["body_kind"] == "multipart"
    assert params(operation)["body"]["type"] == "UploadChartRequestBody"
    body = extract.extract_version("cce", "v3")["models"]["UploadChartRequestBody"]
    assert {f["name"]: (f["type"], f["required"]) for f in body["fields"]} == {
        "parameters": ("str", False),
        "content": ("file", True),
    }


def test_binary_and_bare_responses() -> None:
    binary = op("smn", "v2", "download_http_cert")
    assert (binary["response_kind"], binary["response_body_type"]) == ("binary", None)
    array = op("evs", "v2", "change_volume_charge_mode")
    assert (array["response_kind"], array["response_body_type"]) == ("string", "str")
    mapping = op("cce", "v3", "show_cluster_support_configuration")
    assert (mapping["response_kind"], mapping["response_body_type"]) == ("map", "dict[str, list[PackageOptions]]")


def test_sensitive_fields_are_marked() -> None:
    facts = extract.extract_version("ecs", "v2")
    sensitive = {
        (model, field["name"])
        for model, entry in facts["models"].items()
        for field in entry["fields"]
        if field["sensitive"]
    }
    # the official lists mark 12 fields in all 20 packages; these are ECS's
    assert sensitive == {("TemplateOsProfile", "key_name"), ("TemplateOsProfile", "user_data")}
    (create_servers,) = [operation for operation in facts["operations"] if operation["name"] == "create_servers"]
    assert params(create_servers)["x_client_token"]["sensitive"] is True


def test_unbound_form_reads_are_reported() -> None:
    _, warnings = extract.extract_operation("cce", "v3", "upload_chart")
    assert len(warnings) == 2 and all("never sent" in line for line in warnings)


@pytest.mark.parametrize(
    ("official", "normalised"),
    [
        ("str", "str"),
        ("long", "int"),
        ("list[Vpc]", "list[Vpc]"),
        ("dict(str, str)", "dict[str, str]"),
        ("dict(str, list[Vpc])", "dict[str, list[Vpc]]"),
        ("dict(str, dict(str, list[str]))", "dict[str, dict[str, list[str]]]"),
        ("list[list[Vpc]]", "list[list[Vpc]]"),
    ],
)
def test_type_normalisation(official: str, normalised: str) -> None:
    assert _types.normalise(official, lambda name: name == "Vpc") == normalised


@pytest.mark.parametrize("official", ["Nope", "dict(int, str)", "bytes", "list[Nope]"])
def test_type_normalisation_rejects_unknown(official: str) -> None:
    with pytest.raises(_types.UnknownTypeError):
        _types.normalise(official, lambda name: name == "Vpc")


def test_counts(vpc: dict[str, Any]) -> None:
    counts = extract.version_counts("vpc", vpc["versions"]["v2"])
    assert counts["ops"] == len(vpc["versions"]["v2"]["operations"]) > 100
    assert counts["no_pid"] > 0  # the neutron-style /v2.0 paths
    assert extract.version_counts("iam", vpc["versions"]["v2"])["no_pid"] == 0  # not counted for IAM


def test_cli_check_reports_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert extract.main(["smn", "--out", str(tmp_path)]) == 0
    written = tmp_path / "smn.json"
    assert json.loads(written.read_text(encoding="utf-8"))["package"] == "huaweicloudsdksmn"
    assert extract.main(["smn", "--check", "--out", str(tmp_path)]) == 0
    written.write_text("{}\n", encoding="utf-8")
    assert extract.main(["smn", "--check", "--out", str(tmp_path)]) == 1
    assert "smn.json" in capsys.readouterr().err
