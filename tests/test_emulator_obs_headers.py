"""OBS write headers the emulator once accepted and ignored: canned ACLs, server-side encryption, website redirects.

Each is now either honoured as OBS documents it (kept, echoed on the PUT and on GET/HEAD, readable back through
GetObjectAcl/GetBucketAcl, in force for anonymous reads) or refused with OBS's XML error; driven through
esdk-obs-python (the official client, a test-only oracle) in both signature dialects, raw signed calls for what
esdk refuses to send, and our client.

References: PutObject (support.huaweicloud.com/api-obs/obs_04_0080.html: x-obs-acl, x-obs-website-redirect-location
"must start with /, http:// or https://, at most 2 KB", server-side encryption); SSE-KMS (obs_04_0106), SSE-C
(obs_04_0107: algorithm AES256, a base64 256-bit key and its MD5; the headers apply to PUT, GET, HEAD, copies and
parts), SSE-OBS (obs_04_0173: x-obs-server-side-encryption: AES256); the overview of SSE headers per API
(obs_04_0188); GetBucketAcl (obs_04_0031) and GetObjectAcl (obs_04_0090); esdk's convertor (parsePutContent,
parseGetObjectMetadata and parseGetObjectAcl read exactly these headers and elements).
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import httpx
import pytest

from hwcloud_client import AsyncHuaweiCloud
from hwcloud_client.auth.obs import rfc1123_date
from hwcloud_client.errors import APIError
from hwcloud_client.testing import FakeHuaweiCloud

from .test_emulator_fidelity import obs_client
from .test_emulator_malformed import obs_call, obs_error

# SSE-C keys: 256 bits. As str: esdk's copy-source header turns a bytes key into its repr.
KEY = "k" * 32
OTHER_KEY = "o" * 32
SSE_C = {
    "x-obs-server-side-encryption-customer-algorithm": "AES256",
    "x-obs-server-side-encryption-customer-key": base64.b64encode(KEY.encode()).decode(),
    "x-obs-server-side-encryption-customer-key-MD5": base64.b64encode(
        hashlib.md5(KEY.encode(), usedforsecurity=False).digest()
    ).decode(),
}


def dated(headers: dict[str, str] | None = None) -> dict[str, str]:
    """Headers for a raw signed call to an emulator on the real clock (obs_call dates its requests NOW)."""
    return {"Date": rfc1123_date(time.time()), **(headers or {})}


def _client(served: tuple[FakeHuaweiCloud, str], signature: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    fake, base_url = served
    return obs_client(fake, base_url, signature=signature, monkeypatch=monkeypatch if signature == "obs" else None)


@pytest.mark.parametrize("signature", ["obs", "v2"])
def test_acl_kms_and_redirect_are_kept_and_returned(
    served: tuple[FakeHuaweiCloud, str], signature: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from obs import PutObjectHeader, SseKmsHeader

    client = _client(served, signature, monkeypatch)
    try:
        assert client.createBucket("headers").status == 200
        kms = SseKmsHeader.getInstance(key="kms-key-1")  # getInstance: the constructor sets no encryption name
        header = PutObjectHeader(acl="public-read", sseHeader=kms, location="/index.html")
        put = client.putContent("headers", "page", "body", headers=header)
        meta = client.getObjectMetadata("headers", "page")
        acl = client.getObjectAcl("headers", "page")
        plain = client.putContent("headers", "plain", "body")
        plain_meta = client.getObjectMetadata("headers", "plain")
        plain_acl = client.getObjectAcl("headers", "plain")
    finally:
        client.close()
    kms = "kms" if signature == "obs" else "aws:kms"
    assert put.status == 200, put.errorCode
    assert (put.body.sseKms, put.body.sseKmsKey) == (kms, "kms-key-1")
    assert (meta.body.sseKms, meta.body.sseKmsKey, meta.body.websiteRedirectLocation) == (
        kms, "kms-key-1", "/index.html"
    )
    assert acl.status == 200, acl.errorCode
    grants = {(str(grant.grantee.group or grant.grantee.grantee_id), grant.permission) for grant in acl.body.grants}
    everyone = "Everyone" if signature == "obs" else "http://acs.amazonaws.com/groups/global/AllUsers"
    assert grants == {("emulator-owner", "FULL_CONTROL"), (everyone, "READ")}
    assert acl.body.owner.owner_id == "emulator-owner"
    assert acl.body.delivered is False  # OBS's object ACL says whether the bucket's applies (not here)
    # Nothing asked for, nothing claimed: no encryption, no redirect, the owner alone.
    assert plain.status == 200 and plain.body.sseKms is None and plain_meta.body.websiteRedirectLocation is None
    assert [grant.permission for grant in plain_acl.body.grants] == ["FULL_CONTROL"]


@pytest.mark.anyio
async def test_sse_obs_is_echoed() -> None:
    """SSE-OBS (obs_04_0173): ``x-obs-server-side-encryption: AES256``, sent raw (esdk's SseKmsHeader takes any
    encryption name); echoed on the PUT and on HEAD."""
    fake = FakeHuaweiCloud()
    await obs_call(fake, "PUT", "sse-obs", headers=dated())
    sse = dated({"x-obs-server-side-encryption": "AES256"})
    put = await obs_call(fake, "PUT", "sse-obs", "k", body=b"x", headers=sse)
    head = await obs_call(fake, "HEAD", "sse-obs", "k", headers=dated())
    assert put.headers["x-obs-server-side-encryption"] == head.headers["x-obs-server-side-encryption"] == "AES256"


def test_sse_c_objects_are_read_with_their_key_only(
    served: tuple[FakeHuaweiCloud, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from obs import CopyObjectHeader, GetObjectHeader, PutObjectHeader, SseCHeader

    client = _client(served, "obs", monkeypatch)
    key_md5 = base64.b64encode(hashlib.md5(KEY.encode(), usedforsecurity=False).digest()).decode()
    try:
        client.createBucket("sse-c")
        sse_c = SseCHeader.getInstance(key=KEY)
        put = client.putContent("sse-c", "secret", "data", headers=PutObjectHeader(sseHeader=sse_c))
        without = client.getObjectMetadata("sse-c", "secret")
        wrong = client.getObjectMetadata("sse-c", "secret", sseHeader=SseCHeader.getInstance(key=OTHER_KEY))
        right = client.getObject(
            "sse-c", "secret", headers=GetObjectHeader(sseHeader=sse_c), loadStreamInMemory=True
        )
        copy_without = client.copyObject("sse-c", "secret", "sse-c", "copy")
        copied = client.copyObject(
            "sse-c", "secret", "sse-c", "copy", headers=CopyObjectHeader(sourceSseHeader=sse_c)
        )
        copy_read = client.getObject("sse-c", "copy", loadStreamInMemory=True)  # the copy asked no encryption
    finally:
        client.close()
    assert put.status == 200 and (put.body.sseC, put.body.sseCKeyMd5) == ("AES256", key_md5)
    assert without.status == 400 and wrong.status == 403  # a HEAD: the status alone tells
    assert right.status == 200 and right.body.buffer == b"data"
    assert (right.body.sseC, right.body.sseCKeyMd5) == ("AES256", key_md5)
    assert (copy_without.status, copy_without.errorCode) == (400, "InvalidRequest")
    assert copied.status == 200 and copy_read.status == 200 and copy_read.body.buffer == b"data"


def test_an_sse_c_multipart_upload_needs_its_key_for_every_part(
    served: tuple[FakeHuaweiCloud, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uploading Parts (obs_04_0099): an SSE-C upload's parts carry the key the upload was initiated with."""
    from obs import CompleteMultipartUploadRequest, CompletePart, SseCHeader

    client = _client(served, "obs", monkeypatch)
    try:
        client.createBucket("sse-parts")
        started = client.initiateMultipartUpload("sse-parts", "big", sseHeader=SseCHeader.getInstance(key=KEY))
        upload_id = started.body.uploadId
        refused = client.uploadPart("sse-parts", "big", 1, upload_id, object="part")
        sse_c = SseCHeader.getInstance(key=KEY)
        part = client.uploadPart("sse-parts", "big", 1, upload_id, object="part", sseHeader=sse_c)
        done = client.completeMultipartUpload(
            "sse-parts", "big", upload_id, CompleteMultipartUploadRequest([CompletePart(1, part.body.etag)])
        )
        unreadable = client.getObject("sse-parts", "big", loadStreamInMemory=True)
    finally:
        client.close()
    assert started.status == 200 and started.body.sseC == "AES256"
    assert (refused.status, refused.errorCode) == (400, "InvalidRequest")
    assert part.status == 200 and done.status == 200, (part.errorCode, done.errorCode)
    assert (unreadable.status, unreadable.errorCode) == (400, "InvalidRequest")


def test_canned_acls_open_anonymous_reads(served: tuple[FakeHuaweiCloud, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """public-read grants Everyone READ: an unsigned GET reads the object; a private one stays 403.
    SetObjectAcl with a canned ACL (esdk's aclControl) closes it again; CreateBucket's ACL opens the listing."""
    from obs import CreateBucketHeader, PutObjectHeader

    _, base_url = served
    client = _client(served, "v2", monkeypatch)  # path style: plain URLs on the served emulator
    try:
        client.createBucket("open", header=CreateBucketHeader(aclControl="public-read"))
        client.createBucket("closed")
        client.putContent("open", "public", "hello", headers=PutObjectHeader(acl="public-read"))
        client.putContent("open", "private", "hidden")
        client.putContent("closed", "k", "x")
        with httpx.Client(base_url=base_url) as anonymous:
            before = [anonymous.get(path).status_code for path in ("/open/public", "/open/private", "/open", "/closed")]
            # A public listing opens no sub-resource, implemented (acl) or not (versioning): 403, never 501.
            sub_resources = [anonymous.get(path).status_code for path in ("/open?acl", "/open?versioning")]
            body = anonymous.get("/open/public").content
            closed = client.setObjectAcl("open", "public", aclControl="private")
            after = anonymous.get("/open/public").status_code
        bucket_acl = client.getBucketAcl("open")
    finally:
        client.close()
    assert before == [200, 403, 200, 403] and body == b"hello"
    assert sub_resources == [403, 403]
    assert closed.status == 200 and after == 403
    assert {grant.permission for grant in bucket_acl.body.grants} == {"FULL_CONTROL", "READ"}


def test_a_public_read_write_bucket_takes_anonymous_uploads(
    served: tuple[FakeHuaweiCloud, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """WRITE for Everyone (public-read-write): anyone may upload, overwrite and delete the bucket's objects (the
    permission types of OBS's ACLs, e.g. sdk-browserjs-devg-obs/obs_24_0404.html); a bucket without it stays 403."""
    from obs import CreateBucketHeader

    _, base_url = served
    client = _client(served, "v2", monkeypatch)
    try:
        client.createBucket("drop", header=CreateBucketHeader(aclControl="public-read-write"))
        client.createBucket("shut")
        with httpx.Client(base_url=base_url) as anonymous:
            uploaded = anonymous.put("/drop/note", content=b"anonymous").status_code
            refused = anonymous.put("/shut/note", content=b"anonymous").status_code
            read = client.getObject("drop", "note", loadStreamInMemory=True)
            deleted = anonymous.delete("/drop/note").status_code
        gone = client.getObjectMetadata("drop", "note")
    finally:
        client.close()
    assert (uploaded, refused, deleted) == (200, 403, 204)
    assert read.status == 200 and read.body.buffer == b"anonymous"
    assert gone.status == 404


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "key", "expected"),
    [
        ({"x-obs-acl": "everyone-may-write"}, "k", (400, "InvalidArgument")),
        ({"x-obs-acl": "authenticated-read"}, "k", (400, "InvalidArgument")),  # the S3-compatible API's only
        ({"x-obs-website-redirect-location": "example.com/page"}, "k", (400, "InvalidArgument")),
        ({"x-obs-website-redirect-location": "/" + "p" * 2048}, "k", (400, "InvalidArgument")),
        ({"x-obs-server-side-encryption": "aws:kms"}, "k", (400, "InvalidArgument")),  # the other dialect's name
        ({"x-obs-server-side-encryption-kms-key-id": "key"}, "k", (400, "InvalidArgument")),  # without kms
        ({"x-obs-server-side-encryption-customer-algorithm": "AES256"}, "k", (400, "InvalidArgument")),  # no key
        ({"x-obs-server-side-encryption": "kms"}, None, (501, "NotImplemented")),  # a bucket's default encryption
        # Features not emulated: refused, not dropped.
        ({"x-obs-server-side-encryption": "kms", "x-obs-server-side-data-encryption": "SM4"}, "k",
         (501, "NotImplemented")),
        ({"x-obs-grant-read": "id=domain-id"}, "k", (501, "NotImplemented")),
        ({"x-obs-expires": "3"}, "k", (501, "NotImplemented")),
        ({"x-obs-fs-file-interface": "Enabled"}, None, (501, "NotImplemented")),  # a parallel file system
        ({"x-obs-bucket-type": "POSIX"}, None, (501, "NotImplemented")),
        ({"x-obs-checksum-crc64ecma": "0"}, "k", (501, "NotImplemented")),  # esdk's isAttachCrc64
        ({"x-obs-content-sha256": "0" * 64}, "k", (501, "NotImplemented")),
    ],
)
async def test_what_obs_refuses_is_refused(
    headers: dict[str, str], key: str | None, expected: tuple[int, str]
) -> None:
    fake = FakeHuaweiCloud()
    await obs_call(fake, "PUT", "bkt", headers=dated())
    answer = await obs_call(
        fake, "PUT", "fresh" if key is None else "bkt", key, headers=dated(headers), body=b"" if key is None else b"x"
    )
    assert obs_error(answer) == expected
    if key is not None:
        assert (await obs_call(fake, "HEAD", "bkt", key, headers=dated())).status_code == 404  # nothing stored
    else:
        assert (await obs_call(fake, "HEAD", "fresh", headers=dated())).status_code == 404


@pytest.mark.anyio
async def test_kms_with_aes256_data_encryption_and_an_object_bucket_type_are_accepted() -> None:
    fake = FakeHuaweiCloud()
    created = await obs_call(fake, "PUT", "typed", headers=dated({"x-obs-bucket-type": "OBJECT"}))
    sse = dated({"x-obs-server-side-encryption": "kms", "x-obs-server-side-data-encryption": "AES256"})
    put = await obs_call(fake, "PUT", "typed", "k", headers=sse, body=b"x")
    assert (created.status_code, put.status_code, put.headers["x-obs-server-side-encryption"]) == (200, 200, "kms")


@pytest.mark.anyio
async def test_an_sse_c_customer_key_must_match_its_md5() -> None:
    fake = FakeHuaweiCloud()
    await obs_call(fake, "PUT", "bkt", headers=dated())
    sse_c = dated({**SSE_C, "x-obs-server-side-encryption-customer-key-MD5": base64.b64encode(b"0" * 16).decode()})
    assert obs_error(await obs_call(fake, "PUT", "bkt", "k", headers=sse_c, body=b"x")) == (400, "InvalidArgument")


@pytest.mark.anyio
async def test_our_client_meets_an_sse_c_object_as_obs_answers(
    fake_cloud: FakeHuaweiCloud, fake_cloud_client: AsyncHuaweiCloud
) -> None:
    """Our client has no SSE-C: HEAD of an SSE-C object is OBS's 400, of an SSE-KMS one a 200."""
    await fake_cloud_client.obs.create_bucket("ours")
    assert (await obs_call(fake_cloud, "PUT", "ours", "c", headers=dated(SSE_C), body=b"x")).status_code == 200
    kms = dated({"x-obs-server-side-encryption": "kms"})
    assert (await obs_call(fake_cloud, "PUT", "ours", "kms", headers=kms, body=b"xy")).status_code == 200
    with pytest.raises(APIError) as refused:
        await fake_cloud_client.obs.head_object("ours", "c")
    assert refused.value.status_code == 400
    assert (await fake_cloud_client.obs.head_object("ours", "kms")).content_length == 2


def test_standard_headers_are_kept_and_copied(served: tuple[FakeHuaweiCloud, str]) -> None:
    """Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires sent with an upload are the
    object's (GetObject's response-* parameters override exactly these, obs_04_0083) and come back on HEAD/GET; a copy
    keeps them (metadata directive COPY) or takes the request's (REPLACE: esdk's CopyObjectHeader sends them)."""
    from obs import CopyObjectHeader

    fake, base_url = served
    client = obs_client(fake, base_url)
    sent = {"Cache-Control": "max-age=60", "Content-Disposition": "attachment; filename=a.txt",
            "Content-Language": "en", "Expires": "Thu, 01 Jan 2037 00:00:00 GMT"}
    try:
        client.createBucket("standard")
        put = client.putContent("standard", "k", "x", extensionHeaders=sent)
        head = client.getObjectMetadata("standard", "k")
        client.copyObject("standard", "k", "standard", "kept")
        kept = client.getObjectMetadata("standard", "kept")
        replaced = client.copyObject("standard", "k", "standard", "new", headers=CopyObjectHeader(
            directive="REPLACE", cacheControl="no-cache", contentLanguage="fr"
        ))
        new = client.getObjectMetadata("standard", "new")
    finally:
        client.close()

    def standard(answer: Any) -> dict[str, str]:
        names = {name.lower() for name in sent}
        return {name: value for name, value in dict(answer.header).items() if name in names}

    assert put.status == 200 and replaced.status == 200, (put.errorCode, replaced.errorCode)
    assert standard(head) == standard(kept) == {name.lower(): value for name, value in sent.items()}
    assert standard(new) == {"cache-control": "no-cache", "content-language": "fr"}
