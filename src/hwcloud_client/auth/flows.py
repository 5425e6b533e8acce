"""Auth flows: how a request is authenticated, and whether signing it again can cure a rejection.

The send path asks one question of its flow after an error answer: "would a fresh signature be
accepted?" An AK/SK flow says yes once it has learned the server's clock from a signature-time
rejection; an IAM token flow says yes after a 401 once it has dropped the rejected token. The send
path alone decides whether the body can be sent again, so no flow ever causes a spent stream to be
replayed. Learned clock offsets are kept per endpoint and bounded (:class:`ClockSkews`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from .._http import http_date_timestamp
from ..errors import APIError
from .obs import Dialect, authorization, rfc1123_date

if TYPE_CHECKING:
    from .._http import httpx
    from .hooks import RequestSigner

__all__ = ["OBS_TARGET_EXTENSION", "UNSIGNED", "ApigAuth", "AuthFlow", "ClockSkews", "ObsAuth", "ObsTarget", "Unsigned"]

logger = logging.getLogger("hwcloud_client")

# ``request.extensions[OBS_TARGET_EXTENSION] = ObsTarget(...)``: what an OBS signature covers beyond the request.
OBS_TARGET_EXTENSION = "hwcloud_client.obs_target"

_SIGNATURE_TIME_CODES = frozenset({"APIGW.0301", "APIGW.0303", "APIGW.0101", "APIG.0301", "RequestTimeTooSkewed"})
_SIGNATURE_TIME_WORDS = re.compile(r"expire|time|date|skew", re.IGNORECASE)
# The gateways accept a signature within 15 minutes of their clock; a smaller difference cannot be the cause.
_TOLERANCE = 15 * 60.0


@runtime_checkable
class AuthFlow(Protocol):
    """Authenticates requests for the send path."""

    async def sign(self, request: httpx.Request) -> None:
        """Add the credentials' headers to ``request`` (called again for every attempt)."""

    def after_rejection(self, request: httpx.Request, error: APIError) -> bool:
        """``error`` answered ``request``: True if signing again may be accepted (the send path resends once)."""


class Unsigned:
    """No signature: for calls whose credential the caller puts in the request itself (an id token)."""

    async def sign(self, request: httpx.Request) -> None:
        return None

    def after_rejection(self, request: httpx.Request, error: APIError) -> bool:
        return False


UNSIGNED = Unsigned()


class ClockSkews:
    """The wall clock, plus an offset per endpoint learned from servers that rejected our signature time.

    An offset is learned only from a signature-time rejection that carries the server's ``Date``, only
    when it is beyond the gateways' 15-minute tolerance, and never beyond ``max_skew`` (a day by default:
    a clock set to local time instead of UTC is off by up to 14 hours). It applies to the endpoint that
    answered and to no other, so one hostile or broken endpoint cannot move the clock used for the others.
    """

    def __init__(self, clock: Callable[[], float] = time.time, *, max_skew: float = 86_400.0) -> None:
        self.wall = clock
        self.max_skew = max_skew
        self._offsets: dict[str, float] = {}

    def now(self, endpoint: str) -> float:
        return self.wall() + self._offsets.get(endpoint, 0.0)

    @property
    def learned(self) -> bool:
        """Whether any endpoint has an offset."""
        return bool(self._offsets)

    def offset(self, endpoint: str) -> float:
        return self._offsets.get(endpoint, 0.0)

    def learn(self, endpoint: str, server_date: str | None) -> bool:
        """Adopt the offset that ``server_date`` implies for ``endpoint``; False if it is missing, small or absurd."""
        server_now = http_date_timestamp(server_date) if server_date else None
        if server_now is None:
            return False
        skew = server_now - self.wall()
        if abs(skew - self.offset(endpoint)) < _TOLERANCE:
            return False
        if abs(skew) > self.max_skew:
            logger.warning(
                "%s sent a Date %.0f s away from the local clock; beyond %.0f s, so it is not adopted",
                endpoint, skew, self.max_skew,
            )
            return False
        self._offsets[endpoint] = skew
        logger.warning("clock skew of %.0f s learned from %s's Date; re-signing", skew, endpoint)
        return True


def is_signature_time_rejection(error: APIError) -> bool:
    """A 4xx whose code and message say the signature's time was refused (not any error mentioning a date)."""
    return (
        error.status_code in (400, 401, 403)
        and error.error_code in _SIGNATURE_TIME_CODES
        and _SIGNATURE_TIME_WORDS.search(error.error_msg or "") is not None
    )


class ApigAuth:
    """AK/SK signatures (SDK-HMAC-SHA256 and siblings) with a per-endpoint clock."""

    def __init__(self, signer: RequestSigner, skews: ClockSkews) -> None:
        self.signer = signer
        self.skews = skews

    async def sign(self, request: httpx.Request) -> None:
        skews = self.skews
        # Until a skew is learned every endpoint has the wall clock: the request's endpoint need not be looked up.
        now = skews.now(_endpoint_of(request)) if skews.learned else skews.wall()
        await self.signer.sign_async(request, now=now)

    def after_rejection(self, request: httpx.Request, error: APIError) -> bool:
        time_rejected = is_signature_time_rejection(error)
        if time_rejected and self.skews.learn(_endpoint_of(request), error.headers.get("date")):
            return True
        # Imported here: only a refused signature needs it.
        from ._signature_report import apig_signature_report, is_signature_mismatch

        if time_rejected or is_signature_mismatch(error):
            report = apig_signature_report(request, error)
            if report is not None:
                error.explain(report)
        return False


class ObsTarget(NamedTuple):
    """The parts of an OBS request its signature covers that the URL alone does not tell."""

    bucket: str | None
    key: str | None
    query: Sequence[tuple[str, str | None]]
    path_style: bool
    dialect: Dialect
    endpoint: str  # the OBS endpoint's host, without the bucket: where clock skew is learned and applied

    @property
    def header_prefix(self) -> str:
        return "x-obs-" if self.dialect == "obs" else "x-amz-"


class ObsAuth:
    """OBS V2 signatures (``OBS`` or S3-compatible ``AWS`` dialect) for requests that carry an :class:`ObsTarget`."""

    def __init__(self, signer: RequestSigner, skews: ClockSkews) -> None:
        self.signer = signer
        self.skews = skews

    async def sign(self, request: httpx.Request) -> None:
        target: ObsTarget = request.extensions[OBS_TARGET_EXTENSION]
        credentials = await self.signer.get_credentials()
        headers = request.headers
        headers["Date"] = rfc1123_date(self.skews.now(target.endpoint))
        token_header = target.header_prefix + "security-token"
        if credentials.security_token is not None:
            headers[token_header] = credentials.security_token.get_secret_value()
        elif token_header in headers:
            del headers[token_header]
        headers["Authorization"] = authorization(
            credentials, method=request.method, bucket=target.bucket, key=target.key, query=target.query,
            headers=headers, path_style=target.path_style, dialect=target.dialect,
        )

    def after_rejection(self, request: httpx.Request, error: APIError) -> bool:
        target: ObsTarget = request.extensions[OBS_TARGET_EXTENSION]
        time_rejected = is_signature_time_rejection(error)
        if (time_rejected or _bodiless_forbidden(request, error)) and self.skews.learn(
            target.endpoint, error.headers.get("date")
        ):
            return True
        from ._signature_report import is_signature_mismatch, obs_signature_report

        if time_rejected or is_signature_mismatch(error):
            report = obs_signature_report(request, error, target)
            if report is not None:
                error.explain(report)
        return False


def _bodiless_forbidden(request: httpx.Request, error: APIError) -> bool:
    # OBS answers a skewed HEAD with a bare 403: no body says why, so only the Date (checked by learn) can.
    return request.method == "HEAD" and error.status_code == 403 and error.error_code is None


def _endpoint_of(request: httpx.Request) -> str:
    # The Host the signature names: an API Gateway reached by IP is still its own gateway.
    host: str = request.headers.get("host") or request.url.netloc.decode("ascii")
    return host
