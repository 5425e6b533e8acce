"""Normalise the official SDK's type strings to the small grammar of the facts snapshot.

Grammar: ``str int float bool datetime date object file``, ``list[T]``, ``dict[str, T]`` or a model name.
The official spelling of a map is ``dict(str, T)``; ``long`` is an ``int``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PRIMITIVES: dict[str, str] = {
    "str": "str",
    "int": "int",
    "long": "int",
    "float": "float",
    "bool": "bool",
    "datetime": "datetime",
    "date": "date",
    "object": "object",
    "file": "file",
}

_MODEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UnknownTypeError(ValueError):
    """A type string outside the grammar, or a model name the service's model package does not define."""


def _split_top_level_comma(inner: str) -> tuple[str, str]:
    depth = 0
    for index, char in enumerate(inner):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            return inner[:index].strip(), inner[index + 1 :].strip()
    raise UnknownTypeError(f"map type without a key/value comma: {inner!r}")


def normalise(official: str, is_model: Callable[[str], bool]) -> str:
    """The facts spelling of ``official``; ``is_model(name)`` says whether a bare name is a model of this service."""
    text = official.strip()
    if text in PRIMITIVES:
        return PRIMITIVES[text]
    if text.startswith("list[") and text.endswith("]"):
        return f"list[{normalise(text[5:-1], is_model)}]"
    if (text.startswith("dict(") and text.endswith(")")) or (text.startswith("dict[") and text.endswith("]")):
        key, value = _split_top_level_comma(text[5:-1])
        if normalise(key, is_model) != "str":
            raise UnknownTypeError(f"map with a non-string key: {official!r}")
        return f"dict[str, {normalise(value, is_model)}]"
    if _MODEL_NAME.fullmatch(text) and is_model(text):
        return text
    raise UnknownTypeError(f"type outside the grammar: {official!r}")


def model_names(normalised: str) -> list[str]:
    """The model names a normalised type string refers to, in order of appearance."""
    return [
        name
        for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", normalised)
        if name not in PRIMITIVES and name not in ("list", "dict")
    ]


def outer_kind(normalised: str) -> str:
    """``array`` for ``list[...]``, ``map`` for ``dict[...]``, ``string`` for ``str``, else the type itself."""
    if normalised.startswith("list["):
        return "array"
    if normalised.startswith("dict["):
        return "map"
    if normalised == "str":
        return "string"
    return normalised
