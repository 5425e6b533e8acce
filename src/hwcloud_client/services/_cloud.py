"""What a service client needs of the facade it is bound to.

Services are typed against this protocol rather than :class:`~hwcloud_client.AsyncHuaweiCloud`, so that
the facade (which knows its services through the registry) and the services never depend on each other,
not even for type checkers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .._response import Response
    from .._types import Body, ParamValue
    from ..auth.flows import AuthFlow, ClockSkews, ObsAuth
    from ..auth.hooks import RequestSigner
    from ..config import ClientConfig, Endpoint, RetryPolicy, Stage

__all__ = ["Cloud"]


class Cloud(Protocol):
    """The facade as its services see it (:class:`~hwcloud_client.AsyncHuaweiCloud` is the one)."""

    @property
    def region(self) -> str | None: ...
    @property
    def config(self) -> ClientConfig: ...
    @property
    def retry_policy(self) -> RetryPolicy: ...
    @property
    def skews(self) -> ClockSkews: ...
    @property
    def signer(self) -> RequestSigner: ...
    @property
    def obs_auth(self) -> ObsAuth: ...

    def endpoint(self, service: str) -> Endpoint: ...

    async def domain_id(self) -> str: ...

    async def request(
        self,
        service: str | Endpoint,
        method: str,
        path: str,
        *,
        params: Mapping[str, ParamValue] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        content: Body | None = None,
        path_params: Mapping[str, object] | None = None,
        stage: Stage | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        operation: str | None = None,
        auth: AuthFlow | None = None,
    ) -> Response: ...

    async def send(
        self,
        method: str,
        url: str,
        *,
        auth: AuthFlow | None = None,
        params: Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        content: Body | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        stream: bool = False,
        extensions: dict[str, Any] | None = None,
        accept_status: Callable[[int], bool] | None = None,
    ) -> Response: ...
