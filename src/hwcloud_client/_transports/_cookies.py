"""A cookie store that skips httpx's per-response work when a response sets no cookie.

``httpx.AsyncClient`` hands every response to its cookie jar: ``Cookies.extract_cookies`` wraps the request
in a ``urllib.request.Request`` (parsing its URL again) and the response's headers in an
``email.message.Message``, only for the standard library's ``CookieJar`` to find no ``Set-Cookie`` header
(~20 µs a call, as much as signing it). Cookies are still stored and sent as before: a response that sets
one goes through httpx's code unchanged.
"""

from __future__ import annotations

from .._http import httpx

__all__ = ["CookielessFastPath", "skip_cookieless_responses"]

_SETS_COOKIE = (b"set-cookie", b"set-cookie2")


class CookielessFastPath(httpx.Cookies):
    """``httpx.Cookies`` whose ``extract_cookies`` returns at once for a response without a cookie header."""

    def extract_cookies(self, response: httpx.Response) -> None:
        entries = getattr(response.headers, "_list", None)
        if type(entries) is list:
            if not any(entry[1] in _SETS_COOKIE for entry in entries):
                return
        elif "set-cookie" not in response.headers and "set-cookie2" not in response.headers:
            return
        super().extract_cookies(response)


def skip_cookieless_responses(client: httpx.AsyncClient) -> None:
    """Give ``client`` (one the SDK created) a :class:`CookielessFastPath` over its own, still empty, jar."""
    cookies = getattr(client, "_cookies", None)
    if type(cookies) is httpx.Cookies:
        # Cookies(jar) keeps that very jar: what client.cookies shows and what build_request sends are unchanged.
        client._cookies = CookielessFastPath(cookies.jar)
