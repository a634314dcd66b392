"""Which Argo lowering runs for each kind of execution unit (a registry keyed by unit type).

Pods: :mod:`.tasknodes`; Kubernetes resources: :mod:`.resources`; array tasks (legacy map
tasks): :mod:`.arraytasks`; connector tasks: their client-image pod, or a diagnostic when
flytekit has no connector for the task type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fcomp.backends.argo.arraytasks import lower_array_task
from fcomp.backends.argo.dags import DagBuilder, DagContext, Lowered
from fcomp.backends.argo.resources import lower_resource_node
from fcomp.backends.argo.tasknodes import lower_pod_node
from fcomp.compiler import codes, ir
from fcomp.compiler.plugins.units import ArrayTaskUnit, ConnectorUnit, K8sResourceUnit, PodUnit

UnitLowering = Callable[[DagBuilder, DagContext, ir.Node, Any], Lowered | None]


def lower_connector(
    b: DagBuilder, ctx: DagContext, node: ir.Node, unit: ConnectorUnit
) -> Lowered | None:
    """A connector task: its client-image pod, when flytekit can run the task type."""
    if unit.pod is None:
        b.error(
            codes.UNSUPPORTED_CONSTRUCT,
            f"task '{unit.task.id.name}' of type '{unit.task.type}' cannot run on the Argo "
            f"target: {unit.reason}",
            node,
        )
        return None
    return lower_pod_node(b, ctx, node, unit.pod)


UNIT_LOWERINGS: dict[type, UnitLowering] = {
    PodUnit: lower_pod_node,
    K8sResourceUnit: lower_resource_node,
    ArrayTaskUnit: lower_array_task,
    ConnectorUnit: lower_connector,
}
