"""The README's other Python snippets, as printed there.

A snippet that is a fragment sits in a function that gives it what it uses (``cloud``, ``hw``); the
snippet's own lines are unchanged.
"""
# ruff: noqa: B007, E401, F841, I001

from __future__ import annotations

import logging
import os

import httpx

import hwcloud_client as hw


async def pagers(cloud: hw.AsyncHuaweiCloud) -> None:
    # README, "Pagers"
    pager = cloud.ecs.iter_servers_details(limit=100)
    async for page in pager.pages():
        print(len(page.servers or []))
        break
    token = pager.continuation_token                      # a str: store it anywhere
    async for page in cloud.ecs.iter_servers_details(limit=100).by_page(token):
        ...
    async for vpc in cloud.paginate("vpc", "/v1/{project_id}/vpcs", items="vpcs", dialect=hw.Marker()):
        print(vpc["id"])


def blocking_facade() -> None:
    # README, "Blocking facade"
    with hw.HuaweiCloud(region="cn-north-4") as cloud:
        for server in cloud.ecs.iter_servers_details():
            print(server.name)


async def generated_services() -> None:
    # README, "Every operation of 20 services (generated)"
    import hwcloud_client as hw

    async with hw.AsyncHuaweiCloud(region="cn-north-4") as cloud:
        vpcs = await cloud.vpc.list_vpcs(limit=10)                     # cloud.vpc: the vpc_v2 client
        for vpc in vpcs.vpcs or []:
            print(vpc.id, vpc.name, vpc.status)
            async for subnet in cloud.vpc.iter_subnets(vpc_id=vpc.id):  # marker paging handled
                print("  ", subnet.id, subnet.cidr)

        # A body is our model or a plain dict in Huawei's spelling, validated into it.
        created = await cloud.vpc.create_vpc(body={"vpc": {"name": "web", "cidr": "192.168.0.0/16"}})
        volumes = await cloud.evs.list_volumes(status="available", limit=50)
        for volume in volumes.volumes or []:
            print(volume.id, volume.size, volume.status)
        job = await cloud.evs.create_volume(
            body={"volume": {"availability_zone": "cn-north-4a", "volume_type": "SSD", "size": 40}}
        )
        print(created.vpc, job.job_id)


async def signing_hook() -> None:
    # README, "Your own httpx client: the signing hook"
    import httpx, hwcloud_client as hw

    creds = hw.Credentials(ak="...", sk="...")
    async with httpx.AsyncClient(event_hooks={"request": [hw.signing_hook(creds)]}) as client:
        await client.get("https://iam.myhuaweicloud.com/v3/projects", params={"name": "cn-north-4"})


async def api_gateway(cloud: hw.AsyncHuaweiCloud) -> None:
    # README, "Calling your own APIs on API Gateway"
    response = await cloud.request(
        hw.Endpoint(url="https://203.0.113.7", host="orders.apig.example.com"), "POST", "/v1/orders",
        json={"item": "book"}, stage=hw.Stage(name="RELEASE"),
    )


async def token_auth() -> None:
    # README, "Token auth (no AK/SK)"
    auth = hw.TokenAuth.from_password(domain_name="my-account", user_name="alice",
                                      password=os.environ["HWC_PASSWORD"], region="cn-north-4")
    async with hw.AsyncHuaweiCloud(region="cn-north-4", credentials=auth) as cloud:
        ...


def configuration() -> None:
    # README, "Configuration and environment variables"
    config = hw.ClientConfig(
        timeouts=hw.Timeouts(connect=5, read=30),
        retry=hw.RetryPolicy(max_attempts=5, backoff_base=0.5, deadline=120),
        endpoints={"ecs": "https://ecs.internal.example.com"},
    )
    cloud = hw.AsyncHuaweiCloud(region="cn-north-4", config=config)


async def per_call_options(cloud: hw.AsyncHuaweiCloud) -> None:
    # README, "Retries": per-call options
    fast = cloud.with_options(timeout=5, retry=hw.RetryPolicy(max_attempts=1), headers={"X-Language": "en-us"})
    flavors = await fast.ecs.list_flavors()


def logging_setup() -> None:
    # README, "Logging"
    logging.basicConfig(level=logging.INFO)


async def emulator() -> None:
    # README, "Testing your code with the emulator"
    from hwcloud_client.testing import FakeHuaweiCloud

    fake = FakeHuaweiCloud()
    async with hw.AsyncHuaweiCloud(region="cn-north-4", credentials=fake.credentials,
                                   http_client=httpx.AsyncClient(transport=fake.transport())) as cloud:
        ...


async def event_hooks_and_tracing() -> None:
    # README, "Event hooks and tracing"
    def log_event(event: hw.CallEvent) -> None:
        print(event.phase, event.operation, event.attempt, event.status_code, event.request_id)

    async with hw.AsyncHuaweiCloud(region="cn-north-4", event_hooks={"response": [log_event]}, tracing=True) as cloud:
        ...
