from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio; modules that must also hold on trio override this fixture."""
    return "asyncio"
