"""Typed IAM client: ``cloud.iam`` (the region's IAM endpoint, or the global one without a region)."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from .._blocking import SyncService, blocking, blocking_pager
from .._paging import PageNumber
from ..auth.token import password_token_body
from . import _iam_models
from ._base import DefaultPageSize, Operation, Service, json_model, paginate
from ._iam_models import *  # noqa: F403 - the models are part of this module's API
from ._iam_models import (
    IssuedToken,
    KeystoneListAuthDomainsResponse,
    KeystoneListProjectsResponse,
    KeystoneListRegionsResponse,
    KeystoneListUsersResponse,
    KeystoneShowProjectResponse,
    ListPermanentAccessKeysResponse,
    TemporaryAccessKeyResponse,
    issued_token,
    temporary_key_by_agency,
    temporary_key_by_token,
)

__all__ = ["IAM", "SyncIAM", *_iam_models.__all__]

KEYSTONE_LIST_PROJECTS = Operation("GET", "/v3/projects", json_model(KeystoneListProjectsResponse), domain_scoped=True)
KEYSTONE_SHOW_PROJECT = Operation(
    "GET", "/v3/projects/{project_id}", json_model(KeystoneShowProjectResponse), domain_scoped=True
)
# The next three answer from the caller's own credentials; they need no account context.
KEYSTONE_LIST_AUTH_PROJECTS = Operation("GET", "/v3/auth/projects", json_model(KeystoneListProjectsResponse))
KEYSTONE_LIST_AUTH_DOMAINS = Operation("GET", "/v3/auth/domains", json_model(KeystoneListAuthDomainsResponse))
KEYSTONE_LIST_REGIONS = Operation("GET", "/v3/regions", json_model(KeystoneListRegionsResponse))
KEYSTONE_LIST_USERS = Operation("GET", "/v3/users", json_model(KeystoneListUsersResponse), domain_scoped=True)
KEYSTONE_CREATE_USER_TOKEN_BY_PASSWORD = Operation("POST", "/v3/auth/tokens", issued_token)
KEYSTONE_VALIDATE_TOKEN = Operation("GET", "/v3/auth/tokens", issued_token)
CREATE_TEMPORARY_ACCESS_KEY = Operation(
    "POST", "/v3.0/OS-CREDENTIAL/securitytokens", json_model(TemporaryAccessKeyResponse)
)
LIST_PERMANENT_ACCESS_KEYS = Operation(
    "GET", "/v3.0/OS-CREDENTIAL/credentials", json_model(ListPermanentAccessKeysResponse), domain_scoped=True
)

# Keystone ignores ``page`` without ``per_page``; 5000 is the largest page it serves.
_KEYSTONE_PAGES = DefaultPageSize(
    PageNumber(page_param="page", count_field=None), size_param="per_page", size=5000
)


def _secret(value: SecretStr | str) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


class IAM(Service):
    """Identity and Access Management, named after Huawei's operations (``keystone_list_projects``...)."""

    service_name = "iam"

    # --- projects, domains, regions, users --------------------------------------------------------

    async def keystone_list_projects(
        self,
        *,
        name: str | None = None,
        domain_id: str | None = None,
        parent_id: str | None = None,
        enabled: bool | None = None,
        is_domain: bool | None = None,
        page: int | None = None,
        per_page: int | None = None,
    ) -> KeystoneListProjectsResponse:
        """Projects of the account; ``name`` is usually a region id (``cn-north-4``)."""
        query = {
            "name": name, "domain_id": domain_id, "parent_id": parent_id, "enabled": enabled,
            "is_domain": is_domain, "page": page, "per_page": per_page,
        }
        return await self._call(KEYSTONE_LIST_PROJECTS, query=query)

    iter_keystone_list_projects = paginate(
        keystone_list_projects, items=lambda page: page.projects, dialect=_KEYSTONE_PAGES
    )

    async def keystone_show_project(self, *, project_id: str) -> KeystoneShowProjectResponse:
        return await self._call(KEYSTONE_SHOW_PROJECT, path={"project_id": project_id})

    async def keystone_list_auth_projects(self) -> KeystoneListProjectsResponse:
        """The projects these credentials can reach."""
        return await self._call(KEYSTONE_LIST_AUTH_PROJECTS)

    async def keystone_list_auth_domains(self) -> KeystoneListAuthDomainsResponse:
        """The account (domain) these credentials belong to."""
        return await self._call(KEYSTONE_LIST_AUTH_DOMAINS)

    async def keystone_list_regions(self) -> KeystoneListRegionsResponse:
        return await self._call(KEYSTONE_LIST_REGIONS)

    async def keystone_list_users(
        self,
        *,
        name: str | None = None,
        domain_id: str | None = None,
        enabled: bool | None = None,
        password_expires_at: str | None = None,
    ) -> KeystoneListUsersResponse:
        """IAM users of the account. ``password_expires_at`` is a filter such as ``lt:2030-01-01T00:00:00Z``."""
        query = {"name": name, "domain_id": domain_id, "enabled": enabled, "password_expires_at": password_expires_at}
        return await self._call(KEYSTONE_LIST_USERS, query=query)

    # --- tokens -----------------------------------------------------------------------------------

    async def keystone_create_user_token_by_password(
        self,
        *,
        domain_name: str,
        user_name: str,
        password: SecretStr | str,
        project_id: str | None = None,
        project_name: str | None = None,
        nocatalog: bool | None = None,
    ) -> IssuedToken:
        """A user token (``subject_token``), scoped to a project if one is named, else to the account."""
        body = password_token_body(
            domain_name=domain_name, user_name=user_name, password=password,
            project_id=project_id, project_name=project_name,
        )
        return await self._call(KEYSTONE_CREATE_USER_TOKEN_BY_PASSWORD, query={"nocatalog": nocatalog}, body=body)

    async def keystone_validate_token(
        self, *, subject_token: SecretStr | str, nocatalog: bool | None = None
    ) -> IssuedToken:
        """What ``subject_token`` is for and until when; raises ``NotFoundError`` if it is invalid."""
        headers = {"X-Subject-Token": _secret(subject_token).get_secret_value()}
        return await self._call(KEYSTONE_VALIDATE_TOKEN, query={"nocatalog": nocatalog}, headers=headers)

    # --- access keys ------------------------------------------------------------------------------

    async def create_temporary_access_key_by_token(
        self,
        *,
        token: SecretStr | str | None = None,
        duration_seconds: int | None = None,
        policy: dict[str, Any] | None = None,
    ) -> TemporaryAccessKeyResponse:
        """Temporary AK/SK and security token for the user of ``token`` (default: the request's own token).

        ``duration_seconds`` is 900 to 86400 (default 900); ``policy`` narrows what the keys may do.
        """
        body = temporary_key_by_token(
            token=_secret(token) if token is not None else None, duration_seconds=duration_seconds, policy=policy
        )
        return await self._call(CREATE_TEMPORARY_ACCESS_KEY, body=body)

    async def create_temporary_access_key_by_agency(
        self,
        *,
        agency_name: str,
        domain_id: str | None = None,
        domain_name: str | None = None,
        duration_seconds: int | None = None,
        session_user: str | None = None,
        policy: dict[str, Any] | None = None,
    ) -> TemporaryAccessKeyResponse:
        """Temporary keys of agency ``agency_name`` in the delegating account (``domain_id`` or ``domain_name``)."""
        body = temporary_key_by_agency(
            agency_name=agency_name, domain_id=domain_id, domain_name=domain_name,
            duration_seconds=duration_seconds, session_user=session_user, policy=policy,
        )
        return await self._call(CREATE_TEMPORARY_ACCESS_KEY, body=body)

    async def list_permanent_access_keys(self, *, user_id: str | None = None) -> ListPermanentAccessKeysResponse:
        """Access keys of ``user_id`` (default: the caller); secret keys are never returned."""
        return await self._call(LIST_PERMANENT_ACCESS_KEYS, query={"user_id": user_id})


class SyncIAM(SyncService[IAM]):
    """Blocking twin of :class:`IAM`: the same methods, returning results instead of coroutines."""

    keystone_list_projects = blocking(IAM.keystone_list_projects)
    iter_keystone_list_projects = blocking_pager(IAM.iter_keystone_list_projects)
    keystone_show_project = blocking(IAM.keystone_show_project)
    keystone_list_auth_projects = blocking(IAM.keystone_list_auth_projects)
    keystone_list_auth_domains = blocking(IAM.keystone_list_auth_domains)
    keystone_list_regions = blocking(IAM.keystone_list_regions)
    keystone_list_users = blocking(IAM.keystone_list_users)
    keystone_create_user_token_by_password = blocking(IAM.keystone_create_user_token_by_password)
    keystone_validate_token = blocking(IAM.keystone_validate_token)
    create_temporary_access_key_by_token = blocking(IAM.create_temporary_access_key_by_token)
    create_temporary_access_key_by_agency = blocking(IAM.create_temporary_access_key_by_agency)
    list_permanent_access_keys = blocking(IAM.list_permanent_access_keys)
