"""One routing mechanism for every emulated service: the Route table and Router of ``testing._routes``.

The JSON services (IAM, ECS, VPC/EIP, EVS, IMS) and OBS all declare their APIs as ``Route`` tables; OBS's routes are
told apart by the sub-resource that names the operation (``?location``, ``?uploads``, ``?acl``...), as its API
reference names them (e.g. GetBucketLocation, ``GET /?location``, support.huaweicloud.com/api-obs/obs_04_0024.html).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from hwcloud_client.testing import EmulatedRequest, EmulatedResponse, FakeHuaweiCloud
from hwcloud_client.testing._routes import Route, RouteNotFound, Router, ServiceError

from .test_emulator_malformed import obs_call, obs_error


def _answer(name: str) -> Callable[[str, Sequence[str]], EmulatedResponse]:
    def handler(_: str, path: Sequence[str]) -> EmulatedResponse:
        return EmulatedResponse(200, body=f"{name}:{','.join(path)}".encode())

    return handler


def _request(method: str, path: str) -> EmulatedRequest:
    return EmulatedRequest(method=method, raw_path=path, raw_query="", headers={}, body=b"", host="")


def test_sub_resource_routes_are_told_apart_from_the_plain_one() -> None:
    router: Router[str] = Router([
        Route("GET", "/{bucket}", _answer("list")),
        Route("GET", "/{bucket}", _answer("location"), "location"),
        Route("PUT", "/{bucket}/{key}", _answer("put")),
    ])
    listed, located = router.find("GET", "/b"), router.find("GET", "/b", "location")
    assert listed is not None and located is not None
    assert listed[0]("call", listed[1]).body == b"list:b"
    assert located[0]("call", located[1]).body == b"location:b"
    # A route without a sub-resource never answers a request that names one, nor the other way round.
    assert router.find("GET", "/b", "uploads") is None
    assert router.find("PUT", "/b/k", "uploadId") is None
    put = router.find("PUT", "/b/a%2Fkey")
    assert put is not None and put[1] == ["b", "a/key"]  # parameters percent-decoded


def test_json_dispatch_answers_service_errors_and_refuses_unknown_paths() -> None:
    def refuse(_: EmulatedRequest, __: Sequence[str]) -> EmulatedResponse:
        raise ServiceError(409, {"code": "X.0001", "message": "no"})

    router = Router([Route("DELETE", "/v1/things/{thing_id}", refuse)], reserved={"thing_id": {"detail"}})
    assert router.dispatch(_request("DELETE", "/v1/things/t1")).status == 409
    with pytest.raises(RouteNotFound):
        router.dispatch(_request("DELETE", "/v1/things/detail"))  # a reserved name is another API's
    with pytest.raises(RouteNotFound):
        router.dispatch(_request("GET", "/v1/things/t1"))


@pytest.mark.anyio
async def test_obs_goes_through_the_same_router_with_its_own_errors() -> None:
    """OBS's requests are recorded, fault-injected and answered like every service's; only its answers are its own
    (XML errors, its own signature check)."""
    fake = FakeHuaweiCloud(clock=lambda: 1_773_133_200.0)
    fake.faults.fail_next(1, status=503, service="obs")
    failed = await obs_call(fake, "PUT", "bkt")
    created = await obs_call(fake, "PUT", "bkt")
    located = await obs_call(fake, "GET", "bkt", query=[("location", None)])
    lacking = await obs_call(fake, "GET", "bkt", query=[("uploads", None)])  # ListMultipartUploads: not emulated
    assert failed.status_code == 503 and created.status_code == 200 and located.status_code == 200
    assert obs_error(lacking) == (501, "NotImplemented")
    assert [(call.service, call.status) for call in fake.calls] == [
        ("obs", 503), ("obs", 200), ("obs", 200), ("obs", 501)
    ]
