"""Results are typed precisely: no ``None`` checks where Huawei always sends the field after a success."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import SecretStr
from typing_extensions import assert_type

import hwcloud_client as hw
from hwcloud_client.services.ecs import (
    CreateServersResponse,
    Flavor,
    Job,
    JobResponse,
    ListServersDetailsResponse,
    ServerDetail,
    ServerSpec,
)
from hwcloud_client.services.iam import KeystoneListProjectsResponse, Project
from hwcloud_client.services.obs import ObjectSummary, PutObjectResult


async def ecs(cloud: hw.AsyncHuaweiCloud, spec: ServerSpec) -> None:
    created = await cloud.ecs.create_servers(server=spec)
    assert_type(created, CreateServersResponse)
    assert_type(created.job_id, str)
    assert_type(created.server_ids, list[str])
    job = await cloud.ecs.wait_for_job(created.job_id, timeout=600)
    assert_type(job, Job)
    assert_type(job.job_id, str)
    assert_type(job.server_ids, list[str])

    pager = cloud.ecs.iter_servers_details(status="ACTIVE")
    assert_type(pager, hw.AsyncPager[ListServersDetailsResponse, ServerDetail])
    async for server in pager:
        assert_type(server.id, str)
        assert_type(server.name, str)
        # ECS's statuses, and any status it adds later.
        status: str = server.status
        assert_type(server.created, datetime | None)
    async for page in cloud.ecs.iter_servers_details().pages():
        assert_type(page.servers, list[ServerDetail])
    assert_type(cloud.ecs.iter_servers_details().continuation_token, str | None)

    shown = await cloud.ecs.show_server(server_id="s1")
    assert_type(shown.server.name, str)
    ids = ", ".join(server.name for server in (await cloud.ecs.list_servers_details()).servers)

    for action in (
        await cloud.ecs.batch_stop_servers(server_ids=["s1"]),
        await cloud.ecs.batch_start_servers(server_ids=["s1"]),
        await cloud.ecs.delete_servers(server_ids=["s1"]),
    ):
        assert_type(action, JobResponse)
        await cloud.ecs.wait_for_job(action.job_id)
    flavors = (await cloud.ecs.list_flavors()).flavors
    assert_type(flavors, list[Flavor])
    assert_type(flavors[0].name, str)
    assert_type(await cloud.ecs.wait_for_server("s1"), ServerDetail | None)
    keypair = (await cloud.ecs.nova_create_keypair(name="k")).keypair
    assert_type(keypair.private_key, SecretStr | None)
    print(status, ids)


async def iam(cloud: hw.AsyncHuaweiCloud) -> None:
    projects = await cloud.iam.keystone_list_projects(name="cn-north-4")
    assert_type(projects, KeystoneListProjectsResponse)
    assert_type(projects.projects[0].id, str)
    async for project in cloud.iam.iter_keystone_list_projects():
        assert_type(project, Project)
        assert_type(project.name, str)
    keys = await cloud.iam.create_temporary_access_key_by_token(token="a token", duration_seconds=900)
    assert_type(keys.credential.expires_at, datetime)
    assert_type(keys.credential.to_credentials(), hw.Credentials)
    token = await cloud.iam.keystone_create_user_token_by_password(
        domain_name="acme", user_name="alice", password="a password", project_name="cn-north-4"
    )
    assert_type(token.token.expires_at, datetime)
    assert_type(token.subject_token, SecretStr)


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


def blocking(cloud: hw.HuaweiCloud, spec: ServerSpec) -> None:
    created = cloud.ecs.create_servers(server=spec)
    assert_type(created, CreateServersResponse)
    assert_type(cloud.ecs.wait_for_job(created.job_id), Job)
    pager = cloud.ecs.iter_servers_details(limit=10)
    assert_type(pager, hw.SyncPager[ListServersDetailsResponse, ServerDetail])
    for server in pager:
        assert_type(server.name, str)
    assert_type(cloud.iam.keystone_list_projects().projects, list[Project])
