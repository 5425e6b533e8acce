"""Mutation testing with mutmut, one module at a time, each against the tests that cover it.

    python mutation/run.py               # every module below, then the score table
    python mutation/run.py _waiter apig  # only these
    python mutation/run.py --report      # the table from the last runs, without running
    python mutation/run.py --ref=HEAD    # a commit's src/tests instead of the work tree's

Each module runs in its own scratch copy, build/mutation/<name>/ (src, tests, pyproject.toml and a
generated setup.cfg), so the work tree is never mutated. mutmut records which tests reach each
mutated function and runs only those, stopping at the first failure, with a CPU-time limit per run
derived from the tests' clean durations (a mutant that loops is a timeout, counted as killed), and
with mutation/fresh_caches.py emptying the package's lru caches before every test.
MUTATION_JOBS sets mutmut's workers (default 1: the machine is shared).

The score is killed / (mutants - equivalents): survivors, "no tests" and anything else count
against it. Equivalent mutants (no observable change) are listed with a reason in
mutation/equivalents.md and excluded by name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "build" / "mutation"
EQUIVALENTS = ROOT / "mutation" / "equivalents.md"

# name -> (module, the tests that exercise it)
MODULES: dict[str, tuple[str, list[str]]] = {
    "_retry": (
        "src/hwcloud_client/_retry.py", ["tests/test_retry.py", "tests/test_send_path.py", "tests/test_core_client.py"]
    ),
    "apig": (
        "src/hwcloud_client/auth/apig.py",
        ["tests/test_apig_signing.py", "tests/test_asymmetric_signing.py", "tests/test_signing_hook.py"],
    ),
    "_paging": (
        "src/hwcloud_client/_paging.py", ["tests/test_paging.py", "tests/test_pagers.py", "tests/test_core_client.py"]
    ),
    "_waiter": ("src/hwcloud_client/_waiter.py", ["tests/test_waiter.py", "tests/test_core_client.py"]),
    "endpoints": ("src/hwcloud_client/endpoints.py", ["tests/test_endpoints.py", "tests/test_endpoints_gaps.py"]),
    "_logging": (
        "src/hwcloud_client/_logging.py",
        ["tests/test_logging.py", "tests/test_hardening_logging.py", "tests/test_core_client.py",
         "tests/test_signing_hook.py"],
    ),
    "flows": (
        "src/hwcloud_client/auth/flows.py",
        ["tests/test_flows.py", "tests/test_send_path.py", "tests/test_core_client.py", "tests/test_token_auth.py",
         "tests/test_obs_client.py", "tests/test_signature_report.py"],
    ),
}

KILLED_CODES = {1, 3, 36, -24, 24, 152, 255}  # a failing test, pytest's internal error, or a timeout


def equivalents() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in EQUIVALENTS.read_text("utf-8").splitlines():
        match = re.match(r"^- `([^`]+)`:?\s*(.*)$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def prepare(name: str, ref: str | None) -> Path:
    module, tests = MODULES[name]
    work = SCRATCH / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if ref is None:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
        shutil.copytree(ROOT / "src", work / "src", ignore=ignore)
        shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
        shutil.copy2(ROOT / "pyproject.toml", work / "pyproject.toml")
    else:
        archive = subprocess.run(  # noqa: S603
            ["git", "archive", "--format=tar", ref, "src", "tests", "pyproject.toml"],  # noqa: S607
            cwd=ROOT, capture_output=True, check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive.stdout, check=True)  # noqa: S603, S607
    selection = "\n".join(f"    {test}" for test in tests)
    (work / "setup.cfg").write_text(
        "[mutmut]\n"
        "source_paths = src/hwcloud_client\n"
        f"only_mutate = {module}\n"
        f"pytest_add_cli_args_test_selection =\n{selection}\n"
        "pytest_add_cli_args = -p no:cacheprovider -p fresh_caches -W ignore::DeprecationWarning\n"
        "timeout_multiplier = 5.0\n"
        "timeout_constant = 5.0\n"
        "use_git_change_detection = false\n",
        "utf-8",
    )
    return work


def run(name: str, ref: str | None) -> int:
    work = prepare(name, ref)
    mutmut = Path(sys.executable).parent / "mutmut"
    jobs = os.environ.get("MUTATION_JOBS", "1")
    print(f"== {name}: mutmut in {work.relative_to(ROOT)} ({ref or 'work tree'})", flush=True)
    log = work / "mutmut.log"
    # mutation/fresh_caches.py: no test may see a cache the clean run filled before mutmut forked.
    pythonpath = os.pathsep.join(filter(None, [str(ROOT / "mutation"), os.environ.get("PYTHONPATH")]))
    with log.open("w") as out:
        finished = subprocess.run(  # noqa: S603
            [str(mutmut), "run", "--max-children", jobs], cwd=work, stdout=out, stderr=subprocess.STDOUT, check=False,
            env={**os.environ, "PYTHONPATH": pythonpath},
        )
    if finished.returncode != 0:
        print(f"   mutmut exited {finished.returncode}; see {log.relative_to(ROOT)}")
    return finished.returncode


def score(name: str, excluded: dict[str, str]) -> tuple[int, int, int, list[str]] | None:
    module = MODULES[name][0]
    meta = SCRATCH / name / "mutants" / (module + ".meta")
    if not meta.exists():
        return None
    codes: dict[str, int | None] = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    counted = {key: code for key, code in codes.items() if key not in excluded}
    killed = sum(1 for code in counted.values() if code in KILLED_CODES)
    survivors = sorted(key for key, code in counted.items() if code not in KILLED_CODES)
    return len(codes), len(codes) - len(counted), killed, survivors


def report(names: list[str]) -> None:
    excluded = equivalents()
    print(f"{'module':<32} {'mutants':>7} {'equiv.':>6} {'killed':>6} {'score':>7}")
    for name in names:
        result = score(name, excluded)
        if result is None:
            print(f"{MODULES[name][0]:<32} (not run)")
            continue
        total, equivalent, killed, survivors = result
        counted = total - equivalent
        percent = 100.0 * killed / counted if counted else 100.0
        print(f"{MODULES[name][0]:<32} {total:>7} {equivalent:>6} {killed:>6} {percent:>6.1f}%")
        for survivor in survivors:
            print(f"    survived: {survivor}")


def main(argv: list[str]) -> int:
    only_report = "--report" in argv
    ref = next((arg.split("=", 1)[1] for arg in argv if arg.startswith("--ref=")), None)
    names = [arg for arg in argv if not arg.startswith("--")] or list(MODULES)
    unknown = [name for name in names if name not in MODULES]
    if unknown:
        print(f"unknown module(s) {unknown}; choose from {list(MODULES)}")
        return 2
    failures = 0
    if not only_report:
        for name in names:
            failures += run(name, ref) != 0
    report(names)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
