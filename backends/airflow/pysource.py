"""A tiny deterministic Python source writer for generated DAG modules.

Values from the input only ever reach the output as literals written by :func:`literal`
(``repr`` of plain str/int/bool/None, finite floats, and containers of them), never spliced
into code. Code structure comes from the small expression and statement classes below, whose
names are checked to be identifiers. The layout is fixed: an expression stays on one line when
it fits in :data:`LINE`, otherwise its items go one per line with a trailing comma (the layout
``ruff format`` would choose), so the same model always gives the same text.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

LINE = 99
INDENT = "    "


class SourceError(ValueError):
    """A code model that would not be valid Python (an fcomp bug, never bad input)."""


def _identifier(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name) or not name.isascii():
        raise SourceError(f"not a Python identifier: {name!r}")
    return name


def _imported(name: str) -> str:
    """A name in ``from m import ...``: ``name`` or ``name as alias``."""
    found, sep, alias = name.partition(" as ")
    return _identifier(found) + (sep + _identifier(alias) if sep else "")


@dataclass(frozen=True, slots=True)
class Name:
    """A variable, or a dotted attribute chain of identifiers (``datetime.timedelta``)."""

    dotted: str

    def __post_init__(self) -> None:
        for part in self.dotted.split("."):
            _identifier(part)


@dataclass(frozen=True, slots=True)
class Call:
    """``func(*args, **kwargs)``; keyword names are identifiers, kept in the given order."""

    func: Expr
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()

    def __post_init__(self) -> None:
        for key, _ in self.kwargs:
            _identifier(key)


@dataclass(frozen=True, slots=True)
class Attr:
    """``value.attr`` on any expression (``op.output``)."""

    value: Expr
    attr: str

    def __post_init__(self) -> None:
        _identifier(self.attr)


@dataclass(frozen=True, slots=True)
class Shift:
    """``left >> right`` (task dependencies)."""

    left: Expr
    right: Expr


#: An expression: code nodes, or plain data written as a literal.
Expr = Union[
    "Name",
    "Call",
    "Attr",
    "Shift",
    str,
    int,
    float,
    bool,
    None,
    list[Any],
    tuple[Any, ...],
    dict[Any, Any],
]


def call(func: str | Expr, *args: Expr, **kwargs: Expr) -> Call:
    """A call with keyword arguments in the order given."""
    target = Name(func) if isinstance(func, str) else func
    return Call(target, tuple(args), tuple(kwargs.items()))


def literal(value: str | int | float | bool | None) -> str:
    """A scalar as Python source that evaluates to exactly ``value``."""
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "float('-inf')"
        return repr(value)
    raise SourceError(f"not a literal: {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class _Kw:
    """A keyword argument inside a call being laid out."""

    key: str
    value: Expr


@dataclass(frozen=True, slots=True)
class _Pair:
    """A key and value inside a dict being laid out."""

    key: Expr
    value: Expr


_Item = Expr | _Kw | _Pair


def _items(value: Expr) -> tuple[str, str, list[_Item]]:
    """Opening text, closing text and items of a call or container."""
    if isinstance(value, Call):
        items: list[_Item] = list(value.args)
        items += [_Kw(k, v) for k, v in value.kwargs]
        return _flat(value.func) + "(", ")", items
    if isinstance(value, list):
        return "[", "]", list(value)
    if isinstance(value, tuple):
        return "(", ",)" if len(value) == 1 else ")", list(value)
    assert isinstance(value, dict)
    return "{", "}", [_Pair(k, v) for k, v in value.items()]


def _item(item: _Item, indent: str) -> str:
    if isinstance(item, _Kw):
        return item.key + "=" + expr(item.value, indent)
    if isinstance(item, _Pair):
        return expr(item.key, indent) + ": " + expr(item.value, indent)
    return expr(item, indent)


def _flat_item(item: _Item) -> str:
    if isinstance(item, _Kw):
        return item.key + "=" + _flat(item.value)
    if isinstance(item, _Pair):
        return _flat(item.key) + ": " + _flat(item.value)
    return _flat(item)


def expr(value: Expr, indent: str = "") -> str:
    """Source text of an expression; long calls and containers break one item per line."""
    if type(value) is str or not isinstance(value, Call | list | tuple | dict):
        return _flat(value)
    flat = _fits(value, LINE - len(indent))
    if flat is not None:
        return flat
    opening, _closing, items = _items(value)
    if not items:
        return _flat(value)
    inner = indent + INDENT
    lines = [inner + _item(i, inner) + "," for i in items]
    closing = "]" if isinstance(value, list) else "}" if isinstance(value, dict) else ")"
    return opening + "\n" + "\n".join(lines) + "\n" + indent + closing


def _fits(value: Expr, budget: int) -> str | None:
    """The one-line text of ``value`` (as :func:`_flat` writes it) when it is at most
    ``budget`` characters, else None. Stops as soon as the budget is spent, so deciding how
    to lay out a large value costs no more than a line's worth of text at each level."""
    if type(value) is str or not isinstance(value, Call | list | tuple | dict):
        flat = _flat(value)
        return flat if len(flat) <= budget else None
    opening, closing, items = _items(value)
    left = budget - len(opening) - len(closing)
    parts: list[str] = []
    for item in items:
        if parts:
            left -= 2
        text = _fits_item(item, left)
        if text is None:
            return None
        left -= len(text)
        parts.append(text)
    return opening + ", ".join(parts) + closing if left >= 0 else None


def _fits_item(item: _Item, budget: int) -> str | None:
    if isinstance(item, _Kw):
        value = _fits(item.value, budget - len(item.key) - 1)
        return None if value is None else item.key + "=" + value
    if isinstance(item, _Pair):
        key = _fits(item.key, budget - 2)
        if key is None:
            return None
        value = _fits(item.value, budget - 2 - len(key))
        return None if value is None else key + ": " + value
    return _fits(item, budget)


def _flat(value: Expr) -> str:
    if type(value) is str:  # most values: checked first
        return repr(value)
    if isinstance(value, Name):
        return value.dotted
    if isinstance(value, Attr):
        return _flat(value.value) + "." + value.attr
    if isinstance(value, Shift):
        return _flat(value.left) + " >> " + _flat(value.right)
    if isinstance(value, Call | list | tuple | dict):
        opening, closing, items = _items(value)
        return opening + ", ".join(_flat_item(i) for i in items) + closing
    return literal(value)


# --- statements ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assign:
    """``target = value``."""

    target: str
    value: Expr

    def __post_init__(self) -> None:
        _identifier(self.target)


@dataclass(frozen=True, slots=True)
class Stmt:
    """An expression statement (``a >> b``)."""

    value: Expr


@dataclass(frozen=True, slots=True)
class With:
    """``with item as target:`` and its body."""

    item: Expr
    target: str
    body: tuple[Statement, ...]

    def __post_init__(self) -> None:
        _identifier(self.target)


@dataclass(frozen=True, slots=True)
class Code:
    """Fixed source text written by fcomp itself (the prelude); never holds input values."""

    text: str


Statement = Assign | Stmt | With | Code


def statements(body: Sequence[Statement], indent: str = "") -> list[str]:
    """Source lines of a statement list at ``indent``."""
    out: list[str] = []
    for s in body:
        if isinstance(s, Assign):
            out.append(indent + s.target + " = " + expr(s.value, indent))
        elif isinstance(s, Stmt):
            out.append(indent + expr(s.value, indent))
        elif isinstance(s, With):
            out.append(indent + "with " + expr(s.item, indent) + " as " + s.target + ":")
            inner = statements(s.body, indent + INDENT)
            out.extend(inner or [indent + INDENT + "pass"])
        else:
            out.extend(indent + line if line else "" for line in s.text.rstrip("\n").split("\n"))
    return out


def comment(text: str) -> str:
    """A comment line holding ``text`` as a literal (it cannot end the comment early)."""
    return "# " + repr(text)


def module(
    docstring: str,
    header: Sequence[str],
    imports: Mapping[str, Collection[str]],
    body: Sequence[Statement],
) -> str:
    """A whole module: a fixed docstring, ``header`` comment lines (already made safe with
    :func:`comment`), ``import``/``from ... import`` lines sorted, then the body."""
    if '"""' in docstring or "\\" in docstring or not docstring.isascii():
        raise SourceError("the docstring must be fixed ASCII text")
    lines = ['"""' + docstring + '"""', ""]
    for line in header:
        if not line.startswith("#") or "\n" in line or "\r" in line:
            raise SourceError(f"not a comment line: {line!r}")
        lines.append(line)
    if header:
        lines.append("")
    plain = sorted(m for m, names in imports.items() if not names)
    lines += [f"import {Name(m).dotted}" for m in plain]
    froms = sorted(m for m, names in imports.items() if names)
    if plain and froms:
        lines.append("")
    for m in froms:
        names = ", ".join(_imported(n) for n in sorted(set(imports[m])))
        lines.append(f"from {Name(m).dotted} import {names}")
    lines += ["", ""]
    lines += statements(body)
    return "\n".join(lines).rstrip("\n") + "\n"
