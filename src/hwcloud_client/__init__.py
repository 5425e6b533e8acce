"""hwcloud_client: an async-first, typed Huawei Cloud SDK."""

from typing import TYPE_CHECKING, Any

from ._client import AsyncHuaweiCloud
from ._observe import CallEvent
from ._response import Response, ResponseInfo
from ._version import __version__
from .auth.hooks import signing_hook, sync_signing_hook
from .auth.token import TokenAuth
from .config import Account, ClientConfig, Credentials, Endpoint, Project, RetryPolicy, Stage, Timeouts
from .endpoints import resolve_endpoint

if TYPE_CHECKING:
    from ._blocking import SyncPager
    from ._paging import AsyncPager, ItemOffset, LinksNext, Marker, PageNumber
    from .auth.httpx_auth import HuaweiCloudAuth
    from .services._base import response_info
    from .sync import HuaweiCloud

__all__ = [
    "Account",
    "AsyncHuaweiCloud",
    "AsyncPager",
    "CallEvent",
    "ClientConfig",
    "Credentials",
    "Endpoint",
    "HuaweiCloud",
    "HuaweiCloudAuth",
    "ItemOffset",
    "LinksNext",
    "Marker",
    "PageNumber",
    "Project",
    "Response",
    "ResponseInfo",
    "RetryPolicy",
    "Stage",
    "SyncPager",
    "Timeouts",
    "TokenAuth",
    "__version__",
    "resolve_endpoint",
    "response_info",
    "signing_hook",
    "sync_signing_hook",
]

# Imported on first access: async programs never need the blocking facade's module, subclassing
# httpx.Auth imports httpx, which the async facade leaves to its first request, and the pagers (with json)
# are needed by the first paginated call, not by the import.
_ON_FIRST_ACCESS = {
    "AsyncPager": "._paging",
    "HuaweiCloud": ".sync",
    "HuaweiCloudAuth": ".auth.httpx_auth",
    "ItemOffset": "._paging",
    "LinksNext": "._paging",
    "Marker": "._paging",
    "PageNumber": "._paging",
    "SyncPager": "._blocking",
    "response_info": ".services._base",
}

if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name stays an error for them

    def __getattr__(name: str) -> Any:
        module = _ON_FIRST_ACCESS.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
