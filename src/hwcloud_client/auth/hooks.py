"""Signing for httpx: a request event hook (async and sync), and the signer they and ``HuaweiCloudAuth`` share.

Each call re-dates and re-signs the request, so a retried or reused request is never sent with a
stale ``X-Sdk-Date``. The signature covers the request exactly as httpx will send it: the raw
target (whose query is rewritten to the canonical form first, so that what is signed is what is
sent), the final headers, and the body bytes.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from .._http import httpx
from ..config import Account, Credentials, Project, SigningAlgorithm, Stage
from ..errors import ConfigurationError, UnsafeRedirectError
from . import apig

if TYPE_CHECKING:
    from .providers import CredentialsProvider

__all__ = [
    "SCOPE_EXTENSION", "Clock", "RequestSigner", "refuse_cross_host_redirect", "signing_hook", "sync_signing_hook",
]

Clock = Callable[[], float]

# ``request.extensions[SCOPE_EXTENSION] = (region, service)`` gives V11-HMAC-SHA256 its scope per request.
SCOPE_EXTENSION = "hwcloud_client.signing_scope"
# The host a request was first signed for. httpx hands a redirect the same extensions dict, so a
# redirect to another host shows up here as a mismatch.
_SIGNED_HOST_EXTENSION = "hwcloud_client.signed_host"


def refuse_cross_host_redirect(request: httpx.Request) -> None:
    """Raise before signing (or sending credentials) for a host other than the one first signed for.

    A client with ``follow_redirects=True`` would otherwise re-sign a 302's target, or forward a token.
    """
    _check_signed_host(request, request.url.netloc.decode("ascii"))


def _format_sdk_date(epoch_seconds: float) -> str:
    return _format_whole_second(int(epoch_seconds))


@lru_cache(maxsize=4)
def _format_whole_second(epoch_seconds: int) -> str:
    return time.strftime(apig.SDK_DATE_FORMAT, time.gmtime(epoch_seconds))


def _known_body(request: httpx.Request) -> bytes | None:
    try:
        return request.content
    except httpx.RequestNotRead:
        return None


class RequestSigner:
    """Adds the Huawei headers to an ``httpx.Request`` and signs it.

    The signature time is ``clock()`` unless the caller passes ``now`` (the core client's auth flow
    passes the clock it learned for the request's endpoint).
    """

    def __init__(
        self,
        credentials: Credentials | CredentialsProvider,
        *,
        algorithm: SigningAlgorithm = "SDK-HMAC-SHA256",
        project: Project | None = None,
        account: Account | None = None,
        stage: Stage | None = None,
        region: str | None = None,
        service: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not isinstance(credentials, Credentials) and not callable(
            getattr(credentials, "get_credentials", None)
        ):
            raise ConfigurationError(
                "credentials must be a hwcloud_client.Credentials or a provider with get_credentials()"
            )
        self._credentials = credentials
        self.spec = apig.algorithm_spec(algorithm)
        self._project_id = project.header_value if project else None
        self._domain_id = account.domain_id if account else None
        self._stage = stage.name if stage else None
        self._scope = (region, service)
        self._clock: Clock = clock or time.time

    async def get_credentials(self) -> Credentials:
        if isinstance(self._credentials, Credentials):
            return self._credentials
        return await self._credentials.get_credentials()

    def static_credentials(self) -> Credentials:
        if isinstance(self._credentials, Credentials):
            return self._credentials
        raise ConfigurationError(
            "the blocking signing hook and HuaweiCloudAuth's sync flow need plain Credentials; "
            "use the async hook (signing_hook) or AsyncHuaweiCloud with a credentials provider"
        )

    def body_to_hash(self, request: httpx.Request) -> tuple[bytes | None, bool]:
        """Prepare the headers that decide the payload; return (body if known, whether it must be read)."""
        current = _current_headers(request.headers)
        body, must_read, unsigned = self._body_to_hash(request, current)
        if unsigned:
            request.headers[self.spec.content_header] = apig.UNSIGNED_PAYLOAD
        return body, must_read

    def _body_to_hash(self, request: httpx.Request, current: dict[str, str]) -> tuple[bytes | None, bool, bool]:
        """``body_to_hash`` on headers already read: (body if known, must it be read, is the payload unsigned).

        An unsigned payload's content header is recorded in ``current`` for :meth:`_sign` to write.
        """
        if apig.needs_unsigned_payload(current.get("content-type")):
            current[self.spec.content_header] = apig.UNSIGNED_PAYLOAD
            body = _known_body(request)
            if body is None and current.get("content-length") == "0":
                body = b""
            return body, False, True
        body = _known_body(request)
        return body, body is None and not current.get(self.spec.content_header), False

    def sign(
        self, request: httpx.Request, credentials: Credentials, body: bytes | None, *, now: float | None = None
    ) -> None:
        self._sign(request, credentials, body, _current_headers(request.headers), (), now)

    def _sign(
        self,
        request: httpx.Request,
        credentials: Credentials,
        body: bytes | None,
        current: dict[str, str],
        written: tuple[str, ...],
        now: float | None,
    ) -> None:
        """Sign ``request`` whose headers, read once, are ``current`` (lower-case names, duplicates joined).

        ``written`` names headers already changed in ``current`` that must be written to the request too.
        """
        url = request.url
        host = url.netloc.decode("ascii")
        _check_signed_host(request, host)
        # httpx's Headers methods rescan the whole list on every call, which dominated signing time: the
        # headers are read once (``current``) and every change is written in one pass at the end.
        updates = {name: current[name] for name in written} if written else {}
        for name, value in current.items():
            stripped = value.strip()
            if stripped is not value and stripped != value:  # strip() returns the very string when it is clean
                updates[name] = stripped

        sdk_date = _format_sdk_date(self._clock() if now is None else now)
        updates["x-sdk-date"] = sdk_date
        if "host" not in current:
            updates["host"] = host
        if credentials.security_token is not None:
            updates["x-security-token"] = credentials.security_token.get_secret_value()
        elif "x-security-token" in current:
            del request.headers["x-security-token"]
            del current["x-security-token"]
        if self._project_id and "x-project-id" not in current:
            updates["x-project-id"] = self._project_id
        if self._domain_id and "x-domain-id" not in current:
            updates["x-domain-id"] = self._domain_id
        if self._stage and "x-stage" not in current:
            updates["x-stage"] = self._stage
        current.update(updates)

        raw_path, _, raw_query = url.raw_path.decode("ascii").partition("?")
        if raw_query:
            canonical_query = apig.canonical_wire_query(raw_query)
            if canonical_query != raw_query:
                target = f"{raw_path}?{canonical_query}" if canonical_query else raw_path
                request.url = url.copy_with(raw_path=target.encode("ascii"))
            raw_query = canonical_query

        spec = self.spec
        region, service = request.extensions.get(SCOPE_EXTENSION, self._scope)
        updates["authorization"] = apig._authorize(
            spec, request.method, raw_path, raw_query, current,
            apig.payload_hash(spec, body, content_header_value=current.get(spec.content_header)),
            credentials, sdk_date, region, service,
        )
        _write_headers(request.headers, updates)

    async def sign_async(self, request: httpx.Request, *, now: float | None = None) -> None:
        credentials = await self.get_credentials()
        current = _current_headers(request.headers)
        body, must_read, unsigned = self._body_to_hash(request, current)
        if must_read:
            body = await request.aread()
        self._sign(request, credentials, body, current, _UNSIGNED_WRITES[self.spec.content_header] if unsigned else (),
                   now)

    def sign_sync(self, request: httpx.Request) -> None:
        credentials = self.static_credentials()
        current = _current_headers(request.headers)
        body, must_read, unsigned = self._body_to_hash(request, current)
        if must_read:
            body = request.read()
        self._sign(request, credentials, body, current, _UNSIGNED_WRITES[self.spec.content_header] if unsigned else (),
                   None)


_UNSIGNED_WRITES = {"x-sdk-content-sha256": ("x-sdk-content-sha256",), "x-sdk-content-sm3": ("x-sdk-content-sm3",)}


def _check_signed_host(request: httpx.Request, host: str) -> None:
    first = request.extensions.setdefault(_SIGNED_HOST_EXTENSION, host)
    if first != host:
        raise UnsafeRedirectError(
            f"refusing to sign a request redirected from {first} to {host}: credentials go only to the host "
            "you called; call the new location yourself if you trust it"
        )


def _current_headers(headers: httpx.Headers) -> dict[str, str]:
    """Lower-case name -> value as sent (UTF-8, else Latin-1), repeated headers joined with ", ".

    ``Authorization`` is left out: it is never signed, and signing replaces it.
    """
    entries = getattr(headers, "_list", None)
    if type(entries) is not list:
        entries = [(raw_name, raw_name.lower(), raw_value) for raw_name, raw_value in headers.raw]
    current: dict[str, str] = {}
    for _, raw_name, raw_value in entries:
        if raw_name == b"authorization":
            continue
        name = raw_name.decode("latin-1")  # httpx keeps each name's lower-case form: no lower() needed
        try:
            value = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            value = raw_value.decode("latin-1")
        if name in current:
            current[name] = f"{current[name]}, {value}"
        else:
            current[name] = value
    return current


# Header names as the hook writes them (a caller's own spelling of a header it replaces is not kept).
_SPELLING = {
    "x-sdk-date": "X-Sdk-Date", "host": "Host", "x-security-token": "X-Security-Token",
    "x-project-id": "X-Project-Id", "x-domain-id": "X-Domain-Id", "authorization": "Authorization",
}


_ASCII_COMPATIBLE = frozenset({"utf-8", "ascii", "iso-8859-1"})
# (lower-case name, spelling) as bytes, for the names the hook writes: the same in every ASCII-compatible encoding.
_ENCODED_NAMES: dict[str, tuple[bytes, bytes]] = {}


def _write_headers(headers: httpx.Headers, updates: dict[str, str]) -> None:
    """``headers[name] = value`` for each update, in one pass over the list instead of one per update.

    Same result as httpx's ``__setitem__``: the first entry of a name is replaced in place, its repeats
    are dropped, and a new name is appended.
    """
    entries: list[tuple[bytes, bytes, bytes]] | None = getattr(headers, "_list", None)
    if type(entries) is not list:
        for name, value in updates.items():
            headers[_SPELLING.get(name, name)] = value
        return
    encoding = getattr(headers, "_encoding", None) or "utf-8"
    pending: dict[bytes, tuple[bytes, bytes]] = {}
    for name, value in updates.items():
        spelled = _ENCODED_NAMES.get(name) if encoding in _ASCII_COMPATIBLE else None
        if spelled is None:
            spelled = (name.encode(encoding), _SPELLING.get(name, name).encode(encoding))
            if encoding in _ASCII_COMPATIBLE and name in _SPELLING:
                _ENCODED_NAMES[name] = spelled
        pending[spelled[0]] = (spelled[1], value.encode(encoding))
    rewritten: list[tuple[bytes, bytes, bytes]] = []
    done: set[bytes] = set()
    for entry in entries:
        lower = entry[1]
        change = pending.get(lower)
        if change is None:
            rewritten.append(entry)
        elif lower not in done:
            done.add(lower)
            rewritten.append((change[0], lower, change[1]))
    for lower, (raw_name, raw_value) in pending.items():
        if lower not in done:
            rewritten.append((raw_name, lower, raw_value))
    entries[:] = rewritten


def signing_hook(
    credentials: Credentials | CredentialsProvider,
    *,
    algorithm: SigningAlgorithm = "SDK-HMAC-SHA256",
    project: Project | None = None,
    account: Account | None = None,
    stage: Stage | None = None,
    region: str | None = None,
    service: str | None = None,
    clock: Clock | None = None,
) -> Callable[[httpx.Request], Awaitable[None]]:
    """An ``httpx.AsyncClient`` request event hook that signs every outgoing request.

    >>> client = httpx.AsyncClient(event_hooks={"request": [signing_hook(creds)]})
    """
    signer = RequestSigner(
        credentials, algorithm=algorithm, project=project, account=account, stage=stage,
        region=region, service=service, clock=clock,
    )
    return signer.sign_async


def sync_signing_hook(
    credentials: Credentials,
    *,
    algorithm: SigningAlgorithm = "SDK-HMAC-SHA256",
    project: Project | None = None,
    account: Account | None = None,
    stage: Stage | None = None,
    region: str | None = None,
    service: str | None = None,
    clock: Clock | None = None,
) -> Callable[[httpx.Request], None]:
    """The same as :func:`signing_hook`, for a blocking ``httpx.Client``."""
    signer = RequestSigner(
        credentials, algorithm=algorithm, project=project, account=account, stage=stage,
        region=region, service=service, clock=clock,
    )
    return signer.sign_sync
