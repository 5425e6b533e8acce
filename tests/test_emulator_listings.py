"""Listings as Huawei documents them: OBS ListBuckets (each bucket's Location) and IAM KeystoneListProjects.

ListBuckets (support.huaweicloud.com/intl/en-us/api-obs/obs_04_0020.html): ``<ListAllMyBucketsResult>`` with
``<Owner><ID>`` and, per bucket, ``<Name>``, ``<CreationDate>`` and ``<Location>`` (the region); esdk's
``listBuckets(isQueryLocation=True)`` (its default) asks for it with ``x-obs-location: true`` (``x-amz-location`` in
the S3-compatible dialect) and its ``parseListBuckets`` reads ``Location`` and ``BucketType``, and, in that dialect,
the owner's ``DisplayName``.

KeystoneListProjects (support.huaweicloud.com/intl/en-us/api-iam/iam_06_0001.html): each project has ``is_domain``
(false for a region's project), ``description``, ``links.self``, ``enabled``, ``id``, ``parent_id`` (the account's
domain id), ``domain_id`` and ``name`` (the ProjectResult model of huaweicloudsdkiam); the query filters by
``domain_id``, ``name``, ``parent_id``, ``enabled`` and ``is_domain`` and pages by ``page``/``per_page``.
"""

from __future__ import annotations

import pytest

from hwcloud_client import AsyncHuaweiCloud
from hwcloud_client.errors import APIError
from hwcloud_client.testing import FakeHuaweiCloud

from .test_emulator_fidelity import obs_client
from .test_emulator_official_sdk import iam_client


@pytest.mark.parametrize("signature", ["obs", "v2"])
def test_list_buckets_carries_each_buckets_location(
    served: tuple[FakeHuaweiCloud, str], signature: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, base_url = served
    client = obs_client(fake, base_url, signature=signature, monkeypatch=monkeypatch if signature == "obs" else None)
    try:
        client.createBucket("here")
        client.createBucket("there", location="cn-south-1")
        listed = client.listBuckets(isQueryLocation=True)
    finally:
        client.close()
    assert listed.status == 200, listed.errorCode
    assert {(bucket.name, bucket.location, bucket.bucket_type) for bucket in listed.body.buckets} == {
        ("here", fake.region, "OBJECT"), ("there", "cn-south-1", "OBJECT")
    }
    assert listed.body.owner.owner_id == "emulator-owner"
    assert listed.body.owner.owner_name == (None if signature == "obs" else "emulator-owner")


@pytest.mark.anyio
async def test_our_client_reads_the_locations(fake_cloud_client: AsyncHuaweiCloud) -> None:
    await fake_cloud_client.obs.create_bucket("ours", location="cn-south-1")
    listed = await fake_cloud_client.obs.list_buckets()
    assert [(bucket.name, bucket.location) for bucket in listed.buckets] == [("ours", "cn-south-1")]


def test_keystone_list_projects_documents_every_field(served: tuple[FakeHuaweiCloud, str]) -> None:
    from huaweicloudsdkiam.v3 import KeystoneListProjectsRequest

    fake, base_url = served
    client = iam_client(fake, base_url)
    every = client.keystone_list_projects(KeystoneListProjectsRequest()).projects
    regions = client.keystone_list_projects(KeystoneListProjectsRequest(is_domain=False)).projects
    domains = client.keystone_list_projects(KeystoneListProjectsRequest(is_domain=True)).projects
    mine = client.keystone_list_projects(KeystoneListProjectsRequest(name=fake.region, enabled=True)).projects
    paged = client.keystone_list_projects(KeystoneListProjectsRequest(page=1, per_page=1)).projects

    assert every and [project.id for project in regions] == [project.id for project in every]
    assert domains == []  # every emulated project is a region's, none is a domain
    assert [project.id for project in mine] == [fake.project_id]
    assert len(paged) == 1
    for project in every:
        assert project.is_domain is False and project.enabled is True and project.description == ""
        assert project.domain_id == project.parent_id == fake.domain_id
        assert project.links._self.endswith(f"/v3/projects/{project.id}")
        assert project.name and len(project.id) == 32


@pytest.mark.anyio
async def test_our_request_gets_the_same_projects_and_a_400_for_a_bad_flag(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud
) -> None:
    listed = (await fake_cloud_client.request("iam", "GET", "/v3/projects", params={"is_domain": "false"})).json()
    with pytest.raises(APIError) as refused:
        await fake_cloud_client.request("iam", "GET", "/v3/projects", params={"is_domain": "maybe"})
    fields = {"is_domain", "description", "links", "enabled", "id", "parent_id", "domain_id", "name"}
    assert listed["projects"] and all(set(project) == fields for project in listed["projects"])
    assert refused.value.status_code == 400
    assert fake_cloud.internal_errors == []
