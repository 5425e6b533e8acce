"""The runtime of the generated service clients (``services/<package>_<version>/``).

Every generated method is one line, ``return await self._invoke(_OPERATION, locals())``: the operation is
data (:class:`Op`, :class:`Param`) written by ``codegen/generate.py`` from the official SDK's facts, and
:meth:`GeneratedService._invoke` turns the keyword arguments into the request the official SDK sends
(path, query as repeated keys, the headers the caller gave, the body in the operation's content type) and
the response into the operation's result. Models are named by lazy ``"module:Name"`` references, resolved
and cached on the first call, so that importing a service imports none of its models.
"""

from __future__ import annotations

import json as _json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Literal, TypeVar, cast
from urllib.parse import urlencode

from pydantic import BaseModel, Field, PlainSerializer, SecretStr, TypeAdapter, ValidationError

from .._collector import CollectorPaused
from .._retry import IDEMPOTENCY_HEADER
from .._waiter import wait_until
from ..auth.flows import UNSIGNED
from ..endpoints import service_info
from ..errors import ConfigurationError, JobFailedError, MalformedResponseError
from ._base import ResultModel, Service, _first_problem

if TYPE_CHECKING:
    from .._response import Response

__all__ = ["Day", "FilePart", "GeneratedService", "Moment", "Op", "Param", "body_or_shorthand", "parameters"]

R = TypeVar("R")

BodyKind = Literal["none", "model", "array", "map", "string", "object", "multipart", "form", "patch", "binary"]
ResponseKind = Literal["model", "none", "array", "string", "map", "object", "binary"]
Location = Literal["path", "query", "header"]
_SELF_DESCRIBING = "/v3/auth/"

def _iso(value: datetime | date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


Moment = Annotated[datetime | str, Field(union_mode="left_to_right"), PlainSerializer(_iso, when_used="json")]
"""A date-time field: a ``datetime`` when it parses as one, else the string Huawei sent (kept, never an error).
Sent in ``isoformat()``, as the official SDK sends it."""

Day = Annotated[date | str, Field(union_mode="left_to_right"), PlainSerializer(_iso, when_used="json")]
"""A date field: a ``date`` when it parses as one, else the string Huawei sent."""

FilePart = Any
"""A file part of a multipart body: ``bytes``, a binary file object, or ``(filename, bytes | file object)``."""


@dataclass(frozen=True, slots=True)
class Param:
    """A path, query or header parameter: the keyword argument ``name``, sent as ``wire`` (``name`` if empty)."""

    name: str
    where: Location = "query"
    wire: str = ""


@cache
def parameters(spec: str) -> tuple[Param, ...]:
    """The parameters of an operation from its spec, ``"subnet_id@path limit x_language@header=X-Language"``.

    One token per parameter: the keyword argument, ``@path`` or ``@header`` (query if absent), and ``=wire``
    when the key on the wire differs from the argument's name.
    """
    found = []
    for token in spec.split():
        name_where, _, wire = token.partition("=")
        name, _, where = name_where.partition("@")
        found.append(Param(name, cast(Location, where or "query"), wire))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Op(Generic[R]):
    """One generated operation, as the official SDK's facts describe it.

    ``params`` is a spec for :func:`parameters`; ``body``/``result`` are lazy ``"module:Name"`` references,
    relative to the service package (just ``"Name"`` in the operation's own ``_<name>`` module), to a model
    class or a type alias such as ``list[Tag]``;
    ``content_type`` is sent verbatim, as the official SDK does.
    ``headers`` are the declared response headers copied onto a model result, as ``(field, header)`` pairs.
    ``unsigned``: the caller's ``Authorization`` header is the credential, so the request is not signed.
    """

    name: str
    method: str
    path: str
    params: str = ""
    body_kind: BodyKind = "none"
    body: str = ""
    content_type: str = "application/json"
    result_kind: ResponseKind = "model"
    result: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    unsigned: bool = False


class _Codec:
    """Validation and dumping of one body or result type: a model class directly, anything else (``list[Tag]``)
    through a TypeAdapter. A model needs no adapter, whose schema would cost as much again to build."""

    __slots__ = ("_adapter", "_model")

    def __init__(self, target: Any) -> None:
        is_model = isinstance(target, type) and issubclass(target, BaseModel)
        self._model: type[BaseModel] | None = target if is_model else None
        self._adapter: TypeAdapter[Any] = cast("TypeAdapter[Any]", None) if is_model else TypeAdapter(target)

    def validate_json(self, content: bytes) -> Any:
        if self._model is not None:
            return self._model.model_validate_json(content)
        return self._adapter.validate_json(content)

    def validate_python(self, value: object) -> Any:
        if self._model is not None:
            return value if isinstance(value, self._model) else self._model.model_validate(value)
        return self._adapter.validate_python(value)

    def dump(self, value: Any, mode: Literal["json", "python"]) -> Any:
        if self._model is not None:
            return value.model_dump(mode=mode, by_alias=True, exclude_none=True)
        return self._adapter.dump_python(value, mode=mode, by_alias=True, exclude_none=True)


@cache
def _codec(package: str, reference: str, operation: str) -> _Codec:
    module, _, name = reference.rpartition(":")
    return _Codec(getattr(import_module(f"{package}.{module or '_' + operation}"), name))


def _text(value: object) -> str:
    """A path, query or header value as the official SDK spells it (ISO 8601 datetimes, true/false)."""
    if isinstance(value, SecretStr):
        # A token given as a header parameter (IAM's X-Subject-Token): sent, never masked.
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _query_value(value: object) -> str | list[str]:
    if isinstance(value, list | tuple | set | frozenset):
        # Every collection goes out as repeated keys, even where declared csv: what the official core sends.
        return [_text(item) for item in value if item is not None]
    if isinstance(value, bytes | bytearray | memoryview):
        raise ConfigurationError("a query parameter is bytes: pass it as str (decode it first)")
    return _text(value)


def _multipart(fields: Mapping[str, Any]) -> tuple[bytes, str]:
    """Text parts first, then file parts (the official core's order), as ``multipart/form-data`` bytes."""
    import mimetypes
    import secrets

    boundary = secrets.token_hex(16)
    texts: list[bytes] = []
    files: list[bytes] = []
    for key, value in fields.items():
        if isinstance(value, str | int | float | bool | SecretStr):
            head = f'Content-Disposition: form-data; name="{key}"\r\n\r\n'
            texts.append(head.encode() + _text(value).encode())
            continue
        filename, data = value if isinstance(value, tuple) else (getattr(value, "name", key), value)
        content = data if isinstance(data, bytes | bytearray) else data.read()
        filename = str(filename).replace("\\", "/").rsplit("/", 1)[-1]
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        head = f'Content-Disposition: form-data; name="{key}"; filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'
        files.append(head.encode() + bytes(content))
    parts = b"".join(f"--{boundary}\r\n".encode() + part + b"\r\n" for part in texts + files)
    return parts + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def body_or_shorthand(operation: str, body: object, shorthand: object, shorter: str) -> object:
    """The body of a hand-written convenience: the contract's ``body=``, or the one its shorter arguments (named
    ``shorter``, e.g. ``"server_ids="``) spell; never both, never neither."""
    if body is not None and shorthand is not None:
        raise ConfigurationError(f"{operation}: pass either body= or {shorter}, not both")
    if body is None and shorthand is None:
        raise ConfigurationError(f"{operation}: pass body= (the official request body) or {shorter}")
    return body if body is not None else shorthand


class GeneratedService(Service):
    """Base of the generated clients: one :meth:`_invoke` for every operation."""

    models_package: ClassVar[str]  # where the operations' lazy model references are resolved

    def _encode_body(self, op: Op[Any], body: object) -> tuple[bytes | None, str]:
        if body is None or op.body_kind == "none":
            return None, op.content_type
        if op.body_kind == "string":
            return str(body).encode(), op.content_type
        if op.body_kind == "binary":
            return bytes(cast(bytes, body)), op.content_type
        codec = _codec(self.models_package, op.body, op.name)
        # Our model passes as it is; plain data in Huawei's spelling is validated into the model first.
        try:
            validated = codec.validate_python(body)
        except ValidationError as error:
            raise ConfigurationError(f"{op.name}: body= is not a valid {op.body.rpartition(':')[2]}: "
                                     f"{_first_problem(error)}; fix that field (Huawei's spelling or ours)") from None
        if op.body_kind == "multipart":
            return _multipart(codec.dump(validated, "python"))
        document = codec.dump(validated, "json")
        if op.body_kind == "form":
            return urlencode({key: _text(value) for key, value in document.items()}).encode(), op.content_type
        return _json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode(), op.content_type

    async def _invoke(self, op: Op[R], arguments: Mapping[str, Any]) -> R:
        return self._parse(op, await self._send(op, arguments))

    async def _send(self, op: Op[Any], arguments: Mapping[str, Any]) -> Response:
        """The request of ``op`` for the method's keyword ``arguments``, sent; its response, unparsed."""
        path: dict[str, str] = {}
        query: dict[str, str | list[str]] = {}
        headers: dict[str, str] = {}
        for param in parameters(op.params):
            value = arguments.get(param.name)
            wire = param.wire or param.name
            if value is None:
                if param.where == "header" and wire.lower() == IDEMPOTENCY_HEADER:
                    # One token for every attempt: a retried create is then done once, never twice.
                    headers[wire] = str(uuid.uuid4())
                continue
            if param.where == "path":
                path[wire] = _text(value)
            elif param.where == "query":
                query[wire] = _query_value(value)
            else:
                headers[wire] = _text(value)
        content, content_type = self._encode_body(op, arguments.get("body"))
        headers["Content-Type"] = content_type
        if service_info(self.service_name).scope == "domain" and not op.path.startswith(_SELF_DESCRIBING):
            # As the official SDK does: IAM acts on the caller's account, named by X-Domain-Id (discovered once);
            # /v3/auth/... calls describe the caller themselves (they are how the account is discovered).
            headers.setdefault("X-Domain-Id", await self._cloud.domain_id())
        return await self._cloud.request(
            self.service_name, op.method, op.path, params=query, headers=headers, content=content, path_params=path,
            operation=op.name, auth=UNSIGNED if op.unsigned else None,
        )

    async def _wait_for_job(
        self, show_job: Callable[..., Awaitable[R]], job_id: str, *, timeout: float, interval: float
    ) -> R:
        """Poll ``show_job(job_id=...)`` until the job's ``status`` is SUCCESS (returned) or FAIL (raised).

        Raises :class:`~hwcloud_client.errors.JobFailedError` with the job's reason and error code on FAIL, and
        :class:`~hwcloud_client.errors.WaiterTimeoutError` after ``timeout`` seconds.
        """

        def failed(job: R) -> JobFailedError | None:
            if getattr(job, "status", None) != "FAIL":
                return None
            # ECS and EVS often put the reason only on the failed sub-job.
            sub_jobs = getattr(getattr(job, "entities", None), "sub_jobs", None) or []
            sub_failure = next((sub for sub in sub_jobs if getattr(sub, "status", None) == "FAIL"), None)
            return JobFailedError(
                job_id, status="FAIL",
                fail_reason=getattr(job, "fail_reason", None) or getattr(sub_failure, "fail_reason", None),
                error_code=getattr(job, "error_code", None) or getattr(sub_failure, "error_code", None), job=job,
            )

        return await wait_until(
            lambda: show_job(job_id=job_id),
            success=lambda job: getattr(job, "status", None) == "SUCCESS",
            failure=failed,
            timeout=timeout,
            interval=interval,
            description=f"{self.service_name} job {job_id}",
        )

    def _parse(self, op: Op[R], response: Response) -> R:
        # All of it, validation and the result's response info: an allocation after resuming, with the page still
        # alive, would sweep the whole page into an older generation anyway.
        with CollectorPaused():
            return self._result(op, response)

    def _result(self, op: Op[R], response: Response) -> R:
        kind = op.result_kind
        if kind == "none":
            return cast(R, None)
        content = response.content
        if kind == "binary":
            return cast(R, content)
        if kind == "string":
            try:
                decoded = _json.loads(content)
            except ValueError:
                decoded = None
            return cast(R, decoded if isinstance(decoded, str) else response.text)
        codec = _codec(self.models_package, op.result, op.name)
        try:
            if content.strip():
                result = codec.validate_json(content)
            else:
                # An empty 2xx body: an empty result, as the official SDK makes one.
                result = codec.validate_python({} if kind == "model" else [] if kind == "array" else None)
        except ValidationError as error:
            raise MalformedResponseError(
                op.name,
                reason=_first_problem(error),
                status_code=response.status_code,
                request_id=response.request_id,
                body=content,
            ) from None
        if isinstance(result, ResultModel):
            result._answered_by(response)
        for field, header in op.headers:
            found = response.headers.get(header)
            if found is not None:
                # Validated like a body field: a token header becomes a SecretStr, never shown by repr.
                result.__pydantic_validator__.validate_assignment(result, field, found)
        return cast(R, result)

