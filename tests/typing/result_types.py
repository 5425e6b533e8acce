"""Results are typed precisely: no ``None`` checks where Huawei always sends the field after a success
(ids, names and statuses of returned resources, the ``job_id`` of an accepted job), ``| None`` elsewhere."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from typing_extensions import assert_type

import hwcloud_client as hw
from hwcloud_client.services.ecs_v2 import (
    BatchStartServersResponse,
    BatchStopServersResponse,
    CreateServersResponse,
    DeleteServersResponse,
    Flavor,
    ListServersDetailsResponse,
    PrePaidServer,
    ServerDetail,
    ShowJobResponse,
)
from hwcloud_client.services.iam import IAM, temporary_credentials
from hwcloud_client.services.iam_v3 import KeystoneListProjectsResponse, ProjectResult
from hwcloud_client.services.obs import ObjectSummary, PutObjectResult


async def ecs(cloud: hw.AsyncHuaweiCloud, spec: PrePaidServer) -> None:
    created = await cloud.ecs.create_servers(server=spec)
    assert_type(created, CreateServersResponse)
    # A yearly/monthly server is ordered (order_id), not created by a job: both are optional.
    assert_type(created.job_id, str | None)
    assert_type(created.server_ids, list[str] | None)
    if created.job_id:
        job = await cloud.ecs.wait_for_job(created.job_id, timeout=600)
        assert_type(job, ShowJobResponse)
        assert_type(job.job_id, str)
        assert_type(job.status, str)

    pager = cloud.ecs.iter_servers_details(status="ACTIVE")
    assert_type(pager, hw.AsyncPager[ListServersDetailsResponse, ServerDetail])
    async for server in pager:
        assert_type(server.id, str)
        assert_type(server.name, str)
        # ECS's statuses, and any status it adds later.
        status: str = server.status
        assert_type(server.created, str | None)
    async for page in cloud.ecs.iter_servers_details().pages():
        assert_type(page.servers, list[ServerDetail] | None)
    assert_type(cloud.ecs.iter_servers_details().continuation_token, str | None)

    shown = (await cloud.ecs.show_server(server_id="s1")).server
    assert_type(shown, ServerDetail | None)
    ids = ", ".join(server.name for server in (await cloud.ecs.list_servers_details()).servers or [])

    stopped = await cloud.ecs.batch_stop_servers(server_ids=["s1"])
    started = await cloud.ecs.batch_start_servers(body={"os-start": {"servers": [{"id": "s1"}]}})
    deleted = await cloud.ecs.delete_servers(server_ids=["s1"], delete_volume=True)
    assert_type(stopped, BatchStopServersResponse)
    assert_type(started, BatchStartServersResponse)
    assert_type(deleted, DeleteServersResponse)
    for action in (stopped, started, deleted):
        assert_type(action.job_id, str)
        await cloud.ecs.wait_for_job(action.job_id)
    flavors = (await cloud.ecs.list_flavors()).flavors or []
    assert_type(flavors, list[Flavor])
    assert_type(flavors[0].name, str)
    assert_type(await cloud.ecs.wait_for_server("s1"), ServerDetail | None)
    keypair = (await cloud.ecs.nova_create_keypair(body={"keypair": {"name": "k"}})).keypair
    if keypair is not None:
        assert_type(keypair.private_key, SecretStr | None)
    print(status, ids)


async def iam(cloud: hw.AsyncHuaweiCloud) -> None:
    projects = await cloud.iam.keystone_list_projects(name="cn-north-4")
    assert_type(projects, KeystoneListProjectsResponse)
    assert_type((projects.projects or [])[0].id, str)
    keys = await cloud.iam.create_temporary_access_key_by_token(token="a token", duration_seconds=900)
    assert_type(temporary_credentials(keys), hw.Credentials)
    token = await cloud.iam.keystone_create_user_token_by_password(
        domain_name="acme", user_name="alice", password="a password", project_name="cn-north-4"
    )
    assert_type(token.x_subject_token, SecretStr | None)
    assert_type(cloud.iam_v3, IAM)


async def obs(cloud: hw.AsyncHuaweiCloud) -> None:
    put = await cloud.obs.put_object("bucket", "key", b"hello")
    assert_type(put, PutObjectResult)
    async for item in cloud.obs.iter_objects("bucket", prefix="logs/"):
        assert_type(item, ObjectSummary)
        assert_type(item.key, str)
    assert_type(await cloud.obs.create_signed_url("GET", "bucket", "key"), str)


async def raw(cloud: hw.AsyncHuaweiCloud) -> None:
    response = await cloud.request("vpc", "GET", "/v1/{project_id}/vpcs")
    assert_type(response, hw.Response)
    assert_type(response.status_code, int)
    assert_type(cloud.paginate("vpc", "/v1/{project_id}/vpcs", items="vpcs", dialect=hw.Marker()),
                hw.AsyncPager[dict[str, Any], Any])


def blocking(cloud: hw.HuaweiCloud, spec: PrePaidServer) -> None:
    created = cloud.ecs.create_servers(server=spec)
    assert_type(created, CreateServersResponse)
    assert_type(cloud.ecs.wait_for_job(created.job_id or ""), ShowJobResponse)
    assert_type(cloud.ecs.batch_stop_servers(server_ids=["s1"], stop_type="HARD"), BatchStopServersResponse)
    pager = cloud.ecs.iter_servers_details(limit=10)
    assert_type(pager, hw.SyncPager[ListServersDetailsResponse, ServerDetail])
    for server in pager:
        assert_type(server.name, str)
    assert_type(cloud.iam.keystone_list_projects().projects, list[ProjectResult] | None)
