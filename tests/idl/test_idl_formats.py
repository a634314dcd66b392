"""Every accepted input form loads into normalised entities, in a deterministic order."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import compiler_pb2, dynamic_job_pb2, tasks_pb2, workflow_closure_pb2
from google.protobuf import json_format

from fcomp.compiler.diagnostics import Severity
from fcomp.idl.load import load_paths
from fcomp.idl.model import EntityKind, LoadResult

K = EntityKind


def parse_json(path: Path, message_type: Any) -> Any:
    return json_format.Parse(path.read_text(), message_type())


def parse_pb(path: Path, message_type: Any) -> Any:
    message = message_type()
    message.ParseFromString(path.read_bytes())
    return message


def kinds(result: LoadResult) -> list[tuple[EntityKind, str]]:
    return [(e.kind, e.source.entity) for e in result.entities]


def assert_clean(result: LoadResult) -> None:
    assert [d.render() for d in result.diagnostics] == []


def snake_json(message: Any) -> str:
    return json_format.MessageToJson(message, preserving_proto_field_name=True)


def as_yaml(message: Any) -> str:
    return yaml.safe_dump(json.loads(json_format.MessageToJson(message)))


# --- pyflyte package archives and folders -----------------------------------------------


def test_tgz_of_snacks_core_loads_every_member_sorted(samples: Any, make_tar: Any, tmp_path: Path):
    files = sorted(samples.snacks.glob("*.pb"))
    members = [(p.name, p.read_bytes()) for p in reversed(files)]  # archive order is not sorted
    archive = make_tar(tmp_path / "pkg.tgz", members)

    result = load_paths([archive])

    assert_clean(result)
    assert [e.source.file for e in result.entities] == [f"{archive}!{p.name}" for p in files]
    assert Counter(e.kind for e in result.entities) == {
        K.TASK: 87,
        K.WORKFLOW: 45,
        K.LAUNCH_PLAN: 51,
    }
    first = result.entities[0]
    assert first.source.entity == "core.containerization.multi_images.svm_trainer"
    assert first.message == parse_pb(samples.task_spec, task_pb2.TaskSpec).template
    assert isinstance(first.message, tasks_pb2.TaskTemplate)
    assert all(not e.compiled for e in result.entities)


@pytest.mark.parametrize("suffix", [".tar.gz", ".tar"])
def test_other_archive_suffixes(samples: Any, make_tar: Any, tmp_path: Path, suffix: str):
    mode = "w:gz" if suffix.endswith("gz") else "w"
    archive = make_tar(
        tmp_path / f"pkg{suffix}", [("0_t_1.pb", samples.task_spec.read_bytes())], mode
    )
    result = load_paths([archive])
    assert_clean(result)
    assert kinds(result) == [(K.TASK, "core.containerization.multi_images.svm_trainer")]


def test_archive_members_in_a_subfolder_and_other_members(samples: Any, tmp_path: Path):
    import io
    import tarfile

    archive = tmp_path / "pkg.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("pkg")
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        for name, data in [
            ("pkg/README.md", b"hello"),
            ("pkg/._0_t_1.pb", b"\x00\x05junk"),
            ("pkg/1_wf_2.pb", samples.workflow_spec.read_bytes()),
            ("pkg/0_t_1.pb", samples.task_spec.read_bytes()),
        ]:
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))

    result = load_paths([archive])

    assert_clean(result)
    assert [e.source.file for e in result.entities] == [
        f"{archive}!pkg/0_t_1.pb",
        f"{archive}!pkg/1_wf_2.pb",
    ]


def test_folder_of_snacks_core(samples: Any):
    result = load_paths([samples.snacks])
    assert_clean(result)
    names = sorted(p.name for p in samples.snacks.glob("*.pb"))
    assert [e.source.file for e in result.entities] == [
        os.path.join(samples.snacks, n) for n in names
    ]
    workflows = [e for e in result.entities if e.kind is K.WORKFLOW]
    assert all(isinstance(e.message, workflow_pb2.WorkflowSpec) for e in workflows)
    with_subs = [e for e in workflows if e.message.sub_workflows]
    assert {e.source.entity for e in with_subs} == {
        "core.control_flow.subworkflows.parent_wf",
        "core.control_flow.subworkflows.nested_parent_wf",
    }


def test_folder_accepts_json_and_yaml_and_skips_the_rest(samples: Any, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples.task_spec, folder / "b_1.pb")
    shutil.copy(samples.dynamic_job, folder / "c.json")
    closure = parse_json(samples.workflow_closure, workflow_closure_pb2.WorkflowClosure)
    (folder / "a.yaml").write_text(as_yaml(closure))
    (folder / "README.md").write_text("notes")
    (folder / ".hidden.pb").write_bytes(b"junk")
    (folder / "sub").mkdir()
    shutil.copy(samples.launch_plan, folder / "sub" / "x_3.pb")

    result = load_paths([folder])

    assert_clean(result)
    tasks = len(closure.tasks)
    assert [os.path.basename(e.source.file) for e in result.entities] == [
        *["a.yaml"] * (1 + tasks),
        "b_1.pb",
        "c.json",
    ]
    assert [e.kind for e in result.entities] == [
        K.WORKFLOW,
        *[K.TASK] * tasks,
        K.TASK,
        K.DYNAMIC_JOB,
    ]


@pytest.mark.slow
def test_real_pyflyte_package(tmp_path: Path):
    pyflyte = Path(sys.executable).with_name("pyflyte")
    if not pyflyte.exists():
        pytest.skip("pyflyte is not installed")
    package = tmp_path / "wfpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "hello.py").write_text(
        "from flytekit import LaunchPlan, task, workflow\n\n"
        "@task\ndef add(a: int, b: int) -> int:\n    return a + b\n\n"
        "@workflow\ndef wf(a: int = 1) -> int:\n    return add(a=a, b=2)\n\n"
        'lp = LaunchPlan.get_or_create(wf, name="wf_lp", default_inputs={"a": 3})\n'
    )
    output = tmp_path / "pkg.tgz"
    subprocess.run(
        [
            str(pyflyte),
            "--pkgs",
            "wfpkg",
            "package",
            "--image",
            "ghcr.io/x/y:1",
            "--output",
            str(output),
            "-f",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )

    result = load_paths([output])

    assert_clean(result)
    assert kinds(result) == [
        (K.TASK, "wfpkg.hello.add"),
        (K.WORKFLOW, "wfpkg.hello.wf"),
        (K.LAUNCH_PLAN, "wfpkg.hello.wf"),
        (K.LAUNCH_PLAN, "wf_lp"),
    ]
    assert result.entities[0].message.container.image == "ghcr.io/x/y:1"


# --- single protobuf files ------------------------------------------------------------------


def test_single_pb_by_suffix_keeps_the_path_as_given(samples: Any, tmp_path: Path, monkeypatch):
    shutil.copy(samples.launch_plan, tmp_path / "9_lp_3.pb")
    monkeypatch.chdir(tmp_path)

    result = load_paths(["9_lp_3.pb", Path("9_lp_3.pb")])

    assert_clean(result)
    assert [(e.kind, e.source.file) for e in result.entities] == [
        (K.LAUNCH_PLAN, "9_lp_3.pb"),
        (K.LAUNCH_PLAN, "9_lp_3.pb"),
    ]
    plan = result.entities[0].message
    assert isinstance(plan, launch_plan_pb2.LaunchPlan)
    assert plan.spec.workflow_id.name == "core.containerization.multi_images.my_workflow"


def _binary_variants(samples: Any) -> dict[str, tuple[bytes, list[EntityKind]]]:
    closure = parse_json(samples.workflow_closure, workflow_closure_pb2.WorkflowClosure)
    compiled = parse_json(samples.compiled_closure, compiler_pb2.CompiledWorkflowClosure)
    dynamic = parse_json(samples.dynamic_job, dynamic_job_pb2.DynamicJobSpec)
    return {
        "TaskSpec": (samples.task_spec.read_bytes(), [K.TASK]),
        "WorkflowSpec": (samples.workflow_spec_with_subs.read_bytes(), [K.WORKFLOW]),
        "LaunchPlan": (samples.launch_plan.read_bytes(), [K.LAUNCH_PLAN]),
        "WorkflowClosure": (
            closure.SerializeToString(),
            [K.WORKFLOW] + [K.TASK] * len(closure.tasks),
        ),
        "CompiledWorkflowClosure": (
            compiled.SerializeToString(),
            [K.WORKFLOW] + [K.TASK] * len(compiled.tasks),
        ),
        "DynamicJobSpec": (dynamic.SerializeToString(), [K.DYNAMIC_JOB]),
    }


@pytest.mark.parametrize(
    "name",
    [
        "TaskSpec",
        "WorkflowSpec",
        "LaunchPlan",
        "WorkflowClosure",
        "CompiledWorkflowClosure",
        "DynamicJobSpec",
    ],
)
def test_single_pb_without_suffix_is_detected(samples: Any, tmp_path: Path, name: str):
    data, expected = _binary_variants(samples)[name]
    path = tmp_path / "entity.pb"
    path.write_bytes(data)

    result = load_paths([path])

    assert_clean(result)
    assert [e.kind for e in result.entities] == expected
    assert all(e.source.file == str(path) for e in result.entities)


def test_workflow_closure_normalises_to_a_spec_and_its_tasks(samples: Any, tmp_path: Path):
    closure = parse_json(samples.workflow_closure, workflow_closure_pb2.WorkflowClosure)
    result = load_paths([samples.workflow_closure])
    assert_clean(result)
    workflow, *tasks = result.entities
    assert workflow.kind is K.WORKFLOW and not workflow.compiled
    assert workflow.message == workflow_pb2.WorkflowSpec(template=closure.workflow)
    assert workflow.source.entity == "test_serialization.my_wf"
    assert [t.message for t in tasks] == list(closure.tasks)
    assert [t.source.entity for t in tasks] == [t.id.name for t in closure.tasks]


def test_compiled_closure_normalises_with_compiled_flag(samples: Any, tmp_path: Path):
    compiled = parse_json(samples.compiled_closure, compiler_pb2.CompiledWorkflowClosure)
    sub = parse_json(samples.compiled_subworkflow, compiler_pb2.CompiledWorkflowClosure)
    compiled.sub_workflows.append(sub.primary)
    path = tmp_path / "closure.json"
    path.write_text(json_format.MessageToJson(compiled))

    result = load_paths([path])

    assert_clean(result)
    workflow, *tasks = result.entities
    assert workflow.kind is K.WORKFLOW and workflow.compiled
    assert workflow.message.template == compiled.primary.template
    assert list(workflow.message.sub_workflows) == [sub.primary.template]
    node_ids = [n.id for n in workflow.message.template.nodes]
    assert "start-node" in node_ids and "end-node" in node_ids  # left for the front end
    assert [t.kind for t in tasks] == [K.TASK] * len(compiled.tasks)
    assert [t.message for t in tasks] == [t.template for t in compiled.tasks]
    assert all(t.compiled is False for t in tasks)


# --- protobuf JSON and YAML -----------------------------------------------------------------


def _all_messages(samples: Any) -> dict[str, tuple[Any, list[EntityKind]]]:
    closure = parse_json(samples.workflow_closure, workflow_closure_pb2.WorkflowClosure)
    compiled = parse_json(samples.compiled_closure, compiler_pb2.CompiledWorkflowClosure)
    return {
        "TaskSpec": (parse_pb(samples.task_spec, task_pb2.TaskSpec), [K.TASK]),
        "CompiledTask": (parse_json(samples.compiled_task, compiler_pb2.CompiledTask), [K.TASK]),
        "WorkflowSpec": (
            parse_pb(samples.workflow_spec_with_subs, workflow_pb2.WorkflowSpec),
            [K.WORKFLOW],
        ),
        "LaunchPlan": (parse_pb(samples.launch_plan, launch_plan_pb2.LaunchPlan), [K.LAUNCH_PLAN]),
        "WorkflowClosure": (closure, [K.WORKFLOW] + [K.TASK] * len(closure.tasks)),
        "CompiledWorkflowClosure": (compiled, [K.WORKFLOW] + [K.TASK] * len(compiled.tasks)),
        "DynamicJobSpec": (
            parse_json(samples.dynamic_job, dynamic_job_pb2.DynamicJobSpec),
            [K.DYNAMIC_JOB],
        ),
    }


MESSAGE_NAMES = [
    "TaskSpec",
    "CompiledTask",
    "WorkflowSpec",
    "LaunchPlan",
    "WorkflowClosure",
    "CompiledWorkflowClosure",
    "DynamicJobSpec",
]


@pytest.mark.parametrize("name", MESSAGE_NAMES)
@pytest.mark.parametrize("form", ["camel.json", "snake.json", "camel.yaml", "snake.yml"])
def test_json_and_yaml_forms(samples: Any, tmp_path: Path, name: str, form: str):
    message, expected = _all_messages(samples)[name]
    text = snake_json(message) if form.startswith("snake") else json_format.MessageToJson(message)
    if form.endswith(("yaml", "yml")):
        text = yaml.safe_dump(json.loads(text))
    path = tmp_path / f"entity.{form}"
    path.write_text(text)

    result = load_paths([path])

    assert_clean(result)
    assert [e.kind for e in result.entities] == expected
    first = result.entities[0].message
    if name in ("TaskSpec", "CompiledTask"):
        assert first == message.template
    elif name in ("WorkflowSpec", "LaunchPlan", "DynamicJobSpec"):
        assert first == message


def test_go_jsonpb_fixtures_load(testdata: Path):
    """Flyte's own JSON (camelCase, enum names, int64 as strings) in every shape it has."""
    paths = [
        testdata / "snacks-core" / "compiled",
        testdata / "branch",
        testdata / "branch" / "compiled",
        testdata / "dynamic" / "success_1.json",
    ]
    result = load_paths(paths)
    assert_clean(result)
    workflows = [e for e in result.entities if e.kind is K.WORKFLOW]
    assert sum(e.compiled for e in workflows) == 43 + 12
    assert sum(not e.compiled for e in workflows) == 12
    assert sum(e.kind is K.DYNAMIC_JOB for e in result.entities) == 1


def test_int64_as_strings_and_as_numbers(samples: Any, tmp_path: Path):
    dynamic = parse_json(samples.dynamic_job, dynamic_job_pb2.DynamicJobSpec)
    dynamic.min_successes = 3
    obj = json.loads(json_format.MessageToJson(dynamic))
    assert obj["minSuccesses"] == "3"
    obj["minSuccesses"] = 3
    (tmp_path / "a.json").write_text(json.dumps(obj))
    result = load_paths([tmp_path / "a.json"])
    assert_clean(result)
    assert result.entities[0].message.min_successes == 3


# --- flytectl admin objects -----------------------------------------------------------------


def _admin_objects(samples: Any) -> tuple[Any, Any, Any]:
    template = parse_pb(samples.task_spec, task_pb2.TaskSpec).template
    task = task_pb2.Task(
        id=template.id,
        closure=task_pb2.TaskClosure(compiled_task=compiler_pb2.CompiledTask(template=template)),
    )
    task.id.version = "v1"
    task.closure.created_at.FromSeconds(1_700_000_000)
    compiled = parse_json(samples.compiled_closure, compiler_pb2.CompiledWorkflowClosure)
    workflow = workflow_pb2.Workflow(
        id=compiled.primary.template.id,
        closure=workflow_pb2.WorkflowClosure(compiled_workflow=compiled),
    )
    plan = parse_pb(samples.launch_plan, launch_plan_pb2.LaunchPlan)
    return task, workflow, plan


def test_flytectl_single_objects(samples: Any, tmp_path: Path):
    task, workflow, plan = _admin_objects(samples)
    paths = []
    for name, message in [("task", task), ("workflow", workflow), ("lp", plan)]:
        path = tmp_path / f"{name}.json"
        path.write_text(json_format.MessageToJson(message, indent=4))
        paths.append(path)

    result = load_paths(paths)

    assert_clean(result)
    assert [(e.kind, e.compiled) for e in result.entities] == [
        (K.TASK, False),
        (K.WORKFLOW, True),
        (K.TASK, False),
        (K.TASK, False),
        (K.LAUNCH_PLAN, False),
    ]
    assert result.entities[0].message == task.closure.compiled_task.template
    assert (
        result.entities[1].message.template == workflow.closure.compiled_workflow.primary.template
    )


def test_flytectl_arrays_and_admin_lists(samples: Any, tmp_path: Path):
    task, workflow, plan = _admin_objects(samples)
    array = [json.loads(json_format.MessageToJson(m)) for m in (task, task, plan)]
    (tmp_path / "a_array.json").write_text(json.dumps(array, indent=4))
    lists = [
        task_pb2.TaskList(tasks=[task], token="t"),
        workflow_pb2.WorkflowList(workflows=[workflow]),
        launch_plan_pb2.LaunchPlanList(launch_plans=[plan, plan]),
    ]
    for i, message in enumerate(lists):
        (tmp_path / f"b_list{i}.json").write_text(json_format.MessageToJson(message))
    assert '"launchPlans"' in (tmp_path / "b_list2.json").read_text()

    result = load_paths([tmp_path])

    assert_clean(result)
    assert [e.kind for e in result.entities] == [
        K.TASK,
        K.TASK,
        K.LAUNCH_PLAN,
        K.TASK,
        K.WORKFLOW,
        K.TASK,
        K.TASK,
        K.LAUNCH_PLAN,
        K.LAUNCH_PLAN,
    ]


def test_flytectl_yaml_with_unquoted_timestamps(samples: Any, tmp_path: Path):
    task, _, _ = _admin_objects(samples)
    obj = json.loads(json_format.MessageToJson(task))
    text = yaml.safe_dump([obj]).replace("'2023-11-14T22:13:20Z'", "2023-11-14T22:13:20Z")
    assert "createdAt: 2023-11-14T22:13:20Z" in text
    (tmp_path / "tasks.yaml").write_text(text)

    result = load_paths([tmp_path / "tasks.yaml"])

    assert_clean(result)
    assert kinds(result) == [(K.TASK, "core.containerization.multi_images.svm_trainer")]


def test_multiple_yaml_documents(samples: Any, tmp_path: Path):
    task, _, plan = _admin_objects(samples)
    (tmp_path / "two.yaml").write_text(as_yaml(task) + "---\n" + as_yaml(plan))
    result = load_paths([tmp_path / "two.yaml"])
    assert_clean(result)
    assert [e.kind for e in result.entities] == [K.TASK, K.LAUNCH_PLAN]


# --- order and forward compatibility --------------------------------------------------------


def test_paths_keep_the_order_given(samples: Any, tmp_path: Path):
    a = tmp_path / "a_3.pb"
    b = tmp_path / "b_1.pb"
    shutil.copy(samples.launch_plan, a)
    shutil.copy(samples.task_spec, b)
    assert [e.kind for e in load_paths([b, a]).entities] == [K.TASK, K.LAUNCH_PLAN]
    assert [e.kind for e in load_paths([a, b]).entities] == [K.LAUNCH_PLAN, K.TASK]


def test_unknown_fields_in_a_suffix_typed_file_are_warned_about(samples: Any, tmp_path: Path):
    unknown = bytes([(15 << 3) | 0, 1])  # field 15, varint 1: TaskSpec has no field 15
    (tmp_path / "0_t_1.pb").write_bytes(samples.task_spec.read_bytes() + unknown)

    result = load_paths([tmp_path / "0_t_1.pb"])

    assert [e.kind for e in result.entities] == [K.TASK]
    [warning] = result.diagnostics
    assert warning.severity is Severity.WARNING
    assert warning.code == "IgnoredField"
    assert "unknown to flyteidl" in warning.message


def test_unknown_json_fields_fall_back_with_a_warning(samples: Any, tmp_path: Path):
    obj = json.loads(json_format.MessageToJson(parse_pb(samples.task_spec, task_pb2.TaskSpec)))
    obj["template"]["newFieldFromTheFuture"] = {"x": 1}
    (tmp_path / "t.json").write_text(json.dumps(obj))

    result = load_paths([tmp_path / "t.json"])

    assert [e.kind for e in result.entities] == [K.TASK]
    [warning] = result.diagnostics
    assert warning.severity is Severity.WARNING
    assert "newFieldFromTheFuture" in warning.message
