"""The generated operation layer's own rules (services/_generated.py): what it refuses, what it fills in,
what it reads from a failed job, and that an alias and its version are one client."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from hwcloud_client.errors import ConfigurationError, JobFailedError
from tests.helpers import Recorder, facade

pytestmark = pytest.mark.anyio


async def test_an_invalid_body_is_a_configuration_error_naming_the_field_never_its_value() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"job_id": "j1"}))
    async with facade(recorder) as cloud:
        with pytest.raises(ConfigurationError) as caught:
            await cloud.ecs_v2.batch_reset_servers_password(body={"new_password": "Secret-Pa55", "servers": 7})
    message = str(caught.value)
    assert "batch_reset_servers_password" in message and "servers" in message and "BatchResetServersPassword" in message
    assert "Secret-Pa55" not in message and "Secret-Pa55" not in repr(caught.value)
    assert recorder.requests == [], "nothing is sent"


async def test_a_secret_header_parameter_goes_out_as_its_value() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"token": {}}))
    async with facade(recorder, account="d1") as cloud:
        await cloud.iam_v3.keystone_validate_token(x_subject_token=SecretStr("subject-token-1"))
    assert recorder.requests[0].headers["X-Subject-Token"] == "subject-token-1"


async def test_a_declared_client_token_is_filled_once_per_call_and_kept_across_retries() -> None:
    answers = iter([httpx.Response(503), httpx.Response(200, json={"job_id": "j1"}),
                    httpx.Response(200, json={"job_id": "j2"})])
    recorder = Recorder(lambda request: next(answers))
    body = {"server": {"imageRef": "i", "flavorRef": "f", "name": "n", "vpcid": "v", "nics": [{"subnet_id": "s"}],
                       "root_volume": {"volumetype": "SSD"}}}
    async with facade(recorder) as cloud:
        await cloud.ecs_v2.create_post_paid_servers(body=body)
        await cloud.ecs_v2.create_post_paid_servers(body=body)
    first, retried, second = (request.headers["X-Client-Token"] for request in recorder.requests)
    assert first == retried != second and len(first) == 36


async def test_a_failed_job_names_the_reason_of_its_failed_sub_job() -> None:
    failed = {"job_id": "j1", "status": "FAIL", "entities": {"sub_jobs": [
        {"job_id": "s0", "status": "SUCCESS"},
        {"job_id": "s1", "status": "FAIL", "fail_reason": "no capacity in az1", "error_code": "Ecs.0320"},
    ]}}
    async with facade(Recorder(lambda request: httpx.Response(200, json=failed))) as cloud:
        with pytest.raises(JobFailedError, match="Ecs.0320 no capacity in az1") as caught:
            await cloud.evs.wait_for_job("j1", timeout=5, interval=0.01)
    assert caught.value.job_id == "j1"


async def test_an_alias_and_its_version_are_one_client_per_facade_and_per_view() -> None:
    async with facade(Recorder(lambda request: httpx.Response(200, json={}))) as cloud:
        view = cloud.with_options(timeout=3)
        assert cloud.vpc is cloud.vpc_v2 and cloud.ecs is cloud.ecs_v2 and cloud.iam is cloud.iam_v3
        assert view.vpc_v2 is view.vpc and view.vpc is not cloud.vpc


async def test_a_received_secret_is_masked_in_every_dump_and_readable_on_purpose() -> None:
    answer = {"keypair": {"name": "k", "public_key": "ssh-rsa AAA", "private_key": "-----BEGIN PRIVATE-KEY-----x"}}
    recorder = Recorder(lambda request: httpx.Response(200, json=answer, headers={"X-Subject-Token": "tok-SECRET"}))
    async with facade(recorder, account="d1") as cloud:
        created = await cloud.ecs.nova_create_keypair(body={"keypair": {"name": "k"}})
        validated = await cloud.iam.keystone_validate_token(x_subject_token="tok-SECRET")
    for result, secret in ((created, "BEGIN PRIVATE"), (validated, "tok-SECRET")):
        for shown in (repr(result), str(result), result.model_dump_json(), str(result.model_dump(mode="json"))):
            assert secret not in shown
    assert created.keypair is not None and created.keypair.private_key is not None
    assert created.keypair.private_key.get_secret_value().startswith("-----BEGIN PRIVATE")
    assert validated.x_subject_token is not None and validated.x_subject_token.get_secret_value() == "tok-SECRET"
