"""A pytest plugin that mutation/run.py loads (``-p fresh_caches``): every test starts with empty caches.

mutmut forks each mutant's test run from a process that has already run the clean tests. A
``functools.lru_cache`` filled there (``apig.canonical_wire_query``, ``apig.canonical_uri``,
``endpoints._table_endpoint``...) would answer with the unmutated result, and the mutant would
survive although the tests would catch it in a fresh process.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _empty_hwcloud_client_caches() -> Iterator[None]:
    for name, module in list(sys.modules.items()):
        if name == "hwcloud_client" or name.startswith("hwcloud_client."):
            for value in list(vars(module).values()):
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()
    yield
