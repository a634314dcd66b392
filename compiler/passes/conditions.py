"""Branch condition checks (Flyte's ``ValidateBooleanExpression``)."""

from __future__ import annotations

from fcomp.compiler import ir, messages
from fcomp.compiler.passes.builder import NodeState
from fcomp.compiler.passes.scope import Scope


def _operand(
    st: NodeState, what: str, operand: ir.Operand, scope: Scope
) -> tuple[ir.LiteralType | None, bool]:
    node = st.node
    local = scope.child()
    literal_type: ir.LiteralType | None = None
    match operand:
        case ir.OperandValue(literal=lit):
            literal_type = lit.type
        case ir.OperandVar(var=var):
            if st.iface is None:
                local.report(messages.VALUE_REQUIRED, node.source, what=var)
            elif var in st.iface.inputs:
                literal_type = st.iface.inputs[var].type
            elif not any(b.var == var for b in node.inputs):
                local.report(messages.VARIABLE_NOT_FOUND, node.source, var=var, node=node.id)
        case _:
            local.report(messages.VALUE_REQUIRED, node.source, what=f"{what}.Val")
    return literal_type, local.ok


def validate_expression(st: NodeState, expr: ir.BoolExpr | None, scope: Scope) -> bool:
    """Check one case's condition against the branch node's inputs.

    Conjunctions are walked with an explicit stack so deep expressions cannot overflow.
    """
    local = scope.child()
    stack: list[ir.BoolExpr | None] = [expr]
    while stack:
        cur = stack.pop()
        match cur:
            case None:
                local.report(messages.BRANCH_NO_CONDITION, st.node.source)
            case ir.Comparison(left=left, right=right):
                right_type, right_ok = _operand(st, "RightValue", right, local)
                left_type, left_ok = _operand(st, "LeftValue", left, local)
                if right_ok and left_ok and right_type is not None and left_type is not None:
                    if right_type != left_type:
                        local.report(
                            messages.MISMATCHING_OPERANDS,
                            st.node.source,
                            left=ir.render_type(left_type),
                            right=ir.render_type(right_type),
                        )
            case ir.Conjunction(left=left_expr, right=right_expr):
                stack.append(right_expr)
                stack.append(left_expr)
            case _:
                local.report(messages.VALUE_REQUIRED, st.node.source, what="Expr")
    return local.ok
