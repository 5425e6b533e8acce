"""Credentials providers: where AK/SK (and security tokens) come from, and how temporary ones refresh.

Every provider hands out frozen :class:`~hwcloud_client.config.Credentials` snapshots, so a signer never
mixes the AK of one refresh with the SK of the next. The default chain is explicit → environment →
profile file → ECS metadata; the first provider that yields credentials is kept for the chain's lifetime.

A provider that has nothing to offer raises :class:`CredentialsNotFoundError` and a chain moves on; a
provider that is configured but broken (an AK without an SK, an unreadable file, a named profile that
does not exist) raises a plain :class:`~hwcloud_client.errors.ConfigurationError` and stops the chain,
because silently falling through to other credentials would act as the wrong identity.
"""

from __future__ import annotations

import configparser
import enum
import logging
import math
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

import anyio
import anyio.to_thread
from pydantic import SecretStr, ValidationError

from .._http import httpx
from ..config import Credentials
from ..errors import ConfigurationError, ConnectError, TransportError
from ..errors import TimeoutError as HuaweiCloudTimeoutError
from ._refresh import SingleFlight

__all__ = [
    "DEFAULT_METADATA_URL",
    "ChainCredentialsProvider",
    "CredentialsNotFoundError",
    "CredentialsProvider",
    "EnvCredentialsProvider",
    "MetadataCredentialsProvider",
    "ProfileCredentialsProvider",
    "RefreshingCredentialsProvider",
    "StaticCredentialsProvider",
    "default_provider_chain",
    "parse_expiry",
]

logger = logging.getLogger("hwcloud_client")

DEFAULT_METADATA_URL = "http://169.254.169.254"

ENV_AK = "HUAWEICLOUD_SDK_AK"
ENV_SK = "HUAWEICLOUD_SDK_SK"
ENV_SECURITY_TOKEN = "HUAWEICLOUD_SDK_SECURITY_TOKEN"  # noqa: S105 - a variable name, not a secret
ENV_PROJECT_ID = "HUAWEICLOUD_SDK_PROJECT_ID"
ENV_DOMAIN_ID = "HUAWEICLOUD_SDK_DOMAIN_ID"
ENV_CREDENTIALS_FILE = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"


class CredentialsNotFoundError(ConfigurationError):
    """This provider has no credentials to offer (nothing configured); a chain tries the next one."""


@runtime_checkable
class CredentialsProvider(Protocol):
    """Anything that can hand out a current credentials snapshot.

    ``project_id`` and ``domain_id`` are hints that came with the credentials (environment variables,
    profile file); ``None`` when unknown. Some providers learn them only on the first
    :meth:`get_credentials`.
    """

    @property
    def project_id(self) -> str | None: ...

    @property
    def domain_id(self) -> str | None: ...

    async def get_credentials(self) -> Credentials: ...


@runtime_checkable
class _AsyncCloseable(Protocol):
    async def aclose(self) -> None: ...


def _credentials_or_error(
    source: str,
    *,
    ak: str,
    sk: str,
    security_token: str | None = None,
    expires_at: float | None = None,
) -> Credentials:
    try:
        return Credentials(
            ak=ak,
            sk=SecretStr(sk),
            security_token=SecretStr(security_token) if security_token else None,
            expires_at=expires_at,
        )
    except ValidationError as exc:
        # Credentials hides inputs in its errors, so the messages are safe to show.
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"{source}: invalid credentials ({reasons})") from None


class StaticCredentialsProvider:
    """Credentials given explicitly by the caller; they never change."""

    def __init__(
        self, credentials: Credentials, *, project_id: str | None = None, domain_id: str | None = None
    ) -> None:
        self._credentials = credentials
        self._project_id = project_id
        self._domain_id = domain_id

    @property
    def project_id(self) -> str | None:
        return self._project_id

    @property
    def domain_id(self) -> str | None:
        return self._domain_id

    async def get_credentials(self) -> Credentials:
        return self._credentials

    def __repr__(self) -> str:
        return f"StaticCredentialsProvider(ak={self._credentials.ak!r})"


class EnvCredentialsProvider:
    """``HUAWEICLOUD_SDK_AK``/``_SK``/``_SECURITY_TOKEN``/``_PROJECT_ID``/``_DOMAIN_ID``, read once here.

    Reading at construction keeps calls free of environment scans, and makes the hints available at once.
    """

    def __init__(self, *, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._ak = env.get(ENV_AK) or None
        sk = env.get(ENV_SK)
        self._sk = SecretStr(sk) if sk else None
        token = env.get(ENV_SECURITY_TOKEN)
        self._security_token = SecretStr(token) if token else None
        self._project_id = env.get(ENV_PROJECT_ID) or None
        self._domain_id = env.get(ENV_DOMAIN_ID) or None
        self._credentials: Credentials | None = None

    @property
    def project_id(self) -> str | None:
        return self._project_id

    @property
    def domain_id(self) -> str | None:
        return self._domain_id

    async def get_credentials(self) -> Credentials:
        if self._credentials is None:
            self._credentials = self._build()
        return self._credentials

    def _build(self) -> Credentials:
        if self._ak is None and self._sk is None:
            raise CredentialsNotFoundError(f"environment: {ENV_AK} and {ENV_SK} are not set")
        if self._ak is None or self._sk is None:
            missing = ENV_AK if self._ak is None else ENV_SK
            present = ENV_SK if self._ak is None else ENV_AK
            raise ConfigurationError(f"environment: {present} is set but {missing} is not")
        return _credentials_or_error(
            "environment",
            ak=self._ak,
            sk=self._sk.get_secret_value(),
            security_token=self._security_token.get_secret_value() if self._security_token else None,
        )

    def __repr__(self) -> str:
        return f"EnvCredentialsProvider(ak={self._ak!r})"


class _ProfileEntry(NamedTuple):
    credentials: Credentials
    project_id: str | None
    domain_id: str | None


class ProfileCredentialsProvider:
    """The official INI credentials file.

    The file is ``path``, else ``$HUAWEICLOUD_SDK_CREDENTIALS_FILE``, else ``~/.huaweicloud/credentials``.
    Sections ``[basic]`` and ``[global]`` hold ``ak``, ``sk``, optional ``security_token`` and
    ``project_id``/``domain_id``. The default ``profile="basic"`` reads ``[basic]``, or ``[global]`` when the
    file has no ``[basic]``; any other name selects that section (an addition to the official format).
    When both official sections carry the same AK, a hint missing from one is taken from the other, so
    the usual file (project id under ``[basic]``, domain id under ``[global]``) yields both.

    The file is read on first use in a worker thread (never on the event loop) and kept once it parsed.
    ``project_id``/``domain_id`` are known after the first successful :meth:`get_credentials`.
    """

    def __init__(
        self,
        *,
        path: str | os.PathLike[str] | None = None,
        profile: str = "basic",
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        if path is not None:
            self._path = Path(path).expanduser()
        elif env.get(ENV_CREDENTIALS_FILE):
            self._path = Path(env[ENV_CREDENTIALS_FILE]).expanduser()
        else:
            self._path = Path.home() / ".huaweicloud" / "credentials"
        self._profile = profile
        self._loaded: _ProfileEntry | None = None

    @property
    def path(self) -> Path:
        return self._path

    @property
    def project_id(self) -> str | None:
        return self._loaded.project_id if self._loaded else None

    @property
    def domain_id(self) -> str | None:
        return self._loaded.domain_id if self._loaded else None

    async def get_credentials(self) -> Credentials:
        if self._loaded is None:
            self._loaded = await anyio.to_thread.run_sync(self._load)
        return self._loaded.credentials

    def _load(self) -> _ProfileEntry:
        source = f"profile file {self._path}"
        parser = configparser.ConfigParser(interpolation=None)  # secret keys may contain '%'
        # Raised after the except blocks: a decode or parse error holds the file's bytes (the secret key), and
        # even "raise ... from None" keeps the error it replaces as __context__.
        failure: ConfigurationError | None = None
        try:
            with self._path.open(encoding="utf-8") as file:
                parser.read_file(file)
        except FileNotFoundError:
            failure = CredentialsNotFoundError(f"{source}: not found")
        except OSError as exc:
            failure = ConfigurationError(f"{source}: cannot be read ({exc.strerror or type(exc).__name__})")
        except UnicodeDecodeError:
            failure = ConfigurationError(f"{source}: is not UTF-8 text; save it with the UTF-8 encoding")
        except configparser.Error as exc:
            failure = ConfigurationError(f"{source}: not a valid INI file ({_describe_ini_error(exc)})")
        if failure is not None:
            raise failure

        section_name = self._choose_section(parser, source)
        section = parser[section_name]
        ak, sk = section.get("ak"), section.get("sk")
        if not ak or not sk:
            raise ConfigurationError(f"{source}: section [{section_name}] needs both 'ak' and 'sk'")
        credentials = _credentials_or_error(
            f"{source} [{section_name}]", ak=ak, sk=sk, security_token=section.get("security_token") or None
        )
        project_id = section.get("project_id") or None
        domain_id = section.get("domain_id") or None
        sibling_name = {"basic": "global", "global": "basic"}.get(section_name)
        if sibling_name and parser.has_section(sibling_name) and parser[sibling_name].get("ak") == ak:
            sibling = parser[sibling_name]
            project_id = project_id or sibling.get("project_id") or None
            domain_id = domain_id or sibling.get("domain_id") or None
        return _ProfileEntry(credentials, project_id, domain_id)

    def _choose_section(self, parser: configparser.ConfigParser, source: str) -> str:
        if parser.has_section(self._profile):
            return self._profile
        if self._profile == "basic":
            if parser.has_section("global"):
                return "global"
            raise CredentialsNotFoundError(f"{source}: has neither a [basic] nor a [global] section")
        available = ", ".join(f"[{name}]" for name in parser.sections()) or "none"
        raise ConfigurationError(f"{source}: no section [{self._profile}] (sections: {available})")

    def __repr__(self) -> str:
        return f"ProfileCredentialsProvider(path={str(self._path)!r}, profile={self._profile!r})"


def _describe_ini_error(exc: configparser.Error) -> str:
    # Never str(exc): configparser quotes the offending line, which may be the secret key.
    lines: list[int] = []
    if isinstance(lineno := getattr(exc, "lineno", None), int):
        lines = [lineno]
    elif isinstance(exc, configparser.ParsingError):
        lines = [lineno for lineno, _line in exc.errors]
    where = f" at line {', '.join(map(str, lines))}" if lines else ""
    return f"{type(exc).__name__}{where}"


_ISO_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)


def parse_expiry(value: str) -> float:
    """Seconds since the epoch for an ISO-8601 timestamp such as ``2024-05-01T12:00:00.123456Z``.

    Fractional seconds (any number of digits) and the zone (``Z``, ``+08:00``, ``+0800``) are optional;
    a timestamp without a zone is UTC, as Huawei Cloud's credential services send it.
    Raises :class:`ValueError` for anything else.
    """
    match = _ISO_TIMESTAMP.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"expiry {value!r} is not an ISO-8601 timestamp like '2024-05-01T12:00:00.000000Z'")
    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    fraction, zone = match.group(7), match.group(8)
    offset = timedelta(0)
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError as exc:
        raise ValueError(f"expiry {value!r} is not a valid date and time: {exc}") from None
    return moment.timestamp() + (float(f"0.{fraction}") if fraction else 0.0)


class _Phase(enum.Enum):
    FRESH = "fresh"
    ADVISORY = "advisory"
    MANDATORY = "mandatory"


class RefreshingCredentialsProvider:
    """Temporary credentials from ``fetch``, refreshed before they expire, one refresh at a time.

    With ``r`` seconds left before ``expires_at``:

    * ``r > advisory_window``: the current snapshot is returned.
    * ``mandatory_window < r <= advisory_window``: the first caller that finds the refresh lock free
      refreshes; everyone arriving meanwhile gets the current snapshot at once. A failed refresh is logged
      as a warning on ``hwcloud_client`` and the current credentials stay in use; the next advisory attempt
      waits ``advisory_retry_delay`` seconds so that a broken source is not hit on every call.
    * ``r <= mandatory_window``, expired, or nothing fetched yet: every caller waits for one refresh, and
      all of them share its outcome (its credentials or its error).
    * credentials without ``expires_at`` never refresh.
    * credentials that have already expired when fetched are an error (a ConfigurationError naming
      ``source``): kept, they would be refused by every service and fetched again on every call.

    Why the advisory refresh runs in the first caller rather than in a background task: neither asyncio
    nor trio lets a library start a task that outlives its caller without owning a task group (a loose
    asyncio task can be garbage-collected or outlive the loop; trio has no such thing at all). Refreshing
    inline costs that one caller a single fetch, bounded by ``refresh_timeout``, once per credential
    lifetime, and behaves the same on both backends.

    The ``anyio.Lock`` is created on first use, so the object can be built outside an event loop; use it
    from one event loop only. The fetch is shielded from cancellation and bounded by ``refresh_timeout``:
    a caller cancelled mid-refresh does not abort it (the result is still stored for everyone else), and a
    hung source cannot hold the lock forever. ``fetch`` must not put secrets into its exception messages;
    they are logged.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Credentials]],
        *,
        advisory_window: float = 600.0,
        mandatory_window: float = 120.0,
        refresh_timeout: float = 30.0,
        advisory_retry_delay: float = 10.0,
        clock: Callable[[], float] = time.time,
        source: str = "the credentials source",
    ) -> None:
        if not 0 <= mandatory_window <= advisory_window:
            raise ConfigurationError("need 0 <= mandatory_window <= advisory_window")
        if refresh_timeout <= 0 or advisory_retry_delay < 0:
            raise ConfigurationError("refresh_timeout must be positive and advisory_retry_delay not negative")
        self._fetch = fetch
        self._advisory_window = advisory_window
        self._mandatory_window = mandatory_window
        self._advisory_retry_delay = advisory_retry_delay
        self._clock = clock
        self._source = source
        self._current: Credentials | None = None
        self._refresh = SingleFlight(
            self._fetch_and_keep, timeout=refresh_timeout, what="refreshing temporary credentials"
        )
        self._next_advisory_attempt = -math.inf

    @property
    def project_id(self) -> str | None:
        return None

    @property
    def domain_id(self) -> str | None:
        return None

    async def get_credentials(self) -> Credentials:
        current = self._current
        phase = self._phase(current)
        if current is not None and phase is _Phase.FRESH:
            return current
        if current is not None and phase is _Phase.ADVISORY:
            return await self._refresh_if_idle(current)
        return await self._refresh.run()

    def _phase(self, credentials: Credentials | None) -> _Phase:
        if credentials is None:
            return _Phase.MANDATORY
        if credentials.expires_at is None:
            return _Phase.FRESH
        remaining = credentials.expires_at - self._clock()
        if remaining > self._advisory_window:
            return _Phase.FRESH
        if remaining > self._mandatory_window:
            return _Phase.ADVISORY
        return _Phase.MANDATORY

    async def _refresh_if_idle(self, current: Credentials) -> Credentials:
        if self._clock() < self._next_advisory_attempt:
            return current
        try:
            return await self._refresh.run_if_idle(otherwise=current)
        except Exception as exc:
            self._next_advisory_attempt = self._clock() + self._advisory_retry_delay
            expires_at = current.expires_at if current.expires_at is not None else math.inf
            logger.warning(
                "Refreshing temporary credentials failed (%s: %s); still using the current ones, "
                "which expire in %.0f s",
                type(exc).__name__,
                exc,
                expires_at - self._clock(),
            )
            return current

    async def _fetch_and_keep(self) -> Credentials:
        credentials = await self._fetch()
        now = self._clock()
        if credentials.expires_at is not None and credentials.expires_at <= now:
            raise ConfigurationError(
                f"{self._source} handed out credentials that already expired at {_utc(credentials.expires_at)} "
                f"(this machine's clock says {_utc(now)}): check that the clock is right (NTP), then the source"
            )
        self._current = credentials
        return credentials

    def __repr__(self) -> str:
        ak = self._current.ak if self._current else None
        return f"RefreshingCredentialsProvider(ak={ak!r})"


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_TOKEN_PATH = "/meta-data/latest/api/token"  # noqa: S105 - a URL path
_SECURITY_KEY_PATH = "/openstack/latest/securitykey"
_TOKEN_TTL_SECONDS = 6 * 60 * 60
_IMDS_V1_STATUSES = frozenset({404, 405, 503})
_NO_AGENCY_MESSAGE = "Please configure Cloud Service Agency first"

_ACCESS_KEYS = ("access", "accessKeyId", "access_key_id")
_SECRET_KEYS = ("secret", "secretAccessKey", "secret_access_key")
_TOKEN_KEYS = ("securitytoken", "securityToken", "security_token")
_EXPIRY_KEYS = ("expires_at", "expiration")


def _first_present(mapping: Mapping[str, Any], keys: Sequence[str]) -> Any:
    return next((mapping[key] for key in keys if mapping.get(key)), None)


def _credentials_from_payload(payload: Any, source: str) -> Credentials:
    """Parse ``{"credential": {"access", "secret", "securitytoken", "expires_at"}}`` and its variants."""
    if isinstance(payload, dict):
        payload = payload.get("credential") or payload.get("credentials") or payload
    if not isinstance(payload, dict):
        raise ConfigurationError(f"{source}: the response is not a credential object")
    ak, sk = _first_present(payload, _ACCESS_KEYS), _first_present(payload, _SECRET_KEYS)
    token, expiry = _first_present(payload, _TOKEN_KEYS), _first_present(payload, _EXPIRY_KEYS)
    if not isinstance(ak, str) or not isinstance(sk, str):
        raise ConfigurationError(f"{source}: the response has no access/secret key pair")
    if token is not None and not isinstance(token, str):
        raise ConfigurationError(f"{source}: the security token is not a string")
    if isinstance(expiry, str):
        try:
            expires_at = parse_expiry(expiry)
        except ValueError as exc:
            raise ConfigurationError(f"{source}: {exc}") from None
    elif isinstance(expiry, (int, float)) and not isinstance(expiry, bool):
        expires_at = float(expiry)
    else:
        # Without an expiry we could neither refresh in time nor ever; refuse rather than go stale.
        raise ConfigurationError(f"{source}: the response has no expires_at")
    return _credentials_or_error(source, ak=ak, sk=sk, security_token=token, expires_at=expires_at)


class MetadataCredentialsProvider:
    """Temporary credentials of the ECS agency, from the instance metadata service.

    Each refresh asks for an IMDSv2 session token (``PUT /meta-data/latest/api/token``) and falls back to
    IMDSv1 (no token) when that answers 404, 405 or 503, then reads ``GET /openstack/latest/securitykey``.
    A new session token per refresh (every few hours) costs one request and spares tracking the token's
    own expiry and the official SDK's retry-on-401 dance.
    Refreshing follows :class:`RefreshingCredentialsProvider`.

    Requests go through a small ``httpx.AsyncClient`` of its own, created on first use, with
    ``trust_env=False`` (a link-local address must never go through an HTTP proxy) and short timeouts.
    ``transport`` replaces its transport (tests). Close it with :meth:`aclose`.

    Off ECS (unreachable service, or no agency attached) it raises :class:`CredentialsNotFoundError` or a
    :class:`~hwcloud_client.errors.TransportError`, and a chain moves on.
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_METADATA_URL,
        timeout: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
        advisory_window: float = 600.0,
        mandatory_window: float = 120.0,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._where = f"ECS metadata service at {self._base_url}"
        self._timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._refreshing = RefreshingCredentialsProvider(
            self._fetch,
            advisory_window=advisory_window,
            mandatory_window=mandatory_window,
            # Two requests per refresh, each bounded by timeout; leave room for both plus a slow answer.
            refresh_timeout=4 * timeout,
            source=self._where,
        )

    @property
    def project_id(self) -> str | None:
        return None

    @property
    def domain_id(self) -> str | None:
        return None

    async def get_credentials(self) -> Credentials:
        return await self._refreshing.get_credentials()

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self._base_url,
                timeout=httpx.Timeout(self._timeout),
                trust_env=False,
                follow_redirects=False,
                transport=self._transport,
            )
        return self._client

    async def _send(self, method: str, path: str, headers: Mapping[str, str]) -> httpx.Response:
        try:
            return await self._http().request(method, path, headers=headers)
        except httpx.TimeoutException:
            raise HuaweiCloudTimeoutError(f"{self._where}: {method} {path} timed out") from None
        except httpx.TransportError as exc:
            raise ConnectError(f"{self._where} is unreachable ({type(exc).__name__})") from None

    async def _session_token(self) -> str | None:
        response = await self._send("PUT", _TOKEN_PATH, {"X-Metadata-Token-Ttl-Seconds": str(_TOKEN_TTL_SECONDS)})
        if response.status_code == 200:
            return response.text.strip() or None
        if response.status_code in _IMDS_V1_STATUSES:
            return None
        raise CredentialsNotFoundError(f"{self._where}: PUT {_TOKEN_PATH} answered HTTP {response.status_code}")

    async def _fetch(self) -> Credentials:
        token = await self._session_token()
        headers = {"X-Metadata-Token": token} if token else {}
        response = await self._send("GET", _SECURITY_KEY_PATH, headers)
        source = self._where
        if response.status_code != 200:
            hint = " (no agency is attached to this ECS)" if _NO_AGENCY_MESSAGE in response.text else ""
            raise CredentialsNotFoundError(
                f"{source}: GET {_SECURITY_KEY_PATH} answered HTTP {response.status_code}{hint}"
            )
        try:
            payload = response.json()
        except ValueError:
            raise ConfigurationError(f"{source}: {_SECURITY_KEY_PATH} did not return JSON") from None
        return _credentials_from_payload(payload, source)

    def __repr__(self) -> str:
        return f"MetadataCredentialsProvider(base_url={self._base_url!r})"


class ChainCredentialsProvider:
    """Asks each provider in turn; the first that yields credentials is kept and asked from then on.

    A provider raising :class:`CredentialsNotFoundError` or a
    :class:`~hwcloud_client.errors.TransportError` is skipped; any other error stops the search. When no
    provider yields, :class:`~hwcloud_client.errors.ConfigurationError` lists each one's reason. The
    search runs once at a time; if it fails, the next call searches again. ``project_id`` and
    ``domain_id`` are the chosen provider's hints (``None`` before the first successful call).
    """

    def __init__(self, providers: Sequence[CredentialsProvider]) -> None:
        if not providers:
            raise ConfigurationError("a credentials chain needs at least one provider")
        self._providers = tuple(providers)
        self._chosen: CredentialsProvider | None = None
        self._lock: anyio.Lock | None = None

    @property
    def providers(self) -> tuple[CredentialsProvider, ...]:
        return self._providers

    @property
    def chosen_provider(self) -> CredentialsProvider | None:
        return self._chosen

    @property
    def project_id(self) -> str | None:
        return self._chosen.project_id if self._chosen else None

    @property
    def domain_id(self) -> str | None:
        return self._chosen.domain_id if self._chosen else None

    async def get_credentials(self) -> Credentials:
        chosen = self._chosen
        if chosen is None:
            if self._lock is None:
                self._lock = anyio.Lock()
            async with self._lock:
                chosen = self._chosen
                if chosen is None:
                    return await self._search()
        return await chosen.get_credentials()

    async def _search(self) -> Credentials:
        reasons: list[str] = []
        for provider in self._providers:
            try:
                credentials = await provider.get_credentials()
            except (CredentialsNotFoundError, TransportError) as exc:
                reasons.append(f"  - {type(provider).__name__}: {exc}")
                continue
            self._chosen = provider
            logger.debug("Using credentials from %s", type(provider).__name__)
            return credentials
        raise ConfigurationError(
            "No Huawei Cloud credentials found. Tried, in order:\n"
            + "\n".join(reasons)
            + f"\nPass credentials to the client, set {ENV_AK} and {ENV_SK}, write "
            "~/.huaweicloud/credentials, or run on an ECS with an agency."
        )

    async def aclose(self) -> None:
        """Close the providers that hold resources (the metadata provider's HTTP client).

        Shielded, and every provider is closed even if one fails; the first failure is raised after.
        """
        failures: list[Exception] = []
        with anyio.CancelScope(shield=True):
            for provider in self._providers:
                if isinstance(provider, _AsyncCloseable):
                    try:
                        await provider.aclose()
                    except Exception as error:
                        failures.append(error)
        if failures:
            raise failures[0]

    def __repr__(self) -> str:
        names = ", ".join(type(provider).__name__ for provider in self._providers)
        return f"ChainCredentialsProvider([{names}])"


def default_provider_chain(
    explicit: Credentials | CredentialsProvider | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    metadata_base_url: str = DEFAULT_METADATA_URL,
) -> ChainCredentialsProvider:
    """explicit credentials (if given) → environment → profile file → ECS metadata."""
    providers: list[CredentialsProvider] = []
    if isinstance(explicit, Credentials):
        providers.append(StaticCredentialsProvider(explicit))
    elif explicit is not None:
        providers.append(explicit)
    providers += [
        EnvCredentialsProvider(environ=environ),
        ProfileCredentialsProvider(environ=environ),
        MetadataCredentialsProvider(base_url=metadata_base_url),
    ]
    return ChainCredentialsProvider(providers)
