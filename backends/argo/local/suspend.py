"""``suspend`` templates (docs/walk-through/suspending.md).

``suspend: {duration: "10s"}`` really sleeps (``"20"`` means seconds; Go durations such as
``"1m30s"`` work). ``suspend: {}`` waits for ``argo resume``: locally the caller's
``resume(node_name, template)`` (the template with its input values) answers at once with
the values of the output parameters that use ``valueFrom.supplied`` (``argo node set
--output-parameters``), or ``None`` to leave the node unresumed, which fails it. Without a
``resume`` callback such a node fails with a message saying so.
"""

from __future__ import annotations

from typing import Any

from fcomp.backends.argo.local.engine import Invocation, StepError
from fcomp.backends.argo.local.model import FAILED, SUCCEEDED
from fcomp.backends.argo.local.nodes import SUSPEND
from fcomp.backends.argo.local.outputs import static_parameter
from fcomp.backends.argo.local.registry import executor
from fcomp.backends.argo.local.values import go_string, parse_duration
from fcomp.backends.argo.local.variables import substitute_tree


@executor("suspend", SUSPEND)
def run_suspend(inv: Invocation) -> None:
    """Sleep for the duration, or ask the caller to resume."""
    ctx, node = inv.ctx, inv.node
    spec = substitute_tree(inv.template.get("suspend") or {}, inv.scope, strict=True)
    supplied: dict[str, Any] = {}
    if spec.get("duration") is not None:
        try:
            seconds = parse_duration(spec["duration"])
        except ValueError as err:
            raise StepError(f"suspend.duration: {err}") from None
        if not ctx.stop.sleep(seconds):
            node.finish(FAILED, ctx.stop.reason)
            return
    else:
        relative = ctx.book.relative(node.name)
        if ctx.resume is None:
            node.finish(
                FAILED,
                f"node '{relative}' is suspended until resumed (suspend: {{}}) and no resume "
                "callback was given to run_workflow",
            )
            return
        answer = ctx.resume(relative, _with_inputs(inv))
        if answer is None:
            node.finish(FAILED, f"node '{relative}' was not resumed")
            return
        supplied = dict(answer)
    outputs: dict[str, str] = {}
    for param in (inv.template.get("outputs") or {}).get("parameters") or []:
        name = str(param.get("name"))
        value_from = param.get("valueFrom") or {}
        if "supplied" in value_from and name in supplied:
            outputs[name] = go_string(supplied[name])
            continue
        value = static_parameter(param)
        if value is None:
            raise StepError(f"output parameter '{name}' was not supplied when the node resumed")
        outputs[name] = value
    node.outputs = outputs
    node.finish(SUCCEEDED)


def _with_inputs(inv: Invocation) -> dict[str, Any]:
    """The template with its input values, as the node's status shows them."""
    prefix = "inputs.parameters."
    values = [
        {"name": name, "value": value}
        for name, value in (
            (str(p.get("name")), inv.scope.values.get(prefix + str(p.get("name"))))
            for p in (inv.template.get("inputs") or {}).get("parameters") or []
        )
        if isinstance(value, str)
    ]
    if not values:
        return inv.template
    return {**inv.template, "inputs": {"parameters": values}}
