"""Extract facts (no code, no prose) from the pinned official Huawei Cloud SDK packages into ``codegen/facts/``.

Usage (from the repository root, in the dev venv)::

    python -m codegen.extract                 # all 20 packages -> codegen/facts/<package>.json, prints counts
    python -m codegen.extract vpc as          # only these packages
    python -m codegen.extract --check         # exit 1 if a snapshot differs from a fresh extraction (drift)

The format is described in ``codegen/README.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python codegen/extract.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "codegen"

from codegen import _official, _probe, _types

FACTS_DIR = Path(__file__).resolve().parent / "facts"
FORMAT_VERSION = 1

Facts = dict[str, Any]

# Path placeholders the official client fills from the credentials (BasicCredentials / GlobalCredentials).
_CREDENTIAL_PATH_PARAMS = frozenset({"project_id", "domain_id"})
_METADATA_ATTRIBUTES = frozenset({"openapi_types", "attribute_map", "sensitive_list", "discriminator"})
_BODY_KIND_BY_CONTENT_TYPE = (
    ("multipart/form-data", "multipart"),
    ("application/x-www-form-urlencoded", "form"),
    ("json-patch", "patch"),
    ("application/octet-stream", "binary"),
)


class ExtractionError(RuntimeError):
    """An official package does not fit the assumptions the facts rely on."""


# ---------------------------------------------------------------------------------------------- models


def _enum_values(cls: type[Any]) -> list[Any] | None:
    """The allowed values of an official enum model (a class with no fields and upper-case constants)."""
    if cls.openapi_types:
        return None
    values = [
        value
        for name, value in vars(cls).items()
        if not name.startswith("__")
        and name not in _METADATA_ATTRIBUTES
        and not callable(value)
        and not isinstance(value, (classmethod, staticmethod, property))
    ]
    if not values:
        return None
    if not all(isinstance(value, (str, int)) and not isinstance(value, bool) for value in values):
        raise ExtractionError(f"{cls.__name__}: enum values of unexpected types")
    return values


def _fields(service: _official.ServiceVersion, cls: type[Any], skip: frozenset[str] = frozenset()) -> list[Facts]:
    if list(cls.openapi_types) != list(cls.attribute_map):
        raise ExtractionError(f"{cls.__name__}: openapi_types and attribute_map name different attributes")
    unknown_sensitive = set(cls.sensitive_list) - set(cls.openapi_types)
    if unknown_sensitive:
        raise ExtractionError(f"{cls.__name__}: sensitive_list names unknown attributes {sorted(unknown_sensitive)}")
    required = _probe.required_attributes(cls)
    return [
        {
            "name": name,
            "wire": cls.attribute_map[name],
            "type": _types.normalise(official, service.has_model),
            "required": name in required,
            "sensitive": name in cls.sensitive_list,
        }
        for name, official in cls.openapi_types.items()
        if name not in skip
    ]


def _model_facts(service: _official.ServiceVersion, name: str, skip: frozenset[str] = frozenset()) -> Facts:
    cls = service.model(name)
    return {"fields": _fields(service, cls, skip), "enum": _enum_values(cls)}


# ------------------------------------------------------------------------------------------ operations


def _body_kind(body_type: str | None, content_type: str | None, stream_request: bool) -> str:
    if stream_request:
        return "binary"
    if body_type is None:
        return "none"
    for marker, kind in _BODY_KIND_BY_CONTENT_TYPE:
        if content_type is not None and marker in content_type:
            return kind
    outer = _types.outer_kind(body_type)
    return outer if outer in ("array", "map", "string", "object") else "model"


def _operation(
    service: _official.ServiceVersion, name: str, warnings: list[str]
) -> tuple[Facts, dict[str, frozenset[str]]]:
    """The facts of one operation, and the response class name with the attributes its model entry leaves out."""
    from huaweicloudsdkcore.sdk_stream_request import SdkStreamRequest  # type: ignore[import-untyped]
    from huaweicloudsdkcore.sdk_stream_response import SdkStreamResponse  # type: ignore[import-untyped]

    function = _probe.http_info_function(service.client, name)
    response_name = _probe.response_type_of(function)
    if not response_name.endswith("Response"):
        raise ExtractionError(f"{name}: response type {response_name!r} does not end in Response")
    request_name = response_name[: -len("Response")] + "Request"
    request_cls = service.model(request_name)
    probe = _probe.probe_operation(function, request_cls)
    _check_async_twin(service, name, request_cls, probe)
    required = _probe.required_attributes(request_cls)

    if list(request_cls.openapi_types) != list(request_cls.attribute_map):
        raise ExtractionError(f"{request_name}: openapi_types and attribute_map name different attributes")
    params: list[Facts] = []
    for attribute, official in request_cls.openapi_types.items():
        landings = probe.landings.get(attribute, [])
        if len(landings) > 1:
            raise ExtractionError(f"{name}: {attribute} lands in several places: {landings}")
        location, wire = landings[0] if landings else (None, request_cls.attribute_map[attribute])
        if location is None:
            warnings.append(
                f"{service.package} {service.version} {name}: request attribute {attribute!r} is never sent"
            )
        params.append(
            {
                "name": attribute,
                "wire": wire,
                "in": location,
                "type": _types.normalise(official, service.has_model),
                "required": attribute in required,
                "collection": probe.collection_formats.get(wire) if location != "body" else None,
                "sensitive": attribute in request_cls.sensitive_list,
            }
        )
    for attribute, spots in sorted(probe.unbound.items()):
        warnings.append(
            f"{service.package} {service.version} {name}: reads {attribute!r} into {spots}, "
            f"but {request_name} has no such attribute (never sent)"
        )
    wires = [(p["in"], p["wire"]) for p in params if p["in"] is not None]
    if len(wires) != len(set(wires)):
        raise ExtractionError(f"{name}: two attributes share a wire name")
    collection_wires = {p["wire"] for p in params if p["collection"] is not None}
    if set(probe.collection_formats) - collection_wires:
        raise ExtractionError(f"{name}: collection formats for unknown wire names {probe.collection_formats}")

    placeholders = re.findall(r"\{([^}]+)\}", probe.path)
    bound = {p["wire"] for p in params if p["in"] == "path"}
    if bound - set(placeholders):
        raise ExtractionError(f"{name}: path parameters {sorted(bound - set(placeholders))} are not in {probe.path}")
    from_credentials = sorted(set(placeholders) - bound)
    if set(from_credentials) - _CREDENTIAL_PATH_PARAMS:
        raise ExtractionError(f"{name}: placeholders {from_credentials} of {probe.path} are bound to nothing")

    body_params = [p for p in params if p["in"] == "body"]
    if len(body_params) > 1:
        raise ExtractionError(f"{name}: more than one body attribute")
    stream_request = issubclass(request_cls, SdkStreamRequest)
    body_type = body_params[0]["type"] if body_params else None

    response_cls = service.model(response_name)
    skip, header_facts, bare = _response_parts(service, response_cls, probe.response_headers, warnings, name)
    if issubclass(response_cls, SdkStreamResponse):
        response_kind, response_body_type = "binary", None
    elif bare is not None:
        response_body_type = bare
        outer = _types.outer_kind(bare)
        response_kind = outer if outer in ("array", "map", "string", "object") else "model"
    else:
        response_body_type = None
        json_fields = [a for a in response_cls.openapi_types if a not in skip]
        response_kind = "model" if json_fields else "none"

    facts: Facts = {
        "name": name,
        "method": probe.method,
        "path": probe.path,
        "request": request_name,
        "params": params,
        "credential_path_params": from_credentials,
        "content_type": probe.content_type,
        "body_kind": _body_kind(body_type, probe.content_type, stream_request),
        "response": response_name,
        "response_kind": response_kind,
        "response_body_type": response_body_type,
        "response_headers": header_facts,
    }
    return facts, {response_name: skip}


def _response_parts(
    service: _official.ServiceVersion,
    response_cls: type[Any],
    response_headers: list[str],
    warnings: list[str],
    operation: str,
) -> tuple[frozenset[str], list[Facts], str | None]:
    """Split a response class: header-bound attributes, the bare-body attribute (wire key ``body``), JSON fields."""
    by_wire = {wire: attribute for attribute, wire in response_cls.attribute_map.items()}
    header_facts: list[Facts] = []
    skip: set[str] = set()
    for header in response_headers:
        attribute = by_wire.get(header)
        if attribute is None:
            warnings.append(
                f"{service.package} {service.version} {operation}: response header {header!r} "
                f"has no attribute on {response_cls.__name__} (the official SDK drops it)"
            )
            header_facts.append({"name": None, "wire": header, "type": "str"})
            continue
        skip.add(attribute)
        official = response_cls.openapi_types[attribute]
        header_facts.append({"name": attribute, "wire": header, "type": _types.normalise(official, service.has_model)})
    bare: str | None = None
    body_attribute = by_wire.get("body")
    if body_attribute is not None and body_attribute not in skip:
        bare = _types.normalise(response_cls.openapi_types[body_attribute], service.has_model)
        skip.add(body_attribute)
        others = [a for a in response_cls.openapi_types if a not in skip]
        if others:
            raise ExtractionError(f"{operation}: bare body plus JSON fields {others}")
    return frozenset(skip), header_facts, bare


def _check_async_twin(
    service: _official.ServiceVersion, name: str, request_cls: type[Any], probe: _probe.Probe
) -> None:
    """The async client must build the same http_info for the same request (it is the same template)."""
    if service.async_client is None:
        return
    twin = vars(service.async_client).get(f"_{name}_http_info")
    if twin is None:
        raise ExtractionError(f"{service.package} {service.version}: {name} has no async twin")
    function = twin.__func__ if isinstance(twin, (classmethod, staticmethod)) else twin
    sync_function = _probe.http_info_function(service.client, name)
    request, _, extra = _probe.marked_request(request_cls, sync_function)
    args = (service.async_client, request) if isinstance(twin, classmethod) else (None, request)
    other = _probe.read_http_info(function(*args), request_cls, extra)
    if (
        other.method,
        other.path,
        other.response_type,
        other.content_type,
        other.landings,
        other.collection_formats,
        other.response_headers,
    ) != (
        probe.method,
        probe.path,
        probe.response_type,
        probe.content_type,
        probe.landings,
        probe.collection_formats,
        probe.response_headers,
    ):
        raise ExtractionError(f"{service.package} {service.version} {name}: async client differs from the sync one")


def operation_names(client: type[Any]) -> list[str]:
    """Official operation names: public methods with a ``_<name>_http_info`` template, sorted."""
    names = []
    for attribute in dir(client):
        if attribute.startswith("_") and attribute.endswith("_http_info"):
            name = attribute[1 : -len("_http_info")]
            if callable(getattr(client, name, None)):
                names.append(name)
    return sorted(names)


# ------------------------------------------------------------------------------------------- versions


def _reachable_models(
    service: _official.ServiceVersion, operations: list[Facts], response_skips: dict[str, frozenset[str]]
) -> dict[str, Facts]:
    models: dict[str, Facts] = {}
    pending: list[str] = []
    for operation in operations:
        models[operation["response"]] = _model_facts(
            service, operation["response"], response_skips[operation["response"]]
        )
        for param in operation["params"]:
            if param["in"] in ("body", "form"):
                pending.extend(_types.model_names(param["type"]))
        if operation["response_body_type"]:
            pending.extend(_types.model_names(operation["response_body_type"]))
        for header in operation["response_headers"]:
            pending.extend(_types.model_names(header["type"]))
        for field in models[operation["response"]]["fields"]:
            pending.extend(_types.model_names(field["type"]))
    response_names = set(response_skips)
    while pending:
        name = pending.pop()
        if name in models:
            if name in response_names and response_skips[name]:
                raise ExtractionError(f"{name} is a response with header/body attributes and also a nested model")
            continue
        models[name] = _model_facts(service, name)
        for field in models[name]["fields"]:
            pending.extend(_types.model_names(field["type"]))
    return models


def extract_operation(package: str, version: str, name: str) -> tuple[Facts, list[str]]:
    """The facts of one operation (as in the snapshot) and the anomalies noticed; for tests and debugging."""
    warnings: list[str] = []
    facts, _ = _operation(_official.load(package, version), name, warnings)
    return facts, warnings


def extract_version(package: str, version: str, warnings: list[str] | None = None) -> Facts:
    warnings = [] if warnings is None else warnings
    service = _official.load(package, version)
    credential_types = _official.credential_types(service)
    operations: list[Facts] = []
    response_skips: dict[str, frozenset[str]] = {}
    for name in operation_names(service.client):
        facts, skips = _operation(service, name, warnings)
        for response, skip in skips.items():
            if response in response_skips and response_skips[response] != skip:
                raise ExtractionError(f"{response} is the response of two operations that bind it differently")
            response_skips[response] = skip
        operations.append(facts)
    return {
        "scope": "global" if "GlobalCredentials" in credential_types else "project",
        "credential_types": credential_types,
        "derived_auth_service_name": _official.derived_auth_service_name(service),
        "client": service.client.__name__,
        "regions": _official.regions(service),
        "operations": operations,
        "models": _reachable_models(service, operations, response_skips),
    }


def extract_package(package: str, warnings: list[str] | None = None) -> Facts:
    installed = _official.installed_version(package)
    if installed != _official.PIN:
        raise ExtractionError(f"{_official.distribution(package)} {installed} is installed, the pin is {_official.PIN}")
    return {
        "format": FORMAT_VERSION,
        "package": _official.distribution(package),
        "pin": installed,
        "versions": {
            version: extract_version(package, version, warnings) for version in _official.api_versions(package)
        },
    }


def dumps(facts: Facts) -> str:
    """The snapshot text: deterministic, one key per line, a final newline."""
    return json.dumps(facts, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def facts_path(package: str, directory: Path = FACTS_DIR) -> Path:
    return directory / f"{package}.json"


# ---------------------------------------------------------------------------------------------- counts

COUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ops", "operations"),
    ("models", "models"),
    ("no_pid", "operations without {project_id} in the path (outside IAM)"),
    ("hdr", "operations with header parameters"),
    ("xlang", "operations with an X-Language header parameter"),
    ("none", "responses without a body"),
    ("bare", "bare array/string/map/object responses"),
    ("bin", "binary (stream) responses"),
    ("arrbody", "bare-array request bodies"),
    ("mpf", "multipart, form or JSON-patch request bodies"),
)


def version_counts(package: str, facts: Facts) -> dict[str, int]:
    operations = facts["operations"]

    def count(predicate: Any) -> int:
        return sum(1 for operation in operations if predicate(operation))

    return {
        "ops": len(operations),
        "models": len(facts["models"]),
        "no_pid": 0 if package == "iam" else count(lambda o: "{project_id}" not in o["path"]),
        "hdr": count(lambda o: any(p["in"] == "header" for p in o["params"])),
        "xlang": count(lambda o: any(p["in"] == "header" and p["wire"].lower() == "x-language" for p in o["params"])),
        "none": count(lambda o: o["response_kind"] == "none"),
        "bare": count(lambda o: o["response_kind"] in ("array", "string", "map", "object")),
        "bin": count(lambda o: o["response_kind"] == "binary"),
        "arrbody": count(lambda o: any(p["in"] == "body" and p["type"].startswith("list[") for p in o["params"])),
        "mpf": count(lambda o: o["body_kind"] in ("multipart", "form", "patch")),
    }


def format_counts(rows: Iterable[tuple[str, dict[str, int]]]) -> str:
    keys = [key for key, _ in COUNT_COLUMNS]
    lines = [f"{'package/version':<18}" + "".join(f"{key:>8}" for key in keys)]
    total = dict.fromkeys(keys, 0)
    for label, counts in rows:
        lines.append(f"{label:<18}" + "".join(f"{counts[key]:>8}" for key in keys))
        for key in keys:
            total[key] += counts[key]
    lines.append(f"{'total':<18}" + "".join(f"{total[key]:>8}" for key in keys))
    lines.append("")
    lines.extend(f"  {key:<8} {meaning}" for key, meaning in COUNT_COLUMNS)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codegen.extract", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "packages", nargs="*", metavar="PACKAGE", help=f"short names (default: all of {' '.join(_official.PACKAGES)})"
    )
    parser.add_argument(
        "--out", type=Path, default=FACTS_DIR, help="directory for <package>.json (default: %(default)s)"
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a snapshot differs")
    parser.add_argument("--warnings", action="store_true", help="print the anomalies noticed while extracting")
    args = parser.parse_args(argv)
    unknown = [p for p in args.packages if p not in _official.PACKAGES]
    if unknown:
        parser.error(f"not among the covered packages: {' '.join(unknown)}")
    packages = args.packages or list(_official.PACKAGES)

    rows: list[tuple[str, dict[str, int]]] = []
    warnings: list[str] = []
    drifted: list[str] = []
    for package in packages:
        facts = extract_package(package, warnings)
        text = dumps(facts)
        path = facts_path(package, args.out)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                drifted.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for version, version_facts in facts["versions"].items():
            rows.append((f"{package} {version}", version_counts(package, version_facts)))
    print(format_counts(rows))
    if args.warnings or warnings:
        print(f"\n{len(warnings)} anomalies" + (":" if args.warnings else " (--warnings lists them)"))
        if args.warnings:
            print("\n".join(f"  {line}" for line in warnings))
    if drifted:
        print(
            "\nfacts differ from the installed packages (run `make facts`):\n  " + "\n  ".join(drifted), file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
