"""What was signed, and the likeliest slip, for a request whose signature the server refused.

Rebuilt from the request exactly as it was sent (no secret key is needed or shown): the canonical request
and string to sign for API Gateway, the string to sign for OBS next to the one OBS says it computed.
Token header values are masked, since error messages get logged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from .._http import decode_header_value, http_date_timestamp, httpx
from ..errors import APIError, ConfigurationError
from . import apig
from . import obs as obs_signing


class ObsSigned(Protocol):
    """What an OBS signature covers beyond the request (``flows.ObsTarget`` is one)."""

    @property
    def bucket(self) -> str | None: ...
    @property
    def key(self) -> str | None: ...
    @property
    def query(self) -> Sequence[tuple[str, str | None]]: ...
    @property
    def path_style(self) -> bool: ...
    @property
    def dialect(self) -> obs_signing.Dialect: ...

__all__ = ["apig_signature_report", "is_signature_mismatch", "obs_signature_report"]

_APIG_MISMATCH_CODES = frozenset({"APIG.0301", "APIGW.0301"})
_SECRET_HEADERS = frozenset({"x-security-token", "x-auth-token", "x-obs-security-token", "x-amz-security-token"})
_AUTHORIZATION = re.compile(r"^(?P<algorithm>\S+) .*SignedHeaders=(?P<signed>[^,\s]+)")
_TOLERANCE = 15 * 60


def is_signature_mismatch(error: APIError) -> bool:
    if error.error_code == "SignatureDoesNotMatch":
        return True
    return error.error_code in _APIG_MISMATCH_CODES and "signature" in (error.error_msg or "").lower()


def _sent_headers(request: httpx.Request) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in request.headers.raw:
        name = raw_name.decode("latin-1").lower()
        value = decode_header_value(raw_value).strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _mask(text: str, headers: dict[str, str]) -> str:
    for name in _SECRET_HEADERS:
        value = headers.get(name)
        if value:
            text = text.replace(value, "***")
    return text


def _slips(request: httpx.Request, error: APIError, headers: dict[str, str], signed_date: float | None) -> list[str]:
    slips: list[str] = []
    server_now = http_date_timestamp(error.headers.get("date", ""))
    if signed_date is not None and server_now is not None and abs(server_now - signed_date) > _TOLERANCE:
        slips.append(
            f"clock skew: the request was signed {signed_date - server_now:+.0f} s from the server's Date; "
            "fix the local clock (NTP)"
        )
    netloc = request.url.netloc.decode("ascii")
    if headers.get("host") and headers["host"] != netloc:
        slips.append(
            f"Host override: signed for Host {headers['host']!r} but sent to {netloc!r}; the gateway must see "
            "that Host (Endpoint(host=...) is for API Gateway domains bound to the group)"
        )
    if "%25" in request.url.raw_path.decode("ascii"):
        slips.append("a double-encoded path (%25): pass path values unencoded, the SDK encodes them once")
    slips.append(
        "a header changed after signing: a proxy or gateway in between that rewrites or adds a signed header "
        "(Content-Type, Host, X-Sdk-Date...) breaks the signature; sign for what arrives"
    )
    return slips


def apig_signature_report(request: httpx.Request, error: APIError) -> str | None:
    """The canonical request and string to sign of an API Gateway request, and the likeliest slips."""
    headers = _sent_headers(request)
    found = _AUTHORIZATION.match(headers.get("authorization", ""))
    sdk_date = headers.get("x-sdk-date")
    if found is None or sdk_date is None:
        return None
    try:
        spec = apig.algorithm_spec(found["algorithm"])
    except ConfigurationError:
        return None
    signed = found["signed"].split(";")
    if any(name not in headers for name in signed):
        return None
    raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
    try:
        body: bytes | None = request.content
    except httpx.RequestNotRead:
        body = None
    body_hash = apig.payload_hash(spec, body, content_header_value=headers.get(spec.content_header))
    canonical = apig.canonical_request(request.method, raw_path, raw_query, headers, signed, body_hash)
    scope = None
    if spec.scoped:
        credential = re.search(r"Credential=[^/]+/(\S+?),", headers["authorization"])
        scope = credential.group(1) if credential else None
    to_sign = apig.string_to_sign(spec, sdk_date, canonical, scope)
    signed_at = _sdk_date_timestamp(sdk_date)
    return _mask(
        "what was signed:\n--- canonical request ---\n"
        f"{canonical}\n--- string to sign ---\n{to_sign}\n--- likeliest slips ---\n- "
        + "\n- ".join(_slips(request, error, headers, signed_at)),
        headers,
    )


def obs_signature_report(request: httpx.Request, error: APIError, target: ObsSigned) -> str | None:
    """OBS's string to sign next to ours (OBS sends the one it computed in the error body), and the first difference."""
    headers = _sent_headers(request)
    resource = obs_signing.canonical_resource(
        bucket=target.bucket, key=target.key, query=target.query, path_style=target.path_style, dialect=target.dialect
    )
    ours = obs_signing.string_to_sign(
        method=request.method, headers=headers, canonical_resource=resource, dialect=target.dialect
    )
    theirs = _xml_text(error.body, "StringToSign")
    lines = ["what was signed:", "--- our string to sign ---", ours]
    if theirs is not None:
        lines += ["--- OBS's string to sign ---", theirs]
        difference = _first_difference(ours, theirs)
        if difference is not None:
            lines.append(f"--- first difference: {difference} ---")
    lines.append("--- likeliest slips ---")
    lines += [f"- {slip}" for slip in _slips(request, error, headers, http_date_timestamp(headers.get("date", "")))]
    return _mask("\n".join(lines), headers)


def _sdk_date_timestamp(sdk_date: str) -> float | None:
    from calendar import timegm
    from time import strptime

    try:
        return float(timegm(strptime(sdk_date, apig.SDK_DATE_FORMAT)))
    except ValueError:
        return None


def _xml_text(body: bytes, tag: str) -> str | None:
    found = re.search(rb"<" + tag.encode() + rb">(.*?)</" + tag.encode() + rb">", body, re.DOTALL)
    if found is None:
        return None
    from html import unescape

    return unescape(found.group(1).decode("utf-8", "replace"))


def _first_difference(ours: str, theirs: str) -> str | None:
    our_lines, their_lines = ours.split("\n"), theirs.split("\n")
    for number, (mine, its) in enumerate(zip(our_lines, their_lines, strict=False), start=1):
        if mine != its:
            return f"line {number}: we signed {mine!r}, OBS computed {its!r}"
    if len(our_lines) != len(their_lines):
        return f"we signed {len(our_lines)} lines, OBS computed {len(their_lines)}"
    return None
