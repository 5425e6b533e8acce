"""Request models read Huawei's spelling of a field (``imageRef``) as that field, validated like the Python name.

Without this, ``ServerSpec(**{"imageRef": ...})`` kept the key as an unchecked extra (``extra="allow"``),
sent as-is, shown by ``repr`` even for a password. Both spellings at once are an error, not a silent pick;
a key that spells no field is still an extra. The guard below fails when a model of OBS, or of the generated
ECS and IAM packages, sends a Huawei spelling without being a :class:`RequestModel`.
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from hwcloud_client.services._base import ApiModel, RequestModel
from hwcloud_client.services.ecs_v2 import BatchStartServersRequestBody as BatchStartBody
from hwcloud_client.services.ecs_v2 import CreateServersRequestBody as CreateServersBody
from hwcloud_client.services.ecs_v2 import ListServersDetailsResponse, ServerDetail
from hwcloud_client.services.ecs_v2 import PrePaidServer as ServerSpec
from hwcloud_client.services.ecs_v2 import PrePaidServerExtendParam as ServerExtendParam
from hwcloud_client.services.ecs_v2 import ResizePrePaidServerOption as ResizeOption
from tests.helpers import Recorder, facade

PASSWORD = "Pa55-w0rd-SECRET"
BASE: dict[str, Any] = {
    "name": "web",
    "vpcid": "vpc-1",
    "nics": [{"subnet_id": "subnet-1"}],
    "root_volume": {"volumetype": "SSD"},
}
# Python name -> (Huawei's spelling, a valid value, a value of the wrong type).
SPEC_FIELDS = {
    "image_ref": ("imageRef", "img-1", 42),
    "flavor_ref": ("flavorRef", "s6.small.1", ["s6"]),
    "admin_pass": ("adminPass", PASSWORD, 1234),
    "is_auto_rename": ("isAutoRename", True, "not-a-bool"),
}


def spec_input(**fields: Any) -> dict[str, Any]:
    """A ServerSpec body with both required refs (by Python name) unless ``fields`` spells them."""
    spelled = {name for name, (huawei, _, _) in SPEC_FIELDS.items() if name in fields or huawei in fields}
    defaults = {"image_ref": "img-0", "flavor_ref": "s6.medium.2"}
    refs = {name: value for name, value in defaults.items() if name not in spelled}
    return {**BASE, **refs, **fields}


def wire_pairs(model: BaseModel) -> list[tuple[str, Any]]:
    """The top-level keys of the JSON the client sends, duplicates kept (``json.loads`` would merge them)."""
    pairs: list[tuple[str, Any]] = []

    def keep(found: list[tuple[str, Any]]) -> dict[str, Any]:
        pairs[:] = found
        return dict(found)

    json.loads(model.model_dump_json(by_alias=True, exclude_none=True), object_pairs_hook=keep)
    return pairs


# --- Huawei's spelling is the field -------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SPEC_FIELDS))
def test_huaweis_spelling_is_read_into_the_field_and_sent_once(name: str) -> None:
    huawei, value, _ = SPEC_FIELDS[name]
    spec = ServerSpec.model_validate(spec_input(**{huawei: value}))
    field = getattr(spec, name)
    assert (field.get_secret_value() if isinstance(field, SecretStr) else field) == value
    assert spec.model_extra == {}
    keys = [key for key, _ in wire_pairs(spec)]
    assert keys.count(huawei) == 1 and name not in keys
    assert dict(wire_pairs(spec))[huawei] == value


def test_keyword_construction_and_nested_dicts_take_huaweis_spelling() -> None:
    # What a body copied from Huawei's API reference looks like, passed as keywords and nested.
    copied = spec_input(imageRef="img-1", flavorRef="s6.small.1", adminPass=PASSWORD)
    direct = ServerSpec(**copied)
    nested = CreateServersBody.model_validate({"server": copied}).server
    for spec in (direct, nested):
        assert (spec.image_ref, spec.flavor_ref) == ("img-1", "s6.small.1")
        assert spec.admin_pass is not None and spec.admin_pass.get_secret_value() == PASSWORD
        assert spec.model_extra == {}


def test_every_ecs_request_model_with_a_huawei_spelling_takes_it() -> None:
    extend = ServerExtendParam.model_validate({"chargingMode": "prePaid", "periodNum": "3", "isAutoPay": "true"})
    assert (extend.charging_mode, extend.period_num, extend.is_auto_pay) == ("prePaid", 3, "true")
    assert extend.model_extra == {}
    assert ResizeOption.model_validate({"flavorRef": "c7.large.2"}).flavor_ref == "c7.large.2"
    start = BatchStartBody.model_validate({"os-start": {"servers": [{"id": "s-1"}]}})
    assert start.os_start.servers[0].id == "s-1" and start.model_extra == {}


@pytest.mark.anyio
async def test_the_request_on_the_wire_carries_huaweis_spelling_once() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"job_id": "job-1", "serverIds": ["s-1"]}))
    spec = ServerSpec.model_validate(spec_input(imageRef="img-1", adminPass=PASSWORD))
    async with facade(recorder) as cloud:
        await cloud.ecs.create_servers(server=spec)
    (request,) = recorder.requests
    sent = request.content.decode()
    assert sent.count('"imageRef"') == 1 and sent.count('"adminPass"') == 1
    assert "image_ref" not in sent and "admin_pass" not in sent
    assert json.loads(sent)["server"]["imageRef"] == "img-1"
    assert json.loads(sent)["server"]["adminPass"] == PASSWORD


# --- validated like the Python name ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(SPEC_FIELDS))
def test_a_wrong_type_by_huaweis_spelling_is_a_validation_error_on_the_field(name: str) -> None:
    huawei, _, wrong = SPEC_FIELDS[name]
    with pytest.raises(ValidationError) as caught:
        ServerSpec.model_validate(spec_input(**{huawei: wrong}))
    assert [error["loc"] for error in caught.value.errors()] == [(name,)]


def test_a_wrong_type_deep_in_a_body_names_the_path() -> None:
    with pytest.raises(ValidationError) as caught:
        CreateServersBody.model_validate({"server": spec_input(extendparam={"periodNum": "many"})})
    assert [error["loc"] for error in caught.value.errors()] == [("server", "extendparam", "period_num")]


# --- both spellings at once -------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SPEC_FIELDS))
def test_both_spellings_of_one_field_are_an_error_naming_both(name: str) -> None:
    huawei, value, _ = SPEC_FIELDS[name]
    with pytest.raises(ValidationError) as caught:
        ServerSpec.model_validate(spec_input(**{name: value, huawei: value}))
    (error,) = caught.value.errors()
    assert error["type"] == "spelled_twice" and error["loc"] == (name,)
    assert f"{name}=" in error["msg"] and f"{huawei}=" in error["msg"]


def test_both_spellings_of_a_secret_never_echo_it() -> None:
    with pytest.raises(ValidationError) as caught:
        CreateServersBody.model_validate(
            {"server": spec_input(admin_pass=PASSWORD, adminPass=PASSWORD + "-OTHER")}
        )
    assert [error["loc"] for error in caught.value.errors()] == [("server", "admin_pass")]
    assert "SECRET" not in str(caught.value) and "SECRET" not in repr(caught.value.errors())


def test_every_doubly_spelled_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        ServerSpec.model_validate(spec_input(image_ref="a", imageRef="b", flavor_ref="c", flavorRef="d"))
    assert sorted(error["loc"] for error in caught.value.errors()) == [("flavor_ref",), ("image_ref",)]


# --- everything else is as before ---------------------------------------------------------------------


def test_a_key_that_spells_no_field_is_kept_as_an_extra_and_sent() -> None:
    spec = ServerSpec.model_validate(spec_input(imageRef="img-1", future_option="2030-01-01T00:00:00Z"))
    assert spec.model_extra == {"future_option": "2030-01-01T00:00:00Z"}
    assert dict(wire_pairs(spec))["future_option"] == "2030-01-01T00:00:00Z"


def test_the_password_by_either_spelling_is_a_secret_everywhere_but_the_json_sent() -> None:
    for key in ("admin_pass", "adminPass"):
        spec = ServerSpec.model_validate(spec_input(**{key: PASSWORD}))
        assert isinstance(spec.admin_pass, SecretStr)
        for shown in (repr(spec), str(spec), str(spec.model_dump()), str(spec.model_dump(by_alias=True))):
            assert "SECRET" not in shown, key
        assert dict(wire_pairs(spec))["adminPass"] == PASSWORD


def test_response_models_still_read_both_spellings() -> None:
    server = {"id": "s-1", "name": "web", "status": "ACTIVE"}
    by_huawei = ServerDetail.model_validate({**server, "hostId": "h-1", "OS-EXT-STS:vm_state": "active"})
    by_python = ServerDetail.model_validate({**server, "host_id": "h-1", "os_ext_st_svm_state": "active"})
    read = [(found.host_id, found.os_ext_st_svm_state) for found in (by_huawei, by_python)]
    assert read == [("h-1", "active")] * 2


# --- the guard: which models are request models -------------------------------------------------------


def service_models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    modules = [importlib.import_module("hwcloud_client.services._obs_models")]
    for package in ("ecs_v2", "iam_v3"):
        for path in sorted((Path(__file__).parents[1] / "src/hwcloud_client/services" / package).glob("_*.py")):
            if path.stem not in ("__init__", "_client"):
                modules.append(importlib.import_module(f"hwcloud_client.services.{package}.{path.stem}"))
    for module in modules:
        for _, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, BaseModel) and member.__module__ == module.__name__:
                found[member.__qualname__ + "@" + module.__name__] = member
    return list(found.values())


def unread_spellings(model: type[BaseModel]) -> list[str]:
    """Serialization aliases that plain pydantic validation would not read into their field."""
    read: set[str] = set()
    for name, field in model.model_fields.items():
        read.add(name)
        if field.alias is not None:
            read.add(field.alias)
        if isinstance(field.validation_alias, str):
            read.add(field.validation_alias)
    return [
        field.serialization_alias
        for field in model.model_fields.values()
        if field.serialization_alias is not None and field.serialization_alias not in read
    ]


@pytest.mark.parametrize("model", service_models(), ids=lambda model: model.__name__)
def test_a_model_that_sends_a_huawei_spelling_is_a_request_model(model: type[BaseModel]) -> None:
    if unread_spellings(model):
        assert issubclass(model, RequestModel), f"{model.__name__} sends {unread_spellings(model)}: use RequestModel"


@pytest.mark.parametrize("model", service_models(), ids=lambda model: model.__name__)
def test_other_models_run_no_python_before_validation(model: type[BaseModel]) -> None:
    # A Python step per model costs ~60% on a large ListServersDetails body; only request models pay it.
    if issubclass(model, ApiModel) and not issubclass(model, RequestModel):
        assert not model.__pydantic_decorators__.model_validators, model.__name__


def test_the_listing_hot_path_is_plain_api_models() -> None:
    assert not issubclass(ListServersDetailsResponse, RequestModel)
    assert not issubclass(ServerDetail, RequestModel)
    assert not ServerDetail.__pydantic_decorators__.model_validators
