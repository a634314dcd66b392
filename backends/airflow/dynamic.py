"""The child DAG of a dynamic task on Airflow, built at run time by the runtime's ``dynamic``
step (``--target airflow``): the compiled ``DynamicJobSpec`` as a DAG module whose start step
reads the dynamic node's bound inputs and whose outputs step reports to that node.

The module defines one DAG, ``dynamic-<exec>-<node>``; its params are all optional (the
values come from the parent node), and running it with ``python <file> --conf`` (or triggering
it with the parent's conf) gives the dynamic node its outputs. The ``local`` flavour's task
step runs it that way; a deployment writes it to the DAG folder and triggers it.
"""

from __future__ import annotations

import re
from typing import Any

from fcomp.backends.airflow.build import dag_settings
from fcomp.backends.airflow.emit import EmitContext
from fcomp.backends.airflow.graph import FlowBuilder
from fcomp.backends.airflow.module import write_module
from fcomp.backends.airflow.splits import split_for_pods
from fcomp.compiler import ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic
from fcomp.compiler.driver import DynamicCompilation


def child_conf(config: Config, execution: str, node_path: str) -> dict[str, Any]:
    """The conf a dynamic child run gets: where the parent node's inputs are, where to report."""
    prefix = config.storage_prefix.rstrip("/")
    return {
        "fcomp_parent": {
            "inputs": f"{prefix}/{execution}/{node_path}/data/inputs.pb",
            "report": f"{execution}/{node_path}",
        }
    }


def child_dag(
    dynamic: DynamicCompilation, execution: str, node_path: str, config: Config
) -> tuple[str | None, list[Diagnostic]]:
    """The DAG module running a compiled dynamic job for node ``node_path`` of ``execution``."""
    compiled = dynamic.compilation.compiled
    diagnostics = list(dynamic.compilation.diagnostics)
    if compiled is None or dynamic.workflow is None:
        return None, diagnostics
    cw = compiled.workflows[dynamic.workflow]
    lp = ir.LaunchPlan(
        id=ir.Ident(ir.ResourceType.LAUNCH_PLAN, dynamic.workflow.name),
        workflow=dynamic.workflow,
        default_inputs=tuple(
            ir.Parameter(v, required=False) for v in cw.workflow.interface.inputs.values()
        ),
        source=cw.workflow.source,
    )
    dag_id = re.sub(r"[^A-Za-z0-9_.-]", "-", f"dynamic-{execution}-{node_path}")[:200]
    flow = FlowBuilder(compiled, config, lp, diagnostics, {}).build(cw)
    if config.airflow_flavour == "kubernetes":
        flow = split_for_pods(flow)
    if diagnostics:
        return None, diagnostics
    ctx = EmitContext(config.airflow_flavour, flow.ops, {}, "", config)
    settings = dag_settings(lp, cw, dag_id, config, flow, ctx, diagnostics, optional=True)
    return write_module(flow, settings, ctx), diagnostics
