"""API Gateway AK/SK signatures (the ``SDK-HMAC-SHA256`` family), as pure functions.

Everything here is a function of the request *as it goes on the wire* (method, raw target, final
headers, body bytes), the credentials and a date: no I/O, no clock. The rules follow the official
huaweicloudsdkcore ``Signer`` byte for byte (see ``shared/reference/apig-signing.md``):

* canonical URI: percent-decode the raw path, re-quote each segment with ``safe="~"``, end with ``/``;
* canonical query: decoded ``(key, value)`` pairs sorted by code point, ``quote(k, "~")=quote(v, "~")``;
* signed headers: every header sent except names containing ``_`` (and the ones in
  :data:`UNSIGNED_HEADERS`), lower-cased and sorted, values stripped;
* payload: the hash of the body, ``UNSIGNED-PAYLOAD`` for non-JSON content types, the empty hash for
  an empty body.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote, unquote

from ..config import Credentials, SigningAlgorithm
from ..errors import ConfigurationError

__all__ = [
    "SDK_DATE_FORMAT",
    "UNSIGNED_HEADERS",
    "UNSIGNED_PAYLOAD",
    "AlgorithmSpec",
    "algorithm_spec",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "canonical_wire_query",
    "derive_v11_key",
    "is_signed_header",
    "needs_unsigned_payload",
    "parse_query",
    "payload_hash",
    "sign_request",
    "string_to_sign",
]

SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

# Hop-by-hop headers are rewritten by proxies, and Authorization carries the signature itself.
UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "connection",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


def _sm3(data: bytes = b"") -> hashlib._Hash:
    try:
        return hashlib.new("sm3", data)
    except ValueError:
        raise ConfigurationError(
            "SDK-HMAC-SM3/SDK-SM2-SM3 need SM3, which this Python's OpenSSL lacks; "
            "use a Python whose OpenSSL provides SM3 (hashlib.new('sm3'))"
        ) from None


class AlgorithmSpec(NamedTuple):
    """What differs between the algorithms of the family: hash, content header and signature scope."""

    name: SigningAlgorithm
    hash_factory: Callable[..., hashlib._Hash]
    content_header: str
    scoped: bool = False
    asymmetric: bool = False

    def hexdigest(self, data: bytes) -> str:
        return self.hash_factory(data).hexdigest()

    @property
    def empty_hash(self) -> str:
        return _empty_hash(self.name)


_SPECS: dict[str, AlgorithmSpec] = {
    "SDK-HMAC-SHA256": AlgorithmSpec("SDK-HMAC-SHA256", hashlib.sha256, "x-sdk-content-sha256"),
    "SDK-HMAC-SM3": AlgorithmSpec("SDK-HMAC-SM3", _sm3, "x-sdk-content-sm3"),
    "V11-HMAC-SHA256": AlgorithmSpec("V11-HMAC-SHA256", hashlib.sha256, "x-sdk-content-sha256", scoped=True),
    "SDK-ECDSA-P256-SHA256": AlgorithmSpec(
        "SDK-ECDSA-P256-SHA256", hashlib.sha256, "x-sdk-content-sha256", asymmetric=True
    ),
    "SDK-SM2-SM3": AlgorithmSpec("SDK-SM2-SM3", _sm3, "x-sdk-content-sm3", asymmetric=True),
}


def algorithm_spec(name: str) -> AlgorithmSpec:
    try:
        return _SPECS[name]
    except KeyError:
        raise ConfigurationError(
            f"signing_algorithm {name!r} is not supported; choose one of {', '.join(_SPECS)}"
        ) from None


@lru_cache(maxsize=8)
def _empty_hash(name: str) -> str:
    return _SPECS[name].hexdigest(b"")


@lru_cache(maxsize=4096)
def canonical_uri(raw_path: str) -> str:
    """``/v1/a%20b/c`` -> ``/v1/a%20b/c/``; ``%2F`` decodes to a separator like the official signer."""
    uri = "/".join([quote(segment, safe="~") for segment in unquote(raw_path).split("/")])
    return uri if uri.endswith("/") else uri + "/"


def parse_query(raw_query: str, *, plus_is_space: bool = True) -> list[tuple[str, str]]:
    """Decode a wire query into ``(key, value)`` pairs; ``?acl`` gives ``("acl", "")``.

    ``+`` means a space by default, as in httpx's own form encoding of ``params=``.
    """
    pairs = []
    for piece in raw_query.split("&"):
        if not piece:
            continue
        if plus_is_space:
            piece = piece.replace("+", " ")
        key, _, value = piece.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


@lru_cache(maxsize=4096)
def canonical_wire_query(raw_query: str) -> str:
    """The canonical form of a query as received; sending this form makes the wire equal the signed bytes."""
    return canonical_query(parse_query(raw_query))


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sorted ``k=v`` pairs joined with ``&``, space as ``%20`` and ``~`` kept, like the official signer."""
    return "&".join([f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(pairs)])


def is_signed_header(lower_name: str) -> bool:
    return "_" not in lower_name and lower_name not in UNSIGNED_HEADERS


def needs_unsigned_payload(content_type: str | None) -> bool:
    """The official rule: a Content-Type that does not start with application/json or application/bson."""
    return bool(content_type) and not (
        content_type.startswith("application/json") or content_type.startswith("application/bson")  # type: ignore[union-attr]
    )


def payload_hash(spec: AlgorithmSpec, body: bytes | None, *, content_header_value: str | None) -> str:
    """``body`` is ``None`` when it was not read (a stream): only allowed with an unsigned payload."""
    if body is not None and not body:
        return spec.empty_hash
    if content_header_value:
        return content_header_value
    if body is None:
        raise ValueError("a streamed body must be sent with an UNSIGNED-PAYLOAD content header")
    return spec.hexdigest(body)


def canonical_request(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body_hash: str,
) -> str:
    """``headers`` maps lower-case names to stripped values and must hold every signed header."""
    return _canonical_request(method, raw_path, raw_query, headers, signed_headers, ";".join(signed_headers), body_hash)


def _canonical_request(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    joined_names: str,
    body_hash: str,
) -> str:
    canonical_headers = "".join([f"{name}:{headers[name]}\n" for name in signed_headers])
    return (
        f"{method.upper()}\n{canonical_uri(raw_path)}\n{canonical_wire_query(raw_query)}\n"
        f"{canonical_headers}\n{joined_names}\n{body_hash}"
    )


def string_to_sign(spec: AlgorithmSpec, sdk_date: str, canonical: str, scope: str | None = None) -> str:
    digest = spec.hexdigest(canonical.encode())
    if scope is not None:
        return f"{spec.name}\n{sdk_date}\n{scope}\n{digest}"
    return f"{spec.name}\n{sdk_date}\n{digest}"


@lru_cache(maxsize=256)
def derive_v11_key(ak: str, sk: str, scope: str) -> str:
    """HKDF-SHA256 (salt = AK, ikm = SK, info = ``YYYYMMDD/region/service``, 32 bytes), hex-encoded."""
    prk = hmac.digest(ak.encode(), sk.encode(), "sha256")
    return hmac.digest(prk, scope.encode() + b"\x01", "sha256").hex()


@lru_cache(maxsize=512)
def _signed_headers(names: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The names :func:`is_signed_header` holds for, sorted, and their ``;``-joined form (SignedHeaders).

    Cached: the same few header sets recur on every call.
    """
    signed = tuple(sorted([name for name in names if "_" not in name and name not in UNSIGNED_HEADERS]))
    return signed, ";".join(signed)


@lru_cache(maxsize=8)
def _sha256_pads(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """SHA-256 states after HMAC's inner and outer key blocks (RFC 2104): copied per signature, not rehashed."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return (
        hashlib.sha256(bytes(byte ^ 0x36 for byte in block)),
        hashlib.sha256(bytes(byte ^ 0x5C for byte in block)),
    )


def _hmac_signature(spec: AlgorithmSpec, key: bytes, message: str) -> str:
    if spec.hash_factory is hashlib.sha256:
        # hmac.digest(key, message, "sha256").hex(), without hashing the key's pads again for every signature.
        inner_pad, outer_pad = _sha256_pads(key)
        inner = inner_pad.copy()
        inner.update(message.encode())
        outer = outer_pad.copy()
        outer.update(inner.digest())
        return outer.hexdigest()
    return hmac.new(key, message.encode(), spec.hash_factory).hexdigest()


def _authorization_value(name: str, ak: str, joined_names: str, signature: str, scope: str | None) -> str:
    if scope is not None:
        return f"{name} Credential={ak}/{scope}, SignedHeaders={joined_names}, Signature={signature}"
    return f"{name} Access={ak}, SignedHeaders={joined_names}, Signature={signature}"


def sign_request(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body_hash: str,
    credentials: Credentials,
    sdk_date: str,
    algorithm: SigningAlgorithm = "SDK-HMAC-SHA256",
    region: str | None = None,
    service: str | None = None,
) -> str:
    """Return the ``Authorization`` value for a request.

    ``headers`` maps lower-case names to stripped values, exactly as they will be sent; every name
    for which :func:`is_signed_header` holds is signed.
    """
    spec = _SPECS.get(algorithm) or algorithm_spec(algorithm)
    return _authorize(spec, method, raw_path, raw_query, headers, body_hash, credentials, sdk_date, region, service)


def _authorize(
    spec: AlgorithmSpec,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body_hash: str,
    credentials: Credentials,
    sdk_date: str,
    region: str | None,
    service: str | None,
) -> str:
    """:func:`sign_request` with its arguments in order and the algorithm's spec: the signing hook's call."""
    signed, joined_names = _signed_headers(tuple(headers))
    canonical = _canonical_request(method, raw_path, raw_query, headers, signed, joined_names, body_hash)
    scope = None
    if spec.scoped:
        missing = [name for name, value in (("region", region), ("service", service)) if not value]
        if missing:
            raise ConfigurationError(
                f"V11-HMAC-SHA256 needs the region and the service name of the request ({' and '.join(missing)} "
                "missing); use it through AsyncHuaweiCloud or pass region=/service= to the signing hook"
            )
        scope = f"{sdk_date[:8]}/{region}/{service}"
    to_sign = string_to_sign(spec, sdk_date, canonical, scope)
    sk = credentials.sk.get_secret_value()
    if spec.asymmetric:
        from ._asymmetric import asymmetric_signature

        signature = asymmetric_signature(spec.name, credentials.ak, sk, to_sign)
    elif scope is not None:
        signature = _hmac_signature(spec, derive_v11_key(credentials.ak, sk, scope).encode(), to_sign)
    else:
        signature = _hmac_signature(spec, sk.encode(), to_sign)
    return _authorization_value(spec.name, credentials.ak, joined_names, signature, scope)
