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

from .._http import decode_header_value, httpx
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
    host = request.url.netloc.decode("ascii")
    first = request.extensions.setdefault(_SIGNED_HOST_EXTENSION, host)
    if first != host:
        raise UnsafeRedirectError(
            f"refusing to sign a request redirected from {first} to {host}: credentials go only to the host "
            "you called; call the new location yourself if you trust it"
        )


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
        headers = request.headers
        if apig.needs_unsigned_payload(headers.get("content-type")):
            headers[self.spec.content_header] = apig.UNSIGNED_PAYLOAD
            body = _known_body(request)
            if body is None and headers.get("content-length") == "0":
                body = b""
            return body, False
        body = _known_body(request)
        return body, body is None and not headers.get(self.spec.content_header)

    def sign(
        self, request: httpx.Request, credentials: Credentials, body: bytes | None, *, now: float | None = None
    ) -> None:
        refuse_cross_host_redirect(request)
        headers = request.headers
        # One pass over the raw headers, and one write per header that changes: httpx's Headers
        # methods rescan the whole list on every call, which dominated signing time.
        current: dict[str, str] = {}
        for raw_name, raw_value in headers.raw:
            name = raw_name.decode("latin-1").lower()
            value = decode_header_value(raw_value)
            current[name] = f"{current[name]}, {value}" if name in current else value
        updates = {name: value.strip() for name, value in current.items() if value != value.strip()}

        sdk_date = _format_sdk_date(self._clock() if now is None else now)
        updates["X-Sdk-Date"] = sdk_date
        if "host" not in current:
            updates["Host"] = request.url.netloc.decode("ascii")
        if credentials.security_token is not None:
            updates["X-Security-Token"] = credentials.security_token.get_secret_value()
        elif "x-security-token" in current:
            del headers["x-security-token"]
            del current["x-security-token"]
        if self._project_id and "x-project-id" not in current:
            updates["X-Project-Id"] = self._project_id
        if self._domain_id and "x-domain-id" not in current:
            updates["X-Domain-Id"] = self._domain_id
        if self._stage and "x-stage" not in current:
            updates["x-stage"] = self._stage
        for name, value in updates.items():
            current[name.lower()] = value

        raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
        if raw_query:
            canonical_query = apig.canonical_wire_query(raw_query)
            if canonical_query != raw_query:
                target = f"{raw_path}?{canonical_query}" if canonical_query else raw_path
                request.url = request.url.copy_with(raw_path=target.encode("ascii"))
            raw_query = canonical_query

        region, service = request.extensions.get(SCOPE_EXTENSION, self._scope)
        body_hash = apig.payload_hash(self.spec, body, content_header_value=current.get(self.spec.content_header))
        updates["Authorization"] = apig.sign_request(
            method=request.method,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=current,
            body_hash=body_hash,
            credentials=credentials,
            sdk_date=sdk_date,
            algorithm=self.spec.name,
            region=region,
            service=service,
        )
        for name, value in updates.items():
            headers[name] = value

    async def sign_async(self, request: httpx.Request, *, now: float | None = None) -> None:
        credentials = await self.get_credentials()
        body, must_read = self.body_to_hash(request)
        if must_read:
            body = await request.aread()
        self.sign(request, credentials, body, now=now)

    def sign_sync(self, request: httpx.Request) -> None:
        credentials = self.static_credentials()
        body, must_read = self.body_to_hash(request)
        if must_read:
            body = request.read()
        self.sign(request, credentials, body)


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
