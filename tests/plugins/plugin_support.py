"""Helpers for plugin tests: task templates built from flyteidl messages, lowered to units, and
manifests with their run-time placeholders shown as ``{{.name}}`` text."""

from __future__ import annotations

from typing import Any

from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, tasks_pb2, types_pb2
from google.protobuf import json_format, struct_pb2

from fcomp.compiler import ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Source
from fcomp.compiler.frontend.tasks import convert_task
from fcomp.compiler.plugins.registry import TaskContext, lower_task
from fcomp.compiler.plugins.units import Placeholder, Text, Unit

ARGS = [
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
    "m",
    "task-name",
    "t",
]


def template(
    task_type: str,
    custom: dict[str, Any] | None,
    *,
    version: int = 0,
    env: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    service_account: str = "",
    interruptible: bool = False,
    retries: int = 0,
    labels: dict[str, str] | None = None,
    outputs: dict[str, int] | None = None,
) -> tasks_pb2.TaskTemplate:
    """A task template with a container running ``pyflyte-execute`` (as flytekit writes)."""
    t = tasks_pb2.TaskTemplate(type=task_type, task_type_version=version)
    t.id.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="m.t"))
    t.container.image = "ghcr.io/x/img:1"
    t.container.args.extend(ARGS)
    for k, v in (env or {}).items():
        t.container.env.add(key=k, value=v)
    names = {"cpu": tasks_pb2.Resources.CPU, "memory": tasks_pb2.Resources.MEMORY}
    for k, v in (limits or {}).items():
        t.container.resources.limits.add(name=names[k], value=v)
    if custom is not None:
        s = struct_pb2.Struct()
        json_format.ParseDict(custom, s)
        t.custom.CopyFrom(s)
    if service_account:
        t.security_context.run_as.k8s_service_account = service_account
    t.metadata.interruptible = interruptible
    t.metadata.retries.retries = retries
    for k, v in (labels or {}).items():
        t.metadata.metadata.labels[k] = v
    t.interface.inputs.variables["n"].type.simple = types_pb2.INTEGER
    for name, simple in (outputs or {"o0": types_pb2.INTEGER}).items():
        t.interface.outputs.variables[name].type.simple = simple
    return t


def lower(t: tasks_pb2.TaskTemplate, config: Config | None = None) -> Unit:
    """Lower a task template as the only node of a workflow."""
    task = convert_task(t, Source())
    node = ir.Node("n0", ir.TaskNode(task.id))
    wf = ir.Workflow(ir.Ident(ir.ResourceType.WORKFLOW, "wf"), ir.Interface.of(), (node,))
    return lower_task(TaskContext(task, node, wf, config or Config()))


def show(value: Any) -> Any:
    """A manifest with every :class:`Text` as a string (placeholders as ``{{.name}}``)."""
    if isinstance(value, Text):
        return "".join(
            f"{{{{.{p.kind.value}{'.' + p.arg if p.arg else ''}}}}}"
            if isinstance(p, Placeholder)
            else p
            for p in value.parts
        )
    if isinstance(value, dict):
        return {k: show(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [show(v) for v in value]
    return value


def literal_map(**values: Any) -> literals_pb2.LiteralMap:
    """A LiteralMap of primitive values (int, float, str, bool)."""
    out = literals_pb2.LiteralMap()
    for name, value in values.items():
        p = out.literals[name].scalar.primitive
        if isinstance(value, bool):
            p.boolean = value
        elif isinstance(value, int):
            p.integer = value
        elif isinstance(value, float):
            p.float_value = value
        else:
            p.string_value = value
    return out


def interface(**outputs: int) -> interface_pb2.TypedInterface:
    """A typed interface with the given simple-typed outputs."""
    iface = interface_pb2.TypedInterface()
    for name, simple in outputs.items():
        iface.outputs.variables[name].type.simple = simple
    return iface
