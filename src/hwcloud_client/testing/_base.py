"""The contract between the emulator's router and each emulated service (IAM, ECS, OBS)."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "EmulatedRequest",
    "EmulatedResponse",
    "KnownKey",
    "SecretLookup",
    "ServiceEmulator",
    "TokenProblem",
    "permanent_keys_lookup",
]

# Why a request's security token does not go with its access key.
TokenProblem = Literal["missing", "invalid"]


@dataclass(frozen=True)
class EmulatedRequest:
    """A request as the emulator received it.

    ``raw_path`` is the path exactly as sent (percent-encoded, without the query); for services
    reached through a path prefix (server mode, e.g. ``/obs``) the prefix is already removed and
    kept in ``path_prefix`` so that signature checks can use ``path_prefix + raw_path``.
    ``headers`` has lower-case names. ``host`` is the Host header. ``bucket`` is set for OBS
    virtual-host requests (``<bucket>.obs.<region>...``), else None.
    """

    method: str
    raw_path: str
    raw_query: str
    # Out of repr: they carry Authorization, X-Security-Token, X-Auth-Token and passwords.
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    host: str
    bucket: str | None = None
    path_prefix: str = ""


@dataclass
class EmulatedResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class ServiceEmulator(Protocol):
    async def handle(self, request: EmulatedRequest) -> EmulatedResponse: ...

    def internal_error(self, request: EmulatedRequest) -> EmulatedResponse:
        """The service's own 500 answer, sent when answering ``request`` failed inside the emulator."""
        ...


@dataclass(frozen=True)
class KnownKey:
    """What the emulator knows about an access key: its secret, and the token a temporary key needs.

    The API Gateway (IAM, ECS) and OBS both authenticate through :data:`SecretLookup` and
    :meth:`token_problem`, so a temporary key is held to the same rules whichever service it signs for.
    """

    # Kept out of repr: a failing test prints the objects it compared.
    secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)

    def token_problem(self, sent: str | None) -> TokenProblem | None:
        """What is wrong with ``sent``, the security token a request carries (None: it carries none), if anything.

        A permanent key needs no token, and one sent anyway is ignored; a temporary key needs exactly its own.
        """
        if self.security_token is None:
            return None
        if not sent:
            return "missing"
        # As bytes: compare_digest refuses a str with non-ASCII characters, which a header value may decode to.
        if not hmac.compare_digest(sent.encode(), self.security_token.encode()):
            return "invalid"
        return None


# Looks an access key up at the time of the request (temporary keys expire).
SecretLookup = Callable[[str], KnownKey | None]


def permanent_keys_lookup(credentials: Mapping[str, str]) -> SecretLookup:
    """A :data:`SecretLookup` over ``{access key: secret key}`` pairs, all permanent (a copy is kept)."""
    keys = dict(credentials)

    def lookup(access_key: str) -> KnownKey | None:
        secret = keys.get(access_key)
        return None if secret is None else KnownKey(secret=secret)

    return lookup
