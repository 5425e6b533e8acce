"""The pure signer against the official test vectors (shared/reference/official-sdk.md §2.9)."""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer as OfficialSigner

from hwcloud_client.auth import apig
from hwcloud_client.config import Credentials, SigningAlgorithm
from hwcloud_client.errors import ConfigurationError
from tests.oracle import CONNECTION_HEADERS, OfficialCredentials

CREDS = Credentials(ak="AKTEST", sk="SKTEST")
DATE = "20240101T000000Z"
VECTOR_B_HEADERS = {
    "content-type": "application/json",
    "host": "ecs.cn-north-4.myhuaweicloud.com",
    "user-agent": "ua",
    "x-project-id": "p123",
    "x-sdk-date": DATE,
    "x_under": "skip",
}
VECTOR_B_QUERY = "limit=10&b=true&a=x%20y&a=%C3%A9~*"


def test_vector_a_get_with_query() -> None:
    headers = {"content-type": "application/json", "host": "iam.myhuaweicloud.com", "x-sdk-date": DATE}
    spec = apig.algorithm_spec("SDK-HMAC-SHA256")
    signed = ["content-type", "host", "x-sdk-date"]
    canonical = apig.canonical_request("GET", "/v3/projects", "name=cn-north-4", headers, signed, spec.empty_hash)
    assert canonical == (
        "GET\n/v3/projects/\nname=cn-north-4\ncontent-type:application/json\nhost:iam.myhuaweicloud.com\n"
        "x-sdk-date:20240101T000000Z\n\ncontent-type;host;x-sdk-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    authorization = apig.sign_request(
        method="GET", raw_path="/v3/projects", raw_query="name=cn-north-4", headers=headers,
        body_hash=spec.empty_hash, credentials=CREDS, sdk_date=DATE,
    )
    assert authorization == (
        "SDK-HMAC-SHA256 Access=AKTEST, SignedHeaders=content-type;host;x-sdk-date, "
        "Signature=3cf83f48e168b08a4cea10e34ce6216cbf96073b4366aba9810f871d47b1db8c"
    )


@pytest.mark.parametrize(
    ("algorithm", "signature"),
    [
        ("SDK-HMAC-SHA256", "7d07cca8f1a5facde394737b41f9bd3725c02dd7bfd69a5613999732567795e8"),
        ("SDK-HMAC-SM3", "25199c487736a3efe4cf9d49b300845b5a8e2da1eb78d7c6c834e1b86d3ad5f3"),
        ("V11-HMAC-SHA256", "c2e00fea48af2581aaf26c7c9bf042af0b351ef3eb99433d6e15fefd22e05ef0"),
    ],
)
def test_vector_b_post_json(algorithm: SigningAlgorithm, signature: str) -> None:
    spec = apig.algorithm_spec(algorithm)
    authorization = apig.sign_request(
        method="POST", raw_path="/v1/p123/cloudservers/a b%2Fc", raw_query=VECTOR_B_QUERY,
        headers=VECTOR_B_HEADERS, body_hash=spec.hexdigest(b'{"a":1}'), credentials=CREDS,
        sdk_date=DATE, algorithm=algorithm, region="cn-north-4", service="ecs",
    )
    assert authorization.endswith(f"SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, "
                                  f"Signature={signature}")
    if algorithm == "V11-HMAC-SHA256":
        assert authorization.startswith("V11-HMAC-SHA256 Credential=AKTEST/20240101/cn-north-4/ecs, ")


def test_vector_b_canonical_uri_and_query() -> None:
    assert apig.canonical_uri("/v1/p123/cloudservers/a b%2Fc") == "/v1/p123/cloudservers/a%20b/c/"
    assert apig.canonical_query(apig.parse_query(VECTOR_B_QUERY)) == "a=x%20y&a=%C3%A9~%2A&b=true&limit=10"


def test_vector_c_octet_stream_is_unsigned_payload() -> None:
    spec = apig.algorithm_spec("SDK-HMAC-SHA256")
    headers = dict(VECTOR_B_HEADERS, **{"content-type": "application/octet-stream"})
    assert apig.needs_unsigned_payload(headers["content-type"])
    headers["x-sdk-content-sha256"] = apig.UNSIGNED_PAYLOAD
    body_hash = apig.payload_hash(spec, b"raw", content_header_value=apig.UNSIGNED_PAYLOAD)
    assert body_hash == apig.UNSIGNED_PAYLOAD
    authorization = apig.sign_request(
        method="POST", raw_path="/v1/p123/cloudservers/a b%2Fc", raw_query=VECTOR_B_QUERY,
        headers=headers, body_hash=body_hash, credentials=CREDS, sdk_date=DATE,
    )
    assert authorization.endswith(
        "SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-content-sha256;x-sdk-date, "
        "Signature=ae41af2098847b8393407437a5f82f34177ae5ed1c80f1f3d940900140c2b3b0"
    )


def test_v11_derived_key_matches_reference() -> None:
    assert apig.derive_v11_key("AKTEST", "SKTEST", "20240101/cn-north-4/ecs") == (
        "620c704b775b9b22450c8f1dbda6b721f03c437ef0f33d19ba54f56695f68530"
    )


def test_v11_without_scope_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="region and the service"):
        apig.sign_request(
            method="GET", raw_path="/", raw_query="", headers={"host": "h", "x-sdk-date": DATE},
            body_hash=apig.algorithm_spec("V11-HMAC-SHA256").empty_hash, credentials=CREDS,
            sdk_date=DATE, algorithm="V11-HMAC-SHA256",
        )


@pytest.mark.parametrize(("region", "service", "missing"), [("cn-north-4", None, "service"), (None, "ecs", "region"),
                                                           ("cn-north-4", "", "service")])
def test_v11_with_half_a_scope_never_signs_none(region: str | None, service: str | None, missing: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        apig.sign_request(
            method="GET", raw_path="/", raw_query="", headers={"host": "h", "x-sdk-date": DATE},
            body_hash=apig.algorithm_spec("V11-HMAC-SHA256").empty_hash, credentials=CREDS,
            sdk_date=DATE, algorithm="V11-HMAC-SHA256", region=region, service=service,
        )
    assert str(caught.value) == (
        f"V11-HMAC-SHA256 needs the region and the service name of the request ({missing} missing); "
        "use it through AsyncHuaweiCloud or pass region=/service= to the signing hook"
    )


def test_unknown_algorithm_names_the_choices() -> None:
    expected = (
        "signing_algorithm 'HMAC-MD5' is not supported; choose one of SDK-HMAC-SHA256, SDK-HMAC-SM3, "
        "V11-HMAC-SHA256, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3"
    )
    with pytest.raises(ConfigurationError) as caught:
        apig.algorithm_spec("HMAC-MD5")
    assert str(caught.value) == expected
    with pytest.raises(ConfigurationError) as caught:
        apig.sign_request(
            method="GET", raw_path="/", raw_query="", headers={"host": "h"}, body_hash="", credentials=CREDS,
            sdk_date=DATE, algorithm="HMAC-MD5",  # type: ignore[arg-type]
        )
    assert str(caught.value) == expected


@pytest.mark.parametrize(
    ("content_type", "unsigned"),
    [
        (None, False),
        ("application/json", False),
        ("application/json;charset=utf-8", False),
        ("application/json-patch+json", False),
        ("application/bson", False),
        ("Application/JSON", True),
        ("application/octet-stream", True),
        ("application/xml", True),
        ("multipart/form-data; boundary=x", True),
    ],
)
def test_unsigned_payload_rule_is_the_official_one(content_type: str | None, unsigned: bool) -> None:
    assert apig.needs_unsigned_payload(content_type) is unsigned


def test_streamed_json_body_cannot_be_signed_unread() -> None:
    with pytest.raises(ValueError) as caught:
        apig.payload_hash(apig.algorithm_spec("SDK-HMAC-SHA256"), None, content_header_value=None)
    assert str(caught.value) == "a streamed body must be sent with an UNSIGNED-PAYLOAD content header"


def test_a_python_without_sm3_gets_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_new = apig.hashlib.new

    def without_sm3(name: str, *args: object) -> object:
        if name.lower() == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real_new(name, *args)

    monkeypatch.setattr(apig.hashlib, "new", without_sm3)
    with pytest.raises(ConfigurationError) as caught:
        apig.algorithm_spec("SDK-HMAC-SM3").hexdigest(b"x")
    assert str(caught.value) == (
        "SDK-HMAC-SM3/SDK-SM2-SM3 need SM3, which this Python's OpenSSL lacks; "
        "use a Python whose OpenSSL provides SM3 (hashlib.new('sm3'))"
    )
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_canonical_query_encodes_slashes_and_reserved_characters_like_the_official_signer() -> None:
    pairs = [("a/b", "c/d"), ("k", "~*'()!$&+,;=:@? é")]
    assert apig.canonical_query(pairs) == "a%2Fb=c%2Fd&k=~%2A%27%28%29%21%24%26%2B%2C%3B%3D%3A%40%3F%20%C3%A9"
    headers = {"host": "h.example.com", "x-sdk-date": DATE}
    raw_query = apig.canonical_query(pairs)
    assert apig.sign_request(
        method="GET", raw_path="/x", raw_query=raw_query, headers=headers,
        body_hash=apig.algorithm_spec("SDK-HMAC-SHA256").empty_hash, credentials=CREDS, sdk_date=DATE,
    ) == _official("GET", "/x", pairs, headers)


# --- query-less and connection-header vectors, checked against the official signer itself -----------------


def _official(method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes = b"") -> str:
    request = SdkRequest(method=method, schema="https", host=headers["host"], resource_path=path,
                         query_params=query, header_params=dict(headers), body=body)
    OfficialSigner(OfficialCredentials(CREDS.ak, CREDS.sk.get_secret_value())).sign(request)
    return str(request.header_params["Authorization"])


QUERYLESS_HEADERS = {"host": "iam.myhuaweicloud.com", "x-sdk-date": DATE}
QUERYLESS_AUTHORIZATION = (
    "SDK-HMAC-SHA256 Access=AKTEST, SignedHeaders=host;x-sdk-date, "
    "Signature=b4cab10b1a521625d464899217dfc0758e4729f41246ebd4f62d7e1073de7f91"
)


@pytest.mark.parametrize("raw_query", ["", "&", "&&"])
def test_a_request_without_parameters_signs_an_empty_query_line(raw_query: str) -> None:
    spec = apig.algorithm_spec("SDK-HMAC-SHA256")
    signed = ["host", "x-sdk-date"]
    canonical = apig.canonical_request("GET", "/v3/projects", raw_query, QUERYLESS_HEADERS, signed, spec.empty_hash)
    assert canonical.split("\n")[:3] == ["GET", "/v3/projects/", ""]
    authorization = apig.sign_request(
        method="GET", raw_path="/v3/projects", raw_query=raw_query, headers=QUERYLESS_HEADERS,
        body_hash=spec.empty_hash, credentials=CREDS, sdk_date=DATE,
    )
    assert authorization == _official("GET", "/v3/projects", [], QUERYLESS_HEADERS)
    assert authorization == QUERYLESS_AUTHORIZATION


@pytest.mark.parametrize(
    ("raw_query", "pairs"),
    [
        ("", []),
        ("&", []),
        ("a&&b=1&", [("a", ""), ("b", "1")]),
        ("acl", [("acl", "")]),
        ("=v", [("", "v")]),
        ("k=a+b%2B", [("k", "a b+")]),
    ],
)
def test_parse_query_drops_empty_pieces_only(raw_query: str, pairs: list[tuple[str, str]]) -> None:
    assert apig.parse_query(raw_query) == pairs
    headers = {"host": "h.example.com", "x-sdk-date": DATE}
    authorization = apig.sign_request(
        method="GET", raw_path="/x", raw_query=raw_query, headers=headers,
        body_hash=apig.algorithm_spec("SDK-HMAC-SHA256").empty_hash, credentials=CREDS, sdk_date=DATE,
    )
    assert authorization == _official("GET", "/x", pairs, headers)


def test_connection_headers_are_never_signed() -> None:
    """The official SDK signs what it hands its signer; connection-level headers come later, from its HTTP library."""
    ordinary = {"host": "ecs.cn-north-4.myhuaweicloud.com", "x-sdk-date": DATE, "accept": "*/*"}
    connection = {name.lower(): "x" for name in CONNECTION_HEADERS}
    spec = apig.algorithm_spec("SDK-HMAC-SHA256")
    authorization = apig.sign_request(
        method="GET", raw_path="/v1/p", raw_query="", headers={**ordinary, **connection},
        body_hash=spec.empty_hash, credentials=CREDS, sdk_date=DATE,
    )
    assert "SignedHeaders=accept;host;x-sdk-date," in authorization
    assert authorization == _official("GET", "/v1/p", [], ordinary)
    for name in connection:
        assert not apig.is_signed_header(name)
    assert apig.is_signed_header("accept") and not apig.is_signed_header("x_under")
