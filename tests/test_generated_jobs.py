"""Generated clients whose service has job lookups (ECS, EVS, IMS) wait for jobs like the hand-written ECS does."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hwcloud_client import AsyncHuaweiCloud, ClientConfig, HuaweiCloud, RetryPolicy
from hwcloud_client.errors import JobFailedError, WaiterTimeoutError
from hwcloud_client.testing import FakeHuaweiCloud
from tests.helpers import CREDS, Recorder, facade

pytestmark = pytest.mark.anyio


async def test_an_evs_volume_job_is_waited_for_against_the_emulator() -> None:
    fake = FakeHuaweiCloud(job_delay=0.05)
    async with AsyncHuaweiCloud(
        region=fake.region, credentials=fake.credentials, project=fake.project_id, environ={},
        config=ClientConfig(retry=RetryPolicy(max_attempts=1)),
        http_client=httpx.AsyncClient(transport=fake.transport()),
    ) as cloud:
        created = await cloud.evs.create_volume(
            body={"volume": {"availability_zone": "cn-north-4a", "volume_type": "SSD", "size": 20, "name": "data"}}
        )
        assert created.job_id is not None
        job = await cloud.evs.wait_for_job(created.job_id, timeout=10, interval=0.02)
    assert job.status == "SUCCESS" and job.job_id == created.job_id


def job_states(*states: str) -> Iterator[httpx.Response]:
    for state in states:
        body = {"job_id": "j1", "status": state, "fail_reason": "quota", "error_code": "Ecs.0319"}
        yield httpx.Response(200, json=body)


async def test_a_failed_job_raises_with_its_reason() -> None:
    answers = job_states("RUNNING", "FAIL")
    async with facade(Recorder(lambda request: next(answers))) as cloud:
        with pytest.raises(JobFailedError, match="Ecs.0319 quota") as caught:
            await cloud.ecs_v2.wait_for_job("j1", timeout=10, interval=0.01)
    assert caught.value.job_id == "j1" and caught.value.status == "FAIL"


async def test_a_job_that_never_ends_times_out() -> None:
    running = Recorder(lambda request: httpx.Response(200, json={"job_id": "j1", "status": "RUNNING"}))
    async with facade(running) as cloud:
        with pytest.raises(WaiterTimeoutError):
            await cloud.ims.wait_for_job("j1", timeout=0.05, interval=0.01)


def test_the_blocking_twin_waits_too() -> None:
    answers = job_states("INIT", "SUCCESS")
    with HuaweiCloud(
        region="cn-north-4", credentials=CREDS, project="p1", environ={},
        http_client=Recorder(lambda request: next(answers)).client(),
    ) as cloud:
        assert cloud.evs.wait_for_job("j1", timeout=10, interval=0.01).status == "SUCCESS"
