"""The spec-driven tier: answers every operation of the generated services that no stateful emulator handles.

The per-service spec files (``specs/<package>_<version>.json``, written by ``codegen/emulator_spec.py`` from the
facts snapshot of the official SDK) give each operation's method, path template, parameters, required body fields
and response shape. A request is matched to one operation by host (``<prefix>.<region>.myhuaweicloud.com``) and
path, or by path alone on a served emulator's single base URL; its required query and header parameters and
required top-level body fields are checked (a 400 naming the first one missing), and the answer is synthesised
from the response skeleton: every field present, with a value of its type.

The 400 is in the API Gateway's dialect, as the emulator's other gateway answers: ``APIGW.0201``, "API request
error", 400, "Invalid request parameters" (the API signing guide's error codes, devg-apisign/api-sign-errorcode),
with ``error_code``/``error_msg``/``request_id``; the stateful services get the same check first. Services
answered from the spec only have no state: a created resource is not listed afterwards.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, unquote

from ._base import EmulatedRequest, EmulatedResponse
from ._routes import JsonObject, json_response, query_params

__all__ = [
    "SPEC_400_CODE",
    "SpecCatalog",
    "SpecOperation",
    "catalog",
]

SPEC_400_CODE = "APIGW.0201"
# Services with a stateful emulator come first when the same method and path template exist in several services
# (a served emulator routes by path alone); the rest alphabetically.
_PREFERRED_HOSTS = ("ecs", "iam", "evs", "vpc", "ims")
_WRAPPED = re.compile(r"^(?:list\[(?P<item>.+)\]|dict\[str, (?P<value>.+)\])$")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_MAX_DEPTH = 6
_LIST_DEPTH = 4
EMULATED_TIME = "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class SpecParam:
    wire: str
    where: str  # path | query | header
    required: bool
    type: str


@dataclass(frozen=True)
class SpecOperation:
    """One operation of one package-version, as its spec file describes it."""

    key: str  # <package>_<version>
    service: str
    host: str
    name: str
    method: str
    path: str
    params: tuple[SpecParam, ...]
    body_kind: str
    body_required: tuple[str, ...]
    response_kind: str
    response_type: str
    segments: tuple[str, ...] = field(repr=False)
    # Where several operations share a method and path: the body's required fields, nested, with their kinds.
    shape: tuple[str, ...] = field(default=(), repr=False)

    @property
    def rank(self) -> tuple[int, ...]:
        """Literal segments before placeholders, position by position: the most specific template wins."""
        return tuple(1 if "{" in segment else 0 for segment in self.segments)


@dataclass(frozen=True)
class Version:
    key: str
    service: str
    host: str
    scope: str
    models: Mapping[str, Any]
    operations: tuple[SpecOperation, ...]


def _split(path: str) -> tuple[str, ...]:
    return tuple(segment for segment in path.split("/")[1:]) if path != "/" else ()


class SpecCatalog:
    """Every spec-described operation, matched by (host prefix, method, path)."""

    def __init__(self, documents: Iterable[Mapping[str, Any]]) -> None:
        self.versions: dict[str, Version] = {}
        for document in documents:
            key = f"{document['package']}_{document['version']}"
            operations = tuple(
                SpecOperation(
                    key=key,
                    service=document["service"],
                    host=document["host"],
                    name=op[0],
                    method=op[1],
                    path=op[2],
                    params=tuple(SpecParam(*param) for param in op[3]),
                    body_kind=op[4],
                    body_required=tuple(op[5]),
                    response_kind=op[6],
                    response_type=op[7],
                    segments=_split(op[2]),
                    shape=tuple(op[8]),
                )
                for op in document["ops"]
            )
            self.versions[key] = Version(
                key, document["service"], document["host"], document["scope"], document["models"], operations
            )
        self.hosts = frozenset(version.host for version in self.versions.values())
        host_order = {host: index for index, host in enumerate(_PREFERRED_HOSTS)}
        every = [op for version in self.versions.values() for op in version.operations]
        every.sort(key=lambda op: (op.rank, host_order.get(op.host, len(host_order)), op.host, op.key))
        # (method, segment count) -> candidates in preference order
        self._index: dict[tuple[str, int], list[SpecOperation]] = {}
        for op in every:
            self._index.setdefault((op.method, len(op.segments)), []).append(op)
        self._reserved = _reserved_literals(every)
        # Operations one method and template serve together (RDS's POST .../instances/{id}/action, DNS's GET
        # /v2/zones for public and private zones): the body or query tells them apart.
        self._siblings: dict[tuple[str, str, tuple[str, ...]], list[SpecOperation]] = {}
        for op in every:
            self._siblings.setdefault((op.host, op.method, _shape(op.segments)), []).append(op)

    def operation(self, key: str, name: str) -> SpecOperation:
        return next(op for op in self.versions[key].operations if op.name == name)

    def match(
        self, method: str, raw_path: str, *, hosts: Collection[str] | None
    ) -> tuple[SpecOperation, dict[str, str]] | None:
        """The operation for ``method raw_path`` among those served on ``hosts`` (None: any host, path mode)."""
        segments = _split(raw_path.rstrip("/") or "/")
        for op in self._index.get((method, len(segments)), ()):
            if hosts is not None and op.host not in hosts:
                continue
            if hosts is None and (not op.segments or "{" in op.segments[0]):
                continue  # "/" and "/{version}" are OBS's on a single base URL
            values = self._bind(op, segments)
            if values is not None:
                return op, values
        return None

    def _bind(self, op: SpecOperation, segments: Sequence[str]) -> dict[str, str] | None:
        values: dict[str, str] = {}
        for index, (template, actual) in enumerate(zip(op.segments, segments, strict=True)):
            if "{" not in template:
                if template != actual:
                    return None
                continue
            value = unquote(actual)
            if not value or value in self._reserved.get((op.host, op.segments[:index]), ()):
                return None
            placeholder = _PLACEHOLDER.fullmatch(template)
            if placeholder is not None:
                values[placeholder[1]] = value
                continue
            # Several placeholders in one segment (DNS's "{region}:{floatingip_id}").
            parts = _segment_pattern(template).fullmatch(value)
            if parts is None:
                return None
            values.update(parts.groupdict())
        return values

    # --- answers -----------------------------------------------------------------------------------

    def chosen(self, op: SpecOperation, request: EmulatedRequest) -> tuple[SpecOperation, str | None]:
        """The operation among those sharing ``op``'s method and path that the request fits, or why none does.

        Several APIs may share one method and path (RDS's POST .../instances/{id}/action): the body or query tells
        which. When none fits, the reason says what each would need.
        """
        siblings = self._siblings.get((op.host, op.method, _shape(op.segments)), [op])
        problems = [(sibling, missing_parameter(sibling, request)) for sibling in siblings]
        fitting = self.fitting(op, request)
        if fitting:
            return fitting[0], None
        return op, "; or ".join(dict.fromkeys(problem for _, problem in problems if problem))

    def fitting(self, op: SpecOperation, request: EmulatedRequest) -> list[SpecOperation]:
        """The operations sharing ``op``'s method and path that the request fits, those it fits best first."""
        siblings = self._siblings.get((op.host, op.method, _shape(op.segments)), [op])
        fitting = [sibling for sibling in siblings if missing_parameter(sibling, request) is None]
        if len(fitting) > 1:
            document = _json_body(request)
            scores = {sibling.name: _shape_score(sibling.shape, document) for sibling in fitting}
            best = max(scores.values())
            fitting = [sibling for sibling in fitting if scores[sibling.name] == best]
        return fitting

    def siblings(self, op: SpecOperation) -> list[SpecOperation]:
        """The operations that share ``op``'s host, method and path template (``op`` among them)."""
        return list(self._siblings.get((op.host, op.method, _shape(op.segments)), [op]))

    def refusal(self, op: SpecOperation, request: EmulatedRequest, request_id: str) -> EmulatedResponse | None:
        """The gateway's 400 when a required parameter or body field is missing, else None."""
        _, problem = self.chosen(op, request)
        if problem is None:
            return None
        return json_response(400, {"error_code": SPEC_400_CODE, "error_msg": problem, "request_id": request_id})

    def answer(self, op: SpecOperation, values: Mapping[str, str], request: EmulatedRequest, request_id: str) -> (
        EmulatedResponse
    ):
        refused = self.refusal(op, request, request_id)
        if refused is not None:
            return refused
        fitting = self.fitting(op, request)
        op = fitting[0]
        if len(fitting) > 1 and all(sibling.response_kind == "model" for sibling in fitting):
            # The request fits several APIs equally: an answer every one of them can read.
            documents = [self.synthesise(sibling.key, sibling.response_type, values) for sibling in fitting]
            merged = documents[0]
            for other in documents[1:]:
                merged = _common(merged, other)
            return json_response(200, merged)
        known = dict(values)
        if op.response_kind == "none":
            return EmulatedResponse(status=204 if op.method == "DELETE" else 200)
        if op.response_kind == "binary":
            return EmulatedResponse(
                status=200, body=b"emulated binary content", headers={"Content-Type": "application/octet-stream"}
            )
        if op.response_kind == "string":
            return json_response(200, "emulated")
        document = self.synthesise(op.key, op.response_type, known)
        return json_response(200, document)

    def synthesise(self, key: str, type_name: str, known: Mapping[str, str] | None = None, *, blank: bool = False) -> (
        Any
    ):
        """A value of ``type_name`` (a model of ``key``, or a facts type) with every field present.

        ``known`` values fill string fields of the same wire name (a path parameter echoed in the answer);
        ``blank`` gives empty strings, zeros and empty lists: the base a stateful emulator overlays its state on.
        """
        return _Synthesiser(self.versions[key].models, known or {}, blank).value(type_name, 0, ())

    def fields(self, key: str, model: str) -> dict[str, str]:
        """Wire name → type of a response model's fields."""
        entry = self.versions[key].models.get(model)
        return {wire: type_name for wire, type_name in entry} if isinstance(entry, list) else {}


def _shape(segments: Sequence[str]) -> tuple[str, ...]:
    return tuple("{}" if "{" in segment else segment for segment in segments)


@cache
def _segment_pattern(template: str) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(template)
    return re.compile(
        "".join(f"(?P<{piece}>.+?)" if index % 2 else re.escape(piece) for index, piece in enumerate(pieces))
    )


def _reserved_literals(operations: Sequence[SpecOperation]) -> dict[tuple[str, tuple[str, ...]], set[str]]:
    """(host, segments before) → the literal segments that follow that prefix somewhere on the host.

    The gateway tells APIs apart by their static segments: ``/cloudservers/limits`` is not a server called
    ``limits``, whatever the method.
    """
    reserved: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for op in operations:
        normal = _shape(op.segments)
        for index, segment in enumerate(normal):
            if segment != "{}":
                reserved.setdefault((op.host, normal[:index]), set()).add(segment)
    # Keys above use "{}" for placeholders; lookups pass the template's own segments, so normalise both ways.
    result: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for op in operations:
        for index, segment in enumerate(op.segments):
            if "{" in segment:
                prefix = op.segments[:index]
                normal = _shape(prefix)
                result[(op.host, prefix)] = reserved.get((op.host, normal), set())
    return result


class _Synthesiser:
    def __init__(self, models: Mapping[str, Any], known: Mapping[str, str], blank: bool) -> None:
        self.models = models
        self.known = known
        self.blank = blank

    def value(self, type_name: str, depth: int, ancestry: tuple[str, ...], wire: str = "") -> Any:
        wrapped = _WRAPPED.match(type_name)
        if wrapped is not None:
            if wrapped["item"] is not None:
                if self.blank or depth >= _LIST_DEPTH:
                    return []
                return [self.value(wrapped["item"], depth + 1, ancestry, wire)]
            if self.blank or depth >= _LIST_DEPTH:
                return {}
            return {"key": self.value(wrapped["value"], depth + 1, ancestry, wire)}
        if type_name == "str":
            return self._string(wire)
        if type_name == "int":
            return 0 if self.blank else 1
        if type_name == "float":
            return 0.0 if self.blank else 1.0
        if type_name == "bool":
            return False
        if type_name == "datetime":
            return EMULATED_TIME
        if type_name == "date":
            return EMULATED_TIME[:10]
        if type_name in ("object", "file"):
            return {}
        entry = self.models.get(type_name)
        if entry is None:
            return {}
        if isinstance(entry, dict):  # an enum: its first value
            values = entry.get("enum") or [""]
            return values[0]
        document: JsonObject = {}
        if depth >= _MAX_DEPTH:
            return document
        for field_wire, field_type in entry:
            if _refers_to(field_type, ancestry + (type_name,), self.models):
                continue
            document[field_wire] = self.value(field_type, depth + 1, ancestry + (type_name,), field_wire)
        return document

    def _string(self, wire: str) -> str:
        if wire in self.known:
            return self.known[wire]
        if self.blank:
            return ""
        if wire == "id" or wire.endswith("_id"):
            return str(uuid.uuid4())
        if wire.endswith(("_at", "_time", "time")):
            return EMULATED_TIME
        return "emulated"


def _refers_to(type_name: str, ancestry: tuple[str, ...], models: Mapping[str, Any]) -> bool:
    wrapped = _WRAPPED.match(type_name)
    if wrapped is not None:
        return _refers_to(wrapped["item"] or wrapped["value"], ancestry, models)
    return type_name in ancestry


def _common(one: Any, other: Any) -> Any:
    """What two synthesised documents agree on: keys of the same JSON kind in both, recursively."""
    if isinstance(one, dict) and isinstance(other, dict):
        return {
            key: _common(value, other[key])
            for key, value in one.items()
            if key in other and _kind_of(value) == _kind_of(other[key])
        }
    if isinstance(one, list) and isinstance(other, list):
        return [_common(one[0], other[0])] if one and other and _kind_of(one[0]) == _kind_of(other[0]) else []
    return one


def _kind_of(value: Any) -> type:
    return bool if isinstance(value, bool) else float if isinstance(value, int | float) else type(value)


def _json_body(request: EmulatedRequest) -> Any:
    try:
        return json.loads(request.body) if request.body.strip() else None
    except (ValueError, RecursionError):
        return None


def _shape_score(shape: Sequence[str], document: Any) -> int:
    """How many of the required nested fields ``shape`` lists the body has, with the right JSON kind."""
    score = 0
    for entry in shape:
        path, _, kind = entry.rpartition(":")
        nodes = [document]
        for key in path.split("."):
            nodes = [item for node in nodes for item in (node if isinstance(node, list) else [node])]
            nodes = [node[key] for node in nodes if isinstance(node, dict) and key in node]
        if nodes and all(
            isinstance(node, list) if kind == "a" else isinstance(node, dict) if kind == "o" else True
            for node in nodes
        ):
            score += 1
    return score


def missing_parameter(op: SpecOperation, request: EmulatedRequest) -> str | None:
    """Why the request lacks something the operation requires (the first thing), or None."""
    query = query_params(request)
    for param in op.params:
        if not param.required:
            continue
        if param.where == "query" and not any(value != "" for value in query.get(param.wire, [])):
            return f"the required query parameter {param.wire!r} is missing"
        if param.where == "header" and not request.headers.get(param.wire.lower()):
            return f"the required header {param.wire!r} is missing"
    if op.body_kind in ("none", "binary", "string"):
        return None
    present = _body_fields(op.body_kind, request)
    if present is None:
        return "the request body is not valid JSON" if op.body_kind != "multipart" else None
    if isinstance(present, set):
        for wire in op.body_required:
            if wire not in present:
                return f"the required body field {wire!r} is missing"
    return None


def _body_fields(body_kind: str, request: EmulatedRequest) -> set[str] | list[Any] | None:
    """The top-level field names the body has (a JSON array: the list), or None when it does not parse."""
    if body_kind == "form":
        return {key for key, _ in parse_qsl(request.body.decode("latin-1"), keep_blank_values=True)}
    if body_kind == "multipart":
        return {name.decode("latin-1") for name in re.findall(rb'name="([^"]+)"', request.body)}
    if not request.body.strip():
        return set()
    try:
        document = json.loads(request.body)
    except (ValueError, RecursionError):
        return None
    if isinstance(document, dict):
        return {key for key, value in document.items() if value is not None}
    if isinstance(document, list):
        return document
    return set()


@cache
def catalog() -> SpecCatalog:
    """The catalog of every spec file shipped in ``hwcloud_client/testing/specs`` (read once)."""
    folder = resources.files("hwcloud_client.testing").joinpath("specs")
    documents = [
        json.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda item: item.name)
        if entry.name.endswith(".json")
    ]
    return SpecCatalog(documents)
