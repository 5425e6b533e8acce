"""hwcloud_client: an async-first, typed Huawei Cloud SDK."""

from ._version import __version__
from .auth.hooks import HuaweiCloudAuth, signing_hook, sync_signing_hook
from .config import Account, ClientConfig, Credentials, Endpoint, Project, RetryPolicy, Stage, Timeouts

__all__ = [
    "Account",
    "ClientConfig",
    "Credentials",
    "Endpoint",
    "HuaweiCloudAuth",
    "Project",
    "RetryPolicy",
    "Stage",
    "Timeouts",
    "__version__",
    "signing_hook",
    "sync_signing_hook",
]
