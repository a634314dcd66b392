"""The configuration reference: every field of :class:`fcomp.compiler.config.Config` with its
``#:`` comment, kind and default, and an ``fcomp.toml`` holding every default."""

from __future__ import annotations

import ast
import inspect
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from fcomp.cli.docs import section
from fcomp.cli.docs.tables import table
from fcomp.compiler import config as config_module
from fcomp.compiler.config import Config


def field_comments() -> dict[str, str]:
    """Each field's ``#:`` comment lines (above it in the class body), joined."""
    source = inspect.getsource(Config)
    lines = source.splitlines()
    comments: dict[str, str] = {}
    tree = ast.parse(source)
    body = tree.body[0]
    assert isinstance(body, ast.ClassDef)
    for stmt in body.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            above: list[str] = []
            index = stmt.lineno - 2
            while index >= 0 and lines[index].strip().startswith("#:"):
                above.insert(0, lines[index].strip()[2:].strip())
                index -= 1
            comments[stmt.target.id] = " ".join(above).replace("``", "`")
    return comments


def _default(value: Any) -> Any:
    if isinstance(value, tuple):
        return [dict(v) for v in value]
    if isinstance(value, dict):
        return dict(value)
    return value


def toml_value(value: Any) -> str:
    """A TOML literal for a default (strings, tables of strings, lists of tables)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + (f" {inner} " if inner else "") + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


_KINDS: dict[type, str] = {str: "string", dict: "table of strings", list: "list of tables"}


def defaults() -> dict[str, Any]:
    """Every setting's default, as TOML-ready values."""
    config = Config()
    return {f.name: _default(getattr(config, f.name)) for f in fields(Config)}


@section("config")
def config_reference(root: Path) -> str:
    """The configuration table and an ``fcomp.toml`` with every default."""
    comments = field_comments()
    choices: dict[str, tuple[str, ...]] = getattr(config_module, "_CHOICES", {})
    rows = []
    for name, value in defaults().items():
        kind = _KINDS.get(type(value), type(value).__name__)
        if name in choices:
            kind = "one of " + ", ".join(f"`{c}`" for c in choices[name])
        rows.append([f"`{name}`", kind, f"`{toml_value(value)}`", comments.get(name, "")])
    example = "\n".join(f"{name} = {toml_value(value)}" for name, value in defaults().items())
    return (
        table(["setting", "kind", "default", "what it does"], rows)
        + "\n\nEvery default, as an `fcomp.toml` (or under `[tool.fcomp]` in `pyproject.toml`):"
        + f"\n\n```toml\n{example}\n```"
    )
