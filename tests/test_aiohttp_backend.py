"""The optional aiohttp backend sends what was signed: the emulator, served on 127.0.0.1, verifies it."""

from __future__ import annotations

import pytest

import hwcloud_client as hw
from hwcloud_client.errors import ConfigurationError, NotFoundError
from hwcloud_client.testing import FakeHuaweiCloud

pytest.importorskip("httpx_aiohttp")


def aiohttp_cloud(fake: FakeHuaweiCloud, url: str) -> hw.AsyncHuaweiCloud:
    config = hw.ClientConfig(http_backend="aiohttp", endpoints={"iam": url, "ecs": url, "obs": url})
    return hw.AsyncHuaweiCloud(region=fake.region, credentials=fake.credentials, config=config, environ={})


@pytest.mark.anyio
async def test_signed_calls_with_awkward_queries_and_paths_verify(served: tuple[FakeHuaweiCloud, str]) -> None:
    fake, url = served
    async with aiohttp_cloud(fake, url) as cloud:
        assert type(cloud.http).__name__ == "HttpxAiohttpClient"
        assert await cloud.project_id() == fake.project_id
        spec = {"imageRef": "img", "flavorRef": "s6.small.1", "name": "web", "vpcid": "vpc", "count": 2,
                "nics": [{"subnet_id": "subnet"}], "root_volume": {"volumetype": "SSD"}}
        created = await cloud.ecs.create_servers(server=spec)
        assert created.job_id is not None
        await cloud.ecs.wait_for_job(created.job_id, timeout=10, interval=0.02)
        page = await cloud.ecs.list_servers_details(name="web", tags="k=v /*", limit=5)
        assert page.count == 0, "no server has that tag; the point is the signed query"
        with pytest.raises(NotFoundError, match="Ecs.0114"):  # reached ECS: the signature held
            await cloud.ecs.show_server(server_id="no/such server*")
        await cloud.obs.create_bucket("aio-bucket")
        key = "dir/a b+c~*(1)/名字.txt"
        await cloud.obs.put_object("aio-bucket", key, b"payload")
        async with await cloud.obs.get_object("aio-bucket", key) as body:
            assert await body.read() == b"payload"
        listed = [item.key async for item in cloud.obs.iter_objects("aio-bucket", prefix="dir/a b")]
        assert listed == [key]
    assert all(call.status < 500 for call in fake.calls)
    assert not any(call.status == 401 or call.status == 403 for call in fake.calls)


def test_a_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)
    cloud = hw.AsyncHuaweiCloud(region="cn-north-4", credentials=hw.Credentials(ak="AK", sk="SK"),
                                config=hw.ClientConfig(http_backend="aiohttp"), environ={})
    with pytest.raises(ConfigurationError, match=r"hwcloud-client\[fast\]"):
        _ = cloud.http
