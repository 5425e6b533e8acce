"""The one place the HTTP library is imported: swapping httpx for a compatible fork is one edit here."""

import httpx

__all__ = ["decode_header_value", "httpx"]


def decode_header_value(raw: bytes) -> str:
    """A header value as text: UTF-8 (what the official SDK sends), else Latin-1 (HTTP's historical charset)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
