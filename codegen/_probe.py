"""Observe the official SDK's behaviour without a network: where request attributes go, which fields are required.

* ``probe_operation`` calls a client's ``_<operation>_http_info(request)`` with a request whose attributes are
  unique marker objects and reports where each marker lands in the returned dict (path, query, header, form,
  body, cname), plus the method, path template, content type, collection formats and response headers.
* ``required_attributes`` builds a model with no arguments through a subclass whose properties record the
  setter calls: the official ``__init__`` assigns required attributes unconditionally and optional ones only
  when they are not ``None``, so the recorded set is the required set.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


class ProbeError(RuntimeError):
    """The returned http_info holds something the probe does not understand; the facts would be incomplete."""


class Marker:
    """A unique value standing for one request attribute."""

    __slots__ = ("attribute",)

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __repr__(self) -> str:
        return f"<marker {self.attribute}>"


# Where a marker can land: http_info key -> the facts' "in" value.
_DICT_LOCATIONS = {"path_params": "path", "header_params": "header", "post_params": "form"}
_KNOWN_KEYS = frozenset(
    {
        "method",
        "resource_path",
        "request_type",
        "response_type",
        "cname",
        "collection_formats",
        "path_params",
        "query_params",
        "header_params",
        "post_params",
        "body",
        "response_headers",
    }
)
CONTENT_TYPE = "Content-Type"


@dataclass
class Probe:
    """What one ``_<operation>_http_info`` call showed."""

    method: str
    path: str
    response_type: str
    content_type: str | None
    # request attribute -> [(location, wire name)], for the request class's own attributes
    landings: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # the same for names the method reads that the request class does not have (the official SDK never sends them)
    unbound: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    collection_formats: dict[str, str] = field(default_factory=dict)
    response_headers: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def http_info_function(client: type[Any], operation: str) -> Callable[[Any], dict[str, Any]]:
    """The bound ``_<operation>_http_info`` of a sync client (a classmethod there: no instance is needed)."""
    function: Callable[[Any], dict[str, Any]] = getattr(client, f"_{operation}_http_info")
    return function


def _code_strings(function: Callable[..., Any]) -> Iterable[str]:
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    if code is None:
        return ()
    return (const for const in code.co_consts if isinstance(const, str))


def response_type_of(function: Callable[[Any], dict[str, Any]]) -> str:
    """The response class name, from a call with an empty stand-in request."""
    info = function(types.SimpleNamespace(attribute_map={}))
    return str(info["response_type"])


def marked_request(request_class: type[Any], function: Callable[..., Any]) -> tuple[Any, dict[str, Marker], set[str]]:
    """An instance of ``request_class`` whose attributes are markers.

    Names the operation's code mentions that the class lacks are added too (as instance attributes and to an
    instance ``attribute_map``), so that reads of attributes the class does not define become visible.
    """
    request = _instantiate(request_class)
    markers: dict[str, Marker] = {}
    for attribute in request_class.attribute_map:
        marker = Marker(attribute)
        setattr(request, attribute, marker)
        if getattr(request, attribute) is not marker:
            raise ProbeError(f"{request_class.__name__}.{attribute} does not read back what was set")
        markers[attribute] = marker
    extra: set[str] = set()
    for name in _code_strings(function):
        if name.isidentifier() and not name.startswith("_") and not hasattr(request, name):
            extra.add(name)
            marker = Marker(name)
            setattr(request, name, marker)
            markers[name] = marker
    if extra:
        request.attribute_map = {**request_class.attribute_map, **{name: name for name in sorted(extra)}}
    return request, markers, extra


def probe_operation(function: Callable[[Any], dict[str, Any]], request_class: type[Any]) -> Probe:
    request, _, extra = marked_request(request_class, function)
    info = function(request)
    return read_http_info(info, request_class, extra)


def read_http_info(info: dict[str, Any], request_class: type[Any], extra: set[str]) -> Probe:
    unknown = set(info) - _KNOWN_KEYS
    if unknown:
        raise ProbeError(f"http_info keys the probe does not know: {sorted(unknown)}")
    headers = dict(info.get("header_params") or {})
    content_type = headers.pop(CONTENT_TYPE, None)
    if content_type is not None and not isinstance(content_type, str):
        raise ProbeError(f"Content-Type is not a string: {content_type!r}")
    probe = Probe(
        method=str(info["method"]),
        path=str(info["resource_path"]),
        response_type=str(info["response_type"]),
        content_type=content_type,
        collection_formats={str(k): str(v) for k, v in (info.get("collection_formats") or {}).items()},
        response_headers=[str(name) for name in info.get("response_headers") or []],
        raw=info,
    )

    def land(value: Any, location: str, wire: str) -> None:
        if not isinstance(value, Marker):
            raise ProbeError(f"{location} {wire!r} holds {value!r}, not a request attribute")
        target = probe.unbound if value.attribute in extra else probe.landings
        target.setdefault(value.attribute, []).append((location, wire))

    for key, location in _DICT_LOCATIONS.items():
        source = headers if key == "header_params" else info.get(key) or {}
        for wire, value in source.items():
            land(value, location, str(wire))
    for pair in info.get("query_params") or []:
        wire, value = pair
        land(value, "query", str(wire))
    body = info.get("body")
    if body is not None:
        land(body, "body", _wire(request_class, body))
    cname = info.get("cname")
    if cname is not None:
        land(cname, "cname", _wire(request_class, cname))
    return probe


def _wire(request_class: type[Any], value: Any) -> str:
    if isinstance(value, Marker):
        return str(request_class.attribute_map.get(value.attribute, value.attribute))
    return ""


def _instantiate(cls: type[Any]) -> Any:
    """``cls()`` with ``None`` for any positional parameter ``__init__`` requires (stream responses take one)."""
    signature = inspect.signature(cls.__init__)
    required = [
        parameter
        for name, parameter in signature.parameters.items()
        if name != "self"
        and parameter.default is inspect.Parameter.empty
        and parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    return cls(*[None] * len(required))


def required_attributes(cls: type[Any]) -> frozenset[str]:
    """The attributes whose setter the official ``__init__`` calls even when given ``None``."""
    assigned: set[str] = set()

    def recorder(attribute: str) -> property:
        def fset(self: Any, value: Any) -> None:
            assigned.add(attribute)

        return property(lambda self: None, fset)

    namespace: dict[str, Any] = {attribute: recorder(attribute) for attribute in cls.openapi_types}
    _instantiate(type(f"_Recording{cls.__name__}", (cls,), namespace))
    return frozenset(assigned)
