"""The one place the HTTP library is imported: swapping httpx for a compatible fork is one edit here.

It is imported on first use, not with the package: ``import hwcloud_client`` and building a facade then
cost pydantic and our own modules, and a first request pays for httpx (about a third of the old import).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = [
    "REQUEST_ID_HEADERS", "ImportedOnFirstUse", "decode_header_value", "http_date_timestamp", "httpx", "request_id_in",
]


class ImportedOnFirstUse:
    """Stands for a module, which is imported the first time one of its attributes is read.

    Attributes are looked up on the module every time (never copied here), so patching the module
    (``mock.patch("httpx.AsyncClient")``) still reaches our code.
    """

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


if TYPE_CHECKING:
    import httpx
else:
    httpx = ImportedOnFirstUse("httpx")


def decode_header_value(raw: bytes) -> str:
    """A header value as text: UTF-8 (what the official SDK sends), else Latin-1 (HTTP's historical charset)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def http_date_timestamp(value: str) -> float | None:
    """An HTTP date (``Date``, ``Retry-After``) as seconds since the epoch, or None if it is not one."""
    # Imported here: email.utils brings the email package and socket, and only error paths need it.
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# Where Huawei's services put the request id, most common first (API Gateway, OBS, IAM, OpenStack-style APIs).
REQUEST_ID_HEADERS = ("x-request-id", "x-obs-request-id", "x-iam-trace-id", "x-openstack-request-id")


def request_id_in(headers: Mapping[str, str]) -> str | None:
    """The request id a response's headers carry (lower-case names, or a case-insensitive mapping), if any."""
    for name in REQUEST_ID_HEADERS:
        found = headers.get(name)
        if found:
            return found
    return None
