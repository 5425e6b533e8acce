"""SDK-ECDSA-P256-SHA256 and SDK-SM2-SM3 against the official core (a test-only oracle).

Signatures use a random k, so they are verified rather than compared: with ``cryptography`` for
ECDSA, with gmssl (independent pure-Python SM2) and the official ``SM2SigningKey.verify`` for SM2.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from gmssl import sm2 as gmssl_sm2  # type: ignore[import-untyped]
from huaweicloudsdkcore.sdk_request import SdkRequest  # type: ignore[import-untyped]
from huaweicloudsdkcore.signer.signer import P256SHA256Signer, SM2SM3Signer  # type: ignore[import-untyped]
from huaweicloudsdkcore.signer.utils import P256SigningKey, SM2SigningKey  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from hwcloud_client.auth import _asymmetric, apig
from hwcloud_client.auth._asymmetric import (
    P256,
    SM2,
    asymmetric_signature,
    clear_key_cache,
    derive_private_key,
    sm2_public_key,
)
from hwcloud_client.config import Credentials, SigningAlgorithm
from hwcloud_client.errors import ConfigurationError

ECDSA = "SDK-ECDSA-P256-SHA256"
SM2_SM3 = "SDK-SM2-SM3"
OFFICIAL_SIGNERS: dict[str, type[P256SHA256Signer]] = {ECDSA: P256SHA256Signer, SM2_SM3: SM2SM3Signer}

# AK/SK-like text: any non-surrogate characters (the derivation encodes both as UTF-8).
keys = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=48)
messages = st.text(st.characters(exclude_categories=["Cs"]), max_size=200)


class OfficialCredentials:
    def __init__(self, ak: str, sk: str) -> None:
        self.ak = ak
        self.sk = sk


def official_key(algorithm: str, ak: str, sk: str) -> int:
    return int(OFFICIAL_SIGNERS[algorithm](OfficialCredentials(ak, sk))._derive_key())


def p256_public_key(d: int) -> ec.EllipticCurvePublicKey:
    return ec.derive_private_key(d, ec.SECP256R1()).public_key()


def ecdsa_verifies(public_key: ec.EllipticCurvePublicKey, signature_hex: str, message: bytes) -> bool:
    try:
        public_key.verify(bytes.fromhex(signature_hex), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def gmssl_verifies(public_key: tuple[int, int], signature_hex: str, message: bytes) -> bool:
    verifier = gmssl_sm2.CryptSM2(private_key=None, public_key="{:064x}{:064x}".format(*public_key), asn1=True)
    return bool(verifier.verify_with_sm3(signature_hex, message))


def gmssl_public_key(d: int) -> tuple[int, int]:
    """d*G with gmssl's own curve arithmetic (independent of ours and of the official one)."""
    point = gmssl_sm2.CryptSM2(private_key=None, public_key="00" * 64)._kg(d, gmssl_sm2.default_ecc_table["g"])
    return int(point[:64], 16), int(point[64:], 16)


def is_strict_der(signature_hex: str) -> bool:
    raw = bytes.fromhex(signature_hex)
    return encode_dss_signature(*decode_dss_signature(raw)) == raw


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    clear_key_cache()
    yield
    clear_key_cache()


# --------------------------------------------------------------------------- key derivation


@settings(derandomize=True, max_examples=150, deadline=None)
@given(algorithm=st.sampled_from([ECDSA, SM2_SM3]), ak=keys, sk=keys)
def test_derived_key_equals_official(algorithm: str, ak: str, sk: str) -> None:
    assert derive_private_key(algorithm, ak, sk) == official_key(algorithm, ak, sk)


def test_derived_key_fixed_pairs_equal_official() -> None:
    for i in range(50):
        ak, sk = f"HPUA{i:016X}", f"sk-{i}-" + "x" * i
        for algorithm in (ECDSA, SM2_SM3):
            d = derive_private_key(algorithm, ak, sk)
            assert d == official_key(algorithm, ak, sk)
            assert 1 <= d <= (P256 if algorithm == ECDSA else SM2).n - 1


def test_derivation_retries_with_the_next_counter_and_bounds_by_the_curve_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HMAC outputs above n-2 are skipped. For SM2 the bound is the SM2 order (Java/Go SDKs); the
    official Python core inherits P-256's N_MINUS_TWO instead, which accepts SM2.n - 1."""
    too_big_for_sm2 = SM2.n - 1  # > SM2.n - 2 but < P256.n - 2
    seen_counters: list[int] = []

    def fake_hmac(digest: str, key: bytes, message: bytes) -> bytes:
        assert message.endswith(b"\x00\x00\x01\x00")
        seen_counters.append(message[-5])
        return (too_big_for_sm2 if message[-5] == 0 else 5).to_bytes(32, "big")

    monkeypatch.setattr(_asymmetric, "_hmac", fake_hmac)
    assert derive_private_key(SM2_SM3, "AK", "SK") == 6
    assert seen_counters == [0, 1]
    assert derive_private_key(ECDSA, "AK", "SK") == too_big_for_sm2 + 1

    official = SM2SM3Signer(OfficialCredentials("AK", "SK"))
    monkeypatch.setattr(official, "_hmac", lambda key, data: too_big_for_sm2.to_bytes(32, "big"))
    assert official._derive_key() == SM2.n  # the official Python quirk: an out-of-range scalar


def test_derivation_message_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, bytes, bytes]] = []

    def spy(digest: str, key: bytes, message: bytes) -> bytes:
        calls.append((digest, key, message))
        return (7).to_bytes(32, "big")

    monkeypatch.setattr(_asymmetric, "_hmac", spy)
    derive_private_key(ECDSA, "AKé", "SKé")
    derive_private_key(SM2_SM3, "AK", "SK")
    assert calls == [
        ("sha256", "SKé".encode(), b"\x00\x00\x00\x01SDK-ECDSA-P256-SHA256\x00AK\xc3\xa9\x00\x00\x00\x01\x00"),
        ("sm3", b"SK", b"\x00\x00\x00\x01SDK-SM2-SM3\x00AK\x00\x00\x00\x01\x00"),
    ]


# --------------------------------------------------------------------------- ECDSA


@settings(derandomize=True, max_examples=60, deadline=None)
@given(ak=keys, sk=keys, message=messages)
def test_ecdsa_signature_verifies_under_the_official_key(ak: str, sk: str, message: str) -> None:
    signature = asymmetric_signature(ECDSA, ak, sk, message)
    assert re.fullmatch(r"30[0-9a-f]+", signature)
    assert is_strict_der(signature)
    public_key = p256_public_key(official_key(ECDSA, ak, sk))
    assert ecdsa_verifies(public_key, signature, message.encode())
    assert not ecdsa_verifies(public_key, signature, message.encode() + b"!")


def test_ecdsa_signature_verifies_with_official_p256_signing_key() -> None:
    for ak, sk in [("AKTEST", "SKTEST"), ("HPUAQ4LQZQ3OMMW1L9RL", "t0pS3cr3t" * 4)]:
        official = P256SigningKey(official_key(ECDSA, ak, sk))
        ours = p256_public_key(derive_private_key(ECDSA, ak, sk)).public_numbers()
        assert official._public_key == (ours.x, ours.y)
        message = "SDK-ECDSA-P256-SHA256\n20240101T000000Z\n" + "ab" * 32
        signature = asymmetric_signature(ECDSA, ak, sk, message)
        assert official.verify(bytes.fromhex(signature), message.encode())
        assert not official.verify(bytes.fromhex(signature), message.encode() + b"x")


# --------------------------------------------------------------------------- SM2


@settings(derandomize=True, max_examples=30, deadline=None)
@given(ak=keys, sk=keys, message=messages)
def test_sm2_signature_verifies_independently(ak: str, sk: str, message: str) -> None:
    public_key = gmssl_public_key(official_key(SM2_SM3, ak, sk))
    assert sm2_public_key(ak, sk) == public_key
    signature = asymmetric_signature(SM2_SM3, ak, sk, message)
    assert is_strict_der(signature)
    assert gmssl_verifies(public_key, signature, message.encode())
    assert not gmssl_verifies(public_key, signature, message.encode() + b"!")


def test_sm2_signature_verifies_with_official_sm2_signing_key() -> None:
    for ak, sk in [("AKTEST", "SKTEST"), ("HPUAQ4LQZQ3OMMW1L9RL", "t0pS3cr3t" * 4)]:
        official = SM2SigningKey(official_key(SM2_SM3, ak, sk))
        assert official._public_key == sm2_public_key(ak, sk)
        assert min(official._public_key) >= 2**248  # full-width coordinates: both Z_A encodings agree
        message = "SDK-SM2-SM3\n20240101T000000Z\n" + "cd" * 32
        signature = asymmetric_signature(SM2_SM3, ak, sk, message)
        assert official.verify(bytes.fromhex(signature), message.encode())
        assert not official.verify(bytes.fromhex(signature), message.encode() + b"x")
        # and the other way round: the official signature verifies under our Z_A
        assert gmssl_verifies(sm2_public_key(ak, sk), official.sign(message.encode()).hex(), message.encode())


@pytest.mark.parametrize("ak", ["AKSHORT103", "AKSHORT196"])  # x, resp. y, has a leading zero byte
def test_sm2_z_a_uses_fixed_width_coordinates(ak: str) -> None:
    """Z_A encodes x_A, y_A on 32 bytes (GB/T 32918, BouncyCastle, tjfoc/gmsm). The official Python
    core strips leading zero bytes, so for such keys only the standard verifier agrees with us."""
    sk = "SK-short-coordinate"
    public_key = sm2_public_key(ak, sk)
    assert min(public_key) < 2**248
    message = b"SDK-SM2-SM3\n20240101T000000Z\n" + b"0" * 64
    signature = asymmetric_signature(SM2_SM3, ak, sk, message.decode())
    assert gmssl_verifies(public_key, signature, message)
    assert not SM2SigningKey(official_key(SM2_SM3, ak, sk)).verify(bytes.fromhex(signature), message)


def test_sm2_signatures_use_a_fresh_nonce() -> None:
    signatures = {asymmetric_signature(SM2_SM3, "AK", "SK", "same message") for _ in range(5)}
    assert len(signatures) == 5


@pytest.mark.parametrize("value", [1, 127, 128, 255, 256, 2**255 - 1, 2**255, SM2.n - 1, P256.n - 1])
def test_der_encoding_matches_cryptography(value: int) -> None:
    assert _asymmetric._der_signature(value, 1) == encode_dss_signature(value, 1)
    assert _asymmetric._der_signature(3, value) == encode_dss_signature(3, value)


# --------------------------------------------------------------------------- through apig.sign_request


def official_sign(algorithm: str, ak: str, sk: str, request: SdkRequest) -> tuple[str, str]:
    """(Authorization, string-to-sign) as the official signer computes them."""
    captured: list[str] = []

    class Capturing(OFFICIAL_SIGNERS[algorithm]):  # type: ignore[misc,valid-type]
        def _sign_string_to_sign(self, data: str, key: str | None = None) -> str:
            captured.append(data)
            return str(super()._sign_string_to_sign(data, key))

    Capturing(OfficialCredentials(ak, sk)).sign(request)
    return str(request.header_params["Authorization"]), captured[0]


@pytest.mark.parametrize(
    ("raw_query", "query_params"),
    [("limit=10&name=x%20y", [("limit", 10), ("name", "x y")]), ("", [])],
    ids=["query", "no-query"],
)
@pytest.mark.parametrize("algorithm", [ECDSA, SM2_SM3])
def test_sign_request_end_to_end(
    algorithm: SigningAlgorithm, raw_query: str, query_params: list[tuple[str, object]]
) -> None:
    ak, sk, date = "HPUAQ4LQZQ3OMMW1L9RL", "t0pS3cr3t" * 4, "20240315T101112Z"
    host = "ecs.cn-north-4.myhuaweicloud.com"
    body = b'{"server":{"name":"a b"}}'
    spec = apig.algorithm_spec(algorithm)
    authorization = apig.sign_request(
        method="POST",
        raw_path="/v1/p123/cloudservers/a%20b",
        raw_query=raw_query,
        headers={"content-type": "application/json", "host": host, "x-project-id": "p123", "x-sdk-date": date},
        body_hash=spec.hexdigest(body),
        credentials=Credentials(ak=ak, sk=SecretStr(sk)),
        sdk_date=date,
        algorithm=algorithm,
    )
    official_authorization, to_sign = official_sign(
        algorithm,
        ak,
        sk,
        SdkRequest(
            method="POST",
            schema="https",
            host=host,
            resource_path="/v1/p123/cloudservers/a%20b",
            query_params=query_params,
            header_params={"Content-Type": "application/json", "X-Project-Id": "p123", "X-Sdk-Date": date},
            body=body,
        ),
    )
    match = re.fullmatch(
        rf"{algorithm} Access={ak}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
        r"Signature=(30[0-9a-f]+)",
        authorization,
    )
    assert match, authorization
    prefix = authorization[: match.start(1)]
    assert official_authorization.startswith(prefix)
    assert to_sign.startswith(f"{algorithm}\n{date}\n")

    signature = match.group(1)
    official_signature = official_authorization[len(prefix) :]
    if algorithm == ECDSA:
        public_key = p256_public_key(official_key(ECDSA, ak, sk))
        assert ecdsa_verifies(public_key, signature, to_sign.encode())
        assert ecdsa_verifies(public_key, official_signature, to_sign.encode())
    else:
        official = SM2SigningKey(official_key(SM2_SM3, ak, sk))
        assert official.verify(bytes.fromhex(signature), to_sign.encode())
        assert gmssl_verifies(official._public_key, signature, to_sign.encode())
        assert gmssl_verifies(official._public_key, official_signature, to_sign.encode())


# --------------------------------------------------------------------------- cache and errors


def test_keys_are_cached_without_the_secret(monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> None:
    calls: list[str] = []
    real = _asymmetric.derive_private_key

    def counting(algorithm: str, ak: str, sk: str) -> int:
        calls.append(algorithm)
        return real(algorithm, ak, sk)

    monkeypatch.setattr(_asymmetric, "derive_private_key", counting)
    secret = "a-very-secret-key-0123456789"
    for _ in range(3):
        asymmetric_signature(ECDSA, "AK", secret, "m")
        asymmetric_signature(SM2_SM3, "AK", secret, "m")
    assert calls == [ECDSA, SM2_SM3]
    asymmetric_signature(ECDSA, "AK", secret + "2", "m")  # another SK is another key
    assert calls == [ECDSA, SM2_SM3, ECDSA]

    for (algorithm, ak, fingerprint), key in _asymmetric._cache.items():
        assert secret not in repr((algorithm, ak, fingerprint, key))
        assert secret.encode() not in fingerprint
        assert str(derive_private_key(algorithm, ak, secret)) not in repr(key)


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> None:
    monkeypatch.setattr(_asymmetric, "_CACHE_SIZE", 3)
    for i in range(5):
        asymmetric_signature(ECDSA, f"AK{i}", "SK", "m")
    assert [ak for _, ak, _ in _asymmetric._cache] == ["AK2", "AK3", "AK4"]


def test_unknown_algorithm() -> None:
    with pytest.raises(ConfigurationError, match="SDK-ECDSA-P256-SHA256"):
        asymmetric_signature("SDK-HMAC-SHA256", "AK", "SK", "m")
    with pytest.raises(ConfigurationError):
        derive_private_key("SDK-RSA", "AK", "SK")


def test_missing_cryptography_names_the_extra(monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> None:
    for name in ("cryptography.hazmat.primitives", "cryptography.hazmat.primitives.asymmetric"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ConfigurationError, match=re.escape("install the 'ecdsa' extra (pip install '.[ecdsa]'")):
        asymmetric_signature(ECDSA, "AK", "SK", "m")


def test_missing_sm3_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> None:
    real_new = hashlib.new

    def no_sm3(name: str, *args: bytes) -> object:
        if name == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real_new(name, *args)

    monkeypatch.setattr(hashlib, "new", no_sm3)
    with pytest.raises(ConfigurationError, match="SM3"):
        asymmetric_signature(SM2_SM3, "AK", "SK", "m")
