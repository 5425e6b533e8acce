"""Request routing and JSON answers shared by the emulated IAM and ECS."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
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
Handler = Callable[[EmulatedRequest, Sequence[str]], EmulatedResponse]


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
    except (UnicodeDecodeError, json.JSONDecodeError):
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
class Route:
    """``pattern`` is a path with ``{name}`` placeholders, each matching one percent-encoded segment."""

    method: str
    pattern: str
    handler: Handler

    def compiled(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\{[a-z_]+\}", "([^/]+)", self.pattern) + "/?$")


class Router:
    """Finds the handler of ``(method, path)``; the path parameters reach it percent-decoded."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self._routes = [(route.method, route.compiled(), route.handler) for route in routes]

    def dispatch(self, request: EmulatedRequest) -> EmulatedResponse:
        for method, pattern, handler in self._routes:
            if method != request.method:
                continue
            match = pattern.match(request.raw_path)
            if match is not None:
                try:
                    return handler(request, [unquote(group) for group in match.groups()])
                except ServiceError as error:
                    return json_response(error.status, error.body)
        raise RouteNotFound(f"{request.method} {request.raw_path}")
