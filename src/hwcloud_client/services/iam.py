"""``cloud.iam`` (= ``cloud.iam_v3``): the generated IAM v3 client, plus the conveniences written by hand.

Every operation keeps the generated contract (``body=`` in the official request's shape); the token and
temporary-key operations also take their few fields as keyword arguments, and
:func:`temporary_credentials` turns temporary keys into :class:`~hwcloud_client.Credentials`. The models
are the generated ones, in :mod:`hwcloud_client.services.iam_v3`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from .._blocking import blocking
from ..auth.token import password_token_body
from ..config import Credentials
from ..errors import ConfigurationError
from ._generated import body_or_shorthand
from .iam_v3 import IamV3, SyncIamV3
from .iam_v3._client import (
    _CREATE_TEMPORARY_ACCESS_KEY_BY_AGENCY,
    _CREATE_TEMPORARY_ACCESS_KEY_BY_TOKEN,
    _KEYSTONE_CREATE_USER_TOKEN_BY_PASSWORD,
)

if TYPE_CHECKING:
    from .iam_v3 import (
        CreateTemporaryAccessKeyByAgencyRequestBody,
        CreateTemporaryAccessKeyByAgencyResponse,
        CreateTemporaryAccessKeyByTokenRequestBody,
        CreateTemporaryAccessKeyByTokenResponse,
        KeystoneCreateUserTokenByPasswordRequestBody,
        KeystoneCreateUserTokenByPasswordResponse,
    )

__all__ = ["IAM", "SyncIAM", "temporary_credentials"]


class IAM(IamV3):
    """Identity and Access Management v3: every generated operation, the token and key ones also by field."""

    async def keystone_create_user_token_by_password(
        self,
        *,
        body: KeystoneCreateUserTokenByPasswordRequestBody | Mapping[str, Any] | None = None,
        nocatalog: str | None = None,
        domain_name: str | None = None,
        user_name: str | None = None,
        password: SecretStr | str | None = None,
        project_id: str | None = None,
        project_name: str | None = None,
    ) -> KeystoneCreateUserTokenByPasswordResponse:
        """A user token (``x_subject_token``), scoped to a project if one is named, else to the account.

        ``domain_name``, ``user_name`` and ``password`` (with ``project_id`` or ``project_name``) are short for
        the official body.
        """
        given = (domain_name, user_name, password)
        shortcut = None
        if any(value is not None for value in given):
            if domain_name is None or user_name is None or password is None:
                raise ConfigurationError(
                    "keystone_create_user_token_by_password: pass domain_name=, user_name= and password= together"
                )
            shortcut = password_token_body(
                domain_name=domain_name, user_name=user_name, password=password,
                project_id=project_id, project_name=project_name,
            )
        chosen = body_or_shorthand(
            "keystone_create_user_token_by_password", body, shortcut, "domain_name=, user_name= and password="
        )
        return await self._invoke(_KEYSTONE_CREATE_USER_TOKEN_BY_PASSWORD, {"body": chosen, "nocatalog": nocatalog})

    async def create_temporary_access_key_by_token(
        self,
        *,
        body: CreateTemporaryAccessKeyByTokenRequestBody | Mapping[str, Any] | None = None,
        token: SecretStr | str | None = None,
        duration_seconds: int | None = None,
        policy: Mapping[str, Any] | None = None,
    ) -> CreateTemporaryAccessKeyByTokenResponse:
        """Temporary AK/SK and security token for the user of ``token`` (default: the request's own token).

        ``duration_seconds`` is 900 to 86400 (default 900); ``policy`` narrows what the keys may do. Without
        ``body=`` the body is built from these; :func:`temporary_credentials` turns the result into credentials.
        """
        shortcut = None
        # Unlike the other shorthands, none of these is needed: no arguments at all is the request's own token.
        if body is None or token is not None or duration_seconds is not None or policy is not None:
            secret = token.get_secret_value() if isinstance(token, SecretStr) else token
            method = {"id": secret, "duration_seconds": duration_seconds}
            identity = {"methods": ["token"], "token": method, "policy": policy}
            shortcut = {"auth": {"identity": identity}}
        chosen = body_or_shorthand(
            "create_temporary_access_key_by_token", body, shortcut, "token=/duration_seconds=/policy="
        )
        return await self._invoke(_CREATE_TEMPORARY_ACCESS_KEY_BY_TOKEN, {"body": chosen})

    async def create_temporary_access_key_by_agency(
        self,
        *,
        body: CreateTemporaryAccessKeyByAgencyRequestBody | Mapping[str, Any] | None = None,
        agency_name: str | None = None,
        domain_id: str | None = None,
        domain_name: str | None = None,
        duration_seconds: int | None = None,
        session_user: str | None = None,
        policy: Mapping[str, Any] | None = None,
    ) -> CreateTemporaryAccessKeyByAgencyResponse:
        """Temporary keys of agency ``agency_name`` in the delegating account (``domain_id`` or ``domain_name``)."""
        shortcut = None
        if agency_name is not None:
            assume_role = {
                "agency_name": agency_name, "domain_id": domain_id, "domain_name": domain_name,
                "duration_seconds": duration_seconds,
                "session_user": {"name": session_user} if session_user else None,
            }
            identity = {"methods": ["assume_role"], "assume_role": assume_role, "policy": policy}
            shortcut = {"auth": {"identity": identity}}
        chosen = body_or_shorthand("create_temporary_access_key_by_agency", body, shortcut, "agency_name=")
        return await self._invoke(_CREATE_TEMPORARY_ACCESS_KEY_BY_AGENCY, {"body": chosen})


def temporary_credentials(
    result: CreateTemporaryAccessKeyByTokenResponse | CreateTemporaryAccessKeyByAgencyResponse,
) -> Credentials:
    """The temporary keys of ``result`` as credentials for ``AsyncHuaweiCloud(credentials=...)``, with their expiry."""
    key = result.credential
    if key is None or not key.access or key.secret is None or key.securitytoken is None:
        raise ConfigurationError("this result holds no temporary access key (its 'credential' is incomplete)")
    from ..auth.providers import parse_expiry  # here: accessing cloud.iam does not need the providers

    expires_at = parse_expiry(key.expires_at) if key.expires_at else None
    return Credentials(ak=key.access, sk=key.secret, security_token=key.securitytoken, expires_at=expires_at)


class SyncIAM(SyncIamV3):
    """Blocking twin of :class:`IAM`: the same methods, returning results instead of coroutines."""

    keystone_create_user_token_by_password = blocking(IAM.keystone_create_user_token_by_password)
    create_temporary_access_key_by_token = blocking(IAM.create_temporary_access_key_by_token)
    create_temporary_access_key_by_agency = blocking(IAM.create_temporary_access_key_by_agency)
