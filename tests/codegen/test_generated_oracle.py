"""Every generated operation against the official SDK: the request it builds, and a response it parses.

For each operation of every package-version (codegen/facts), with inputs generated from its facts:

* **Official side.** The official sync client (built with ``BasicCredentials(project_id="p1")``, or
  ``GlobalCredentials(domain_id="d1")`` for IAM, on the host its own region table gives for the region) runs
  the operation through its real code path: ``<op>(request)`` → ``_<op>_http_info`` → ``do_http_request``
  → ``build_future_request`` (path, query, headers, body by content type) → credentials'
  ``process_auth_request`` (``X-Project-Id``/``X-Domain-Id``, signing). Only ``_do_http_request_sync``, the
  step that would hand the finished ``SdkRequest`` to ``requests``, is replaced: it records the request.
* **Our side.** A facade with ``project="p1"``, ``account="d1"`` and an ``httpx.MockTransport`` calls the
  generated method with the same inputs (the body as a plain dict in Huawei's spelling).
* **Compared:** method, host, raw path, query as a multiset, every declared header parameter,
  ``X-Project-Id``/``X-Domain-Id``, content type, and the body (JSON parsed; form fields; multipart parts).
* **Response:** the mock answers with a document synthesised from the response model's fields (every field,
  eight levels deep); our result must parse and dump by alias back to that document.

Operations that are deliberately different are listed with their reason in ``oracle_differences.json``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from pydantic import BaseModel, SecretStr, TypeAdapter

pytest.importorskip("huaweicloudsdkcore", reason="the official packages are dev-only oracles")

import hwcloud_client as hw
from codegen import generate
from hwcloud_client.services._registry import SERVICES

# Some official operations warn that they are deprecated; they are still operations the packages ship.
pytestmark = pytest.mark.filterwarnings("ignore:Method '.*' of .* is deprecated:DeprecationWarning")

FACTS = generate.load_facts()
DIFFERENCES: dict[str, str] = json.loads((Path(__file__).parent / "oracle_differences.json").read_text("utf-8"))
REGION = "cn-north-4"
PROJECT, DOMAIN = "p1", "d1"
DEPTH = 8
DATETIME, DATE = "2024-01-02T03:04:05+00:00", "2024-01-02"


def cases() -> Iterator[Any]:
    for package, document in FACTS.items():
        for version, facts in sorted(document["versions"].items()):
            for op in facts["operations"]:
                key = f"{package}_{version}.{op['name']}"
                marks = [pytest.mark.xfail(reason=DIFFERENCES[key], strict=True)] if key in DIFFERENCES else []
                yield pytest.param(package, version, op["name"], id=key, marks=marks)


# --------------------------------------------------------------------------------------- inputs


def synthesise(type_: str, models: dict[str, Any], path: tuple[str, ...] = ()) -> Any:
    """A wire JSON value of a facts type, every field filled (a model inside itself is left empty)."""
    if type_.startswith("list["):
        return [synthesise(type_[5:-1], models, path)]
    if type_.startswith("dict[str, "):
        return {"k1": synthesise(type_[10:-1], models, path)}
    simple = {"str": "s1", "int": 7, "float": 2.5, "bool": True, "datetime": DATETIME, "date": DATE,
              "object": {"k": "v"}, "file": b"file-bytes"}
    if type_ in simple:
        return simple[type_]
    model = models[type_]
    if model["enum"] is not None:
        return model["enum"][0]
    if type_ in path or len(path) >= DEPTH:
        return {}
    return {field["wire"]: synthesise(field["type"], models, (*path, type_)) for field in model["fields"]}


def argument(param: dict[str, Any]) -> Any:
    """The value of a path, query or header parameter: quoting, repeated keys and true/false are exercised."""
    type_, name = param["type"], param["name"]
    if param["wire"].lower() == "x-sdk-date":
        return "20240102T030405Z"
    if type_.startswith("list["):
        inner = type_[5:-1]
        return [3, 4] if inner == "int" else [f"{name}-a", f"{name} b"]
    values = {"int": 3, "float": 1.5, "bool": True}
    if type_ in values:
        return values[type_]
    if param["in"] == "path":
        return f"{name} /ü"
    if param["in"] == "header":
        return f"h-{name}"
    return f"{name} q/ü"


def official_type(type_: str) -> str:
    return re.sub(r"dict\[str, (.*)\]", r"dict(str, \1)", type_)


def official_value(value: Any, type_: str, module: Any, files: list[Any]) -> Any:
    """The official model objects a caller would build for a wire document (enum values as their strings)."""
    if value is None:
        return None
    if type_.startswith("list["):
        return [official_value(item, type_[5:-1], module, files) for item in value]
    if type_.startswith("dict[str, "):
        return {key: official_value(item, type_[10:-1], module, files) for key, item in value.items()}
    if type_ == "file":
        from huaweicloudsdkcore.http.formdata import FormFile

        form_file = FormFile(files[0])
        return form_file
    klass = getattr(module, type_, None)
    if klass is None or not getattr(klass, "openapi_types", None):
        return value
    by_wire = {wire: attr for attr, wire in klass.attribute_map.items()}
    kwargs = {
        by_wire[wire]: official_value(item, klass.openapi_types[by_wire[wire]], module, files)
        for wire, item in value.items()
    }
    return klass(**kwargs)


# --------------------------------------------------------------------------------------- official side


class _Captured(Exception):
    def __init__(self, request: Any) -> None:
        self.request = request


@cache
def official_client(package: str, version: str) -> Any:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials

    facts = FACTS[package]["versions"][version]
    module = importlib.import_module(f"huaweicloudsdk{package}.{version}")
    credentials = (
        GlobalCredentials("AKOFFICIAL", "sk-official", domain_id=DOMAIN)
        if facts["scope"] == "global"
        else BasicCredentials("AKOFFICIAL", "sk-official", project_id=PROJECT)
    )
    client = (
        getattr(module, facts["client"]).new_builder()
        .with_credentials(credentials)
        .with_endpoints([facts["regions"][REGION][0]])
        .build()
    )

    def capture(request: Any) -> Any:
        if hasattr(request.body, "to_string"):
            # A multipart encoder reads the files now: the official operation closes them once it returns.
            request.body = (request.body.to_string(), request.body.content_type)
        raise _Captured(request)

    client._do_http_request_sync = capture
    return client


def official_request(package: str, version: str, op: dict[str, Any], inputs: dict[str, Any],
                     body: Any, files: list[Any]) -> Any:
    client = official_client(package, version)
    module = importlib.import_module(f"huaweicloudsdk{package}.{version}.model")
    request = getattr(module, op["request"])()
    for name, value in inputs.items():
        setattr(request, name, value)
    if body is not None:
        body_param = next(param for param in op["params"] if param["in"] == "body")
        request.body = official_value(body, body_param["type"], module, files)
    with pytest.raises(_Captured) as captured:
        getattr(client, op["name"])(request)
    return captured.value.request


# --------------------------------------------------------------------------------------- comparison


def multipart_parts(content: bytes, content_type: str) -> dict[str, bytes]:
    boundary = content_type.split("boundary=", 1)[1].encode()
    parts = {}
    for chunk in content.split(b"--" + boundary)[1:-1]:
        head, _, data = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        assert name is not None
        parts[name.group(1).decode()] = data
    return parts


def wire_of(result: Any) -> Any:
    """The wire JSON back, received secrets included: they are ``SecretStr``, masked in JSON dumps, so their
    values are taken from the Python-mode dump, where they are still ``SecretStr`` objects."""
    if isinstance(result, BaseModel):
        as_json = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        return revealed(as_json, result.model_dump(by_alias=True, exclude_none=True))
    adapter: TypeAdapter[Any] = TypeAdapter(Any)
    as_json = adapter.dump_python(result, mode="json", by_alias=True, exclude_none=True)
    return revealed(as_json, adapter.dump_python(result, by_alias=True, exclude_none=True))


def revealed(as_json: Any, as_python: Any) -> Any:
    if isinstance(as_python, SecretStr):
        return as_python.get_secret_value()
    if isinstance(as_json, dict) and isinstance(as_python, dict):
        return {key: revealed(value, as_python[key]) for key, value in as_json.items()}
    if isinstance(as_json, list) and isinstance(as_python, list | tuple):
        return [revealed(value, python) for value, python in zip(as_json, as_python, strict=True)]
    return as_json


def response_document(facts: dict[str, Any], op: dict[str, Any]) -> tuple[Any, bytes]:
    kind = op["response_kind"]
    if kind == "model":
        document = synthesise(op["response"], facts["models"])
        return document, json.dumps(document).encode()
    if kind in ("array", "map", "object"):
        document = synthesise(op["response_body_type"], facts["models"])
        return document, json.dumps(document).encode()
    if kind == "string":
        return "text-result", json.dumps("text-result").encode()
    if kind == "binary":
        return b"\x00binary\xff", b"\x00binary\xff"
    return None, b""


COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="module")
def upload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file a multipart operation uploads (one for the module: a directory per test costs more than the test)."""
    path = tmp_path_factory.mktemp("oracle") / "upload.txt"
    path.write_bytes(b"file-bytes")
    return path


@pytest.mark.parametrize(("package", "version", "name"), list(cases()))
def test_generated_operation_matches_the_official_sdk(package: str, version: str, name: str, upload: Path) -> None:
    facts = FACTS[package]["versions"][version]
    op = next(op for op in facts["operations"] if op["name"] == name)
    inputs = {param["name"]: argument(param) for param in op["params"] if param["in"] != "body"}
    body_param = next((param for param in op["params"] if param["in"] == "body"), None)
    body = None
    if body_param is not None:
        body = "text-body" if op["body_kind"] == "string" else synthesise(body_param["type"], facts["models"])
    official = official_request(package, version, op, inputs, body, [str(upload)])

    expected_result, answer = response_document(facts, op)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=answer)

    async def call() -> Any:
        async with hw.AsyncHuaweiCloud(
            region=REGION, credentials=hw.Credentials(ak="AKOURS", sk="sk-ours"), project=PROJECT, account=DOMAIN,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), environ={},
        ) as cloud:
            client = getattr(cloud, f"{package}_{version}")
            kwargs = {generate.python_name(key): value for key, value in inputs.items()}
            if body is not None:
                ours_body = body
                if op["body_kind"] == "multipart":
                    ours_body = {key: (upload.name, value) if isinstance(value, bytes) else value
                                 for key, value in body.items()}
                kwargs["body"] = ours_body
            return await getattr(client, name)(**kwargs)

    result = asyncio.run(call())
    assert len(seen) == 1
    ours = seen[0]

    # Method, host, raw path, query as a multiset.
    official_url = urlsplit(official.url)
    assert ours.method == official.method
    assert ours.url.host == official_url.hostname
    assert ours.url.raw_path.decode().split("?")[0] == official_url.path
    assert Counter(parse_qsl(ours.url.query.decode(), keep_blank_values=True)) == Counter(
        parse_qsl(official_url.query, keep_blank_values=True)
    )
    # Declared headers, scope headers, content type.
    headers = {key.lower(): value for key, value in official.header_params.items()}
    for param in op["params"]:
        if param["in"] == "header":
            assert ours.headers.get(param["wire"]) == headers.get(param["wire"].lower()), param["wire"]
    for scope_header in ("x-project-id", "x-domain-id"):
        assert ours.headers.get(scope_header) == headers.get(scope_header), scope_header
    official_type_header = headers.get("content-type", "")
    if op["body_kind"] == "multipart":
        assert ours.headers["content-type"].startswith("multipart/form-data; boundary=")
        assert official_type_header.startswith("multipart/form-data; boundary=")
    else:
        assert ours.headers.get("content-type") == official_type_header
    # Body.
    official_body = official.body
    if op["body_kind"] == "multipart":
        official_parts = multipart_parts(*official_body)
        assert multipart_parts(ours.content, ours.headers["content-type"]) == official_parts
    elif op["body_kind"] == "form":
        assert dict(parse_qsl(ours.content.decode())) == {key: str(value) for key, value in official_body.items()}
    elif op["body_kind"] == "string":
        assert ours.content.decode() == official_body
    elif official_body is None or official_body == "":
        assert ours.content == b""
    else:
        assert json.loads(ours.content) == json.loads(official_body)
    # Response.
    if op["response_kind"] in ("none", "binary"):
        assert result == expected_result
    else:
        assert wire_of(result) == expected_result
    COUNTS[f"{package}_{version}"] += 1


def test_every_generated_service_is_in_the_registry() -> None:
    keys = {f"{package}_{version}" for package, document in FACTS.items() for version in document["versions"]}
    assert keys <= set(SERVICES)
    assert not {key for key in DIFFERENCES if key.split(".")[0] not in keys}, "a listed difference names no service"


def test_every_listed_difference_has_a_reason() -> None:
    assert all(reason.strip() for reason in DIFFERENCES.values())

