"""Small shared test helpers: a recording MockTransport, a facade wired to it, and a fetch the test releases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import anyio
import httpx

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials, RetryPolicy
from tests.oracle import official_authorization

AK, SK = "AKTESTCORE", "sk-core-test-secret"
CREDS = Credentials(ak=AK, sk=SK)
Handler = Callable[[httpx.Request], httpx.Response]
T = TypeVar("T")


class GatedFetch(Generic[T]):
    """A fetch that waits for the test to set ``release``, then raises ``error`` if set, else returns
    ``answer(n)`` for its n-th call; ``started`` is set by the first call, ``completed`` counts finished ones."""

    def __init__(self, answer: Callable[[int], T]) -> None:
        self.answer = answer
        self.calls = 0
        self.completed = 0
        self.started = anyio.Event()
        self.release = anyio.Event()
        self.error: Exception | None = None

    async def __call__(self) -> T:
        self.calls += 1
        self.started.set()
        await self.release.wait()
        self.completed += 1
        if self.error is not None:
            raise self.error
        return self.answer(self.calls)


class Recorder:
    """A MockTransport handler that records requests and answers from a script or a function."""

    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))


def facade(recorder: Recorder, **kwargs: Any) -> AsyncHuaweiCloud:
    retry = kwargs.pop("retry", RetryPolicy(backoff_base=0.0, backoff_cap=0.0, retry_after_cap=0.05))
    config = kwargs.pop("config", ClientConfig(retry=retry))
    kwargs.setdefault("region", "cn-north-4")
    kwargs.setdefault("credentials", CREDS)
    kwargs.setdefault("project", "p1")
    return AsyncHuaweiCloud(config=config, http_client=recorder.client(), environ={}, **kwargs)


def assert_validly_signed(request: httpx.Request) -> None:
    assert request.headers["authorization"] == official_authorization(request, AK, SK)
