"""IAM token credentials: requests carry ``X-Auth-Token`` instead of an AK/SK signature.

For users who have no access keys (private clouds, password-only accounts). The token is fetched
on first use and again shortly before it expires, one fetch at a time however many calls are
waiting. The token is a :class:`~pydantic.SecretStr` throughout and never appears in a repr,
log line or error message.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import SecretStr, TypeAdapter, ValidationError

from .._http import httpx
from ..config import Credentials
from ..endpoints import resolve_endpoint
from ..errors import APIError, AuthenticationError, ConfigurationError, TransportError, api_error_from_response
from ._refresh import SingleFlight

__all__ = ["TokenAuth", "TokenFetch", "password_token_body"]

TokenFetch = Callable[[], Awaitable[tuple[SecretStr, float]]]
"""Returns a token and its expiry in seconds since the epoch."""


class TokenAuth:
    """Credentials that are an IAM token: ``AsyncHuaweiCloud(region=..., credentials=TokenAuth(fetch))``.

    ``fetch`` is called when there is no token yet or the current one expires within
    ``refresh_before`` seconds; concurrent callers share that one fetch, its token or its error. It is
    shielded from cancellation (a cancelled caller does not waste a fetch others wait for) and bounded by
    ``refresh_timeout``. ``project_id``/``domain_id`` are optional hints that save the client a
    discovery call. Use one instance from one event loop.
    """

    def __init__(
        self,
        fetch: TokenFetch,
        *,
        refresh_before: float = 900.0,
        refresh_timeout: float = 30.0,
        project_id: str | None = None,
        domain_id: str | None = None,
        clock: Callable[[], float] = time.time,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if refresh_before < 0 or refresh_timeout <= 0:
            raise ConfigurationError("refresh_before must not be negative and refresh_timeout must be positive")
        self._fetch = fetch
        self._refresh_before = refresh_before
        self._project_id = project_id
        self._domain_id = domain_id
        self._clock = clock
        self._on_close = on_close
        self._token: SecretStr | None = None
        self._expires_at = 0.0
        self._refresh_at = 0.0
        self._refresh = SingleFlight(self._fetch_and_keep, timeout=refresh_timeout, what="fetching an IAM token")

    @classmethod
    def from_password(
        cls,
        *,
        domain_name: str,
        user_name: str,
        password: SecretStr | str,
        project_id: str | None = None,
        project_name: str | None = None,
        region: str | None = None,
        endpoint: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        refresh_before: float = 900.0,
        clock: Callable[[], float] = time.time,
    ) -> TokenAuth:
        """Tokens of an IAM user, fetched with the user's password from IAM (KeystoneCreateUserTokenByPassword).

        The token is scoped to the project (``project_id`` or ``project_name``, which is usually the
        region id), else to the account. IAM is reached at ``endpoint``, else at the region's IAM
        endpoint, else at the global one. ``http_client`` is used as given and not closed.
        """
        import json  # here, as in _expires_at: `import hwcloud_client` does not need it

        body = password_token_body(
            domain_name=domain_name, user_name=user_name, password=password,
            project_id=project_id, project_name=project_name,
        )
        source = _PasswordTokenSource(
            url=(endpoint or resolve_endpoint("iam", region).url).rstrip("/") + "/v3/auth/tokens",
            body=json.dumps(body, separators=(",", ":")).encode(),
            http_client=http_client,
        )
        return cls(source, refresh_before=refresh_before, project_id=project_id, clock=clock, on_close=source.aclose)

    @property
    def project_id(self) -> str | None:
        return self._project_id

    @property
    def domain_id(self) -> str | None:
        return self._domain_id

    def _fresh_token(self) -> SecretStr | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    async def token(self) -> SecretStr:
        """The current token, fetched first if there is none or it is about to expire."""
        fresh = self._fresh_token()
        if fresh is not None:
            return fresh
        return await self._refresh.run()

    async def _fetch_and_keep(self) -> SecretStr:
        token, expires_at = await self._fetch()
        now = self._clock()
        # A token that lives less than refresh_before is renewed at half its life, not on every call.
        self._token = token
        self._refresh_at = expires_at - min(self._refresh_before, max(0.0, expires_at - now) / 2)
        self._expires_at = expires_at
        return token

    def invalidate(self, rejected: str | None = None) -> None:
        """Forget the token (e.g. after IAM revoked it); the next call fetches a new one.

        With ``rejected`` (the token a server refused), only that token is forgotten: of many calls
        refused at once, the first makes way for a new token and the others do not discard it.
        """
        if rejected is None or (self._token is not None and self._token.get_secret_value() == rejected):
            self._token = None

    async def sign(self, request: httpx.Request) -> None:
        """Authenticate ``request`` with the token (the auth flow's per-attempt step)."""
        token = await self.token()
        request.headers["X-Auth-Token"] = token.get_secret_value()

    def after_rejection(self, request: httpx.Request, error: APIError) -> bool:
        """After a 401, drop the token that was refused (IAM revoked or expired it early) and sign again."""
        sent = request.headers.get("x-auth-token")
        if not isinstance(error, AuthenticationError) or not sent:
            return False
        self.invalidate(rejected=sent)
        return True

    async def get_credentials(self) -> Credentials:
        raise ConfigurationError(
            "this operation signs with an AK/SK (OBS, for example), but the credentials are an IAM token; "
            "get temporary keys with cloud.iam.create_temporary_access_key_by_token()"
        )

    async def aclose(self) -> None:
        if self._on_close is not None:
            await self._on_close()

    def __repr__(self) -> str:
        if self._token is None:
            return "TokenAuth(token=None)"
        return f"TokenAuth(token=**********, expires_in={self._expires_at - self._clock():.0f}s)"


class _PasswordTokenSource:
    """Fetches a token from IAM with a user's password; it sends no signature, IAM needs none here."""

    def __init__(self, *, url: str, body: bytes, http_client: httpx.AsyncClient | None) -> None:
        self._url = url
        self._body = body
        self._given_client = http_client
        self._own_client: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._given_client is not None:
            return self._given_client
        if self._own_client is None:
            self._own_client = httpx.AsyncClient(timeout=20.0, follow_redirects=False)
        return self._own_client

    async def __call__(self) -> tuple[SecretStr, float]:
        try:
            response = await self._client().post(
                self._url,
                params={"nocatalog": "true"},
                content=self._body,
                headers={"Content-Type": "application/json;charset=utf8"},
            )
        except httpx.TransportError as error:
            raise TransportError(f"fetching an IAM token from {self._url} failed: {type(error).__name__}") from None
        if response.status_code >= 400:
            raise api_error_from_response(
                status_code=response.status_code, headers=response.headers, body=response.content,
                method="POST", url=self._url,
            )
        subject_token = response.headers.get("x-subject-token")
        if not subject_token:
            raise TransportError(f"IAM answered {self._url} without an X-Subject-Token header")
        expires_at = _expires_at(response.content)
        if expires_at is None:
            raise TransportError(f"IAM answered {self._url} with a token without a readable token.expires_at")
        return SecretStr(subject_token), expires_at

    async def aclose(self) -> None:
        if self._own_client is not None:
            await self._own_client.aclose()
            self._own_client = None


def password_token_body(
    *,
    domain_name: str,
    user_name: str,
    password: SecretStr | str,
    project_id: str | None = None,
    project_name: str | None = None,
) -> dict[str, Any]:
    """KeystoneCreateUserTokenByPassword's body: a token scoped to a project (by id or name), else to the domain.

    It holds the password in clear: send it, never log or show it.
    """
    if project_id is not None or project_name is not None:
        project = {k: v for k, v in (("id", project_id), ("name", project_name)) if v is not None}
        scope: dict[str, Any] = {"project": project}
    else:
        scope = {"domain": {"name": domain_name}}
    secret = password.get_secret_value() if isinstance(password, SecretStr) else password
    user = {"name": user_name, "password": secret, "domain": {"name": domain_name}}
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}, "scope": scope}}


def _expires_at(body: bytes) -> float | None:
    import json

    try:
        expires_at = json.loads(body)["token"]["expires_at"]
        return TypeAdapter(datetime).validate_python(expires_at).timestamp()
    except (ValueError, TypeError, KeyError, RecursionError, ValidationError):
        return None
