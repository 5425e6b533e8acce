"""The service registry: facade attribute names → the modules that define their clients, loaded on first access.

The facades import no service: ``cloud.ecs`` imports :mod:`hwcloud_client.services.ecs` the first time it
is read and keeps the client it builds. Type checkers see each attribute's class through the
``TYPE_CHECKING`` declarations below; at run time only the table is consulted.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any, NamedTuple

from ._catalog import GENERATED, GeneratedAttributes, SyncGeneratedAttributes

if TYPE_CHECKING:
    from .obs import OBS, SyncOBS

__all__ = ["SERVICES", "ServiceAttributes", "ServiceEntry", "SyncServiceAttributes"]


class ServiceEntry(NamedTuple):
    module: str  # relative to hwcloud_client.services
    client: str  # the async client class
    sync_client: str  # its blocking twin

    def load(self, blocking: bool) -> type[Any]:
        module = import_module(f"{__package__}.{self.module}")
        cls: type[Any] = getattr(module, self.sync_client if blocking else self.client)
        return cls


SERVICES: dict[str, ServiceEntry] = {
    # Generated clients (services/_catalog.py): cloud.vpc_v2, cloud.vpc, cloud.autoscaling... and cloud.ecs_v2 =
    # cloud.ecs and cloud.iam_v3 = cloud.iam, served by their hand-written subclasses (services/ecs.py, iam.py).
    **{name: ServiceEntry(module, client, f"Sync{client}") for name, (module, client) in GENERATED.items()},
    # OBS is not an API gateway service: written by hand.
    "obs": ServiceEntry("obs", "OBS", "SyncOBS"),
}


def _keep(facade: object, name: str, entry: ServiceEntry, build: Callable[[], Any]) -> Any:
    """The facade's client for ``entry``, built once: an alias and its version are one client
    (``cloud.vpc is cloud.vpc_v2``). Kept as an instance attribute, so later reads never come back here."""
    built = facade.__dict__
    client = next((built[other] for other, same in SERVICES.items() if same == entry and other in built), None)
    if client is None:
        client = build()
    built[name] = client
    return client


def _unknown(owner: object, name: str) -> AttributeError:
    return AttributeError(f"{type(owner).__name__!r} object has no attribute {name!r}")


class ServiceAttributes(GeneratedAttributes):
    """The typed service clients of :class:`~hwcloud_client.AsyncHuaweiCloud`, created on first access."""

    if TYPE_CHECKING:
        obs: OBS
    else:

        def __getattr__(self, name: str) -> Any:
            entry = SERVICES.get(name)
            if entry is None:
                raise _unknown(self, name)
            return _keep(self, name, entry, lambda: entry.load(blocking=False)(self))


class SyncServiceAttributes(SyncGeneratedAttributes):
    """The blocking twins of the service clients, for :class:`~hwcloud_client.HuaweiCloud`."""

    if TYPE_CHECKING:
        obs: SyncOBS
    else:

        def __getattr__(self, name: str) -> Any:
            entry = SERVICES.get(name)
            if entry is None or name.startswith("_"):
                raise _unknown(self, name)
            return _keep(self, name, entry, lambda: entry.load(blocking=True)(self._runner, getattr(self._async, name)))
