"""The quickstart tour: IAM, VPC, ECS and OBS through the async facade, against the bundled emulator.

    make demo                                   # emulator served on 127.0.0.1, nothing to set up
    .venv/bin/python examples/quickstart.py --in-process
    .venv/bin/python examples/quickstart.py --real   # your account: credentials and region from the
                                                     # environment, plus the HWC_DEMO_* ids below

Against the emulator the tour creates a VPC and a subnet with the generated VPC client and boots two
servers into them. Against the real cloud it creates two pay-per-use servers (and deletes them at the end)
only when HWC_DEMO_IMAGE_ID, HWC_DEMO_FLAVOR_ID, HWC_DEMO_VPC_ID and HWC_DEMO_SUBNET_ID are set; its OBS
steps use a bucket named by HWC_DEMO_BUCKET (created and removed). Exit code 0 only if every step succeeded.
The request id of every call is collected through the SDK's event hooks.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import anyio
import httpx

import hwcloud_client as hw
from hwcloud_client.services.ecs_v2 import PrePaidServer, PrePaidServerNic, PrePaidServerRootVolume, ServerDetail

MIB = 1024 * 1024
PlainClient = Callable[[], httpx.AsyncClient]


class RequestIds:
    """An event hook that collects the request id of every answered attempt."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, event: hw.CallEvent) -> None:
        if event.request_id:
            self.seen.append(event.request_id)

    def take(self) -> str:
        ids, self.seen = self.seen, []
        shown = ", ".join(ids[:3]) + (f" (+{len(ids) - 3} more)" if len(ids) > 3 else "")
        return f"request ids: {shown}" if ids else ""


class Tour:
    def __init__(self, ids: RequestIds) -> None:
        self.ids = ids
        self.failed = False
        self.number = 0

    @asynccontextmanager
    async def step(self, title: str) -> AsyncIterator[list[str]]:
        """Run one step; whatever it appends to the yielded list is printed as its result."""
        self.number += 1
        notes: list[str] = []
        started = time.perf_counter()
        try:
            yield notes
        except hw.errors.HuaweiCloudError as error:
            self.failed = True
            print(f"{self.number:>2}. FAILED  {title}: {error}")
            raise
        elapsed = (time.perf_counter() - started) * 1000
        print(f"{self.number:>2}. ok      {title} ({elapsed:.0f} ms) — {'; '.join(notes)}")
        if request_ids := self.ids.take():
            print(f"            {request_ids}")


@contextmanager
def emulator(*, in_process: bool, ids: RequestIds) -> Iterator[tuple[hw.AsyncHuaweiCloud, PlainClient, str]]:
    """The facade, a factory of plain httpx clients that reach the same place, and where that is."""
    from hwcloud_client.testing import FakeHuaweiCloud

    fake = FakeHuaweiCloud(job_delay=0.3)
    if in_process:
        cloud = hw.AsyncHuaweiCloud(
            region=fake.region, credentials=fake.credentials, environ={},
            http_client=httpx.AsyncClient(transport=fake.transport()), event_hooks={"response": [ids]},
        )
        yield cloud, lambda: httpx.AsyncClient(transport=fake.transport()), "the emulator, in-process"
        return
    with fake.serve() as url:
        # One base URL serves every emulated service, routed by path.
        config = hw.ClientConfig(endpoints={"iam": url, "ecs": url, "obs": url, "vpc": url})
        cloud = hw.AsyncHuaweiCloud(
            region=fake.region, credentials=fake.credentials, config=config, environ={},
            event_hooks={"response": [ids]},
        )
        yield cloud, httpx.AsyncClient, url


async def tour(cloud: hw.AsyncHuaweiCloud, plain: PlainClient, *, where: str, real: bool, ids: RequestIds) -> bool:
    steps = Tour(ids)
    print(f"hwcloud-client {hw.__version__} quickstart against {where} (region {cloud.region})\n")
    async with cloud:
        try:
            await ecs_tour(cloud, steps, real=real)
            await obs_tour(cloud, plain, steps, real=real)
        except hw.errors.HuaweiCloudError:
            return False
    return not steps.failed


async def ecs_tour(cloud: hw.AsyncHuaweiCloud, steps: Tour, *, real: bool) -> None:
    async with steps.step("discover the project id through IAM") as notes:
        project_id = await cloud.project_id()
        notes.append(f"project {project_id} for region {cloud.region}")

    async with steps.step("list flavors") as notes:
        flavors = (await cloud.ecs.list_flavors()).flavors or []
        notes.append(f"{len(flavors)} flavors, e.g. {', '.join(f.name for f in flavors[:3])}")

    network = None if real else await demo_network(cloud, steps)
    spec = demo_server_spec(flavors[0].id if flavors else "s6.small.1", network)
    if spec is None:
        print("    (skipping server creation: set HWC_DEMO_IMAGE_ID/FLAVOR_ID/VPC_ID/SUBNET_ID to run it)")
        return

    async with steps.step("create two servers and wait for the job") as notes:
        created = await cloud.ecs.create_servers(server=spec)
        server_ids = created.server_ids or []
        if created.job_id:  # pay-per-use servers come with a job; a yearly one is an order (order_id)
            job = await cloud.ecs.wait_for_job(
                created.job_id, timeout=900 if real else 30, interval=10 if real else 0.1
            )
            notes.append(f"job {job.job_id} {job.status}")
        notes.append(f"servers {', '.join(server_ids)}")

    async with steps.step("page through servers, one per page") as notes:
        servers = [server async for server in cloud.ecs.iter_servers_details(limit=1)]
        shown = ", ".join(f"{server.name} {addresses(server)}" for server in servers)
        notes.append(f"{len(servers)} servers: {shown}")

    async with steps.step("stop one server and wait") as notes:
        stopped = await cloud.ecs.batch_stop_servers(server_ids=server_ids[:1], stop_type="SOFT")
        await cloud.ecs.wait_for_job(stopped.job_id, timeout=600 if real else 30, interval=5 if real else 0.1)
        server = await cloud.ecs.wait_for_server(
            server_ids[0], status="SHUTOFF", timeout=600 if real else 30, interval=5 if real else 0.1
        )
        notes.append(f"{server_ids[0]} is {server.status if server else '?'}")

    async with steps.step("delete the servers") as notes:
        deleted = await cloud.ecs.delete_servers(server_ids=server_ids, delete_publicip=True, delete_volume=True)
        await cloud.ecs.wait_for_job(deleted.job_id, timeout=600 if real else 30, interval=5 if real else 0.1)
        notes.append(f"job {deleted.job_id} done")

    if network is not None:
        vpc_id, subnet_id = network
        async with steps.step("delete the subnet and the VPC (generated VPC client)") as notes:
            await cloud.vpc.delete_subnet(vpc_id=vpc_id, subnet_id=subnet_id)
            await cloud.vpc.delete_vpc(vpc_id=vpc_id)
            notes.append(f"deleted {subnet_id} and {vpc_id}")


def addresses(server: ServerDetail) -> str:
    """``(192.168.1.23)``: the server's fixed addresses, keyed in ECS's answer by the VPC they belong to."""
    found = [address.addr or "" for entries in (server.addresses or {}).values() for address in entries]
    return f"({', '.join(found)})" if found else "(no address yet)"


async def demo_network(cloud: hw.AsyncHuaweiCloud, steps: Tour) -> tuple[str, str]:
    """A VPC and a subnet for the tour's servers, through the generated VPC client: (vpc id, subnet id)."""
    async with steps.step("create a VPC and a subnet (generated VPC client)") as notes:
        vpc = (await cloud.vpc.create_vpc(body={"vpc": {"name": "tour", "cidr": "192.168.0.0/16"}})).vpc
        if vpc is None:
            raise hw.errors.MalformedResponseError("CreateVpc", reason="no vpc in the answer")
        subnet_body = {
            "subnet": {"name": "tour", "cidr": "192.168.1.0/24", "gateway_ip": "192.168.1.1", "vpc_id": vpc.id}
        }
        subnet = (await cloud.vpc.create_subnet(body=subnet_body)).subnet
        if subnet is None:
            raise hw.errors.MalformedResponseError("CreateSubnet", reason="no subnet in the answer")
        notes.append(f"VPC {vpc.id} ({vpc.cidr}), subnet {subnet.id} ({subnet.cidr})")
    return vpc.id, subnet.id


def demo_server_spec(flavor_id: str, network: tuple[str, str] | None) -> PrePaidServer | None:
    if network is not None:
        vpc_id, subnet_id = network
        return PrePaidServer(
            image_ref="img-demo-ubuntu", flavor_ref=flavor_id, name="tour", vpcid=vpc_id, count=2,
            nics=[PrePaidServerNic(subnet_id=subnet_id)], root_volume=PrePaidServerRootVolume(volumetype="SSD"),
        )
    names = ("HWC_DEMO_IMAGE_ID", "HWC_DEMO_FLAVOR_ID", "HWC_DEMO_VPC_ID", "HWC_DEMO_SUBNET_ID")
    if not all(os.environ.get(name) for name in names):
        return None
    return PrePaidServer(
        image_ref=os.environ["HWC_DEMO_IMAGE_ID"], flavor_ref=os.environ["HWC_DEMO_FLAVOR_ID"],
        name="hwcloud-client-tour", vpcid=os.environ["HWC_DEMO_VPC_ID"], count=2,
        nics=[PrePaidServerNic(subnet_id=os.environ["HWC_DEMO_SUBNET_ID"])],
        root_volume=PrePaidServerRootVolume(volumetype="SSD"),
    )


async def obs_tour(cloud: hw.AsyncHuaweiCloud, plain: PlainClient, steps: Tour, *, real: bool) -> None:
    bucket = os.environ.get("HWC_DEMO_BUCKET", "") if real else "tour-bucket"
    if not bucket:
        print("    (skipping OBS: set HWC_DEMO_BUCKET to a new bucket name to run it)")
        return
    async with steps.step(f"create bucket {bucket}") as notes:
        await cloud.obs.create_bucket(bucket, location=cloud.region)
        notes.append(f"location {await cloud.obs.get_bucket_location(bucket)}")

    async with steps.step("write and read an object") as notes:
        await cloud.obs.put_object(bucket, "hello/world.txt", b"hello from hwcloud-client\n",
                                   content_type="text/plain", metadata={"tour": "yes"})
        async with await cloud.obs.get_object(bucket, "hello/world.txt") as body:
            text = (await body.read()).decode()
        notes.append(f"read back {text.strip()!r}")

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "generated.bin"
        write_generated_file(source, size=12 * MIB)
        progress: list[tuple[int, int]] = []

        async with steps.step("multipart upload of a generated 12 MiB file") as notes:
            await cloud.obs.upload_file(source, bucket, "big/generated.bin", part_size=5 * MIB, concurrency=3,
                                        progress=lambda done, total: progress.append((done, total)))
            info = await cloud.obs.head_object(bucket, "big/generated.bin")
            notes.append(f"{len(progress)} progress callbacks, {info.content_length} bytes stored")

        async with steps.step("parallel ranged download, checksum compared") as notes:
            copy = Path(folder) / "downloaded.bin"
            await cloud.obs.download_file(bucket, "big/generated.bin", copy, part_size=4 * MIB, concurrency=3)
            same = sha256(copy) == sha256(source)
            notes.append("sha256 matches" if same else "sha256 DIFFERS")
            if not same:
                raise hw.errors.HuaweiCloudError("the downloaded file differs from the uploaded one")

    async with steps.step("pre-signed URL fetched with plain httpx") as notes:
        url = await cloud.obs.create_signed_url("GET", bucket, "hello/world.txt", expires_in=300)
        async with plain() as client:
            fetched = await client.get(url)
        notes.append(f"HTTP {fetched.status_code}, {fetched.content!r}, "
                     f"x-obs-request-id {fetched.headers.get('x-obs-request-id')}")
        if fetched.status_code != 200:
            raise hw.errors.HuaweiCloudError(f"the pre-signed URL answered {fetched.status_code}")

    async with steps.step("list, then clean up") as notes:
        keys = [item.key async for item in cloud.obs.iter_objects(bucket)]
        await cloud.obs.delete_objects(bucket, keys)
        await cloud.obs.delete_bucket(bucket)
        notes.append(f"deleted {len(keys)} objects and the bucket")


def write_generated_file(path: Path, *, size: int) -> None:
    block = hashlib.sha256(b"hwcloud-client").digest() * (MIB // 32)
    with path.open("wb") as file:
        for offset in range(0, size, MIB):
            file.write(block[: min(MIB, size - offset)])


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", action="store_true", help="run against Huawei Cloud with env credentials")
    parser.add_argument("--in-process", action="store_true", help="use the emulator in-process, not served")
    args = parser.parse_args()

    ids = RequestIds()
    if args.real:
        cloud = hw.AsyncHuaweiCloud(config=hw.ClientConfig.from_env(), event_hooks={"response": [ids]})
        succeeded = anyio.run(lambda: tour(cloud, httpx.AsyncClient, where="Huawei Cloud", real=True, ids=ids))
    else:
        with emulator(in_process=args.in_process, ids=ids) as (cloud, plain, where):
            succeeded = anyio.run(lambda: tour(cloud, plain, where=where, real=False, ids=ids))
    print("\nEvery step succeeded." if succeeded else "\nThe tour stopped at a failed step.")
    return 0 if succeeded else 1


if __name__ == "__main__":
    sys.exit(main())
