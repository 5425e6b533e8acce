"""_retry on its own: the client's retry budget, one call's retry decisions, its deadline (on a fake clock)."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest

from hwcloud_client import RetryPolicy, _retry
from hwcloud_client._retry import CallRetries, RetryBudget, retry_after_seconds
from hwcloud_client.errors import APIError, api_error_from_response

NO_WAIT = RetryPolicy(max_attempts=10, backoff_base=0.0, backoff_cap=0.0, deadline=None)
BUDGET_ERROR = "a retry budget needs capacity >= 0, costs >= 1 and a refund >= 0"


def error(status: int, **headers: str) -> APIError:
    return api_error_from_response(status_code=status, headers=headers, body=b"")


class FakeMonotonic:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeMonotonic:
    fake = FakeMonotonic()
    monkeypatch.setattr(_retry.time, "monotonic", fake)
    return fake


# --- the budget ---------------------------------------------------------------------------------------------


def test_the_default_budget_pays_100_retries_or_50_after_timeouts() -> None:
    budget = RetryBudget()
    assert (budget.capacity, budget.retry_cost, budget.timeout_cost, budget.success_refund) == (500, 5, 10, 1)
    assert [budget.withdraw(after_timeout=False) for _ in range(100)] == [5] * 100
    assert budget.withdraw(after_timeout=False) == 0 and budget.available == 0
    timeouts = RetryBudget()
    assert [timeouts.withdraw(after_timeout=True) for _ in range(50)] == [10] * 50
    assert timeouts.withdraw(after_timeout=True) == 0


@pytest.mark.parametrize(
    "kwargs",
    [{"capacity": 0}, {"retry_cost": 1}, {"timeout_cost": 1}, {"success_refund": 0},
     {"capacity": 0, "retry_cost": 1, "timeout_cost": 1, "success_refund": 0}],
)
def test_the_smallest_valid_budget_settings(kwargs: dict[str, int]) -> None:
    budget = RetryBudget(**kwargs)
    for name, value in kwargs.items():
        assert getattr(budget, name) == value


@pytest.mark.parametrize(
    "kwargs", [{"capacity": -1}, {"retry_cost": 0}, {"timeout_cost": 0}, {"success_refund": -1}]
)
def test_an_impossible_budget_is_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError) as caught:
        RetryBudget(**kwargs)
    assert str(caught.value) == BUDGET_ERROR


def test_an_empty_budget_never_pays() -> None:
    budget = RetryBudget(0)
    assert budget.withdraw(after_timeout=False) == 0
    retries = CallRetries(NO_WAIT, budget)
    assert retries.after_error(error(503), idempotent=True, replayable=True) is None
    assert retries.attempt == 1


# --- one call's retries and the budget -----------------------------------------------------------------------


def test_a_timeout_costs_more_than_another_retry() -> None:
    budget = RetryBudget(100, retry_cost=5, timeout_cost=10)
    retries = CallRetries(NO_WAIT, budget)
    request = httpx.Request("GET", "https://h.example.com/")
    assert retries.after_exception(httpx.ReadTimeout("slow", request=request), idempotent=True,
                                   replayable=True) == 0.0
    assert budget.available == 90
    assert retries.after_exception(httpx.ConnectError("refused", request=request), idempotent=True,
                                   replayable=True) == 0.0
    assert budget.available == 85
    assert retries.after_error(error(503), idempotent=True, replayable=True) == 0.0
    assert budget.available == 80 and retries.attempt == 4


def test_a_call_gives_back_everything_its_retries_took() -> None:
    budget = RetryBudget(100, retry_cost=5, success_refund=3)
    retries = CallRetries(NO_WAIT, budget)
    for _ in range(3):
        assert retries.after_error(error(503), idempotent=True, replayable=True) == 0.0
    assert budget.available == 85
    retries.succeeded()
    assert budget.available == 100


def test_a_call_without_retries_earns_the_refund() -> None:
    budget = RetryBudget(100, retry_cost=5, success_refund=3)
    CallRetries(NO_WAIT, budget).after_error(error(503), idempotent=True, replayable=True)  # another call's retry
    assert budget.available == 95
    CallRetries(NO_WAIT, budget).succeeded()
    assert budget.available == 98


# --- the call's deadline ---------------------------------------------------------------------------------------


def test_remaining_counts_down_to_the_deadline(clock: FakeMonotonic) -> None:
    assert CallRetries(NO_WAIT, RetryBudget()).remaining() is None
    retries = CallRetries(RetryPolicy(deadline=30), RetryBudget())
    assert retries.deadline == 1030.0
    clock.now += 12.5
    assert retries.remaining() == 17.5


@pytest.mark.parametrize(("retry_after", "retried"), [("9.5", True), ("10", False), ("11", False)])
def test_no_retry_that_would_wake_at_or_after_the_deadline(
    clock: FakeMonotonic, retry_after: str, retried: bool
) -> None:
    policy = RetryPolicy(max_attempts=5, backoff_base=0.0, backoff_cap=0.0, deadline=20)
    budget = RetryBudget()
    retries = CallRetries(policy, budget)
    clock.now += 10
    delay = retries.after_error(error(503, **{"retry-after": retry_after}), idempotent=True, replayable=True)
    assert delay == (float(retry_after) if retried else None)
    assert budget.available == (495 if retried else 500), "a retry that is not made costs nothing"


# --- Retry-After --------------------------------------------------------------------------------------------------


def test_an_http_date_is_measured_from_the_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    now = 1_773_133_200.0
    monkeypatch.setattr(_retry.time, "time", lambda: now)
    assert retry_after_seconds({"retry-after": formatdate(now + 42, usegmt=True)}) == 42.0
