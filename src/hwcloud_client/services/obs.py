"""Typed OBS client (operations arrive with the OBS issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..sync import SyncService

if TYPE_CHECKING:
    from .._client import AsyncHuaweiCloud

__all__ = ["OBS", "SyncOBS"]


class OBS:
    def __init__(self, cloud: AsyncHuaweiCloud) -> None:
        self._cloud = cloud


class SyncOBS(SyncService[OBS]):
    """Blocking twin of :class:`OBS`."""
