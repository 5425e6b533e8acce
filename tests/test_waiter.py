"""The generic waiter (_waiter.wait_until) on a fake clock: arguments, pacing, deadline, outcomes."""

from __future__ import annotations

import math
from typing import Any

import pytest

from hwcloud_client import _waiter
from hwcloud_client._waiter import wait_until
from hwcloud_client.errors import ConfigurationError, WaiterTimeoutError


class FakeTime:
    """A clock that moves only when the waiter sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(_waiter.anyio, "sleep", fake.sleep)
    return fake


class Poll:
    def __init__(self, states: list[str], limit: int = 50) -> None:
        self.states = states
        self.calls = 0
        self.limit = limit

    async def __call__(self) -> str:
        self.calls += 1
        assert self.calls <= self.limit, "the waiter did not stop"
        return self.states[min(self.calls, len(self.states)) - 1]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("timeout", {"timeout": 0}),
        ("timeout", {"timeout": -1}),
        ("timeout", {"timeout": math.nan}),
        ("interval", {"interval": 0}),
        ("interval", {"interval": -0.5}),
        ("max_interval", {"max_interval": 0}),
    ],
)
async def test_a_timeout_or_interval_that_is_not_positive_is_a_configuration_error(
    name: str, kwargs: dict[str, float], fake: FakeTime
) -> None:
    poll = Poll(["RUNNING"])
    arguments: dict[str, Any] = {"timeout": 10, "interval": 1, **kwargs}
    with pytest.raises(ConfigurationError, match=rf"^{name} must be a positive number of seconds, not "):
        await wait_until(poll, success=lambda s: False, clock=fake.clock, **arguments)
    assert poll.calls == 0


@pytest.mark.anyio
async def test_the_interval_grows_by_half_up_to_max_interval(fake: FakeTime) -> None:
    poll = Poll(["RUNNING"] * 6 + ["DONE"])
    state = await wait_until(poll, success=lambda s: s == "DONE", timeout=1000, interval=2, max_interval=5,
                             clock=fake.clock)
    assert state == "DONE" and poll.calls == 7
    assert fake.sleeps == [2, 3, 4.5, 5, 5, 5]


@pytest.mark.anyio
async def test_without_max_interval_the_interval_stays(fake: FakeTime) -> None:
    poll = Poll(["RUNNING"] * 3 + ["DONE"])
    await wait_until(poll, success=lambda s: s == "DONE", timeout=1000, interval=2, clock=fake.clock)
    assert fake.sleeps == [2, 2, 2]


@pytest.mark.anyio
async def test_the_deadline_cuts_the_last_sleep_and_raises_with_the_last_state(fake: FakeTime) -> None:
    poll = Poll(["PENDING", "PENDING", "BUILDING"])
    with pytest.raises(WaiterTimeoutError) as caught:
        await wait_until(poll, success=lambda s: False, timeout=5, interval=2, description="server s-1",
                         clock=fake.clock)
    assert fake.sleeps == [2, 2, 1]
    assert poll.calls == 4  # polled at 0, 2, 4 and once more exactly at the deadline
    assert caught.value.last_state == "BUILDING"
    assert str(caught.value) == "timed out after 5s waiting for server s-1"


@pytest.mark.anyio
async def test_the_default_description(fake: FakeTime) -> None:
    with pytest.raises(WaiterTimeoutError, match=r"^timed out after 0\.5s waiting for the resource$"):
        await wait_until(Poll(["X"]), success=lambda s: False, timeout=0.5, clock=fake.clock)
    assert fake.sleeps == [0.5]


@pytest.mark.anyio
async def test_success_on_the_first_poll_never_sleeps(fake: FakeTime) -> None:
    poll = Poll(["DONE"])
    assert await wait_until(poll, success=lambda s: s == "DONE", timeout=1, clock=fake.clock) == "DONE"
    assert fake.sleeps == [] and poll.calls == 1


@pytest.mark.anyio
async def test_success_wins_over_failure_and_failure_ends_the_wait(fake: FakeTime) -> None:
    both = Poll(["DONE"])
    assert await wait_until(both, success=lambda s: True, failure=lambda s: RuntimeError(s), timeout=1,
                            clock=fake.clock) == "DONE"
    failing = Poll(["RUNNING", "FAILED"])
    error = RuntimeError("job failed")
    with pytest.raises(RuntimeError) as caught:
        await wait_until(failing, success=lambda s: False, failure=lambda s: error if s == "FAILED" else None,
                         timeout=100, interval=1, clock=fake.clock)
    assert caught.value is error
    assert failing.calls == 2 and fake.sleeps == [1]


@pytest.mark.anyio
async def test_the_default_interval_is_five_seconds(fake: FakeTime) -> None:
    with pytest.raises(WaiterTimeoutError):
        await wait_until(Poll(["RUNNING"]), success=lambda s: False, timeout=12, clock=fake.clock)
    assert fake.sleeps == [5, 5, 2]
