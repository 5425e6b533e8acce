"""Configuration models: frozen, validated pydantic models that name the offending field on bad input."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast
from urllib.parse import urlsplit, urlunsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, core_schema

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler

__all__ = [
    "Account",
    "ClientConfig",
    "Credentials",
    "Endpoint",
    "Project",
    "RetryPolicy",
    "SigningAlgorithm",
    "Stage",
    "Timeouts",
]

SigningAlgorithm = Literal[
    "SDK-HMAC-SHA256",
    "SDK-HMAC-SM3",
    "V11-HMAC-SHA256",
    "SDK-ECDSA-P256-SHA256",
    "SDK-SM2-SM3",
]

# defer_build: a model's validator is built when it is first used, so a program pays only for those it uses.
_FROZEN = ConfigDict(defer_build=True, frozen=True, extra="forbid", str_strip_whitespace=False)
# For models whose URLs may carry user:password: a ValidationError must not echo the input.
_FROZEN_HIDDEN_INPUT = ConfigDict(
    defer_build=True, frozen=True, extra="forbid", str_strip_whitespace=False, hide_input_in_errors=True
)
# Used with fullmatch: "$" would also accept a trailing newline.
_TOKEN = re.compile(r"[A-Za-z0-9._\-]+")
_HIDDEN = "<hidden>"


def _mask_password(url: str) -> str:
    """``url`` with the password of its user:password, if any, replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user_info, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{user_info.partition(':')[0]}:***@{host}"))


def _masked_url(url: str | None) -> str | None:
    return None if url is None else _mask_password(url)


class _PasswordMaskedInDumps:
    """Field marker: the URL is dumped with its password masked (dumps are for logs and files); the client reads
    the field itself, password and all. What ``field_serializer`` does, without importing
    ``pydantic.functional_serializers`` with the package (2 ms of ``import hwcloud_client``)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        schema = dict(handler(source))
        schema["serialization"] = core_schema.plain_serializer_function_ser_schema(_masked_url)
        return cast("core_schema.CoreSchema", schema)


def _no_whitespace(value: str, what: str) -> str:
    if not value:
        raise ValueError(f"{what} must not be empty")
    if any(c.isspace() for c in value):
        raise ValueError(f"{what} must not contain whitespace (check for a stray newline or space)")
    return value


class _SecretInputModel(BaseModel):
    """A model whose input may hold a secret (an SK, a password in a URL), which no ValidationError shows.

    ``hide_input_in_errors`` keeps the input out of ``str(error)`` only: ``errors()`` and ``json()`` still
    carry it (the whole input dict for a missing field or a model-level check). The validator below replaces
    every entry's input with ``"<hidden>"``. It wraps the field validators of subclasses, but an ``after``
    model validator of a subclass would run outside it: check across fields in a field validator instead.
    """

    # Its own validator is never used: built at import, it cost 1 ms of every program's start.
    model_config = ConfigDict(defer_build=True)

    @model_validator(mode="wrap")
    @classmethod
    def _hide_input_in_errors(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(data)
        except ValidationError as error:
            hidden = [
                InitErrorDetails(type=entry["type"], loc=entry["loc"], input=_HIDDEN, ctx=entry["ctx"])
                if "ctx" in entry
                else InitErrorDetails(type=entry["type"], loc=entry["loc"], input=_HIDDEN)
                for entry in error.errors()
            ]
            raise ValidationError.from_exception_data(error.title, hidden, hide_input=True) from None


class Credentials(_SecretInputModel):
    """An AK/SK pair, optionally temporary (with a security token and an expiry).

    ``sk`` and ``security_token`` are :class:`~pydantic.SecretStr`: ``repr``/``str`` show ``**********``.
    """

    # Never echo the input in a ValidationError: it may be the secret key.
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", hide_input_in_errors=True)

    ak: str = Field(description="Access key id")
    sk: SecretStr = Field(description="Secret access key")
    security_token: SecretStr | None = Field(default=None, description="Token of temporary credentials")
    expires_at: float | None = Field(
        default=None, description="Expiry of temporary credentials, seconds since the epoch (UTC)"
    )

    if TYPE_CHECKING:
        # For type checkers only (runtime: pydantic's own): a secret may be a plain str, as users hold it.
        def __init__(
            self,
            *,
            ak: str,
            sk: SecretStr | str,
            security_token: SecretStr | str | None = None,
            expires_at: float | None = None,
        ) -> None: ...

    @field_validator("ak")
    @classmethod
    def _check_ak(cls, value: str) -> str:
        return _no_whitespace(value, "ak")

    @field_validator("sk")
    @classmethod
    def _check_sk(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if not secret:
            raise ValueError("sk must not be empty")
        if secret != secret.strip():
            raise ValueError("sk must not start or end with whitespace (check for a stray newline)")
        return value

    @field_validator("security_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        return value

    def __str__(self) -> str:
        return self.__repr__()


class Endpoint(_SecretInputModel):
    """Where to send requests: ``url`` (scheme, host, optional port and base path) and an optional ``host``.

    ``host`` is the ``Host`` header to send (and sign) when ``url`` names an IP address or a debugging
    domain, as when calling your own APIs published on API Gateway.
    """

    model_config = _FROZEN_HIDDEN_INPUT

    url: str
    host: str | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        # Checked first, so that the messages below, which show the URL, never show a password.
        if parts.username or parts.password:
            raise ValueError("url must not carry user:password (httpx would replace the signature with Basic auth)")
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"url must start with https:// or http://, got {value!r}")
        if not parts.hostname:
            raise ValueError(f"url has no host: {value!r}")
        if parts.query or parts.fragment:
            raise ValueError("url must not carry a query string or fragment")
        return value.rstrip("/")

    @field_validator("host")
    @classmethod
    def _check_host(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value or "/" in value or any(c.isspace() for c in value):
            raise ValueError("host must be a bare host name (optionally with :port), e.g. 'api.example.com'")
        return value


class Project(BaseModel):
    """A project (region-scoped). ``subproject_id``, when set, is what ``X-Project-Id`` carries."""

    model_config = _FROZEN

    project_id: str
    subproject_id: str | None = None

    @field_validator("project_id", "subproject_id")
    @classmethod
    def _check_ids(cls, value: str | None) -> str | None:
        if value is not None and not _TOKEN.fullmatch(value):
            raise ValueError("must be a non-empty id of letters, digits, '.', '_' or '-'")
        return value

    @property
    def header_value(self) -> str:
        return self.subproject_id or self.project_id


class Account(BaseModel):
    """The account (IAM domain). ``domain_id`` goes into ``X-Domain-Id`` and ``{domain_id}`` paths."""

    model_config = _FROZEN

    domain_id: str | None = None
    domain_name: str | None = None

    @field_validator("domain_id")
    @classmethod
    def _check_domain_id(cls, value: str | None) -> str | None:
        if value is not None and not _TOKEN.fullmatch(value):
            raise ValueError("must be a non-empty id of letters, digits, '.', '_' or '-'")
        return value

    @field_validator("domain_name")
    @classmethod
    def _check_domain_name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value


class Stage(BaseModel):
    """An API Gateway environment (``x-stage`` header), e.g. ``RELEASE``."""

    model_config = _FROZEN

    name: str

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _TOKEN.fullmatch(value):
            raise ValueError("must be a stage name of letters, digits, '.', '_' or '-', e.g. 'RELEASE'")
        return value


class Timeouts(BaseModel):
    """Per-phase timeouts in seconds. All finite by default."""

    model_config = _FROZEN

    connect: float = Field(default=10.0, gt=0)
    read: float = Field(default=60.0, gt=0)
    write: float = Field(default=60.0, gt=0)
    pool: float = Field(default=30.0, gt=0)


class RetryPolicy(BaseModel):
    """Retry budget: attempts, exponential backoff with full jitter, and an overall deadline."""

    model_config = _FROZEN

    max_attempts: int = Field(default=3, ge=1, le=20)
    backoff_base: float = Field(default=0.2, ge=0)
    backoff_cap: float = Field(default=20.0, ge=0)
    retry_after_cap: float = Field(default=60.0, ge=0)
    deadline: float | None = Field(
        default=300.0, gt=0,
        description="Overall seconds for a call, all attempts, plus 1 s per 64 KiB of body sent or streamed; "
        "None: no deadline",
    )


class ClientConfig(_SecretInputModel):
    """Everything that shapes a facade's behaviour apart from credentials."""

    model_config = _FROZEN_HIDDEN_INPUT

    region: str | None = None
    # The defaults, built without validation (they are valid by definition): Timeouts() and RetryPolicy() here
    # would build both models' own validators at import, which ClientConfig's validator does not use.
    timeouts: Timeouts = Timeouts.model_construct()
    retry: RetryPolicy = RetryPolicy.model_construct()
    # Not in repr, and its password masked in dumps: a proxy URL may carry user:password.
    proxy: Annotated[str | None, _PasswordMaskedInDumps()] = Field(default=None, repr=False)
    verify: bool = True
    # 8, like the official SDK's 8 threads: httpcore's pool costs CPU per connection on every request and
    # response, so more connections lower throughput once the client is CPU-bound (bench/README.md).
    max_connections: int = Field(default=8, ge=1)
    max_keepalive_connections: int = Field(default=8, ge=0, validate_default=True)  # checked against max_connections
    max_in_flight: int | None = Field(
        default=None, ge=1, description="Concurrent calls allowed per facade; None = max_connections"
    )
    user_agent: str | None = None
    http_backend: Literal["httpx", "aiohttp"] = Field(
        default="httpx",
        description="'aiohttp' sends through aiohttp behind the httpx API (the 'fast' extra, asyncio only)",
    )
    signing_algorithm: SigningAlgorithm = "SDK-HMAC-SHA256"
    endpoints: Mapping[str, Endpoint] = Field(default_factory=dict)
    obs_path_style: bool = False

    if TYPE_CHECKING:
        # For type checkers only (runtime: pydantic's own): an endpoint may be given as its URL.
        def __init__(
            self,
            *,
            region: str | None = None,
            timeouts: Timeouts = ...,
            retry: RetryPolicy = ...,
            proxy: str | None = None,
            verify: bool = True,
            max_connections: int = 8,
            max_keepalive_connections: int = 8,
            max_in_flight: int | None = None,
            user_agent: str | None = None,
            http_backend: Literal["httpx", "aiohttp"] = "httpx",
            signing_algorithm: SigningAlgorithm = "SDK-HMAC-SHA256",
            endpoints: Mapping[str, Endpoint | str] = ...,
            obs_path_style: bool = False,
        ) -> None: ...

    @field_validator("proxy")
    @classmethod
    def _check_proxy(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("http", "https", "socks5"):
            raise ValueError("proxy must be a URL such as http://proxy.example:3128")
        return value

    @field_validator("endpoints", mode="before")
    @classmethod
    def _coerce_endpoints(cls, value: object) -> object:
        if isinstance(value, Mapping):
            return {str(k).lower(): (Endpoint(url=v) if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @field_validator("max_keepalive_connections")
    @classmethod
    def _check_pool(cls, value: int, info: ValidationInfo) -> int:
        # A field validator, not an after model validator: that would run outside _hide_input_in_errors.
        if value > info.data.get("max_connections", value):
            raise ValueError("max_keepalive_connections must not exceed max_connections")
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> ClientConfig:
        """Read ``HUAWEICLOUD_SDK_REGION``, ``HUAWEICLOUD_SDK_PROXY`` and
        ``HUAWEICLOUD_SDK_SIGNING_ALGORITHM``; keyword arguments win over the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if env.get("HUAWEICLOUD_SDK_REGION"):
            values["region"] = env["HUAWEICLOUD_SDK_REGION"]
        if env.get("HUAWEICLOUD_SDK_PROXY"):
            values["proxy"] = env["HUAWEICLOUD_SDK_PROXY"]
        if env.get("HUAWEICLOUD_SDK_SIGNING_ALGORITHM"):
            values["signing_algorithm"] = env["HUAWEICLOUD_SDK_SIGNING_ALGORITHM"]
        values.update(overrides)
        if not values:
            # The defaults are valid by definition; validating them would build this model's validator, the
            # larger part of constructing a facade without a config.
            return cls.model_construct()
        return cls.model_validate(values)
