"""Every public async method of the async facade and its services has a blocking twin of the same name."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from hwcloud_client import AsyncHuaweiCloud, HuaweiCloud

# Services whose module may not have its operations yet; they join the check once it has some.
SERVICE_MODULES = {"ecs": ("ECS", "SyncECS"), "iam": ("IAM", "SyncIAM"), "obs": ("OBS", "SyncOBS")}
# Async names whose blocking spelling differs by convention.
RENAMED = {"aclose": "close"}


def is_async_api(member: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(member) or inspect.isasyncgenfunction(member):
        return True
    # Pagers built by `paginate` are plain functions that return an AsyncPager (an async iterator).
    return str(inspect.signature(member).return_annotation).startswith(("AsyncIterator", "AsyncPager"))


def public_async_methods(cls: type) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in inspect.getmembers(cls, callable)
        if not name.startswith("_") and is_async_api(member)
    }


def pairs() -> list[Any]:
    found = [pytest.param(AsyncHuaweiCloud, HuaweiCloud, id="facade")]
    for service, (async_name, sync_name) in SERVICE_MODULES.items():
        module = importlib.import_module(f"hwcloud_client.services.{service}")
        async_cls, sync_cls = getattr(module, async_name), getattr(module, sync_name)
        marks = [] if public_async_methods(async_cls) else [pytest.mark.skip(reason=f"{service} has no operations yet")]
        found.append(pytest.param(async_cls, sync_cls, id=service, marks=marks))
    return found


@pytest.mark.parametrize(("async_cls", "sync_cls"), pairs())
def test_every_async_method_has_a_blocking_twin_with_the_same_parameters(async_cls: type, sync_cls: type) -> None:
    methods = public_async_methods(async_cls)
    assert methods, f"{async_cls.__name__} has no public async methods"
    missing = sorted(RENAMED.get(name, name) for name in methods if not hasattr(sync_cls, RENAMED.get(name, name)))
    assert missing == [], f"{sync_cls.__name__} lacks blocking twins for {missing}"
    for name, method in methods.items():
        twin = getattr(sync_cls, RENAMED.get(name, name))
        assert not (inspect.iscoroutinefunction(twin) or inspect.isasyncgenfunction(twin)), name
        assert list(inspect.signature(twin).parameters) == list(inspect.signature(method).parameters), name


@pytest.mark.parametrize(("async_cls", "sync_cls"), pairs())
def test_method_names_match_their_attributes(async_cls: type, sync_cls: type) -> None:
    """The blocking twins look methods up by ``__name__``; a derived iterator must carry its attribute's name."""
    for cls in (async_cls, sync_cls):
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                assert member.__name__ == name, f"{cls.__name__}.{name} is named {member.__name__}"


@pytest.mark.parametrize(("service", "names"), [
    ("ecs", ["list_servers_details", "iter_servers_details", "show_server", "create_servers", "delete_servers",
             "batch_start_servers", "batch_stop_servers", "batch_reboot_servers", "update_server", "resize_server",
             "list_flavors", "show_job", "list_server_interfaces", "show_server_tags", "batch_create_server_tags",
             "nova_list_keypairs", "nova_create_keypair", "wait_for_job", "wait_for_server"]),
    ("iam", ["keystone_list_projects", "iter_keystone_list_projects", "keystone_show_project",
             "keystone_list_auth_projects", "keystone_list_auth_domains", "keystone_list_regions",
             "keystone_list_users",
             "keystone_create_user_token_by_password", "keystone_validate_token",
             "create_temporary_access_key_by_token", "create_temporary_access_key_by_agency",
             "list_permanent_access_keys"]),
])
def test_the_promised_operations_exist_with_keyword_only_arguments(service: str, names: list[str]) -> None:
    async_name, _ = SERVICE_MODULES[service]
    cls = getattr(importlib.import_module(f"hwcloud_client.services.{service}"), async_name)
    methods = public_async_methods(cls)
    assert set(names) <= set(methods)
    for name in names:
        parameters = list(inspect.signature(methods[name]).parameters.values())[1:]
        # The waiters take the id positionally (wait_for_job(job.job_id)); everything else is keyword-only.
        leading = 1 if name.startswith("wait_for_") else 0
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[leading:]), name
