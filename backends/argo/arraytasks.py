"""Legacy map tasks (``container_array``) on Argo: like an array node, a runtime step binds the
inputs and counts the elements, a fan-out runs the task's pod per element, a runtime step
gathers the outputs into lists.

``pyflyte-map-execute`` (legacy resolver) writes element ``i``'s outputs to
``<outputPrefix>/<i>/outputs.pb``. The element's ``{{.outputPrefix}}`` is therefore rendered as
``<node>/<i>/data``, so the outputs land in ``<node>/<i>/data/<i>/outputs.pb``: the place the
``gather`` step reads element ``i`` from (the highest numbered directory under its ``data``
holding ``outputs.pb``), without any runtime change. The element's retries rewrite that file.
"""

from __future__ import annotations

import json
from typing import Any

from fcomp.backends.argo.dags import DagBuilder, DagContext, Lowered
from fcomp.backends.argo.nodes import _fanout_template
from fcomp.backends.argo.pods import pod_template
from fcomp.backends.argo.render import CONTAINER_TEXT, NodeVars
from fcomp.backends.argo.steps import ARRAY_SIZE_TEMPLATE, GATHER_TEMPLATE
from fcomp.backends.argo.tasknodes import params
from fcomp.backends.common.plans import b64
from fcomp.compiler import ir
from fcomp.compiler.config import Config
from fcomp.compiler.plugins.units import ArrayTaskUnit


def element_template(name: str, unit: ArrayTaskUnit, config: Config) -> dict[str, Any]:
    """The pod template of one element, its output prefix the element's ``data`` folder."""
    # Every attempt writes the same folder, so no attempt's error can be told from another's.
    template = pod_template(name, unit.element, config, element=True, retry_check=False)
    element = unit.element
    vars_ = NodeVars(
        config.storage_prefix,
        config.raw_prefix,
        element.policy.retries > 0,
        True,
        literal=CONTAINER_TEXT.literal,
    )
    old, new = vars_.output_dir, f"{vars_.node_dir}/data"
    container = template["container"]
    for key in ("command", "args"):
        if key in container:
            container[key] = [str(a).replace(old, new) for a in container[key]]
    return template


def lower_array_task(
    b: DagBuilder, ctx: DagContext, node: ir.Node, unit: ArrayTaskUnit
) -> Lowered | None:
    """The DAG tasks of a task node whose task is a legacy map task."""
    short = unit.task.id.name.rsplit(".", 1)[-1]
    element = b.add_template(short, lambda name: element_template(name, unit, b.config))
    fanout = b.add_template(
        f"map-{short}", lambda name: _fanout_template(name, element, unit.parallelism)
    )
    size, run, gather = (
        ctx.names.name(node.id),
        ctx.names.name(f"{node.id}-map"),
        ctx.names.name(f"{node.id}-gather"),
    )
    path = ctx.path(node)
    plan = b.plans.node_inputs_json(ctx.scope, node)
    iface = unit.task.interface
    mapped = [n for n, v in iface.inputs.items() if isinstance(v.type, ir.Collection)]
    outputs = json.dumps(
        {n: b64(v.type.pb) for n, v in iface.outputs.items()},
        sort_keys=True,
        separators=(",", ":"),
    )
    count = f"{{{{tasks.{size}.outputs.result}}}}"
    tasks: list[dict[str, Any]] = [
        {
            "name": size,
            "template": b.use_runtime(ARRAY_SIZE_TEMPLATE),
            "arguments": params(node=path, plan=plan, inputs=json.dumps(mapped)),
        },
        {
            "name": run,
            "template": fanout,
            "arguments": params(node=path, count=count),
            "_deps": [f"{size}.Succeeded"],
        },
        {
            "name": gather,
            "template": b.use_runtime(GATHER_TEMPLATE),
            "arguments": params(
                node=path,
                size=count,
                outputs=outputs,
                min_successes="" if unit.min_successes is None else str(unit.min_successes),
                min_success_ratio=""
                if unit.min_success_ratio is None
                else repr(float(unit.min_success_ratio)),
            ),
            "_deps": [f"{run}.Succeeded"],
        },
    ]
    return Lowered(tasks, [size], [size, run, gather], {run, gather})
