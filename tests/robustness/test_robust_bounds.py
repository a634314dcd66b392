"""Resource bounds: an archive bomb, 1,000 levels of nested subworkflows and of nested branches,
10,000 levels of nested literal types, 100,000 bindings on one node. Each compiles (and builds
for Argo) or gets a clear diagnostic, with no RecursionError and bounded memory (Python's
traced allocations). Time is bounded by the suite's own timeout, not asserted."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_wf
from google.protobuf import json_format
from robust_support import Built, Package, build

from fcomp.compiler import codes
from fcomp.compiler.diagnostics import Severity

MIB = 1024 * 1024
#: Peak Python memory any one of these inputs may take.
MEMORY_LIMIT = 1024 * MIB


def _measured(run: Callable[[], Built]) -> tuple[Built, int]:
    tracemalloc.start()
    try:
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def _no_traceback(built: Built) -> None:
    for d in built.diagnostics:
        assert d.code != codes.INTERNAL_ERROR, d.render()
        assert "RecursionError" not in d.message, d.render()


def _task(name: str = "deep.t", inputs: int = 1) -> task_pb2.TaskSpec:
    spec = Package.load("chain").task("add_one")
    t = type(spec)()
    t.CopyFrom(spec)
    t.id.name = name
    if inputs != 1:
        var = t.interface.inputs.variables["x"]
        t.interface.inputs.variables.clear()
        for i in range(inputs):
            t.interface.inputs.variables[f"x{i}"].CopyFrom(var)
    return task_pb2.TaskSpec(template=t)


def _task_node(node_id: str, task: str = "deep.t", inputs: int = 1) -> core_wf.Node:
    node = core_wf.Node(id=node_id)
    node.metadata.name = "t"
    node.task_node.reference_id.CopyFrom(
        identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name=task)
    )
    names = ["x"] if inputs == 1 else [f"x{i}" for i in range(inputs)]
    for name in names:
        node.inputs.add(var=name).binding.scalar.primitive.integer = 1
    return node


def _workflow(name: str, nodes: list[core_wf.Node]) -> core_wf.WorkflowTemplate:
    wf = core_wf.WorkflowTemplate()
    wf.id.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, name=name))
    wf.metadata.SetInParent()
    wf.metadata_defaults.SetInParent()
    wf.nodes.extend(nodes)
    return wf


def _launch_plan(name: str) -> launch_plan_pb2.LaunchPlan:
    lp = launch_plan_pb2.LaunchPlan()
    lp.id.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.LAUNCH_PLAN, name=name))
    lp.spec.workflow_id.CopyFrom(
        identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, name=name)
    )
    return lp


def _tgz(folder: Path, files: list[tuple[str, bytes]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pkg.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _package(folder: Path, spec: workflow_pb2.WorkflowSpec, *tasks: task_pb2.TaskSpec) -> Path:
    files = [(f"0{i}_t_1.pb", t.SerializeToString()) for i, t in enumerate(tasks)]
    files.append(("10_wf_2.pb", spec.SerializeToString()))
    files.append(("11_wf_3.pb", _launch_plan(spec.template.id.name).SerializeToString()))
    return _tgz(folder, files)


# --- Archive bombs -------------------------------------------------------------------------


def _zeros_gzip(total: int) -> Iterator[bytes]:
    """Concatenated gzip members expanding to ``total`` zero bytes, each compressed once."""
    member = gzip.compress(b"\0" * (64 * MIB), compresslevel=9)
    for _ in range(total // (64 * MIB)):
        yield member


def test_archive_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    """~1 MiB on disk, 1 GiB expanded: a valid package followed by zeros."""
    good = Package.load("chain").write(tmp_path / "good").read_bytes()
    bomb = tmp_path / "bomb.tgz"
    with bomb.open("wb") as out:
        out.write(gzip.compress(gzip.decompress(good)[:-1024]))  # the members, no end marker
        for member in _zeros_gzip(1024 * MIB):
            out.write(member)
    assert bomb.stat().st_size < 4 * MIB
    built, peak = _measured(lambda: build(bomb))
    _no_traceback(built)
    assert [d.code for d in built.errors] == [codes.UNSAFE_ARCHIVE], built.errors
    assert "512" in built.errors[0].message or "more than" in built.errors[0].message
    assert built.files == {}
    assert peak < 64 * MIB


def test_member_declaring_a_huge_size_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.tgz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("0_t_1.pb")
        info.size = 10 * 1024 * MIB  # declared only: the body is never read
        archive.addfile(info)
    built, peak = _measured(lambda: build(path))
    assert [d.code for d in built.errors] == [codes.UNSAFE_ARCHIVE]
    assert peak < 16 * MIB


# --- Deep subworkflows ---------------------------------------------------------------------


def _nested_subworkflows(folder: Path, depth: int) -> Path:
    """``deep.wf`` > ``deep.s0`` > ... > ``deep.s<depth-1>`` > a task."""
    spec = workflow_pb2.WorkflowSpec()
    prev = None
    for i in reversed(range(depth)):
        if prev is None:
            node = _task_node("n0")
        else:
            node = core_wf.Node(id="n0")
            node.metadata.name = "sub"
            node.workflow_node.sub_workflow_ref.CopyFrom(prev)
        sub = _workflow(f"deep.s{i}", [node])
        spec.sub_workflows.append(sub)
        prev = sub.id
    top = core_wf.Node(id="n0")
    assert prev is not None
    top.workflow_node.sub_workflow_ref.CopyFrom(prev)
    spec.template.CopyFrom(_workflow("deep.wf", [top]))
    return _package(folder, spec, _task())


def test_one_thousand_nested_subworkflows(tmp_path: Path) -> None:
    path = _nested_subworkflows(tmp_path, 1000)
    built, peak = _measured(lambda: build(path))
    _no_traceback(built)
    assert [d.code for d in built.errors] == [codes.LIMIT_EXCEEDED], built.errors
    assert built.errors[0].source.entity == "deep.wf"  # one diagnostic, on the top workflow
    assert "1000 levels" in built.errors[0].message
    assert peak < MEMORY_LIMIT


def test_nested_subworkflows_at_the_limit_compile(tmp_path: Path) -> None:
    from fcomp.compiler.passes.nesting import MAX_SUBWORKFLOW_DEPTH

    path = _nested_subworkflows(tmp_path, MAX_SUBWORKFLOW_DEPTH)
    built, peak = _measured(lambda: build(path))
    _no_traceback(built)
    assert built.errors == [], [d.render() for d in built.errors]
    templates = built.documents()[0]["spec"]["templates"]
    assert len(templates) > MAX_SUBWORKFLOW_DEPTH
    assert peak < MEMORY_LIMIT


@pytest.mark.parametrize("flavour", ["local", "kubernetes"])
def test_airflow_task_groups_as_deep_as_a_module_holds(tmp_path: Path, flavour: str) -> None:
    """Each subworkflow is a ``with TaskGroup`` block: 19 nest in a DAG module that compiles;
    one more is refused with a diagnostic (Python compiles at most 20 nested blocks)."""
    from fcomp.backends.airflow.build import MAX_GROUP_DEPTH
    from fcomp.compiler.config import Config

    config = Config(airflow_flavour=flavour)
    fits = build(_nested_subworkflows(tmp_path / "fits", MAX_GROUP_DEPTH), "airflow", config)
    assert fits.errors == [], [d.render() for d in fits.errors]
    for name, source in fits.files.items():
        compile(source, name, "exec")
    deeper = build(
        _nested_subworkflows(tmp_path / "deeper", MAX_GROUP_DEPTH + 1), "airflow", config
    )
    _no_traceback(deeper)
    assert [d.code for d in deeper.errors] == [codes.LIMIT_EXCEEDED], deeper.errors
    assert f"nest {MAX_GROUP_DEPTH + 1} deep" in deeper.errors[0].message
    assert deeper.files == {}


# --- Deep branches -------------------------------------------------------------------------


def _deep_branch_bytes(depth: int) -> bytes:
    """A WorkflowSpec whose one node nests ``depth`` branches (then-node inside then-node),
    built field by field (protobuf's parser refuses such nesting, so no CopyFrom)."""
    spec = workflow_pb2.WorkflowSpec()
    spec.template.CopyFrom(_workflow("deep.wf", []))
    node = spec.template.nodes.add(id="b0")
    for i in range(depth):
        node.inputs.add(var="x").binding.scalar.primitive.integer = i
        case = node.branch_node.if_else.case
        case.condition.comparison.left_value.var = "x"
        case.condition.comparison.right_value.primitive.integer = 1
        node.branch_node.if_else.error.message = "no"
        node = case.then_node
        node.id = f"b{i + 1}"
    node.CopyFrom(_task_node(node.id))
    return spec.SerializeToString()


def test_one_thousand_nested_branches_in_protobuf(tmp_path: Path) -> None:
    files = [("00_t_1.pb", _task().SerializeToString()), ("10_wf_2.pb", _deep_branch_bytes(1000))]
    path = _tgz(tmp_path, files)
    built, peak = _measured(lambda: build(path))
    _no_traceback(built)
    assert built.errors and {d.code for d in built.errors} <= {
        codes.LOAD_ERROR,
        codes.LIMIT_EXCEEDED,
    }, [d.render() for d in built.errors]
    assert any("deep" in d.message or "nest" in d.message for d in built.errors), [
        d.render() for d in built.errors
    ]
    assert peak < MEMORY_LIMIT


def test_nested_branches_up_to_the_parse_limit_compile(tmp_path: Path) -> None:
    files = [("00_t_1.pb", _task().SerializeToString()), ("10_wf_2.pb", _deep_branch_bytes(20))]
    built = build(_tgz(tmp_path, files))
    _no_traceback(built)
    assert built.errors == [] and built.documents()


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_one_thousand_nested_branches_in_text_formats(tmp_path: Path, suffix: str) -> None:
    spec = workflow_pb2.WorkflowSpec()
    spec.ParseFromString(_deep_branch_bytes(20))  # a real shape, then nested further as data
    data: dict[str, Any] = json_format.MessageToDict(spec)
    leaf = json.dumps(data["template"]["nodes"][0])
    data["template"]["nodes"] = ["LEAF"]
    # Written as text: json.dumps itself would recurse 1,000 levels deep.
    opening = "".join(
        f'{{"id": "d{i}", "branchNode": {{"ifElse": {{"error": {{"message": "x"}}, '
        '"case": {"thenNode": '
        for i in range(1000)
    )
    text = json.dumps(data).replace('"LEAF"', opening + leaf + "}}}}" * 1000)
    path = tmp_path / f"wf{suffix}"
    path.write_text(text)  # JSON is YAML too (flow style)
    built, peak = _measured(lambda: build(path))
    _no_traceback(built)
    assert built.errors and {d.code for d in built.errors} <= {
        codes.LOAD_ERROR,
        codes.LIMIT_EXCEEDED,
    }, [d.render() for d in built.errors]
    assert peak < MEMORY_LIMIT


# --- Deep literal types --------------------------------------------------------------------


def test_ten_thousand_nested_literal_types_in_json(tmp_path: Path) -> None:
    task = json_format.MessageToDict(_task())
    task["template"]["interface"]["inputs"]["variables"]["x"]["type"] = "DEEP"
    deep = '{"collectionType": ' * 10_000 + '{"simple": "INTEGER"}' + "}" * 10_000
    path = tmp_path / "task.json"
    path.write_text(json.dumps(task).replace('"DEEP"', deep))
    built, peak = _measured(lambda: build(path))
    _no_traceback(built)
    assert built.errors, "a 10,000-level type must be refused"
    assert {d.code for d in built.errors} <= {codes.LOAD_ERROR, codes.LIMIT_EXCEEDED}
    assert peak < MEMORY_LIMIT


def test_ten_thousand_nested_literal_types_in_protobuf(tmp_path: Path) -> None:
    spec = _task()
    t = spec.template.interface.inputs.variables["x"].type
    for _ in range(10_000):
        t = t.collection_type
    t.simple = types_pb2.INTEGER
    path = _tgz(tmp_path, [("00_t_1.pb", spec.SerializeToString())])
    built, peak = _measured(lambda: build(path))
    _no_traceback(built)
    assert built.errors
    assert {d.code for d in built.errors} <= {codes.LOAD_ERROR, codes.LIMIT_EXCEEDED}
    assert peak < MEMORY_LIMIT


def test_literal_types_up_to_fcomp_limit_compile(tmp_path: Path) -> None:
    """Under protobuf's parse limit but over fcomp's 100 levels of types: a clear limit."""
    spec = _task()
    t = spec.template.interface.inputs.variables["x"].type
    for _ in range(45):
        t = t.collection_type
    t.simple = types_pb2.INTEGER
    path = _tgz(tmp_path, [("00_t_1.pb", spec.SerializeToString())])
    built = build(path)
    _no_traceback(built)
    assert all(d.severity is not Severity.ERROR or d.code for d in built.diagnostics)


# --- Many bindings -------------------------------------------------------------------------


def test_one_hundred_thousand_bindings_on_one_node(tmp_path: Path) -> None:
    n = 100_000
    spec = workflow_pb2.WorkflowSpec()
    spec.template.CopyFrom(_workflow("wide.wf", [_task_node("n0", "wide.t", inputs=n)]))
    path = _package(tmp_path, spec, _task("wide.t", inputs=n))
    built, peak = _measured(lambda: build(path))
    _no_traceback(built)
    if built.errors:
        assert {d.code for d in built.errors} <= {codes.SIZE_LIMIT, codes.LIMIT_EXCEEDED}, [
            d.render() for d in built.errors[:3]
        ]
    else:
        assert built.documents()
    assert peak < 4 * MEMORY_LIMIT


# --- Deep values through plans and the YAML writer -------------------------------------------


@pytest.mark.parametrize("depth", [10, 45, 60])
def test_deep_pod_spec_annotations_reach_the_yaml_writer(tmp_path: Path, depth: int) -> None:
    """A pod spec nested as deep as protobuf parses (Struct levels count twice) is written,
    or refused with a load error past protobuf's limit."""
    package = Package.load("pod_template").copy()
    task = package.task("in_pod")
    # The one free-form object in a PodSpec: a managed-fields entry's ``fieldsV1`` in an
    # ephemeral volume's claim template (unknown keys elsewhere are dropped).
    template = {"metadata": {"managedFields": [{"fieldsV1": {}}]}, "spec": {}}
    volume = {"name": "deep", "ephemeral": {"volumeClaimTemplate": template}}
    task.k8s_pod.pod_spec.fields["volumes"].list_value.values.add().struct_value.update(volume)
    claim = task.k8s_pod.pod_spec.fields["volumes"].list_value.values[-1].struct_value
    entry = (
        claim.fields["ephemeral"]
        .struct_value.fields["volumeClaimTemplate"]
        .struct_value.fields["metadata"]
        .struct_value.fields["managedFields"]
        .list_value.values[0]
    )
    value = entry.struct_value.fields["fieldsV1"].struct_value.fields["fcompDeep"]
    for i in range(depth):  # built in place: protobuf checks depth only when it parses
        value = value.struct_value.fields[f"k{i}"]
    value.struct_value.fields["leaf"].string_value = "x"
    data = package.write(tmp_path / "in")
    built, peak = _measured(lambda: build(data))
    _no_traceback(built)
    if built.errors:  # past protobuf's limit: the task does not load, and so is missing
        assert {d.code for d in built.errors} <= {
            codes.LOAD_ERROR,
            codes.INVALID_VALUE,
            codes.TASK_REFERENCE_NOT_FOUND,
        }
        assert codes.LOAD_ERROR in {d.code for d in built.errors}
    else:
        assert '"leaf": "x"' in json.dumps(built.documents())
    assert peak < MEMORY_LIMIT


@pytest.mark.parametrize("depth", [5, 30])
def test_deep_collection_binding_becomes_a_plan(tmp_path: Path, depth: int) -> None:
    """A constant bound as a collection nested ``depth`` levels (typed to match)."""
    package = Package.load("chain").copy()
    task = package.task("add_one")
    var = task.interface.inputs.variables["x"]
    t = var.type
    t.Clear()
    for _ in range(depth):
        t = t.collection_type
    t.simple = types_pb2.INTEGER
    node = package.workflow("chain_wf").nodes[0]
    binding = node.inputs[0].binding
    binding.Clear()
    b = binding
    for _ in range(depth):
        b = b.collection.bindings.add()
    b.scalar.primitive.integer = 1
    wf = package.workflow("chain_wf")
    lp = package.launch_plan("chain_wf")
    wf.interface.inputs.variables.clear()
    lp.spec.default_inputs.parameters.clear()
    built, peak = _measured(lambda: build(package.write(tmp_path / "in")))
    _no_traceback(built)
    errors = {d.code for d in built.errors}
    assert built.documents() or errors <= {codes.LIMIT_EXCEEDED, codes.MISMATCHING_TYPES}, [
        d.render() for d in built.errors
    ]
    assert peak < MEMORY_LIMIT


# --- Durations past their range --------------------------------------------------------


def _top_level_nodes(package: Package, kind: str) -> list[Any]:
    """The nodes of ``kind`` (``gate_node``, ``array_node``) at the top of every workflow."""
    specs = [m for name, m in package.files.items() if name.endswith("_2.pb")]
    return [n for spec in specs for n in spec.template.nodes if n.HasField(kind)]


def test_task_timeout_past_a_duration_is_reported(tmp_path: Path) -> None:
    """A task timeout longer than any duration (int64 nanoseconds) is refused, not written
    into an Argo deadline or an Airflow ``timedelta`` that cannot hold it."""
    package = Package.load("chain").copy()
    for task in package.tasks():
        task.metadata.timeout.seconds = 2**62
    for target in ("argo", "airflow"):
        built = build(package.write(tmp_path / target), target)
        _no_traceback(built)
        assert {d.code for d in built.errors} == {codes.SYNTAX_ERROR}, built.errors
        assert all(d.source.field == "metadata.timeout" for d in built.errors)
        assert built.files == {}


def test_sleep_past_a_duration_is_reported(tmp_path: Path) -> None:
    package = Package.load("gates_sleep").copy()
    gates = _top_level_nodes(package, "gate_node")
    assert gates
    for gate in gates:
        gate.gate_node.sleep.duration.seconds = 2**62
    built = build(package.write(tmp_path))
    _no_traceback(built)
    assert [d.code for d in built.errors] == [codes.SYNTAX_ERROR] * len(gates), built.errors
    assert built.errors[0].source.field == "gate_node.sleep.duration"


@pytest.mark.parametrize("ratio", [float("nan"), float("inf"), -0.5, 2.0])
def test_array_success_ratio_outside_zero_to_one_is_reported(tmp_path: Path, ratio: float) -> None:
    package = Package.load("map_tasks").copy()
    arrays = _top_level_nodes(package, "array_node")
    assert arrays
    for node in arrays:
        node.array_node.min_success_ratio = ratio
    built = build(package.write(tmp_path))
    _no_traceback(built)
    assert [d.code for d in built.errors] == [codes.INVALID_VALUE] * len(arrays), built.errors
    assert built.errors[0].source.field == "array_node.min_success_ratio"


def test_array_success_ratio_at_the_bounds_builds(tmp_path: Path) -> None:
    for ratio in (0.0, 1.0):
        package = Package.load("map_tasks").copy()
        for node in _top_level_nodes(package, "array_node"):
            node.array_node.min_success_ratio = ratio
        built = build(package.write(tmp_path / str(ratio)))
        assert built.errors == [], [d.render() for d in built.errors]
