"""What a call returns: the response with its request id, elapsed time and attempts."""

from __future__ import annotations

from typing import Any, NamedTuple

from ._collector import CollectorPaused
from ._http import httpx, request_id_in

__all__ = ["Response", "ResponseInfo"]


# A named tuple, not a frozen dataclass: creating that class cost 1 ms of `import hwcloud_client`.
class ResponseInfo(NamedTuple):
    """How a typed result was answered: status, headers, request id, attempts and elapsed time of its call.

    ``info._asdict()`` gives a dict."""

    status_code: int
    headers: httpx.Headers
    request_id: str | None
    attempts: int
    elapsed_ms: float


class _Unread:
    """The request id before it is looked up (None means the response has none)."""


_UNREAD = _Unread()


class Response:
    """A completed response: ``status_code``, ``headers``, ``request_id``, ``content``, ``json()``."""

    __slots__ = ("_http", "_request_id", "attempts", "elapsed_ms")

    def __init__(self, http: httpx.Response, *, attempts: int, elapsed_ms: float) -> None:
        self._http = http
        self.attempts = attempts
        self.elapsed_ms = elapsed_ms
        self._request_id: str | _Unread | None = _UNREAD

    @property
    def status_code(self) -> int:
        return self._http.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self._http.headers

    @property
    def request_id(self) -> str | None:
        found = self._request_id
        if isinstance(found, _Unread):
            # Looked up once: a typed result reads it twice, and each look-up scans the headers up to four times.
            found = self._request_id = request_id_in(self._http.headers)
        return found

    @property
    def content(self) -> bytes:
        return self._http.content

    @property
    def text(self) -> str:
        return self._http.text

    @property
    def url(self) -> str:
        return str(self._http.request.url.copy_with(query=None))

    @property
    def http_response(self) -> httpx.Response:
        """The underlying httpx response (its request carries the Authorization header: do not log it)."""
        return self._http

    def info(self) -> ResponseInfo:
        """The facts of this answer without its body (what a typed result keeps)."""
        return ResponseInfo(self.status_code, self.headers, self.request_id, self.attempts, self.elapsed_ms)

    def json(self) -> Any:
        import json  # here: `import hwcloud_client` does not need it

        content = self._http.content
        if not content:
            return None
        with CollectorPaused():  # a page of 100 servers is thousands of dicts and lists
            return json.loads(content)

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}] request_id={self.request_id}>"
