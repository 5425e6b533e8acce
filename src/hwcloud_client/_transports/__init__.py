"""Connection handling behind httpx's transport interface."""

from ._sharded import ShardedTransport

__all__ = ["ShardedTransport"]
