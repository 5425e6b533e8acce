"""Client CPU time per call, ours and bare httpx interleaved in one process: steadier than req/s on a shared machine.

Starts fake_ecs_server.py, then for each workload runs in one process, in ``--rounds`` interleaved rounds of
``--calls`` calls: **httpx** (8 one-connection clients behind an 8-slot FIFO gate: the shape of our default
transport, as in bench_ecs.py), **ours-request** (``cloud.request()`` + ``json.loads``: the send path) and **ours**
(``cloud.ecs.list_servers_details()``: the send path and the typed layer). It keeps each one's lowest CPU time per
call (``time.process_time()``: the client is CPU-bound, so this is what its throughput depends on, and another
process's load moves it far less than wall time), and counts the Python calls per request under cProfile, which do
not depend on load at all.

    python bench/bench_cpu.py [--rounds 6] [--calls 512]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_all import start_server

PROJECT_ID = "0123456789abcdef0123456789abcdef"
LIST_PATH = "/v1/{project_id}/cloudservers/detail"
WORKLOADS = [("1 server, sequential", 1, 1), ("1 server, 8 in flight", 1, 8), ("1 server, 64 in flight", 1, 64),
             ("1 server, 256 in flight", 1, 256), ("100 servers, 64 in flight", 100, 64)]


async def measure(url: str, servers: int, in_flight: int, rounds: int, calls: int) -> dict[str, dict[str, float]]:
    import httpx

    from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials

    cloud = AsyncHuaweiCloud(region="cn-north-4", credentials=Credentials(ak="AK", sk="SK"), project=PROJECT_ID,
                             config=ClientConfig(endpoints={"ecs": url}))
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(limits=one) for _ in range(8)]
    free = list(clients)
    gate = asyncio.Semaphore(8)
    target = f"{url}/v1/{PROJECT_ID}/cloudservers/detail"

    async def bare() -> int:
        async with gate:
            client = free.pop()
            try:
                response = await client.get(target, params={"limit": servers})
                response.raise_for_status()
                return len(json.loads(response.content)["servers"])
            finally:
                free.append(client)

    async def untyped() -> int:
        return len((await cloud.request("ecs", "GET", LIST_PATH, params={"limit": servers})).json()["servers"])

    async def typed() -> int:
        return len((await cloud.ecs.list_servers_details(limit=servers)).servers or [])

    cases: dict[str, Callable[[], Awaitable[int]]] = {"httpx": bare, "ours-request": untyped, "ours": typed}
    per_caller = max(1, calls // in_flight)

    async def run(call: Callable[[], Awaitable[int]]) -> float:
        async def caller() -> None:
            for _ in range(per_caller):
                assert await call() == servers

        started = time.process_time()
        await asyncio.gather(*(caller() for _ in range(in_flight)))
        return (time.process_time() - started) / (per_caller * in_flight) * 1e6

    for call in cases.values():  # warm-up: imports, schemas, connections
        await run(call)
    best = {name: float("inf") for name in cases}
    for _ in range(rounds):
        for name, call in cases.items():
            best[name] = min(best[name], await run(call))
    results: dict[str, dict[str, float]] = {}
    for name, call in cases.items():
        profiler = cProfile.Profile()
        profiler.enable()
        await run(call)
        profiler.disable()
        results[name] = {"cpu_us": best[name],
                         "calls": pstats.Stats(profiler).total_calls / (per_caller * in_flight)}
    await cloud.aclose()
    for client in clients:
        await client.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--calls", type=int, default=512, help="calls per round (a quarter for 100-server pages)")
    args = parser.parse_args()
    server, url = start_server(pin=False)
    try:
        print(f"{'workload':<27} {'httpx µs':>9} {'ours-request µs':>16} {'ours µs':>8} "
              f"{'httpx/ours-request':>19} {'httpx/ours':>11}   Python calls per request (httpx, ours-request, ours)")
        for label, servers, in_flight in WORKLOADS:
            calls = args.calls // 4 if servers > 1 else args.calls
            found = asyncio.run(measure(url, servers, in_flight, args.rounds, max(calls, in_flight)))
            bare, untyped, typed = (found[name] for name in ("httpx", "ours-request", "ours"))
            print(f"{label:<27} {bare['cpu_us']:>9.0f} {untyped['cpu_us']:>16.0f} {typed['cpu_us']:>8.0f} "
                  f"{bare['cpu_us'] / untyped['cpu_us']:>18.2f}x {bare['cpu_us'] / typed['cpu_us']:>10.2f}x   "
                  f"{bare['calls']:,.0f}, {untyped['calls']:,.0f}, {typed['calls']:,.0f}", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
