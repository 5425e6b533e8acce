"""The exception tree. Every error the SDK raises is a :class:`HuaweiCloudError`.

Messages never carry secrets: error bodies are kept on the exception as received, but the
request that caused them (with its Authorization header) is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._http import request_id_in

__all__ = [
    "APIError",
    "AuthenticationError",
    "BodyNotReplayableError",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "HuaweiCloudError",
    "JobFailedError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "UnsafeRedirectError",
    "WaiterTimeoutError",
    "api_error_from_response",
    "parse_error_body",
]


class HuaweiCloudError(Exception):
    """Base class of every error raised by hwcloud_client."""


class ConfigurationError(HuaweiCloudError, ValueError):
    """Missing or invalid configuration: credentials, region, project, endpoint."""


class TransportError(HuaweiCloudError):
    """The request did not get an HTTP response."""


class ConnectError(TransportError):
    """The connection could not be established (DNS, refused, TLS)."""


class TimeoutError(TransportError):
    """Connect, read, write or pool timeout, or a call deadline ran out."""


class BodyNotReplayableError(TransportError):
    """The call had to be sent again, but its body was a one-shot stream that is already spent.

    Sending it again would store or send an empty or truncated body; pass bytes, a file path or a
    seekable file instead, which can be read again from the start.
    """


class UnsafeRedirectError(HuaweiCloudError):
    """A request was redirected to another host; the SDK signs and sends credentials only to the host called."""


class _KeywordError(HuaweiCloudError):
    """An error built from keyword fields: pickled by its state, as Exception pickles only positional args."""

    def _message(self) -> str:
        raise NotImplementedError

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (type(self), self.__dict__.copy()))


def _rebuild_error(cls: type[_KeywordError], state: dict[str, Any]) -> _KeywordError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error._message())
    return error


class MalformedResponseError(_KeywordError):
    """The service answered with the status an operation expects, but the body is not that operation's result:
    an HTML page from a proxy or captive portal, an empty, truncated or foreign document.

    ``operation`` names the call (``"ListObjects"``), ``reason`` what was wrong with the body; ``body`` is the
    raw body, kept for diagnosis.
    """

    def __init__(
        self,
        operation: str,
        *,
        reason: str,
        status_code: int | None = None,
        request_id: str | None = None,
        body: bytes = b"",
    ) -> None:
        self.operation = operation
        self.reason = reason
        self.status_code = status_code
        self.request_id = request_id
        self.body = body
        super().__init__(self._message())

    def _message(self) -> str:
        # The reason can quote the body, which the server chose: bounded, so a log line stays a line.
        reason = self.reason if len(self.reason) <= 200 else self.reason[:200] + "…"
        return (
            f"{self.operation}: HTTP {self.status_code or '-'} answered with a body that is not its result ({reason}) "
            f"| request_id={self.request_id or '-'}; check that the endpoint reaches the service itself, not a "
            "proxy, captive portal or another server (ClientConfig.endpoints, HUAWEICLOUD_SDK_REGION_* variables, "
            "the proxy settings)"
        )


class APIError(_KeywordError):
    """The service answered with an error status.

    ``error_code``/``error_msg`` come from whichever error dialect the service used;
    ``body`` is the raw response body, kept for diagnosis.
    """

    def __init__(
        self,
        *,
        status_code: int,
        error_code: str | None = None,
        error_msg: str | None = None,
        request_id: str | None = None,
        body: bytes = b"",
        method: str | None = None,
        url: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.body = body
        self.method = method
        self.url = url
        self.headers = headers or {}
        self.explanation: str | None = None
        super().__init__(self._message())

    def explain(self, explanation: str) -> None:
        """Add a diagnosis (e.g. what was signed, for a refused signature) to the error and its message."""
        self.explanation = explanation
        self.args = (self._message(),)

    def _message(self) -> str:
        parts = []
        if self.method and self.url:
            parts.append(f"{self.method} {self.url}")
        if self.error_code:
            parts.append(self.error_code)
        if self.error_msg:
            parts.append(self.error_msg)
        parts.append(f"request_id={self.request_id or '-'}")
        message = f"HTTP {self.status_code} " + " | ".join(parts)
        explanation = getattr(self, "explanation", None)  # absent on errors pickled before it existed
        return f"{message}\n{explanation}" if explanation else message


class AuthenticationError(APIError):
    """HTTP 401: bad or expired signature, token or credentials."""


class PermissionDeniedError(APIError):
    """HTTP 403: authenticated but not allowed."""


class NotFoundError(APIError):
    """HTTP 404: the resource does not exist."""


class ConflictError(APIError):
    """HTTP 409: the resource is in a conflicting state."""


class RateLimitError(APIError):
    """HTTP 429, or a throttling error code such as ``APIGW.0308``."""


class RedirectError(APIError):
    """A 3xx answer: the SDK never follows redirects, and an operation's success is never a 3xx."""


class ServerError(APIError):
    """HTTP 5xx."""


class JobFailedError(HuaweiCloudError):
    """An asynchronous job (e.g. an ECS job) ended in failure."""

    def __init__(
        self,
        job_id: str,
        *,
        status: str,
        fail_reason: str | None = None,
        error_code: str | None = None,
        job: Any = None,
    ) -> None:
        self.job_id = job_id
        self.status = status
        self.fail_reason = fail_reason
        self.error_code = error_code
        self.job = job
        detail = " ".join(p for p in (error_code, fail_reason) if p)
        super().__init__(f"job {job_id} ended with status {status}" + (f": {detail}" if detail else ""))


class WaiterTimeoutError(HuaweiCloudError):
    """A waiter gave up before reaching a final state; ``last_state`` is what it saw last."""

    def __init__(self, message: str, *, last_state: Any = None) -> None:
        self.last_state = last_state
        super().__init__(message)


# --- turning an error response into an exception -------------------------------------------------

_STATUS_CLASSES: dict[int, type[APIError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}
# Codes that mean "slow down" whatever the HTTP status says.
THROTTLING_CODES = frozenset({"APIGW.0308", "APIGW.0309", "APIGW.0310", "APIGW.0311", "Throttling", "SlowDown"})
_OBS_CODE_CLASSES: dict[str, type[APIError]] = {
    "NoSuchKey": NotFoundError,
    "NoSuchBucket": NotFoundError,
    "NoSuchUpload": NotFoundError,
    "BucketAlreadyExists": ConflictError,
    "BucketAlreadyOwnedByYou": ConflictError,
    "BucketNotEmpty": ConflictError,
    "SignatureDoesNotMatch": AuthenticationError,
    "InvalidAccessKeyId": AuthenticationError,
    "AccessDenied": PermissionDeniedError,
    "SlowDown": RateLimitError,
}
_CODE_KEYS = (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message"))
# Huawei error documents are small: a larger body is not one, and is kept (``APIError.body``) but not parsed.
_MAX_PARSED_BODY = 64 * 1024


def _find_code(document: Any, depth: int = 0) -> tuple[str | None, str | None, str | None]:
    """(code, message, request id) from any Huawei JSON error dialect, searching nested objects."""
    if not isinstance(document, dict) or depth > 4:
        return None, None, None
    request_id = document.get("request_id") if isinstance(document.get("request_id"), str) else None
    for code_key, msg_key in _CODE_KEYS:
        code, msg = document.get(code_key), document.get(msg_key)
        if code is not None and (isinstance(code, str | int)) and (msg is None or isinstance(msg, str)):
            return str(code), msg, request_id
    for value in document.values():  # {"error": {...}}, Nova's {"itemNotFound": {...}}
        code, msg, nested_id = _find_code(value, depth + 1)
        if code is not None or msg is not None:
            return code, msg, request_id or nested_id
    if isinstance(document.get("message"), str):
        return None, document["message"], request_id
    return None, None, request_id


def _parse_obs_xml(body: bytes) -> tuple[str | None, str | None, str | None]:
    from ._xml import parse_xml

    try:
        root = parse_xml(body)
    except ValueError:
        return None, None, None
    if root.tag != "Error":
        return None, None, None
    return root.findtext("Code"), root.findtext("Message"), root.findtext("RequestId")


def parse_error_body(body: bytes) -> tuple[str | None, str | None, str | None]:
    """(error code, error message, request id) from an error body of any dialect; Nones if unknown.

    Never raises: a body too large, too deep or malformed to be an error document gives Nones.
    """
    stripped = body.strip()
    if not stripped or len(stripped) > _MAX_PARSED_BODY:
        return None, None, None
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<Error"):
        return _parse_obs_xml(stripped)
    if stripped.startswith((b"{", b"[")):
        import json

        try:
            document = json.loads(stripped)
        # json recurses once per level of nesting, and a body can nest deeper than the interpreter allows.
        except (ValueError, RecursionError):
            return None, None, None
        return _find_code(document)
    return None, None, None


def api_error_from_response(
    *,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    method: str | None = None,
    url: str | None = None,
) -> APIError:
    """The typed exception for an error response (status, dialect and throttling code decide the class)."""
    code, msg, body_request_id = parse_error_body(body)
    request_id = request_id_in(headers) or body_request_id
    if msg is None and code is None and body.strip() and not body.lstrip().startswith((b"<", b"{", b"[")):
        msg = body.strip()[:200].decode("utf-8", "replace")
    cls: type[APIError]
    if code in THROTTLING_CODES:
        cls = RateLimitError
    elif code in _OBS_CODE_CLASSES:
        cls = _OBS_CODE_CLASSES[code]
    elif status_code >= 500:
        cls = ServerError
    elif status_code < 400:
        cls = RedirectError
    else:
        cls = _STATUS_CLASSES.get(status_code, APIError)
    return cls(
        status_code=status_code, error_code=code, error_msg=msg, request_id=request_id, body=body,
        method=method, url=url, headers=dict(headers),
    )
