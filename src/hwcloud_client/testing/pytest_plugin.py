"""pytest fixtures for the emulator (registered through the ``pytest11`` entry point).

* ``fake_cloud``: a fresh :class:`~hwcloud_client.testing.FakeHuaweiCloud` per test;
* ``fake_cloud_client``: an :class:`~hwcloud_client.AsyncHuaweiCloud` wired to ``fake_cloud``
  in-process, with its project id preset and short retry backoffs (injected 429/503 bursts are
  retried without slowing the test down; ``Retry-After`` is honoured up to 0.1 s);
* ``fake_cloud_server``: the base URL of ``fake_cloud`` served on 127.0.0.1 (a free port).

Everything is set up lazily and without I/O: a test that does not use the server starts none.

A test fails when any emulator (these fixtures' or one it built itself) failed internally while the test ran:
the client saw a 500 that Huawei Cloud would not have sent, so whatever the test asserted proves nothing.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from .. import AsyncHuaweiCloud, ClientConfig, RetryPolicy
from .._http import httpx
from ._app import FakeHuaweiCloud, watch_internal_errors

__all__ = ["fake_cloud", "fake_cloud_client", "fake_cloud_server", "pytest_runtest_call"]

FAST_RETRIES = RetryPolicy(backoff_base=0.01, backoff_cap=0.05, retry_after_cap=0.1)


@pytest.fixture
def fake_cloud() -> FakeHuaweiCloud:
    return FakeHuaweiCloud()


@pytest.fixture
def fake_cloud_client(fake_cloud: FakeHuaweiCloud) -> AsyncHuaweiCloud:
    # Nothing to close: the in-process transport holds no sockets.
    return AsyncHuaweiCloud(
        region=fake_cloud.region,
        credentials=fake_cloud.credentials,
        project=fake_cloud.project_id,
        config=ClientConfig(region=fake_cloud.region, retry=FAST_RETRIES),
        http_client=httpx.AsyncClient(transport=fake_cloud.transport()),
        environ={},
    )


@pytest.fixture
def fake_cloud_server(fake_cloud: FakeHuaweiCloud) -> Iterator[str]:
    with fake_cloud.serve() as base_url:
        yield base_url


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call() -> Generator[None, object, object]:
    with watch_internal_errors() as watch:
        outcome = yield
    if watch.errors:
        first = watch.errors[0]
        raise AssertionError(
            f"the Huawei Cloud emulator failed internally on {len(watch.errors)} request(s), the first "
            f"{first.method} {first.path} ({first.service}) with {type(first.error).__name__}; "
            "it answered them with a 500 (see FakeHuaweiCloud.internal_errors)"
        ) from first.error
    return outcome
