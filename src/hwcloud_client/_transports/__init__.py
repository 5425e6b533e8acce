"""Connection handling behind httpx's transport interface."""

from ._cookies import skip_cookieless_responses
from ._sharded import ShardedTransport

__all__ = ["ShardedTransport", "skip_cookieless_responses"]
