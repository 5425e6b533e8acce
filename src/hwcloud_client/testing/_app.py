"""FakeHuaweiCloud: the in-memory IAM/ECS/OBS emulator, its ASGI app, its gateway and its faults.

Every request passes the emulated API Gateway first, which answers like Huawei's: fault injection
(latency, 429/503 bursts, dropped connections), then authentication (an AK/SK signature or an
``X-Auth-Token`` issued by the emulated IAM), then the service. Every answer carries ``X-Request-Id``
and a ``Date`` from the emulator's clock, which is what a client needs to learn a clock skew. Whatever a request
holds, the answer is the service's own: should the emulator fail on it all the same (a bug), the client gets the
service's 500 and the failure is kept in :attr:`FakeHuaweiCloud.internal_errors` (the pytest plugin fails the test).

One router serves every service. Requests are routed by the Host header when it names a service (``iam.*``,
``ecs.*``, ``obs.*``, ``<bucket>.obs.*``, and the host prefix of every generated service: ``vpc.*`` (VPC and EIP),
``evs.*``, ``ims.*``, ``dns.*``, ``swr-api.*``...), as in-process use through :meth:`FakeHuaweiCloud.transport` sends
the real host names. A served emulator is one ``127.0.0.1`` host, so there the path decides: the path is matched
against every operation of every generated service (the most specific template wins; where two services share a
method and template, the stateful one, then the first alphabetically); an unmatched ``/v3...`` path goes to IAM and
other version-like paths to ECS (both answer the gateway's 404), everything else is OBS in path style. Hence, on a
served emulator, buckets named like an API version (``v1``, ``v2.1``, ``v3``...) cannot be used in path style, nor
buckets named like the first segment of an API path (``api``, ``cce``, ``rds``...) with keys that make the path
one of that API's.

Each service's own emulator answers first (IAM, ECS, VPC/EIP, EVS, IMS keep state); what it does not implement,
and every operation of the other generated services, is answered by the spec-driven tier (``_spec.py``).
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

import anyio
from pydantic import SecretStr

from .._http import decode_header_value, httpx
from ..config import Credentials
from ._apig import SignatureRejected, verify_signature
from ._base import EmulatedRequest, EmulatedResponse, ServiceEmulator
from ._ecs import EcsEmulator
from ._evs import EvsEmulator
from ._iam import IamEmulator
from ._ims import ImsEmulator
from ._network import NetworkEmulator
from ._routes import RouteNotFound, json_response, new_hex_id
from ._spec import catalog

if TYPE_CHECKING:
    from ._obs import ObsEmulator

__all__ = [
    "DEMO_ACCESS_KEY",
    "DEMO_SECRET_KEY",
    "ConnectionDropped",
    "FakeHuaweiCloud",
    "Faults",
    "InternalError",
    "InternalErrorWatch",
    "RecordedCall",
    "serve",
    "watch_internal_errors",
]

# A demo key pair of the local emulator, valid nowhere else.
DEMO_ACCESS_KEY = "HWEMULATORDEMOAK0001"
DEMO_SECRET_KEY = "hwcloud-emulator-demo-secret-key-0001"  # noqa: S105

# A service is named by its host prefix: "iam", "ecs", "obs", "vpc" (VPC and EIP), "evs", "ims", "swr-api"...
Service = str
# Reached directly, not through the API Gateway, as on Huawei Cloud: OBS checks its own signatures (with the keys
# the gateway knows) and answers its own XML errors; the faults, request ids and records are the router's all the same.
_OUTSIDE_THE_GATEWAY = frozenset({"obs"})
_VERSION_SEGMENT = re.compile(r"^[vV]\d+(?:\.\d+)?$")
ASGIReceive = Callable[[], Awaitable[MutableMapping[str, Any]]]
ASGISend = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class ConnectionDropped(Exception):
    """Raised inside the app to cut the connection without a complete response."""


@dataclass(frozen=True)
class _PlannedFault:
    drop: bool
    status: int
    retry_after: float | None
    service: Service | None


class Faults:
    """Faults the emulated gateway injects, for resilience tests.

    ``latency`` (seconds) delays every answer; ``clock_skew`` (seconds) moves the emulator's clock
    ahead (or, negative, behind) of the client's, so that signatures look stale. ``fail_next`` and
    ``drop_next`` queue one-shot faults, consumed in order by the next matching requests.
    """

    def __init__(self, *, latency: float = 0.0, clock_skew: float = 0.0) -> None:
        self.latency = latency
        self.clock_skew = clock_skew
        self._planned: deque[_PlannedFault] = deque()
        # A served emulator runs in its own thread while the test thread plans faults.
        self._lock = threading.Lock()

    def fail_next(
        self, count: int, *, status: int = 503, retry_after: float | None = None, service: Service | None = None
    ) -> None:
        """Answer the next ``count`` requests (to ``service``, or to any) with ``status`` (429 or 5xx)."""
        if status != 429 and not 500 <= status <= 599:
            raise ValueError("fail_next injects throttling (429) or server errors (5xx)")
        with self._lock:
            self._planned.extend([_PlannedFault(False, status, retry_after, service)] * count)

    def drop_next(self, count: int = 1, *, service: Service | None = None) -> None:
        """Cut the connection of the next ``count`` requests before a complete response."""
        with self._lock:
            self._planned.extend([_PlannedFault(True, 0, None, service)] * count)

    def clear(self) -> None:
        with self._lock:
            self._planned.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._planned)

    def take(self, service: Service | None) -> _PlannedFault | None:
        with self._lock:
            for fault in self._planned:
                if fault.service is None or fault.service == service:
                    self._planned.remove(fault)
                    return fault
        return None


@dataclass(frozen=True)
class RecordedCall:
    """One request the emulator answered (or dropped: ``status`` 0)."""

    service: Service | None
    method: str
    path: str
    status: int


@dataclass(frozen=True)
class InternalError:
    """A request the emulator failed to answer because of a bug of its own; the client got the service's 500.

    Whatever a client sends must get a documented answer, so each of these is an emulator bug to report. The
    pytest plugin fails the test during which one was recorded (clear ``fake.internal_errors`` to accept it).
    """

    service: Service
    method: str
    path: str
    # Out of repr: its message may quote the request it choked on.
    error: Exception = field(repr=False)


class InternalErrorWatch:
    """The emulators that recorded an :class:`InternalError` while this watch was open."""

    def __init__(self) -> None:
        self._emulators: list[FakeHuaweiCloud] = []

    def saw(self, fake: FakeHuaweiCloud) -> None:
        if all(known is not fake for known in self._emulators):
            self._emulators.append(fake)

    @property
    def errors(self) -> list[InternalError]:
        """Those of their internal errors not cleared since."""
        return [error for fake in self._emulators for error in fake.internal_errors]


# Open watches; a served emulator reports from its server thread, so a report iterates over a copy.
_watches: list[InternalErrorWatch] = []


@contextmanager
def watch_internal_errors() -> Iterator[InternalErrorWatch]:
    """Collect the emulators (any instance, in-process or served) that fail internally inside the block."""
    watch = InternalErrorWatch()
    _watches.append(watch)
    try:
        yield watch
    finally:
        _watches.remove(watch)


class _EmulatorTransport(httpx.ASGITransport):
    """In-process transport; a dropped connection surfaces as the transport error a socket gives."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None


class FakeHuaweiCloud:
    """An in-memory Huawei Cloud (IAM, ECS, and OBS when its emulator is installed) that checks signatures.

    ``credentials`` maps access keys to secret keys (one demo pair by default); the first pair is
    also available as ``ak``, ``sk`` and ``credentials``. ``job_delay`` is how long (seconds on
    ``clock``) ECS jobs run before they finish and new servers become ACTIVE.
    """

    def __init__(
        self,
        *,
        credentials: Mapping[str, str] | None = None,
        region: str = "cn-north-4",
        job_delay: float = 0.0,
        clock: Callable[[], float] = time.time,
        faults: Faults | None = None,
    ) -> None:
        keys = dict(credentials) if credentials is not None else {DEMO_ACCESS_KEY: DEMO_SECRET_KEY}
        if not keys:
            raise ValueError("credentials needs at least one access key")
        self.region = region
        self.faults = faults if faults is not None else Faults()
        self._clock = clock
        self.ak, self.sk = next(iter(keys.items()))
        self.credentials = Credentials(ak=self.ak, sk=SecretStr(self.sk))
        self.iam = IamEmulator(keys, region=region, clock=self.now)
        self.project_id = self.iam.project_id(region)
        self.domain_id = self.iam.domain_id
        self.ecs = EcsEmulator(
            project_ids=[str(project["id"]) for project in self.iam.projects],
            user_id=self.iam.user_id,
            region=region,
            job_delay=job_delay,
            clock=self.now,
        )
        self.network = NetworkEmulator(project_ids=self.ecs.project_ids, region=region, clock=self.now)
        self.evs = EvsEmulator(project_ids=self.ecs.project_ids, region=region, ecs=self.ecs)
        self.ims = ImsEmulator()
        self.ecs.attach_neighbours(network=self.network, volumes=self.evs)
        # The services that keep state, by host prefix, but OBS's (created on first use: see obs).
        self._stateful: dict[Service, ServiceEmulator] = {
            "iam": self.iam, "ecs": self.ecs, "vpc": self.network, "evs": self.evs, "ims": self.ims,
        }
        self._obs: ObsEmulator | None = None
        self.calls: list[RecordedCall] = []
        self.internal_errors: list[InternalError] = []

    def __repr__(self) -> str:
        return f"FakeHuaweiCloud(region={self.region!r}, project_id={self.project_id!r})"

    def now(self) -> float:
        """The emulator's clock: ``clock()`` plus the injected ``faults.clock_skew``."""
        return self._clock() + self.faults.clock_skew

    @property
    def obs(self) -> ObsEmulator:
        """The OBS emulator (buckets and objects), created on first use."""
        if self._obs is None:
            from ._obs import ObsEmulator

            # OBS checks its own signatures, with the keys the gateway knows: permanent ones, and temporary ones
            # (with their security tokens, until they expire) issued by the emulated IAM.
            self._obs = ObsEmulator(self.iam.known_key, clock=self.now, region=self.region)
        return self._obs

    # --- the gateway ---------------------------------------------------------------------------

    async def handle(self, request: EmulatedRequest) -> EmulatedResponse:
        """Answer one request as the gateway and the services would (raises ConnectionDropped)."""
        request_id = new_hex_id()
        service, request = _route(request)
        fault = self.faults.take(service)
        if self.faults.latency:
            await anyio.sleep(self.faults.latency)
        if fault is not None and fault.drop:
            self.calls.append(RecordedCall(service, request.method, request.raw_path, 0))
            raise ConnectionDropped(f"{request.method} {request.raw_path}")
        if fault is not None:
            response = _injected_failure(fault, request_id)
        else:
            # The one guard for every service: a bug of the emulator's still gets the service's 500, and is recorded.
            try:
                response = await self._answer(service, request, request_id)
            except Exception as error:
                response = self._internal_error(service, request, error)
        response.headers.setdefault("X-Request-Id", request_id)
        response.headers.setdefault("Date", formatdate(self.now(), usegmt=True))
        self.calls.append(RecordedCall(service, request.method, request.raw_path, response.status))
        return response

    async def _answer(self, service: Service, request: EmulatedRequest, request_id: str) -> EmulatedResponse:
        emulator = self._emulator(service)
        if service in _OUTSIDE_THE_GATEWAY:
            return await emulator.handle(request)
        try:
            self._authenticate(service, request)
        except SignatureRejected as rejected:
            return _apigw_error(401, rejected.error_code, rejected.error_msg, request_id)
        spec = catalog()
        found = spec.match(request.method, request.raw_path, hosts={service})
        if found is not None and service in self._stateful:
            # The gateway checks what the API declares required before a stateful backend sees the request (the
            # spec tier below checks it itself).
            refused = spec.refusal(found[0], request, request_id)
            if refused is not None:
                return refused
        try:
            return await emulator.handle(request)
        except RouteNotFound:
            pass
        # The spec-driven tier: every generated operation on this host that no stateful handler answered.
        if found is None:
            return _apigw_error(
                404, "APIGW.0101", "The API does not exist or has not been published in the environment", request_id
            )
        return spec.answer(found[0], found[1], request, request_id)

    def _emulator(self, service: Service) -> ServiceEmulator:
        """The service's own emulator; a service answered from its spec only has none (:data:`_SPEC_ONLY`)."""
        if service == "obs":
            return self.obs  # created on first use
        return self._stateful.get(service, _SPEC_ONLY)

    def _internal_error(self, service: Service, request: EmulatedRequest, error: Exception) -> EmulatedResponse:
        self.internal_errors.append(InternalError(service, request.method, request.raw_path, error))
        for watch in tuple(_watches):
            watch.saw(self)
        return self._emulator(service).internal_error(request)

    def _authenticate(self, service: Service, request: EmulatedRequest) -> None:
        if service == "iam" and self.iam.is_public(request):
            return
        token = request.headers.get("x-auth-token")
        if token is not None and "authorization" not in request.headers:
            state = self.iam.token_state(token)
            if state == "expired":
                raise SignatureRejected("the token has expired", error_code="APIGW.0307")
            if state == "unknown":
                raise SignatureRejected("decrypt token fail")
            return
        verify_signature(request, lookup=self.iam.known_key, now=self.now(), region=self.region, service=service)

    # --- ASGI, in-process transport and server ----------------------------------------------------

    async def app(self, scope: MutableMapping[str, Any], receive: ASGIReceive, send: ASGISend) -> None:
        """The ASGI application."""
        if scope["type"] != "http":  # no lifespan work: serve with lifespan="off"
            return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), decode_header_value(raw_value)
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        # httpx's ASGITransport puts the query into raw_path, servers do not.
        raw_target = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        request = EmulatedRequest(
            method=scope["method"],
            raw_path=raw_target.partition("?")[0],
            raw_query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=bytes(body),
            host=headers.get("host", ""),
        )
        try:
            response = await self.handle(request)
        except ConnectionDropped:
            # A response must have started for a server to close the connection instead of answering 500.
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
            raise
        response_headers = [
            (name.lower().encode("latin-1"), value.encode())
            for name, value in response.headers.items()
        ]
        # A HEAD answer brings the Content-Length of the body it does not send.
        if not any(name == b"content-length" for name, _ in response_headers):
            response_headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": response_headers})
        await send({"type": "http.response.body", "body": response.body})

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport into this emulator: ``httpx.AsyncClient(transport=fake.transport())``."""
        return _EmulatorTransport(app=self.app)

    @contextmanager
    def serve(self, *, port: int = 0) -> Iterator[str]:
        """Serve on 127.0.0.1 (a free port by default) in a background thread; yields the base URL."""
        import uvicorn

        _quiet_dropped_connections()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        # The Date header comes from the emulator's clock (skew injection), not from uvicorn's.
        config = uvicorn.Config(
            self.app, interface="asgi3", lifespan="off", log_level="warning", access_log=False,
            date_header=False, server_header=False,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True, name="fake-cloud")
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("the emulator server did not start")
                time.sleep(0.005)
            yield f"http://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            listener.close()

    def environment(self, base_url: str) -> dict[str, str]:
        """Environment variables that point this SDK (and the official ones) at a served emulator.

        One ``HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>`` per emulated service (IAM, ECS, OBS and every generated
        service: VPC, EIP, EVS, IMS, DNS, ...), all the same base URL: the emulator routes them by path.
        """
        region_suffix = self.region.upper().replace("-", "_")
        services = sorted({"IAM", "ECS", "OBS"} | {version.service.upper() for version in catalog().versions.values()})
        return {
            "HUAWEICLOUD_SDK_AK": self.ak,
            "HUAWEICLOUD_SDK_SK": self.sk,
            "HUAWEICLOUD_SDK_REGION": self.region,
            "HUAWEICLOUD_SDK_PROJECT_ID": self.project_id,
            "HUAWEICLOUD_SDK_DOMAIN_ID": self.domain_id,
            "HUAWEICLOUD_SDK_IAM_ENDPOINT": base_url,
            **{f"HUAWEICLOUD_SDK_REGION_{service}_{region_suffix}": base_url for service in services},
        }


@contextmanager
def serve(fake: FakeHuaweiCloud | None = None, *, port: int = 0) -> Iterator[str]:
    """Serve ``fake`` (a new :class:`FakeHuaweiCloud` by default) on 127.0.0.1; yields the base URL."""
    with (fake if fake is not None else FakeHuaweiCloud()).serve(port=port) as base_url:
        yield base_url


def _route(request: EmulatedRequest) -> tuple[Service, EmulatedRequest]:
    """The one router: by host when it names a service, else by path against every service's operations."""
    host = request.host.lower().rsplit(":", 1)[0] if not request.host.startswith("[") else ""
    first_label, _, rest = host.partition(".")
    if rest.startswith("obs."):
        return "obs", replace(request, bucket=first_label)
    spec = catalog()
    if rest and (first_label in ("iam", "ecs", "obs") or first_label in spec.hosts):
        return first_label, request
    found = spec.match(request.method, request.raw_path, hosts=None)
    if found is not None:
        return found[0].host, request
    version = request.raw_path.split("/", 2)[1] if request.raw_path.startswith("/") else ""
    if _VERSION_SEGMENT.match(version):
        return ("iam" if version.lower().startswith("v3") else "ecs"), request
    return "obs", request


class _SpecOnly:
    """The 500 of a service answered from its spec only (raised by the emulator's own bug, never expected)."""

    async def handle(self, request: EmulatedRequest) -> EmulatedResponse:
        raise RouteNotFound(request.raw_path)

    def internal_error(self, _: EmulatedRequest) -> EmulatedResponse:
        # The answer the gateway gives an injected server error (fail_next), with the status of an internal one.
        return json_response(500, {"error_code": "APIGW.0202", "error_msg": "Backend unavailable"})


_SPEC_ONLY = _SpecOnly()


def _apigw_error(status: int, code: str, message: str, request_id: str) -> EmulatedResponse:
    return json_response(status, {"error_code": code, "error_msg": message, "request_id": request_id})


def _injected_failure(fault: _PlannedFault, request_id: str) -> EmulatedResponse:
    if fault.status == 429:
        response = _apigw_error(
            429, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit", request_id
        )
    else:
        response = _apigw_error(fault.status, "APIGW.0202", "Backend unavailable", request_id)
    if fault.retry_after is not None:
        response.headers["Retry-After"] = f"{fault.retry_after:g}"
    return response


class _DroppedConnectionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def _quiet_dropped_connections() -> None:
    """An injected drop is not a server bug: keep uvicorn from logging it as one."""
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(existing, _DroppedConnectionFilter) for existing in server_log.filters):
        server_log.addFilter(_DroppedConnectionFilter())
