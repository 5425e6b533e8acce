"""The served emulator behaves as Huawei documents for the official clients (test-only oracles).

huaweicloudsdkecs and esdk-obs-python sign, build their requests and parse the answers their own way, so each
test here drives one of them against the served emulator on a behaviour Huawei's API reference (or the esdk's
own response parsers) documents, and that the emulator once got wrong.
"""

from __future__ import annotations

from typing import Any

import pytest

from hwcloud_client.testing import FakeHuaweiCloud

from .test_emulator_official_sdk import SERVER_SPEC, ecs_client


def _create_servers(client: Any, count: int, name: str = "official") -> list[str]:
    from huaweicloudsdkecs.v2 import (
        CreatePostPaidServersRequest,
        CreatePostPaidServersRequestBody,
        PostPaidServer,
        PostPaidServerNic,
        PostPaidServerRootVolume,
    )

    server = PostPaidServer(
        **{**SERVER_SPEC, "name": name},
        count=count,
        nics=[PostPaidServerNic(subnet_id="e1e5a84f-7cc1-4be0-a5c4-0b9b1d1f5a53")],
        root_volume=PostPaidServerRootVolume(volumetype="SSD", size=40),
    )
    created = client.create_post_paid_servers(
        CreatePostPaidServersRequest(body=CreatePostPaidServersRequestBody(server=server))
    )
    return list(created.server_ids)


# --- ECS -----------------------------------------------------------------------------------------------------


def test_list_flavors_honours_its_query(served: tuple[FakeHuaweiCloud, str]) -> None:
    """ListFlavors (GET /v1/{project_id}/cloudservers/flavors), support.huaweicloud.com/intl/en-us/api-ecs/
    en-us_topic_0020212656.html: ``availability_zone`` returns the flavors in the normal, obt or promotion state
    there (a flavor's per-AZ state is its extra spec ``cond:operation:az``); the official model's ``flavor_id``
    selects one flavor, ``limit`` sizes the page and ``marker`` (a flavor id) starts after it."""
    from huaweicloudsdkecs.v2 import ListFlavorsRequest

    fake, base_url = served
    client = ecs_client(fake, base_url)
    every = [flavor.id for flavor in client.list_flavors(ListFlavorsRequest()).flavors]
    sold_out_zone = f"{fake.region}b"
    in_zone = client.list_flavors(ListFlavorsRequest(availability_zone=sold_out_zone)).flavors
    in_other_zone = client.list_flavors(ListFlavorsRequest(availability_zone=f"{fake.region}a")).flavors
    one = client.list_flavors(ListFlavorsRequest(flavor_id="s6.large.2")).flavors
    first = client.list_flavors(ListFlavorsRequest(limit=2)).flavors
    second = client.list_flavors(ListFlavorsRequest(limit=2, marker=first[-1].id)).flavors

    sold_out = [flavor for flavor in client.list_flavors(ListFlavorsRequest()).flavors if flavor.id == "c7.xlarge.2"]
    assert sold_out[0].os_extra_specs.condoperationaz == f"{sold_out_zone}(sellout)"
    assert "c7.xlarge.2" in every and "c7.xlarge.2" not in {flavor.id for flavor in in_zone}
    assert len(in_zone) == len(every) - 1
    assert [flavor.id for flavor in in_other_zone] == every
    assert [flavor.id for flavor in one] == ["s6.large.2"]
    assert [flavor.id for flavor in first + second] == every[:4]


def test_list_servers_details_pages_by_marker(served: tuple[FakeHuaweiCloud, str]) -> None:
    """ListServersDetails (GET /v1/{project_id}/cloudservers/detail), support.huaweicloud.com/intl/en-us/api-ecs/
    en-us_topic_0094148850.html: ``marker`` is the id of the last server of the previous page; a client that pages
    by marker until a short page stops, having seen every server once."""
    from huaweicloudsdkecs.v2 import ListServersDetailsRequest

    fake, base_url = served
    client = ecs_client(fake, base_url)
    created = _create_servers(client, 5)
    seen: list[str] = []
    marker = None
    for _ in range(10):
        page = client.list_servers_details(ListServersDetailsRequest(limit=2, marker=marker))
        seen += [server.id for server in page.servers]
        if len(page.servers) < 2:
            break
        marker = page.servers[-1].id
    assert sorted(seen) == sorted(created) and len(seen) == 5


def test_list_servers_details_server_id_wins_and_missing_ids_get_placeholders(
    served: tuple[FakeHuaweiCloud, str],
) -> None:
    """ListServersDetails' ``server_id`` (the official model's documentation of it, from Huawei's reference): with
    server_id, the other filters are ignored; an id of no server gets an entry whose fields are all null but id
    and fault."""
    from huaweicloudsdkecs.v2 import ListServersDetailsRequest

    fake, base_url = served
    client = ecs_client(fake, base_url)
    created = _create_servers(client, 2)
    missing = "7d2f6a3c-0000-4000-8000-000000000000"
    page = client.list_servers_details(
        ListServersDetailsRequest(server_id=",".join([created[0], missing]), name="no-such-name", status="SHUTOFF")
    )
    by_id = {server.id: server for server in page.servers}

    assert page.count == 2 and set(by_id) == {created[0], missing}
    assert by_id[created[0]].name.startswith("official") and by_id[created[0]].status == "ACTIVE"
    placeholder = by_id[missing]
    assert placeholder.name is None and placeholder.status is None and placeholder.flavor is None
    assert placeholder.fault["code"] == 404  # the official model types fault as a bare object


def test_nova_list_keypairs_pages_from_microversion_2_35(served: tuple[FakeHuaweiCloud, str]) -> None:
    """NovaListKeypairs' ``limit`` and ``marker`` (the name of the key pair to start after) are "supported from
    microversion 2.35" (the official model's documentation, from Huawei's API reference): with
    ``OpenStack-API-Version: compute 2.35`` they page, without it they are ignored, as Nova does."""
    from huaweicloudsdkecs.v2 import (
        NovaCreateKeypairOption,
        NovaCreateKeypairRequest,
        NovaCreateKeypairRequestBody,
        NovaListKeypairsRequest,
    )

    fake, base_url = served
    client = ecs_client(fake, base_url)
    with pytest.warns(DeprecationWarning):  # deprecated in the official client, not in the API
        for name in ("k-c", "k-a", "k-b"):
            option = NovaCreateKeypairOption(name=name)
            client.nova_create_keypair(NovaCreateKeypairRequest(body=NovaCreateKeypairRequestBody(keypair=option)))
        first = client.nova_list_keypairs(NovaListKeypairsRequest(limit=2, open_stack_api_version="compute 2.35"))
        rest = client.nova_list_keypairs(
            NovaListKeypairsRequest(limit=2, marker="k-b", open_stack_api_version="compute 2.35")
        )
        old = client.nova_list_keypairs(NovaListKeypairsRequest(limit=2))

    def names(page: Any) -> list[str]:
        return [item.keypair.name for item in page.keypairs]

    assert names(first) == ["k-a", "k-b"] and names(rest) == ["k-c"]
    assert names(old) == ["k-a", "k-b", "k-c"]

# --- OBS (esdk-obs-python) -----------------------------------------------------------------------------------


OBS_SERVER = "http://obs.cn-north-4.myhuaweicloud.com"


def obs_client(
    fake: FakeHuaweiCloud, base_url: str, *, signature: str = "obs", negotiate: bool = False,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> Any:
    """esdk against the served emulator. Path style (an IP server) makes esdk sign AWS-style (v2) without
    negotiating; given ``monkeypatch``, it talks to OBS's host names instead (virtual-hosted style, so the
    ``obs`` signature and the dialect negotiation), their connections sent to the emulator's socket."""
    from obs import ObsClient

    if monkeypatch is None:
        return ObsClient(
            access_key_id=fake.ak, secret_access_key=fake.sk, server=base_url, path_style=True, signature=signature,
            is_signature_negotiation=False,
        )
    import socket

    port = int(base_url.rsplit(":", 1)[1])
    connect = socket.create_connection

    def to_the_emulator(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host, _ = address
        return connect(("127.0.0.1", port) if host.endswith(".myhuaweicloud.com") else address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", to_the_emulator)
    return ObsClient(
        access_key_id=fake.ak, secret_access_key=fake.sk, server=OBS_SERVER, signature=signature,
        is_signature_negotiation=negotiate,
    )


@pytest.mark.parametrize("signature", ["obs", "v2"])
def test_bucket_location_in_both_dialects(
    served: tuple[FakeHuaweiCloud, str], signature: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GetBucketLocation: OBS's API answers ``<Location>region</Location>`` (support.huaweicloud.com/api-obs/
    obs_04_0024.html), its S3-compatible API ``<CreateBucketConfiguration><LocationConstraint>region``
    (OBS s3api "GET Bucket location"): esdk's ``parseGetBucketLocation`` reads ``root.text`` in the OBS dialect
    and the ``LocationConstraint`` child in the v2 (AWS) one."""
    fake, base_url = served
    client = obs_client(fake, base_url, signature=signature, monkeypatch=monkeypatch if signature == "obs" else None)
    try:
        assert client.createBucket("located", location="cn-south-1").status == 200
        answer = client.getBucketLocation("located")
        assert answer.status == 200, answer.errorCode
        assert answer.body.location == "cn-south-1"
    finally:
        client.close()


@pytest.mark.anyio
@pytest.mark.parametrize("path_style", [True, False])
async def test_our_client_reads_the_documented_location_document(path_style: bool) -> None:
    """Our client against the emulator in both dialects (path style signs AWS-style, virtual-hosted OBS-style)."""
    import httpx

    from hwcloud_client import AsyncHuaweiCloud, ClientConfig

    fake = FakeHuaweiCloud()
    config = ClientConfig(obs_path_style=path_style, endpoints={"obs": "https://obs.cn-north-4.myhuaweicloud.com"})
    async with AsyncHuaweiCloud(
        region=fake.region, credentials=fake.credentials, config=config, environ={},
        http_client=httpx.AsyncClient(transport=fake.transport()),
    ) as cloud:
        await cloud.obs.create_bucket("located", location="cn-south-1")
        assert await cloud.obs.get_bucket_location("located") == "cn-south-1"
    assert fake.calls[-1].status == 200


def test_truncated_listing_without_delimiter_has_next_marker(served: tuple[FakeHuaweiCloud, str]) -> None:
    """ListObjects: OBS sends NextMarker whenever IsTruncated is true, delimiter or not, and Huawei's esdk
    paging loop (SDK for Python, "Listing Objects in a Bucket", support.huaweicloud.com/sdk-python-devg-obs/
    obs_22_0805.html) resumes from ``resp.body.next_marker``: without it, marker=None restarts the listing."""
    fake, base_url = served
    client = obs_client(fake, base_url)
    try:
        client.createBucket("paged")
        keys = [f"k{number:02d}" for number in range(7)]
        for key in keys:
            assert client.putContent("paged", key, "x").status == 200
        seen: list[str] = []
        marker = None
        for _ in range(10):  # the sample's `while True`, bounded
            page = client.listObjects("paged", max_keys=3, marker=marker)
            assert page.status == 200, page.errorCode
            seen += [item.key for item in page.body.contents]
            if not page.body.is_truncated:
                break
            marker = page.body.next_marker
        assert seen == keys
    finally:
        client.close()


def test_re_creating_an_owned_bucket_in_its_region_answers_200(served: tuple[FakeHuaweiCloud, str]) -> None:
    """CreateBucket: "If the same account repeatedly creates buckets with the same name in the same region,
    status code 200 is returned. In other cases, status code 409 is returned" and the bucket keeps the properties
    of the first creation (SDK for Python, "Creating a Bucket", support.huaweicloud.com/en-us/sdk-python-devg-obs/
    obs_22_0801.html; OBS s3api "PUT Bucket")."""
    fake, base_url = served
    client = obs_client(fake, base_url)
    try:
        assert client.createBucket("again").status == 200
        assert client.putContent("again", "kept", "x").status == 200
        again = client.createBucket("again")
        elsewhere = client.createBucket("again", location="cn-south-1")
        assert again.status == 200, again.errorCode
        assert (elsewhere.status, elsewhere.errorCode) == (409, "BucketAlreadyOwnedByYou")
        assert [item.key for item in client.listObjects("again").body.contents] == ["kept"]
        assert client.getBucketLocation("again").body.location == fake.region
    finally:
        client.close()


def _record_authorizations(fake: FakeHuaweiCloud, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Authorization header of every request the OBS emulator gets ("" when anonymous)."""
    seen: list[str] = []
    handle = fake.obs.handle

    async def recording(request: Any) -> Any:
        seen.append(request.headers.get("authorization", ""))
        return await handle(request)

    monkeypatch.setattr(fake.obs, "handle", recording)
    return seen


def test_api_version_negotiation_selects_the_obs_signature(
    served: tuple[FakeHuaweiCloud, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """esdk negotiates its dialect (ObsClient._getApiVersion): an anonymous ``HEAD /?apiversion`` (for
    createBucket) or ``HEAD /{bucket}?apiversion`` whose ``x-obs-api`` header is 3.0 or more makes it sign with
    the OBS signature; anything else (the emulator's 403 before) and it falls back to the AWS-style v2 one."""
    fake, base_url = served
    authorizations = _record_authorizations(fake, monkeypatch)
    client = obs_client(fake, base_url, signature="v2", negotiate=True, monkeypatch=monkeypatch)
    try:
        created = client.createBucket("negotiated")
        put = client.putContent("negotiated", "k", "negotiated")
        missing = client.putContent("no-such-bucket", "k", "x")
    finally:
        client.close()
    assert created.status == 200 and put.status == 200, (created.errorCode, put.errorCode)
    assert missing.status == 404
    signed = [value for value in authorizations if value]
    assert len(signed) == 2 and all(value.startswith("OBS ") for value in signed)
    assert authorizations.count("") == 3  # the three negotiations, anonymous


def test_conditional_gets(served: tuple[FakeHuaweiCloud, str]) -> None:
    """GetObject's conditions (support.huaweicloud.com/api-obs/obs_04_0083.html; esdk's GetObjectHeader,
    sdk-python-devg-obs/obs_22_1479.html): If-Match and If-Unmodified-Since answer 412 when they do not hold,
    If-None-Match and If-Modified-Since 304. esdk
    %-encodes header values (``util.encode_item``), so the ETag it returned comes back as ``%22...%22``."""
    from obs import GetObjectHeader

    fake, base_url = served
    client = obs_client(fake, base_url)
    try:
        client.createBucket("conditional")
        put = client.putContent("conditional", "k", "body")
        etag = put.body.etag
        modified = client.getObjectMetadata("conditional", "k").body.lastModified
        before, after = "Mon, 01 Jan 2001 00:00:00 GMT", "Fri, 01 Jan 2100 00:00:00 GMT"

        def status(**conditions: str) -> int:
            got = client.getObject("conditional", "k", headers=GetObjectHeader(**conditions), loadStreamInMemory=True)
            return int(got.status)

        assert status(if_match=etag) == 200
        assert status(if_match='"0123"') == 412
        assert status(if_none_match=etag) == 304
        assert status(if_none_match='"0123"') == 200
        assert status(if_modified_since=modified) == 304
        assert status(if_modified_since=before) == 200
        assert status(if_unmodified_since=before) == 412
        assert status(if_unmodified_since=after) == 200
        assert status(if_match=etag, if_unmodified_since=before) == 200  # If-Match decides when present
        assert status(if_none_match='"0123"', if_modified_since=after) == 200  # and If-None-Match
    finally:
        client.close()


def test_response_header_overrides(served: tuple[FakeHuaweiCloud, str]) -> None:
    """GetObject's request parameters override the answer's Content-Type, Content-Language, Expires,
    Cache-Control, Content-Disposition and Content-Encoding (support.huaweicloud.com/api-obs/obs_04_0083.html,
    "Request Parameters"); esdk sends them from GetObjectRequest and parseGetObject reads the headers back."""
    from obs import GetObjectRequest

    fake, base_url = served
    client = obs_client(fake, base_url)
    try:
        client.createBucket("overrides")
        client.putContent("overrides", "report", "a,b")
        overrides = GetObjectRequest(
            content_type="text/csv", content_disposition='attachment; filename="report.csv"',
            cache_control="no-cache", content_language="en", content_encoding="identity", expires="0",
        )
        got = client.getObject("overrides", "report", getObjectRequest=overrides, loadStreamInMemory=True)
        plain = client.getObject("overrides", "report", loadStreamInMemory=True)
    finally:
        client.close()
    assert got.status == 200, got.errorCode
    assert got.body.buffer == b"a,b"
    assert got.body.contentType == "text/csv"
    assert got.body.contentDisposition == 'attachment; filename="report.csv"'
    assert (got.body.cacheControl, got.body.contentLanguage, got.body.contentEncoding, got.body.expires) == (
        "no-cache", "en", "identity", "0"
    )
    assert plain.body.contentType != "text/csv" and plain.body.contentDisposition is None


@pytest.mark.parametrize("signature", ["obs", "v2"])
def test_storage_classes(served: tuple[FakeHuaweiCloud, str], signature: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Storage classes (support.huaweicloud.com/en-us/devg-obs/obs_06_0062.html and obs_06_0063.html): a bucket's
    default class (x-obs-storage-class, x-default-storage-class in the S3-compatible API) is its objects' unless
    PUT names one (x-obs-/x-amz-storage-class); HEAD and the listing return it. esdk names them WARM/COLD and
    translates to STANDARD_IA/GLACIER for the v2 dialect (Adapter.adapt_storage_class)."""
    from obs import CreateBucketHeader, PutObjectHeader

    fake, base_url = served
    client = obs_client(fake, base_url, signature=signature, monkeypatch=monkeypatch if signature == "obs" else None)
    try:
        assert client.createBucket("classes", header=CreateBucketHeader(storageClass="WARM")).status == 200
        assert client.putContent("classes", "inherited", "x").status == 200
        cold = client.putContent("classes", "cold", "x", headers=PutObjectHeader(storageClass="COLD"))
        assert cold.status == 200, cold.errorCode
        heads = {key: client.getObjectMetadata("classes", key).body.storageClass for key in ("inherited", "cold")}
        listed = {item.key: item.storageClass for item in client.listObjects("classes").body.contents}
    finally:
        client.close()
    expected = {"inherited": "WARM", "cold": "COLD"} if signature == "obs" else {
        "inherited": "STANDARD_IA", "cold": "GLACIER"
    }
    assert heads == expected and listed == expected


def test_upload_part_copy_copies_the_source_range(served: tuple[FakeHuaweiCloud, str]) -> None:
    """UploadPartCopy (PUT ?partNumber&uploadId with x-obs-copy-source[-range], support.huaweicloud.com/api-obs/
    obs_04_0100.html, "Copying Parts") copies the source object, or the bytes of the range, into the part and answers
    ``<CopyPartResult>`` (esdk's parseCopyPart reads its ETag). The emulator once stored an empty part and answered
    200: the completed object silently lost the data."""
    from obs import CompleteMultipartUploadRequest, CompletePart

    fake, base_url = served
    fake.obs._min_part_size = 1  # the parts here are a few bytes
    client = obs_client(fake, base_url)
    source = bytes(range(256)) * 4
    try:
        client.createBucket("copies")
        assert client.putContent("copies", "source", source).status == 200
        upload_id = client.initiateMultipartUpload("copies", "assembled").body.uploadId
        first = client.copyPart("copies", "assembled", 1, upload_id, "copies/source", copySourceRange="0-99")
        second = client.copyPart("copies", "assembled", 2, upload_id, "copies/source")
        assert first.status == 200 and second.status == 200, (first.errorCode, second.errorCode)
        parts = [CompletePart(partNum=1, etag=first.body.etag), CompletePart(partNum=2, etag=second.body.etag)]
        done = client.completeMultipartUpload("copies", "assembled", upload_id, CompleteMultipartUploadRequest(parts))
        assert done.status == 200, done.errorCode
        got = client.getObject("copies", "assembled", loadStreamInMemory=True)
        other = client.initiateMultipartUpload("copies", "other").body.uploadId
        outside = client.copyPart("copies", "other", 1, other, "copies/source", copySourceRange="0-99999")
    finally:
        client.close()
    assert got.body.buffer == source[:100] + source
    assert (outside.status, outside.errorCode) == (400, "InvalidArgument")


def test_listing_with_url_encoding(served: tuple[FakeHuaweiCloud, str]) -> None:
    """ListObjects' ``encoding-type=url`` (support.huaweicloud.com/api-obs/obs_04_0022.html): the names in the
    answer (Key, Prefix, Marker, NextMarker, Delimiter, CommonPrefixes) are URL-encoded and the answer says
    ``<EncodingType>url</EncodingType>``, which esdk's parseListObjects reads to decode them; a key with a
    character XML cannot carry lists only so."""
    fake, base_url = served
    client = obs_client(fake, base_url)
    keys = ["dir/plus+ space%é", "dir/sub/x", "ctl\x01key"]
    try:
        client.createBucket("encoded")
        for key in keys:
            assert client.putContent("encoded", key, "x").status == 200
        flat = client.listObjects("encoded", encoding_type="url", max_keys=2)
        rest = client.listObjects("encoded", encoding_type="url", marker=flat.body.next_marker)
        grouped = client.listObjects("encoded", prefix="dir/", delimiter="/", encoding_type="url")
        wrong = client.listObjects("encoded", encoding_type="base64")
    finally:
        client.close()
    assert flat.status == 200, flat.errorCode
    assert [item.key for item in flat.body.contents + rest.body.contents] == sorted(keys)
    assert flat.body.next_marker == sorted(keys)[1]
    assert [item.key for item in grouped.body.contents] == ["dir/plus+ space%é"]
    assert [common.prefix for common in grouped.body.commonPrefixs] == ["dir/sub/"]
    assert (wrong.status, wrong.errorCode) == (400, "InvalidArgument")


def test_list_buckets_pages_and_filters(served: tuple[FakeHuaweiCloud, str]) -> None:
    """ListBuckets as esdk-obs-python 3.26.6's listBuckets(maxKeys, marker, bucketType) sends it: ``max-keys`` and
    ``marker`` page (its parseListBuckets reads Marker, MaxKeys, IsTruncated and NextMarker), and the
    x-obs-bucket-type header keeps OBJECT buckets or parallel file systems (POSIX) only (listBuckets' docstring).
    The emulator ignored all three."""
    fake, base_url = served
    client = obs_client(fake, base_url)
    names = ["bucket-a", "bucket-b", "bucket-c"]
    try:
        for name in names:
            client.createBucket(name)
        first = client.listBuckets(maxKeys=2)
        second = client.listBuckets(maxKeys=2, marker=first.body.nextMarker)
        objects = client.listBuckets(bucketType="OBJECT")
        posix = client.listBuckets(bucketType="POSIX")
    finally:
        client.close()
    assert first.status == 200, first.errorCode
    # esdk's model drops MaxKeys and IsTruncated (typed int/bool, parsed as strings): NextMarker tells the rest.
    assert [bucket.name for bucket in first.body.buckets] == names[:2] and first.body.nextMarker == "bucket-b"
    assert [bucket.name for bucket in second.body.buckets] == names[2:] and second.body.nextMarker is None
    assert [bucket.name for bucket in objects.body.buckets] == names
    assert posix.status == 200 and posix.body.buckets == []


def test_version_ids_are_not_ignored(served: tuple[FakeHuaweiCloud, str]) -> None:
    """GetObject/DeleteObject's ``versionId`` (support.huaweicloud.com/api-obs/obs_04_0083.html, "Versioning"):
    the emulator keeps no versions, so an object's one version is "null", and any other id is answered 404
    NoSuchVersion (an error code of OBS's server-side list, e.g. support.huaweicloud.com/sdk-ios-devg-obs/
    obs_27_1601.html; the code for an unversioned bucket is assumed) instead of silently answering with, or
    deleting, the current object."""
    from obs import GetObjectRequest

    fake, base_url = served
    client = obs_client(fake, base_url)
    try:
        client.createBucket("versions")
        client.putContent("versions", "k", "current")
        null = client.getObject("versions", "k", getObjectRequest=GetObjectRequest(versionId="null"),
                                loadStreamInMemory=True)
        other = client.getObject("versions", "k", getObjectRequest=GetObjectRequest(versionId="v1"),
                                 loadStreamInMemory=True)
        deleted = client.deleteObject("versions", "k", versionId="v1")
        still = client.getObject("versions", "k", loadStreamInMemory=True)
    finally:
        client.close()
    assert null.status == 200 and null.body.buffer == b"current"
    assert (other.status, other.errorCode) == (404, "NoSuchVersion")
    assert (deleted.status, deleted.errorCode) == (404, "NoSuchVersion")
    assert still.body.buffer == b"current"
