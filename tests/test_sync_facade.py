"""The blocking facade: plain scripts, inside a running event loop (Jupyter), iterators, Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

from hwcloud_client import HuaweiCloud
from hwcloud_client.errors import ConfigurationError, NotFoundError
from hwcloud_client.sync import PortalRunner, SyncService, blocking, blocking_iter
from tests.helpers import CREDS, Recorder, assert_validly_signed


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/missing"):
        return httpx.Response(404, json={"error": {"code": "Ecs.0114", "message": "gone"}})
    return httpx.Response(200, json={"path": request.url.path}, headers={"X-Request-Id": "sync-1"})


def make_cloud(recorder: Recorder) -> HuaweiCloud:
    return HuaweiCloud(region="cn-north-4", credentials=CREDS, project="p1", http_client=recorder.client(), environ={})


def test_blocking_calls_from_a_plain_script() -> None:
    recorder = Recorder(answer)
    with make_cloud(recorder) as cloud:
        response = cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/detail", params={"limit": 1})
        assert response.json() == {"path": "/v1/p1/cloudservers/detail"}
        assert response.request_id == "sync-1"
        assert cloud.project_id() == "p1"
        with pytest.raises(NotFoundError, match="Ecs.0114"):
            cloud.request("ecs", "GET", "/v1/{project_id}/missing")
    assert_validly_signed(recorder.requests[0])


def test_blocking_calls_from_inside_a_running_event_loop() -> None:
    """What a Jupyter cell does: call the blocking facade while the thread runs an asyncio loop."""
    recorder = Recorder(answer)

    async def notebook_cell() -> object:
        assert asyncio.get_running_loop().is_running()
        with make_cloud(recorder) as cloud:
            return cloud.request("ecs", "GET", "/v1/{project_id}/x").json()

    assert asyncio.run(notebook_cell()) == {"path": "/v1/p1/x"}


def portal_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread is not threading.current_thread()]


def test_the_portal_starts_on_the_first_call_and_stops_on_close() -> None:
    before = portal_threads()
    recorder = Recorder(answer)
    cloud = make_cloud(recorder)
    assert portal_threads() == before, "building a facade starts no thread"
    assert cloud.project_id() == "p1"
    assert len(portal_threads()) == len(before) + 1
    cloud.close()
    assert portal_threads() == before
    with pytest.raises(ConfigurationError, match="closed; create a new one"):
        cloud.project_id()


def test_closing_a_facade_never_called_starts_nothing_and_closes_it() -> None:
    before = portal_threads()
    cloud = make_cloud(Recorder(answer))
    cloud.close()
    assert portal_threads() == before
    with pytest.raises(ConfigurationError, match="closed"):
        cloud.request("ecs", "GET", "/v1/{project_id}/x")


class OrderedPortal:
    """The real portal, with the order of the first call's task and close()'s last call fixed by the test."""

    def __init__(self, portal: Any, order: str) -> None:
        self._portal = portal
        self.order = order
        self.first_call_done = threading.Event()
        self.closed = threading.Event()  # set by the test once close() has returned

    def start_task_soon(self, function: Any, *args: Any) -> Any:
        if self.order == "close first":
            assert self.closed.wait(10)
        future = self._portal.start_task_soon(function, *args)
        future.add_done_callback(lambda _: self.first_call_done.set())
        return future

    def call(self, function: Any, *args: Any) -> Any:
        if self.order == "call first":
            assert self.first_call_done.wait(10)
        return self._portal.call(function, *args)


@pytest.mark.parametrize("order", ["call first", "close first"])
def test_close_during_a_first_call_still_closes_what_that_call_opened(
    monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    import contextlib

    import anyio.from_thread

    start_blocking_portal = anyio.from_thread.start_blocking_portal
    portals: list[OrderedPortal] = []

    @contextlib.contextmanager
    def slow_start(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.2)  # the first call is still starting the portal when close() comes
        with start_blocking_portal(*args, **kwargs) as portal:
            portals.append(OrderedPortal(portal, order))
            yield portals[-1]

    monkeypatch.setattr(anyio.from_thread, "start_blocking_portal", slow_start)
    before = portal_threads()
    cloud = make_cloud(Recorder(answer))
    outcomes: list[object] = []

    def first_call() -> None:
        try:
            outcomes.append(cloud.project_id())
        except ConfigurationError as error:
            outcomes.append(error)

    caller = threading.Thread(target=first_call)
    caller.start()
    time.sleep(0.05)
    cloud.close()
    (portal,) = portals
    portal.closed.set()
    caller.join(10)
    assert not caller.is_alive()
    assert cloud._async._closed, "the async client was closed in the portal the first call started"
    (outcome,) = outcomes
    if order == "call first":
        # close() waited for the portal the first call was starting, then ran its last call after that call
        assert outcome == "p1"
    else:
        assert isinstance(outcome, ConfigurationError)
        assert str(outcome) == "this client is closed; create a new one"
    assert portal_threads() == before


def test_a_script_that_never_closes_its_facade_still_exits() -> None:
    script = textwrap.dedent("""
        import hwcloud_client as hw
        cloud = hw.HuaweiCloud(region="cn-north-4", credentials=hw.Credentials(ak="AK0123456789", sk="sk"),
                               project="p1", environ={})
        print(cloud.project_id())
    """)
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "p1"


def test_threads_making_their_first_calls_at_once_share_one_portal() -> None:
    before = portal_threads()
    runner = PortalRunner()
    sync = SyncCounter(runner, Counter())
    barrier = threading.Barrier(8)
    results: list[str] = []

    def first_call() -> None:
        barrier.wait()
        results.append(sync.slow(seconds=0.01))

    callers = [threading.Thread(target=first_call) for _ in range(8)]
    try:
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join(10)
        assert results == ["finished"] * 8
        assert len(portal_threads()) == len(before) + 1, "one portal thread for all eight callers"
    finally:
        runner.close()


class Counter:
    """An async client with an iterator, to check blocking_iter."""

    def __init__(self) -> None:
        self.closed = False

    async def count(self, *, up_to: int) -> AsyncIterator[int]:
        try:
            for number in range(up_to):
                await anyio.lowlevel.checkpoint()
                yield number
        finally:
            self.closed = True

    async def slow(self, *, seconds: float) -> str:
        await anyio.sleep(seconds)
        return "finished"


class SyncCounter(SyncService[Counter]):
    count = blocking_iter(Counter.count)
    slow = blocking(Counter.slow)


def test_async_iterators_become_plain_iterators_and_are_closed_early() -> None:
    runner = PortalRunner()
    try:
        counter = Counter()
        sync = SyncCounter(runner, counter)
        assert list(sync.count(up_to=4)) == [0, 1, 2, 3]
        counter.closed = False
        iterator = sync.count(up_to=100)
        assert next(iterator) == 0
        iterator.close()  # type: ignore[attr-defined]
        assert counter.closed, "breaking out of the loop closes the async generator in the portal"
    finally:
        runner.close()


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals go to main")
def test_ctrl_c_cancels_the_pending_call() -> None:
    runner = PortalRunner()
    cancelled = threading.Event()

    class Watched(Counter):
        async def slow(self, *, seconds: float) -> str:
            try:
                return await super().slow(seconds=seconds)
            except anyio.get_cancelled_exc_class():
                cancelled.set()
                raise

    sync = SyncCounter(runner, Watched())
    main = threading.main_thread().ident
    assert main is not None
    timer = threading.Timer(0.2, signal.pthread_kill, args=(main, signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sync.slow(seconds=30)
        assert cancelled.wait(5), "the coroutine in the portal was cancelled"
    finally:
        timer.cancel()
        runner.close()


def test_pager_twins_show_the_arguments_and_a_blocking_pager() -> None:
    import inspect

    from hwcloud_client.services.ecs import SyncECS

    signature = inspect.signature(SyncECS.iter_servers_details)
    assert signature.return_annotation == "SyncPager"
    assert "limit" in signature.parameters and "status" in signature.parameters
