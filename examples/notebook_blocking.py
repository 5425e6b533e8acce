"""The blocking facade, as you would use it in a script or a Jupyter notebook cell.

``HuaweiCloud`` runs the async client on its own background event loop, so it works in a notebook
(where an event loop is already running) without ``nest_asyncio``. Here it talks to the bundled
emulator in-process; against your account, drop ``credentials=`` and ``http_client=``.

    .venv/bin/python examples/notebook_blocking.py
"""

from __future__ import annotations

import asyncio

import httpx

import hwcloud_client as hw
from hwcloud_client.testing import FakeHuaweiCloud


def notebook_cell(fake: FakeHuaweiCloud) -> None:
    with hw.HuaweiCloud(
        region=fake.region, credentials=fake.credentials, http_client=httpx.AsyncClient(transport=fake.transport())
    ) as cloud:
        print("project:", cloud.project_id())
        # The body as Huawei's API reference spells it (a dict), or the typed models of services.ecs_v2.
        spec = {
            "imageRef": "img-demo", "flavorRef": "s6.small.1", "name": "nb", "vpcid": "vpc-demo", "count": 3,
            "nics": [{"subnet_id": "subnet-demo"}], "root_volume": {"volumetype": "SSD"},
        }
        created = cloud.ecs.create_servers(body={"server": spec})
        job = cloud.ecs.wait_for_job(created.job_id or "", timeout=30, interval=0.05)
        print(f"job {job.job_id}: {job.status}")
        for server in cloud.ecs.iter_servers_details(limit=2):  # a plain iterator over every page
            print(f"  {server.name:<10} {server.status:<8} {server.id}")
        try:
            cloud.ecs.show_server(server_id="no-such-server")
        except hw.errors.NotFoundError as error:
            print("as expected:", error)


async def inside_a_running_loop(fake: FakeHuaweiCloud) -> None:
    """What Jupyter does: the cell's code runs while an event loop is running in this thread."""
    notebook_cell(fake)


if __name__ == "__main__":
    asyncio.run(inside_a_running_loop(FakeHuaweiCloud(job_delay=0.1)))
