"""The cyclic garbage collector paused while a large result is built.

A page of results (100 ECS servers, 1,000 OBS keys) is hundreds of objects the collector tracks, all alive until the
result is handed over: with the collector running, every 700 allocations it scans them, moves them on, and once they
reach its oldest generation their number sets off a full collection of the whole heap every few pages. That doubled
the cost of a 100-server page and added a third to a 1,000-key listing (bench/README.md, third pass;
pydantic-core#1219 and msgpack's README describe the same). What is built here holds no cycle, so the pause leaves
nothing for the collector to find later.
"""

from __future__ import annotations

import gc

__all__ = ["CollectorPaused"]


class CollectorPaused:
    """``with CollectorPaused(): ...`` runs the block with the cyclic collector off, and turns it back on after,
    whatever the block raises, only if it was on (a program that turned it off keeps it off). The switch is the
    process's: another thread's ``gc.disable()`` made during the block is undone when it ends, and a block that
    finds the collector already paused by another thread leaves it to that thread."""

    __slots__ = ("_paused",)

    def __enter__(self) -> None:
        self._paused = gc.isenabled()
        if self._paused:
            gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self._paused:
            gc.enable()
