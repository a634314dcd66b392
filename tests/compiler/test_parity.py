"""Parity with Flyte's compiler on Flyte's own test data (see the data's MANIFEST.md).

Every fixture goes through :func:`fcomp.compiler.driver.compile_paths`, and fcomp's closure
(:func:`fcomp.compiler.frontend.closures.build_closures`) is compared with Flyte's golden as
parsed protos. Where a golden differs from fcomp's output, the test asserts the difference is
exactly the documented one and says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flyteidl.core import (
    compiler_pb2,
    dynamic_job_pb2,
    literals_pb2,
    tasks_pb2,
    workflow_closure_pb2,
    workflow_pb2,
)
from google.protobuf import json_format
from google.protobuf.message import Message

from fcomp.compiler import ir
from fcomp.compiler.driver import Compilation, compile_paths
from fcomp.compiler.frontend.closures import build_closures
from fcomp.idl.model import EntityKind

#: Where the ``shared_dir`` fixture (tests/conftest.py) looks; read here at collection time to
#: parametrize by fixture name.
FLYTE_DATA = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / ("peer/flyte-compiler-testdata/flytepropeller/pkg/compiler")
)
TESTDATA = Path("test/testdata")
SNACKS = TESTDATA / "snacks-core"
BRANCH = TESTDATA / "branch"
NESTED_BRANCH_CLOSURE = Path("transformers/k8s/testdata/compiled_closure_branch_nested.json")
DYNAMIC = TESTDATA / "dynamic/success_1.json"

#: Shown as the only parameter when the shared data are missing, so that the test still runs
#: and the data fixture skips it (or fails it under ``CI=true``).
MISSING = "missing-shared-data"

#: What Flyte's Go test appends to every container task before compiling it
#: (``setDefaultFields`` in ``flytepropeller/pkg/compiler/test/compiler_test.go``).
TEST_CONFIG = [("testKey1", "testValue1"), ("testKey2", "testValue2"), ("testKey3", "testValue3")]


def _names(relative: Path, pattern: str, suffix: str) -> list[str]:
    """File names under the shared Flyte data matching ``pattern``, minus ``suffix``."""
    root = FLYTE_DATA / relative
    found = sorted(p.name[: len(p.name) - len(suffix)] for p in root.glob(pattern))
    return found or [MISSING]


#: ``snacks-core/compiled/<base>_wf.json``: the 43 workflow goldens.
WORKFLOW_GOLDENS = _names(SNACKS / "compiled", "*_wf.json", "_wf.json")
#: ``snacks-core/compiled/<base>_task.json``: the 87 task goldens.
TASK_GOLDENS = _names(SNACKS / "compiled", "*_task.json", "_task.json")
#: ``branch/*.json``: 12 WorkflowClosures with branch nodes.
BRANCH_FIXTURES = _names(BRANCH, "*.json", ".json")


def _read_json(path: Path, message: Message) -> Message:
    json_format.Parse(path.read_text(), message)
    return message


def _golden_closure(path: Path) -> compiler_pb2.CompiledWorkflowClosure:
    closure = _read_json(path, compiler_pb2.CompiledWorkflowClosure())
    assert isinstance(closure, compiler_pb2.CompiledWorkflowClosure)
    return closure


def _with_test_config(template: tasks_pb2.TaskTemplate) -> tasks_pb2.TaskTemplate:
    """``template`` as Flyte's Go test compiles it: 3 config entries added to a container."""
    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(template)
    if out.HasField("container"):
        for key, value in TEST_CONFIG:
            out.container.config.add(key=key, value=value)
    return out


def _walk(
    nodes: Iterator[workflow_pb2.Node] | list[workflow_pb2.Node],
) -> Iterator[workflow_pb2.Node]:
    """Every node, branch children included, depth first in declaration order."""
    stack = list(reversed(list(nodes)))
    while stack:
        node = stack.pop()
        yield node
        if node.WhichOneof("target") == "branch_node":
            ie = node.branch_node.if_else
            children = [ie.case.then_node, *(o.then_node for o in ie.other)]
            if ie.WhichOneof("default") == "else_node":
                children.append(ie.else_node)
            stack.extend(reversed(children))
        elif node.WhichOneof("target") == "array_node":
            stack.append(node.array_node.node)


def _node_facts(
    wf: compiler_pb2.CompiledWorkflow,
) -> list[tuple[str, list[str], list[literals_pb2.Binding]]]:
    """(id, upstream ids, inputs) of every node, nested ones included."""
    return [(n.id, list(n.upstream_node_ids), list(n.inputs)) for n in _walk(wf.template.nodes)]


def _connections(wf: compiler_pb2.CompiledWorkflow) -> tuple[dict[str, list[str]], ...]:
    c = wf.connections
    return (
        {k: list(v.ids) for k, v in c.upstream.items()},
        {k: list(v.ids) for k, v in c.downstream.items()},
    )


def _has_promise(data: literals_pb2.BindingData) -> bool:
    stack = [data]
    while stack:
        cur = stack.pop()
        kind = cur.WhichOneof("value")
        if kind == "promise":
            return True
        if kind == "collection":
            stack.extend(cur.collection.bindings)
        elif kind == "map":
            stack.extend(cur.map.bindings.values())
    return False


def _assert_connected(wf: compiler_pb2.CompiledWorkflow) -> None:
    """Flyte's ``assertNodeIDsInConnections``: every node with a promise input appears in the
    connections, and every id in the connections is a node."""
    nodes = {n.id for n in _walk(wf.template.nodes)}
    with_deps = {
        n.id for n in _walk(wf.template.nodes) if any(_has_promise(b.binding) for b in n.inputs)
    }
    mentioned: set[str] = set()
    for id_map in (wf.connections.upstream, wf.connections.downstream):
        for key, ids in id_map.items():
            mentioned.add(key)
            mentioned.update(ids.ids)
    assert with_deps - mentioned == set(), "all nodes with promises must appear in connections"
    assert mentioned - nodes == set(), "all connections must name existing nodes"


def _referenced_tasks(template: workflow_pb2.WorkflowTemplate) -> set[str]:
    return {
        n.task_node.reference_id.name
        for n in _walk(template.nodes)
        if n.WhichOneof("target") == "task_node"
    }


# --- snacks-core: the 45 workflows with all tasks and launch plans ---------------------------


@pytest.fixture(scope="module")
def snacks(flyte_compiler_data: Path) -> Path:
    """``snacks-core``: 87 tasks (``_1.pb``), 45 workflows (``_2.pb``), 51 launch plans."""
    return flyte_compiler_data / SNACKS


@pytest.fixture(scope="module")
def snacks_compilation(snacks: Path) -> Compilation:
    """Every ``snacks-core`` file compiled together, as ``fcomp validate snacks-core/`` does."""
    return compile_paths([snacks])


@pytest.fixture(scope="module")
def snacks_closures(
    snacks_compilation: Compilation,
) -> dict[str, compiler_pb2.CompiledWorkflowClosure]:
    assert snacks_compilation.ok
    return build_closures(snacks_compilation)


def test_snacks_core_compiles_without_diagnostics(
    snacks: Path, snacks_compilation: Compilation
) -> None:
    assert [d.render() for d in snacks_compilation.diagnostics] == []
    program = snacks_compilation.program
    kinds = [e.kind for e in snacks_compilation.entities]
    assert kinds.count(EntityKind.TASK) == len(list(snacks.glob("*_1.pb"))) == 87
    assert kinds.count(EntityKind.WORKFLOW) == len(list(snacks.glob("*_2.pb"))) == 45
    assert kinds.count(EntityKind.LAUNCH_PLAN) == len(list(snacks.glob("*_3.pb"))) == 51
    assert len(program.primary) == 45
    assert snacks_compilation.compiled is not None
    assert set(snacks_compilation.compiled.workflows) == {w.id for w in program.workflows}


@pytest.mark.parametrize("base", WORKFLOW_GOLDENS)
def test_workflow_closure_matches_flyte(
    base: str,
    snacks: Path,
    snacks_closures: dict[str, compiler_pb2.CompiledWorkflowClosure],
) -> None:
    """fcomp's closure equals ``compiled/<base>_wf.json``.

    Nodes (ids, upstream ids, inputs, branch children included), connections and the whole
    primary template are equal with no exception. The golden's ``tasks`` carry the 3 config
    entries Flyte's Go test appends before compiling tasks (``setDefaultFields``); with those
    added to fcomp's tasks the whole closure is equal too.
    """
    assert base != MISSING
    golden = _golden_closure(snacks / "compiled" / f"{base}_wf.json")
    mine = snacks_closures[golden.primary.template.id.name]

    assert _node_facts(mine.primary) == _node_facts(golden.primary)
    assert _connections(mine.primary) == _connections(golden.primary)
    assert mine.primary.connections == golden.primary.connections
    assert mine.primary.template == golden.primary.template
    _assert_connected(mine.primary)

    assert list(mine.sub_workflows) == list(golden.sub_workflows)
    assert [t.template.id.name for t in mine.tasks] == [t.template.id.name for t in golden.tasks]
    for task, golden_task in zip(mine.tasks, golden.tasks, strict=True):
        assert _with_test_config(task.template) == golden_task.template
    assert golden.primary.template.nodes[0].id == "start-node"


@pytest.mark.parametrize(
    ("base", "subworkflows"),
    [
        (
            "064_core.control_flow.subworkflows.parent_wf_2",
            ["core.control_flow.subworkflows.my_subwf"],
        ),
        (
            "066_core.control_flow.subworkflows.nested_parent_wf_2",
            ["core.control_flow.subworkflows.my_subwf", "core.control_flow.subworkflows.parent_wf"],
        ),
    ],
    ids=[
        "064_core.control_flow.subworkflows.parent_wf_2",
        "066_core.control_flow.subworkflows.nested_parent_wf_2",
    ],
)
def test_workflow_with_subworkflows(
    base: str,
    subworkflows: list[str],
    snacks: Path,
    snacks_closures: dict[str, compiler_pb2.CompiledWorkflowClosure],
) -> None:
    """The 2 specs with ``sub_workflows`` (Flyte's Go test skips them: they do not parse as a
    WorkflowClosure, so there is no golden) compile, and each subworkflow's compiled form is
    the one fcomp (and Flyte, ``062_..._my_subwf_2_wf.json``) gives it as a primary workflow."""
    from flyteidl.admin import workflow_pb2 as admin_workflow_pb2

    spec = admin_workflow_pb2.WorkflowSpec()
    spec.ParseFromString((snacks / f"{base}.pb").read_bytes())
    assert [s.id.name for s in spec.sub_workflows] == subworkflows
    closure = snacks_closures[spec.template.id.name]
    assert [s.template.id.name for s in closure.sub_workflows] == subworkflows
    _assert_connected(closure.primary)
    my_subwf = _golden_closure(
        snacks / "compiled" / "062_core.control_flow.subworkflows.my_subwf_2_wf.json"
    )
    by_name = {s.template.id.name: s for s in closure.sub_workflows}
    assert by_name["core.control_flow.subworkflows.my_subwf"] == my_subwf.primary
    if "core.control_flow.subworkflows.parent_wf" in by_name:
        parent = snacks_closures["core.control_flow.subworkflows.parent_wf"]
        assert by_name["core.control_flow.subworkflows.parent_wf"] == parent.primary
    # Every subworkflow node of the primary names a subworkflow carried by the closure.
    for node in _walk(closure.primary.template.nodes):
        if node.WhichOneof("target") == "workflow_node":
            assert node.workflow_node.sub_workflow_ref.name in by_name
    # Tasks: those of the primary and of every subworkflow, once each, by name.
    wanted = _referenced_tasks(closure.primary.template)
    for sub in closure.sub_workflows:
        wanted |= _referenced_tasks(sub.template)
    assert [t.template.id.name for t in closure.tasks] == sorted(wanted)


@pytest.mark.parametrize("base", WORKFLOW_GOLDENS)
def test_compiled_closure_compiles_back_to_itself(base: str, snacks: Path) -> None:
    """A golden closure given as input (as ``flytectl get workflow -o json`` shows it) compiles
    to itself: start/end nodes are not added twice and branch children keep their ids."""
    assert base != MISSING
    path = snacks / "compiled" / f"{base}_wf.json"
    result = compile_paths([path])
    assert [d.render() for d in result.diagnostics] == []
    golden = _golden_closure(path)
    assert build_closures(result) == {golden.primary.template.id.name: golden}


# --- tasks -------------------------------------------------------------------------------


@pytest.mark.parametrize("base", TASK_GOLDENS)
def test_task_matches_flyte(base: str, snacks: Path) -> None:
    """Each task passes the task checks alone, and its template plus the Go test's 3 config
    entries equals ``compiled/<base>_task.json`` (Flyte's ``CompileTask`` returns the template
    unchanged)."""
    assert base != MISSING
    result = compile_paths([snacks / f"{base}.pb"])
    assert [d.render() for d in result.diagnostics] == []
    assert result.ok
    (entity,) = result.entities
    assert entity.kind is EntityKind.TASK
    assert isinstance(entity.message, tasks_pb2.TaskTemplate)
    (task,) = result.program.tasks
    assert task.id == ir.Ident(ir.ResourceType.TASK, entity.message.id.name)
    golden = _read_json(snacks / "compiled" / f"{base}_task.json", compiler_pb2.CompiledTask())
    assert golden == compiler_pb2.CompiledTask(template=_with_test_config(entity.message))


def test_fixture_counts(snacks: Path) -> None:
    """The globs above found what MANIFEST.md lists (a renamed folder must not shrink them)."""
    assert len(WORKFLOW_GOLDENS) == 43
    assert len(TASK_GOLDENS) == 87
    assert len(BRANCH_FIXTURES) == 12
    assert len(list(snacks.glob("*_2.pb"))) == len(WORKFLOW_GOLDENS) + 2


# --- branch closures -----------------------------------------------------------------------


@pytest.mark.parametrize("name", BRANCH_FIXTURES)
def test_branch_closure(name: str, flyte_compiler_data: Path) -> None:
    """``branch/<name>.json`` compiles; fcomp's closure equals ``branch/compiled/<name>.json``
    except for one documented difference in ``tasks``.

    Flyte's current Go test does not run these goldens (``runCompileTest(t, "branch")`` is
    commented out). They were written by the older ``TestBranches`` (flyteorg/flytepropeller,
    ``pkg/compiler/test/compiler_test.go``), which passed *every* task of the WorkflowClosure,
    with the 3 test config entries appended, to ``CompileWorkflow``; ``CompileWorkflow`` copies
    every task it is given into ``closure.tasks``, in the order given. flyteadmin, and the current
    snacks-core test, pass only the tasks ``GetRequirements`` finds, and so does fcomp: the tasks
    the workflow references, by name. The primary template and its connections are equal.
    """
    assert name != MISSING
    path = flyte_compiler_data / BRANCH / f"{name}.json"
    result = compile_paths([path])
    assert [d.render() for d in result.diagnostics] == []
    (mine,) = build_closures(result).values()
    golden = _golden_closure(flyte_compiler_data / BRANCH / "compiled" / f"{name}.json")
    source = _read_json(path, workflow_closure_pb2.WorkflowClosure())
    assert isinstance(source, workflow_closure_pb2.WorkflowClosure)

    assert _node_facts(mine.primary) == _node_facts(golden.primary)
    assert mine.primary == golden.primary
    _assert_connected(mine.primary)
    assert list(mine.sub_workflows) == list(golden.sub_workflows) == []

    # The documented difference: golden tasks = every input task, input order, test config.
    assert [t.template for t in golden.tasks] == [_with_test_config(t) for t in source.tasks]
    referenced = _referenced_tasks(source.workflow)
    expected = sorted((t for t in source.tasks if t.id.name in referenced), key=lambda t: t.id.name)
    assert [t.template for t in mine.tasks] == expected


def test_nested_branch_closure(flyte_compiler_data: Path) -> None:
    """``transformers/k8s/testdata/compiled_closure_branch_nested.json`` compiles.

    The file is an input of Flyte's k8s transformer and visualizer tests, never regenerated by
    the compiler. Compiling it again keeps its template exactly (branch children keep their
    ids), but its ``connections.upstream`` is stale: it lists the branch children ``n1`` and
    ``n2`` without their ``n0-`` prefix and leaves out the grandchildren. The current compiler
    records an upstream entry for every branch child under its final id, as the golden of the
    same workflow shape shows (``snacks-core/compiled/039_..._nested_conditions_2_wf.json``);
    fcomp does too.
    """
    path = flyte_compiler_data / NESTED_BRANCH_CLOSURE
    result = compile_paths([path])
    assert [d.render() for d in result.diagnostics] == []
    (mine,) = build_closures(result).values()
    given = _golden_closure(path)

    assert mine.primary.template == given.primary.template
    assert mine.tasks == given.tasks
    assert mine.primary.connections.downstream == given.primary.connections.downstream
    mine_up, _ = _connections(mine.primary)
    given_up, _ = _connections(given.primary)
    top_level = {"start-node", "end-node", "n0"}
    assert {k: v for k, v in mine_up.items() if k in top_level} == {
        k: v for k, v in given_up.items() if k in top_level
    }
    children = {n.id for n in _walk(given.primary.template.nodes)} - top_level
    assert children == {"n0-n0", "n0-n1", "n0-n2", "n0-n0-n0-n0", "n0-n0-n0-n1"}
    assert {k: v for k, v in mine_up.items() if k not in top_level} == {
        child: ["start-node"] for child in children
    }
    # Exactly the stale part differs.
    assert set(given_up) - set(mine_up) == {"n1", "n2"}
    assert set(mine_up) - set(given_up) == {"n0-n2", "n0-n0-n0-n0", "n0-n0-n0-n1"}


# --- dynamic job ---------------------------------------------------------------------------


def test_dynamic_job_spec(flyte_compiler_data: Path) -> None:
    """``dynamic/success_1.json`` compiles (Flyte's ``TestDynamic`` only checks for no error).

    Flyte's test compiles it as a workflow whose only output is ``o0: List[int]``; fcomp infers
    that interface from the spec's output bindings.
    """
    path = flyte_compiler_data / DYNAMIC
    spec = _read_json(path, dynamic_job_pb2.DynamicJobSpec())
    assert isinstance(spec, dynamic_job_pb2.DynamicJobSpec)
    result = compile_paths([path])
    assert [d.render() for d in result.diagnostics] == []
    assert result.compiled is not None
    (job,) = result.compiled.dynamic_jobs
    assert job.workflow.interface == ir.Interface.of(
        (), [ir.Variable("o0", ir.Collection(elem=ir.Simple(simple=ir.SimpleType.INTEGER)))]
    )
    assert {t.id.name for t in result.program.tasks} == {t.id.name for t in spec.tasks}
    nodes = {n.id for n in spec.nodes}
    assert set(job.order) == nodes
    assert set(job.upstream) == nodes | {"end-node"}
    assert set(job.downstream["start-node"]) <= nodes
