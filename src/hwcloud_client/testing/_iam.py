"""Emulated IAM: one account (domain) with one user, projects per region, tokens and access keys.

Paths, field names and status codes follow Huawei's IAM API reference (Keystone-style ``/v3`` and
the ``/v3.0/OS-CREDENTIAL`` extensions), as the official ``huaweicloudsdkiam`` models spell them.
"""

from __future__ import annotations

import dataclasses
import secrets
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ._base import EmulatedRequest, EmulatedResponse, KnownKey
from ._routes import (
    JsonObject,
    Route,
    Router,
    ServiceError,
    iso_time,
    json_response,
    new_hex_id,
    query_params,
    read_json,
)

__all__ = ["IamEmulator"]

IAM_URL = "https://iam.myhuaweicloud.com"
# Regions whose projects every emulated account has, beside the emulator's own region.
DEFAULT_REGIONS = ("cn-north-4", "cn-east-3", "cn-south-1", "ap-southeast-1", "ap-southeast-3")
TOKEN_LIFETIME_SECONDS = 24 * 3600
# "duration_seconds": 15 minutes to 24 hours, 15 minutes by default.
TEMPORARY_KEY_SECONDS = (900, 24 * 3600)
_KEY_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class TemporaryKey:
    secret: str = dataclasses.field(repr=False)
    security_token: str = dataclasses.field(repr=False)
    expires_at: float


@dataclass(frozen=True)
class IssuedToken:
    expires_at: float
    issued_at: float
    methods: tuple[str, ...]
    project_id: str | None


TokenState = Literal["valid", "expired", "unknown"]


def keystone_error(status: int, title: str, message: str) -> ServiceError:
    return ServiceError(status, {"error": {"code": status, "message": message, "title": title}})


def _bad_request(message: str) -> ServiceError:
    return keystone_error(400, "Bad Request", message)


def _random_key(length: int) -> str:
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(length))


class IamEmulator:
    """The identity side of the emulator; the gateway asks it about access keys and tokens."""

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        region: str,
        clock: Callable[[], float],
        user_name: str = "emulator-user",
        password: str = "emulator-password",  # noqa: S107 - a fixed demo password of a local emulator
        domain_name: str = "emulator-account",
    ) -> None:
        self._clock = clock
        self.domain_id = new_hex_id()
        self.domain_name = domain_name
        self.user_id = new_hex_id()
        self.user_name = user_name
        self.password = password
        self.permanent_keys: dict[str, str] = dict(credentials)
        self.temporary_keys: dict[str, TemporaryKey] = {}
        self.tokens: dict[str, IssuedToken] = {}
        regions = (region, *[name for name in DEFAULT_REGIONS if name != region])
        self.regions = regions
        self.projects = [self._project(name) for name in regions]
        # What the emulator answers, in dispatch order (tests walk them all).
        self.routes = (
            Route("GET", "/v3/projects", self._list_projects),
            Route("GET", "/v3/projects/{project_id}", self._show_project),
            Route("GET", "/v3/auth/projects", self._list_auth_projects),
            Route("GET", "/v3/auth/domains", self._list_auth_domains),
            Route("GET", "/v3/regions", self._list_regions),
            Route("GET", "/v3/users", self._list_users),
            Route("POST", "/v3/auth/tokens", self._create_token),
            Route("GET", "/v3/auth/tokens", self._validate_token),
            Route("POST", "/v3.0/OS-CREDENTIAL/securitytokens", self._create_temporary_key),
            Route("GET", "/v3.0/OS-CREDENTIAL/credentials", self._list_permanent_keys),
        )
        self._router = Router(self.routes)

    # --- what the gateway asks -----------------------------------------------------------------

    def project_id(self, region: str) -> str:
        return next(str(project["id"]) for project in self.projects if project["name"] == region)

    def known_key(self, access_key: str) -> KnownKey | None:
        secret = self.permanent_keys.get(access_key)
        if secret is not None:
            return KnownKey(secret=secret)
        temporary = self.temporary_keys.get(access_key)
        if temporary is None or temporary.expires_at <= self._clock():
            return None
        return KnownKey(secret=temporary.secret, security_token=temporary.security_token)

    def token_state(self, token: str) -> TokenState:
        issued = self.tokens.get(token)
        if issued is None:
            return "unknown"
        return "valid" if issued.expires_at > self._clock() else "expired"

    @staticmethod
    def is_public(request: EmulatedRequest) -> bool:
        """Requests IAM answers without a signature or a token: asking for a token with a password."""
        return request.method == "POST" and request.raw_path.rstrip("/") == "/v3/auth/tokens"

    async def handle(self, request: EmulatedRequest) -> EmulatedResponse:
        return self._router.dispatch(request)

    def internal_error(self, _: EmulatedRequest) -> EmulatedResponse:
        # Keystone's own wording for an unexpected failure.
        error = keystone_error(
            500, "Internal Server Error", "An unexpected error prevented the server from fulfilling your request."
        )
        return json_response(error.status, error.body)

    # --- documents -----------------------------------------------------------------------------

    def _project(self, region: str) -> JsonObject:
        project_id = new_hex_id()
        return {
            "id": project_id,
            "name": region,
            "domain_id": self.domain_id,
            "parent_id": self.domain_id,
            "is_domain": False,
            "enabled": True,
            "description": "",
            "links": {"self": f"{IAM_URL}/v3/projects/{project_id}"},
        }

    def _domain(self) -> JsonObject:
        return {
            "id": self.domain_id,
            "name": self.domain_name,
            "enabled": True,
            "description": "",
            "links": {"self": f"{IAM_URL}/v3/domains/{self.domain_id}"},
        }

    def _user(self) -> JsonObject:
        return {
            "id": self.user_id,
            "name": self.user_name,
            "domain_id": self.domain_id,
            "enabled": True,
            "description": "",
            "pwd_status": True,
            "pwd_strength": "high",
            "password_expires_at": None,
            "last_project_id": self.projects[0]["id"],
            "access_mode": "default",
            "links": {"self": f"{IAM_URL}/v3/users/{self.user_id}"},
        }

    @staticmethod
    def _listing(key: str, items: Sequence[JsonObject], path: str) -> EmulatedResponse:
        return json_response(
            200, {key: list(items), "links": {"self": f"{IAM_URL}{path}", "previous": None, "next": None}}
        )

    # --- projects, domains, regions, users ------------------------------------------------------

    def _list_projects(self, request: EmulatedRequest, _: Sequence[str]) -> EmulatedResponse:
        params = query_params(request)
        projects = list(self.projects)
        for field in ("name", "domain_id", "parent_id", "id"):
            if field in params:
                projects = [project for project in projects if project[field] == params[field][0]]
        for flag in ("enabled", "is_domain"):  # Keystone's booleans: true/false, any case
            if flag in params:
                sent = params[flag][0].lower()
                if sent not in ("true", "false"):
                    raise _bad_request(f"{flag} must be true or false")
                projects = [project for project in projects if project[flag] is (sent == "true")]
        projects = _page(projects, params)
        return self._listing("projects", projects, "/v3/projects")

    def _show_project(self, _: EmulatedRequest, path: Sequence[str]) -> EmulatedResponse:
        project = next((project for project in self.projects if project["id"] == path[0]), None)
        if project is None:
            raise keystone_error(404, "Not Found", f"Could not find project: {path[0]}.")
        return json_response(200, {"project": project})

    def _list_auth_projects(self, _: EmulatedRequest, __: Sequence[str]) -> EmulatedResponse:
        return self._listing("projects", self.projects, "/v3/auth/projects")

    def _list_auth_domains(self, _: EmulatedRequest, __: Sequence[str]) -> EmulatedResponse:
        return self._listing("domains", [self._domain()], "/v3/auth/domains")

    def _list_regions(self, _: EmulatedRequest, __: Sequence[str]) -> EmulatedResponse:
        regions = [
            {
                "id": name,
                "type": "public",
                "description": "",
                "parent_region_id": None,
                "locales": {"en-us": name, "zh-cn": name},
                "links": {"self": f"{IAM_URL}/v3/regions/{name}"},
            }
            for name in self.regions
        ]
        return self._listing("regions", regions, "/v3/regions")

    def _list_users(self, request: EmulatedRequest, _: Sequence[str]) -> EmulatedResponse:
        params = query_params(request)
        users = [self._user()]
        for field in ("name", "domain_id", "enabled"):
            if field in params:
                users = [user for user in users if str(user[field]).lower() == params[field][0].lower()]
        return self._listing("users", users, "/v3/users")

    # --- tokens ----------------------------------------------------------------------------------

    def _create_token(self, request: EmulatedRequest, _: Sequence[str]) -> EmulatedResponse:
        document = read_json(request, _bad_request)
        identity = _object(document.get("auth"), "auth").get("identity")
        identity = _object(identity, "auth.identity")
        methods = identity.get("methods")
        if methods != ["password"]:
            raise _bad_request("auth.identity.methods must be [\"password\"] (the emulator issues password tokens)")
        user = _object(
            _object(identity.get("password"), "auth.identity.password").get("user"), "auth.identity.password.user"
        )
        domain = _object(user.get("domain", {}), "auth.identity.password.user.domain")
        same_user = user.get("name") == self.user_name or user.get("id") == self.user_id
        same_domain = domain.get("name") in (None, self.domain_name) and domain.get("id") in (None, self.domain_id)
        if not (same_user and same_domain and user.get("password") == self.password):
            raise keystone_error(401, "Unauthorized", "The username or password is wrong.")
        project_id = self._scope_project(_object(document["auth"], "auth").get("scope"))
        now = self._clock()
        token = "MII" + secrets.token_urlsafe(96)
        self.tokens[token] = IssuedToken(
            expires_at=now + TOKEN_LIFETIME_SECONDS, issued_at=now, methods=("password",), project_id=project_id
        )
        with_catalog = query_params(request).get("nocatalog", ["false"])[0].lower() != "true"
        return json_response(
            201, {"token": self._token_body(self.tokens[token], with_catalog)}, {"X-Subject-Token": token}
        )

    def _scope_project(self, scope: object) -> str | None:
        if scope is None:
            return None
        scope = _object(scope, "auth.scope")
        if "domain" in scope:
            return None
        wanted = _object(scope.get("project"), "auth.scope.project")
        for project in self.projects:
            if wanted.get("id") == project["id"] or wanted.get("name") == project["name"]:
                return str(project["id"])
        raise keystone_error(401, "Unauthorized", "The project in auth.scope does not exist in this account.")

    def _token_body(self, token: IssuedToken, with_catalog: bool) -> JsonObject:
        domain = {"id": self.domain_id, "name": self.domain_name}
        body: JsonObject = {
            "expires_at": iso_time(token.expires_at),
            "issued_at": iso_time(token.issued_at),
            "methods": list(token.methods),
            "roles": [{"id": "0", "name": "te_admin"}, {"id": "1", "name": "op_service"}],
            "user": {"domain": domain, "id": self.user_id, "name": self.user_name, "password_expires_at": ""},
        }
        project = next((project for project in self.projects if project["id"] == token.project_id), None)
        if project is not None:
            body["project"] = {"id": project["id"], "name": project["name"], "domain": domain}
        else:
            body["domain"] = domain
        if with_catalog:
            region = project["name"] if project is not None else self.regions[0]
            body["catalog"] = [
                {
                    "type": service_type,
                    "id": new_hex_id(),
                    "name": name,
                    "endpoints": [
                        {
                            "id": new_hex_id(),
                            "interface": "public",
                            "region": region,
                            "region_id": region,
                            "url": f"https://{name}.{region}.myhuaweicloud.com",
                        }
                    ],
                }
                for service_type, name in (("identity", "iam"), ("compute", "ecs"), ("object-store", "obs"))
            ]
        return body

    def _validate_token(self, request: EmulatedRequest, _: Sequence[str]) -> EmulatedResponse:
        subject = request.headers.get("x-subject-token", "")
        if self.token_state(subject) != "valid":
            raise keystone_error(404, "Not Found", "Could not find token (the X-Subject-Token).")
        with_catalog = query_params(request).get("nocatalog", ["false"])[0].lower() != "true"
        return json_response(
            200, {"token": self._token_body(self.tokens[subject], with_catalog)}, {"X-Subject-Token": subject}
        )

    # --- access keys -----------------------------------------------------------------------------

    def _create_temporary_key(self, request: EmulatedRequest, _: Sequence[str]) -> EmulatedResponse:
        document = read_json(request, _bad_request)
        identity = _object(_object(document.get("auth"), "auth").get("identity"), "auth.identity")
        methods = identity.get("methods")
        if methods not in (["token"], ["assume_role"]):
            raise _bad_request("auth.identity.methods must be [\"token\"] or [\"assume_role\"]")
        where = f"auth.identity.{methods[0]}"
        method_body = _object(identity.get(methods[0], {}), where)
        if methods == ["token"] and "id" in method_body:
            token_id = method_body["id"]
            if not isinstance(token_id, str):
                raise _bad_request(f"{where}.id must be a string")
            if self.token_state(token_id) != "valid":
                raise keystone_error(401, "Unauthorized", "The token in auth.identity.token.id is not valid.")
        agency_name = method_body.get("agency_name")
        if methods == ["assume_role"] and not (isinstance(agency_name, str) and agency_name):
            raise _bad_request(f"{where}.agency_name is required and must be a non-empty string")
        duration = method_body.get("duration_seconds", TEMPORARY_KEY_SECONDS[0])
        low, high = TEMPORARY_KEY_SECONDS
        if isinstance(duration, bool) or not isinstance(duration, int) or not low <= duration <= high:
            raise _bad_request(f"duration_seconds must be an integer from {low} to {high}")
        access_key = _random_key(20)
        key = TemporaryKey(
            secret=_random_key(40),
            security_token="gQ" + secrets.token_urlsafe(180),
            expires_at=self._clock() + duration,
        )
        self.temporary_keys[access_key] = key
        credential = {
            "access": access_key,
            "secret": key.secret,
            "securitytoken": key.security_token,
            "expires_at": iso_time(key.expires_at),
        }
        return json_response(201, {"credential": credential})

    def _list_permanent_keys(self, request: EmulatedRequest, _: Sequence[str]) -> EmulatedResponse:
        user_id = query_params(request).get("user_id", [self.user_id])[0]
        keys = [
            {
                "user_id": self.user_id,
                "access": access_key,
                "status": "active",
                "create_time": "2024-01-01T00:00:00.000000Z",
                "description": "",
            }
            for access_key in self.permanent_keys
            if user_id == self.user_id
        ]
        return json_response(200, {"credentials": keys})


def _object(value: object, where: str) -> JsonObject:
    if not isinstance(value, dict):
        raise _bad_request(f"{where} must be a JSON object")
    return value


def _page(items: list[JsonObject], params: Mapping[str, list[str]]) -> list[JsonObject]:
    """Keystone's ``page``/``per_page`` (both or neither, 1-based pages)."""
    if "page" not in params and "per_page" not in params:
        return items
    try:
        page, per_page = int(params["page"][0]), int(params["per_page"][0])
    except (KeyError, ValueError):
        raise _bad_request("page and per_page must be given together, as integers") from None
    if page < 1 or not 1 <= per_page <= 5000:
        raise _bad_request("page must be at least 1 and per_page from 1 to 5000")
    return items[(page - 1) * per_page : page * per_page]
