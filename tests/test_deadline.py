"""A default overall deadline: a server trickling bytes cannot hold a call, or a streamed body, forever."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from hwcloud_client import RetryPolicy
from hwcloud_client._retry import MIN_TRANSFER_RATE, CallRetries, RetryBudget
from hwcloud_client.errors import TimeoutError
from tests.helpers import Recorder, facade

pytestmark = pytest.mark.anyio


class Trickle(httpx.AsyncByteStream):
    """A byte every 20 ms, for ever: each read is well within any read timeout."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            await anyio.sleep(0.02)
            yield b"x"


def trickling(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, stream=Trickle(), headers={"Content-Length": "1000"})


def test_calls_have_a_deadline_by_default() -> None:
    assert RetryPolicy().deadline == 300.0


def test_the_deadline_grows_with_the_body_it_moves() -> None:
    policy = RetryPolicy(deadline=10.0)
    plain = CallRetries(policy, RetryBudget())
    upload = CallRetries(policy, RetryBudget(), body_size=10 * MIN_TRANSFER_RATE)
    assert plain.deadline is not None and upload.deadline is not None
    assert upload.deadline - upload.started == pytest.approx(20.0)
    assert plain.deadline - plain.started == pytest.approx(10.0)
    assert CallRetries(RetryPolicy(deadline=None), RetryBudget(), body_size=10**9).deadline is None


async def test_a_trickling_answer_runs_out_of_the_calls_deadline() -> None:
    policy = RetryPolicy(max_attempts=1, deadline=0.2)
    async with facade(Recorder(trickling), retry=policy) as cloud:
        with pytest.raises(TimeoutError, match="the call's deadline ran out"):
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors")


async def test_a_trickling_streamed_object_body_runs_out_of_the_deadline() -> None:
    policy = RetryPolicy(max_attempts=1, deadline=0.2)
    async with facade(Recorder(trickling), retry=policy) as cloud:
        body = await cloud.obs.get_object("bucket-a", "big")
        received = 0
        async with body:
            with pytest.raises(TimeoutError, match="did not arrive before the call's deadline"):
                async for chunk in body.aiter_bytes():
                    received += len(chunk)
    assert 0 < received < 1000


async def test_a_views_retry_policy_sets_the_deadline_of_a_streamed_object_body() -> None:
    async with facade(Recorder(trickling)) as cloud:
        view = cloud.with_options(retry=RetryPolicy(max_attempts=1, deadline=0.2))
        assert view.retry_policy.deadline == 0.2 and cloud.retry_policy.deadline == 300.0
        body = await view.obs.get_object("bucket-a", "big")
        async with body:
            with pytest.raises(TimeoutError, match="did not arrive before the call's deadline"):
                async for _ in body.aiter_bytes():
                    pass
