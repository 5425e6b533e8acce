"""Malformed input gets the emulated service's documented 4xx, never a crash; unknown paths get the gateway's 404.

What the answers are held to (Huawei's documentation, as found with the search tool):

* ECS, https://support.huaweicloud.com/intl/en-us/api-ecs/ecs_07_0002.html: 400 ``Ecs.0005`` "Invalid parameter
  values" is the answer to a body that is not the JSON an API takes ("check whether the request body is a correct
  JSON body"), in ECS's ``{"error": {"code", "message"}}`` body; the same page sends codes starting with APIGW to
  the API Gateway's table. Its ``Ecs.0002`` "A system exception occurred" is the nearest it has to an internal
  error (listed there with 400; the emulator answers 500, as a bug of its own is no fault of the request).
* API Gateway, https://support.huaweicloud.com/intl/en-us/my-kualalumpur-1-usermanual-apig/apig-faq-180307001.html
  and apig-faq-19123002.html beside it: an API that does not exist is 404 ``APIGW.0101`` "The API does not exist or
  has not been published in the environment", as ``{"error_code", "error_msg", "request_id"}``; a signature the
  gateway cannot verify is 401 ``APIGW.0301`` (the emulator's existing answer).
* IAM: Keystone's ``{"error": {"code", "title", "message"}}``, 400 "Bad Request" (the emulator's existing dialect).
* OBS, https://support.huaweicloud.com/intl/en-us/sdk-php-devg-obs/obs_28_1601.html (server-side error codes) and
  https://support.huaweicloud.com/intl/id-id/ae-ad-1-api-obs/obs_04_0115.html (the XML ``<Error><Code>`` body):
  the S3 codes ``NotImplemented`` 501 for functionality OBS lacks, ``MethodNotAllowed`` 405, ``InternalError`` 500.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from huaweicloudsdkecs.v2 import EcsClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwcloud_client._xml import parse_xml
from hwcloud_client.auth.obs import authorization, query_string, rfc1123_date, wire_path
from hwcloud_client.config import Credentials
from hwcloud_client.testing import EmulatedRequest, EmulatedResponse, FakeHuaweiCloud, pytest_plugin
from hwcloud_client.testing._ecs import CLOUDSERVERS_API_NAMES

pytestmark = pytest.mark.anyio

NOW = 1_773_133_200.0  # Tue, 10 Mar 2026 09:00:00 GMT
ECS = "https://ecs.cn-north-4.myhuaweicloud.com"
IAM = "https://iam.cn-north-4.myhuaweicloud.com"
OBS = "obs.cn-north-4.myhuaweicloud.com"
SERVER: dict[str, Any] = {
    "name": "web",
    "flavorRef": "s6.small.1",
    "imageRef": "67f433d8-ed0e-4321-a8a2-a71838539e09",
    "vpcid": "0dae26c9-9a46-45d3-8b0e-4d4f9b3bb3a6",
    "nics": [{"subnet_id": "e1e5a84f-7cc1-4be0-a5c4-0b9b1d1f5a53"}],
    "root_volume": {"volumetype": "SSD", "size": 40},
}
DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
HUGE_INTEGER = b'{"server": ' + b"9" * 5000 + b"}"  # valid JSON; Python converts at most 4300 digits


def password_auth(fake: FakeHuaweiCloud) -> dict[str, Any]:
    user = {"name": fake.iam.user_name, "password": fake.iam.password, "domain": {"name": fake.iam.domain_name}}
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": user}},
                     "scope": {"project": {"name": fake.region}}}}


@dataclass
class World:
    """An emulator with one of everything a route's path can name, and a client holding a token for it."""

    fake: FakeHuaweiCloud
    client: httpx.AsyncClient
    token: str
    server_id: str
    job_id: str
    keypair: str

    def url(self, pattern: str) -> str:
        """The URL of an emulator route, its placeholders filled with things that exist."""
        values = {"project_id": self.fake.project_id, "server_id": self.server_id, "job_id": self.job_id,
                  "keypair_name": self.keypair, "volume_id": "no-such-volume"}
        path = re.sub(r"\{([a-z_]+)\}", lambda match: values[match[1]], pattern)
        return (IAM if pattern.startswith("/v3") else ECS) + path

    async def send(self, method: str, url: str, *, content: bytes = b"", **kwargs: Any) -> httpx.Response:
        headers = {"X-Auth-Token": self.token, "X-Subject-Token": self.token, **kwargs.pop("headers", {})}
        return await self.client.request(method, url, content=content, headers=headers, **kwargs)


def templates(fake: FakeHuaweiCloud, *, server_id: str, token: str) -> dict[tuple[str, str], Any]:
    """A valid body for every emulated API, keyed by route (None: the API reads none)."""
    p = "/{project_id}"
    one = [{"id": server_id}]
    return {
        ("POST", f"/v1{p}/cloudservers"): {
            "server": {**SERVER, "count": 1, "isAutoRename": True, "availability_zone": "cn-north-4a",
                       "description": "d", "key_name": "k", "user_data": "IyEvYmluL3No",
                       "metadata": {"a": "b"}, "server_tags": [{"key": "k", "value": "v"}],
                       "security_groups": [{"id": "sg-1"}]},
            "dry_run": False,
        },
        ("POST", f"/v1.1{p}/cloudservers"): {"server": {**SERVER, "tags": ["k.v"]}, "dry_run": True},
        ("GET", f"/v1{p}/cloudservers/detail"): None,
        ("GET", f"/v1{p}/cloudservers/flavors"): None,
        ("GET", f"/v1{p}/cloudservers/tags"): None,
        ("POST", f"/v1{p}/cloudservers/delete"): {"servers": one, "delete_publicip": False},
        ("POST", f"/v1{p}/cloudservers/action"): {"os-stop": {"servers": one, "type": "SOFT"}},
        ("GET", f"/v1{p}/cloudservers/{{server_id}}"): None,
        ("PUT", f"/v1{p}/cloudservers/{{server_id}}"): {"server": {"name": "n", "description": "d",
                                                                   "user_data": "eA=="}},
        ("POST", f"/v1{p}/cloudservers/{{server_id}}/resize"): {"resize": {"flavorRef": "c7.large.2"}},
        ("POST", f"/v1.1{p}/cloudservers/{{server_id}}/resize"): {"resize": {"flavorRef": "c7.large.2"},
                                                                  "dry_run": True},
        ("GET", f"/v1{p}/cloudservers/{{server_id}}/os-interface"): None,
        ("GET", f"/v1{p}/cloudservers/{{server_id}}/tags"): None,
        ("POST", f"/v1{p}/cloudservers/{{server_id}}/tags/action"): {"action": "create",
                                                                     "tags": [{"key": "k", "value": "v"}]},
        ("POST", f"/v1{p}/cloudservers/{{server_id}}/attachvolume"): {
            "volumeAttachment": {"volumeId": "no-such-volume", "device": "/dev/vdb"}
        },
        ("DELETE", f"/v1{p}/cloudservers/{{server_id}}/detachvolume/{{volume_id}}"): None,
        ("GET", f"/v1{p}/cloudservers/{{server_id}}/os-volume_attachments"): None,
        ("GET", f"/v1{p}/jobs/{{job_id}}"): None,
        ("GET", f"/v2.1{p}/os-keypairs"): None,
        ("POST", f"/v2.1{p}/os-keypairs"): {"keypair": {"name": "k2", "type": "ssh",
                                                        "public_key": "ssh-rsa AAAAB3Nza x"}},
        ("GET", f"/v2.1{p}/os-keypairs/{{keypair_name}}"): None,
        ("DELETE", f"/v2.1{p}/os-keypairs/{{keypair_name}}"): None,
        ("GET", "/v3/projects"): None,
        ("GET", "/v3/projects/{project_id}"): None,
        ("GET", "/v3/auth/projects"): None,
        ("GET", "/v3/auth/domains"): None,
        ("GET", "/v3/regions"): None,
        ("GET", "/v3/users"): None,
        ("POST", "/v3/auth/tokens"): password_auth(fake),
        ("GET", "/v3/auth/tokens"): None,
        ("POST", "/v3.0/OS-CREDENTIAL/securitytokens"): {
            "auth": {"identity": {"methods": ["token"], "token": {"id": token, "duration_seconds": 900}}}
        },
        ("GET", "/v3.0/OS-CREDENTIAL/credentials"): None,
    }


async def world() -> World:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    client = httpx.AsyncClient(transport=fake.transport())
    token = (await client.post(f"{IAM}/v3/auth/tokens", json=password_auth(fake))).headers["x-subject-token"]
    with_token = {"X-Auth-Token": token}
    created = await client.post(f"{ECS}/v1/{fake.project_id}/cloudservers", json={"server": SERVER}, headers=with_token)
    await client.post(f"{ECS}/v2.1/{fake.project_id}/os-keypairs", json={"keypair": {"name": "k1"}}, headers=with_token)
    return World(fake, client, token, created.json()["serverIds"][0], created.json()["job_id"], "k1")


@pytest.fixture
async def emulated() -> AsyncIterator[World]:
    built = await world()
    yield built
    await built.client.aclose()


def routes(fake: FakeHuaweiCloud) -> list[tuple[str, str]]:
    return [(route.method, route.pattern) for route in (*fake.ecs.routes, *fake.iam.routes)]


def assert_error_dialect(response: httpx.Response) -> None:
    """A 4xx in the dialect of the service (by API version) or of the gateway in front of it; never a 5xx."""
    assert response.status_code < 500, response.text
    if response.status_code < 400:
        return
    document = response.json()
    if "error_code" in document:  # the gateway's own answers: authentication, no such API
        assert re.fullmatch(r"APIGW\.\d{4}", document["error_code"]) and document["error_msg"], document
        assert document["request_id"] == response.headers["x-request-id"]
        return
    version = response.request.url.path.split("/")[1]
    if version in ("v3", "v3.0"):
        error = document["error"]
        assert error["code"] == response.status_code and error["title"] and error["message"], document
    elif version == "v2.1":
        [(kind, error)] = document.items()
        assert kind in ("badRequest", "itemNotFound", "conflictingRequest"), document
        assert error["code"] == response.status_code and error["message"], document
    else:
        error = document["error"]
        assert re.fullmatch(r"Ecs\.\d{4}", error["code"]) and error["message"], document


def ecs_error(response: httpx.Response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


# --- ECS: fields of the wrong type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        # The two the hardening review reported, then their siblings: every field CreateServers reads.
        ("create", {"server": {**SERVER, "flavorRef": ["s6.small.1"]}}, "server.flavorRef"),
        ("create", {"server": {**SERVER, "security_groups": "sg-1"}}, "server.security_groups"),
        ("create", {"server": {**SERVER, "security_groups": ["sg-1"]}}, "server.security_groups"),
        ("create", {"server": {**SERVER, "security_groups": [{"id": 7}]}}, "server.security_groups[].id"),
        ("create", {"server": {**SERVER, "nics": [{"subnet_id": ["s"]}]}}, "server.nics[].subnet_id"),
        ("create", {"server": {**SERVER, "root_volume": {"volumetype": {"SSD": 1}}}}, "server.root_volume.volumetype"),
        ("create", {"server": {**SERVER, "metadata": {"k": {"nested": "v"}}}}, "server.metadata"),
        ("create", {"server": {**SERVER, "availability_zone": ["cn-north-4a"]}}, "server.availability_zone"),
        ("create", {"server": {**SERVER, "description": {"text": "d"}}}, "server.description"),
        ("create", {"server": {**SERVER, "key_name": 5}}, "server.key_name"),
        ("create", {"server": {**SERVER, "user_data": ["IyEvYmluL3No"]}}, "server.user_data"),
        ("create", {"server": {**SERVER, "isAutoRename": "no"}}, "server.isAutoRename"),
        ("create", {"server": SERVER, "dry_run": "yes"}, "dry_run"),
        ("create", {"server": {**SERVER, "name": "web\n"}}, "server.name"),
        ("resize", {"resize": {"flavorRef": ["c7.large.2"]}}, "resize.flavorRef"),
        ("resize", {"resize": {"flavorRef": {"id": "c7.large.2"}}}, "resize.flavorRef"),
        ("resize", {"resize": {"flavorRef": "c7.large.2"}, "dry_run": 1}, "dry_run"),
        ("update", {"server": {"description": ["d"]}}, "server.description"),
        ("update", {"server": {"user_data": 5}}, "server.user_data"),
    ],
)
async def test_a_field_of_the_wrong_type_is_ecs_0005_naming_it(
    emulated: World, route: str, body: dict[str, Any], field: str
) -> None:
    paths = {
        "create": ("POST", "/v1/{project_id}/cloudservers"),
        "resize": ("POST", "/v1.1/{project_id}/cloudservers/{server_id}/resize"),
        "update": ("PUT", "/v1/{project_id}/cloudservers/{server_id}"),
    }
    method, pattern = paths[route]
    before = servers(emulated.fake)
    answer = await emulated.send(method, emulated.url(pattern), content=json.dumps(body).encode())
    status, code, message = ecs_error(answer)
    assert (status, code) == (400, "Ecs.0005")
    assert message.startswith("Invalid parameter: " + field + " ")
    assert servers(emulated.fake) == before  # refused means nothing happened: no server created, none changed


def servers(fake: FakeHuaweiCloud) -> dict[str, tuple[object, ...]]:
    return {
        server.id: (server.name, server.description, server.user_data, server.flavor_id, server.task_state)
        for server in fake.ecs.servers.values()
    }


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, HUGE_INTEGER], ids=["deep-array", "deep-object", "huge-int"])
@pytest.mark.parametrize(
    ("method", "pattern"),
    [("POST", "/v1/{project_id}/cloudservers"), ("POST", "/v2.1/{project_id}/os-keypairs"),
     ("POST", "/v3/auth/tokens"), ("POST", "/v3.0/OS-CREDENTIAL/securitytokens")],
)
async def test_json_python_cannot_parse_is_the_services_400(
    emulated: World, body: bytes, method: str, pattern: str
) -> None:
    answer = await emulated.send(method, emulated.url(pattern), content=body)
    assert answer.status_code == 400
    assert_error_dialect(answer)


# --- IAM ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", ["emulator-account", ["emulator-account"], 5, None])
async def test_a_token_request_with_a_malformed_domain_is_keystones_400(emulated: World, domain: object) -> None:
    auth = password_auth(emulated.fake)
    auth["auth"]["identity"]["password"]["user"]["domain"] = domain
    answer = await emulated.client.post(f"{IAM}/v3/auth/tokens", json=auth)
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": 400, "title": "Bad Request",
        "message": "auth.identity.password.user.domain must be a JSON object",
    }


@pytest.mark.parametrize(
    ("method_name", "body", "field"),
    [("token", {"id": ["MIIforged"]}, "auth.identity.token.id"),
     ("assume_role", {"agency_name": 5, "domain_name": "d"}, "auth.identity.assume_role.agency_name")],
)
async def test_a_temporary_key_request_with_a_field_of_the_wrong_type_is_keystones_400(
    emulated: World, method_name: str, body: dict[str, Any], field: str
) -> None:
    request = {"auth": {"identity": {"methods": [method_name], method_name: body}}}
    url = f"{IAM}/v3.0/OS-CREDENTIAL/securitytokens"
    answer = await emulated.send("POST", url, content=json.dumps(request).encode())
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith(field + " ")
    assert emulated.fake.iam.temporary_keys == {}


# --- the gateway: malformed signatures -------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["SDK-ECDSA-P256-SHA256", "SDK-SM2-SM3"])
@pytest.mark.parametrize(
    "signature",
    # DER SEQUENCEs whose own length is right, cut short inside: no second INTEGER, or one without its length.
    ["3006020401020304", "3006020301020302"],
)
async def test_a_truncated_asymmetric_signature_is_the_gateways_401(algorithm: str, signature: str) -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    headers = {
        "Authorization": f"{algorithm} Access={fake.ak}, SignedHeaders=host;x-sdk-date, Signature={signature}",
        "X-Sdk-Date": "20260310T090000Z",
    }
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        answer = await client.get(f"{ECS}/v1/{fake.project_id}/cloudservers/flavors", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error_code"] == "APIGW.0301"
    assert answer.json()["error_msg"].endswith("verify aksk signature fail")


# --- routing: unknown ECS sub-paths ----------------------------------------------------------------------


# GET limits, GET os-server-groups... are ECS APIs, answered from the spec (tests/test_emulator_spec_tier.py); no ECS
# API has these methods on these names, and the names are still never taken for a server id.
@pytest.mark.parametrize(
    ("method", "name"),
    [("PUT", "limits"), ("DELETE", "os-server-groups"), ("POST", "resize_flavors"), ("GET", "server-name")],
)
async def test_an_ecs_api_the_emulator_lacks_is_the_gateways_404_not_a_server(
    emulated: World, method: str, name: str
) -> None:
    answer = await emulated.send(method, f"{ECS}/v1/{emulated.fake.project_id}/cloudservers/{name}", content=b"{}")
    shown = await emulated.send("GET", f"{ECS}/v1/{emulated.fake.project_id}/cloudservers/{emulated.server_id}")
    missing = await emulated.send("GET", f"{ECS}/v1/{emulated.fake.project_id}/cloudservers/no-such-server")
    assert answer.status_code == 404
    assert answer.json() == {
        "error_code": "APIGW.0101",
        "error_msg": "The API does not exist or has not been published in the environment",
        "request_id": answer.headers["x-request-id"],
    }
    assert shown.status_code == 200 and shown.json()["server"]["id"] == emulated.server_id
    assert ecs_error(missing) == (404, "Ecs.0114", "Instance[no-such-server] could not be found.")


def test_the_names_never_taken_for_a_server_id_are_those_of_ecs_own_apis() -> None:
    """The official client (a test-only oracle) lists every ECS API path; the emulator's list must be its own."""
    paths = re.findall(r'"resource_path": "([^"]+)"', inspect.getsource(EcsClient))
    names = {path.split("/")[4] for path in paths if path.startswith("/v1/{project_id}/cloudservers/")}
    assert names - {"{server_id}"} == CLOUDSERVERS_API_NAMES


# --- OBS ----------------------------------------------------------------------------------------------------


async def obs_call(
    fake: FakeHuaweiCloud,
    method: str,
    bucket: str | None,
    key: str | None = None,
    *,
    query: list[tuple[str, str | None]] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    signature: str | None = None,
) -> httpx.Response:
    """A request signed with the pure signer (``signature`` replaces the one it computes)."""
    query = query or []
    sent = {"Date": rfc1123_date(NOW), **(headers or {})}
    sent["Authorization"] = authorization(
        Credentials(ak=fake.ak, sk=fake.sk), method=method, bucket=bucket, key=key, query=query, headers=sent,
        path_style=False,
    )
    if signature is not None:
        sent["Authorization"] = sent["Authorization"].rpartition(":")[0] + ":" + signature
    host = OBS if bucket is None else f"{bucket}.{OBS}"
    encoded = query_string(query)
    url = f"https://{host}{wire_path(bucket=bucket, key=key, path_style=False)}" + (f"?{encoded}" if encoded else "")
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        # As UTF-8 bytes: httpx would refuse a non-ASCII str.
        return await client.request(
            method, url, headers={name: value.encode() for name, value in sent.items()}, content=body
        )


def obs_error(response: httpx.Response) -> tuple[int, str | None]:
    return response.status_code, parse_xml(response.content).findtext("Code")


@pytest.fixture
async def with_bucket() -> FakeHuaweiCloud:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    assert (await obs_call(fake, "PUT", "bkt")).status_code == 200
    assert (await obs_call(fake, "PUT", "bkt", "k", body=b"0123456789")).status_code == 200
    return fake


@pytest.mark.parametrize(
    ("method", "key", "query"),
    [
        ("GET", None, [("uploads", None)]),  # ListMultipartUploads: a sub-resource the emulator handles elsewhere
        ("POST", None, []),  # the browser-form upload
        ("OPTIONS", "k", []),  # the CORS preflight
    ],
)
async def test_every_obs_api_the_emulator_lacks_is_not_implemented_like_an_unknown_sub_resource(
    with_bucket: FakeHuaweiCloud, method: str, key: str | None, query: list[tuple[str, str | None]]
) -> None:
    answer = await obs_call(with_bucket, method, "bkt", key, query=query)
    unknown_sub_resource = await obs_call(with_bucket, "GET", "bkt", query=[("policy", None)])
    assert obs_error(answer) == obs_error(unknown_sub_resource) == (501, "NotImplemented")


async def test_a_method_no_obs_api_uses_is_method_not_allowed(with_bucket: FakeHuaweiCloud) -> None:
    assert obs_error(await obs_call(with_bucket, "PATCH", "bkt", "k")) == (405, "MethodNotAllowed")


async def test_a_non_ascii_obs_signature_does_not_match(with_bucket: FakeHuaweiCloud) -> None:
    # hmac.compare_digest raises TypeError on a str with non-ASCII characters.
    answer = await obs_call(with_bucket, "GET", "bkt", "k", signature="sïgnature")
    assert obs_error(answer) == (403, "SignatureDoesNotMatch")


async def test_range_positions_of_thousands_of_digits(with_bucket: FakeHuaweiCloud) -> None:
    # int() refuses more than 4300 digits; such a position is past the end of any object.
    huge = "9" * 5000
    past_the_end = await obs_call(with_bucket, "GET", "bkt", "k", headers={"Range": f"bytes={huge}-"})
    to_the_end = await obs_call(with_bucket, "GET", "bkt", "k", headers={"Range": f"bytes=2-{huge}"})
    assert obs_error(past_the_end) == (416, "InvalidRange")
    assert (to_the_end.status_code, to_the_end.content) == (206, b"23456789")


async def test_an_upload_part_without_its_number_is_invalid_argument(with_bucket: FakeHuaweiCloud) -> None:
    started = await obs_call(with_bucket, "POST", "bkt", "big", query=[("uploads", None)])
    upload_id = parse_xml(started.content).findtext("UploadId")
    answer = await obs_call(with_bucket, "PUT", "bkt", "big", query=[("uploadId", upload_id)], body=b"part")
    assert obs_error(answer) == (400, "InvalidArgument")  # it was stored as a part number 0


# --- the central guard: a bug of the emulator's own ----------------------------------------------------------


async def boom(request: EmulatedRequest) -> EmulatedResponse:
    raise RuntimeError("an emulator bug")


@pytest.mark.parametrize(
    ("service", "url", "expected"),
    [
        ("ecs", f"{ECS}/v1/{{project_id}}/cloudservers/flavors",
         {"error": {"code": "Ecs.0002",
                    "message": "A system exception occurred. Try again later or contact customer service."}}),
        ("iam", f"{IAM}/v3/auth/domains",
         {"error": {"code": 500, "title": "Internal Server Error",
                    "message": "An unexpected error prevented the server from fulfilling your request."}}),
    ],
)
async def test_a_bug_is_the_services_500_and_recorded(
    emulated: World, monkeypatch: pytest.MonkeyPatch, service: str, url: str, expected: dict[str, Any]
) -> None:
    monkeypatch.setattr(getattr(emulated.fake, service), "handle", boom)
    answer = await emulated.send("GET", url.format(project_id=emulated.fake.project_id))
    assert answer.status_code == 500 and answer.json() == expected
    assert answer.headers["x-request-id"] and answer.headers["date"]
    [recorded] = emulated.fake.internal_errors
    assert (recorded.service, recorded.method, str(recorded.error)) == (service, "GET", "an emulator bug")
    assert "an emulator bug" not in repr(recorded)
    emulated.fake.internal_errors.clear()  # accepted: the plugin fails a test that leaves one behind


async def test_an_obs_bug_is_obs_internal_error_xml(
    with_bucket: FakeHuaweiCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(with_bucket.obs, "handle", boom)
    answer = await obs_call(with_bucket, "GET", "bkt")
    head = await obs_call(with_bucket, "HEAD", "bkt")
    assert obs_error(answer) == (500, "InternalError")
    assert parse_xml(answer.content).findtext("RequestId") == answer.headers["x-obs-request-id"]
    assert (head.status_code, head.content) == (500, b"")
    assert [error.service for error in with_bucket.internal_errors] == ["obs", "obs"]
    with_bucket.internal_errors.clear()


def test_a_served_emulator_answers_a_bug_in_the_services_dialect_not_plain_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeHuaweiCloud()
    monkeypatch.setattr(fake.ecs, "handle", boom)
    user = {"name": fake.iam.user_name, "password": fake.iam.password, "domain": {"name": fake.iam.domain_name}}
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}}}
    with fake.serve() as base_url:
        token = httpx.post(f"{base_url}/v3/auth/tokens", json=auth).headers["x-subject-token"]
        answer = httpx.get(f"{base_url}/v1/{fake.project_id}/cloudservers/flavors", headers={"X-Auth-Token": token})
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["error"]["code"] == "Ecs.0002"
    assert len(fake.internal_errors) == 1
    fake.internal_errors.clear()


async def test_the_plugin_fails_a_test_during_which_an_emulator_failed_internally(
    emulated: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    during_test = pytest_plugin.pytest_runtest_call()
    next(during_test)
    monkeypatch.setattr(emulated.fake.ecs, "handle", boom)
    await emulated.send("GET", emulated.url("/v1/{project_id}/cloudservers/flavors"))
    reported = r"failed internally on 1 request\(s\), the first GET /v1/\w+/cloudservers/flavors \(ecs\)"
    with pytest.raises(AssertionError, match=reported) as caught:
        during_test.send(None)
    assert isinstance(caught.value.__cause__, RuntimeError)
    emulated.fake.internal_errors.clear()
    cleared_before_the_end = pytest_plugin.pytest_runtest_call()
    next(cleared_before_the_end)
    with pytest.raises(StopIteration):
        cleared_before_the_end.send(None)


# --- properties: whatever arrives at any route, the answer is the service's own 4xx (or a success) ---------------

# The routes and the shape of their bodies are the same in every emulator: strategies draw from this one's.
SHAPES = templates(FakeHuaweiCloud(), server_id="server", token="token")
ROUTES = st.sampled_from(sorted(SHAPES))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=12,
)
DROP = object()  # a mutation that removes the field instead of replacing it
QUERY_NAMES = st.sampled_from(
    ["limit", "offset", "marker", "name", "status", "flavor", "ip", "tags", "not-tags", "server_id", "page",
     "per_page", "enabled", "nocatalog", "user_id", "domain_id", "id"]
) | st.text(max_size=8)
PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def node_paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path (keys and indexes) to every node of a JSON document, the root first."""
    children: list[tuple[Any, Any]] = []
    if isinstance(document, dict):
        children = list(document.items())
    elif isinstance(document, list):
        children = list(enumerate(document))
    return [prefix, *[path for key, child in children for path in node_paths(child, (*prefix, key))]]


FIELDS = st.sampled_from(
    [(route, path) for route, body in sorted(SHAPES.items()) if body is not None for path in node_paths(body)]
)


def mutated(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return None if value is DROP else value
    copy = json.loads(json.dumps(document))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    if value is DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copy


async def assert_answered_in_dialect(route: tuple[str, str], body: Callable[[World], bytes], **request: Any) -> None:
    """Send ``body(world)`` to ``route`` of a new emulator (``body`` may use the ids of what the emulator holds)."""
    built = await world()
    method, pattern = route
    try:
        answer = await built.send(method, built.url(pattern), content=body(built), **request)
        assert_error_dialect(answer)
        assert built.fake.internal_errors == []
    finally:
        await built.client.aclose()


def test_every_route_has_a_valid_body_to_mutate() -> None:
    """The properties below reach each route through SHAPES: a new route must bring its valid body."""
    assert sorted(SHAPES) == sorted(routes(FakeHuaweiCloud()))


@PROPERTY_SETTINGS
@given(route=ROUTES, value=JSON_VALUES)
async def test_any_json_value_as_the_body(route: tuple[str, str], value: Any) -> None:
    await assert_answered_in_dialect(route, lambda _: json.dumps(value).encode())


@PROPERTY_SETTINGS
@given(field=FIELDS, value=JSON_VALUES | st.just(DROP))
async def test_a_valid_body_with_one_field_replaced_or_dropped(
    field: tuple[tuple[str, str], tuple[Any, ...]], value: Any
) -> None:
    route, path = field

    def body(built: World) -> bytes:
        valid = templates(built.fake, server_id=built.server_id, token=built.token)[route]
        return json.dumps(mutated(valid, path, value)).encode()

    await assert_answered_in_dialect(route, body)


@PROPERTY_SETTINGS
@given(
    route=ROUTES,
    body=st.binary(max_size=48) | st.sampled_from([DEEP_ARRAY, DEEP_OBJECT, HUGE_INTEGER, b"\xff\xfe{}", b"\xc3("]),
)
async def test_any_bytes_as_the_body(route: tuple[str, str], body: bytes) -> None:
    await assert_answered_in_dialect(route, lambda _: body)


@PROPERTY_SETTINGS
@given(route=ROUTES, query=st.lists(st.tuples(QUERY_NAMES, st.text(max_size=12)), max_size=4))
async def test_any_query(route: tuple[str, str], query: list[tuple[str, str]]) -> None:
    def valid_body(built: World) -> bytes:
        valid = templates(built.fake, server_id=built.server_id, token=built.token)[route]
        return b"" if valid is None else json.dumps(valid).encode()

    await assert_answered_in_dialect(route, valid_body, params=query)


@st.composite
def der_signatures(draw: st.DrawFn) -> str:
    """``SEQUENCE { INTEGER, INTEGER }`` with lengths that may lie, cut anywhere, its outer length made to match."""
    integers = b""
    for _ in range(2):
        value = draw(st.binary(max_size=34))
        claimed = draw(st.sampled_from([len(value), len(value) + 1, max(len(value) - 1, 0), 255]))
        integers += bytes([0x02, claimed]) + value
    body = integers[: draw(st.integers(0, len(integers)))]
    return (bytes([0x30, len(body)]) + body).hex()


async def ecs_answer(fake: FakeHuaweiCloud, headers: list[tuple[bytes, bytes]]) -> httpx.Response:
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        return await client.get(f"{ECS}/v1/{fake.project_id}/cloudservers/flavors", headers=headers)


def assert_signature_refused(answer: httpx.Response) -> None:
    assert answer.status_code == 401
    assert_error_dialect(answer)
    assert answer.json()["error_code"] == "APIGW.0301"


@PROPERTY_SETTINGS
@given(
    authorization=st.text(max_size=60)
    | st.builds(
        "{} Access={}, SignedHeaders={}, Signature={}".format,
        st.sampled_from(["SDK-HMAC-SHA256", "SDK-HMAC-SM3", "SDK-ECDSA-P256-SHA256", "SDK-SM2-SM3", "X"]),
        st.sampled_from(["HWEMULATORDEMOAK0001", "unknown"]),
        st.sampled_from(["host;x-sdk-date", "x-sdk-date;host", "host"]),
        st.text(alphabet="0123456789abcdef", max_size=150),
    ),
    sdk_date=st.sampled_from(["20260310T090000Z", "20260310T090000", "99999999T999999Z", ""]),
)
async def test_any_authorization_header_is_the_gateways_401(authorization: str, sdk_date: str) -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    headers = [(b"Authorization", authorization.encode()), (b"X-Sdk-Date", sdk_date.encode())]
    assert_signature_refused(await ecs_answer(fake, headers))


@PROPERTY_SETTINGS
@given(algorithm=st.sampled_from(["SDK-ECDSA-P256-SHA256", "SDK-SM2-SM3"]), signature=der_signatures())
async def test_any_asymmetric_signature_in_an_otherwise_valid_header_is_the_gateways_401(
    algorithm: str, signature: str
) -> None:
    fake = FakeHuaweiCloud(clock=lambda: NOW)
    authorization = f"{algorithm} Access={fake.ak}, SignedHeaders=host;x-sdk-date, Signature={signature}"
    headers = [(b"Authorization", authorization.encode()), (b"X-Sdk-Date", b"20260310T090000Z")]
    assert_signature_refused(await ecs_answer(fake, headers))
