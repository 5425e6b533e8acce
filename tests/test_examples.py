"""The examples run offline and succeed (each starts its own local server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (["signing_hook.py"], "-> 200"),
        (["api_gateway.py"], "'signature_ok': True"),
        (["notebook_blocking.py"], "as expected: HTTP 404"),
        (["obs_upload_progress.py", "--size-mib", "9"], "the copy is identical"),
    ],
)
def test_example_runs(script: list[str], expected: str) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script[0]), *script[1:]], capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert "demo-secret-key" not in result.stdout and "demo-app-secret" not in result.stdout


@pytest.mark.parametrize("mode", [[], ["--in-process"]])
def test_quickstart_tour_succeeds_against_the_emulator(mode: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py"), *mode], capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Every step succeeded." in result.stdout
    assert "FAILED" not in result.stdout
    for step in ("discover the project id", "create two servers", "multipart upload", "pre-signed URL"):
        assert step in result.stdout
    assert "request ids: " in result.stdout
