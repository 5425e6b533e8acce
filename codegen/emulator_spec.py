"""Compact per-service specs for the emulator's spec-driven tier, written from the facts snapshot into the package.

Usage (from the repository root)::

    python -m codegen.emulator_spec            # write src/hwcloud_client/testing/specs/<package>_<version>.json
    python -m codegen.emulator_spec --check    # write nothing; exit 1 if a spec file differs (CI drift check)

The emulator ships inside the package and ``codegen/`` does not, so what it needs from the facts is copied
here, minified: per operation its method, path template, parameters, body kind and the required top-level
body fields, response kind and type; per version the endpoint host prefix and the response models (wire
names and types only, nested). The format (``"format": 1``)::

    {"format": 1, "package": "vpc", "version": "v2", "service": "vpc", "host": "vpc", "scope": "project",
     "ops": [[name, method, path, [[wire, in, required, type], ...], body_kind, [required body wire names],
              response_kind, response_type, shape], ...],
     "models": {"Vpc": [[wire, type], ...], "SomeEnum": {"enum": [values]}}}

``in`` is ``path``, ``query`` or ``header`` (body and form parameters are described by the body fields);
``response_type`` is the response model, or the bare body's type for array/string/map/object kinds, or "".
``shape`` is set only where several operations of a version share one method and path (RDS's
``POST .../instances/{id}/action``, IAM's ``POST /v3.0/OS-ROLE/roles``): the body's required fields, nested, as
``"role.policy.Statement.Resource:a"`` (``o`` object, ``a`` array, ``s`` anything else), by which the emulator tells
which of them a request is.
Only models reachable from responses are kept: request models are the client's business.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FACTS_DIR = ROOT / "codegen" / "facts"
OVERRIDES = ROOT / "codegen" / "overrides" / "overrides.json"
SPECS_DIR = ROOT / "src" / "hwcloud_client" / "testing" / "specs"

_WRAPPED = re.compile(r"^(?:list\[(?P<item>.+)\]|dict\[str, (?P<value>.+)\])$")
_PRIMITIVES = frozenset({"str", "int", "float", "bool", "datetime", "date", "object", "file"})


def _model_names(type_name: str) -> list[str]:
    """The model names a facts type mentions (``list[dict[str, Tag]]`` → ``["Tag"]``)."""
    match = _WRAPPED.match(type_name)
    if match is not None:
        return _model_names(match["item"] or match["value"])
    return [] if type_name in _PRIMITIVES else [type_name]


def _host_prefix(regions: dict[str, list[str]]) -> str:
    """The most common host prefix of the region table (``vpc`` for EIP, ``swr-api`` for SWR)."""
    prefixes: Counter[str] = Counter()
    for region, endpoints in regions.items():
        for endpoint in endpoints:
            host = endpoint.split("://", 1)[-1]
            if f".{region}." in host:
                prefixes[host.split(f".{region}.", 1)[0]] += 1
    return prefixes.most_common(1)[0][0]


def _kind(type_name: str, models: dict[str, Any]) -> str:
    if type_name.startswith("list["):
        return "a"
    if type_name.startswith("dict[") or type_name == "object":
        return "o"
    model = models.get(type_name)
    return "o" if model is not None and model["enum"] is None else "s"


def body_shape(type_name: str, models: dict[str, Any], prefix: str = "", depth: int = 0) -> list[str]:
    """The required fields of a body model, nested (through lists too), with the JSON kind of each."""
    item = type_name
    while item.startswith("list["):
        item = item[5:-1]
    model = models.get(item)
    if model is None or model["enum"] is not None or depth > 5:
        return []
    shape = []
    for field in model["fields"]:
        if field["required"]:
            path = f"{prefix}{field['wire']}"
            shape.append(f"{path}:{_kind(field['type'], models)}")
            shape.extend(body_shape(field["type"], models, path + ".", depth + 1))
    return shape


def _shared_paths(operations: list[dict[str, Any]]) -> set[tuple[str, str]]:
    seen: Counter[tuple[str, str]] = Counter(
        (op["method"], re.sub(r"\{[^}]+\}", "{}", op["path"])) for op in operations
    )
    return {key for key, count in seen.items() if count > 1}


def version_spec(package: str, version: str, facts: dict[str, Any], service_names: dict[str, str]) -> dict[str, Any]:
    models: dict[str, Any] = facts["models"]
    ops = []
    wanted: list[str] = []
    shared = _shared_paths(facts["operations"])
    for op in facts["operations"]:
        params = [
            [param["wire"], param["in"], bool(param["required"]), param["type"]]
            for param in op["params"]
            if param["in"] in ("path", "query", "header")
        ]
        body = next((param for param in op["params"] if param["in"] == "body"), None)
        body_required: list[str] = []
        if body is not None and op["body_kind"] in ("model", "form", "multipart") and body["type"] in models:
            body_required = [field["wire"] for field in models[body["type"]]["fields"] if field["required"]]
        response_type = op["response"] if op["response_kind"] == "model" else op["response_body_type"] or ""
        wanted.extend(_model_names(response_type) if response_type else [])
        shape: list[str] = []
        if body is not None and (op["method"], re.sub(r"\{[^}]+\}", "{}", op["path"])) in shared:
            shape = body_shape(body["type"], models)
        ops.append(
            [op["name"], op["method"], op["path"], params, op["body_kind"], body_required, op["response_kind"],
             response_type, shape]
        )
    kept: dict[str, Any] = {}
    while wanted:
        name = wanted.pop()
        if name in kept or name not in models:
            continue
        model = models[name]
        if model["enum"] is not None:
            kept[name] = {"enum": model["enum"]}
            continue
        kept[name] = [[field["wire"], field["type"]] for field in model["fields"]]
        for field in model["fields"]:
            wanted.extend(_model_names(field["type"]))
    key = f"{package}_{version}"
    return {
        "format": 1,
        "package": package,
        "version": version,
        "service": service_names.get(key, package),
        "host": _host_prefix(facts["regions"]),
        "scope": facts["scope"],
        "ops": ops,
        "models": dict(sorted(kept.items())),
    }


def _service_names() -> dict[str, str]:
    """``<package>_<version>`` → the service name our generated client uses (its endpoint key)."""
    overrides = json.loads(OVERRIDES.read_text()) if OVERRIDES.exists() else {}
    return dict(overrides.get("service_names") or {})


def render() -> dict[Path, str]:
    service_names = _service_names()
    files: dict[Path, str] = {}
    for facts_file in sorted(FACTS_DIR.glob("*.json")):
        document = json.loads(facts_file.read_text())
        package = facts_file.stem
        for version, facts in sorted(document["versions"].items()):
            spec = version_spec(package, version, facts, service_names)
            text = json.dumps(spec, separators=(",", ":"), ensure_ascii=False, sort_keys=False) + "\n"
            files[SPECS_DIR / f"{package}_{version}.json"] = text
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.emulator_spec", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a spec file differs")
    args = parser.parse_args(argv)
    files = render()
    stale = sorted(path for path in SPECS_DIR.glob("*.json") if path not in files)
    differing = [path for path, text in files.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in differing + stale:
            print(f"out of date: {path.relative_to(ROOT)}", file=sys.stderr)
        if differing or stale:
            print("run `make emulator-spec`", file=sys.stderr)
            return 1
        return 0
    SPECS_DIR.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.unlink()
    for path in differing:
        path.write_text(files[path])
    total = sum(len(text.encode()) for text in files.values())
    print(f"{len(files)} spec files, {total / 1024:.0f} KiB, in {SPECS_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
