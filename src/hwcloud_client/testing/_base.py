"""The contract between the emulator's router and each emulated service (IAM, ECS, OBS)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["EmulatedRequest", "EmulatedResponse", "ServiceEmulator"]


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
