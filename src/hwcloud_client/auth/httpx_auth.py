"""``HuaweiCloudAuth``: the signing as an ``httpx.Auth``, for users who prefer ``auth=`` to event hooks.

A module of its own because subclassing ``httpx.Auth`` imports httpx, which the rest of the package
leaves to the first request; ``hwcloud_client.HuaweiCloudAuth`` imports it on first access.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING

from .._http import httpx
from ..config import Account, Credentials, Project, SigningAlgorithm, Stage
from .hooks import Clock, RequestSigner

if TYPE_CHECKING:
    from .providers import CredentialsProvider

__all__ = ["HuaweiCloudAuth"]


class HuaweiCloudAuth(httpx.Auth):
    """The signing as an ``httpx.Auth``: ``httpx.AsyncClient(auth=HuaweiCloudAuth(creds))``.

    The async flow accepts a credentials provider; the sync flow needs plain ``Credentials``.
    """

    def __init__(
        self,
        credentials: Credentials | CredentialsProvider,
        *,
        algorithm: SigningAlgorithm = "SDK-HMAC-SHA256",
        project: Project | None = None,
        account: Account | None = None,
        stage: Stage | None = None,
        region: str | None = None,
        service: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.signer = RequestSigner(
            credentials, algorithm=algorithm, project=project, account=account, stage=stage,
            region=region, service=service, clock=clock,
        )

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.signer.sign_sync(request)
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await self.signer.sign_async(request)
        yield request

    def __repr__(self) -> str:
        return f"HuaweiCloudAuth(algorithm={self.signer.spec.name!r})"
