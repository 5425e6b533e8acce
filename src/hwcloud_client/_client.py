"""The async facade: one httpx pool, endpoint resolution, project/domain discovery and the send path.

The send path has one concern, sending a call until it has an answer to return or raise. It asks its
auth flow to sign each attempt and whether a rejection can be cured by signing again
(:mod:`.auth.flows`), asks :class:`~._retry.CallRetries` whether and when to try again, and leaves
connections to the transport (:mod:`._transports`). It never resends a body that cannot be rewound and
never follows a redirect.
"""

from __future__ import annotations

import builtins
import logging
import re
import sys
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping, Sequence
from functools import cache, cached_property, lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import quote

from pydantic import BaseModel

from ._http import httpx, request_id_in
from ._logging import log_call, log_request_headers, log_retry
from ._observe import OPERATION_EXTENSION, CallEvent, EventHook, EventHooks, Tracing, check_event_hooks
from ._response import Response
from ._retry import CallRetries, RetryBudget, is_idempotent
from ._types import Body, ParamValue
from ._version import __version__
from .auth import apig
from .auth.flows import ApigAuth, AuthFlow, ClockSkews, ObsAuth
from .auth.hooks import SCOPE_EXTENSION, RequestSigner
from .auth.token import TokenAuth
from .config import Account, ClientConfig, Credentials, Endpoint, Project, RetryPolicy, Stage
from .endpoints import ServiceInfo, resolve_endpoint, service_info
from .errors import (
    APIError,
    BodyNotReplayableError,
    ConfigurationError,
    ConnectError,
    MalformedResponseError,
    TimeoutError,
    TransportError,
    api_error_from_response,
)
from .services._registry import SERVICES, ServiceAttributes

# anyio, json and the pager are imported where they are used: `import hwcloud_client` and building a facade
# need none of them (~5 ms of the import), and an import of a loaded module is a dictionary look-up.

if TYPE_CHECKING:
    import ssl

    import anyio
    from opentelemetry.trace import Span, TracerProvider

    from ._paging import AsyncPager, PagingDialect, Params
    from .auth.providers import CredentialsProvider

__all__ = ["AsyncHuaweiCloud", "Body", "CallOptions"]

logger = logging.getLogger("hwcloud_client")


# What platform.python_version() says ("3.12.1", "3.13.0rc1"), without importing platform for it.
_PYTHON_VERSION = sys.version.split()[0]
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
            if isinstance(item, bytes | bytearray | memoryview):
                # str() would send "b'...'"; which text the bytes mean is the caller's to say.
                raise ConfigurationError(f"query parameter {key!r} is bytes: pass it as str (decode it first)")
            encoded.append((key, ("true" if item else "false") if isinstance(item, bool) else str(item)))
    return encoded


def _encode_path_value(name: str, value: object) -> str:
    if value is None or value == "" or isinstance(value, bytes | bytearray | memoryview):
        # An empty segment would call another API (the list instead of the item); None would become "None".
        raise ConfigurationError(f"path parameter {name!r} is {value!r}: pass a non-empty string")
    text = quote(str(value), safe="")
    # httpx would drop a literal "." or ".." segment.
    return {".": "%2E", "..": "%2E%2E"}.get(text, text)


@lru_cache(maxsize=1024)
def _path_template(path: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """A path split at its placeholders (text, name, text, ...), their names, and whether a brace is left over.

    Parsed once per path: the same few paths recur on every call. Filled values never hold a brace (they are
    percent-encoded), so a brace in the text between placeholders is what makes a path malformed.
    """
    pieces = tuple(_PLACEHOLDER.split(path))
    return pieces, pieces[1::2], any("{" in text or "}" in text for text in pieces[::2])


@lru_cache(maxsize=1024)
def _check_path(path: str) -> None:
    """A path is appended to the endpoint's URL: it must not be able to change the host or climb out."""
    if not path.startswith("/"):
        # "@evil.example/x" or ".evil.example/x" after "https://ecs.cn-north-4..." is another host.
        raise ConfigurationError(f"path {path!r} must start with '/'")
    if any(ord(char) < 0x21 or char in "\\#" for char in path):
        raise ConfigurationError(f"path {path!r} has a space, control character, '\\' or '#': percent-encode it")
    segments = path.split("?", 1)[0].split("/")
    if any(segment in (".", "..") or segment.lower() in ("%2e", "%2e%2e", ".%2e", "%2e.") for segment in segments):
        # httpx collapses dot segments, which would call another API's path.
        raise ConfigurationError(f"path {path!r} has a '.' or '..' segment: pass the path of the API itself")


def _json_bytes(document: Any) -> bytes:
    if isinstance(document, BaseModel):
        return document.model_dump_json(by_alias=True, exclude_none=True).encode()
    import json  # here: `import hwcloud_client` does not need it

    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


class CallOptions(NamedTuple):
    """Per-call defaults of a view made by :meth:`AsyncHuaweiCloud.with_options`; a call's own arguments win."""

    timeout: float | None = None
    retry: RetryPolicy | None = None
    headers: Mapping[str, str] = MappingProxyType({})
    query: tuple[tuple[str, str], ...] = ()

    def merged(
        self,
        *,
        timeout: float | None,
        retry: RetryPolicy | None,
        headers: Mapping[str, str] | None,
        query: Mapping[str, ParamValue] | None,
    ) -> CallOptions:
        if timeout is not None and not timeout > 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds, not {timeout!r}")
        for name, value in (headers or {}).items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise ConfigurationError(f"header {name!r}: names and values must be str")
        return CallOptions(
            timeout=self.timeout if timeout is None else timeout,
            retry=retry or self.retry,
            headers={**self.headers, **(headers or {})},
            query=(*self.query, *_encode_params(query)),
        )


_NO_OPTIONS = CallOptions()


class AsyncHuaweiCloud(ServiceAttributes):
    """The async entry point: ``async with AsyncHuaweiCloud(region="cn-north-4") as cloud: ...``.

    Credentials default to the provider chain (explicit → environment → profile file → ECS metadata);
    nothing is fetched before the first call. ``cloud.request()`` calls any Huawei Cloud API;
    ``cloud.iam``, ``cloud.ecs``, ``cloud.obs`` and the other typed clients are imported and created on
    first use.
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
        event_hooks: EventHooks | None = None,
        tracing: bool | TracerProvider = False,
    ) -> None:
        self.config = config if config is not None else ClientConfig.from_env(environ)
        self._event_hooks = check_event_hooks(event_hooks)
        # True: the global OpenTelemetry tracer provider; or the provider given.
        self._tracing = Tracing(None if tracing is True else tracing) if tracing is not False else None
        self.region = region or self.config.region
        self._environ = environ
        self._owns_provider = credentials is None
        if credentials is None:
            from .auth.providers import default_provider_chain

            credentials = default_provider_chain(environ=environ)
        self.credentials_provider: Credentials | CredentialsProvider = credentials
        self._project = Project(project_id=project) if isinstance(project, str) else project
        self._account = Account(domain_id=account) if isinstance(account, str) else account
        self.skews = ClockSkews(clock or time.time)
        self.signer = RequestSigner(credentials, algorithm=self.config.signing_algorithm, clock=self.skews.wall)
        # An IAM token replaces the AK/SK signature; everything else (X-Project-Id...) is the same.
        self.auth: AuthFlow = credentials if isinstance(credentials, TokenAuth) else ApigAuth(self.signer, self.skews)
        self.obs_auth = ObsAuth(self.signer, self.skews)
        self.retry_budget = RetryBudget()
        self._owns_http = http_client is None
        self._http = http_client
        self._endpoints: dict[str, Endpoint] = {}
        self._project_ids: dict[tuple[str, str], str] = {}
        self._domain_ids: dict[str, str] = {}
        self._discovery_lock: anyio.Lock | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._closed = False
        # The facade that owns the pool and the caches; a view from with_options() shares its root's.
        self._root = self
        self._options = _NO_OPTIONS

    @property
    def http(self) -> httpx.AsyncClient:
        """The httpx client: yours (``http_client=``), else one created on first use.

        Created lazily because building its TLS context is most of the cost of constructing a facade.
        """
        root = self._root
        if root._http is None:
            root._check_open()
            root._http = root._new_http_client(root.config)
        return root._http

    def _check_open(self) -> None:
        # Also guards lazy creation: a call already under way when aclose() ran must not open a new pool.
        if self._root._closed:
            raise ConfigurationError("this AsyncHuaweiCloud is closed; create a new one")

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy (attempts, backoff, deadline) of this facade's calls, or of this view's."""
        return self._options.retry or self.config.retry

    def with_options(
        self,
        *,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, ParamValue] | None = None,
    ) -> AsyncHuaweiCloud:
        """A view of this facade whose calls default to these options; it shares the pool, caches and budget.

        ``cloud.with_options(timeout=5, retry=RetryPolicy(max_attempts=1)).ecs.list_flavors()``: every
        service, generated or hand-written, and ``request()`` take the view's options; arguments a call
        passes itself win. ``headers`` and ``query`` are added to every request (and signed). Cheap: build
        one per call if you like. Closing a view closes nothing; close the facade it came from.
        """
        view = object.__new__(type(self))
        # The services a facade has created are bound to it: a view creates its own on first access.
        view.__dict__.update({name: value for name, value in self.__dict__.items() if name not in SERVICES})
        view._options = self._options.merged(timeout=timeout, retry=retry, headers=headers, query=query)
        return view

    @cached_property
    def _tls_context(self) -> ssl.SSLContext:
        """One TLS context for all of this facade's clients: each costs ~20 ms to load the CA bundle."""
        return httpx.create_ssl_context(verify=self.config.verify)

    def _new_http_client(self, config: ClientConfig) -> httpx.AsyncClient:
        from ._transports import ShardedTransport, skip_cookieless_responses

        timeouts = config.timeouts
        options: dict[str, Any] = {
            "timeout": httpx.Timeout(
                connect=timeouts.connect, read=timeouts.read, write=timeouts.write, pool=timeouts.pool
            ),
            "follow_redirects": False,
            "headers": {"User-Agent": _user_agent(config.user_agent)},
        }
        if config.http_backend == "aiohttp":
            try:
                from httpx_aiohttp import HttpxAiohttpClient
            except ImportError:
                raise ConfigurationError(
                    "http_backend='aiohttp' needs httpx-aiohttp: install the 'fast' extra "
                    "(pip install '.[fast]' from a checkout, or 'hwcloud-client[fast]' from an index)"
                ) from None
            limits = httpx.Limits(
                max_connections=config.max_connections, max_keepalive_connections=config.max_keepalive_connections
            )
            client: httpx.AsyncClient = HttpxAiohttpClient(
                limits=limits, verify=self._tls_context, proxy=config.proxy, **options
            )
        else:
            one_connection = httpx.Limits(max_connections=1, max_keepalive_connections=1)
            shards = [
                httpx.AsyncHTTPTransport(verify=self._tls_context, limits=one_connection, proxy=config.proxy)
                for _ in range(config.max_connections)
            ]
            client = httpx.AsyncClient(transport=ShardedTransport(shards), **options)
        skip_cookieless_responses(client)
        return client

    # --- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> AsyncHuaweiCloud:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close what this facade created: its httpx clients and its default credentials chain.

        A view made by :meth:`with_options` owns nothing: closing it is a no-op.
        """
        if self._closed or self._root is not self:
            return
        self._closed = True
        owned: list[Callable[[], Awaitable[None]]] = []
        if self._owns_http and self._http is not None:
            owned.append(self._http.aclose)
        if self._owns_provider:
            close = getattr(self.credentials_provider, "aclose", None)
            if close is not None:
                owned.append(close)
        import anyio

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
        root = self._root
        if root._discovery_lock is None:
            import anyio

            root._discovery_lock = anyio.Lock()
        return root._discovery_lock

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
        pieces, names, malformed = _path_template(path)
        values: dict[str, str] = {}
        for name in names:
            if path_params and name in path_params:
                values[name] = _encode_path_value(name, path_params[name])
            elif name == "project_id":
                values[name] = _encode_path_value(name, await self.project_id())
            elif name == "domain_id":
                values[name] = _encode_path_value(name, await self.domain_id())
            else:
                raise ConfigurationError(f"path {path!r} needs {{{name}}}: pass path_params={{{name!r}: ...}}")
        if malformed:
            raise ConfigurationError(f"path {path!r} has an unfilled or malformed placeholder")
        # pieces alternate text and placeholder names: "/v1/", "project_id", "/servers"
        return "".join([values[piece] if index % 2 else piece for index, piece in enumerate(pieces)])

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
        operation: str | None = None,
        auth: AuthFlow | None = None,
    ) -> Response:
        """Call any Huawei Cloud API and return its response; error statuses raise typed errors.

        ``service`` is a service name (``"ecs"``), resolved to the region's endpoint, or an
        :class:`Endpoint` (for your own APIs on API Gateway: ``Endpoint(url="https://1.2.3.4",
        host="api.example.com")`` with ``stage=Stage(name="RELEASE")``). ``{project_id}`` and
        ``{domain_id}`` in ``path`` are filled (discovered if needed), other placeholders from
        ``path_params``. ``auth`` replaces the facade's signing for this call (``auth.flows.UNSIGNED`` for
        an API whose credential you put in the request yourself).
        """
        _check_path(path)
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
            timeout=timeout, retry=retry, extensions={SCOPE_EXTENSION: scope, OPERATION_EXTENSION: operation},
            auth=auth,
        )

    def paginate(
        self,
        service: str | Endpoint,
        path: str,
        *,
        items: str,
        dialect: PagingDialect,
        params: Mapping[str, ParamValue] | None = None,
        headers: Mapping[str, str] | None = None,
        path_params: Mapping[str, object] | None = None,
        max_pages: int | None = None,
    ) -> AsyncPager[dict[str, Any], Any]:
        """Page through any list API called with ``GET`` by :meth:`request`; pages are the decoded JSON bodies.

        ``items`` names the list in each page (dotted for nested ones: ``"page_info.items"``), ``dialect``
        how the next page is asked for: ``PageNumber()``, ``ItemOffset()``, ``Marker()`` or ``LinksNext()``.

        >>> async for vpc in cloud.paginate("vpc", "/v1/{project_id}/vpcs", items="vpcs", dialect=Marker()):
        ...     print(vpc["id"])
        """

        from ._paging import AsyncPager, dig

        async def fetch(page_params: Params) -> dict[str, Any]:
            response = await self.request(
                service, "GET", path, params=page_params, headers=headers, path_params=path_params
            )
            document = response.json()
            if not isinstance(document, dict):
                raise MalformedResponseError(
                    f"GET {path}", reason="a page is not a JSON object", status_code=response.status_code,
                    request_id=response.request_id, body=response.content,
                )
            return document

        def items_of(page: dict[str, Any]) -> Sequence[Any]:
            found = dig(page, items)
            return found if isinstance(found, list) else []

        return AsyncPager(fetch, items_of, dialect, dict(params or {}), max_pages=max_pages)

    async def send(
        self,
        method: str,
        url: str,
        *,
        auth: AuthFlow | None = None,
        params: Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        content: Body | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        stream: bool = False,
        extensions: dict[str, Any] | None = None,
        accept_status: Callable[[int], bool] | None = None,
    ) -> Response:
        """Send until there is an answer: every attempt is rebuilt and signed by ``auth`` (the facade's by default).

        A 2xx answer is returned; any other status raises its typed error unless ``accept_status`` accepts
        it (e.g. 404 for HEAD). With ``stream=True`` the body is left unread (the caller must close
        ``http_response``). ``content`` that is a bare async iterable is sent at most once: a call that would
        need it again raises :class:`~hwcloud_client.errors.BodyNotReplayableError` instead.
        """
        self._check_open()
        options = self._options
        if options is not _NO_OPTIONS:
            timeout = options.timeout if timeout is None else timeout
            retry = retry or options.retry
            if options.headers:
                headers = {**options.headers, **(headers or {})}
            if options.query:
                params = [*(params or ()), *options.query]
        if params:
            # Sent in canonical form: httpx parses the URL once, and the signer has nothing to rewrite.
            url = f"{url}{'&' if '?' in url else '?'}{apig.canonical_query(params)}"
        extensions = extensions or {}
        tracing = self._tracing
        span = None if tracing is None else self._start_span(tracing, method, url, extensions)
        attempts = self._send_until_answered(
            method=method, url=url, flow=auth or self.auth, headers=headers, content=content,
            request_timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else httpx.Timeout(timeout),
            retries=CallRetries(retry or self.retry_policy, self.retry_budget, body_size=_body_size(content, headers)),
            stream=stream, extensions=extensions, accept_status=accept_status,
        )
        if tracing is None or span is None:
            return await attempts
        with tracing.use(span):
            try:
                response = await attempts
            except BaseException as error:
                tracing.finish(span, response=None, error=error)
                raise
            tracing.finish(span, response=response, error=None)
            return response

    def _start_span(self, tracing: Tracing, method: str, url: str, extensions: dict[str, Any]) -> Span:
        region, service = extensions.get(SCOPE_EXTENSION, (self.region, None))
        split = httpx.URL(url)
        return tracing.start(
            method=method, url=str(split.copy_with(query=None)), host=split.host, service=service,
            operation=extensions.get(OPERATION_EXTENSION), region=region,
        )

    async def _send_until_answered(
        self,
        *,
        method: str,
        url: str,
        flow: AuthFlow,
        headers: Mapping[str, str] | None,
        content: Body | None,
        request_timeout: Any,
        retries: CallRetries,
        stream: bool,
        extensions: dict[str, Any],
        accept_status: Callable[[int], bool] | None,
    ) -> Response:
        import anyio

        replayable = not isinstance(content, AsyncIterable)
        resigned = False
        while True:
            body = content() if callable(content) else content
            request = self.http.build_request(
                method, _url_of(url), headers=headers, content=body, timeout=request_timeout,
                extensions=extensions,
            )
            await flow.sign(request)
            log_request_headers(logger, request)
            idempotent = is_idempotent(method, request.headers)
            hooks = self._event_hooks
            if hooks["request"]:
                _emit(hooks["request"], request, "request", retries.attempt)
            attempt_started = time.monotonic()
            try:
                response = await self._transmit(request, stream=stream, retries=retries)
            except httpx.TransportError as error:
                if hooks["response"]:
                    _emit(
                        hooks["response"], request, "response", retries.attempt, started=attempt_started, error=error
                    )
                delay = retries.after_exception(error, idempotent=idempotent, replayable=replayable)
                if delay is None:
                    raise _transport_error(error, request) from None
                reason = type(error).__name__
                log_retry(logger, request, retries.attempt - 1, retries.policy.max_attempts, reason, delay)
                await anyio.sleep(delay)
                continue

            elapsed_ms = (time.monotonic() - retries.started) * 1000
            log_call(logger, request, response, retries.attempt, elapsed_ms)
            if hooks["response"]:
                _emit(
                    hooks["response"], request, "response", retries.attempt, started=attempt_started, response=response
                )
            status = response.status_code
            if 200 <= status < 300 or (accept_status is not None and accept_status(status)):
                retries.succeeded()
                return Response(response, attempts=retries.attempt, elapsed_ms=elapsed_ms)

            api_error = await _api_error(response, request, stream=stream)
            if not resigned and flow.after_rejection(request, api_error):
                resigned = True
                if not replayable:
                    raise BodyNotReplayableError(
                        f"{method} {api_error.url} must be signed and sent again ({api_error.error_code or status}), "
                        "but its body was a one-shot stream that is now spent; pass bytes, a file path or a "
                        "seekable file, which can be read again"
                    ) from api_error
                continue
            delay = retries.after_error(api_error, idempotent=idempotent, replayable=replayable)
            if delay is None:
                raise api_error
            log_retry(logger, request, retries.attempt - 1, retries.policy.max_attempts, f"HTTP {status}", delay)
            await anyio.sleep(delay)

    def _in_flight(self) -> anyio.CapacityLimiter:
        root = self._root
        if root._limiter is None:
            import anyio

            root._limiter = anyio.CapacityLimiter(root.config.max_in_flight or root.config.max_connections)
        return root._limiter

    async def _transmit(self, request: httpx.Request, *, stream: bool, retries: CallRetries) -> httpx.Response:
        import anyio

        remaining = retries.remaining()
        limiter = self._in_flight()
        try:
            # A free slot is taken without yielding to the event loop (anyio's acquire() checkpoints twice,
            # ~10 µs a call); only a call that must wait for a slot awaits one.
            limiter.acquire_nowait()
        except anyio.WouldBlock:
            acquired = False
        else:
            acquired = True
        try:
            if remaining is None:
                if not acquired:
                    await limiter.acquire()
                    acquired = True
                response = await self.http.send(request, stream=stream, follow_redirects=False)
            else:
                # What anyio.fail_after does, without its generator-based context manager.
                deadline = anyio.current_time() + max(0.0, remaining)
                with anyio.CancelScope(deadline=deadline) as scope:
                    if not acquired:
                        await limiter.acquire()
                        acquired = True
                    response = await self.http.send(request, stream=stream, follow_redirects=False)
                if scope.cancelled_caught:  # only its deadline cancels this scope
                    raise httpx.ReadTimeout(_DEADLINE_MESSAGE, request=request)
        except builtins.TimeoutError as error:
            raise httpx.ReadTimeout(_DEADLINE_MESSAGE, request=request) from error
        except RuntimeError:
            if self._root._closed:  # httpx's "the client has been closed", for a call that was in flight
                raise ConfigurationError("this AsyncHuaweiCloud was closed while the call was in flight") from None
            raise
        finally:
            if acquired:
                limiter.release()
        if not stream:
            # The body is read and the stream closed: drop httpx's Response <-> stream reference cycle, so
            # that the response (and the request, the connection's stream objects...) is freed when the
            # caller lets go of it, instead of waiting for the cyclic garbage collector.
            response.stream = _spent_stream()
        return response


_DEADLINE_MESSAGE = "the call's deadline ran out; raise RetryPolicy(deadline=...) for a slow link"


def _body_size(content: Body | None, headers: Mapping[str, str] | None) -> int | None:
    if isinstance(content, bytes):
        return len(content)
    for name, value in (headers or {}).items():
        if name.lower() == "content-length" and value.isdigit():
            return int(value)
    return None


# Query parameters that may carry a credential (a pre-signed URL's signature, a security token): such a URL is
# parsed for its call only, never kept in the cache below. A value that merely contains one of these words skips
# the cache too, which costs only the parse.
_SECRET_QUERY_WORDS = ("signature", "token", "credential", "accesskeyid", "policy")


def _url_of(url: str) -> httpx.URL:
    query = url.partition("?")[2].lower()
    if query and any(word in query for word in _SECRET_QUERY_WORDS):
        return httpx.URL(url)
    return _parsed_url(url)


@lru_cache(maxsize=1024)
def _parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, parsed once per distinct URL: httpx checks a URL character by character in Python
    (~20 µs for an API call's), and the same URLs recur. httpx's URLs are immutable, so one can be shared."""
    return httpx.URL(url)


@cache
def _spent_stream() -> httpx.ByteStream:
    # Built on first use: httpx is imported with the first request, not with the package.
    return httpx.ByteStream(b"")


def _emit(
    hooks: Sequence[EventHook],
    request: httpx.Request,
    phase: Literal["request", "response"],
    attempt: int,
    *,
    started: float | None = None,
    response: httpx.Response | None = None,
    error: Exception | None = None,
) -> None:
    _region, service = request.extensions.get(SCOPE_EXTENSION, (None, None))
    request_id = request_id_in(response.headers) if response is not None else None
    event = CallEvent(
        phase=phase, service=service, operation=request.extensions.get(OPERATION_EXTENSION),
        method=request.method, url=str(request.url.copy_with(query=None)), attempt=attempt,
        status_code=response.status_code if response is not None else None, request_id=request_id,
        elapsed_ms=(time.monotonic() - started) * 1000 if started is not None else None,
        error=type(error).__name__ if error is not None else None,
    )
    for hook in hooks:
        hook(event)


async def _api_error(response: httpx.Response, request: httpx.Request, *, stream: bool) -> APIError:
    if stream:
        try:
            await response.aread()
        finally:
            await response.aclose()
    return api_error_from_response(
        status_code=response.status_code, headers=response.headers, body=response.content,
        method=request.method, url=str(request.url.copy_with(query=None)),
    )


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
        # The detail says when it was the call's deadline rather than one read, write or connect.
        return TimeoutError(f"timed out ({type(error).__name__}): {where}" + (f": {detail}" if detail else ""))
    return TransportError(f"{type(error).__name__}: {where}: {detail}")

