"""Observability: users' event hooks (one event before and one after every attempt) and OpenTelemetry spans.

Events and spans carry the service, operation, method, URL without its query, attempt, status, request id
and elapsed time: never a header, a body or a query string, so never a secret. OpenTelemetry is optional
(``pip install 'hwcloud-client[otel]'``) and imported only when tracing is turned on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from .errors import APIError, ConfigurationError

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer, TracerProvider

    from ._response import Response

__all__ = ["CallEvent", "EventHook", "EventHooks", "Tracing", "check_event_hooks"]

# ``request.extensions[OPERATION_EXTENSION]``: the operation a typed method calls (``list_vpcs``).
OPERATION_EXTENSION = "hwcloud_client.operation"


# A named tuple, not a frozen dataclass: creating that class cost 1.4 ms of `import hwcloud_client`, this 0.25 ms.
class CallEvent(NamedTuple):
    """One attempt of a call: ``phase="request"`` before it is sent, ``"response"`` once it has an outcome.

    ``status_code`` and ``request_id`` are set on a response; ``error`` names the exception's class when the
    attempt got no HTTP response (a timeout, a refused connection). ``event._asdict()`` gives a dict.
    """

    phase: Literal["request", "response"]
    service: str | None
    operation: str | None
    method: str
    url: str
    attempt: int
    status_code: int | None = None
    request_id: str | None = None
    elapsed_ms: float | None = None
    error: str | None = None


EventHook = Callable[[CallEvent], object]
# Keys "request" and "response" (checked when the facade is built).
EventHooks = Mapping[str, Sequence[EventHook]]


def check_event_hooks(hooks: EventHooks | None) -> dict[str, tuple[EventHook, ...]]:
    checked: dict[str, tuple[EventHook, ...]] = {"request": (), "response": ()}
    for phase, callbacks in (hooks or {}).items():
        if phase not in checked:
            raise ConfigurationError(f"event_hooks has a key {phase!r}: use 'request' and 'response'")
        if not all(callable(callback) for callback in callbacks):
            raise ConfigurationError(f"event_hooks[{phase!r}] must be a list of callables taking a CallEvent")
        checked[phase] = tuple(callbacks)
    return checked


class Tracing:
    """One OpenTelemetry client span per call (all its attempts), named after the operation."""

    def __init__(self, provider: TracerProvider | None) -> None:
        try:
            from opentelemetry import trace
        except ImportError:
            raise ConfigurationError(
                "tracing needs OpenTelemetry: install the 'otel' extra "
                "(pip install '.[otel]' from a checkout, or 'hwcloud-client[otel]' from an index)"
            ) from None
        from ._version import __version__

        self._trace = trace
        self.tracer: Tracer = trace.get_tracer("hwcloud_client", __version__, tracer_provider=provider)

    def start(self, *, method: str, url: str, host: str, service: str | None, operation: str | None,
              region: str | None) -> Span:
        attributes: dict[str, Any] = {
            "http.request.method": method, "url.full": url, "server.address": host,
            "cloud.provider": "huawei_cloud", "rpc.system": "huawei_cloud",
        }
        for name, value in (("cloud.region", region), ("rpc.service", service), ("rpc.method", operation)):
            if value:
                attributes[name] = value
        name = f"{service}.{operation}" if service and operation else f"{method} {service or host}"
        return self.tracer.start_span(name, kind=self._trace.SpanKind.CLIENT, attributes=attributes)

    def use(self, span: Span) -> Any:
        return self._trace.use_span(span, end_on_exit=True, record_exception=False, set_status_on_exception=False)

    def finish(self, span: Span, *, response: Response | None, error: BaseException | None) -> None:
        if response is not None:
            span.set_attribute("http.response.status_code", response.status_code)
            span.set_attribute("http.request.resend_count", response.attempts - 1)
            if response.request_id:
                span.set_attribute("hwcloud.request_id", response.request_id)
            return
        if isinstance(error, APIError):
            span.set_attribute("http.response.status_code", error.status_code)
            if error.request_id:
                span.set_attribute("hwcloud.request_id", error.request_id)
            if error.error_code:
                span.set_attribute("hwcloud.error_code", error.error_code)
        if error is not None:
            span.set_attribute("error.type", type(error).__name__)
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, type(error).__name__))
