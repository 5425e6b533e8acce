"""Bridges to the official SDKs, which are test-only oracles.

The official side is built independently of ``hwcloud_client.auth.apig``: nothing here imports it.

* The query the official signer sees is the *logical* one the caller asked for, turned into the
  official ``SdkRequest.query_params`` by the official core client's own parameter handling
  (``Client._parse_query_params``: ``None`` values dropped, lists sent one pair per value). When a
  test does not say what it asked for, the wire query is decoded with the standard library.
* The official signer signs every header of ``SdkRequest.header_params``; headers that the official
  stack's HTTP library (requests/urllib3) adds after signing are not among them. Those are the
  connection-level ones, listed below from the HTTP RFCs, not from our signer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

import httpx
from huaweicloudsdkcore.client import Client as OfficialClient
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import DerivationAKSKSigner, SM3Signer
from huaweicloudsdkcore.signer.signer import Signer as OfficialSigner

_SIGNERS = {"SDK-HMAC-SHA256": OfficialSigner, "SDK-HMAC-SM3": SM3Signer}

# Connection-level (hop-by-hop) request headers: RFC 9110 §7.6.1 (Connection, Proxy-Connection,
# Keep-Alive, TE, Transfer-Encoding, Upgrade), RFC 7230 §4.4 (Trailer), and Proxy-Authorization,
# which the first proxy consumes (RFC 9110 §11.7.2). A proxy may rewrite or drop any of them, so a
# signature over them would break on the way; the official SDK never hands them to its signer.
CONNECTION_HEADERS = (
    "Connection", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
    "Transfer-Encoding", "Upgrade",
)
_CONNECTION_HEADERS_LOWER = frozenset(name.lower() for name in CONNECTION_HEADERS)

Query = Sequence[tuple[str, Any]] | Mapping[str, Any]


class OfficialCredentials:
    def __init__(self, ak: str, sk: str) -> None:
        self.ak = ak
        self.sk = sk


def official_query_params(query: Query) -> list[tuple[str, Any]]:
    """The official core client's own ``query_params`` for the query a caller passes."""
    client = OfficialClient.__new__(OfficialClient)  # the method needs no configured client
    params = dict(query) if isinstance(query, Mapping) else list(query)
    return list(client._parse_query_params(None, params))


def official_request_from_wire(request: httpx.Request, *, query: Query | None = None) -> SdkRequest:
    """The official SdkRequest for the request our hook signed: same path, headers and body.

    ``query`` is the query the test asked for; without it the wire query is decoded by the stdlib.
    """
    raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
    if query is None:
        query = parse_qsl(raw_query, keep_blank_values=True)
    headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in _CONNECTION_HEADERS_LOWER and name.lower() != "authorization"
    }
    return SdkRequest(
        method=request.method,
        schema=request.url.scheme,
        host=request.url.netloc.decode("ascii"),
        resource_path=raw_path,
        query_params=official_query_params(query),
        header_params=headers,
        body=request.content,
    )


def official_signed_request(
    request: httpx.Request,
    ak: str,
    sk: str,
    *,
    query: Query | None = None,
    algorithm: str = "SDK-HMAC-SHA256",
    region: str | None = None,
    service: str | None = None,
) -> SdkRequest:
    """The official request after the official signer ran: ``header_params["Authorization"]`` and
    ``uri`` (the target the official SDK puts on the wire)."""
    sdk_request = official_request_from_wire(request, query=query)
    credentials = OfficialCredentials(ak, sk)
    if algorithm == "V11-HMAC-SHA256":
        DerivationAKSKSigner(credentials).sign(sdk_request, service, region)
    else:
        _SIGNERS[algorithm](credentials).sign(sdk_request)
    return sdk_request


def official_authorization(
    request: httpx.Request,
    ak: str,
    sk: str,
    *,
    query: Query | None = None,
    algorithm: str = "SDK-HMAC-SHA256",
    region: str | None = None,
    service: str | None = None,
) -> str:
    sdk_request = official_signed_request(
        request, ak, sk, query=query, algorithm=algorithm, region=region, service=service
    )
    return str(sdk_request.header_params["Authorization"])
