"""The one place the HTTP library is imported: swapping httpx for a compatible fork is one edit here."""

import httpx

__all__ = ["httpx"]
