"""Pod spec keys that are no Kubernetes PodSpec field: Flyte's decoder drops them, so every
target drops them too (a task's own pod spec and a node's pod template with an
``IgnoredField`` warning), and the Argo documents stay valid against the strict schemas."""

from __future__ import annotations

import json
from pathlib import Path

from google.protobuf import json_format

from fcomp.compiler.passes.podspec import known_fields, unknown_fields
from tests.argo.conformance import all_errors
from tests.robustness.robust_support import Package, build

SPEC = {
    "containers": [
        {
            "name": "main",
            "image": "x",
            "colour": "red",
            "env": [{"name": "A", "value": "1", "note": "n"}],
            "securityContext": {"runAsUser": 1, "seccompProfile": {"type": "RuntimeDefault"}},
        }
    ],
    "volumes": [{"name": "v", "emptyDir": {}}],
    "tolerations": [{"key": "k", "weight": 2}],
    "ephemeralContainers": [{"name": "e", "targetContainerName": "main", "shade": 1}],
    "flavour": "x",
}


def test_unknown_keys_are_found_at_every_level_the_tables_describe_in_full() -> None:
    assert unknown_fields(SPEC) == [
        "containers[0].colour",
        "containers[0].env[0].note",
        "ephemeralContainers[0].shade",
        "flavour",
        "tolerations[0].weight",
    ]
    # Objects only partly described (a security context, a volume) keep every key.
    assert known_fields(SPEC) == {
        "containers": [
            {
                "name": "main",
                "image": "x",
                "env": [{"name": "A", "value": "1"}],
                "securityContext": {"runAsUser": 1, "seccompProfile": {"type": "RuntimeDefault"}},
            }
        ],
        "volumes": [{"name": "v", "emptyDir": {}}],
        "tolerations": [{"key": "k"}],
        "ephemeralContainers": [{"name": "e", "targetContainerName": "main"}],
    }
    assert unknown_fields(known_fields(SPEC)) == []


def _with_unknown_keys(tmp_path: Path) -> Path:
    pkg = Package.load("pod_template").copy()
    task = next(t for t in pkg.tasks() if t.HasField("k8s_pod"))
    spec = json_format.MessageToDict(task.k8s_pod.pod_spec)
    for container in spec["containers"]:
        container["bogusKey"] = {"x": 1}
    spec["bogusPodKey"] = 3
    task.k8s_pod.pod_spec.Clear()
    task.k8s_pod.pod_spec.update(spec)
    return pkg.write(tmp_path)


def test_task_pod_spec_keys_are_reported_and_dropped(
    tmp_path: Path, schema_paths: list[Path]
) -> None:
    path = _with_unknown_keys(tmp_path)
    for target in ("argo", "airflow"):
        built = build(path, target)
        assert built.errors == []
        [warning] = [d for d in built.diagnostics if d.code == "IgnoredField"]
        assert "bogusPodKey, containers[0].bogusKey, containers[1].bogusKey" in warning.message
        assert warning.source.field == "k8s_pod.pod_spec"
        assert "bogus" not in built.text()
    for doc in build(path, "argo").documents():
        assert all_errors(doc, schema_paths) == []


def test_plugin_pod_overlay_keys_are_dropped(tmp_path: Path) -> None:
    pkg = Package.load("plugin_ray").copy()
    task = next(t for t in pkg.tasks() if t.type == "ray")
    custom = json_format.MessageToDict(task.custom)
    overlay = {"containers": [{"name": "ray-head", "bogusKey": 1, "stdin": True}], "bogus": 2}
    custom["rayCluster"]["headGroupSpec"]["k8sPod"] = {"podSpec": overlay}
    task.custom.Clear()
    task.custom.update(custom)
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == []
    assert "bogus" not in built.text()
    [manifest] = [
        json.loads(t["resource"]["manifest"])
        for doc in built.documents()
        for t in doc.get("spec", {}).get("templates", [])
        if "RayJob" in (t.get("resource") or {}).get("manifest", "")
    ]
    head = manifest["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]
    [container] = [c for c in head["containers"] if c["name"] == "ray-head"]
    assert container["stdin"] is True  # the overlay's known key is merged


def test_node_override_pod_template_keys_are_reported_and_dropped(tmp_path: Path) -> None:
    pkg = Package.load("pod_template").copy()
    wf = pkg.workflow("pod_template_wf")
    node = next(n for n in wf.nodes if n.HasField("task_node"))
    template = node.task_node.overrides.pod_template
    template.pod_spec.update({"containers": [{"name": "primary", "bogusKey": 1}], "bogus": 2})
    template.primary_container_name = "primary"
    for target in ("argo", "airflow"):
        built = build(pkg.write(tmp_path / target), target)
        assert built.errors == []
        [warning] = [d for d in built.diagnostics if d.code == "IgnoredField"]
        assert "bogus, containers[0].bogusKey" in warning.message
        assert warning.source.node == node.id
        assert warning.source.field == "task_node.overrides.pod_template.pod_spec"
        assert "bogus" not in built.text()
