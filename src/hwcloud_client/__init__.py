"""hwcloud_client: an async-first, typed Huawei Cloud SDK."""

from ._client import AsyncHuaweiCloud
from ._response import Response
from ._version import __version__
from .auth.hooks import HuaweiCloudAuth, signing_hook, sync_signing_hook
from .auth.token import TokenAuth
from .config import Account, ClientConfig, Credentials, Endpoint, Project, RetryPolicy, Stage, Timeouts
from .endpoints import resolve_endpoint
from .sync import HuaweiCloud

__all__ = [
    "Account",
    "AsyncHuaweiCloud",
    "ClientConfig",
    "Credentials",
    "Endpoint",
    "HuaweiCloud",
    "HuaweiCloudAuth",
    "Project",
    "Response",
    "RetryPolicy",
    "Stage",
    "Timeouts",
    "TokenAuth",
    "__version__",
    "resolve_endpoint",
    "signing_hook",
    "sync_signing_hook",
]
