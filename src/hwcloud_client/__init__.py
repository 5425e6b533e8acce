"""hwcloud_client: an async-first, typed Huawei Cloud SDK."""
from ._version import __version__

__all__ = ["__version__"]
