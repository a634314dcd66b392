"""Synthetic Flyte packages of N nodes, as ``pyflyte package`` writes them.

Every package is a ``.tgz`` of ``{i}_{name}_{k}.pb`` members (``_1`` TaskSpec, ``_2``
WorkflowSpec, ``_3`` LaunchPlan): ten distinct ``python-task`` tasks (``bench.tasks.t0`` ..
``t9``, whose code is in ``benchmarks/tasks/bench/tasks.py``) whose container runs
``pyflyte-execute`` with Flyte's template variables, one workflow, and its default launch plan.
Each task takes two integers and returns two; each node binds two outputs of the nodes before
it. Shapes:

- ``layered``: ``ceil(sqrt(N))`` nodes per layer; node ``j`` of a layer takes ``o0`` of node
  ``j`` and ``o1`` of node ``j + 1`` of the layer before (the first layer takes the input);
- ``chain``: each node takes both outputs of the one before;
- ``fanout``: the first node takes the input, every other node both of its outputs;
- ``nested``: ``ceil(sqrt(N))`` distinct subworkflows, each a layered workflow, run one after
  the other by the root workflow (N task nodes in all, plus the subworkflow nodes).

Generation is deterministic: the same shape and N give byte-identical archives.
``python -m benchmarks.generate SHAPE N PATH`` writes one.
The workflow structure is :mod:`benchmarks.shapes`; :func:`reference` computes the
workflow's output in plain Python, as running it would.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

from flyteidl.admin import common_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, tasks_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_wf

from benchmarks.shapes import (
    MODULE,
    SHAPES,
    TASKS,
    WF_MODULE,
    Source,
    Step,
    graph,
    reference,
    workflow_name,
)

__all__ = ["SHAPES", "reference", "workflow_name", "write_package"]

IMAGE = "ghcr.io/fcomp/bench:1"
INT = types_pb2.LiteralType(simple=types_pb2.SimpleType.INTEGER)

# --- protobufs ------------------------------------------------------------------------------


def _var_map(*names: str) -> interface_pb2.VariableMap:
    return interface_pb2.VariableMap(
        variables={n: interface_pb2.Variable(type=INT, description=n) for n in names}
    )


def _interface() -> interface_pb2.TypedInterface:
    return interface_pb2.TypedInterface(inputs=_var_map("a", "b"), outputs=_var_map("o0", "o1"))


def _task_id(k: int) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name=f"{MODULE}.t{k}")


def _wf_id(name: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, name=name)


def task_spec(k: int) -> task_pb2.TaskSpec:
    """Task ``t{k}``: a python-task as flytekit 1.16 registers it."""
    args = [
        "pyflyte-execute",
        "--inputs",
        "{{.input}}",
        "--output-prefix",
        "{{.outputPrefix}}",
        "--raw-output-data-prefix",
        "{{.rawOutputDataPrefix}}",
        "--checkpoint-path",
        "{{.checkpointOutputPrefix}}",
        "--prev-checkpoint",
        "{{.prevCheckpointPrefix}}",
        "--resolver",
        "flytekit.core.python_auto_container.default_task_resolver",
        "--",
        "task-module",
        MODULE,
        "task-name",
        f"t{k}",
    ]
    template = tasks_pb2.TaskTemplate(
        id=_task_id(k),
        type="python-task",
        metadata=tasks_pb2.TaskMetadata(
            runtime=tasks_pb2.RuntimeMetadata(
                type=tasks_pb2.RuntimeMetadata.FLYTE_SDK, version="1.16.31", flavor="python"
            ),
            retries=literals_pb2.RetryStrategy(),
        ),
        interface=_interface(),
        container=tasks_pb2.Container(image=IMAGE, args=args, resources=tasks_pb2.Resources()),
    )
    return task_pb2.TaskSpec(template=template)


def _binding(var: str, source: Source) -> literals_pb2.Binding:
    promise = types_pb2.OutputReference(node_id=source[0], var=source[1])
    return literals_pb2.Binding(var=var, binding=literals_pb2.BindingData(promise=promise))


def _node(s: Step, sub_names: list[str]) -> core_wf.Node:
    ups = sorted({n for n, _ in (s.a, s.b) if n})
    node = core_wf.Node(
        id=s.id,
        metadata=core_wf.NodeMetadata(
            name=f"t{s.task}" if s.sub < 0 else sub_names[s.sub].rsplit(".", 1)[-1],
            retries=literals_pb2.RetryStrategy(),
        ),
        inputs=[_binding("a", s.a), _binding("b", s.b)],
        upstream_node_ids=ups,
    )
    if s.sub >= 0:
        node.workflow_node.sub_workflow_ref.CopyFrom(_wf_id(sub_names[s.sub]))
    else:
        node.task_node.reference_id.CopyFrom(_task_id(s.task))
        node.task_node.overrides.SetInParent()
    return node


def _template(
    name: str, steps: list[Step], iface: interface_pb2.TypedInterface, sub_names: list[str]
) -> core_wf.WorkflowTemplate:
    last = steps[-1].id
    return core_wf.WorkflowTemplate(
        id=_wf_id(name),
        metadata=core_wf.WorkflowMetadata(),
        interface=iface,
        nodes=[_node(s, sub_names) for s in steps],
        outputs=[_binding(o, (last, o)) for o in sorted(iface.outputs.variables)],
        metadata_defaults=core_wf.WorkflowMetadataDefaults(),
    )


def workflow_spec(shape: str, n: int, tasks: int = TASKS) -> workflow_pb2.WorkflowSpec:
    """The workflow ``bench.workflows.<shape>_wf`` of ``n`` task nodes."""
    g = graph(shape, n, tasks)
    sub_names = [f"{WF_MODULE}.part{i}_wf" for i in range(len(g.subs))]
    root_iface = interface_pb2.TypedInterface(inputs=_var_map("x"), outputs=_var_map("o0"))
    return workflow_pb2.WorkflowSpec(
        template=_template(workflow_name(shape), g.steps, root_iface, sub_names),
        sub_workflows=[
            _template(name, steps, _interface(), sub_names)
            for name, steps in zip(sub_names, g.subs, strict=True)
        ],
    )


def launch_plan(shape: str) -> launch_plan_pb2.LaunchPlan:
    """The default launch plan of the shape's workflow (input ``x`` defaults to 1)."""
    name = workflow_name(shape)
    default = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=1))
    )
    x = interface_pb2.Parameter(
        var=interface_pb2.Variable(type=INT, description="x"), default=default
    )
    return launch_plan_pb2.LaunchPlan(
        id=identifier_pb2.Identifier(resource_type=identifier_pb2.LAUNCH_PLAN, name=name),
        spec=launch_plan_pb2.LaunchPlanSpec(
            workflow_id=_wf_id(name),
            entity_metadata=launch_plan_pb2.LaunchPlanMetadata(),
            default_inputs=interface_pb2.ParameterMap(parameters={"x": x}),
            fixed_inputs=literals_pb2.LiteralMap(),
            labels=common_pb2.Labels(),
            annotations=common_pb2.Annotations(),
            raw_output_data_config=common_pb2.RawOutputDataConfig(),
        ),
        closure=launch_plan_pb2.LaunchPlanClosure(),
    )


def members(shape: str, n: int, tasks: int = TASKS) -> Iterator[tuple[str, bytes]]:
    """The archive's members in pyflyte's order: tasks, the workflow, the launch plan."""
    for k in range(tasks):
        yield f"{k}_{MODULE}.t{k}_1.pb", task_spec(k).SerializeToString(deterministic=True)
    name = workflow_name(shape)
    spec = workflow_spec(shape, n, tasks)
    yield f"{tasks}_{name}_2.pb", spec.SerializeToString(deterministic=True)
    yield f"{tasks + 1}_{name}_3.pb", launch_plan(shape).SerializeToString(deterministic=True)


def write_package(shape: str, n: int, path: Path, tasks: int = TASKS) -> Path:
    """Write the package of ``shape`` with ``n`` task nodes to ``path`` (a ``.tgz``)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members(shape, n, tasks):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(buf.getvalue(), compresslevel=6, mtime=0))
    return path


if __name__ == "__main__":
    import sys

    write_package(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
