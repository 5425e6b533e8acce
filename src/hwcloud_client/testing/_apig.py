"""API Gateway signature verification, as the gateway in front of IAM and ECS applies it.

The verifier rebuilds the canonical request from what arrived (method, raw path, raw query, the
headers the client says it signed, the body) with the same pure functions the signer uses, and
compares signatures. Where the signer and the gateway could disagree, the gateway's rules from
``shared/reference/apig-signing.md`` win: ``+`` in the query is a literal plus, ``X-Sdk-Date`` and
``Host`` must be signed, and the auxiliary headers that change the meaning of a request must be
signed whenever they are sent.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
import time
from collections.abc import Mapping

from ..auth import apig
from ..auth._asymmetric import derive_private_key, sm2_public_key, sm2_z_a
from ..errors import ConfigurationError
from ._base import EmulatedRequest, KnownKey, SecretLookup

__all__ = [
    "MAX_DATE_SKEW_SECONDS",
    "KnownKey",
    "SecretLookup",
    "SignatureRejected",
    "verify_signature",
]

# "如果时间差超过15分钟，API网关将拒绝请求" (the API signing guide).
MAX_DATE_SKEW_SECONDS = 15 * 60

_AUTHORIZATION = re.compile(
    r"^(?P<algorithm>[A-Z0-9-]+) (?:Access=(?P<access>[^,\s]+)|Credential=(?P<credential>[^,\s]+)), "
    r"SignedHeaders=(?P<signed>[^,\s]+), Signature=(?P<signature>[0-9a-f]+)$"
)
_SDK_DATE = re.compile(r"^\d{8}T\d{6}Z$")
# Headers that change what a request means: sending one unsigned would let a proxy rewrite it.
_MUST_BE_SIGNED_IF_SENT = (
    "x-security-token",
    "x-project-id",
    "x-domain-id",
    "x-sdk-content-sha256",
    "x-sdk-content-sm3",
)

_AUTH_FAILED = "Incorrect IAM authentication information"


class SignatureRejected(Exception):
    """The gateway refuses the request: 401 with ``error_code``/``error_msg`` in the APIG dialect."""

    def __init__(self, detail: str, *, error_code: str = "APIGW.0301") -> None:
        self.error_code = error_code
        self.error_msg = f"{_AUTH_FAILED}: {detail}"
        super().__init__(self.error_msg)


def verify_signature(
    request: EmulatedRequest,
    *,
    lookup: SecretLookup,
    now: float,
    region: str,
    service: str,
) -> None:
    """Check an AK/SK-signed request; raise :class:`SignatureRejected` with the gateway's answer if it fails."""
    headers = request.headers
    authorization = headers.get("authorization")
    if not authorization:
        raise SignatureRejected("the Authorization header is missing")
    sdk_date = headers.get("x-sdk-date")
    if not sdk_date:
        raise SignatureRejected("the X-Sdk-Date header is missing")
    parsed = _AUTHORIZATION.match(authorization)
    if parsed is None:
        raise SignatureRejected("the Authorization header is malformed")
    try:
        spec = apig.algorithm_spec(parsed["algorithm"])
    except ConfigurationError:
        raise SignatureRejected(f"signing algorithm {parsed['algorithm']} is not supported") from None
    _check_date(sdk_date, now)

    scope = None
    if spec.scoped:
        if parsed["credential"] is None:
            raise SignatureRejected("V11-HMAC-SHA256 needs Credential=<AK>/<date>/<region>/<service>")
        access_key, _, scope = parsed["credential"].partition("/")
        expected_scope = f"{sdk_date[:8]}/{region}/{service}"
        if scope != expected_scope:
            raise SignatureRejected(f"the credential scope {scope!r} does not match {expected_scope!r}")
    elif parsed["access"] is not None:
        access_key = parsed["access"]
    else:
        raise SignatureRejected(f"{spec.name} needs Access=<AK>")

    known = lookup(access_key)
    if known is None:
        raise SignatureRejected(f"the access key {access_key} does not exist or is not valid any more")
    signed_headers = _check_signed_headers(parsed["signed"].split(";"), headers)
    if known.token_problem(headers.get("x-security-token")) is not None:
        raise SignatureRejected("a temporary access key needs its X-Security-Token")

    body_hash = apig.payload_hash(spec, request.body, content_header_value=headers.get(spec.content_header))
    canonical = apig.canonical_request(
        request.method,
        request.path_prefix + request.raw_path,
        # The gateway reads '+' in the query as a literal plus, not as a space (apig-signing.md, item 1).
        request.raw_query.replace("+", "%2B"),
        {name: headers[name].strip() for name in signed_headers},
        signed_headers,
        body_hash,
    )
    to_sign = apig.string_to_sign(spec, sdk_date, canonical, scope)
    if not _signature_matches(spec, access_key, known.secret, to_sign, parsed["signature"], scope):
        raise SignatureRejected("verify aksk signature fail")


def _check_date(sdk_date: str, now: float) -> None:
    if not _SDK_DATE.match(sdk_date):
        raise SignatureRejected(f"X-Sdk-Date {sdk_date!r} is not in the YYYYMMDDTHHMMSSZ format")
    try:
        signed_at = calendar.timegm(time.strptime(sdk_date, apig.SDK_DATE_FORMAT))
    except ValueError:
        raise SignatureRejected(f"X-Sdk-Date {sdk_date!r} is not a valid date") from None
    if abs(now - signed_at) > MAX_DATE_SKEW_SECONDS:
        server_date = time.strftime(apig.SDK_DATE_FORMAT, time.gmtime(now))
        raise SignatureRejected(
            f"the signature time X-Sdk-Date {sdk_date} is more than 15 minutes away from the server time "
            f"{server_date}; the signature has expired, check the client clock"
        )


def _check_signed_headers(signed: list[str], headers: Mapping[str, str]) -> list[str]:
    if signed != sorted(set(signed)) or any(name != name.lower() for name in signed):
        raise SignatureRejected("SignedHeaders must be lower-case, sorted and unique")
    for required in ("host", "x-sdk-date"):
        if required not in signed:
            raise SignatureRejected(f"the {required} header must be signed")
    for name in signed:
        if not apig.is_signed_header(name):
            raise SignatureRejected(f"the {name} header cannot be signed")
        if name not in headers:
            raise SignatureRejected(f"the signed header {name} is missing from the request")
    for name in _MUST_BE_SIGNED_IF_SENT:
        if name in headers and name not in signed:
            raise SignatureRejected(f"the {name} header is sent but not signed")
    return signed


def _signature_matches(
    spec: apig.AlgorithmSpec, access_key: str, secret: str, to_sign: str, signature: str, scope: str | None
) -> bool:
    if spec.asymmetric:
        return _asymmetric_signature_matches(spec.name, access_key, secret, to_sign, signature)
    key = apig.derive_v11_key(access_key, secret, scope).encode() if scope is not None else secret.encode()
    expected = hmac.new(key, to_sign.encode(), spec.hash_factory).hexdigest()
    return hmac.compare_digest(expected, signature)


def _asymmetric_signature_matches(algorithm: str, access_key: str, secret: str, to_sign: str, signature: str) -> bool:
    try:
        r, s = _parse_der_signature(bytes.fromhex(signature))
    except ValueError:
        return False
    if algorithm == "SDK-SM2-SM3":
        return _sm2_verify(sm2_public_key(access_key, secret), to_sign.encode(), r, s)
    return _ecdsa_p256_verify(derive_private_key(algorithm, access_key, secret), to_sign.encode(), r, s)


def _parse_der_signature(der: bytes) -> tuple[int, int]:
    """``SEQUENCE { INTEGER r, INTEGER s }`` with short-form lengths (signatures on 256-bit curves)."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise ValueError("not a DER signature")
    integers = []
    position = 2
    for _ in range(2):
        # A truncated signature must not read past its end (IndexError) or take a short slice for a whole integer.
        if position + 2 > len(der) or der[position] != 0x02:
            raise ValueError("not a DER integer")
        length = der[position + 1]
        if position + 2 + length > len(der):
            raise ValueError("a DER integer runs past the end of the signature")
        integers.append(int.from_bytes(der[position + 2 : position + 2 + length], "big"))
        position += 2 + length
    if position != len(der):
        raise ValueError("trailing bytes after the signature")
    return integers[0], integers[1]


def _ecdsa_p256_verify(private_scalar: int, message: bytes, r: int, s: int) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    public_key = ec.derive_private_key(private_scalar, ec.SECP256R1()).public_key()
    try:
        public_key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _sm2_verify(public_key: tuple[int, int], message: bytes, r: int, s: int) -> bool:
    """GB/T 32918.2-2016 section 7.1: ``R = (e + x1) mod n`` where ``(x1, y1) = s*G + t*P``, ``t = r + s``."""
    # The signer's curve arithmetic is private to it; verification is the emulator's only other user.
    from ..auth._asymmetric import SM2, _add, _multiply

    n = SM2.n
    if not (0 < r < n and 0 < s < n):
        return False
    t = (r + s) % n
    if t == 0:
        return False
    e = int.from_bytes(hashlib.new("sm3", sm2_z_a(public_key) + message).digest(), "big")
    sg = _multiply(SM2, s, (SM2.gx, SM2.gy))
    tp = _multiply(SM2, t, public_key)
    x, _y, z = _add(SM2, (sg[0], sg[1], 1), (tp[0], tp[1], 1))
    if z == 0:
        return False
    x1 = x * pow(z * z, -1, SM2.p) % SM2.p
    return (e + x1) % n == r

