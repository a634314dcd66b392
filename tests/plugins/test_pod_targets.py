"""Pod-task targets: a container, a pod spec (K8sPod), and a version-0 sidecar task whose pod
is in ``custom``; each lowers to a pod with the right primary container."""

from __future__ import annotations

from flyteidl.core import identifier_pb2, tasks_pb2
from google.protobuf import json_format

from fcomp.compiler import ir
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Source
from fcomp.compiler.frontend.tasks import convert_task
from fcomp.compiler.plugins.registry import TaskContext, lower_task
from fcomp.compiler.plugins.units import PodUnit


def _lower(template: tasks_pb2.TaskTemplate) -> PodUnit:
    task = convert_task(template, Source())
    node = ir.Node("n0", ir.TaskNode(task.id))
    wf = ir.Workflow(ir.Ident(ir.ResourceType.WORKFLOW, "w"), ir.EMPTY_INTERFACE, (node,))
    unit = lower_task(TaskContext(task, node, wf, Config()))
    assert isinstance(unit, PodUnit)
    return unit


def test_sidecar_version_0_takes_its_pod_from_custom() -> None:
    template = tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="sidecar.task"),
        type="sidecar",
    )
    json_format.ParseDict(
        {
            "podSpec": {
                "containers": [
                    {"name": "main", "image": "img", "args": ["pyflyte-execute", "{{.input}}"]},
                    {"name": "helper", "image": "helper-img"},
                ]
            },
            "primaryContainerName": "main",
            "labels": {"team": "a"},
            "annotations": {"note": "b"},
        },
        template.custom,
    )
    unit = _lower(template)
    assert unit.primary == "main"
    assert [c["name"] for c in unit.pod_spec["containers"]] == ["main", "helper"]
    assert unit.labels == (("team", "a"),) and unit.annotations == (("note", "b"),)
    args = unit.pod_spec["containers"][0]["args"]
    assert args[1].placeholders  # the Flyte template variable became a placeholder


def test_sidecar_without_pod_is_reported() -> None:
    template = tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="empty"),
        type="sidecar",
    )
    task = convert_task(template, Source())
    node = ir.Node("n0", ir.TaskNode(task.id))
    wf = ir.Workflow(ir.Ident(ir.ResourceType.WORKFLOW, "w"), ir.EMPTY_INTERFACE, (node,))
    try:
        lower_task(TaskContext(task, node, wf, Config()))
    except Exception as exc:  # LoweringError carries the diagnostic
        assert "has no container or pod target" in str(exc)
    else:
        raise AssertionError("a sidecar task without a pod must be reported")
