"""Typed IAM client (operations arrive with the IAM issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..sync import SyncService

if TYPE_CHECKING:
    from .._client import AsyncHuaweiCloud

__all__ = ["IAM", "SyncIAM"]


class IAM:
    def __init__(self, cloud: AsyncHuaweiCloud) -> None:
        self._cloud = cloud


class SyncIAM(SyncService[IAM]):
    """Blocking twin of :class:`IAM`."""
