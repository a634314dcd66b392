"""Hypothesis strategies for the fuzz test: valid, pyflyte-shaped packages (tasks, a workflow
with task, branch, subworkflow and array nodes, its launch plan) and mutations of them (drop,
duplicate and retype fields, give JSON values in pod specs and plugin settings other kinds,
dangle references, add cycles, nest deeply, damage bytes). Tasks run a container, a pod spec,
a version-0 sidecar task's pod or a Spark application.

A package is a list of ``(file name, message)`` as ``pyflyte package`` names its files
(``<i>_<name>_<k>.pb``, ``k`` = 1 task, 2 workflow, 3 launch plan).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import (
    condition_pb2,
    identifier_pb2,
    interface_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
)
from flyteidl.core import workflow_pb2 as core_wf
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message
from google.protobuf.struct_pb2 import Struct
from hypothesis import strategies as st

Files = list[tuple[str, Message]]

#: Types of generated interfaces: a name and how to build the type and a literal of it.
SIMPLE = {
    "int": types_pb2.INTEGER,
    "float": types_pb2.FLOAT,
    "str": types_pb2.STRING,
    "bool": types_pb2.BOOLEAN,
}
KINDS = ("int", "float", "str", "bool", "list[int]", "map[str]")
#: Strings that have hurt parsers, templates and YAML writers before.
HOSTILE = (
    "",
    "{{x}}",
    "{{= 1+1 }}",
    "{{.input}}",
    "{{ .Inputs.x }}",
    "{% if x %}",
    "yes",
    "null",
    "~",
    "0x1",
    "1e3",
    "*a",
    "&a",
    "!!python/object:os.system",
    "a\nb",
    "\x00",
    "\u2028",
    "日本語",
    "-",
    "n0",
    "start-node",
    "end-node",
    "../..",
    "a" * 300,
)


def literal_type(kind: str) -> types_pb2.LiteralType:
    """The LiteralType of a generated kind."""
    if kind == "list[int]":
        return types_pb2.LiteralType(collection_type=types_pb2.LiteralType(simple=SIMPLE["int"]))
    if kind == "map[str]":
        return types_pb2.LiteralType(map_value_type=types_pb2.LiteralType(simple=SIMPLE["str"]))
    return types_pb2.LiteralType(simple=SIMPLE[kind])


def literal(kind: str, seed: int) -> literals_pb2.Literal:
    """A literal of a generated kind (values vary with ``seed``)."""
    out = literals_pb2.Literal()
    if kind == "int":
        out.scalar.primitive.integer = seed
    elif kind == "float":
        out.scalar.primitive.float_value = seed / 4
    elif kind == "str":
        out.scalar.primitive.string_value = HOSTILE[seed % len(HOSTILE)]
    elif kind == "bool":
        out.scalar.primitive.boolean = bool(seed % 2)
    elif kind == "list[int]":
        for i in range(seed % 4):
            out.collection.literals.add().scalar.primitive.integer = i
    else:
        for i in range(seed % 3):
            out.map.literals[f"k{i}"].scalar.primitive.string_value = HOSTILE[i]
    return out


def _ident(kind: int, name: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(resource_type=kind, name=name)


def _variables(target: interface_pb2.VariableMap, kinds: list[str], prefix: str) -> None:
    for i, kind in enumerate(kinds):
        target.variables[f"{prefix}{i}"].type.CopyFrom(literal_type(kind))


#: Where a generated task's pod comes from: a container, a pod spec (``k8s_pod``), a version-0
#: sidecar task's ``custom``, or a Spark task (its driver and executor pods in ``custom``).
TARGETS = ("container", "pod", "sidecar", "spark")


@dataclass
class TaskShape:
    """A generated task: its name, the kinds of its inputs and outputs, and its target."""

    name: str
    inputs: list[str]
    outputs: list[str]
    mapped: bool = False
    target: str = "container"


def task_template(shape: TaskShape, hostile: str) -> tasks_pb2.TaskTemplate:
    """A python task as pyflyte serializes it (a map task's sub-task for ``mapped``)."""
    t = tasks_pb2.TaskTemplate(type="python-task", task_type_version=1 if shape.mapped else 0)
    t.id.CopyFrom(_ident(identifier_pb2.TASK, shape.name))
    _variables(t.interface.inputs, shape.inputs, "i")
    _variables(t.interface.outputs, shape.outputs, "o")
    t.metadata.runtime.type = tasks_pb2.RuntimeMetadata.FLYTE_SDK
    t.metadata.runtime.version = "1.16.0"
    t.metadata.retries.SetInParent()
    c = t.container
    c.image = "ghcr.io/fuzz/image:1"
    c.args.extend(
        [
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
            "fuzz",
            "task-name",
            shape.name,
        ]
    )
    c.env.add(key="FUZZ", value=hostile)
    _POD_TARGETS.get(shape.target, lambda t, h: None)(t, hostile)
    return t


def _pod_spec(container: tasks_pb2.Container, hostile: str) -> dict[str, Any]:
    """A pod spec as flytekit's ``PodTemplate`` writes it: the task's container as the
    primary, a sidecar, a volume, a toleration and a node selector."""
    primary = json_format.MessageToDict(container)
    primary.pop("resources", None)
    primary["name"] = "primary"
    primary["env"] = [{"name": e["key"], "value": e.get("value", "")} for e in primary["env"]]
    return {
        "containers": [
            primary,
            {"name": "helper", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 1"]},
        ],
        "volumes": [{"name": "scratch", "emptyDir": {}}],
        "tolerations": [{"key": "dedicated", "value": hostile[:63], "effect": "NoSchedule"}],
        "nodeSelector": {"pool": "fuzz"},
    }


def _as_pod(t: tasks_pb2.TaskTemplate, hostile: str) -> None:
    spec = _pod_spec(t.container, hostile)
    t.ClearField("container")
    t.k8s_pod.pod_spec.update(spec)
    t.k8s_pod.metadata.labels["fuzz"] = "pod"
    t.config["primary_container_name"] = "primary"


def _as_sidecar(t: tasks_pb2.TaskTemplate, hostile: str) -> None:
    spec = _pod_spec(t.container, hostile)
    t.ClearField("container")
    t.type = "sidecar"
    t.task_type_version = 0
    t.custom.update(
        {"podSpec": spec, "primaryContainerName": "primary", "annotations": {"fuzz": hostile}}
    )


def _as_spark(t: tasks_pb2.TaskTemplate, hostile: str) -> None:
    t.type = "spark"
    t.custom.update(
        {
            "executorPath": "/usr/bin/python3",
            "mainApplicationFile": "local:///usr/bin/entrypoint.py",
            "sparkConf": {"spark.executor.instances": "2", "spark.fuzz": hostile},
            "driverPod": {"podSpec": {"containers": [{"name": "primary", "env": []}]}},
            "executorPod": {"podSpec": {"tolerations": [{"key": "spot"}]}},
        }
    )


_POD_TARGETS: dict[str, Callable[[tasks_pb2.TaskTemplate, str], None]] = {
    "pod": _as_pod,
    "sidecar": _as_sidecar,
    "spark": _as_spark,
}


@dataclass
class Scope:
    """Values a node may bind: (node id, output name, kind); node id empty for inputs."""

    values: list[tuple[str, str, str]] = field(default_factory=list)


def _bind(target: Any, var: str, kind: str, scope: Scope, pick: Callable[[int], int]) -> str | None:
    """Add a binding of ``var`` (of ``kind``) to ``target``; the node it depends on."""
    choices = [v for v in scope.values if v[2] == kind]
    b = target.add(var=var)
    if choices and pick(3):
        node, out, _ = choices[pick(len(choices))]
        b.binding.promise.node_id = node
        b.binding.promise.var = out
        return node or None
    constant = literal(kind, pick(1000))
    if constant.HasField("scalar"):
        b.binding.scalar.CopyFrom(constant.scalar)
    elif constant.HasField("collection"):
        for item in constant.collection.literals:
            b.binding.collection.bindings.add().scalar.CopyFrom(item.scalar)
        if not constant.collection.literals:
            b.binding.collection.SetInParent()
    else:
        for key, item in constant.map.literals.items():
            b.binding.map.bindings[key].scalar.CopyFrom(item.scalar)
        if not constant.map.literals:
            b.binding.map.SetInParent()
    return None


def task_node(
    node_id: str, shape: TaskShape, scope: Scope, pick: Callable[[int], int]
) -> core_wf.Node:
    """A node running ``shape`` with its inputs bound from ``scope``."""
    node = core_wf.Node(id=node_id)
    node.metadata.name = shape.name.rsplit(".", 1)[-1]
    node.metadata.retries.SetInParent()
    node.task_node.reference_id.CopyFrom(_ident(identifier_pb2.TASK, shape.name))
    upstream: set[str] = set()
    for i, kind in enumerate(shape.inputs):
        dep = _bind(node.inputs, f"i{i}", kind, scope, pick)
        if dep:
            upstream.add(dep)
    node.upstream_node_ids.extend(sorted(upstream))
    return node


def branch_node(
    node_id: str, shape: TaskShape, scope: Scope, pick: Callable[[int], int], depth: int
) -> core_wf.Node:
    """``if x > 3 then <task> else <task or nested branch>``, ``x`` an int from ``scope``."""
    node = core_wf.Node(id=node_id)
    node.metadata.name = "branch"
    ints = [v for v in scope.values if v[2] == "int"]
    upstream: set[str] = set()
    if ints:
        src, out, _ = ints[pick(len(ints))]
        b = node.inputs.add(var="x")
        b.binding.promise.node_id = src
        b.binding.promise.var = out
        if src:
            upstream.add(src)
    else:
        node.inputs.add(var="x").binding.scalar.primitive.integer = pick(10)
    ie = node.branch_node.if_else
    comparison = ie.case.condition.comparison
    comparison.operator = condition_pb2.ComparisonExpression.GT
    comparison.left_value.var = "x"
    comparison.right_value.primitive.integer = 3
    inner = Scope([(src, out, kind) for src, out, kind in scope.values])
    then = task_node("n0", shape, inner, pick)
    ie.case.then_node.CopyFrom(then)
    if depth > 0:
        ie.else_node.CopyFrom(branch_node("n1", shape, inner, pick, depth - 1))
    else:
        ie.else_node.CopyFrom(task_node("n1", shape, inner, pick))
    for child in (then,):
        upstream.update(child.upstream_node_ids)
    node.upstream_node_ids.extend(sorted(upstream))
    return node


def workflow_template(
    name: str,
    inputs: list[str],
    tasks: list[TaskShape],
    plan: list[tuple[str, int]],
    pick: Callable[[int], int],
    subworkflow: tuple[str, list[str], list[str]] | None = None,
) -> core_wf.WorkflowTemplate:
    """A workflow of nodes ``plan`` (kind, task index) in order, each binding earlier values."""
    wf = core_wf.WorkflowTemplate()
    wf.id.CopyFrom(_ident(identifier_pb2.WORKFLOW, name))
    _variables(wf.interface.inputs, inputs, "x")
    wf.metadata.SetInParent()
    wf.metadata_defaults.SetInParent()
    scope = Scope([("", f"x{i}", k) for i, k in enumerate(inputs)])
    for j, (kind, index) in enumerate(plan):
        node_id = f"n{j}"
        shape = tasks[index % len(tasks)]
        if kind == "branch" and not shape.mapped:
            node = branch_node(node_id, shape, scope, pick, pick(3))
        elif kind == "sub" and subworkflow is not None:
            node = core_wf.Node(id=node_id)
            node.metadata.name = "sub"
            sub_name, sub_inputs, sub_outputs = subworkflow
            node.workflow_node.sub_workflow_ref.CopyFrom(_ident(identifier_pb2.WORKFLOW, sub_name))
            upstream = {
                dep
                for i, k in enumerate(sub_inputs)
                if (dep := _bind(node.inputs, f"x{i}", k, scope, pick))
            }
            node.upstream_node_ids.extend(sorted(upstream))
            scope.values += [(node_id, f"o{i}", k) for i, k in enumerate(sub_outputs)]
            wf.nodes.append(node)
            continue
        elif shape.mapped:
            node = core_wf.Node(id=node_id)
            node.metadata.name = "map"
            inner = task_node("n0", shape, Scope(), pick)
            del inner.inputs[:]
            node.array_node.node.CopyFrom(inner)
            node.array_node.min_success_ratio = 1.0
            node.array_node.is_original_sub_node_interface.value = False
            upstream = {
                dep
                for i, k in enumerate(shape.inputs)
                if (dep := _bind(node.inputs, f"i{i}", k, scope, pick))
            }
            node.upstream_node_ids.extend(sorted(upstream))
        else:
            node = task_node(node_id, shape, scope, pick)
        scope.values += [(node_id, f"o{i}", k) for i, k in enumerate(shape.outputs)]
        wf.nodes.append(node)
    produced = [v for v in scope.values if v[0]]
    for i, (src, out, kind) in enumerate(produced[-2:]):
        wf.interface.outputs.variables[f"o{i}"].type.CopyFrom(literal_type(kind))
        b = wf.outputs.add(var=f"o{i}")
        b.binding.promise.node_id = src
        b.binding.promise.var = out
    return wf


@st.composite
def packages(draw: st.DrawFn) -> Files:
    """A valid package: 1-4 tasks, maybe a map task and a subworkflow, a workflow, its plan."""
    pick_data = draw(st.randoms(use_true_random=False))

    def pick(n: int) -> int:
        return pick_data.randrange(n) if n > 0 else 0

    targets = st.sampled_from(("container", "container", *TARGETS[1:]))
    shapes = [
        TaskShape(
            f"fuzz.t{i}",
            draw(st.lists(st.sampled_from(KINDS), max_size=3)),
            draw(st.lists(st.sampled_from(KINDS), max_size=2)),
            target=draw(targets),
        )
        for i in range(draw(st.integers(1, 4)))
    ]
    if draw(st.booleans()):
        shapes.append(TaskShape("fuzz.map_t", ["list[int]"], ["list[int]"], mapped=True))
    hostile = draw(st.sampled_from(HOSTILE))
    files: Files = [
        (f"{i:02d}_{s.name}_1.pb", task_pb2.TaskSpec(template=task_template(s, hostile)))
        for i, s in enumerate(shapes)
    ]
    sub = None
    spec = workflow_pb2.WorkflowSpec()
    if draw(st.booleans()):
        sub_inputs = draw(st.lists(st.sampled_from(KINDS[:4]), max_size=2))
        sub_plan = [("task", draw(st.integers(0, 9))) for _ in range(draw(st.integers(1, 3)))]
        sub_wf = workflow_template("fuzz.sub", sub_inputs, shapes[:1], sub_plan, pick)
        sub = (
            "fuzz.sub",
            sub_inputs,
            [_kind_of(v.type) for _, v in sorted(sub_wf.interface.outputs.variables.items())],
        )
        spec.sub_workflows.append(sub_wf)
    inputs = draw(st.lists(st.sampled_from(KINDS), max_size=3))
    node_kinds = st.sampled_from(("task", "task", "branch", "sub", "task"))
    plan = [(draw(node_kinds), draw(st.integers(0, 9))) for _ in range(draw(st.integers(1, 6)))]
    wf = workflow_template("fuzz.wf", inputs, shapes, plan, pick, sub)
    spec.template.CopyFrom(wf)
    n = len(files)
    files.append((f"{n:02d}_fuzz.wf_2.pb", spec))
    lp = launch_plan_pb2.LaunchPlan()
    lp.id.CopyFrom(_ident(identifier_pb2.LAUNCH_PLAN, "fuzz.wf"))
    lp.spec.workflow_id.CopyFrom(wf.id)
    for i, kind in enumerate(inputs):
        param = lp.spec.default_inputs.parameters[f"x{i}"]
        param.var.type.CopyFrom(literal_type(kind))
        if draw(st.booleans()):
            param.default.CopyFrom(literal(kind, draw(st.integers(0, 50))))
        else:
            param.required = True
    lp.spec.entity_metadata.SetInParent()
    files.append((f"{n + 1:02d}_fuzz.wf_3.pb", lp))
    return files


def _kind_of(t: types_pb2.LiteralType) -> str:
    if t.HasField("collection_type"):
        return "list[int]"
    if t.HasField("map_value_type"):
        return "map[str]"
    return {v: k for k, v in SIMPLE.items()}[t.simple]


# --- Mutations -----------------------------------------------------------------------------


def messages_in(root: Message) -> list[Message]:
    """Every message in ``root`` (itself included), depth first, without map entries."""
    out: list[Message] = []
    stack = [root]
    while stack:
        m = stack.pop()
        out.append(m)
        for f, v in m.ListFields():
            if f.message_type is None:
                continue
            if f.message_type.GetOptions().map_entry:
                if f.message_type.fields_by_name["value"].message_type is not None:
                    stack.extend(v.values())
            elif f.is_repeated:
                stack.extend(v)
            else:
                stack.append(v)
    return out


def _random_scalar(f: FieldDescriptor, pick: Callable[[int], int]) -> Any:
    if f.enum_type is not None:
        return pick(len(f.enum_type.values) + 2)  # unknown enum numbers too
    if f.type == FieldDescriptor.TYPE_BOOL:
        return bool(pick(2))
    if f.type == FieldDescriptor.TYPE_STRING:
        return HOSTILE[pick(len(HOSTILE))]
    if f.type == FieldDescriptor.TYPE_BYTES:
        return bytes([pick(256) for _ in range(pick(8))])
    if f.type in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        return [0.0, -1.5, 1e300, float("nan"), float("inf"), 0.25][pick(6)]
    signed = f.type in (
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_SINT32,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_SFIXED32,
        FieldDescriptor.TYPE_SFIXED64,
    )
    big = (
        2**31 - 1
        if f.type
        in (
            FieldDescriptor.TYPE_INT32,
            FieldDescriptor.TYPE_SINT32,
            FieldDescriptor.TYPE_SFIXED32,
            FieldDescriptor.TYPE_UINT32,
            FieldDescriptor.TYPE_FIXED32,
        )
        else 2**62
    )
    values = [0, 1, 7, big]
    if signed:
        values += [-1, -big]
    return values[pick(len(values))]


def drop_field(root: Message, pick: Callable[[int], int]) -> None:
    """Clear one set field somewhere in ``root``."""
    candidates = [(m, f) for m in messages_in(root) for f, _ in m.ListFields()]
    if candidates:
        m, f = candidates[pick(len(candidates))]
        m.ClearField(f.name)


def duplicate_item(root: Message, pick: Callable[[int], int]) -> None:
    """Append a copy of an element of some repeated field (a node, binding, arg...)."""
    candidates = [
        (m, f)
        for m in messages_in(root)
        for f, v in m.ListFields()
        if f.is_repeated and not (f.message_type and f.message_type.GetOptions().map_entry)
    ]
    if candidates:
        m, f = candidates[pick(len(candidates))]
        items = getattr(m, f.name)
        item = items[pick(len(items))]
        if f.message_type is None:
            items.append(item)
        else:
            items.add().CopyFrom(item)


def retype_field(root: Message, pick: Callable[[int], int]) -> None:
    """Set a scalar field (set or not) of some message to a random, often hostile, value."""
    candidates = [
        (m, f) for m in messages_in(root) for f in m.DESCRIPTOR.fields if f.message_type is None
    ]
    if not candidates:
        return
    m, f = candidates[pick(len(candidates))]
    value = _random_scalar(f, pick)
    try:
        if f.is_repeated:
            getattr(m, f.name).append(value)
        else:
            setattr(m, f.name, value)
    except (ValueError, TypeError):
        pass  # protobuf refuses it (a closed enum, a non-UTF-8 string): nothing to fuzz


def _json_value(pick: Callable[[int], int], depth: int = 0) -> Any:
    """A random JSON value (null, number, string, boolean, list or object)."""
    kind = pick(6) if depth < 2 else pick(4)
    if kind == 0:
        return None
    if kind == 1:
        return [0, -1, 2.5, 1e30, 2**53][pick(5)]
    if kind == 2:
        return HOSTILE[pick(len(HOSTILE))]
    if kind == 3:
        return bool(pick(2))
    if kind == 4:
        return [_json_value(pick, depth + 1) for _ in range(pick(3))]
    return {HOSTILE[pick(len(HOSTILE))]: _json_value(pick, depth + 1) for _ in range(pick(3))}


def restructure(root: Message, pick: Callable[[int], int]) -> None:
    """Give some JSON value inside a ``Struct`` (a pod spec, a plugin's ``custom``) another
    kind, or add an unknown key to some JSON object."""
    values = [m for m in messages_in(root) if m.DESCRIPTOR.full_name == "google.protobuf.Value"]
    structs = [m for m in messages_in(root) if m.DESCRIPTOR.full_name == "google.protobuf.Struct"]
    if structs and (not values or pick(4) == 0):
        struct: Any = structs[pick(len(structs))]
        struct.update({HOSTILE[pick(len(HOSTILE))]: _json_value(pick)})
    elif values:
        holder = Struct()
        holder.update({"v": _json_value(pick)})
        values[pick(len(values))].CopyFrom(holder.fields["v"])


def swap_oneof(root: Message, pick: Callable[[int], int]) -> None:
    """Switch a oneof to another member (a literal type becomes another type, a node kind
    another kind), with that member left empty or minimal."""
    candidates = [
        (m, o) for m in messages_in(root) for o in m.DESCRIPTOR.oneofs if m.WhichOneof(o.name)
    ]
    if not candidates:
        return
    m, o = candidates[pick(len(candidates))]
    f = o.fields[pick(len(o.fields))]
    if f.message_type is None:
        try:
            setattr(m, f.name, _random_scalar(f, pick))
        except (ValueError, TypeError):
            pass
    else:
        getattr(m, f.name).SetInParent()


def _nodes(files: Files) -> list[core_wf.Node]:
    out: list[core_wf.Node] = []
    for _, message in files:
        for m in messages_in(message):
            if isinstance(m, core_wf.Node):
                out.append(m)
    return out


def dangle_reference(files: Files, pick: Callable[[int], int]) -> None:
    """Point a promise, upstream id or task/workflow reference at something that is not there."""
    refs: list[Message] = []
    for _, message in files:
        for m in messages_in(message):
            if isinstance(m, identifier_pb2.Identifier | core_wf.Node):
                refs.append(m)
            elif m.DESCRIPTOR.full_name == "flyteidl.core.OutputReference":
                refs.append(m)
    if not refs:
        return
    m = refs[pick(len(refs))]
    ghost = ["ghost", "n99", "", "start-node", "end-node", "fuzz.t0"][pick(6)]
    if isinstance(m, identifier_pb2.Identifier):
        m.name = ghost
    elif isinstance(m, core_wf.Node):
        m.upstream_node_ids.append(ghost)
    else:
        if pick(2):
            m.node_id = ghost  # type: ignore[attr-defined]
        else:
            m.var = ghost  # type: ignore[attr-defined]


def add_cycle(files: Files, pick: Callable[[int], int]) -> None:
    """Make an earlier node depend on a later one (or on itself)."""
    for _, message in files:
        if isinstance(message, workflow_pb2.WorkflowSpec) and message.template.nodes:
            nodes = message.template.nodes
            a = pick(len(nodes))
            b = a + pick(len(nodes) - a)
            nodes[a].upstream_node_ids.append(nodes[b].id)
            if pick(2) and nodes[b].inputs:
                nodes[a].inputs.add(var="cyc").binding.promise.node_id = nodes[b].id
            return


def nest_deeply(files: Files, pick: Callable[[int], int]) -> None:
    """Nest something deep: a chain of subworkflows, branches in branches, or list types."""
    spec = next((m for _, m in files if isinstance(m, workflow_pb2.WorkflowSpec)), None)
    if spec is None or not spec.template.nodes:
        return
    depth = [3, 20, 60, 99, 101, 150][pick(6)]
    how = pick(3)
    if how == 0:  # subworkflow chain: wf -> s0 -> s1 -> ... -> a copy of the first node
        leaf = core_wf.Node()
        leaf.CopyFrom(spec.template.nodes[0])
        del leaf.inputs[:]
        del leaf.upstream_node_ids[:]
        prev = None
        for i in reversed(range(depth)):
            sub = core_wf.WorkflowTemplate()
            sub.id.CopyFrom(_ident(identifier_pb2.WORKFLOW, f"fuzz.deep{i}"))
            node = core_wf.Node(id="n0")
            if prev is None:
                node.CopyFrom(leaf)
                node.id = "n0"
            else:
                node.workflow_node.sub_workflow_ref.CopyFrom(prev)
            sub.nodes.append(node)
            spec.sub_workflows.append(sub)
            prev = sub.id
        head = spec.template.nodes.add(id="deep")
        head.workflow_node.sub_workflow_ref.CopyFrom(prev)
    elif how == 1:  # branches nested in else-nodes (protobuf nesting: parsing may refuse)
        node = spec.template.nodes[pick(len(spec.template.nodes))]
        inner = core_wf.Node()
        inner.CopyFrom(node)
        leaf = core_wf.Node()
        leaf.CopyFrom(node)
        levels = min(depth, 20)  # 4 message levels each: under protobuf's 100
        for i in range(levels):
            outer = core_wf.Node(id=f"b{i}")
            outer.inputs.add(var="x").binding.scalar.primitive.integer = i
            c = outer.branch_node.if_else.case
            c.condition.comparison.left_value.var = "x"
            c.condition.comparison.right_value.primitive.integer = 1
            c.then_node.CopyFrom(inner)
            outer.branch_node.if_else.else_node.CopyFrom(leaf)  # linear, not exponential
            inner = outer
        while True:  # the picked node may itself be nested: peel levels until protobuf takes it
            try:
                spec.template.nodes.append(inner)
                return
            except DecodeError:
                if not inner.HasField("branch_node"):
                    return
                inner = inner.branch_node.if_else.case.then_node
    else:  # a list type nested ``depth`` levels deep
        t = types_pb2.LiteralType(simple=types_pb2.INTEGER)
        for _ in range(min(depth, 90)):
            t = types_pb2.LiteralType(collection_type=t)
        spec.template.interface.inputs.variables["deep"].type.CopyFrom(t)


@dataclass(frozen=True)
class Damage:
    """Bytes of one file replaced: cut, flipped, or garbage appended."""

    file: int
    how: int
    where: int


MUTATIONS: dict[str, Callable[[Files, Callable[[int], int]], None]] = {
    "drop": lambda files, pick: drop_field(files[pick(len(files))][1], pick),
    "duplicate": lambda files, pick: duplicate_item(files[pick(len(files))][1], pick),
    "retype": lambda files, pick: retype_field(files[pick(len(files))][1], pick),
    "restructure": lambda files, pick: restructure(files[pick(len(files))][1], pick),
    "swap": lambda files, pick: swap_oneof(files[pick(len(files))][1], pick),
    "dangle": dangle_reference,
    "cycle": add_cycle,
    "nest": nest_deeply,
    "duplicate-file": lambda files, pick: files.append(
        (f"99_dup{pick(100)}_{files[pick(len(files))][0][-4:]}", files[pick(len(files))][1])
    ),
    "drop-file": lambda files, pick: files.pop(pick(len(files))) if len(files) > 1 else None,
}


def damage(data: bytes, d: Damage) -> bytes:
    """``data`` cut short, with a byte flipped, or with garbage appended."""
    if not data:
        return b"\x08"
    at = d.where % len(data)
    if d.how == 0:
        return data[:at]
    if d.how == 1:
        return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    return data + bytes([0x0A, 0xFF, 0xFF, 0xFF, 0x0F])
