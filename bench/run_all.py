"""Run every benchmark side by side and print one table with the goal ratios of issue #8.

Starts bench/fake_ecs_server.py in its own process, runs each (client, workload) cell of
bench/bench_ecs.py in a fresh process (so peak RSS is per client), then import time and signing.

    python bench/run_all.py [--seconds 2.5] [--pin] [--profile] [--obs [--obs-size-mib 1024]]

When httpx-aiohttp is installed (the ``fast`` extra), every workload also runs our SDK over its
transport (``ours-aiohttp``), and the goals show its ratio too.

--pin       server on CPU 0, clients on CPU 1 (needs taskset)
--profile   after the table, profile our SDK once per workload (cProfile, top functions by own time)
--obs       also run bench/bench_obs.py (upload/download through the OBS client; slow at 1 GiB)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
# (label, servers per response, calls in flight)
WORKLOADS = [
    ("1 server, sequential", 1, 1),
    ("1 server, 8 in flight", 1, 8),
    ("1 server, 64 in flight", 1, 64),
    ("1 server, 256 in flight", 1, 256),
    ("100 servers, 64 in flight", 100, 64),
]
IMPORT_REPEATS = 9
IMPORT_CASES = {
    "ours": "import hwcloud_client + AsyncHuaweiCloud(...)",
    "ours-blocking": "import hwcloud_client + HuaweiCloud(...)",
    "pydantic": "import pydantic + validate one model",
    "official": "import huaweicloudsdkecs.v2",
}


class Runner:
    def __init__(self, *, pin: bool, home: str) -> None:
        self.client_cpu = ["taskset", "-c", "1"] if pin else []
        self.env = {**os.environ, "HOME": home}  # the official SDK writes ~/.huaweicloud at import
        # pip compiles an installed package's bytecode; ours, installed editable, gets it from a warm-up
        # import. Without this, PYTHONDONTWRITEBYTECODE would recompile our sources on every import run.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def json_of(self, *args: str) -> dict[str, Any]:
        command = [*self.client_cpu, sys.executable, str(BENCH / "bench_ecs.py"), *args]
        completed = subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{completed.stderr}")
        result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
        return result


def start_server(pin: bool) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, str(BENCH / "fake_ecs_server.py")]
    server = subprocess.Popen(["taskset", "-c", "0", *command] if pin else command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        server.kill()
        raise SystemExit(f"the fake server did not start: {line!r}")
    return server, f"http://127.0.0.1:{int(line.split()[1])}"


def clients_for(in_flight: int, with_aiohttp: bool) -> list[str]:
    official = "official" if in_flight == 1 else "official-async"
    return [official, "ours", *(["ours-aiohttp"] if with_aiohttp else []), "httpx"]


def print_table(cells: dict[tuple[str, str], dict[str, Any]], with_aiohttp: bool) -> None:
    print(f"{'workload':<27} {'client':<15} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'peak RSS MiB':>12}"
          f" {'ours/this':>9}")
    for label, _, in_flight in WORKLOADS:
        ours = cells[label, "ours"]["rps"]
        for client in clients_for(in_flight, with_aiohttp):
            cell = cells[label, client]
            ratio = "" if client == "ours" else f"{ours / cell['rps']:.2f}x" if cell["rps"] else "inf"
            print(f"{label:<27} {client:<15} {cell['rps']:>7.0f} {cell['p50_ms']:>8.2f} {cell['p99_ms']:>8.1f}"
                  f" {cell['peak_rss_mib']:>12.1f} {ratio:>9}")


def verdict(value: float, sense: str, target: float) -> str:
    return "PASS" if (value >= target if sense == ">=" else value <= target) else "MISS"


def print_goals(cells: dict[tuple[str, str], dict[str, Any]], signing: dict[str, float],
                imports: dict[str, dict[str, float]], with_aiohttp: bool) -> None:
    def ratios(label: str, other_label: str, other: str) -> tuple[float, float | None]:
        """Ours over ``other`` in ``other_label``; second: the same with ours over httpx-aiohttp."""
        base = cells[other_label, other]["rps"]
        fast = cells[label, "ours-aiohttp"]["rps"] / base if with_aiohttp else None
        return cells[label, "ours"]["rps"] / base, fast

    sequential, at_256, at_8 = "1 server, sequential", "1 server, 256 in flight", "1 server, 8 in flight"
    no_collapse = (cells[at_256, "ours"]["rps"] / cells[at_8, "ours"]["rps"],
                   cells[at_256, "ours-aiohttp"]["rps"] / cells[at_8, "ours-aiohttp"]["rps"] if with_aiohttp else None)
    def import_ratio(client: str) -> tuple[float, None]:
        return imports[client]["seconds"] / imports["official"]["seconds"], None

    goals: list[tuple[str, tuple[float, float | None], str, float]] = [
        ("signing µs, official/ours (apig.sign_request)", (signing["official_us"] / signing["ours_us"], None), ">=", 5),
        ("signing µs, official/ours (hook on an httpx.Request)",
         (signing["official_us"] / signing["ours_hook_us"], None), ">=", 5),
        ("1 server sequential, ours/official sync", ratios(sequential, sequential, "official"), ">=", 1.4),
        ("1 server 256 in flight, ours/official async", ratios(at_256, at_256, "official-async"), ">=", 1.5),
        ("100 servers 64 in flight, ours/official async",
         ratios("100 servers, 64 in flight", "100 servers, 64 in flight", "official-async"), ">=", 4),
        ("no collapse, ours 256 in flight / ours 8 in flight", no_collapse, ">=", 0.8),
        ("import + HuaweiCloud(...), ours/official import", import_ratio("ours-blocking"), "<=", 0.5),
        ("import + AsyncHuaweiCloud(...), ours/official import", import_ratio("ours"), "<=", 0.5),
    ]
    print(f"\nsigning µs per GET: official {signing['official_us']:.1f}, ours {signing['ours_us']:.1f} "
          f"(apig.sign_request), {signing['ours_hook_us']:.1f} (hook re-signing an httpx.Request)")
    for client, cost in imports.items():
        what = IMPORT_CASES[client]
        print(f"{what:<48} {cost['seconds'] * 1000:4.0f} ms (import alone {cost['import_seconds'] * 1000:.0f} ms)"
              f"  +{cost['rss_mib']:.1f} MiB RSS, median of {IMPORT_REPEATS}")
    floor = imports["pydantic"]["seconds"] / imports["official"]["seconds"]
    print(f"pydantic alone is {floor:.2f}x the official import: the floor under the import goal, since the "
          "facade is built from pydantic config models")
    print(f"\n{'goal (issue #8)':<53} {'target':>7} {'ours':>6} {'':4} {'ours-aiohttp':>12}")
    for name, (ratio, fast_ratio), sense, target in goals:
        fast = f"{fast_ratio:6.2f} {verdict(fast_ratio, sense, target)}" if fast_ratio is not None else ""
        print(f"{name:<53} {sense}{target:<5} {ratio:6.2f} {verdict(ratio, sense, target)} {fast:>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.5, help="measured window per cell (plus 0.5 s warm-up)")
    parser.add_argument("--pin", action="store_true", help="server on CPU 0, clients on CPU 1 (taskset)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top entries of ours per workload")
    parser.add_argument("--obs", action="store_true", help="also run bench/bench_obs.py")
    parser.add_argument("--obs-size-mib", type=int, default=1024)
    args = parser.parse_args()
    if args.pin and shutil.which("taskset") is None:
        raise SystemExit("--pin needs taskset")
    with_aiohttp = importlib.util.find_spec("httpx_aiohttp") is not None

    with tempfile.TemporaryDirectory(prefix="bench-home-") as home:
        runner = Runner(pin=args.pin, home=home)
        server, url = start_server(args.pin)
        try:
            cells: dict[tuple[str, str], dict[str, Any]] = {}
            for label, servers, in_flight in WORKLOADS:
                for client in clients_for(in_flight, with_aiohttp):
                    print(f"running {label}: {client}", file=sys.stderr, flush=True)
                    cells[label, client] = runner.json_of(
                        "workload", "--client", client, "--url", url, "--servers", str(servers),
                        "--in-flight", str(in_flight), "--seconds", str(args.seconds))
            for client in IMPORT_CASES:
                runner.json_of("import", "--client", client)  # warm-up: bytecode and the OS file cache
            # Interleaved, so that a slow spell of the machine weighs on every case alike.
            runs: dict[str, list[dict[str, Any]]] = {client: [] for client in IMPORT_CASES}
            for _ in range(IMPORT_REPEATS):
                for client in IMPORT_CASES:
                    runs[client].append(runner.json_of("import", "--client", client))
            imports = {client: {key: statistics.median(run[key] for run in client_runs) for key in client_runs[0]}
                       for client, client_runs in runs.items()}
            signing = runner.json_of("signing")

            print(f"\nfake ECS at {url}; {args.seconds} s per cell; pinned: {args.pin}; "
                  f"ours/this = our req/s over this row's\n")
            print_table(cells, with_aiohttp)
            print_goals(cells, signing, imports, with_aiohttp)

            if args.profile:
                for label, servers, in_flight in WORKLOADS:
                    profile = runner.json_of(
                        "workload", "--client", "ours", "--url", url, "--servers", str(servers),
                        "--in-flight", str(in_flight), "--seconds", str(args.seconds), "--profile", "12")
                    print(f"\n### ours, {label} (under cProfile: {profile['rps']:.0f} req/s)\n{profile['profile']}")
        finally:
            server.terminate()
            server.wait()
        if args.obs:
            print("\n## OBS (bench/bench_obs.py)\n", flush=True)
            subprocess.run([*runner.client_cpu, sys.executable, str(BENCH / "bench_obs.py"),
                            "--size-mib", str(args.obs_size_mib)], env=runner.env, check=True)


if __name__ == "__main__":
    main()
