"""Bridges to the official SDKs, which are test-only oracles."""

from __future__ import annotations

import httpx
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import DerivationAKSKSigner, SM3Signer
from huaweicloudsdkcore.signer.signer import Signer as OfficialSigner

from hwcloud_client.auth import apig

_SIGNERS = {"SDK-HMAC-SHA256": OfficialSigner, "SDK-HMAC-SM3": SM3Signer}


class OfficialCredentials:
    def __init__(self, ak: str, sk: str) -> None:
        self.ak = ak
        self.sk = sk


def official_request_from_wire(request: httpx.Request) -> SdkRequest:
    """The official SdkRequest for a request exactly as httpx sends it (our hook has already run)."""
    raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
    headers = {
        name: value
        for name, value in request.headers.items()
        if name not in apig.UNSIGNED_HEADERS
    }
    return SdkRequest(
        method=request.method,
        schema=request.url.scheme,
        host=request.url.netloc.decode("ascii"),
        resource_path=raw_path,
        query_params=apig.parse_query(raw_query, plus_is_space=False),
        header_params=headers,
        body=request.content,
    )


def official_authorization(
    request: httpx.Request,
    ak: str,
    sk: str,
    *,
    algorithm: str = "SDK-HMAC-SHA256",
    region: str | None = None,
    service: str | None = None,
) -> str:
    sdk_request = official_request_from_wire(request)
    credentials = OfficialCredentials(ak, sk)
    if algorithm == "V11-HMAC-SHA256":
        DerivationAKSKSigner(credentials).sign(sdk_request, service, region)
    else:
        _SIGNERS[algorithm](credentials).sign(sdk_request)
    return str(sdk_request.header_params["Authorization"])
