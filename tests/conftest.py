from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hwcloud_client.testing import FakeHuaweiCloud


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio; modules that must also hold on trio override this fixture."""
    return "asyncio"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[FakeHuaweiCloud, str]]:
    """A fresh emulator served on 127.0.0.1, and its base URL; no credentials from the environment, and a scratch
    HOME (the official core writes ~/.huaweicloud/application_id when it is imported)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeHuaweiCloud()
    with fake.serve() as base_url:
        yield fake, base_url
