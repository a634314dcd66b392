"""Every error the compiler reports, each provoked in real protos.

Each case takes a workflow from Flyte's snacks-core test data (or from a small flytekit module
that ``pyflyte package`` turns into an archive, for the node kinds snacks-core lacks: gates,
array nodes, dataclass attribute paths), breaks one thing in its protobuf messages, writes
the entities to files and compiles them through :func:`fcomp.compiler.driver.compile_paths`.
The test checks every error reported: its code, its node and a key part of its message, so a
case also fails when one mistake makes the compiler report follow-on errors. Where Flyte itself
reports follow-on errors for a mistake, the case lists them and says why.

Where fcomp's wording or node differs from Flyte's (``flytepropeller/pkg/compiler``), the case
says so. The meta-test at the end checks that every Flyte code fcomp knows has a case.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2
from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import (
    condition_pb2,
    identifier_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_pb2,
)
from google.protobuf.message import Message

from fcomp.compiler import codes
from fcomp.compiler.codes import CODES
from fcomp.compiler.diagnostics import Diagnostic, Diagnostics, Source
from fcomp.compiler.driver import compile_paths
from fcomp.compiler.frontend import build_program
from fcomp.compiler.passes.pipeline import compile_program
from fcomp.idl.model import EntityKind, LoadedEntity

SNACKS = Path("test/testdata/snacks-core")

# --- the entities -------------------------------------------------------------------------


@dataclass
class Entity:
    """One entity file: its name and its (mutable) message."""

    name: str
    message: Message


class Catalog:
    """Every entity of a folder of ``pyflyte package`` files, by entity name."""

    def __init__(self, files: Iterator[tuple[str, bytes]]) -> None:
        self.tasks: dict[str, Entity] = {}
        self.workflows: dict[str, Entity] = {}
        self.launch_plans: dict[str, Entity] = {}
        for name, data in files:
            if name.endswith("_1.pb"):
                task = task_pb2.TaskSpec.FromString(data)
                self.tasks[task.template.id.name] = Entity(name, task)
            elif name.endswith("_2.pb"):
                spec = admin_workflow_pb2.WorkflowSpec.FromString(data)
                self.workflows[spec.template.id.name] = Entity(name, spec)
            elif name.endswith("_3.pb"):
                plan = launch_plan_pb2.LaunchPlan.FromString(data)
                self.launch_plans[plan.id.name] = Entity(name, plan)

    def bundle(self, *workflows: str, launch_plans: tuple[str, ...] = ()) -> Bundle:
        """Copies of ``workflows`` (short or full names), the tasks they use and the launch
        plans named, ready to be broken and compiled."""
        out = Bundle()
        for short in workflows:
            name = self._full(short, self.workflows)
            out.add(self.workflows[name])
        for short in launch_plans:
            out.add(self.launch_plans[self._full(short, self.launch_plans)])
        for spec in [e.message for e in out.entities if isinstance(e.message, WorkflowSpec)]:
            for template in (spec.template, *spec.sub_workflows):
                for node in walk(template.nodes):
                    if node.WhichOneof("target") == "task_node":
                        out.add(self.tasks[node.task_node.reference_id.name])
        return out

    @staticmethod
    def _full(short: str, table: dict[str, Entity]) -> str:
        if short in table:
            return short
        (found,) = [n for n in table if n.endswith("." + short)]
        return found


WorkflowSpec = admin_workflow_pb2.WorkflowSpec


def walk(nodes: object) -> Iterator[workflow_pb2.Node]:
    """Every node, branch children and array sub-nodes included."""
    stack = list(reversed(list(nodes)))  # type: ignore[call-overload]
    while stack:
        node = stack.pop()
        yield node
        target = node.WhichOneof("target")
        if target == "branch_node":
            ie = node.branch_node.if_else
            children = [ie.case.then_node, *(o.then_node for o in ie.other)]
            if ie.WhichOneof("default") == "else_node":
                children.append(ie.else_node)
            stack.extend(reversed(children))
        elif target == "array_node":
            stack.append(node.array_node.node)


@dataclass
class Bundle:
    """Entities to write and compile; every accessor returns a mutable message."""

    entities: list[Entity] = field(default_factory=list)

    def add(self, entity: Entity) -> Entity:
        if all(e.name != entity.name for e in self.entities):
            copy = type(entity.message)()
            copy.CopyFrom(entity.message)
            entity = Entity(entity.name, copy)
            self.entities.append(entity)
        return entity

    def spec(self, short: str = "") -> WorkflowSpec:
        """The workflow spec whose workflow name ends with ``short`` (the only one if empty)."""
        specs = [
            e.message
            for e in self.entities
            if isinstance(e.message, WorkflowSpec) and e.message.template.id.name.endswith(short)
        ]
        (spec,) = specs
        return spec

    def wf(self, short: str = "") -> workflow_pb2.WorkflowTemplate:
        return self.spec(short).template

    def node(self, node_id: str, short: str = "") -> workflow_pb2.Node:
        (node,) = [n for n in self.wf(short).nodes if n.id == node_id]
        return node

    def task(self, short: str) -> tasks_pb2.TaskTemplate:
        (task,) = [
            e.message.template
            for e in self.entities
            if isinstance(e.message, task_pb2.TaskSpec)
            and e.message.template.id.name.endswith("." + short)
        ]
        return task

    def plan(self) -> launch_plan_pb2.LaunchPlan:
        (plan,) = [
            e.message for e in self.entities if isinstance(e.message, launch_plan_pb2.LaunchPlan)
        ]
        return plan

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for e in self.entities:
            path = folder / e.name
            path.write_bytes(e.message.SerializeToString())
            paths.append(path)
        return paths


# --- proto builders ------------------------------------------------------------------------

INT = types_pb2.LiteralType(simple=types_pb2.INTEGER)
FLOAT = types_pb2.LiteralType(simple=types_pb2.FLOAT)
STR = types_pb2.LiteralType(simple=types_pb2.STRING)
NONE = types_pb2.LiteralType(simple=types_pb2.NONE)


def list_of(t: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(collection_type=t)


def map_of(t: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(map_value_type=t)


def union(*variants: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=variants))


def int_value(v: int) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(
        scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=v))
    )


def float_value(v: float) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(
        scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(float_value=v))
    )


def str_value(v: str) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(
        scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=v))
    )


def bind(node: workflow_pb2.Node, var: str, data: literals_pb2.BindingData) -> None:
    """Replace the binding of ``var`` (or add one)."""
    for b in node.inputs:
        if b.var == var:
            b.binding.CopyFrom(data)
            return
    node.inputs.add(var=var).binding.CopyFrom(data)


def binding(node: workflow_pb2.Node, var: str) -> literals_pb2.BindingData:
    (found,) = [b.binding for b in node.inputs if b.var == var]
    return found


def drop_binding(node: workflow_pb2.Node, var: str) -> None:
    kept = [b for b in node.inputs if b.var != var]
    del node.inputs[:]
    node.inputs.extend(kept)


def case_then(branch: workflow_pb2.Node) -> workflow_pb2.Node:
    return branch.branch_node.if_else.case.then_node


def comparisons(branch: workflow_pb2.Node) -> list[condition_pb2.ComparisonExpression]:
    """The comparisons of the branch's first case (a conjunction of two in snacks-core)."""
    cond = branch.branch_node.if_else.case.condition
    return [
        cond.conjunction.left_expression.comparison,
        cond.conjunction.right_expression.comparison,
    ]


# --- running and checking --------------------------------------------------------------------

#: (code, node, a fragment of the message, or several that must all appear)
Expected = tuple[str, str, str | tuple[str, ...]]


def check(diagnostics: Diagnostics | list[Diagnostic], expected: list[Expected]) -> None:
    """The errors are exactly ``expected``: same codes and nodes (as a multiset, any order),
    each message containing its fragment."""
    errors = [d for d in diagnostics if d.severity.value == "error"]
    got = sorted((d.code, d.source.node) for d in errors)
    assert got == sorted((c, n) for c, n, _ in expected), "\n".join(d.render() for d in errors)
    for code, node, fragment in expected:
        messages = [d.message for d in errors if (d.code, d.source.node) == (code, node)]
        parts = (fragment,) if isinstance(fragment, str) else fragment
        assert any(all(p in m for p in parts) for m in messages), (fragment, messages)


@dataclass(frozen=True)
class Case:
    """One broken input: how to build it and the errors it must produce."""

    id: str
    build: Callable[[Fixtures], Bundle]
    expected: list[Expected]
    source: str = "snacks"
    run: str = "files"

    @property
    def codes(self) -> set[str]:
        return {c for c, _, _ in self.expected}


@dataclass
class Fixtures:
    snacks: Catalog
    flytekit: Catalog | None


# --- the cases -------------------------------------------------------------------------------
# ``basic`` is snacks-core's core.flyte_basics.basic_workflow.my_wf:
#   n0 = t1(a: int <- wf.a) -> (t1_int_output: int, c: str)
#   n1 = t2(a: str <- n0.c, b: str <- wf.b) -> o0: str         (upstream n0)
#   outputs o0 <- n0.t1_int_output, o1 <- n1.o0
# ``multiplier`` is core.control_flow.conditions.multiplier: one branch node n0 with inputs
#   .my_input <- wf.my_input; if 0.1 <= .my_input <= 1.0: double(n) else: square(n).
# ``multiplier_2`` adds an elif (other) and ends with an error instead of an else node.


def basic(f: Fixtures) -> Bundle:
    return f.snacks.bundle("basic_workflow.my_wf")


def multiplier(f: Fixtures) -> Bundle:
    return f.snacks.bundle("conditions.multiplier")


def multiplier_2(f: Fixtures) -> Bundle:
    return f.snacks.bundle("conditions.multiplier_2")


def gates(f: Fixtures) -> Bundle:
    """The flytekit module below: n0 make_point, n1 use_int(p.x), n2 sleep, n3 signal,
    n4 approve, n5 array node (map_task), n6 maybe, n7 use_int."""
    assert f.flytekit is not None
    return f.flytekit.bundle("gates.wf")


def _with(
    make: Callable[[Fixtures], Bundle], *edits: Callable[[Bundle], object]
) -> Callable[[Fixtures], Bundle]:
    def build(f: Fixtures) -> Bundle:
        b = make(f)
        for edit in edits:
            edit(b)
        return b

    return build


def _cycle(b: Bundle) -> None:
    b.node("n0").upstream_node_ids.append("n1")


def _unreachable(b: Bundle) -> None:
    # chain_tasks_wf has no inputs: n0 write, n1 read (upstream n0). Make n0 wait for n1.
    b.node("n0").upstream_node_ids.append("n1")


def _no_nodes(b: Bundle) -> None:
    wf = b.wf()
    del wf.nodes[:]
    del wf.outputs[:]
    wf.interface.outputs.Clear()


def _set_id(node_id: str, new: str) -> Callable[[Bundle], None]:
    return lambda b: setattr(b.node(node_id), "id", new)


def _resources(b: Bundle, kind: str, value: str) -> None:
    container = b.task("t1").container
    entries = container.resources.requests if kind == "requests" else container.resources.limits
    entries.add(name=tasks_pb2.Resources.CPU, value=value)


def _pod_spec(spec: dict[str, object]) -> Callable[[Bundle], None]:
    def edit(b: Bundle) -> None:
        t = b.task("t1")
        t.ClearField("container")
        t.k8s_pod.pod_spec.update(spec)

    return edit


def _untyped_blob() -> literals_pb2.BindingData:
    return literals_pb2.BindingData(
        scalar=literals_pb2.Scalar(blob=literals_pb2.Blob(uri="s3://bucket/key"))
    )


def _gate_signal(b: Bundle) -> workflow_pb2.SignalCondition:
    return b.node("n3").gate_node.signal


def _dup_subworkflow(f: Fixtures) -> Bundle:
    # nested_parent_wf and parent_wf both carry my_subwf; make parent_wf's copy different.
    b = f.snacks.bundle("subworkflows.nested_parent_wf", "subworkflows.parent_wf")
    spec = b.spec("subworkflows.parent_wf")
    (sub,) = [s for s in spec.sub_workflows if s.id.name.endswith("my_subwf")]
    sub.nodes[0].metadata.name = "changed"
    return b


def _subworkflow_cycle(b: Bundle) -> None:
    # parent_wf runs my_subwf; let my_subwf run parent_wf too.
    spec = b.spec("subworkflows.parent_wf")
    (sub,) = [s for s in spec.sub_workflows if s.id.name.endswith("my_subwf")]
    extra = sub.nodes.add(id="loop")
    extra.workflow_node.sub_workflow_ref.CopyFrom(spec.template.id)
    bind(extra, "a", literals_pb2.BindingData(promise=types_pb2.OutputReference(var="a")))


def _retype_input(task: str, var: str, t: types_pb2.LiteralType) -> Callable[[Bundle], None]:
    def edit(b: Bundle) -> None:
        b.task(task).interface.inputs.variables[var].type.CopyFrom(t)

    return edit


def _collection(*items: literals_pb2.BindingData) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection(bindings=items))


def _map(**items: literals_pb2.BindingData) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(map=literals_pb2.BindingDataMap(bindings=items))


def _launch_plan_node(b: Bundle) -> None:
    n0 = b.node("n0")
    n0.ClearField("task_node")
    n0.workflow_node.launchplan_ref.CopyFrom(
        identifier_pb2.Identifier(resource_type=identifier_pb2.LAUNCH_PLAN, name="missing.lp")
    )


def _enum_plan(f: Fixtures) -> Bundle:
    return f.snacks.bundle("enums.enum_wf", launch_plans=("enums.enum_wf",))


def _plan_default(data: literals_pb2.Literal) -> Callable[[Bundle], None]:
    def edit(b: Bundle) -> None:
        b.plan().spec.default_inputs.parameters["c"].default.CopyFrom(data)

    return edit


def _drop_output(b: Bundle, var: str) -> None:
    wf = b.wf()
    kept = [o for o in wf.outputs if o.var != var]
    del wf.outputs[:]
    wf.outputs.extend(kept)


def _second_t1(b: Bundle) -> None:
    (t1,) = [e for e in b.entities if e.name.endswith("basic_workflow.t1_1.pb")]
    copy = b.add(Entity("999_copy_of_t1_1.pb", t1.message))
    assert isinstance(copy.message, task_pb2.TaskSpec)
    copy.message.template.container.image = "other:1"


CASES: list[Case] = [
    # --- graph ---------------------------------------------------------------------------
    Case(
        "CycleDetected/upstream-ids",
        _with(basic, _cycle),
        [(codes.CYCLE_DETECTED, "start-node", ("cycle was detected", "n0>n1", "n1>n0"))],
    ),
    Case(
        "CycleDetected/subworkflow-includes-itself",
        lambda f: _with(lambda g: g.snacks.bundle("subworkflows.parent_wf"), _subworkflow_cycle)(f),
        [(codes.CYCLE_DETECTED, "", "includes itself through subworkflows")],
    ),
    Case(
        "UnreachableNodes/no-path-from-start",
        _with(lambda f: f.snacks.bundle("chain_tasks.chain_tasks_wf"), _unreachable),
        [(codes.UNREACHABLE_NODES, "start-node", "[n0,n1]")],
    ),
    Case("NoNodesFound", _with(basic, _no_nodes), [(codes.NO_NODES_FOUND, "", "my_wf")]),
    # --- branches ------------------------------------------------------------------------
    Case(
        # Flyte reports the missing node twice: once computing the branch's interface
        # (ValueRequired), once checking the branch (BranchNodeIdNotFound). Its follow-on
        # errors are Flyte's too: the branch has no interface, so the condition's variable
        # cannot be looked up (ValueRequired [.my_input]), and its input binding already
        # recorded an upstream edge, so the start node gets no edge to it (UnreachableNodes).
        "BranchNodeIdNotFound/elif-without-node",
        _with(
            multiplier_2,
            lambda b: b.node("n0").branch_node.if_else.other[0].ClearField("then_node"),
        ),
        [
            (codes.BRANCH_NODE_ID_NOT_FOUND, "n0", "no then-node"),
            (codes.VALUE_REQUIRED, "n0", "[IfElse.Case.ThenNode]"),
            (codes.VALUE_REQUIRED, "n0", "[.my_input]"),
            (codes.UNREACHABLE_NODES, "start-node", "[n0]"),
        ],
    ),
    Case(
        "BranchNodeHasNoCondition/if-without-condition",
        _with(multiplier, lambda b: b.node("n0").branch_node.if_else.case.ClearField("condition")),
        [(codes.BRANCH_NODE_HAS_NO_CONDITION, "n0", "doesn't have a condition")],
    ),
    Case(
        # Without its ``case`` the branch must not take the elif for the if. Flyte reports
        # BranchNodeHasNoCondition and ValueRequired [Branch.IfElse.Case] (fcomp: [...Case.
        # ThenNode]); fcomp also says that the absent case has no then-node. As in Flyte, the
        # branch without interface cannot look up the elif's variable.
        "BranchNodeHasNoCondition/no-if-case",
        _with(multiplier_2, lambda b: b.node("n0").branch_node.if_else.ClearField("case")),
        [
            (codes.BRANCH_NODE_HAS_NO_CONDITION, "n0", "doesn't have a condition"),
            (codes.BRANCH_NODE_ID_NOT_FOUND, "n0", "no then-node"),
            (codes.VALUE_REQUIRED, "n0", "Branch.IfElse.Case"),
            (codes.VALUE_REQUIRED, "n0", "[.my_input]"),
        ],
    ),
    Case(
        "BranchNodeHasNoDefault/no-else",
        _with(multiplier, lambda b: b.node("n0").branch_node.if_else.ClearField("else_node")),
        [(codes.BRANCH_NODE_HAS_NO_DEFAULT, "n0", "either the else case set or a default error")],
    ),
    # --- ValueRequired -------------------------------------------------------------------
    Case(
        # The end node's promise o1 <- n1 then names no node.
        "ValueRequired/node-id",
        _with(basic, _set_id("n1", "")),
        [
            (codes.VALUE_REQUIRED, "", "[Id]"),
            (codes.NODE_REFERENCE_NOT_FOUND, "end-node", "[n1]"),
            (codes.PARAMETER_NOT_BOUND, "end-node", "[o1]"),
        ],
    ),
    Case(
        "ValueRequired/task-reference",
        _with(basic, lambda b: b.node("n0").task_node.ClearField("reference_id")),
        [(codes.VALUE_REQUIRED, "n0", "TaskNode.ReferenceId")],
    ),
    Case(
        "ValueRequired/node-target",
        _with(basic, lambda b: b.node("n1").ClearField("task_node")),
        [(codes.VALUE_REQUIRED, "n1", "[Target]")],
    ),
    Case(
        "ValueRequired/container-image",
        _with(basic, lambda b: setattr(b.task("t1").container, "image", "")),
        [(codes.VALUE_REQUIRED, "", "[image]")],
    ),
    Case(
        "ValueRequired/container-command-with-interface",
        _with(
            basic,
            lambda b: b.task("t1").container.ClearField("args"),
            lambda b: b.task("t1").container.ClearField("command"),
        ),
        [(codes.VALUE_REQUIRED, "", "[command]")],
    ),
    Case(
        # Flyte: ValueRequired [Branch.IfElse.Case.ThenNode] and BranchNodeIdNotFound, and the
        # branch's variable cannot be looked up without its interface.
        "ValueRequired/branch-then-node",
        _with(multiplier, lambda b: b.node("n0").branch_node.if_else.case.ClearField("then_node")),
        [
            (codes.VALUE_REQUIRED, "n0", "Branch.IfElse.Case.ThenNode"),
            (codes.BRANCH_NODE_ID_NOT_FOUND, "n0", "no then-node"),
            (codes.VALUE_REQUIRED, "n0", "[.my_input]"),
        ],
    ),
    Case(
        "ValueRequired/comparison-operand",
        _with(multiplier, lambda b: comparisons(b.node("n0"))[0].ClearField("right_value")),
        [(codes.VALUE_REQUIRED, "n0", "RightValue")],
    ),
    Case(
        "ValueRequired/task-variable-type",
        _with(basic, lambda b: b.task("t1").interface.inputs.variables["a"].ClearField("type")),
        [(codes.VALUE_REQUIRED, "n0", "a.type")],
    ),
    Case(
        # Flyte stops checking a workflow whose own interface is broken.
        "ValueRequired/workflow-variable-type",
        _with(basic, lambda b: b.wf().interface.inputs.variables["b"].ClearField("type")),
        [(codes.VALUE_REQUIRED, "start-node", "b.type")],
    ),
    Case(
        "ValueRequired/gate-signal-type",
        _with(gates, lambda b: _gate_signal(b).ClearField("type")),
        [(codes.VALUE_REQUIRED, "n3", "GateNode.Signal.Type")],
        source="flytekit",
    ),
    Case(
        "ValueRequired/gate-signal-output-name",
        _with(gates, lambda b: setattr(_gate_signal(b), "output_variable_name", "")),
        [(codes.VALUE_REQUIRED, "n3", "GateNode.Signal.OutputVariableName")],
        source="flytekit",
    ),
    Case(
        "NoConditionFound/gate-without-condition",
        _with(gates, lambda b: b.node("n2").gate_node.ClearField("sleep")),
        [(codes.NO_CONDITION_FOUND, "n2", "none of approve, signal, sleep")],
        source="flytekit",
    ),
    # --- tasks ---------------------------------------------------------------------------
    Case(
        "InvalidValue/pod-spec-not-a-pod-spec",
        _with(basic, _pod_spec({"containers": "not a list"})),
        [(codes.INVALID_VALUE, "", "k8s pod spec")],
    ),
    Case(
        # Go's decoder rejects the whole PodSpec for a resource quantity that does not parse.
        "InvalidValue/pod-spec-bad-quantity",
        _with(
            basic,
            _pod_spec(
                {"containers": [{"name": "primary", "resources": {"limits": {"cpu": "2 cores"}}}]}
            ),
        ),
        [(codes.INVALID_VALUE, "", "containers[0].resources.limits.cpu")],
    ),
    Case(
        "InvalidValue/container-name-not-dns-1123",
        _with(basic, _pod_spec({"containers": [{"name": "Primary_Container", "image": "i"}]})),
        [(codes.INVALID_VALUE, "", "'Primary_Container' is not a DNS-1123 label")],
    ),
    Case(
        "UnrecognizedValue/resource-quantity",
        _with(basic, lambda b: _resources(b, "limits", "two cores")),
        [(codes.UNRECOGNIZED_VALUE, "", "[two cores]")],
    ),
    Case(
        # A blob without metadata has no type Flyte can infer (literalTypeForScalar is nil).
        "UnrecognizedValue/literal-of-unknown-type",
        _with(basic, lambda b: bind(b.node("n0"), "a", _untyped_blob())),
        [(codes.UNRECOGNIZED_VALUE, "n0", "[scalar]")],
    ),
    # --- references ----------------------------------------------------------------------
    Case(
        "NodeReferenceNotFound/promise",
        _with(basic, lambda b: setattr(binding(b.node("n1"), "a").promise, "node_id", "n9")),
        [
            (codes.NODE_REFERENCE_NOT_FOUND, "n1", "[n9]"),
            (codes.PARAMETER_NOT_BOUND, "n1", "[a]"),
        ],
    ),
    Case(
        "NodeReferenceNotFound/upstream-id",
        _with(basic, lambda b: b.node("n1").upstream_node_ids.append("n7")),
        [(codes.NODE_REFERENCE_NOT_FOUND, "n1", "[n7]")],
    ),
    Case(
        # Flyte checks every reference before anything else and stops there.
        "TaskReferenceNotFound",
        _with(basic, lambda b: setattr(b.node("n0").task_node.reference_id, "name", "gone.task")),
        [(codes.TASK_REFERENCE_NOT_FOUND, "n0", "[gone.task]")],
    ),
    Case(
        "WorkflowReferenceNotFound/subworkflow",
        _with(
            lambda f: f.snacks.bundle("subworkflows.parent_wf"),
            lambda b: setattr(b.node("n1").workflow_node.sub_workflow_ref, "name", "gone.wf"),
        ),
        [(codes.WORKFLOW_REFERENCE_NOT_FOUND, "n1", "subworkflow [gone.wf]")],
    ),
    Case(
        "WorkflowReferenceNotFound/launch-plan",
        _with(basic, _launch_plan_node),
        [(codes.WORKFLOW_REFERENCE_NOT_FOUND, "n0", "launch plan [missing.lp]")],
    ),
    Case(
        "WorkflowReferenceNotFound/launch-plan-workflow",
        lambda f: f.snacks.bundle(launch_plans=("enums.enum_wf",)),
        [(codes.WORKFLOW_REFERENCE_NOT_FOUND, "", "[core.type_system.enums.enum_wf]")],
    ),
    # --- variables -----------------------------------------------------------------------
    Case(
        "VariableNameNotFound/binding-not-an-input",
        _with(basic, lambda b: bind(b.node("n1"), "zzz", str_value("x"))),
        [(codes.VARIABLE_NAME_NOT_FOUND, "n1", "variable [zzz] not found on node [n1]")],
    ),
    Case(
        "VariableNameNotFound/promise-not-an-output",
        _with(basic, lambda b: setattr(binding(b.node("n1"), "a").promise, "var", "nope")),
        [
            (codes.VARIABLE_NAME_NOT_FOUND, "n1", "variable [nope] not found on node [n0]"),
            (codes.PARAMETER_NOT_BOUND, "n1", "[a]"),
        ],
    ),
    Case(
        "VariableNameNotFound/condition-variable-not-bound",
        _with(multiplier, lambda b: setattr(comparisons(b.node("n0"))[1].left_value, "var", ".y")),
        [(codes.VARIABLE_NAME_NOT_FOUND, "n0", "variable [.y] not found on node [n0]")],
    ),
    Case(
        "VariableNameNotFound/launch-plan-input",
        _with(
            _enum_plan,
            lambda b: b.plan().spec.fixed_inputs.literals["shade"].scalar.primitive.SetInParent(),
        ),
        [(codes.VARIABLE_NAME_NOT_FOUND, "", "fixed input [shade]")],
    ),
    Case(
        "DuplicateId/two-nodes",
        _with(basic, lambda b: b.wf().nodes.add().CopyFrom(b.node("n1"))),
        [(codes.DUPLICATE_ID, "n1", "[n1]")],
    ),
    Case(
        "DuplicateId/two-different-subworkflows",
        _dup_subworkflow,
        [(codes.DUPLICATE_ID, "", "core.control_flow.subworkflows.my_subwf")],
    ),
    Case(
        "DuplicateAlias",
        _with(
            basic,
            lambda b: b.node("n0").output_aliases.add(var="c", alias="x"),
            lambda b: b.node("n0").output_aliases.add(var="c", alias="y"),
        ),
        # As in Flyte, no promise on n0 is looked up through its broken aliases.
        [
            (codes.DUPLICATE_ALIAS, "n0", "[y]"),
            (codes.PARAMETER_NOT_BOUND, "n1", "[a]"),
            (codes.PARAMETER_NOT_BOUND, "end-node", "[o0]"),
        ],
    ),
    # --- types ---------------------------------------------------------------------------
    Case(
        "MismatchingTypes/value",
        _with(basic, lambda b: bind(b.node("n0"), "a", str_value("seven"))),
        [(codes.MISMATCHING_TYPES, "n0", "(type [String]) doesn't match expected type [Integer]")],
    ),
    Case(
        "MismatchingTypes/promise",
        _with(basic, lambda b: setattr(binding(b.node("n1"), "a").promise, "var", "t1_int_output")),
        [(codes.MISMATCHING_TYPES, "n1", "[t1_int_output] (type [Integer])")],
    ),
    Case(
        "MismatchingTypes/comparison-sides",
        _with(
            multiplier,
            lambda b: comparisons(b.node("n0"))[0].right_value.primitive.CopyFrom(
                literals_pb2.Primitive(string_value="0.1")
            ),
        ),
        [(codes.MISMATCHING_TYPES, "n0", "[Float] and [String]")],
    ),
    Case(
        # square (the else case) now returns an int where double returns a float. The follow-on
        # errors are Flyte's too (see BranchNodeIdNotFound/elif-without-node).
        "MismatchingTypes/branch-cases",
        _with(
            multiplier,
            lambda b: b.task("square").interface.outputs.variables["o0"].type.CopyFrom(INT),
        ),
        [
            (codes.MISMATCHING_TYPES, "n0-n1", "branch output [o0] has type [Integer]"),
            (codes.VALUE_REQUIRED, "n0", "[.my_input]"),
            (codes.UNREACHABLE_NODES, "start-node", "[n0]"),
        ],
    ),
    Case(
        "MismatchingTypes/launch-plan-default",
        _with(
            _enum_plan,
            _plan_default(literals_pb2.Literal(scalar=int_value(3).scalar)),
        ),
        [(codes.MISMATCHING_TYPES, "", "default of input [c] (type [Integer])")],
    ),
    Case(
        "MismatchingBindings/collection-into-scalar",
        _with(basic, lambda b: bind(b.node("n0"), "a", _collection(int_value(1)))),
        [(codes.MISMATCHING_BINDINGS, "n0", "received a collection")],
    ),
    Case(
        "MismatchingBindings/map-into-scalar",
        _with(basic, lambda b: bind(b.node("n0"), "a", _map(k=int_value(1)))),
        [(codes.MISMATCHING_BINDINGS, "n0", "received a map")],
    ),
    Case(
        # Flyte's compiler has no case for offloaded bindings (only the runtime offloads).
        "MismatchingBindings/offloaded-literal",
        _with(
            basic,
            lambda b: bind(
                b.node("n0"),
                "a",
                literals_pb2.BindingData(
                    offloaded_metadata=literals_pb2.LiteralOffloadedMetadata(
                        uri="s3://b/k", size_bytes=1, inferred_type=INT
                    )
                ),
            ),
        ),
        [(codes.MISMATCHING_BINDINGS, "n0", "received a offloaded literal")],
    ),
    Case(
        "ParameterBoundMoreThanOnce",
        _with(basic, lambda b: b.node("n1").inputs.add(var="b").binding.CopyFrom(str_value("x"))),
        [(codes.PARAMETER_BOUND_MORE_THAN_ONCE, "n1", "[b] is bound more than once")],
    ),
    Case(
        "ParameterNotBound/required-input",
        _with(basic, lambda b: drop_binding(b.node("n1"), "b")),
        [(codes.PARAMETER_NOT_BOUND, "n1", "[b]")],
    ),
    Case(
        "ParameterNotBound/workflow-output",
        _with(basic, lambda b: _drop_output(b, "o1")),
        [(codes.PARAMETER_NOT_BOUND, "end-node", "[o1]")],
    ),
    Case(
        "ParameterNotBound/alias-of-no-output",
        _with(basic, lambda b: b.node("n0").output_aliases.add(var="nothing", alias="x")),
        # As in Flyte, no promise on n0 is looked up through its broken aliases.
        [
            (codes.PARAMETER_NOT_BOUND, "n0", "[x]"),
            (codes.PARAMETER_NOT_BOUND, "n1", "[a]"),
            (codes.PARAMETER_NOT_BOUND, "end-node", "[o0]"),
        ],
    ),
    Case(
        # Flyte wants exactly one match of ([i].)?\w+ in the variable; here there are three.
        "SyntaxError/promise-variable",
        _with(basic, lambda b: setattr(binding(b.node("n1"), "a").promise, "var", "[0]c.x")),
        [(codes.SYNTAX_ERROR, "n1", "[[0]c.x]")],
    ),
    Case(
        # Flyte's k8s transformer cannot turn it into a Go duration (nanos and seconds
        # disagree in sign).
        "SyntaxError/timeout",
        _with(
            basic,
            lambda b: b.node("n0").metadata.timeout.MergeFrom(
                type(b.node("n0").metadata.timeout)(seconds=5, nanos=-1)
            ),
        ),
        [(codes.SYNTAX_ERROR, "n0", "node:metadata:timeout")],
    ),
    Case(
        "IllegalEnumValue",
        _with(
            lambda f: f.snacks.bundle("enums.enum_wf"),
            lambda b: bind(b.node("n0"), "c", str_value("purple")),
        ),
        [(codes.ILLEGAL_ENUM_VALUE, "n0", "received [purple]")],
    ),
    Case(
        # [1, 2] fits both List[int] and List[Union[int, str]].
        "AmbiguousBindingUnionValue",
        _with(
            basic,
            _retype_input("t1", "a", union(list_of(INT), list_of(union(INT, STR)))),
            lambda b: bind(b.node("n0"), "a", _collection(int_value(1), int_value(2))),
        ),
        [(codes.AMBIGUOUS_BINDING_UNION_VALUE, "n0", "both variants [[Integer]] and")],
    ),
    Case(
        "IncompatibleBindingUnionValue",
        _with(
            basic,
            _retype_input("t1", "a", union(list_of(STR), map_of(INT))),
            lambda b: bind(b.node("n0"), "a", _collection(int_value(1))),
        ),
        [(codes.INCOMPATIBLE_BINDING_UNION_VALUE, "n0", "matches none of the variants")],
    ),
    Case(
        "FieldNotFound/dataclass-attribute",
        _with(
            gates,
            lambda b: (
                binding(b.node("n1"), "v")
                .promise.attr_path[0]
                .MergeFrom(types_pb2.PromiseAttribute(string_value="z"))
            ),
        ),
        [(codes.FIELD_NOT_FOUND, "n1", "doesn't have field [z]")],
        source="flytekit",
    ),
    # --- what Flyte's k8s transformer rejects --------------------------------------------
    Case(
        "WorkflowBuildError/resource-override",
        _with(
            basic,
            lambda b: b.node("n0").task_node.overrides.resources.limits.add(
                name=tasks_pb2.Resources.MEMORY, value="lots"
            ),
        ),
        [(codes.WORKFLOW_BUILD_ERROR, "n0", "[memory=lots]")],
    ),
    Case(
        # A top-level node n0-n1 next to branch n0, whose else child n1 becomes n0-n1. The two
        # differ (another name); Flyte accepts two identical nodes with one id. (Were the
        # top-level one to have no upstream node, the child's upstream entry, kept under the
        # same id, would leave it unreachable: UnreachableNodes, in Flyte too.)
        "ValueCollision/renamed-branch-child",
        _with(
            multiplier,
            lambda b: b.wf().nodes.add().CopyFrom(b.node("n0").branch_node.if_else.else_node),
            lambda b: setattr(b.wf().nodes[-1], "id", "n0-n1"),
            lambda b: setattr(b.wf().nodes[-1].metadata, "name", "another"),
        ),
        [(codes.VALUE_COLLISION, "n0-n1", "[n0-n1]")],
    ),
    Case(
        "IDLTypeNotFound/launch-plan-default",
        _with(_enum_plan, _plan_default(literals_pb2.Literal(scalar=_untyped_blob().scalar))),
        [(codes.IDL_TYPE_NOT_FOUND, "", "default of input [c]")],
    ),
    # --- fcomp's own ---------------------------------------------------------------------
    Case(
        # A second, different t1 (another image) in another file.
        "DuplicateEntity/two-different-tasks",
        _with(basic, _second_t1),
        [(codes.DUPLICATE_ENTITY, "", "two different tasks")],
    ),
    Case(
        # Protobuf's decoder refuses messages nested over 100 levels, so no file gets this far;
        # the front end still guards its own recursion, checked here on an in-memory message.
        "LimitExceeded/type-deeper-than-100",
        lambda f: f.snacks.bundle("basic_workflow.my_wf"),
        # The task is left out, so the workflow that uses it does not find it.
        [
            (codes.LIMIT_EXCEEDED, "", "deeper than fcomp's limit of 100"),
            (codes.TASK_REFERENCE_NOT_FOUND, "n0", "[core.flyte_basics.basic_workflow.t1]"),
        ],
        run="in-memory-deep-type",
    ),
]


# --- the flytekit module for node kinds snacks-core lacks -------------------------------------

GATES_MODULE = textwrap.dedent(
    """\
    from dataclasses import dataclass
    from datetime import timedelta
    import typing

    from flytekit import approve, map_task, sleep, task, wait_for_input, workflow


    @dataclass
    class Point:
        x: int
        y: int


    @task
    def make_point(a: int) -> Point:
        return Point(x=a, y=a)


    @task
    def use_int(v: int) -> int:
        return v


    @task
    def maybe(v: typing.Optional[int] = None) -> typing.Union[int, str]:
        return v or 0


    @task
    def square(v: int) -> int:
        return v * v


    @workflow
    def wf(a: int) -> int:
        p = make_point(a=a)
        x = use_int(v=p.x)
        s = sleep(timedelta(seconds=1))
        n = wait_for_input("n", timeout=timedelta(hours=1), expected_type=int)
        ok = approve(x, "approve-x", timeout=timedelta(hours=1))
        s >> n
        map_task(square)(v=[ok, n])
        maybe(v=x)
        return use_int(v=ok)
    """
)


def _package_gates(folder: Path) -> Path:
    """``pyflyte package`` the module above; returns the archive."""
    pyflyte = Path(sys.executable).parent / "pyflyte"
    if not pyflyte.exists():
        pytest.skip("flytekit (pyflyte) is not installed")
    (folder / "gates.py").write_text(GATES_MODULE)
    archive = folder / "gates.tgz"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE")}
    subprocess.run(
        [str(pyflyte), "--pkgs", "gates", "package", "--image", "img:1", "-o", str(archive)],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return archive


def _members(archive: Path) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member)
            if data is not None:
                yield Path(member.name).name, data.read()


@pytest.fixture(scope="module")
def snacks_catalog(flyte_compiler_data: Path) -> Catalog:
    folder = flyte_compiler_data / SNACKS
    return Catalog((p.name, p.read_bytes()) for p in sorted(folder.glob("*.pb")))


@pytest.fixture(scope="module")
def flytekit_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    archive = _package_gates(tmp_path_factory.mktemp("gates"))
    catalog = Catalog(_members(archive))
    assert compile_paths([archive]).ok, "the flytekit module itself must compile"
    return catalog


@pytest.fixture
def fixtures(request: pytest.FixtureRequest, snacks_catalog: Catalog) -> Fixtures:
    case: Case = request.node.callspec.params["case"]
    flytekit = request.getfixturevalue("flytekit_catalog") if case.source == "flytekit" else None
    return Fixtures(snacks_catalog, flytekit)


def _run_in_memory(bundle: Bundle) -> Diagnostics:
    """Compile ``bundle`` with t1's output nested 101 levels deep, without writing files."""
    t1 = bundle.task("t1")
    # Assigning field by field builds the message without the decoder's depth limit.
    deep = t1.interface.outputs.variables["deep"].type
    cur = deep
    for _ in range(100):
        cur = cur.collection_type
    cur.simple = types_pb2.INTEGER
    entities = []
    for e in bundle.entities:
        source = Source(file=e.name)
        if isinstance(e.message, task_pb2.TaskSpec):
            entities.append(LoadedEntity(EntityKind.TASK, e.message.template, source))
        elif isinstance(e.message, WorkflowSpec):
            entities.append(LoadedEntity(EntityKind.WORKFLOW, e.message, source))
    diags = Diagnostics()
    program = build_program(entities, diags)
    compile_program(program, diags)
    return diags


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_error(case: Case, fixtures: Fixtures, tmp_path: Path) -> None:
    bundle = case.build(fixtures)
    if case.run == "in-memory-deep-type":
        check(_run_in_memory(bundle), case.expected)
        return
    result = compile_paths(bundle.write(tmp_path))
    check(result.diagnostics, case.expected)
    assert not result.ok
    assert result.compiled is None
    # Every diagnostic names the file it is about.
    assert all(d.source.file.startswith(str(tmp_path)) for d in result.diagnostics)


# --- behaviour around the errors -------------------------------------------------------------


def test_unbroken_fixtures_compile(snacks_catalog: Catalog, tmp_path: Path) -> None:
    """The bundles the cases start from compile cleanly (so each error is the mutation's)."""
    for make in (
        lambda: snacks_catalog.bundle("basic_workflow.my_wf"),
        lambda: snacks_catalog.bundle("conditions.multiplier"),
        lambda: snacks_catalog.bundle("conditions.multiplier_2"),
        lambda: snacks_catalog.bundle("chain_tasks.chain_tasks_wf"),
        lambda: snacks_catalog.bundle("subworkflows.parent_wf"),
        lambda: snacks_catalog.bundle("subworkflows.nested_parent_wf", "subworkflows.parent_wf"),
        lambda: snacks_catalog.bundle("enums.enum_wf", launch_plans=("enums.enum_wf",)),
    ):
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        result = compile_paths(make().write(folder))
        assert [d.render() for d in result.diagnostics] == []


def test_optional_input_may_stay_unbound(snacks_catalog: Catalog, tmp_path: Path) -> None:
    """An input whose type is a union with None may stay unbound; task defaults do not count
    (Flyte's ``IsOptionalType``)."""
    b = snacks_catalog.bundle("basic_workflow.my_wf")
    _retype_input("t2", "b", union(STR, NONE))(b)
    drop_binding(b.node("n1"), "b")
    result = compile_paths(b.write(tmp_path))
    assert [d.render() for d in result.diagnostics] == []
    assert result.ok

    b = snacks_catalog.bundle("basic_workflow.my_wf")
    _retype_input("t2", "b", union(STR, INT))(b)
    drop_binding(b.node("n1"), "b")
    check(
        compile_paths(b.write(tmp_path / "2")).diagnostics,
        [(codes.PARAMETER_NOT_BOUND, "n1", "[b]")],
    )


def test_every_error_is_reported(snacks_catalog: Catalog, tmp_path: Path) -> None:
    """One input with several independent mistakes reports each of them, not the first only:
    in tasks, in two nodes, in the workflow outputs and in the launch plan."""
    b = snacks_catalog.bundle("basic_workflow.my_wf")
    b.task("t2").container.image = ""
    bind(b.node("n0"), "a", str_value("seven"))
    bind(b.node("n1"), "zzz", str_value("x"))
    b.node("n1").inputs.add(var="b").binding.CopyFrom(str_value("again"))
    _drop_output(b, "o0")
    plan = snacks_catalog.bundle("enums.enum_wf", launch_plans=("enums.enum_wf",))
    for e in plan.entities:
        b.add(e)
    bind(b.node("n1", "enum_wf"), "c", int_value(1))
    _plan_default(literals_pb2.Literal(scalar=int_value(3).scalar))(b)
    check(
        compile_paths(b.write(tmp_path)).diagnostics,
        [
            (codes.VALUE_REQUIRED, "", "[image]"),
            (codes.MISMATCHING_TYPES, "n0", "[String]"),
            (codes.VARIABLE_NAME_NOT_FOUND, "n1", "[zzz]"),
            (codes.PARAMETER_BOUND_MORE_THAN_ONCE, "n1", "[b]"),
            (codes.PARAMETER_NOT_BOUND, "end-node", "[o0]"),
            (codes.MISMATCHING_TYPES, "n1", "[Integer]"),
            (codes.MISMATCHING_TYPES, "", "default of input [c]"),
        ],
    )


def test_errors_of_a_subworkflow_are_reported_once(snacks_catalog: Catalog, tmp_path: Path) -> None:
    """A broken subworkflow carried by two workflow specs is one error, at its own node."""
    b = snacks_catalog.bundle("subworkflows.nested_parent_wf", "subworkflows.parent_wf")
    for spec_name in ("subworkflows.nested_parent_wf", "subworkflows.parent_wf"):
        spec = b.spec(spec_name)
        (sub,) = [s for s in spec.sub_workflows if s.id.name.endswith("my_subwf")]
        for node in sub.nodes:
            if node.id == "n1":
                bind(node, "a", str_value("x"))
    result = compile_paths(b.write(tmp_path))
    errors = [d for d in result.diagnostics if d.code == codes.MISMATCHING_TYPES]
    assert len(errors) == 1, [d.render() for d in result.diagnostics]
    assert errors[0].source.entity == "core.control_flow.subworkflows.my_subwf"
    assert errors[0].source.node == "n1"


# --- the meta-test ---------------------------------------------------------------------------

#: Flyte codes no check can produce. Flyte declares them but (on the 1.x line fcomp follows)
#: never raises them from its compiler or after it:
NEVER_RAISED = {
    # NewMismatchingInterfacesErr was called only by validateVarsSetMatch, which Flyte removed.
    codes.MISMATCHING_INTERFACES,
    # NewInconsistentTypesErr has no caller at all.
    codes.INCONSISTENT_TYPES,
    # Raised by the k8s transformer when the start node has no downstream node; a workflow that
    # passed the compiler always has one (every top-level node without upstream gets an edge
    # from the start node, and a graph without such a node is a cycle or unreachable).
    codes.NO_ENTRY_NODE_FOUND,
}

#: fcomp's own codes that the compiler (front end and passes) reports.
FCOMP_COMPILER_CODES = {codes.DUPLICATE_ENTITY, codes.DUPLICATE_ID, codes.LIMIT_EXCEEDED}


def test_every_code_has_a_failing_case() -> None:
    tested = set().union(*(c.codes for c in CASES))
    flyte = {name for name, code in CODES.items() if code.origin == "flyte"}
    assert flyte - NEVER_RAISED - tested == set()
    assert NEVER_RAISED & tested == set()
    assert NEVER_RAISED <= flyte
    assert FCOMP_COMPILER_CODES - tested == set()
    # Each case's id starts with the code it is about.
    for case in CASES:
        assert case.id.split("/")[0] in case.codes, case.id


def test_never_raised_codes_are_not_used(pytestconfig: pytest.Config) -> None:
    """No module of the compiler refers to the codes declared never raised."""
    root = Path(__file__).resolve().parents[2] / "compiler"
    names = {
        n
        for n in dir(codes)
        if isinstance(getattr(codes, n), str) and getattr(codes, n) in NEVER_RAISED
    }
    for path in root.rglob("*.py"):
        if path.name == "codes.py":
            continue
        text = path.read_text()
        for name in names:
            assert f"codes.{name}" not in text, (path, name)
