"""The async facade: one httpx pool, endpoint resolution, project/domain discovery and the retry loop."""

from __future__ import annotations

import builtins
import json as _json
import logging
import re
import sys
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import anyio
from pydantic import BaseModel

from . import _retry
from ._http import httpx
from ._logging import log_call, log_request_headers, log_retry
from ._response import Response
from ._version import __version__
from .auth import apig
from .auth.hooks import SCOPE_EXTENSION, RequestSigner
from .auth.token import TokenAuth
from .config import Account, ClientConfig, Credentials, Endpoint, Project, RetryPolicy, Stage
from .endpoints import ServiceInfo, resolve_endpoint, service_info
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectError,
    TimeoutError,
    TransportError,
    api_error_from_response,
)

if TYPE_CHECKING:
    import ssl

    from .auth.providers import CredentialsProvider
    from .services.ecs import ECS
    from .services.iam import IAM
    from .services.obs import OBS

__all__ = ["AsyncHuaweiCloud", "Body", "Sign", "SkewedClock"]

logger = logging.getLogger("hwcloud_client")

Sign = Callable[["httpx.Request"], Awaitable[None]]
# A body that can be sent more than once: bytes, or a factory of fresh streams (one per attempt).
Body = bytes | Callable[[], AsyncIterable[bytes]]
ParamValue = str | int | float | bool | None | Iterable[str | int | float | bool]

# What platform.python_version() says ("3.12.1", "3.13.0rc1"), without importing platform for it.
_PYTHON_VERSION = sys.version.split()[0]
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SkewedClock:
    """The wall clock plus an offset learned from a gateway that rejected our signature time."""

    def __init__(self, base: Callable[[], float] = time.time) -> None:
        self._base = base
        self.skew = 0.0

    def __call__(self) -> float:
        return self._base() + self.skew


def _user_agent(extra: str | None) -> str:
    agent = (
        f"hwcloud-client/{__version__} python/{_PYTHON_VERSION} httpx/{httpx.__version__}"
    )
    return f"{agent} {extra}" if extra else agent


def _encode_params(params: Mapping[str, ParamValue] | None) -> list[tuple[str, str]]:
    """Drop ``None``, spell booleans ``true``/``false``, expand lists into repeated keys."""
    encoded: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        for item in values:
            if item is None:
                continue
            encoded.append((key, ("true" if item else "false") if isinstance(item, bool) else str(item)))
    return encoded


def _encode_path_value(value: object) -> str:
    text = quote(str(value), safe="")
    # httpx would drop a literal "." or ".." segment.
    return {".": "%2E", "..": "%2E%2E"}.get(text, text)


def _json_bytes(document: Any) -> bytes:
    if isinstance(document, BaseModel):
        return document.model_dump_json(by_alias=True, exclude_none=True).encode()
    return _json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


class AsyncHuaweiCloud:
    """The async entry point: ``async with AsyncHuaweiCloud(region="cn-north-4") as cloud: ...``.

    Credentials default to the provider chain (explicit → environment → profile file → ECS metadata);
    nothing is fetched before the first call. ``cloud.request()`` calls any Huawei Cloud API;
    ``cloud.iam``, ``cloud.ecs`` and ``cloud.obs`` are typed clients created on first use.
    """

    def __init__(
        self,
        region: str | None = None,
        credentials: Credentials | CredentialsProvider | None = None,
        project: Project | str | None = None,
        account: Account | str | None = None,
        config: ClientConfig | None = None,
        http_client: httpx.AsyncClient | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.config = config if config is not None else ClientConfig.from_env(environ)
        self.region = region or self.config.region
        self._environ = environ
        self._owns_provider = credentials is None
        if credentials is None:
            from .auth.providers import default_provider_chain

            credentials = default_provider_chain(environ=environ)
        self.credentials_provider: Credentials | CredentialsProvider = credentials
        self._project = Project(project_id=project) if isinstance(project, str) else project
        self._account = Account(domain_id=account) if isinstance(account, str) else account
        self.clock = SkewedClock(clock or time.time)
        self.signer = RequestSigner(credentials, algorithm=self.config.signing_algorithm, clock=self.clock)
        # An IAM token replaces the AK/SK signature; everything else (X-Project-Id...) is the same.
        self._sign: Sign = credentials.sign if isinstance(credentials, TokenAuth) else self.signer.sign_async
        self._owns_http = http_client is None
        self._http = http_client
        # Single-connection clients, one call each at a time (see _send_once); only for clients we own.
        self._free_shards: list[httpx.AsyncClient] | None = None
        self._all_shards: list[httpx.AsyncClient] = []
        self._endpoints: dict[str, Endpoint] = {}
        self._project_ids: dict[tuple[str, str], str] = {}
        self._domain_ids: dict[str, str] = {}
        self._discovery_lock: anyio.Lock | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._closed = False

    @property
    def http(self) -> httpx.AsyncClient:
        """The httpx client: yours (``http_client=``), else one created on first use.

        Created lazily because building its TLS context is most of the cost of constructing a facade.
        """
        if self._http is None:
            self._check_open()
            self._http = self._new_http_client(self.config)
        return self._http

    def _check_open(self) -> None:
        # Also guards lazy creation: a call already under way when aclose() ran must not open a new pool.
        if self._closed:
            raise ConfigurationError("this AsyncHuaweiCloud is closed; create a new one")

    def _shards(self) -> list[httpx.AsyncClient] | None:
        """The free single-connection clients, created on first use; None when they do not apply.

        httpcore's pool scans all its connections on every request and response (encode/httpcore#1035):
        N one-connection pools, each serving one call at a time, measured 1.6x the throughput of one
        N-connection pool. They apply to clients we build on httpx; aiohttp's pool has no such cost.
        """
        if self._free_shards is None:
            if not self._owns_http or self.config.http_backend != "httpx":
                return None
            self._check_open()
            one_connection = self.config.model_copy(update={"max_connections": 1, "max_keepalive_connections": 1})
            self._all_shards = [self._new_http_client(one_connection) for _ in range(self.config.max_connections)]
            self._free_shards = list(self._all_shards)
        return self._free_shards

    @cached_property
    def _tls_context(self) -> ssl.SSLContext:
        """One TLS context for all of this facade's clients: each costs ~20 ms to load the CA bundle."""
        return httpx.create_ssl_context(verify=self.config.verify)

    def _new_http_client(self, config: ClientConfig) -> httpx.AsyncClient:
        client_class: type[httpx.AsyncClient] = httpx.AsyncClient
        if config.http_backend == "aiohttp":
            try:
                from httpx_aiohttp import HttpxAiohttpClient
            except ImportError:
                raise ConfigurationError(
                    "http_backend='aiohttp' needs httpx-aiohttp: pip install 'hwcloud-client[fast]'"
                ) from None
            client_class = HttpxAiohttpClient
        timeouts = config.timeouts
        return client_class(
            timeout=httpx.Timeout(
                connect=timeouts.connect, read=timeouts.read, write=timeouts.write, pool=timeouts.pool
            ),
            limits=httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_keepalive_connections,
            ),
            follow_redirects=False,
            verify=self._tls_context,
            proxy=config.proxy,
            headers={"User-Agent": _user_agent(config.user_agent)},
        )

    # --- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> AsyncHuaweiCloud:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close what this facade created: its httpx clients and its default credentials chain."""
        if self._closed:
            return
        self._closed = True
        owned: list[Callable[[], Awaitable[None]]] = [shard.aclose for shard in self._all_shards]
        if self._owns_http and self._http is not None:
            owned.append(self._http.aclose)
        if self._owns_provider:
            close = getattr(self.credentials_provider, "aclose", None)
            if close is not None:
                owned.append(close)
        # Shielded, and each closed even if another fails: a cancelled exit must not leak sockets.
        with anyio.CancelScope(shield=True):
            errors: list[Exception] = []
            for close_one in owned:
                try:
                    await close_one()
                except Exception as error:
                    errors.append(error)
        if errors:
            raise errors[0]

    def __repr__(self) -> str:
        return f"AsyncHuaweiCloud(region={self.region!r})"

    # --- typed service clients (imported on first use so `import hwcloud_client` stays cheap) ------

    @cached_property
    def iam(self) -> IAM:
        from .services.iam import IAM

        return IAM(self)

    @cached_property
    def ecs(self) -> ECS:
        from .services.ecs import ECS

        return ECS(self)

    @cached_property
    def obs(self) -> OBS:
        from .services.obs import OBS

        return OBS(self)

    # --- endpoints, project and domain ----------------------------------------------------------

    def endpoint(self, service: str) -> Endpoint:
        """The endpoint ``service`` resolves to (override → env → table → template), cached."""
        name = service.lower()
        found = self._endpoints.get(name)
        if found is None:
            found = resolve_endpoint(name, self.region, overrides=self.config.endpoints, environ=self._environ)
            self._endpoints[name] = found
        return found

    def _require_region(self, what: str) -> str:
        if not self.region:
            raise ConfigurationError(
                f"{what} needs a region: pass region='cn-north-4' (for example) or set HUAWEICLOUD_SDK_REGION"
            )
        return self.region

    def _lock(self) -> anyio.Lock:
        if self._discovery_lock is None:
            self._discovery_lock = anyio.Lock()
        return self._discovery_lock

    async def project_id(self) -> str:
        """The project id: given, from the credentials source, or discovered once per (AK, region) via IAM."""
        if self._project is not None:
            return self._project.header_value
        caller = await self._caller()
        hint = getattr(self.credentials_provider, "project_id", None)
        if isinstance(hint, str) and hint:
            return hint
        region = self._require_region("finding the project id")
        key = (caller, region)
        if key not in self._project_ids:
            async with self._lock():
                if key not in self._project_ids:
                    self._project_ids[key] = await self._discover_project(region)
        return self._project_ids[key]

    async def _discover_project(self, region: str) -> str:
        response = await self.request("iam", "GET", "/v3/projects", params={"name": region})
        projects = (response.json() or {}).get("projects") or []
        if len(projects) != 1:
            found = "no project" if not projects else f"{len(projects)} projects"
            raise ConfigurationError(
                f"IAM returned {found} named {region!r} (request_id={response.request_id}); "
                f"pass project='<project id>' to choose one explicitly"
            )
        return _id_of(projects[0], "project", response)

    async def domain_id(self) -> str:
        """The account (domain) id: given, from the credentials source, or discovered once per AK via IAM."""
        if self._account is not None and self._account.domain_id:
            return self._account.domain_id
        caller = await self._caller()
        hint = getattr(self.credentials_provider, "domain_id", None)
        if isinstance(hint, str) and hint:
            return hint
        if caller not in self._domain_ids:
            async with self._lock():
                if caller not in self._domain_ids:
                    self._domain_ids[caller] = await self._discover_domain()
        return self._domain_ids[caller]

    async def _caller(self) -> str:
        """Whom discovered ids are cached for: the access key, or the facade's IAM token source."""
        if isinstance(self.credentials_provider, TokenAuth):
            return "iam-token"
        return (await self.signer.get_credentials()).ak

    async def _discover_domain(self) -> str:
        response = await self.request("iam", "GET", "/v3/auth/domains")
        domains = (response.json() or {}).get("domains") or []
        if not domains:
            raise ConfigurationError(
                f"IAM returned no domain for these credentials (request_id={response.request_id}); "
                "pass account='<domain id>'"
            )
        return _id_of(domains[0], "domain", response)

    def _known_domain_id(self) -> str | None:
        if self._account is not None and self._account.domain_id:
            return self._account.domain_id
        hint = getattr(self.credentials_provider, "domain_id", None)
        if isinstance(hint, str) and hint:
            return hint
        return next(iter(self._domain_ids.values()), None) if len(self._domain_ids) == 1 else None

    async def _fill_path(self, path: str, path_params: Mapping[str, object] | None) -> str:
        if "{" not in path:
            return path
        values: dict[str, str] = {}
        for name in _PLACEHOLDER.findall(path):
            if path_params and name in path_params:
                values[name] = _encode_path_value(path_params[name])
            elif name == "project_id":
                values[name] = _encode_path_value(await self.project_id())
            elif name == "domain_id":
                values[name] = _encode_path_value(await self.domain_id())
            else:
                raise ConfigurationError(f"path {path!r} needs {{{name}}}: pass path_params={{{name!r}: ...}}")
        filled = _PLACEHOLDER.sub(lambda match: values[match.group(1)], path)
        if "{" in filled or "}" in filled:
            raise ConfigurationError(f"path {path!r} has an unfilled or malformed placeholder")
        return filled

    # --- the generic call ------------------------------------------------------------------------

    async def request(
        self,
        service: str | Endpoint,
        method: str,
        path: str,
        *,
        params: Mapping[str, ParamValue] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        content: Body | None = None,
        path_params: Mapping[str, object] | None = None,
        stage: Stage | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
    ) -> Response:
        """Call any Huawei Cloud API and return its response; error statuses raise typed errors.

        ``service`` is a service name (``"ecs"``), resolved to the region's endpoint, or an
        :class:`Endpoint` (for your own APIs on API Gateway: ``Endpoint(url="https://1.2.3.4",
        host="api.example.com")`` with ``stage=Stage(name="RELEASE")``). ``{project_id}`` and
        ``{domain_id}`` in ``path`` are filled (discovered if needed), other placeholders from
        ``path_params``.
        """
        info: ServiceInfo | None
        if isinstance(service, Endpoint):
            info, endpoint = None, service
        else:
            info, endpoint = service_info(service), self.endpoint(service)
        request_headers: dict[str, str] = dict(headers or {})
        if endpoint.host:
            request_headers["Host"] = endpoint.host
        if stage is not None:
            request_headers["x-stage"] = stage.name
        if info is not None and info.scope == "project":
            request_headers.setdefault("X-Project-Id", await self.project_id())
        elif info is not None:
            domain = await self.domain_id() if "{domain_id}" in path else self._known_domain_id()
            if domain:
                request_headers.setdefault("X-Domain-Id", domain)
        if json is not None:
            if content is not None:
                raise ConfigurationError("pass either json= or content=, not both")
            content = _json_bytes(json)
            request_headers.setdefault("Content-Type", "application/json")
        url = endpoint.url + await self._fill_path(path, path_params)
        scope = (self.region, info.name) if info is not None else (self.region, "apig")
        return await self.send(
            method, url, params=_encode_params(params), headers=request_headers, content=content,
            sign=self._sign, timeout=timeout, retry=retry, extensions={SCOPE_EXTENSION: scope},
        )

    async def send(
        self,
        method: str,
        url: str,
        *,
        sign: Sign,
        params: Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        content: Body | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        stream: bool = False,
        extensions: dict[str, Any] | None = None,
        accept_status: Callable[[int], bool] | None = None,
    ) -> Response:
        """Send with retries: every attempt is rebuilt, re-dated and re-signed by ``sign``.

        With ``stream=True`` the body is left unread (the caller must close ``http_response``).
        ``accept_status`` lets a caller treat some error statuses as answers (e.g. 404 for HEAD).
        """
        self._check_open()
        policy = retry or self.config.retry
        started = time.monotonic()
        deadline = started + policy.deadline if policy.deadline else None
        request_timeout = httpx.USE_CLIENT_DEFAULT if timeout is None else httpx.Timeout(timeout)
        if params:
            # Sent in canonical form: httpx parses the URL once, and the signer has nothing to rewrite.
            query = apig.canonical_query(params)
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        skew_retried = token_renewed = False
        attempt = 0
        while True:
            attempt += 1
            body = content() if callable(content) else content
            request = self.http.build_request(
                method, url, headers=headers, content=body, timeout=request_timeout,
                extensions=extensions,
            )
            idempotent = _retry.is_idempotent(method, request.headers)
            # A one-shot stream cannot be replayed; a factory or bytes can.
            replayable = body is None or isinstance(body, bytes) or callable(content)
            await sign(request)
            log_request_headers(logger, request)
            try:
                response = await self._send_once(request, stream=stream, deadline=deadline)
            except httpx.TransportError as error:
                more = replayable and attempt < policy.max_attempts
                if more and _retry.is_retryable_exception(error, idempotent=idempotent):
                    delay = _retry.backoff_delay(attempt, policy)
                    if self._fits(deadline, delay):
                        log_retry(logger, request, attempt, policy.max_attempts, type(error).__name__, delay)
                        await anyio.sleep(delay)
                        continue
                raise _transport_error(error, request) from None

            elapsed_ms = (time.monotonic() - started) * 1000
            status = response.status_code
            if status < 400 or (accept_status is not None and accept_status(status)):
                log_call(logger, request, response, attempt, elapsed_ms)
                return Response(response, attempts=attempt, elapsed_ms=elapsed_ms)

            if stream:
                try:
                    await response.aread()
                finally:
                    await response.aclose()
            api_error = api_error_from_response(
                status_code=status, headers=response.headers, body=response.content,
                method=method, url=str(request.url.copy_with(query=None)),
            )
            log_call(logger, request, response, attempt, elapsed_ms)
            if (
                isinstance(api_error, AuthenticationError) and isinstance(self.credentials_provider, TokenAuth)
                and "x-auth-token" in request.headers and not token_renewed and replayable
            ):
                # IAM revoked or expired the token before its stated expiry: fetch a new one, once.
                token_renewed = True
                self.credentials_provider.invalidate()
                attempt -= 1
                continue
            skew = _retry.skew_from(api_error, local_now=self.clock())
            if skew is not None and not skew_retried and replayable:
                skew_retried = True
                self.clock.skew += skew
                logger.warning("clock skew of %.0f s detected from the server's Date; re-signing", skew)
                attempt -= 1
                continue
            retryable = _retry.is_retryable_error(api_error, idempotent=idempotent)
            if replayable and attempt < policy.max_attempts and retryable:
                retry_after = _retry.retry_after_seconds(response.headers)
                delay = _retry.backoff_delay(attempt, policy, retry_after=retry_after)
                if self._fits(deadline, delay):
                    log_retry(logger, request, attempt, policy.max_attempts, f"HTTP {status}", delay)
                    await anyio.sleep(delay)
                    continue
            raise api_error

    @staticmethod
    def _fits(deadline: float | None, delay: float) -> bool:
        return deadline is None or time.monotonic() + delay < deadline

    def _in_flight(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.config.max_in_flight or self.config.max_connections)
        return self._limiter

    async def _send_once(self, request: httpx.Request, *, stream: bool, deadline: float | None) -> httpx.Response:
        scope: AbstractContextManager[object] = (
            anyio.fail_after(max(0.0, deadline - time.monotonic())) if deadline is not None else nullcontext()
        )
        try:
            with scope:
                async with self._in_flight():
                    shards = None if stream else self._shards()
                    if not shards:
                        # Streams keep their connection after send() returns: they use the shared pool.
                        return await self.http.send(request, stream=stream)
                    shard = shards.pop()
                    try:
                        return await shard.send(request)
                    finally:
                        shards.append(shard)
        except builtins.TimeoutError as error:
            raise httpx.ReadTimeout("the call's deadline ran out", request=request) from error


def _id_of(entry: object, what: str, response: Response) -> str:
    identifier = entry.get("id") if isinstance(entry, dict) else None
    if not isinstance(identifier, str) or not identifier:
        raise ConfigurationError(
            f"IAM answered a {what} without an id (request_id={response.request_id}); pass it explicitly"
        )
    return identifier


_URL_USERINFO = re.compile(r"(\w+://)[^/@\s]+@")


def _transport_error(error: httpx.TransportError, request: httpx.Request) -> TransportError:
    # httpx's text can name a proxy URL, with its user:password: keep the URL, drop the credentials.
    detail = _URL_USERINFO.sub(r"\1***@", str(error))
    where = f"{request.method} {request.url.copy_with(query=None)}"
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        return ConnectError(f"could not connect: {where}: {detail}")
    if isinstance(error, httpx.TimeoutException):
        return TimeoutError(f"timed out ({type(error).__name__}): {where}")
    return TransportError(f"{type(error).__name__}: {where}: {detail}")

