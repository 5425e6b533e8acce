"""The blocking facade: ``HuaweiCloud``, for scripts and Jupyter notebooks.

It runs an :class:`AsyncHuaweiCloud` in one background event-loop thread (:mod:`._blocking`), so it
also works inside a notebook cell, where an event loop is already running. The portal starts on the
first call; building a facade starts no thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ._blocking import PortalRunner, SyncService, blocking, blocking_iter, blocking_pager
from ._client import AsyncHuaweiCloud
from ._http import httpx
from ._observe import EventHooks
from ._types import ParamValue
from .config import Account, ClientConfig, Credentials, Endpoint, Project, RetryPolicy
from .services._registry import SyncServiceAttributes

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

    from .auth.providers import CredentialsProvider

__all__ = ["HuaweiCloud", "PortalRunner", "SyncService", "blocking", "blocking_iter"]


class HuaweiCloud(SyncServiceAttributes, SyncService[AsyncHuaweiCloud]):
    """Blocking twin of :class:`AsyncHuaweiCloud`: the same constructor, attributes and method names.

    >>> with HuaweiCloud(region="cn-north-4") as cloud:
    ...     servers = cloud.ecs.list_servers_details(limit=10)
    """

    def __init__(
        self,
        region: str | None = None,
        credentials: Credentials | CredentialsProvider | None = None,
        project: Project | str | None = None,
        account: Account | str | None = None,
        config: ClientConfig | None = None,
        http_client: httpx.AsyncClient | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] | None = None,
        event_hooks: EventHooks | None = None,
        tracing: bool | TracerProvider = False,
    ) -> None:
        # Building the async client touches no event loop: every loop-bound object in it is made on first use.
        # Event hooks run in the portal's thread.
        async_client = AsyncHuaweiCloud(
            region, credentials, project, account, config, http_client, environ=environ, clock=clock,
            event_hooks=event_hooks, tracing=tracing,
        )
        super().__init__(PortalRunner(), async_client)

    @property
    def region(self) -> str | None:
        return self._async.region

    @property
    def config(self) -> ClientConfig:
        return self._async.config

    request = blocking(AsyncHuaweiCloud.request)
    send = blocking(AsyncHuaweiCloud.send)
    project_id = blocking(AsyncHuaweiCloud.project_id)
    domain_id = blocking(AsyncHuaweiCloud.domain_id)

    def endpoint(self, service: str) -> Endpoint:
        return self._async.endpoint(service)

    def with_options(
        self,
        *,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, ParamValue] | None = None,
    ) -> HuaweiCloud:
        """A view whose calls default to these options, sharing this facade's thread, pool and caches.

        See :meth:`AsyncHuaweiCloud.with_options`. Closing a view closes nothing.
        """
        view = object.__new__(HuaweiCloud)
        SyncService.__init__(
            view, self._runner, self._async.with_options(timeout=timeout, retry=retry, headers=headers, query=query)
        )
        view._is_view = True
        return view

    _is_view = False

    paginate = blocking_pager(AsyncHuaweiCloud.paginate)

    def close(self) -> None:
        if self._is_view:
            return
        # A portal never started means nothing was opened (no pool, no provider I/O): nothing to close.
        self._runner.close(self._async.aclose)

    def __enter__(self) -> HuaweiCloud:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HuaweiCloud(region={self.region!r})"
