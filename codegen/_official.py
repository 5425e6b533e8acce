"""Find what an official ``huaweicloudsdk<name>`` package ships: API versions, client classes, models, regions.

Only imports and attribute reads: no client is built with credentials, nothing touches the network.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any

PIN = "3.1.219"

# The 20 packages of issue 14, by their short name (PyPI: huaweicloudsdk<name>).
PACKAGES: tuple[str, ...] = (
    "ecs",
    "iam",
    "vpc",
    "evs",
    "eip",
    "ims",
    "dns",
    "elb",
    "cce",
    "rds",
    "ces",
    "smn",
    "functiongraph",
    "swr",
    "kms",
    "lts",
    "cbr",
    "nat",
    "as",
    "dcs",
)

_VERSION = re.compile(r"v(\d+)")


class OfficialPackageError(RuntimeError):
    """The installed official package is missing, at another version, or not shaped as expected."""


def distribution(package: str) -> str:
    """The PyPI/import name of a short package name: ``vpc`` -> ``huaweicloudsdkvpc``."""
    return f"huaweicloudsdk{package}"


def installed_version(package: str) -> str:
    try:
        return importlib.metadata.version(distribution(package))
    except importlib.metadata.PackageNotFoundError as exc:
        raise OfficialPackageError(f"{distribution(package)} is not installed (pip install -e '.[dev]')") from exc


def api_versions(package: str) -> list[str]:
    """The API version subpackages (``v2``, ``v3`` ...) the package ships, in numeric order."""
    top = importlib.import_module(distribution(package))
    found = [info.name for info in pkgutil.iter_modules(top.__path__) if info.ispkg and _VERSION.fullmatch(info.name)]
    if not found:
        raise OfficialPackageError(f"{distribution(package)} ships no v<N> subpackage")
    return sorted(found, key=lambda name: int(name[1:]))


@dataclass(frozen=True)
class ServiceVersion:
    """One API version of one official package, as loaded classes and modules."""

    package: str
    version: str
    client: type[Any]
    async_client: type[Any] | None
    models: ModuleType
    region_table: type[Any]

    def model(self, name: str) -> type[Any]:
        found = getattr(self.models, name, None)
        if not isinstance(found, type) or not hasattr(found, "openapi_types"):
            raise OfficialPackageError(f"{self.package} {self.version}: no model class {name!r}")
        return found

    def has_model(self, name: str) -> bool:
        found = getattr(self.models, name, None)
        return isinstance(found, type) and hasattr(found, "openapi_types")


def _client_classes(module: ModuleType) -> tuple[type[Any], type[Any] | None]:
    from huaweicloudsdkcore.client import Client  # type: ignore[import-untyped]

    sync: list[type[Any]] = []
    asynchronous: list[type[Any]] = []
    for name, value in vars(module).items():
        if isinstance(value, type) and issubclass(value, Client) and value is not Client:
            (asynchronous if name.endswith("AsyncClient") else sync).append(value)
    if len(sync) != 1 or len(asynchronous) > 1:
        raise OfficialPackageError(f"{module.__name__}: expected one client and at most one async client")
    return sync[0], (asynchronous[0] if asynchronous else None)


def _region_table(module: ModuleType) -> type[Any]:
    region_package = importlib.import_module(f"{module.__name__}.region")
    tables: list[type[Any]] = []
    for info in pkgutil.iter_modules(region_package.__path__):
        region_module = importlib.import_module(f"{region_package.__name__}.{info.name}")
        for value in vars(region_module).values():
            if (
                isinstance(value, type)
                and value.__module__ == region_module.__name__
                and isinstance(getattr(value, "static_fields", None), dict)
            ):
                tables.append(value)
    if len(tables) != 1:
        raise OfficialPackageError(f"{module.__name__}: expected one region table, found {len(tables)}")
    return tables[0]


def load(package: str, version: str) -> ServiceVersion:
    module = importlib.import_module(f"{distribution(package)}.{version}")
    client, async_client = _client_classes(module)
    models = importlib.import_module(f"{module.__name__}.model")
    return ServiceVersion(package, version, client, async_client, models, _region_table(module))


def regions(service: ServiceVersion) -> dict[str, list[str]]:
    """The official region table: region id -> endpoint URLs, in the table's order."""
    table: dict[str, list[str]] = {}
    for region_id, region in service.region_table.static_fields.items():
        if region.id != region_id:
            raise OfficialPackageError(f"{service.region_table.__name__}: {region_id!r} maps to region {region.id!r}")
        table[str(region_id)] = [str(endpoint) for endpoint in region.endpoints]
    return table


def credential_types(service: ServiceVersion) -> list[str]:
    """The credential class names the client's builder accepts (it compares class names, not types)."""
    builder = service.client.new_builder()
    return [str(name).strip() for name in builder._credential_type]


def derived_auth_service_name(service: ServiceVersion) -> str | None:
    """The service name for V11-HMAC-SHA256 derived signing, if the builder sets one."""
    name = service.client.new_builder()._derived_auth_service_name
    return None if name is None else str(name)
