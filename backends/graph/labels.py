"""Short texts shown in pictures: branch conditions, bound variables, durations, names."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fcomp.compiler import ir

_OPS = {
    ir.ComparisonOp.EQ: "==",
    ir.ComparisonOp.NEQ: "!=",
    ir.ComparisonOp.GT: ">",
    ir.ComparisonOp.GTE: ">=",
    ir.ComparisonOp.LT: "<",
    ir.ComparisonOp.LTE: "<=",
}

#: Longest text kept from a free-form message (a branch's error).
MAX_TEXT = 60


def short_name(name: str) -> str:
    """The last dotted part of a Flyte name (``pkg.mod.my_task`` -> ``my_task``)."""
    return name.rsplit(".", 1)[-1] or name


#: flytekit names a mapped task ``map_<function>_<hash>-arraynode``.
_MAPPED = re.compile(r"^map_(?P<fn>.+)_[0-9a-f]{32}-arraynode$")


def mapped_name(name: str) -> str:
    """The function a map task maps (``pkg.map_square_<hash>-arraynode`` -> ``square``)."""
    short = short_name(name)
    found = _MAPPED.match(short)
    return found.group("fn") if found else short


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _operand(operand: ir.Operand) -> str:
    if isinstance(operand, ir.OperandVar):
        return operand.var.lstrip(".") or operand.var
    if isinstance(operand, ir.OperandValue):
        literal = operand.literal
        if literal.string_value is not None:
            return repr(literal.string_value)
        return literal.text if literal.text is not None else "<value>"
    return "?"


def condition(expr: ir.BoolExpr | None, nested: bool = False) -> str:
    """A branch condition as text, e.g. ``x > 1 and (y == 'a' or z)``."""
    if isinstance(expr, ir.Comparison):
        return f"{_operand(expr.left)} {_OPS[expr.op]} {_operand(expr.right)}"
    if isinstance(expr, ir.Conjunction):
        word = "and" if expr.op is ir.LogicalOp.AND else "or"
        text = f"{condition(expr.left, True)} {word} {condition(expr.right, True)}"
        return f"({text})" if nested else text
    return "?"


def duration(seconds: float) -> str:
    """``90`` -> ``1m30s``; fractions of a second are kept for short sleeps."""
    if seconds < 60 and seconds != int(seconds):
        return f"{seconds:g}s"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return "".join(parts) or "0s"


def promise_text(promise: ir.Promise) -> str:
    """The output a promise reads, with its attribute path (``o0.a[0]``)."""
    text = promise.var
    for part in promise.attr_path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def promises(data: ir.BindingData, path: str) -> Iterator[tuple[str, ir.Promise]]:
    """Every promise inside a binding, with where it lands (``xs[0]``, ``m[key]``)."""
    if isinstance(data, ir.Promise):
        yield path, data
    elif isinstance(data, ir.BindingCollection):
        for index, item in enumerate(data.items):
            yield from promises(item, f"{path}[{index}]")
    elif isinstance(data, ir.BindingMap):
        for key, value in data.entries:
            yield from promises(value, f"{path}[{key}]")
