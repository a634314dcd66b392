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


def _container_task(resources: dict) -> tasks_pb2.TaskTemplate:
    template = tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="sized.task"),
        type="python-task",
    )
    json_format.ParseDict(
        {"image": "img", "args": ["pyflyte-execute"], "resources": resources}, template.container
    )
    return template


def test_requests_above_limits_are_lowered_to_the_limit() -> None:
    """Flyte keeps each request within its limit (``ensureResourceRange``); a missing request
    takes the limit and a missing limit the request."""
    unit = _lower(
        _container_task(
            {
                "requests": [
                    {"name": "CPU", "value": "2"},
                    {"name": "MEMORY", "value": "3Gi"},
                    {"name": "EPHEMERAL_STORAGE", "value": "100Mi"},
                ],
                "limits": [
                    {"name": "CPU", "value": "1500m"},
                    {"name": "MEMORY", "value": "4Gi"},
                    {"name": "GPU", "value": "1"},
                ],
            }
        )
    )
    resources = unit.pod_spec["containers"][0]["resources"]
    assert resources == {
        "requests": {
            "cpu": "1500m",
            "ephemeral-storage": "100Mi",
            "memory": "3Gi",
            "nvidia.com/gpu": "1",
        },
        "limits": {
            "cpu": "1500m",
            "ephemeral-storage": "100Mi",
            "memory": "4Gi",
            "nvidia.com/gpu": "1",
        },
    }


def test_pod_spec_container_requests_are_kept_within_limits() -> None:
    template = tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="pod.task"),
        type="python-task",
    )
    spec = {
        "containers": [
            {
                "name": "main",
                "image": "img",
                "resources": {"requests": {"cpu": 4, "memory": "1Gi"}, "limits": {"cpu": "2"}},
            },
            {
                "name": "helper",
                "image": "img",
                "resources": {"requests": {"memory": "2G"}, "limits": {"memory": "1G"}},
            },
            {"name": "free", "image": "img", "resources": {"requests": {"cpu": "8"}}},
        ]
    }
    json_format.ParseDict({"podSpec": spec, "primaryContainerName": "main"}, template.k8s_pod)
    template.config["primary_container_name"] = "main"
    unit = _lower(template)
    by_name = {c["name"]: c["resources"] for c in unit.pod_spec["containers"]}
    assert by_name["main"]["requests"] == {"cpu": "2", "memory": "1Gi"}
    assert by_name["helper"]["requests"] == {"memory": "1G"}
    assert by_name["free"] == {"requests": {"cpu": "8"}}  # no limit: nothing to keep within
