"""Typed ECS client (operations arrive with the ECS issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..sync import SyncService

if TYPE_CHECKING:
    from .._client import AsyncHuaweiCloud

__all__ = ["ECS", "SyncECS"]


class ECS:
    def __init__(self, cloud: AsyncHuaweiCloud) -> None:
        self._cloud = cloud


class SyncECS(SyncService[ECS]):
    """Blocking twin of :class:`ECS`."""
