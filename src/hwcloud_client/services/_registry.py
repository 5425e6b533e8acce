"""The service registry: facade attribute names → the modules that define their clients, loaded on first access.

The facades import no service: ``cloud.ecs`` imports :mod:`hwcloud_client.services.ecs` the first time it
is read and keeps the client it builds. Type checkers see each attribute's class through the
``TYPE_CHECKING`` declarations below; at run time only the table is consulted.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._catalog import GENERATED, GeneratedAttributes, SyncGeneratedAttributes

if TYPE_CHECKING:
    from .ecs import ECS, SyncECS
    from .iam import IAM, SyncIAM
    from .obs import OBS, SyncOBS

__all__ = ["SERVICES", "ServiceAttributes", "ServiceEntry", "SyncServiceAttributes"]


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    module: str  # relative to hwcloud_client.services
    client: str  # the async client class
    sync_client: str  # its blocking twin

    def load(self, blocking: bool) -> type[Any]:
        module = import_module(f"{__package__}.{self.module}")
        cls: type[Any] = getattr(module, self.sync_client if blocking else self.client)
        return cls


SERVICES: dict[str, ServiceEntry] = {
    # Generated clients (services/_catalog.py): cloud.vpc_v2, cloud.vpc, cloud.autoscaling...
    **{name: ServiceEntry(module, client, f"Sync{client}") for name, (module, client) in GENERATED.items()},
    # Hand-written clients; ecs and iam move onto the generated ecs_v2 and iam_v3 later.
    "ecs": ServiceEntry("ecs", "ECS", "SyncECS"),
    "iam": ServiceEntry("iam", "IAM", "SyncIAM"),
    "obs": ServiceEntry("obs", "OBS", "SyncOBS"),
}


def _unknown(owner: object, name: str) -> AttributeError:
    return AttributeError(f"{type(owner).__name__!r} object has no attribute {name!r}")


class ServiceAttributes(GeneratedAttributes):
    """The typed service clients of :class:`~hwcloud_client.AsyncHuaweiCloud`, created on first access."""

    if TYPE_CHECKING:
        ecs: ECS
        iam: IAM
        obs: OBS
    else:

        def __getattr__(self, name: str) -> Any:
            entry = SERVICES.get(name)
            if entry is None:
                raise _unknown(self, name)
            client = entry.load(blocking=False)(self)
            # Kept as an instance attribute: later reads never come back here.
            self.__dict__[name] = client
            return client


class SyncServiceAttributes(SyncGeneratedAttributes):
    """The blocking twins of the service clients, for :class:`~hwcloud_client.HuaweiCloud`."""

    if TYPE_CHECKING:
        ecs: SyncECS
        iam: SyncIAM
        obs: SyncOBS
    else:

        def __getattr__(self, name: str) -> Any:
            entry = SERVICES.get(name)
            if entry is None or name.startswith("_"):
                raise _unknown(self, name)
            client = entry.load(blocking=True)(self._runner, getattr(self._async, name))
            self.__dict__[name] = client
            return client
