"""Trial parsing tells every Flyte message apart, in binary and in JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import compiler_pb2, dynamic_job_pb2, workflow_closure_pb2
from google.protobuf import json_format

from fcomp.idl.detect import KINDS, detect_binary, detect_object, drop_unknown_fields
from fcomp.idl.errors import InputError
from fcomp.idl.kinds import LAUNCH_PLAN, SUFFIX_KINDS, TASK_SPEC


def _json(path: Path, message_type: Any) -> Any:
    return json_format.Parse(path.read_text(), message_type())


def _corpus(testdata: Path) -> list[tuple[str, str, bytes]]:
    """(file, expected kind name, binary bytes) for every fixture of Flyte's test data."""
    snacks = testdata / "snacks-core"
    by_suffix = {"1": "TaskSpec", "2": "WorkflowSpec", "3": "LaunchPlan"}
    corpus = [(p.name, by_suffix[p.stem[-1]], p.read_bytes()) for p in sorted(snacks.glob("*.pb"))]
    json_sets = [
        (snacks / "compiled", "*_task.json", compiler_pb2.CompiledTask, "TaskSpec"),
        (snacks / "compiled", "*_wf.json", compiler_pb2.CompiledWorkflowClosure, None),
        (testdata / "branch", "*.json", workflow_closure_pb2.WorkflowClosure, None),
        (testdata / "branch" / "compiled", "*.json", compiler_pb2.CompiledWorkflowClosure, None),
        (testdata / "dynamic", "*.json", dynamic_job_pb2.DynamicJobSpec, None),
    ]
    for folder, pattern, message_type, expected in json_sets:
        for path in sorted(folder.glob(pattern)):
            message = _json(path, message_type)
            name = expected or message_type.DESCRIPTOR.name
            corpus.append((path.name, name, message.SerializeToString()))
    legacy = testdata / "app-workflows-work-one-python-task-w-f.pb"
    corpus.append((legacy.name, "WorkflowClosure", legacy.read_bytes()))
    return corpus


def test_binary_trial_parse_tells_every_fixture_apart(testdata: Path):
    corpus = _corpus(testdata)
    assert len(corpus) == 87 + 45 + 51 + 87 + 43 + 12 + 12 + 1 + 1
    wrong = [
        (name, expected, got)
        for name, expected, data in corpus
        if (got := detect_binary(data).kind.name) != expected
    ]
    assert wrong == []


def test_workflow_specs_that_also_parse_as_closures_are_read_as_specs(samples: Any):
    """Without sub_workflows a WorkflowSpec's bytes are also a task-less WorkflowClosure."""
    data = samples.workflow_spec.read_bytes()
    closure = workflow_closure_pb2.WorkflowClosure()
    closure.ParseFromString(data)
    assert closure.workflow.id.name  # the ambiguity is real ...
    assert detect_binary(data).kind.name == "WorkflowSpec"  # ... and resolved the same way


def test_closure_with_tasks_is_not_a_spec_with_subworkflows(samples: Any):
    closure = _json(samples.workflow_closure, workflow_closure_pb2.WorkflowClosure)
    assert closure.tasks
    assert detect_binary(closure.SerializeToString()).kind.name == "WorkflowClosure"


def _with_deep_unknown_field(task_spec: bytes) -> bytes:
    """The TaskSpec with an unknown field 15 added inside its template."""
    template = task_pb2.TaskSpec.FromString(task_spec).template.SerializeToString()
    template += bytes([(15 << 3) | 0, 1])
    return bytes([(1 << 3) | 2]) + _varint(len(template)) + template


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def test_unknown_fields_are_found_from_the_encoded_bytes_too(samples: Any):
    """Given the bytes parsed, the check agrees with the exact one: canonical bytes, bytes
    with an unknown field, and non-canonical bytes (a field repeated) holding none."""
    canonical = samples.task_spec.read_bytes()
    unknown = _with_deep_unknown_field(canonical)
    spec = task_pb2.TaskSpec.FromString(canonical)
    # the template field written twice: protobuf merges them, so nothing is unknown
    repeated = canonical + bytes([(1 << 3) | 2, 0])
    for data, expected in [(canonical, False), (unknown, True), (repeated, False)]:
        message = task_pb2.TaskSpec.FromString(data)
        assert drop_unknown_fields(message, data) is expected
        assert message == spec


def test_unknown_fields_deep_inside_are_found(samples: Any):
    data = _with_deep_unknown_field(samples.task_spec.read_bytes())
    message = task_pb2.TaskSpec.FromString(data)
    assert drop_unknown_fields(message) is True
    assert drop_unknown_fields(message) is False
    with pytest.raises(InputError, match="not a Flyte entity"):
        detect_binary(data)  # strict without a suffix
    detected = detect_binary(data, hint=TASK_SPEC)  # accepted, dropped, when the suffix says so
    assert detected.kind is TASK_SPEC and detected.dropped == ""


def test_spec_with_subworkflows_is_not_a_closure(samples: Any):
    data = samples.workflow_spec_with_subs.read_bytes()
    assert detect_binary(data).kind.name == "WorkflowSpec"


def test_suffix_kind_is_tried_first_and_a_wrong_suffix_falls_back(samples: Any):
    assert SUFFIX_KINDS["1"] is TASK_SPEC
    plan = samples.launch_plan.read_bytes()
    assert detect_binary(plan, hint=TASK_SPEC).kind is LAUNCH_PLAN
    assert detect_binary(samples.task_spec.read_bytes(), hint=TASK_SPEC).kind is TASK_SPEC


def test_admin_objects_are_detected_in_binary_too(samples: Any):
    template = task_pb2.TaskSpec.FromString(samples.task_spec.read_bytes()).template
    task = task_pb2.Task(id=template.id)
    task.closure.compiled_task.template.CopyFrom(template)
    compiled = _json(samples.compiled_closure, compiler_pb2.CompiledWorkflowClosure)
    workflow = workflow_pb2.Workflow(id=compiled.primary.template.id)
    workflow.closure.compiled_workflow.CopyFrom(compiled)
    plan = launch_plan_pb2.LaunchPlan.FromString(samples.launch_plan.read_bytes())
    cases = {
        "admin.Task": task,
        "admin.Workflow": workflow,
        "admin.TaskList": task_pb2.TaskList(tasks=[task, task]),
        "admin.WorkflowList": workflow_pb2.WorkflowList(workflows=[workflow]),
        "admin.LaunchPlanList": launch_plan_pb2.LaunchPlanList(launch_plans=[plan]),
    }
    assert {n: detect_binary(m.SerializeToString()).kind.name for n, m in cases.items()} == {
        n: n for n in cases
    }


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02",
        b"hello world, this is not a protobuf",
        bytes(range(256)),
        task_pb2.TaskSpec().SerializeToString() + b"\x0a\x00",  # an empty template
    ],
)
def test_garbage_is_no_message(data: bytes):
    with pytest.raises(InputError, match="not a Flyte entity"):
        detect_binary(data)


def test_every_kind_is_tried_in_a_fixed_order():
    names = [k.name for k in KINDS]
    assert names[:6] == [
        "TaskSpec",
        "WorkflowSpec",
        "LaunchPlan",
        "WorkflowClosure",
        "CompiledWorkflowClosure",
        "DynamicJobSpec",
    ]
    assert len(set(names)) == len(names)


def test_json_objects_are_told_apart_by_their_fields(samples: Any):
    template = {"id": {"resourceType": "TASK", "name": "t"}, "type": "python-task"}
    assert detect_object({"template": template}).kind.name == "TaskSpec"
    workflow = {"id": {"name": "w"}, "nodes": [{"id": "n0"}]}
    assert detect_object({"template": workflow}).kind.name == "WorkflowSpec"
    assert detect_object({"workflow": workflow}).kind.name == "WorkflowClosure"
    assert detect_object({"primary": {"template": workflow}}).kind.name == (
        "CompiledWorkflowClosure"
    )
    assert detect_object({"nodes": [{"id": "n0"}]}).kind.name == "DynamicJobSpec"
    plan = {"id": {"name": "lp"}, "spec": {"workflowId": {"name": "w"}}}
    assert detect_object(plan).kind.name == "LaunchPlan"
    task = {"id": {"name": "t"}, "closure": {"compiledTask": {"template": template}}}
    assert detect_object(task).kind.name == "admin.Task"
    assert detect_object({"tasks": [task]}).kind.name == "admin.TaskList"


@pytest.mark.parametrize(
    ("obj", "match"),
    [
        ({}, "empty object"),
        ({"foo": 1}, "keys {foo}"),
        ({"template": {"id": {"name": "t"}}}, "TaskSpec needs template.id.name and"),
        ({"template": {"id": {"name": "w"}, "nodes": 3}}, "not a valid WorkflowSpec: .* nodes"),
        ({"template": {"type": 3}}, r"not a valid TaskSpec: .*\(also tried WorkflowSpec\)"),
        ([1, 2], "expected a JSON/YAML object"),
    ],
)
def test_json_objects_that_are_no_message(obj: Any, match: str):
    with pytest.raises(InputError, match=match):
        detect_object(obj)
