"""Request routing shared by every emulated service (IAM, ECS, VPC/EIP, EVS, IMS and OBS), and their JSON answers.

The app's router (``_app._route``) picks the service by Host and path; within a service, a :class:`Router` over its
:class:`Route` table picks the handler by method, path template and, for OBS, the sub-resource (``?uploads``...).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, unquote

from ._base import EmulatedRequest, EmulatedResponse

__all__ = [
    "JsonObject",
    "Route",
    "RouteNotFound",
    "Router",
    "ServiceError",
    "iso_time",
    "json_response",
    "new_hex_id",
    "query_params",
    "read_json",
]

JsonObject = dict[str, Any]
# What a handler is given: the request (JSON services), or what its service resolved it to (OBS's call).
Context = TypeVar("Context")
Handler = Callable[[Context, Sequence[str]], EmulatedResponse]


class RouteNotFound(LookupError):
    """No API answers this method and path: the gateway's own 404 (``APIGW.0101``)."""


class ServiceError(Exception):
    """Raised by a handler to answer with an error status and the service's own error body."""

    def __init__(self, status: int, body: JsonObject) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def json_response(status: int, document: object, headers: Mapping[str, str] | None = None) -> EmulatedResponse:
    return EmulatedResponse(
        status=status,
        body=json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json;charset=UTF-8", **(headers or {})},
    )


def read_json(request: EmulatedRequest, invalid: Callable[[str], ServiceError]) -> JsonObject:
    """The body as a JSON object; ``invalid(reason)`` builds the service's 400 answer otherwise."""
    try:
        document = json.loads(request.body or b"null")
    # ValueError also covers bad UTF-8 and integers longer than Python converts; RecursionError, deep nesting.
    except (ValueError, RecursionError):
        raise invalid("the request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise invalid("the request body must be a JSON object")
    return document


def query_params(request: EmulatedRequest) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(request.raw_query, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    return params


def new_hex_id() -> str:
    """32 lower-case hex digits, the shape of Huawei project, domain, job and request ids."""
    return secrets.token_hex(16)


def iso_time(epoch_seconds: float, *, fraction_digits: int = 6) -> str:
    """``2024-01-02T03:04:05.000000Z`` (IAM) or, with 3 digits, ``...05.000Z`` (ECS jobs)."""
    whole = int(epoch_seconds)
    fraction = str(int((epoch_seconds - whole) * 10**fraction_digits)).zfill(fraction_digits)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{fraction}Z"


@dataclass(frozen=True)
class Route(Generic[Context]):
    """``pattern`` is a path with ``{name}`` placeholders, each matching one percent-encoded segment.

    ``sub_resource`` tells apart the APIs of one method and path by the sub-resource the query names (OBS's
    ``POST /{bucket}?delete``...); a route without one answers only requests that name none.
    """

    method: str
    pattern: str
    handler: Handler[Context]
    sub_resource: str | None = None

    def compiled(self) -> re.Pattern[str]:
        # re.split with a group alternates static text (escaped: "/v1.1" must not match "/v1x1") and names.
        pieces = re.split(r"\{([a-z_]+)\}", self.pattern)
        regex = "".join(f"(?P<{piece}>[^/]+)" if index % 2 else re.escape(piece) for index, piece in enumerate(pieces))
        return re.compile(f"^{regex}/?$")


class Router(Generic[Context]):
    """Finds the handler of ``(method, path)``; the path parameters reach it percent-decoded.

    ``reserved`` maps a placeholder to the names it never stands for: the static path segments by which the
    API Gateway tells other APIs apart at that place (``/cloudservers/limits`` is not the server ``limits``).
    """

    def __init__(
        self, routes: Sequence[Route[Context]], *, reserved: Mapping[str, Collection[str]] | None = None
    ) -> None:
        self._routes = [(route.method, route.sub_resource, route.compiled(), route.handler) for route in routes]
        self._reserved = dict(reserved or {})

    def find(
        self, method: str, path: str, sub_resource: str | None = None
    ) -> tuple[Handler[Context], list[str]] | None:
        """The handler of the first route matching, and its path parameters; None if no route matches."""
        for route_method, route_sub_resource, pattern, handler in self._routes:
            if route_method != method or route_sub_resource != sub_resource:
                continue
            match = pattern.match(path)
            if match is None:
                continue
            parameters = {name: unquote(value) for name, value in match.groupdict().items()}
            if any(value in self._reserved.get(name, ()) for name, value in parameters.items()):
                continue
            return handler, list(parameters.values())
        return None

    def dispatch(self: Router[EmulatedRequest], request: EmulatedRequest) -> EmulatedResponse:
        """A JSON service's answer to ``request``: its handler's, or the ServiceError it raised (RouteNotFound)."""
        found = self.find(request.method, request.raw_path)
        if found is None:
            raise RouteNotFound(f"{request.method} {request.raw_path}")
        handler, parameters = found
        try:
            return handler(request, parameters)
        except ServiceError as error:
            return json_response(error.status, error.body)
