"""Credential sources that are broken in ways a user cannot see: a credentials file that is not UTF-8 (whose
decode error held the secret key), and a metadata service that hands out keys which have already expired."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

from hwcloud_client.auth.providers import (
    ChainCredentialsProvider,
    CredentialsNotFoundError,
    ProfileCredentialsProvider,
    RefreshingCredentialsProvider,
)
from hwcloud_client.config import Credentials
from hwcloud_client.errors import ConfigurationError
from tests.test_providers import FakeMetadataService, metadata_provider, security_key_body

pytestmark = pytest.mark.anyio

SECRET = "s3cr\xe9t-key-in-latin-1"


async def test_a_credentials_file_that_is_not_utf8_is_a_configuration_error_without_its_content(
    tmp_path: Path,
) -> None:
    """The UnicodeDecodeError escaped as is, and its repr holds the undecodable bytes: the secret key's line."""
    path = tmp_path / "credentials"
    path.write_bytes(f"[basic]\nak = AK-LATIN\nsk = {SECRET}\n".encode("latin-1"))
    with pytest.raises(ConfigurationError) as caught:
        await ProfileCredentialsProvider(path=path).get_credentials()
    error = caught.value
    assert type(error) is ConfigurationError, "configured but broken: a chain must stop, not fall through"
    assert str(path) in str(error)
    assert "UTF-8" in str(error)
    assert error.__cause__ is None and error.__context__ is None, "the decode error (and its bytes) is not kept"
    rendered = "".join(traceback.format_exception(error))
    for text in (str(error), repr(error), rendered):
        assert "s3cr" not in text and "AK-LATIN" not in text


async def test_a_chain_stops_at_a_credentials_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_bytes(b"[basic]\nak = AK\nsk = \xff\xfe\n")

    class Never:
        project_id = domain_id = None

        async def get_credentials(self) -> Credentials:
            raise AssertionError("the chain went past a broken credentials file")

    with pytest.raises(ConfigurationError, match="UTF-8"):
        await ChainCredentialsProvider([ProfileCredentialsProvider(path=path), Never()]).get_credentials()


async def test_the_other_read_errors_keep_no_context_either(tmp_path: Path) -> None:
    """configparser quotes an unparsable line (here: the secret key) in its message; "from None" only hides
    the error it raised, which __context__ still held."""
    path = tmp_path / "credentials"
    path.write_text("[basic]\nak = AK\nsecret-key-on-a-line-of-its-own\n")
    with pytest.raises(ConfigurationError, match="ParsingError at line 3") as caught:
        await ProfileCredentialsProvider(path=path).get_credentials()
    assert caught.value.__context__ is None
    with pytest.raises(CredentialsNotFoundError) as missing:
        await ProfileCredentialsProvider(path=tmp_path / "absent").get_credentials()
    assert missing.value.__context__ is None


async def test_already_expired_keys_from_the_metadata_service_are_an_error_after_one_fetch() -> None:
    """They were handed out silently, and fetched again on every call (each one a mandatory refresh)."""
    service = FakeMetadataService(body=security_key_body(expires_at="2001-02-03T04:05:06.000000Z"))
    provider = metadata_provider(service)
    with pytest.raises(ConfigurationError) as caught:
        await provider.get_credentials()
    await provider.aclose()
    message = str(caught.value)
    assert "ECS metadata service at http://169.254.169.254" in message
    assert "2001-02-03T04:05:06Z" in message
    assert "clock" in message, "the message names what to check"
    assert service.count("GET") == 1
    assert type(caught.value) is ConfigurationError, "not CredentialsNotFoundError: a chain must not move on"


async def test_any_refreshing_source_refuses_keys_that_have_already_expired() -> None:
    now = 1_800_000_000.0
    fetches = 0

    async def fetch() -> Credentials:
        nonlocal fetches
        fetches += 1
        return Credentials(ak="AK", sk="sk-value", security_token="token", expires_at=now - 1)

    provider = RefreshingCredentialsProvider(fetch, clock=lambda: now)
    for _ in range(2):
        with pytest.raises(ConfigurationError, match="already expired"):
            await provider.get_credentials()
    assert fetches == 2, "one fetch per call that needs keys: an error each time, never stale keys"


async def test_keys_expiring_later_are_still_used() -> None:
    service = FakeMetadataService()
    provider = metadata_provider(service)
    assert (await provider.get_credentials()).ak == "AK-META"
    assert (await provider.get_credentials()).ak == "AK-META"
    await provider.aclose()
    assert service.count("GET") == 1
