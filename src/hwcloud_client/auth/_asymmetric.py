"""Asymmetric API Gateway signatures: ``SDK-ECDSA-P256-SHA256`` and ``SDK-SM2-SM3``.

Both derive an EC private key deterministically from the AK/SK pair (the server derives the same key
from the SK it holds), sign the string-to-sign with it and put the hex of the DER ``SEQUENCE{r, s}``
in ``Signature=``. Key derivation, as in every official SDK::

    for counter in 0..254:
        candidate = HMAC-H(key=SK, 00000001 || algorithm || 00 || AK || counter || 00000100)
        if candidate <= n - 2: d = candidate + 1

with H = SHA-256 (P-256) or SM3 (SM2) and n the order of the algorithm's curve.

* ECDSA P-256/SHA-256 goes through the ``cryptography`` package (the ``ecdsa`` extra), which hashes
  the message with SHA-256 itself, exactly like the official ``P256SigningKey.sign``.
* SM2 (GB/T 32918.2) is computed here in pure Python: ``e = SM3(Z_A || M)`` with the default user id
  ``1234567812345678``, a fresh random ``k`` from :mod:`secrets` per signature.

Two deliberate differences from the official *Python* core (both follow the Java and Go SDKs, which
use BouncyCastle and tjfoc/gmsm, i.e. the standard):

* ``Z_A`` encodes the public key coordinates on a fixed 32 bytes. The Python core encodes them with
  their minimal length, so its signatures (and its verifier) disagree with the standard for about
  one key in 128, whose x or y has a leading zero byte.
* For SM2 the candidate bound is the SM2 order. The Python core inherits P-256's ``N_MINUS_TWO``
  (a class attribute), which only matters when an HMAC output falls in a ~2**-32 sliver.

Derived keys are cached per ``(algorithm, AK, keyed hash of SK)``: the SK itself is never a cache key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "SM2_DEFAULT_USER_ID",
    "asymmetric_signature",
    "clear_key_cache",
    "derive_private_key",
    "sm2_public_key",
    "sm2_z_a",
]

SM2_DEFAULT_USER_ID: Final = b"1234567812345678"


# --------------------------------------------------------------------------- curves


@dataclass(frozen=True, slots=True)
class _Curve:
    """Short Weierstrass curve ``y^2 = x^3 + ax + b`` over GF(p), base point G of prime order n."""

    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int


P256: Final = _Curve(
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    a=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)

SM2: Final = _Curve(
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
)

# algorithm -> (curve, HMAC digest of the key derivation)
ASYMMETRIC_ALGORITHMS: Final[dict[str, tuple[_Curve, str]]] = {
    "SDK-ECDSA-P256-SHA256": (P256, "sha256"),
    "SDK-SM2-SM3": (SM2, "sm3"),
}

# Jacobian coordinates (X, Y, Z) stand for the affine point (X/Z^2, Y/Z^3); Z == 0 is infinity.
_Jacobian = tuple[int, int, int]
_INFINITY: Final[_Jacobian] = (1, 1, 0)


def _double(c: _Curve, pt: _Jacobian) -> _Jacobian:
    x, y, z = pt
    if z == 0 or y == 0:
        return _INFINITY
    p = c.p
    yy = y * y % p
    s = 4 * x * yy % p
    z2 = z * z % p
    m = (3 * x * x + c.a * z2 * z2) % p
    x3 = (m * m - 2 * s) % p
    y3 = (m * (s - x3) - 8 * yy * yy) % p
    z3 = 2 * y * z % p
    return x3, y3, z3


def _add(c: _Curve, p1: _Jacobian, p2: _Jacobian) -> _Jacobian:
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    if z1 == 0:
        return p2
    if z2 == 0:
        return p1
    p = c.p
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    if u1 == u2:
        return _double(c, p1) if s1 == s2 else _INFINITY
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - s1 * hhh) % p
    z3 = h * z1 * z2 % p
    return x3, y3, z3


def _multiply(c: _Curve, k: int, point: tuple[int, int]) -> tuple[int, int]:
    """``k * point`` in affine coordinates, by a Montgomery ladder over the full bit length of n.

    The ladder performs the same sequence of additions and doublings whatever ``k`` is. Python's
    integers are not constant-time, so this is no hardened implementation, but ``k`` does not change
    the number of curve operations.
    """
    r0, r1 = _INFINITY, (point[0], point[1], 1)
    for i in reversed(range(c.n.bit_length())):
        if (k >> i) & 1:
            r0, r1 = _add(c, r0, r1), _double(c, r1)
        else:
            r0, r1 = _double(c, r0), _add(c, r0, r1)
    x, y, z = r0
    if z == 0:
        raise ValueError("scalar multiple is the point at infinity")
    z_inv = pow(z, -1, c.p)
    z_inv2 = z_inv * z_inv % c.p
    return x * z_inv2 % c.p, y * z_inv2 * z_inv % c.p


# --------------------------------------------------------------------------- hashing and encoding


def _require_sm3() -> None:
    try:
        hashlib.new("sm3")
    except ValueError:
        raise ConfigurationError(
            "SDK-SM2-SM3 needs the SM3 hash, which this Python's hashlib (OpenSSL) does not provide; "
            "run on a Python linked against an OpenSSL 1.1.1+/3.x build with SM3 enabled"
        ) from None


def _sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def _der_signature(r: int, s: int) -> bytes:
    """DER ``SEQUENCE { INTEGER r, INTEGER s }`` for ``0 < r, s < 2**256``."""

    def integer(value: int) -> bytes:
        # bit_length // 8 + 1 bytes: minimal, with a leading 0x00 exactly when the top bit is set.
        body = value.to_bytes(value.bit_length() // 8 + 1, "big")
        return b"\x02" + bytes([len(body)]) + body

    content = integer(r) + integer(s)
    return b"\x30" + bytes([len(content)]) + content  # at most 70 bytes: short-form lengths


# --------------------------------------------------------------------------- key derivation


def _algorithm(algorithm: str) -> tuple[_Curve, str]:
    try:
        return ASYMMETRIC_ALGORITHMS[algorithm]
    except KeyError:
        raise ConfigurationError(
            f"{algorithm!r} is not an asymmetric signing algorithm; "
            f"choose one of {', '.join(ASYMMETRIC_ALGORITHMS)}"
        ) from None


def _hmac(digest: str, key: bytes, message: bytes) -> bytes:
    return hmac.digest(key, message, digest)


def derive_private_key(algorithm: str, ak: str, sk: str) -> int:
    """The private scalar ``d`` that the official SDKs (and the server) derive from AK and SK."""
    curve, digest = _algorithm(algorithm)
    if digest == "sm3":
        _require_sm3()
    key = sk.encode("utf-8")
    prefix = b"\x00\x00\x00\x01" + algorithm.encode("ascii") + b"\x00" + ak.encode("utf-8")
    for counter in range(0xFF):
        candidate = int.from_bytes(_hmac(digest, key, prefix + bytes([counter]) + b"\x00\x00\x01\x00"), "big")
        if candidate <= curve.n - 2:
            return candidate + 1
    raise ConfigurationError(f"could not derive a {algorithm} key from this AK/SK pair")  # p < 2**-8000


# --------------------------------------------------------------------------- signing keys


class _SigningKey(Protocol):
    def sign(self, message: bytes) -> bytes:
        """The DER-encoded signature of ``message``."""
        ...


class _EcdsaP256Key:
    __slots__ = ("_key", "_scheme")

    _key: EllipticCurvePrivateKey
    _scheme: ECDSA

    def __init__(self, d: int) -> None:
        try:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import ec
        except ImportError:
            raise ConfigurationError(
                "SDK-ECDSA-P256-SHA256 signing needs the 'cryptography' package: install the 'ecdsa' extra "
                "(pip install '.[ecdsa]' from a checkout, or 'hwcloud-client[ecdsa]' from an index)"
            ) from None
        self._key = ec.derive_private_key(d, ec.SECP256R1())
        self._scheme = ec.ECDSA(hashes.SHA256())

    def __repr__(self) -> str:
        return "<ECDSA P-256 signing key>"

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message, self._scheme)  # hashes with SHA-256, returns DER


class _Sm2Key:
    """SM2 signing (GB/T 32918.2-2016, section 6.1) with SM3 and the default user id."""

    __slots__ = ("_d", "_d1_inv", "_z_a", "public_key")

    def __init__(self, d: int) -> None:
        _require_sm3()
        n = SM2.n
        self._d = d
        self._d1_inv = pow(1 + d, -1, n)
        self.public_key = _multiply(SM2, d, (SM2.gx, SM2.gy))
        self._z_a = sm2_z_a(self.public_key)

    def __repr__(self) -> str:
        return "<SM2 signing key>"

    def sign(self, message: bytes) -> bytes:
        n = SM2.n
        e = int.from_bytes(_sm3(self._z_a + message), "big")
        for _ in range(100):  # each retry has probability ~2**-255
            k = secrets.randbelow(n - 1) + 1
            x1, _y1 = _multiply(SM2, k, (SM2.gx, SM2.gy))
            r = (e + x1) % n
            if r == 0 or r + k == n:
                continue
            s = self._d1_inv * (k - r * self._d) % n
            if s == 0:
                continue
            return _der_signature(r, s)
        raise RuntimeError("SM2 signing failed to find a valid nonce")  # pragma: no cover


def sm2_z_a(public_key: tuple[int, int], user_id: bytes = SM2_DEFAULT_USER_ID) -> bytes:
    """``Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A)``, elements on 32 bytes."""
    if len(user_id) >= 8192:
        raise ValueError("SM2 user id too long")
    elements = (SM2.a, SM2.b, SM2.gx, SM2.gy, public_key[0], public_key[1])
    data = (len(user_id) * 8).to_bytes(2, "big") + user_id
    data += b"".join(value.to_bytes(32, "big") for value in elements)
    return _sm3(data)


def sm2_public_key(ak: str, sk: str) -> tuple[int, int]:
    """The affine SM2 public key ``d * G`` for an AK/SK pair (what the server verifies with)."""
    key = _signing_key("SDK-SM2-SM3", ak, sk)
    assert isinstance(key, _Sm2Key)
    return key.public_key


# --------------------------------------------------------------------------- cache


_CACHE_SIZE: Final = 64
# The cache is keyed by an HMAC of the SK under a per-process random key: neither the SK nor a
# plain hash of it (which would confirm a guessed SK offline) sits in the cache.
_CACHE_SALT: Final = secrets.token_bytes(32)
_cache: OrderedDict[tuple[str, str, bytes], _SigningKey] = OrderedDict()
_cache_lock = threading.Lock()


def clear_key_cache() -> None:
    """Forget every derived key (after a credentials rotation, or in tests)."""
    with _cache_lock:
        _cache.clear()


def _signing_key(algorithm: str, ak: str, sk: str) -> _SigningKey:
    cache_key = (algorithm, ak, hmac.digest(_CACHE_SALT, sk.encode("utf-8"), "sha256"))
    with _cache_lock:
        cached = _cache.get(cache_key)
        if cached is not None:
            _cache.move_to_end(cache_key)
            return cached
    d = derive_private_key(algorithm, ak, sk)
    key: _SigningKey = _EcdsaP256Key(d) if algorithm == "SDK-ECDSA-P256-SHA256" else _Sm2Key(d)
    with _cache_lock:
        _cache[cache_key] = key
        _cache.move_to_end(cache_key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return key


def asymmetric_signature(algorithm: str, ak: str, sk: str, string_to_sign: str) -> str:
    """Hex of the DER signature of ``string_to_sign`` (UTF-8), as put in ``Signature=``."""
    _algorithm(algorithm)
    return _signing_key(algorithm, ak, sk).sign(string_to_sign.encode("utf-8")).hex()
