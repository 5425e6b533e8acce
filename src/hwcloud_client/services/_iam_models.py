"""Request and response models of the IAM (Keystone and OS-CREDENTIAL) operations.

Tokens, temporary secret keys and security tokens are :class:`~pydantic.SecretStr` in responses and
:data:`~hwcloud_client.services._base.SentSecret` in requests: masked everywhere but on the wire.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, SecretStr

from .._response import Response
from ..config import Credentials
from ._base import ApiModel, ResultModel, SentSecret, Timestamp, json_model

__all__ = [
    "AccessKey",
    "Domain",
    "IssuedToken",
    "KeystoneListAuthDomainsResponse",
    "KeystoneListProjectsResponse",
    "KeystoneListRegionsResponse",
    "KeystoneListUsersResponse",
    "KeystoneShowProjectResponse",
    "Links",
    "ListPermanentAccessKeysResponse",
    "Project",
    "Region",
    "TemporaryAccessKey",
    "TemporaryAccessKeyResponse",
    "TokenInfo",
    "User",
    "issued_token",
]


class Links(ApiModel):
    self_url: str | None = Field(default=None, alias="self")
    previous: str | None = None
    next: str | None = None


class Project(ApiModel):
    id: str
    name: str
    domain_id: str | None = None
    parent_id: str | None = None
    is_domain: bool | None = None
    enabled: bool | None = None
    description: str | None = None
    links: Links | None = None


class KeystoneListProjectsResponse(ResultModel):
    """KeystoneListProjects and KeystoneListAuthProjects."""

    projects: list[Project]
    links: Links | None = None


class KeystoneShowProjectResponse(ResultModel):
    project: Project


class Domain(ApiModel):
    id: str
    name: str
    enabled: bool | None = None
    description: str | None = None
    links: Links | None = None


class KeystoneListAuthDomainsResponse(ResultModel):
    domains: list[Domain]
    links: Links | None = None


class Region(ApiModel):
    id: str
    type: str | None = None
    description: str | None = None
    parent_region_id: str | None = None
    # Display names by language tag: {"zh-cn": "...", "en-us": "..."}.
    locales: dict[str, str] = Field(default_factory=dict)
    links: Links | None = None


class KeystoneListRegionsResponse(ResultModel):
    regions: list[Region]
    links: Links | None = None


class User(ApiModel):
    id: str
    name: str
    domain_id: str | None = None
    enabled: bool | None = None
    description: str | None = None
    password_expires_at: Timestamp = None
    pwd_status: bool | None = None
    pwd_strength: str | None = None
    last_project_id: str | None = None
    access_mode: Literal["default", "programmatic", "console"] | str | None = None
    links: Links | None = None


class KeystoneListUsersResponse(ResultModel):
    users: list[User]
    links: Links | None = None


# --- tokens ---------------------------------------------------------------------------------------


class NamedRef(ApiModel):
    """``{"id": ..., "name": ...}`` as Keystone uses for domains and projects, in scopes and in tokens."""

    id: str | None = None
    name: str | None = None


class TokenProject(NamedRef):
    domain: NamedRef | None = None


class TokenUser(NamedRef):
    domain: NamedRef | None = None
    password_expires_at: Timestamp = None


class TokenInfo(ApiModel):
    """The ``token`` object: who it is for, its scope, roles and lifetime (not the token itself)."""

    expires_at: datetime
    issued_at: Timestamp = None
    methods: list[str] = Field(default_factory=list)
    user: TokenUser | None = None
    project: TokenProject | None = None
    domain: NamedRef | None = None
    roles: list[NamedRef] = Field(default_factory=list)
    catalog: list[dict[str, Any]] = Field(default_factory=list)


class IssuedToken(ResultModel):
    """KeystoneCreateUserTokenByPassword and KeystoneValidateToken.

    ``subject_token`` is the token itself; Keystone sends it in the ``X-Subject-Token`` header.
    """

    token: TokenInfo
    subject_token: SecretStr = SecretStr("")


def issued_token(response: Response) -> IssuedToken:
    # json_model: a body that is not a token is a MalformedResponseError, and the result carries its request id.
    parsed = json_model(IssuedToken)(response)
    parsed.subject_token = SecretStr(response.headers.get("x-subject-token", ""))
    return parsed


# --- access keys ----------------------------------------------------------------------------------


class _TokenMethod(ApiModel):
    id: SentSecret | None = None
    duration_seconds: int | None = None


class _SessionUser(ApiModel):
    name: str


class _AssumeRole(ApiModel):
    agency_name: str
    domain_id: str | None = None
    domain_name: str | None = None
    duration_seconds: int | None = None
    session_user: _SessionUser | None = None


class _TemporaryKeyIdentity(ApiModel):
    methods: list[Literal["token", "assume_role"]]
    token: _TokenMethod | None = None
    assume_role: _AssumeRole | None = None
    policy: dict[str, Any] | None = None


class _TemporaryKeyAuth(ApiModel):
    identity: _TemporaryKeyIdentity


class TemporaryAccessKeyRequest(ApiModel):
    """CreateTemporaryAccessKeyByToken and ...ByAgency: the same envelope, a different identity method."""

    auth: _TemporaryKeyAuth


def temporary_key_by_token(
    *, token: SecretStr | None, duration_seconds: int | None, policy: dict[str, Any] | None
) -> TemporaryAccessKeyRequest:
    identity = _TemporaryKeyIdentity(
        methods=["token"], token=_TokenMethod(id=token, duration_seconds=duration_seconds), policy=policy
    )
    return TemporaryAccessKeyRequest(auth=_TemporaryKeyAuth(identity=identity))


def temporary_key_by_agency(
    *,
    agency_name: str,
    domain_id: str | None,
    domain_name: str | None,
    duration_seconds: int | None,
    session_user: str | None,
    policy: dict[str, Any] | None,
) -> TemporaryAccessKeyRequest:
    assume_role = _AssumeRole(
        agency_name=agency_name,
        domain_id=domain_id,
        domain_name=domain_name,
        duration_seconds=duration_seconds,
        session_user=_SessionUser(name=session_user) if session_user else None,
    )
    identity = _TemporaryKeyIdentity(methods=["assume_role"], assume_role=assume_role, policy=policy)
    return TemporaryAccessKeyRequest(auth=_TemporaryKeyAuth(identity=identity))


class TemporaryAccessKey(ApiModel):
    access: str
    secret: SecretStr
    securitytoken: SecretStr
    expires_at: datetime

    def to_credentials(self) -> Credentials:
        """These keys as credentials for ``AsyncHuaweiCloud(credentials=...)``."""
        return Credentials(
            ak=self.access, sk=self.secret, security_token=self.securitytoken, expires_at=self.expires_at.timestamp()
        )


class TemporaryAccessKeyResponse(ResultModel):
    credential: TemporaryAccessKey


class AccessKey(ApiModel):
    """A permanent access key (its secret is never listed)."""

    access: str
    user_id: str | None = None
    status: Literal["active", "inactive"] | str | None = None
    create_time: Timestamp = None
    description: str | None = None


class ListPermanentAccessKeysResponse(ResultModel):
    credentials: list[AccessKey]
