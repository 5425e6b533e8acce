"""Users' code type-checks: tests/typing/ (README snippets, constructors, assert_type on results) and
examples/ pass ``mypy --strict`` with and without the pydantic mypy plugin."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

from hwcloud_client import config
from hwcloud_client.services import _obs_models

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"


@pytest.mark.parametrize("configuration", ["mypy-plain.ini", "mypy-pydantic.ini"])
def test_users_code_passes_mypy_strict(configuration: str) -> None:
    # One cache per configuration (a shared one would be rebuilt at every switch); warm, a run takes seconds.
    cache = ROOT / ".mypy_cache" / "typing-suite" / configuration.removesuffix(".ini")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(TYPING / configuration), "--cache-dir", str(cache),
         "tests/typing", "examples"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, f"mypy with {configuration}:\n{result.stdout}{result.stderr}"
    assert "Success: no issues found in" in result.stdout


# --- the constructors' signatures for type checkers -----------------------------------------------------


def typed_constructors(module: ModuleType) -> dict[str, ast.FunctionDef]:
    """The ``__init__`` a model declares under ``if TYPE_CHECKING:`` (for type checkers only), by model."""
    found: dict[str, ast.FunctionDef] = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if isinstance(statement, ast.If) and ast.unparse(statement.test) == "TYPE_CHECKING":
                for inner in statement.body:
                    if isinstance(inner, ast.FunctionDef) and inner.name == "__init__":
                        found[node.name] = inner
    return found


CONSTRUCTORS = [
    (module, name, function)
    for module in (config, _obs_models)
    for name, function in typed_constructors(module).items()
]


def test_the_models_with_a_constructor_for_type_checkers() -> None:
    # Where the constructor accepts more than the attributes' types: a str secret, an endpoint's URL.
    # (Generated request models take a str secret through SecretInput's declared type instead.)
    assert sorted(name for _, name, _ in CONSTRUCTORS) == ["ClientConfig", "Credentials"]


@pytest.mark.parametrize(("module", "name", "function"), CONSTRUCTORS, ids=[name for _, name, _ in CONSTRUCTORS])
def test_a_constructor_for_type_checkers_matches_the_models_fields(
    module: ModuleType, name: str, function: ast.FunctionDef
) -> None:
    model: type[BaseModel] = getattr(module, name)
    arguments = function.args
    assert [argument.arg for argument in arguments.args] == ["self"]
    assert arguments.vararg is None and arguments.kwarg is None
    parameters = {
        argument.arg: default for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
    }
    fields = {field.alias or field_name: field for field_name, field in model.model_fields.items()}
    assert list(parameters) == list(fields)
    for parameter, default in parameters.items():
        field = fields[parameter]
        assert (default is None) == field.is_required(), parameter
        if isinstance(default, ast.Constant) and default.value is not Ellipsis:
            assert default.value == field.default, parameter
        elif default is not None:  # "...": a default factory or a model instance
            assert field.default_factory is not None or isinstance(field.default, BaseModel), parameter


# --- the README's snippets are in the suite ---------------------------------------------------------------


def code_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def readme_snippets() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), flags=re.MULTILINE | re.DOTALL)


def test_every_readme_snippet_is_type_checked() -> None:
    # Each ```python block of the README, line for line (indentation aside), in one file of tests/typing/.
    suite = [code_lines(path.read_text()) for path in sorted(TYPING.glob("*.py"))]

    def checked(snippet: list[str]) -> bool:
        return any(
            lines[start : start + len(snippet)] == snippet for lines in suite for start in range(len(lines))
        )

    snippets = readme_snippets()
    assert len(snippets) >= 10
    missing = [snippet for snippet in snippets if not checked(code_lines(snippet))]
    assert not missing, "README snippets not in tests/typing/ (add them there as printed):\n" + "\n---\n".join(missing)
