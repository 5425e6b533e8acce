"""The exception tree. Every error the SDK raises is a :class:`HuaweiCloudError`.

Messages never carry secrets: error bodies are kept on the exception as received, but the
request that caused them (with its Authorization header) is not.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "HuaweiCloudError",
    "JobFailedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "WaiterTimeoutError",
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


class APIError(HuaweiCloudError):
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
        super().__init__(self._message())

    def _message(self) -> str:
        parts = []
        if self.method and self.url:
            parts.append(f"{self.method} {self.url}")
        if self.error_code:
            parts.append(self.error_code)
        if self.error_msg:
            parts.append(self.error_msg)
        parts.append(f"request_id={self.request_id or '-'}")
        return f"HTTP {self.status_code} " + " | ".join(parts)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_api_error, (type(self), self.__dict__.copy()))


def _rebuild_api_error(cls: type[APIError], state: dict[str, Any]) -> APIError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error._message())
    return error


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
