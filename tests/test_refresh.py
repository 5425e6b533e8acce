"""SingleFlight: one fetch for everyone who needs it, shielded from cancellation, bounded, outcome shared."""

from __future__ import annotations

import anyio
import pytest

from hwcloud_client.auth._refresh import SingleFlight
from hwcloud_client.errors import ConnectError
from hwcloud_client.errors import TimeoutError as HuaweiCloudTimeoutError
from tests.helpers import GatedFetch

pytestmark = pytest.mark.anyio

# Only a guard so that a broken implementation fails instead of hanging; nothing here is timed.
HANG_GUARD = 10.0


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def gated() -> GatedFetch[str]:
    """Returns value-1, value-2... (or raises ``error``) once the test sets ``release``."""
    return GatedFetch(lambda call: f"value-{call}")


def flight(fetch: GatedFetch[str], *, timeout: float = 30.0) -> SingleFlight[str]:
    return SingleFlight(fetch, timeout=timeout, what="fetching a test value")


async def test_100_concurrent_callers_share_one_fetch() -> None:
    fetch = gated()
    refresh = flight(fetch)
    results: list[str] = []

    async def call() -> None:
        results.append(await refresh.run())

    async with anyio.create_task_group() as tasks:
        for _ in range(100):
            tasks.start_soon(call)
        await fetch.started.wait()
        await anyio.wait_all_tasks_blocked()
        assert results == []
        fetch.release.set()

    assert results == ["value-1"] * 100
    assert fetch.calls == 1


async def test_a_caller_cancelled_mid_fetch_does_not_abort_it_and_the_others_get_its_result() -> None:
    fetch = gated()
    refresh = flight(fetch)
    starter_scope = anyio.CancelScope()
    waiter_results: list[str] = []

    async def starter() -> None:
        with starter_scope:
            await refresh.run()

    async def waiter() -> None:
        waiter_results.append(await refresh.run())

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(starter)
        await fetch.started.wait()
        tasks.start_soon(waiter)
        await anyio.wait_all_tasks_blocked()
        starter_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        assert fetch.completed == 0  # still running inside its shield
        fetch.release.set()

    assert fetch.completed == 1
    assert fetch.calls == 1
    assert waiter_results == ["value-1"]


async def test_a_hung_fetch_times_out_for_everyone_queued_and_frees_the_next_flight() -> None:
    fetch = gated()  # not released: hangs
    refresh = flight(fetch, timeout=0.05)
    failures: list[HuaweiCloudTimeoutError] = []

    async def call() -> None:
        try:
            await refresh.run()
        except HuaweiCloudTimeoutError as exc:
            failures.append(exc)

    async def watchdog() -> None:
        # The fetch is shielded, so a cancel scope could not stop a broken, unbounded one; releasing it can.
        await anyio.sleep(HANG_GUARD)
        fetch.release.set()

    async with anyio.create_task_group() as guard:
        guard.start_soon(watchdog)
        async with anyio.create_task_group() as callers:
            for _ in range(3):
                callers.start_soon(call)
        guard.cancel_scope.cancel()

    assert len(failures) == 3 and fetch.calls == 1
    assert all(failure is failures[0] for failure in failures)
    assert str(failures[0]) == "fetching a test value took longer than 0.05 s"
    assert fetch.completed == 0
    # The lock is not left held: the next caller flies again.
    fetch.release.set()
    assert await refresh.run() == "value-2"


async def test_an_error_is_shared_with_the_callers_queued_behind_it_then_the_next_call_retries() -> None:
    fetch = gated()
    fetch.error = ConnectError("source unreachable")
    refresh = flight(fetch)
    failures: list[ConnectError] = []

    async def call() -> None:
        try:
            await refresh.run()
        except ConnectError as exc:
            failures.append(exc)

    async with anyio.create_task_group() as tasks:
        for _ in range(10):
            tasks.start_soon(call)
        await fetch.started.wait()
        await anyio.wait_all_tasks_blocked()
        fetch.release.set()

    assert len(failures) == 10
    assert all(failure is fetch.error for failure in failures)
    assert fetch.calls == 1
    fetch.error = None
    assert await refresh.run() == "value-2"
    assert fetch.calls == 2


async def test_run_if_idle_returns_the_fallback_while_a_flight_is_in_progress() -> None:
    fetch = gated()
    refresh = flight(fetch)
    results: list[str] = []

    async def call() -> None:
        results.append(await refresh.run_if_idle(otherwise="old"))

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(call)
        await fetch.started.wait()
        assert await refresh.run_if_idle(otherwise="old") == "old"
        fetch.release.set()

    assert results == ["value-1"]
    assert fetch.calls == 1
    assert await refresh.run_if_idle(otherwise="old") == "value-2"

