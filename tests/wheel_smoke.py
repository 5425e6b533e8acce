"""Install truth: build the sdist and the wheel, install the wheel into a fresh venv, call the emulator through it.

    make wheel-smoke            # or: .venv/bin/python tests/wheel_smoke.py [--keep]

1. ``python -m build`` (isolated, as a user or a publisher builds) makes the sdist, then the wheel from it,
   into a temporary directory.
2. The sdist must hold the sources (``src/hwcloud_client``, README, pyproject) and nothing local
   (``.venv``, caches, ``build/``); the wheel must hold exactly the package's modules that the sdist holds (every
   generated ``services/*_v*/`` package included) plus ``py.typed``, and no ``tests/``, ``codegen/``, ``bench/``.
3. A new venv (no access to this checkout or its venv) installs ``<wheel>[testing]``; the package index serves
   the dependencies.
4. In that venv, run from an empty directory in isolated mode, a smoke program checks that the package imported
   is the installed one and holds ``py.typed``, imports every module of it, serves the bundled emulator on
   127.0.0.1 and makes signed calls through ``AsyncHuaweiCloud`` and the blocking ``HuaweiCloud``: IAM project
   discovery, ECS flavors (and the generated ``ecs_v2`` client when the build has one), an OBS bucket and an
   object put and read back.

Exits non-zero on any failure; temporary directories are removed unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "hwcloud_client"
# Each step gets this long before the run is failed as hung (the whole target stays well under 2 minutes).
STEP_TIMEOUT = 300.0

SMOKE_PROGRAM = r"""
import importlib
import pkgutil
import sys
import time
from pathlib import Path

import anyio

import hwcloud_client as hw
from hwcloud_client.services._catalog import GENERATED
from hwcloud_client.testing import FakeHuaweiCloud

venv = Path(sys.argv[1]).resolve()
installed = Path(hw.__file__).resolve().parent
assert venv in installed.parents, f"imported {installed}, not the venv's copy"
assert (installed / "py.typed").is_file(), "py.typed missing from the installed package"

# Every module imports with the runtime dependencies and the testing extra alone (the pytest plugin needs pytest,
# which a user of the package need not have).
started = time.perf_counter()
modules = [
    info.name for info in pkgutil.walk_packages(hw.__path__, "hwcloud_client.")
    if info.name != "hwcloud_client.testing.pytest_plugin"
]
for name in modules:
    importlib.import_module(name)
print(f"  imported {len(modules)} modules in {time.perf_counter() - started:.1f} s (hwcloud-client {hw.__version__})")

fake = FakeHuaweiCloud()
CONTENT = b"wheel smoke \x00\xff" * 1000

with fake.serve() as url:
    assert url.startswith("http://127.0.0.1:"), url
    config = hw.ClientConfig(endpoints={"iam": url, "ecs": url, "obs": url})

    def new_async() -> hw.AsyncHuaweiCloud:
        return hw.AsyncHuaweiCloud(region=fake.region, credentials=fake.credentials, config=config, environ={})

    async def async_calls() -> None:
        async with new_async() as cloud:
            assert await cloud.project_id() == fake.project_id
            flavors = (await cloud.ecs.list_flavors()).flavors
            assert flavors and all(flavor.id and flavor.name for flavor in flavors), flavors
            if "ecs_v2" in GENERATED:
                generated = await cloud.ecs_v2.list_flavors()
                assert generated.flavors is not None
                assert sorted(f.id for f in generated.flavors) == sorted(f.id for f in flavors)
            await cloud.obs.create_bucket("wheel-smoke")
            put = await cloud.obs.put_object("wheel-smoke", "dir/async.bin", CONTENT, content_type="x/y")
            assert put.etag, put
            async with await cloud.obs.get_object("wheel-smoke", "dir/async.bin") as body:
                assert await body.read() == CONTENT
            print(f"  async:    project {fake.project_id}, {len(flavors)} flavors, OBS put/get {len(CONTENT)} bytes")

    anyio.run(async_calls)

    with hw.HuaweiCloud(region=fake.region, credentials=fake.credentials, config=config, environ={}) as cloud:
        assert cloud.project_id() == fake.project_id
        flavors = cloud.ecs.list_flavors().flavors
        assert flavors
        cloud.obs.put_object("wheel-smoke", "dir/sync.bin", CONTENT[::-1])
        with cloud.obs.get_object("wheel-smoke", "dir/sync.bin") as body:
            assert body.read() == CONTENT[::-1]
        with cloud.obs.get_object("wheel-smoke", "dir/async.bin") as body:
            assert body.read() == CONTENT
        print(f"  blocking: {len(flavors)} flavors, OBS put/get, the async client's object read back")

assert not fake.internal_errors, fake.internal_errors
print("  smoke program: ok")
"""


class SmokeFailure(Exception):
    pass


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> None:
    # The smoke program is shown by its first line, not in full.
    printable = " ".join(str(part).strip().splitlines()[0] + (" ..." if "\n" in str(part) else "") for part in command)
    print(f"$ {printable}", flush=True)
    try:
        subprocess.run([str(part) for part in command], cwd=cwd, env=env, check=True, timeout=STEP_TIMEOUT)
    except subprocess.CalledProcessError as error:
        raise SmokeFailure(f"exit status {error.returncode}: {printable}") from None
    except subprocess.TimeoutExpired:
        raise SmokeFailure(f"no answer after {STEP_TIMEOUT:.0f} s: {printable}") from None


def package_modules(names: list[str], prefix: str) -> set[str]:
    """The package's files (under ``prefix``) with the path from the package directory on."""
    return {name.removeprefix(prefix) for name in names if name.startswith(prefix + PACKAGE + "/")}


def check_sdist(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    top = names[0].split("/", 1)[0]
    relative = [name.removeprefix(top + "/") for name in names if name.startswith(top + "/")]
    problems = [
        f"missing {needed}"
        for needed in (
            "pyproject.toml",
            "README.md",
            "src/hwcloud_client/__init__.py",
            "src/hwcloud_client/py.typed",
            "PKG-INFO",
        )
        if needed not in relative
    ]
    for name in relative:
        first = name.split("/", 1)[0]
        if first in {".venv", ".git", "build", "dist", "mutants"} or "__pycache__" in name or name.endswith(".pyc"):
            problems.append(f"local file shipped: {name}")
    if problems:
        raise SmokeFailure(f"sdist {sdist.name}: " + "; ".join(problems[:10]))
    return package_modules(relative, "src/")


def check_wheel(wheel: Path, sdist_files: set[str]) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    problems = []
    for name in names:
        first = PurePosixPath(name).parts[0]
        if first != PACKAGE and not first.endswith(".dist-info"):
            problems.append(f"outside the package: {name}")
        if "__pycache__" in name or name.endswith(".pyc"):
            problems.append(f"bytecode shipped: {name}")
    wheel_files = package_modules(names, "")
    if f"{PACKAGE}/py.typed" not in wheel_files:
        problems.append("py.typed missing")
    if missing := sorted(sdist_files - wheel_files):
        problems.append(f"{len(missing)} of the sdist's package files missing, e.g. {missing[:3]}")
    if extra := sorted(wheel_files - sdist_files):
        problems.append(f"{len(extra)} files not in the sdist, e.g. {extra[:3]}")
    if problems:
        raise SmokeFailure(f"wheel {wheel.name}: " + "; ".join(problems[:10]))
    generated = {
        PurePosixPath(name).parts[2]
        for name in wheel_files
        if name.startswith(f"{PACKAGE}/services/")
        and len(PurePosixPath(name).parts) > 3
        and "_v" in PurePosixPath(name).parts[2]
    }
    print(
        f"  wheel: {len(wheel_files)} package files, {len(generated)} generated service packages "
        f"(services/*_v*/), no tests/, codegen/ or bench/"
    )


def size(path: Path) -> str:
    return f"{path.stat().st_size / 1024:,.0f} KiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and say where it is")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="hwcloud-wheel-smoke-"))
    # Nothing of this checkout or of its venv may leak into the fresh one.
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    try:
        dist, venv, empty = work / "dist", work / "venv", work / "empty"
        empty.mkdir()
        run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", dist, ROOT, cwd=empty, env=env)
        # `build` makes the sdist first and the wheel from the unpacked sdist: the wheel holds only what ships.
        sdists, wheels = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
        if len(sdists) != 1 or len(wheels) != 1:
            raise SmokeFailure(f"expected one sdist and one wheel, got {[path.name for path in dist.iterdir()]}")
        sdist, wheel = sdists[0], wheels[0]
        print(f"  built {sdist.name} ({size(sdist)}) and {wheel.name} ({size(wheel)})")
        check_wheel(wheel, check_sdist(sdist))

        run(sys.executable, "-m", "venv", venv, cwd=empty, env=env)
        python = venv / "bin" / "python"
        run(python, "-m", "pip", "install", "--quiet", f"{wheel}[testing]", cwd=empty, env=env)
        run(python, "-I", "-c", SMOKE_PROGRAM, venv, cwd=empty, env=env)
    except SmokeFailure as failure:
        print(f"wheel smoke FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"wheel smoke: ok in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
