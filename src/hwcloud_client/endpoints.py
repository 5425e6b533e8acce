"""Which URL a service is reached at in a region, and how each service scopes its requests.

Resolution order (:func:`resolve_endpoint`):

1. a per-service override given by the user (``ClientConfig.endpoints``);
2. the environment variable ``HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>`` (the official SDK's name; the
   value may be a comma-separated list of endpoints, the first one is used);
3. a small table of exceptions: global services, the EU-sovereign ``.myhuaweicloud.eu`` domain, and a few
   services with odd host names in some regions;
4. the template ``https://{service}.{region}.myhuaweicloud.com``.

An unknown region is never an error as long as it looks like a region id: new regions open more often
than SDKs are released, and the template is right for nearly every service there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Literal, NamedTuple

from pydantic import ValidationError

from .config import Endpoint
from .errors import ConfigurationError

__all__ = [
    "DEFAULT_DOMAIN",
    "SERVICES",
    "ServiceInfo",
    "resolve_endpoint",
    "service_info",
]

DEFAULT_DOMAIN = "myhuaweicloud.com"

# Real ids all look like this: cn-north-4, ap-southeast-1, eu-west-101, my-kualalumpur-1, ae-ad-1.
# Both patterns are used with fullmatch: "$" would also accept a trailing newline.
_REGION_ID = re.compile(r"[a-z]{2,}(?:-[a-z0-9]+)+-\d+")
_REGION_SHAPE_HINT = "lowercase '<area>-<location>-<number>', e.g. 'cn-north-4', 'ap-southeast-1', 'eu-west-101'"
_SERVICE_NAME = re.compile(r"[a-z][a-z0-9_-]*")


class ServiceInfo(NamedTuple):
    """How a service is addressed.

    ``scope="project"``: requests carry ``X-Project-Id`` and paths may contain ``{project_id}``.
    ``scope="domain"``: requests carry ``X-Domain-Id`` and paths may contain ``{domain_id}``.
    ``global_endpoint`` is the single host of a global service; it is used when no region is given, or
    always when the service has no per-region hosts (``has_regional_endpoints=False``).
    """

    name: str
    scope: Literal["project", "domain"] = "project"
    global_endpoint: str | None = None
    has_regional_endpoints: bool = True


def _global_service(name: str, *, host: str | None = None) -> ServiceInfo:
    return ServiceInfo(
        name=name,
        scope="domain",
        global_endpoint=f"https://{host or name}.{DEFAULT_DOMAIN}",
        has_regional_endpoints=False,
    )


SERVICES: Mapping[str, ServiceInfo] = MappingProxyType(
    {
        **{name: ServiceInfo(name=name) for name in ("ecs", "evs", "vpc", "ims", "ces", "rds", "obs")},
        # IAM answers on iam.{region} everywhere, but its operations are account-wide (X-Domain-Id),
        # and iam.myhuaweicloud.com serves callers that have no region.
        "iam": ServiceInfo(
            name="iam",
            scope="domain",
            global_endpoint=f"https://iam.{DEFAULT_DOMAIN}",
            has_regional_endpoints=True,
        ),
        **{name: _global_service(name) for name in ("bss", "cdn", "eps", "rms", "tms", "organizations")},
    }
)

# In the EU-sovereign region these services live under .myhuaweicloud.eu, while others (ECS, EVS, VPC...)
# stay on .myhuaweicloud.com: the domain cannot be derived from the region alone.
_SOVEREIGN_DOMAINS: Mapping[str, tuple[str, frozenset[str]]] = MappingProxyType(
    {
        "eu-west-101": (
            "myhuaweicloud.eu",
            frozenset(
                {"iam", "obs", "eps", "tms", "cts", "dms", "dds", "ddm", "ges", "ccm"}
                | {"cce", "kms", "lts", "nat", "rds", "smn", "swr"}
            ),
        ),
    }
)

# Hosts that neither the global endpoint, the sovereign domain nor the template produce. Regions of
# global services listed here have their own hosts; elsewhere those services use their global endpoint.
# (CTS in ap-southeast-5 and af-north-1 also has backup hosts on .myhuaweicloud.asia/.africa, but its
# primary host there is the template's .com one.)
_ENDPOINT_EXCEPTIONS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("cdn", "eu-west-101"): "https://cdn.myhuaweicloud.eu",
        ("eps", "ru-moscow-1"): f"https://eps.ru-moscow-1.{DEFAULT_DOMAIN}",
        ("eps", "my-kualalumpur-1"): f"https://eps.my-kualalumpur-1.{DEFAULT_DOMAIN}",
        ("tms", "ap-southeast-1"): f"https://tms-intl.{DEFAULT_DOMAIN}",
        ("tms", "ru-moscow-1"): f"https://tms.ru-moscow-1.{DEFAULT_DOMAIN}",
        ("tms", "my-kualalumpur-1"): f"https://tms.my-kualalumpur-1.{DEFAULT_DOMAIN}",
        ("as", "ap-southeast-1"): "https://as.ap-southeast-1.myhwclouds.com",
        ("nat", "ap-southeast-4"): "https://nat.ap-southeast-4.myhuaweicloud.cn",
        ("smn", "cn-north-2"): "https://smn.cn-north-2.myhuaweicloud.cn",
    }
)

# Services whose hosts carry another name: EIP is served on the VPC endpoint, SWR's API on swr-api.<region>.
_HOST_NAMES: Mapping[str, str] = MappingProxyType({"eip": "vpc", "swr": "swr-api"})


def service_info(name: str) -> ServiceInfo:
    """Metadata of ``name``; services not in :data:`SERVICES` are treated as regional and project-scoped."""
    normalized = name.lower()
    return SERVICES.get(normalized) or ServiceInfo(name=normalized)


def resolve_endpoint(
    service: str,
    region: str | None,
    *,
    overrides: Mapping[str, Endpoint] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Endpoint:
    """The endpoint of ``service`` in ``region`` (``None`` for global services or user overrides).

    ``overrides`` maps lowercase service names to endpoints and wins over everything, whatever the region
    looks like. ``environ``
    defaults to ``os.environ``; only the one variable for this service and region is looked up.

    Raises :class:`~hwcloud_client.errors.ConfigurationError` for a malformed service name or region, a
    bad endpoint in the environment, or a regional service without a region.
    """
    name = service.lower()
    if not _SERVICE_NAME.fullmatch(name):
        raise ConfigurationError(f"service name {service!r} is not valid; expected e.g. 'ecs' or 'iam'")
    # An override makes the region irrelevant here, which private clouds with their own region ids need.
    if overrides and name in overrides:
        return overrides[name]
    if region is not None and not _REGION_ID.fullmatch(region):
        raise ConfigurationError(f"region {region!r} is not a valid region id; expected {_REGION_SHAPE_HINT}")
    if region is not None:
        from_env = _endpoint_from_env(name, region, os.environ if environ is None else environ)
        if from_env is not None:
            return from_env
    return _table_endpoint(name, region)


def _endpoint_from_env(service: str, region: str, environ: Mapping[str, str]) -> Endpoint | None:
    variable = "HUAWEICLOUD_SDK_REGION_{}_{}".format(
        service.upper().replace("-", "_"), region.upper().replace("-", "_")
    )
    value = environ.get(variable)
    if not value:
        return None
    first = next((item.strip() for item in value.split(",") if item.strip()), None)
    if first is None:
        return None
    # The official SDK accepts bare host names here and assumes HTTPS; so do we.
    url = first if "://" in first else f"https://{first}"
    try:
        return Endpoint(url=url)
    except ValidationError as exc:
        reason = "; ".join(error["msg"] for error in exc.errors())
        raise ConfigurationError(f"{variable} does not hold a usable endpoint URL: {reason}") from None


@lru_cache(maxsize=512)
def _table_endpoint(service: str, region: str | None) -> Endpoint:
    info = service_info(service)
    if region is not None:
        exception = _ENDPOINT_EXCEPTIONS.get((service, region))
        if exception is not None:
            return Endpoint(url=exception)
        sovereign = _SOVEREIGN_DOMAINS.get(region)
        if sovereign is not None and service in sovereign[1]:
            return Endpoint(url=f"https://{_HOST_NAMES.get(service, service)}.{region}.{sovereign[0]}")
    if info.global_endpoint is not None and (region is None or not info.has_regional_endpoints):
        return Endpoint(url=info.global_endpoint)
    if region is None:
        raise ConfigurationError(
            f"service {service!r} is regional and no region is set: pass region='cn-north-4' (for example) "
            "to the client or set the HUAWEICLOUD_SDK_REGION environment variable"
        )
    return Endpoint(url=f"https://{_HOST_NAMES.get(service, service)}.{region}.{DEFAULT_DOMAIN}")
