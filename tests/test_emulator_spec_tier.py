"""Every generated operation is answered by the emulator, through our generated clients, in-process.

Valid input is built from the facts snapshot (codegen/facts: every required parameter, and a body with every
required field, recursively, each of its declared type); the answer must not be a 5xx nor the gateway's "no such
API" (APIGW.0101), and a success must parse into the operation's result. Leaving out one required query or header
parameter, or one required top-level body field, must get a Huawei-shaped 400 that names it: the spec-driven tier
answers ``{"error_code": "APIGW.0201", "error_msg": ..., "request_id": ...}``, the gateway's "API request error"
(400, "Invalid request parameters", in the API signing guide's error codes, devg-apisign/api-sign-errorcode), and
the gateway checks the same before the stateful emulators (VPC, EVS, IMS, ECS, IAM) see a request.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from codegen.generate import python_name

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, RetryPolicy
from hwcloud_client._http import httpx
from hwcloud_client.errors import APIError
from hwcloud_client.testing import FakeHuaweiCloud
from hwcloud_client.testing._spec import SPEC_400_CODE, catalog

pytestmark = pytest.mark.anyio
FACTS = Path(__file__).resolve().parent.parent / "codegen" / "facts"
NO_RETRIES = RetryPolicy(max_attempts=1)


@cache
def facts() -> dict[str, dict[str, Any]]:
    """``<package>_<version>`` → that version's facts."""
    found = {}
    for path in sorted(FACTS.glob("*.json")):
        for version, body in json.loads(path.read_text())["versions"].items():
            found[f"{path.stem}_{version}"] = body
    return found


def every_operation() -> list[tuple[str, str]]:
    return [(key, op["name"]) for key, version in facts().items() for op in version["operations"]]


# One test per package-version, each looping over its operations: building the generated models costs most of the
# time, and 2,537 test items would add as much again in per-test overhead.
PACKAGES = sorted(facts())


def operation(key: str, name: str) -> dict[str, Any]:
    return next(op for op in facts()[key]["operations"] if op["name"] == name)


def sample(key: str, type_name: str, depth: int = 0) -> Any:
    """A value of a facts type: models get their required fields (recursively), enums their first value."""
    if type_name.startswith("list["):
        return [sample(key, type_name[5:-1], depth + 1)]
    if type_name.startswith("dict[str, "):
        return {"k": sample(key, type_name[10:-1], depth + 1)}
    primitives: dict[str, Any] = {
        "str": "emulated-value", "int": 1, "float": 1.0, "bool": True, "datetime": "2026-01-01T00:00:00Z",
        "date": "2026-01-01", "object": {}, "file": ("file.txt", b"content"),
    }
    if type_name in primitives:
        return primitives[type_name]
    model = facts()[key]["models"].get(type_name)
    if model is None or depth > 8:
        return {}
    if model["enum"] is not None:
        return model["enum"][0]
    return {field["wire"]: sample(key, field["type"], depth + 1) for field in model["fields"] if field["required"]}


def arguments(key: str, op: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of our generated method: every required parameter, and the body."""
    kwargs: dict[str, Any] = {}
    for param in op["params"]:
        if param["in"] == "body":
            kwargs["body"] = sample(key, param["type"])
        elif param["required"]:
            value = sample(key, param["type"])
            kwargs[python_name(param["name"])] = value if not isinstance(value, dict) else "emulated-value"
    return kwargs


@pytest.fixture
async def cloud() -> AsyncIterator[tuple[FakeHuaweiCloud, AsyncHuaweiCloud]]:
    fake = FakeHuaweiCloud()
    client = AsyncHuaweiCloud(
        region=fake.region,
        credentials=fake.credentials,
        project=fake.project_id,
        config=ClientConfig(region=fake.region, retry=NO_RETRIES),
        http_client=httpx.AsyncClient(transport=fake.transport()),
        environ={},
    )
    async with client:
        yield fake, client


def service(client: AsyncHuaweiCloud, key: str) -> Any:
    return getattr(client, key)


async def answered(fake: FakeHuaweiCloud, client: AsyncHuaweiCloud, key: str, name: str) -> str | None:
    """What is wrong with the answer to valid input (None: nothing)."""
    op = operation(key, name)
    method = getattr(service(client, key), name)
    try:
        await method(**arguments(key, op))
    except APIError as error:
        if error.status_code >= 500 or error.error_code in ("APIGW.0101", SPEC_400_CODE):
            return f"{key}.{name}: {error}"
    if not fake.calls or fake.calls[-1].status >= 500:
        return f"{key}.{name}: no call recorded, or a 5xx"
    if not fake.calls[-1].path.endswith(op["path"].rsplit("}", 1)[-1]):
        return f"{key}.{name}: went to {fake.calls[-1].path}"
    return None


@pytest.mark.parametrize("key", PACKAGES)
async def test_every_generated_operation_is_answered(cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud], key: str) -> None:
    fake, client = cloud
    names = [name for package, name in every_operation() if package == key]
    problems = [problem for name in names if (problem := await answered(fake, client, key, name)) is not None]
    assert problems == []
    assert fake.internal_errors == []


def required_to_leave_out() -> list[tuple[str, str, str, str]]:
    """(key, operation, where, wire) of the first required query/header parameter, or top-level body field."""
    cases = []
    for key, name in every_operation():
        op = operation(key, name)
        spec = catalog().operation(key, name)
        # A sibling API at the same method and path that does not need the parameter would rightly answer;
        # Authorization is where the signature goes.
        others = [sibling for sibling in catalog().siblings(spec) if sibling is not spec]
        wanted = [
            param for param in spec.params
            if param.required and param.where in ("query", "header") and param.wire.lower() != "authorization"
            and all(param in sibling.params for sibling in others)
        ]
        if wanted:
            cases.append((key, name, wanted[0].where, wanted[0].wire))
        elif spec.body_required and op["body_kind"] == "model" and all(
            spec.body_required[0] in sibling.body_required for sibling in others
        ):
            cases.append((key, name, "body", spec.body_required[0]))
    return cases


def test_most_operations_have_something_required_to_leave_out() -> None:
    cases = required_to_leave_out()
    # The others have only path parameters, which decide which API is called at all (APIGW.0101 without them).
    assert len(cases) > 1000


async def refused(fake: FakeHuaweiCloud, client: AsyncHuaweiCloud, key: str, name: str, where: str, wire: str) -> (
    str | None
):
    """What is wrong with the answer to input without ``wire`` (None: a Huawei-shaped 400 naming it)."""
    op = operation(key, name)
    kwargs = arguments(key, op)
    try:
        if where == "body":
            # Our client validates a body before sending it, so this one goes as raw JSON.
            body = dict(kwargs.pop("body"))
            del body[wire]
            path = {
                param["wire"]: str(kwargs[python_name(param["name"])])
                for param in op["params"]
                if param["in"] == "path"
            }
            await client.request(
                service(client, key).service_name, op["method"], op["path"], path_params=path, json=body,
                headers={"Content-Type": op["content_type"]},
            )
        else:
            param = next(param for param in op["params"] if param["wire"] == wire and param["in"] == where)
            kwargs[python_name(param["name"])] = None
            await getattr(service(client, key), name)(**kwargs)
    except APIError as error:
        if error.status_code != 400 or not error.error_code or wire not in (error.error_msg or ""):
            return f"{key}.{name} without {where} {wire}: {error}"
        return None
    return f"{key}.{name} without {where} {wire}: answered {fake.calls[-1].status}"


@pytest.mark.parametrize("key", PACKAGES)
async def test_a_missing_required_parameter_is_a_400_naming_it(
    cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud], key: str
) -> None:
    fake, client = cloud
    cases = [case for case in required_to_leave_out() if case[0] == key]
    problems = [problem for case in cases if (problem := await refused(fake, client, *case)) is not None]
    assert problems == []
    assert fake.internal_errors == []


async def test_the_spec_tier_answers_in_the_gateway_dialect(cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud]) -> None:
    fake, client = cloud
    with pytest.raises(APIError) as caught:
        await client.cbr_v1.list_external_vault(external_project_id="p", region_id=None)  # type: ignore[arg-type]
    vaults = await client.cbr_v1.list_external_vault(external_project_id="p", region_id="cn-north-4", limit=5)

    assert json.loads(caught.value.body or b"{}") == {
        "error_code": "APIGW.0201",
        "error_msg": "the required query parameter 'region_id' is missing",
        "request_id": caught.value.request_id,
    }
    # Synthesised from the response skeleton: every field present, lists with one item.
    assert vaults.vaults and vaults.vaults[0].id and vaults.count == 1
    assert fake.calls[-1].service == "cbr" and fake.calls[-1].status == 200


async def test_faults_are_injected_per_service_host(cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud]) -> None:
    fake, client = cloud
    fake.faults.fail_next(1, status=503, service="vpc")
    zones = await client.dns_v2.list_public_zones(type="public")  # another host: untouched
    with pytest.raises(APIError) as failed:
        await client.eip_v2.list_publicips()  # EIP is served on the VPC host
    listed = await client.eip_v2.list_publicips()
    assert zones.zones and failed.value.status_code == 503 and failed.value.error_code == "APIGW.0202"
    assert listed.publicips == [] and fake.faults.pending == 0


async def test_a_bug_in_the_spec_tier_is_the_gateways_500_and_recorded(
    cloud: tuple[FakeHuaweiCloud, AsyncHuaweiCloud], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, client = cloud

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("synthesis failed")

    monkeypatch.setattr(catalog(), "synthesise", broken)
    with pytest.raises(APIError) as caught:
        await client.cbr_v1.list_external_vault(external_project_id="p", region_id="r")
    assert caught.value.status_code == 500 and caught.value.error_code == "APIGW.0202"
    assert [(error.service, type(error.error).__name__) for error in fake.internal_errors] == [("cbr", "RuntimeError")]
    fake.internal_errors.clear()  # accepted: the plugin would fail the test otherwise
