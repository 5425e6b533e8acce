"""Quickstart (interim, until the emulator tour lands): the signing hook against a local echo server."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).with_name("signing_hook.py")), run_name="__main__")
