"""Branch conditions as the JSON the runtime's ``branch`` command evaluates."""

from __future__ import annotations

from typing import Any

from fcomp.backends.common.plans import b64
from fcomp.compiler import ir

_OPS = {
    ir.ComparisonOp.EQ: "eq",
    ir.ComparisonOp.NEQ: "neq",
    ir.ComparisonOp.GT: "gt",
    ir.ComparisonOp.GTE: "gte",
    ir.ComparisonOp.LT: "lt",
    ir.ComparisonOp.LTE: "lte",
}


def _operand(o: ir.Operand) -> dict[str, Any]:
    if isinstance(o, ir.OperandVar):
        return {"var": o.var}
    if isinstance(o, ir.OperandValue):
        return {"literal": b64(o.literal.pb)}
    raise ValueError("operand without a value")


def expr_json(expr: ir.BoolExpr) -> dict[str, Any]:
    """One condition (depth bounded by protobuf parsing)."""
    if isinstance(expr, ir.Comparison):
        return {"op": _OPS[expr.op], "left": _operand(expr.left), "right": _operand(expr.right)}
    if isinstance(expr, ir.Conjunction):
        key = "and" if expr.op is ir.LogicalOp.AND else "or"
        return {key: [expr_json(expr.left), expr_json(expr.right)]}
    raise ValueError("condition without an expression")


def cases_json(branch: ir.BranchNode) -> list[dict[str, Any]]:
    """The ``--cases`` list: each if/elif condition, then ``else`` or ``error``."""
    out: list[dict[str, Any]] = []
    for case in branch.cases:
        assert case.condition is not None
        out.append({"condition": expr_json(case.condition)})
    if branch.else_node is not None:
        out.append({"else": True})
    elif branch.error is not None:
        out.append({"error": branch.error.message or "branch failed: no case matched"})
    return out
