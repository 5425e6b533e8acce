"""README, "A short async tour", as printed there."""
# ruff: noqa: F841, I001


import anyio
import hwcloud_client as hw
from hwcloud_client.services.ecs_v2 import PrePaidServer, PrePaidServerNic, PrePaidServerRootVolume

async def main() -> None:
    # Credentials come from the provider chain: explicit → HUAWEICLOUD_SDK_AK/SK env → ~/.huaweicloud/credentials
    # → ECS metadata. The project id is discovered once through IAM when you don't pass project=.
    async with hw.AsyncHuaweiCloud(region="cn-north-4") as cloud:
        flavors = (await cloud.ecs.list_flavors()).flavors or []           # lists Huawei may omit are optional
        async for server in cloud.ecs.iter_servers_details(limit=50):      # every page, page numbers handled
            print(server.id, server.name, server.status)

        spec = PrePaidServer(image_ref="<image id>", flavor_ref=flavors[0].id, name="web", vpcid="<vpc id>",
                             nics=[PrePaidServerNic(subnet_id="<subnet id>")],
                             root_volume=PrePaidServerRootVolume(volumetype="SSD"))
        created = await cloud.ecs.create_servers(server=spec)                # sends an X-Client-Token
        if created.job_id:                                                   # a yearly server has an order_id
            await cloud.ecs.wait_for_job(created.job_id, timeout=600)      # raises JobFailedError on FAIL
        print("servers:", created.server_ids)
        await cloud.ecs.batch_stop_servers(server_ids=created.server_ids or [])   # or body={"os-stop": ...}

        await cloud.obs.put_object("my-bucket", "logs/a.txt", b"hello")
        url = await cloud.obs.create_signed_url("GET", "my-bucket", "logs/a.txt", expires_in=300)

        # Any other API: endpoint, {project_id}, signing, retries and error mapping included.
        raw = await cloud.request("vpc", "GET", "/v1/{project_id}/vpcs", params={"limit": 10})
        print(raw.status_code, raw.request_id, raw.json())

anyio.run(main)
