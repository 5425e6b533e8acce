"""The generator (codegen/generate.py) and the runtime of what it writes (services/_generated.py)."""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter

import hwcloud_client as hw
from codegen import generate
from hwcloud_client.errors import MalformedResponseError
from hwcloud_client.services._generated import Param, parameters

SERVICES_DIR = generate.SERVICES_DIR


def tiny_facts() -> dict[str, Any]:
    """One package ("as", a Python keyword) with clashes, a secret, an enum and models shared or not."""
    field = {"required": False, "sensitive": False}
    return {"as": {"versions": {"v1": {
        "scope": "project",
        "operations": [
            {"name": "list_things", "method": "GET", "path": "/v1/{project_id}/things",
             "params": [{"name": "from", "wire": "from", "in": "query", "type": "int", "required": False},
                        {"name": "x_language", "wire": "X-Language", "in": "header", "type": "str", "required": False},
                        {"name": "marker", "wire": "marker", "in": "query", "type": "str", "required": False}],
             "content_type": "application/json", "body_kind": "none", "response": "ListThingsResponse",
             "response_kind": "model", "response_body_type": None, "response_headers": []},
            {"name": "create_thing", "method": "POST", "path": "/v1/{project_id}/things/{thing_id}",
             "params": [{"name": "thing_id", "wire": "thing_id", "in": "path", "type": "str", "required": True},
                        {"name": "body", "wire": "body", "in": "body", "type": "CreateThingBody", "required": False}],
             "content_type": "application/json", "body_kind": "model", "response": "CreateThingResponse",
             "response_kind": "model", "response_body_type": None, "response_headers": []},
        ],
        "models": {
            "ListThingsResponse": {"enum": None, "fields": [
                {"name": "things", "wire": "things", "type": "list[Thing]", **field}]},
            "CreateThingResponse": {"enum": None, "fields": [
                {"name": "thing", "wire": "thing", "type": "Thing", **field}]},
            "Thing": {"enum": None, "fields": [
                {"name": "id", "wire": "id", "type": "str", **field},
                {"name": "list", "wire": "list", "type": "list[str]", **field},
                {"name": "state", "wire": "state", "type": "ThingState", **field}]},
            "ThingState": {"enum": ["on", "off"], "fields": []},
            "CreateThingBody": {"enum": None, "fields": [
                {"name": "name", "wire": "name", "type": "str", "required": True, "sensitive": False},
                {"name": "admin_pass", "wire": "adminPass", "type": "str", "required": True, "sensitive": False},
                {"name": "_del", "wire": "del", "type": "bool", **field}]},
        },
    }}}}


def tiny_overrides() -> dict[str, Any]:
    overrides = copy.deepcopy(generate.load_overrides())
    overrides["paging"] = {"as_v1": {"list_things": {"style": "marker", "items": "things"}}}
    overrides["always_present"] = {"as_v1": {"Thing": ["id"]}}
    return overrides


@pytest.fixture(scope="module")
def tiny() -> dict[str, str]:
    (version,) = generate.versions(tiny_facts(), tiny_overrides())
    return generate.generate_version(version)


def test_python_names_avoid_keywords_and_pydantic_attributes() -> None:
    assert generate.python_name("from") == "from_"
    assert generate.python_name("class") == "class_"
    assert generate.python_name("_del") == "del_"  # the official SDK's own rename of "del"
    assert generate.python_name("list") == "list_"
    assert generate.python_name("schema") == "schema_"
    assert generate.python_name("vpc_id") == "vpc_id"
    assert generate.class_name("as", "v1") == "AsV1"


def test_clashing_names_are_renamed_and_keep_their_wire_names(tiny: dict[str, str]) -> None:
    client = tiny["_client.py"]
    assert "class AsV1(GeneratedService):" in client and "class SyncAsV1(SyncService[AsV1]):" in client
    assert "async def list_things(self, *, from_: int | None = None, x_language: str | None = None" in client
    # The spec sends from_ as "from" and x_language as the X-Language header.
    assert '"from_=from x_language@header=X-Language marker"' in client
    assert parameters("from_=from x_language@header=X-Language marker") == (
        Param("from_", "query", "from"), Param("x_language", "header", "X-Language"), Param("marker"),
    )
    models = tiny["_m_thing.py"]
    assert 'list_: list[str] | None = Field(default=None, alias="list")' in models
    body = tiny["_create_thing.py"]
    assert 'del_: bool | None = Field(default=None, serialization_alias="del")' in body


def test_models_are_split_by_the_operations_that_reach_them(tiny: dict[str, str]) -> None:
    # Thing and ThingState are reached by both operations (a module named after the first); each response and
    # the body by one operation (its own module).
    assert "class Thing(ApiModel):" in tiny["_m_thing.py"] and "ThingState = Literal" in tiny["_m_thing.py"]
    assert "class ListThingsResponse(ResultModel):" in tiny["_list_things.py"]
    assert "class CreateThingBody(RequestModel):" in tiny["_create_thing.py"]
    for text in tiny.values():
        assert text.startswith(generate.HEADER + "\n")
    # Lazy references: "module:Name", resolved on the first call.
    assert 'result="ListThingsResponse"' in tiny["_client.py"]  # in the operation's own module, _list_things
    assert 'body="CreateThingBody"' in tiny["_client.py"]
    assert "    from ._list_things import ListThingsResponse" in tiny["_client.py"]  # under TYPE_CHECKING only


def test_secrets_required_fields_enums_and_always_present_fields(tiny: dict[str, str]) -> None:
    body = tiny["_create_thing.py"]
    assert "    name: str\n" in body  # required in a request body
    # From the overrides list; sent only, so it takes a plain str too (a SecretStr at run time).
    assert 'admin_pass: SecretInput = Field(serialization_alias="adminPass")' in body
    shared = tiny["_m_thing.py"]
    assert "    id: str\n" in shared  # always present (overrides)
    assert 'ThingState = Literal["on", "off"] | str' in shared
    assert "    state: ThingState | None = None" in shared
    # The body is required: its model has required fields.
    signature = "async def create_thing(self, *, thing_id: str, body: CreateThingBody | Mapping[str, Any])"
    assert signature in tiny["_client.py"]
    assert "iter_things = paginate(" in tiny["_client.py"] and "dialect=Marker()" in tiny["_client.py"]
    assert "iter_things = blocking_pager(AsV1.iter_things)" in tiny["_client.py"]


def test_a_paging_override_must_name_real_parameters_and_fields() -> None:
    overrides = tiny_overrides()
    overrides["paging"]["as_v1"]["list_things"]["items"] = "nothing"
    (version,) = generate.versions(tiny_facts(), overrides)
    with pytest.raises(generate.GenerationError, match="items field nothing"):
        generate.generate_version(version)


def test_every_lazy_reference_names_a_definition_in_its_module() -> None:
    """Checked on the source text, so that no model module is imported for it."""
    references = 0
    for client in SERVICES_DIR.glob("*_v[0-9]/_client.py"):
        for line in client.read_text("utf-8").splitlines():
            operation = re.match(r'_[A-Z0-9_]+: Op\[.*\] = Op\("([a-z0-9_]+)"', line)
            if operation is None:
                continue
            for module, name in re.findall(r'(?:body|result)="(?:(_[a-z0-9_]+):)?([A-Za-z0-9_]+)"', line):
                text = (client.parent / f"{module or '_' + operation.group(1)}.py").read_text("utf-8")
                assert re.search(rf"^(class {name}\(|{name} = )", text, re.MULTILINE), (client.parent.name, name)
                references += 1
    assert references > 3000


def test_the_generated_tree_stays_under_4_mb_and_matches_the_facts() -> None:
    files = generate.generate()
    size = sum(len(text.encode()) for text in files.values())
    assert size < 4_000_000, size
    on_disk = sum(path.stat().st_size for path in SERVICES_DIR.glob("*_v[0-9]/*.py"))
    assert on_disk + (SERVICES_DIR / "_catalog.py").stat().st_size == size
    assert generate.main(["--check"]) == 0


def test_the_catalog_has_every_package_version_and_the_aliases() -> None:
    from hwcloud_client.services._catalog import GENERATED

    assert len({module for module, _ in GENERATED.values()}) == 27
    assert GENERATED["autoscaling"] == ("as_v1", "AsV1")
    assert GENERATED["elb"] == ("elb_v3", "ElbV3") and GENERATED["cce"] == ("cce_v3", "CceV3")
    # ECS v2 and IAM v3 are served by their hand-written subclasses, under both names; OBS is not generated.
    assert GENERATED["ecs"] == GENERATED["ecs_v2"] == ("ecs", "ECS")
    assert GENERATED["iam"] == GENERATED["iam_v3"] == ("iam", "IAM")
    assert GENERATED["iam_v5"] == ("iam_v5", "IamV5") and "obs" not in GENERATED


def test_response_enums_accept_values_they_do_not_know() -> None:
    from hwcloud_client.services.iam_v5 import AccessKeyStatus

    adapter: TypeAdapter[Any] = TypeAdapter(AccessKeyStatus)
    assert adapter.validate_python("active") == "active"
    assert adapter.validate_python("suspended") == "suspended"


# --------------------------------------------------------------------------------------- runtime


def run(handler: Callable[[httpx.Request], httpx.Response], call: Callable[[hw.AsyncHuaweiCloud], Any]) -> Any:
    async def main() -> Any:
        async with hw.AsyncHuaweiCloud(
            region="cn-north-4", credentials=hw.Credentials(ak="AK0123456789", sk="sk"), project="p1",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), environ={},
        ) as cloud:
            return await call(cloud)

    return asyncio.run(main())


def test_a_body_model_a_dict_in_huaweis_spelling_and_secrets() -> None:
    from hwcloud_client.services.ecs_v2 import BatchResetServersPasswordRequestBody

    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"response": []})

    body = BatchResetServersPasswordRequestBody.model_validate(
        {"new_password": "Secr3t!pass", "servers": [{"id": "s1"}]}
    )
    assert "Secr3t" not in repr(body)
    run(handler, lambda cloud: cloud.ecs_v2.batch_reset_servers_password(body=body))
    run(handler, lambda cloud: cloud.ecs_v2.batch_reset_servers_password(
        body={"new_password": "Secr3t!pass", "servers": [{"id": "s1"}]}
    ))
    first, second = (json.loads(request.content) for request in sent)
    assert first == second == {"new_password": "Secr3t!pass", "servers": [{"id": "s1"}]}


def test_no_x_language_unless_given_and_query_lists_as_repeated_keys() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    run(handler, lambda cloud: cloud.vpc_v2.list_ports(id=["a", "b"], admin_state_up=False))
    run(handler, lambda cloud: cloud.rds_v3.list_instances())
    assert sent[0].url.query == b"admin_state_up=false&id=a&id=b"  # sent in canonical (sorted) order
    assert "x-language" not in sent[1].headers
    assert sent[1].headers["x-project-id"] == "p1"


def test_a_2xx_body_that_is_not_the_result_is_a_malformed_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>captive portal</html>", headers={"X-Request-Id": "r-1"})

    with pytest.raises(MalformedResponseError) as caught:
        run(handler, lambda cloud: cloud.vpc.list_vpcs(limit=10))
    assert caught.value.operation == "list_vpcs" and caught.value.request_id == "r-1"

    def good(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"vpcs": []}, headers={"X-Request-Id": "r-2"})

    assert run(good, lambda cloud: cloud.vpc.list_vpcs())._request_id == "r-2"

    def wrong_shape(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"vpcs": "not a list"})

    with pytest.raises(MalformedResponseError, match="vpcs"):
        run(wrong_shape, lambda cloud: cloud.vpc.list_vpcs())


def test_a_marker_pager_follows_the_last_id() -> None:
    pages = {None: [{"id": "a", "name": "a", "status": "OK"}, {"id": "b", "name": "b", "status": "OK"}],
             "b": [{"id": "c", "name": "c", "status": "OK"}], "c": []}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"vpcs": pages[request.url.params.get("marker")]})

    async def collect(cloud: hw.AsyncHuaweiCloud) -> list[str]:
        return [vpc.id async for vpc in cloud.vpc.iter_vpcs(limit=2)]

    assert run(handler, collect) == ["a", "b", "c"]


def test_generated_files_are_where_the_generator_puts_them() -> None:
    assert (SERVICES_DIR / "as_v1" / "_client.py").is_file()
    assert Path(generate.CATALOG).is_file()


def test_a_page_info_marker_pager() -> None:
    def elb(request: httpx.Request) -> httpx.Response:
        marker = request.url.params.get("marker")
        if marker is None:
            return httpx.Response(200, json={"loadbalancers": [{"id": "lb1"}], "page_info": {"next_marker": "m1"}})
        return httpx.Response(200, json={"loadbalancers": [{"id": "lb2"}], "page_info": {}})

    async def balancers(cloud: hw.AsyncHuaweiCloud) -> list[str]:
        return [balancer.id async for balancer in cloud.elb.iter_load_balancers(limit=1)]

    assert run(elb, balancers) == ["lb1", "lb2"]


def test_a_token_response_header_is_a_secret_field_of_the_result() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"token": {"expires_at": "2030-01-01T00:00:00Z"}},
                              headers={"X-Subject-Token": "MIIsecret-token", "X-Request-Id": "r-3"})

    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "u", "password": "p4ss", "domain": {"name": "d"}}}}, "scope": {"project": {"name": "cn-north-4"}}}}
    result = run(handler, lambda cloud: cloud.iam_v3.keystone_create_user_token_by_password(body=body))
    assert result.x_subject_token is not None
    assert result.x_subject_token.get_secret_value() == "MIIsecret-token"
    assert "MIIsecret" not in repr(result)


def test_every_generated_method_has_a_blocking_twin_with_its_parameters() -> None:
    import importlib
    import inspect

    from hwcloud_client.services._catalog import GENERATED
    from hwcloud_client.services._generated import GeneratedService

    methods = 0
    for module_name, client in set(GENERATED.values()):
        module = importlib.import_module(f"hwcloud_client.services.{module_name}")
        async_cls, sync_cls = getattr(module, client), getattr(module, f"Sync{client}")
        # The served class and, for ECS and IAM, the generated class it extends: what runs is the served one's.
        layers = [cls for cls in async_cls.__mro__ if issubclass(cls, GeneratedService) and cls is not GeneratedService]
        names = {name for cls in layers for name, method in vars(cls).items()
                 if not name.startswith("_") and callable(method)}
        for name in names:
            method, twin = getattr(async_cls, name), getattr(sync_cls, name)
            assert list(inspect.signature(twin).parameters) == list(inspect.signature(method).parameters), name
            assert twin.__name__ == method.__name__ == name
        methods += len(names)
    pagers = sum(len(operations) for operations in generate.load_overrides()["paging"].values())
    # operations, iter_* pagers, wait_for_job on ECS, EVS and IMS, and ECS's wait_for_server
    assert methods == 2537 + pagers + 3 + 1


def test_the_blocking_facade_calls_and_pages_generated_operations() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        marker = request.url.params.get("marker")
        return httpx.Response(200, json={"vpcs": [] if marker else [{"id": "v1", "name": "a", "status": "OK"}]})

    with hw.HuaweiCloud(region="cn-north-4", credentials=hw.Credentials(ak="AK0123456789", sk="sk"), project="p1",
                        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), environ={}) as cloud:
        assert [vpc.id for vpc in cloud.vpc.list_vpcs().vpcs or []] == ["v1"]
        assert [vpc.id for vpc in cloud.vpc_v2.iter_vpcs(limit=1)] == ["v1"]


def test_domain_id_and_project_id_path_parameters_default_to_the_clients_own() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    async def main() -> None:
        async with hw.AsyncHuaweiCloud(
            region="cn-north-4", credentials=hw.Credentials(ak="AK0123456789", sk="sk"), account="d1",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), environ={},
        ) as cloud:
            await cloud.iam_v3.associate_agency_with_domain_permission(agency_id="a1", role_id="r1")
            await cloud.iam_v3.associate_agency_with_domain_permission(agency_id="a1", role_id="r1", domain_id="d2")

    asyncio.run(main())
    assert [request.url.path for request in sent] == [
        "/v3.0/OS-AGENCY/domains/d1/agencies/a1/roles/r1", "/v3.0/OS-AGENCY/domains/d2/agencies/a1/roles/r1",
    ]


def test_only_a_sent_model_with_a_huawei_spelling_runs_the_spelling_check() -> None:
    from hwcloud_client.services._base import ApiModel, RequestModel
    from hwcloud_client.services.ecs_v2 import CpuOptions, PrePaidServer, SecurityOptions

    assert issubclass(PrePaidServer, RequestModel) and issubclass(CpuOptions, RequestModel)  # imageRef, hw:cpu_threads
    assert issubclass(SecurityOptions, ApiModel) and not issubclass(SecurityOptions, RequestModel)
    assert SecurityOptions.model_validate_json(b'{"tpm_enabled": true}').tpm_enabled is True


def test_a_response_reads_a_sent_models_spelling_without_the_python_check() -> None:
    # ECS sends CpuOptions in PrePaidServer and answers it in every server of a listing: JSON is read natively
    # (the check costs a page of 100 servers 15-20%), Python input is checked for a field given twice.
    from pydantic import ValidationError

    from hwcloud_client.services.ecs_v2 import CpuOptions

    assert CpuOptions.model_validate_json(b'{"hw:cpu_threads": 2}').hwcpu_threads == 2
    assert CpuOptions.model_validate({"hw:cpu_threads": 3}).hwcpu_threads == 3
    schema = CpuOptions.__pydantic_core_schema__
    assert schema["type"] == "json-or-python"
    assert schema["json_schema"]["type"] == "model" and schema["python_schema"]["type"] == "function-before"
    with pytest.raises(ValidationError, match="spelled_twice"):
        CpuOptions.model_validate({"hw:cpu_threads": 3, "hwcpu_threads": 4})
