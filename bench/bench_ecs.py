"""One benchmark cell per process, so that peak RSS belongs to one client: prints one JSON line.

    python bench/bench_ecs.py workload --client ours --url http://127.0.0.1:PORT --servers 1 --in-flight 64
    python bench/bench_ecs.py import --client official
    python bench/bench_ecs.py signing

Clients: ``ours`` (AsyncHuaweiCloud with its default pool and in-flight limit), ``ours-request`` (the same
facade's untyped ``cloud.request()`` + ``json.loads``: the send path without the typed service), ``ours-aiohttp`` (the
same over httpx-aiohttp's transport), ``official`` (huaweicloudsdkecs EcsClient, sequential only),
``official-async`` (EcsAsyncClient: futures on its 8-thread pool) and ``httpx`` (a default
httpx.AsyncClient, unsigned GET + json.loads). ``in-flight`` callers each loop on calls for a warm-up,
then for the measured window; a call counts if it ends inside the window. ``--profile`` runs the cell
under cProfile and adds the top functions by own time. Run the official SDK with HOME set to a
scratch folder: it writes ~/.huaweicloud when imported.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import io
import json
import pstats
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

AK, SK = "AKBENCHMARK", "SKBENCHMARK"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
LIST_PATH = "/v1/{project_id}/cloudservers/detail"
POOL_SETTINGS = ("max_connections", "max_keepalive_connections", "max_in_flight")
HTTPX_SHAPES = {"httpx": "shards", "httpx-pool": "pool", "httpx-default": "default", "httpx-aiohttp": "aiohttp"}
WORKLOAD_CLIENTS = ["ours", "ours-request", "ours-aiohttp", "ours-http-client", "official", "official-async",
                    *HTTPX_SHAPES, "aiohttp"]


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Window:
    """Latencies of calls that ended between ``start`` and ``end`` (after the warm-up)."""

    def __init__(self, warmup: float, seconds: float) -> None:
        self.start = time.perf_counter() + warmup
        self.end = self.start + seconds
        self.latencies: list[float] = []

    def record(self, began: float) -> bool:
        """Record a call that began at ``began``; False once the window has closed."""
        now = time.perf_counter()
        if now >= self.end:
            return False
        if now >= self.start:
            self.latencies.append(now - began)
        return True

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        count = len(ordered)
        seconds = self.end - self.start
        return {
            "requests": count,
            "rps": count / seconds,
            "p50_ms": ordered[count // 2] * 1000 if count else float("nan"),
            "p99_ms": ordered[min(count - 1, int(count * 0.99))] * 1000 if count else float("nan"),
        }


async def _drive(call: Callable[[], Awaitable[int]], servers: int, in_flight: int, window: Window) -> None:
    async def caller() -> None:
        while True:
            began = time.perf_counter()
            listed = await call()
            assert listed == servers, listed
            if not window.record(began):
                return

    # Callers stuck behind a collapsed pool may not finish for seconds: stop waiting when the window closes.
    callers = [asyncio.ensure_future(caller()) for _ in range(in_flight)]
    await asyncio.wait(callers, timeout=max(0.0, window.end - time.perf_counter()) + 0.05)
    for task in callers:
        task.cancel()
    for outcome in await asyncio.gather(*callers, return_exceptions=True):
        if isinstance(outcome, Exception):
            raise outcome


async def run_ours(
    url: str, servers: int, in_flight: int, window: Window, *, aiohttp: bool, pool: dict[str, int],
    user_client: bool = False, untyped: bool = False,
) -> None:
    from hwcloud_client import AsyncHuaweiCloud, ClientConfig, Credentials

    config = ClientConfig(endpoints={"ecs": url}, http_backend="aiohttp" if aiohttp else "httpx", **pool)
    http_client = None
    if user_client:
        import httpx

        # What a user who brings a client writes: a default httpx.AsyncClient (its one pool of up to 100
        # connections; the facade still lets max_in_flight = 8 calls through at a time).
        http_client = httpx.AsyncClient()
    cloud = AsyncHuaweiCloud(region="cn-north-4", credentials=Credentials(ak=AK, sk=SK), project=PROJECT_ID,
                             config=config, http_client=http_client)
    async with cloud:
        if not untyped and hasattr(cloud.ecs, "list_servers_details"):
            async def call() -> int:
                return len((await cloud.ecs.list_servers_details(limit=servers)).servers or [])
        else:
            async def call() -> int:
                response = await cloud.request("ecs", "GET", LIST_PATH, params={"limit": servers})
                return len(response.json()["servers"])

        await _drive(call, servers, in_flight, window)
    if http_client is not None:
        await http_client.aclose()


# The bare transports: the same unsigned GET and json.loads, no SDK, gated to the SDK's default in-flight limit.
BARE_LIMIT = 8


async def run_httpx(url: str, servers: int, in_flight: int, window: Window, *, shape: str) -> None:
    """Plain httpx. ``shape``: ``shards`` = 8 one-connection clients, a call takes a free one (our default
    transport's shape); ``pool`` = one client whose pool holds 8 connections, behind an 8-slot semaphore;
    ``default`` = one default client, ungated (its pool allows 100 connections); ``aiohttp`` = httpx-aiohttp's
    client (httpx's API over aiohttp: what our ``fast`` backend sends through), 8 connections, 8 calls at a time."""
    import httpx

    target = f"{url}/v1/{PROJECT_ID}/cloudservers/detail"
    query = {"limit": servers}

    def check(response: httpx.Response) -> int:
        response.raise_for_status()
        return len(json.loads(response.content)["servers"])

    if shape == "shards":
        one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        clients = [httpx.AsyncClient(limits=one) for _ in range(BARE_LIMIT)]
        free = list(clients)
        # A FIFO gate, like our limiter: an asyncio.Queue of clients would let the caller that just put one
        # back take it again at once, so 8 callers would keep the connections and the rest starve (with
        # fewer task switches than any fair queue, and latencies only of the calls that got through).
        gate = asyncio.Semaphore(BARE_LIMIT)

        async def call() -> int:
            async with gate:
                client = free.pop()
                try:
                    return check(await client.get(target, params=query))
                finally:
                    free.append(client)

        await _drive(call, servers, in_flight, window)
        for client in clients:
            await client.aclose()
        return
    limits = httpx.Limits(max_connections=BARE_LIMIT, max_keepalive_connections=BARE_LIMIT)
    if shape == "aiohttp":
        from httpx_aiohttp import HttpxAiohttpClient

        bare: httpx.AsyncClient = HttpxAiohttpClient(limits=limits)
    else:
        bare = httpx.AsyncClient(**({"limits": limits} if shape == "pool" else {}))
    async with bare as client:
        if shape == "default":
            async def call() -> int:
                return check(await client.get(target, params=query))
        else:
            gate = asyncio.Semaphore(BARE_LIMIT)

            async def call() -> int:
                async with gate:
                    return check(await client.get(target, params=query))

        await _drive(call, servers, in_flight, window)


async def run_aiohttp(url: str, servers: int, in_flight: int, window: Window) -> None:
    """Plain aiohttp (what the ``fast`` backend sends through): one session, 8 connections, 8 calls at a time."""
    import aiohttp

    target = f"{url}/v1/{PROJECT_ID}/cloudservers/detail"
    gate = asyncio.Semaphore(BARE_LIMIT)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=BARE_LIMIT)) as session:
        async def call() -> int:
            async with gate, session.get(target, params={"limit": str(servers)}) as response:
                response.raise_for_status()
                return len(json.loads(await response.read())["servers"])

        await _drive(call, servers, in_flight, window)


def _official_client(url: str, *, use_async: bool) -> Any:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkecs.v2 import EcsAsyncClient, EcsClient

    # An explicit endpoint and a project id: no region table and no IAM look-up at build time.
    builder = (EcsAsyncClient if use_async else EcsClient).new_builder()
    return builder.with_credentials(BasicCredentials(AK, SK, PROJECT_ID)).with_endpoints([url]).build()


def run_official(url: str, servers: int, window: Window) -> None:
    from huaweicloudsdkecs.v2 import ListServersDetailsRequest

    client = _official_client(url, use_async=False)
    while True:
        began = time.perf_counter()
        listed = len(client.list_servers_details(ListServersDetailsRequest(limit=servers)).servers)
        assert listed == servers, listed
        if not window.record(began):
            return


def run_official_async(url: str, servers: int, in_flight: int, window: Window) -> None:
    from huaweicloudsdkecs.v2 import ListServersDetailsRequest

    client = _official_client(url, use_async=True)
    # FutureSdkResponse has only result(): keep N outstanding in submission order (its pool is FIFO).
    pending: collections.deque[tuple[float, Any]] = collections.deque()

    def submit() -> None:
        started = time.perf_counter()
        pending.append((started, client.list_servers_details_async(ListServersDetailsRequest(limit=servers))))

    for _ in range(in_flight):
        submit()
    while True:
        began, future = pending.popleft()
        listed = len(future.result().servers)
        assert listed == servers, listed
        if not window.record(began):
            break
        submit()
    client.get_http_client().executor.shutdown(wait=False, cancel_futures=True)


def workload(args: argparse.Namespace) -> dict[str, Any]:
    window = Window(args.warmup, args.seconds)
    if args.client == "official":
        if args.in_flight != 1:
            raise SystemExit("the official sync client runs one call at a time: use official-async")
        run_official(args.url, args.servers, window)
    elif args.client == "official-async":
        run_official_async(args.url, args.servers, args.in_flight, window)
    elif args.client in HTTPX_SHAPES:
        asyncio.run(run_httpx(args.url, args.servers, args.in_flight, window, shape=HTTPX_SHAPES[args.client]))
    elif args.client == "aiohttp":
        asyncio.run(run_aiohttp(args.url, args.servers, args.in_flight, window))
    else:
        pool = {name: getattr(args, name) for name in POOL_SETTINGS if getattr(args, name) is not None}
        asyncio.run(run_ours(args.url, args.servers, args.in_flight, window, aiohttp=args.client == "ours-aiohttp",
                             pool=pool, user_client=args.client == "ours-http-client",
                             untyped=args.client == "ours-request"))
    return window.summary()


DEV_ONLY_MODULES = ("trio", "click", "rich", "pygments")


def import_cost(client: str, url: str | None = None, *, hide_dev_modules: bool = False) -> dict[str, float]:
    """Seconds and MiB to import the SDK and build a client, in this fresh process.

    ``pydantic`` is the floor under ours: importing pydantic and validating one model (its first schema
    build scans installed distributions for plugins), which our config models cannot avoid.
    ``ours-vpc`` goes on to the first call of a generated service (``cloud.vpc_v2.list_vpcs()`` against the
    fake server at ``url``): ``import_seconds``, ``facade_seconds`` and ``service_seconds`` are its stages;
    ``official-vpc-call`` does the same with the official VpcClient.
    """
    if hide_dev_modules:
        # Installed here for the tests, not by `pip install hwcloud-client`: httpcore imports trio when it is
        # installed, and httpx imports its command line's click, rich and pygments (~30 ms of a first call).
        for name in DEV_ONLY_MODULES:
            sys.modules[name] = None  # type: ignore[assignment]  # `import trio` now raises ImportError
    rss_before = current_rss_mib()
    started = time.perf_counter()
    stages: dict[str, float] = {}
    if client == "official":
        import huaweicloudsdkecs.v2  # noqa: F401

        imported = time.perf_counter()
    elif client in ("official-vpc", "official-vpc-call"):
        import huaweicloudsdkvpc.v2

        imported = time.perf_counter()
        if client == "official-vpc-call":
            from huaweicloudsdkcore.auth.credentials import BasicCredentials

            vpc = huaweicloudsdkvpc.v2.VpcClient.new_builder().with_credentials(
                BasicCredentials(AK, SK, PROJECT_ID)).with_endpoints([url]).build()
            assert len(vpc.list_vpcs(huaweicloudsdkvpc.v2.ListVpcsRequest(limit=1)).vpcs) == 1
    elif client == "pydantic":
        from pydantic import BaseModel

        imported = time.perf_counter()

        class Probe(BaseModel):
            name: str

        Probe(name="probe")
    else:
        import hwcloud_client

        imported = time.perf_counter()
        credentials = hwcloud_client.Credentials(ak=AK, sk=SK)
        config = hwcloud_client.ClientConfig(endpoints={"ecs": "http://127.0.0.1:1", "vpc": url or "http://127.0.0.1:1"})
        # Neither facade opens anything before its first call (the blocking one starts its portal then).
        facade = hwcloud_client.HuaweiCloud if client == "ours-blocking" else hwcloud_client.AsyncHuaweiCloud
        cloud = facade(region="cn-north-4", credentials=credentials, project=PROJECT_ID, config=config)
        if client == "ours-vpc":
            assert isinstance(cloud, hwcloud_client.AsyncHuaweiCloud)
            stages["facade_seconds"] = time.perf_counter() - started
            service = cloud.vpc_v2
            stages["service_seconds"] = time.perf_counter() - started

            async def first_call() -> int:
                async with cloud:
                    return len((await service.list_vpcs(limit=1)).vpcs or [])

            assert asyncio.run(first_call()) == 1
        elif client == "ours-vpc-warm":
            # The generated service's own cost: the client has made a call (httpx, TLS, transports paid), then
            # the first cloud.vpc_v2 call imports the service and the models of list_vpcs.
            assert isinstance(cloud, hwcloud_client.AsyncHuaweiCloud)

            async def warm_then_first_call() -> int:
                async with cloud:
                    await cloud.request("vpc", "GET", "/v1/{project_id}/vpcs", params={"limit": 1})
                    stages["warm_seconds"] = time.perf_counter() - started
                    return len((await cloud.vpc_v2.list_vpcs(limit=1)).vpcs or [])

            assert asyncio.run(warm_then_first_call()) == 1
            stages["service_call_seconds"] = time.perf_counter() - started - stages["warm_seconds"]
    finished = time.perf_counter()
    return {"seconds": finished - started, "import_seconds": imported - started,
            "rss_mib": current_rss_mib() - rss_before, **stages}


def signing(seconds: float) -> dict[str, float]:
    """Microseconds per signature of a GET with 3 query params, as bench_signing.py measures them: ``ours_us``
    signs prepared headers (auth.apig.sign_request), ``ours_hook_us`` re-signs a whole httpx.Request."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_signing import _measure_case
    from huaweicloudsdkcore.signer.signer import Signer

    from hwcloud_client import Credentials

    class OfficialCredentials:
        ak, sk = AK, SK

    official, pure, hook = _measure_case(
        Signer(OfficialCredentials()), Credentials(ak=AK, sk=SK), "GET",
        [("limit", 10), ("offset", 1), ("status", "ACTIVE")], b"", seconds,
    )
    return {"official_us": 1e6 / official, "ours_us": 1e6 / pure, "ours_hook_us": 1e6 / hook}


def profiled(run: Callable[[], dict[str, Any]], top: int) -> dict[str, Any]:
    profiler = cProfile.Profile()
    result = profiler.runcall(run)
    report = io.StringIO()
    pstats.Stats(profiler, stream=report).strip_dirs().sort_stats("tottime").print_stats(top)
    lines = report.getvalue().splitlines()
    header = next(index for index, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return {**result, "profile": "\n".join(lines[header:header + top + 1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    modes = parser.add_subparsers(dest="mode", required=True)
    cell = modes.add_parser("workload")
    cell.add_argument("--client", choices=WORKLOAD_CLIENTS, required=True)
    cell.add_argument("--url", required=True, help="the fake server, e.g. http://127.0.0.1:8080")
    cell.add_argument("--servers", type=int, default=1, help="servers per response (1 ≈ 3 KB, 100 ≈ 300 KB)")
    cell.add_argument("--in-flight", type=int, default=1, help="calls kept outstanding")
    cell.add_argument("--seconds", type=float, default=2.5, help="measured window")
    cell.add_argument("--warmup", type=float, default=0.5)
    for name in POOL_SETTINGS:
        cell.add_argument(f"--{name.replace('_', '-')}", type=int, help=f"ours: ClientConfig.{name} if not its default")
    cell.add_argument("--profile", type=int, default=0, metavar="N", help="add cProfile's top N functions")
    imports = modes.add_parser("import")
    imports.add_argument("--client", required=True, choices=[
        "ours", "ours-blocking", "ours-vpc", "ours-vpc-warm", "official", "official-vpc", "official-vpc-call",
        "pydantic",
    ])
    imports.add_argument("--url", help="ours-vpc, ours-vpc-warm: the fake server")
    imports.add_argument("--user-install", action="store_true",
                         help=f"hide {', '.join(DEV_ONLY_MODULES)}: installed for the tests, not with the SDK")
    modes.add_parser("signing").add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()

    result: dict[str, Any]
    if args.mode == "import":
        result = import_cost(args.client, args.url, hide_dev_modules=args.user_install)
    elif args.mode == "signing":
        result = signing(args.seconds)
    elif args.profile:
        result = profiled(lambda: workload(args), args.profile)
    else:
        result = workload(args)
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
