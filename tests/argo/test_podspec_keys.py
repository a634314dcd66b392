"""Pod spec keys that are no Kubernetes PodSpec field: Flyte's decoder drops them, so every
target drops them too, with an ``IgnoredField`` warning (a task's own pod spec, a node's pod
template, a plugin's pods), and the Argo documents stay valid against the strict schemas. A pod
spec that does not decode (a wrong type) is an ``InvalidValue`` error wherever it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format

from fcomp.cli.main import EXIT_DIAGNOSTICS, main
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
            "securityContext": {
                "runAsUser": 1,
                "seccompProfile": {"type": "RuntimeDefault", "strength": 3},
            },
            "livenessProbe": {"httpGet": {"port": "http", "verb": "GET"}},
        }
    ],
    "volumes": [{"name": "v", "emptyDir": {"size": 1}}],
    "tolerations": [{"key": "k", "weight": 2}],
    "ephemeralContainers": [{"name": "e", "targetContainerName": "main", "shade": 1}],
    "affinity": {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 1,
                    "preference": {"matchExpressions": [{"key": "k", "operator": "In", "x": 1}]},
                }
            ]
        }
    },
    "flavour": "x",
}


def test_unknown_keys_are_found_at_every_level() -> None:
    assert unknown_fields(SPEC) == [
        "affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference"
        ".matchExpressions[0].x",
        "containers[0].colour",
        "containers[0].env[0].note",
        "containers[0].livenessProbe.httpGet.verb",
        "containers[0].securityContext.seccompProfile.strength",
        "ephemeralContainers[0].shade",
        "flavour",
        "tolerations[0].weight",
        "volumes[0].emptyDir.size",
    ]
    assert known_fields(SPEC) == {
        "containers": [
            {
                "name": "main",
                "image": "x",
                "env": [{"name": "A", "value": "1"}],
                "securityContext": {"runAsUser": 1, "seccompProfile": {"type": "RuntimeDefault"}},
                "livenessProbe": {"httpGet": {"port": "http"}},
            }
        ],
        "volumes": [{"name": "v", "emptyDir": {}}],
        "tolerations": [{"key": "k"}],
        "ephemeralContainers": [{"name": "e", "targetContainerName": "main"}],
        "affinity": {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 1,
                        "preference": {"matchExpressions": [{"key": "k", "operator": "In"}]},
                    }
                ]
            }
        },
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
        assert built.files  # a warning does not stop the build
        [warning] = [d for d in built.diagnostics if d.code == "IgnoredField"]
        assert "bogusPodKey, containers[0].bogusKey, containers[1].bogusKey" in warning.message
        assert warning.source.field == "k8s_pod.pod_spec"
        assert "bogus" not in built.text()
    for doc in build(path, "argo").documents():
        assert all_errors(doc, schema_paths) == []


def test_plugin_pod_overlay_keys_are_reported_and_dropped(tmp_path: Path) -> None:
    pkg = Package.load("plugin_ray").copy()
    overlay = {"containers": [{"name": "ray-head", "bogusKey": 1, "stdin": True}], "bogus": 2}

    def edit(custom: dict[str, Any]) -> None:
        custom["rayCluster"]["headGroupSpec"]["k8sPod"] = {"podSpec": overlay}
        # Proto field names are accepted as well as JSON names.
        custom["rayCluster"]["workerGroupSpec"][0]["k8s_pod"] = {"pod_spec": {"colour": 1}}

    pkg.edit_custom("ray", edit)
    path = pkg.write(tmp_path)
    for target in ("argo", "airflow"):
        built = build(path, target)
        assert built.errors == []
        warnings = {
            d.source.field: d.message for d in built.diagnostics if d.code == "IgnoredField"
        }
        assert set(warnings) == {
            "custom.rayCluster.headGroupSpec.k8sPod.podSpec",
            "custom.rayCluster.workerGroupSpec[0].k8sPod.podSpec",
        }
        assert (
            "bogus, containers[0].bogusKey"
            in warnings["custom.rayCluster.headGroupSpec.k8sPod.podSpec"]
        )
        assert "colour" in warnings["custom.rayCluster.workerGroupSpec[0].k8sPod.podSpec"]
        assert built.files
        assert "bogus" not in built.text() and "colour" not in built.text()
    built = build(path, "argo")
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
    node = next(n for n in wf.nodes if n.task_node.reference_id.name.endswith(".plain"))
    template = node.task_node.overrides.pod_template
    container = {"name": "primary", "image": "img:1", "bogusKey": 1}
    template.pod_spec.update({"containers": [container], "bogus": 2})
    template.primary_container_name = "primary"
    for target in ("argo", "airflow"):
        built = build(pkg.write(tmp_path / target), target)
        assert built.errors == []
        [warning] = [d for d in built.diagnostics if d.code == "IgnoredField"]
        assert "bogus, containers[0].bogusKey" in warning.message
        assert warning.source.node == node.id
        assert warning.source.field == "task_node.overrides.pod_template.pod_spec"
        assert "bogus" not in built.text()


def test_spark_pod_keys_are_reported_per_pod(tmp_path: Path) -> None:
    pkg = Package.load("spark").copy()

    def edit(custom: dict[str, Any]) -> None:
        custom["driverPod"] = {"podSpec": {"schedulerName": "high", "bogusD": 1}}
        custom["executorPod"] = {"podSpec": {"bogusE": {"x": 1}}}

    pkg.edit_custom("spark", edit)
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == []
    warnings = {d.source.field: d.message for d in built.diagnostics if d.code == "IgnoredField"}
    assert "bogusD" in warnings["custom.driverPod.podSpec"]
    assert "bogusE" in warnings["custom.executorPod.podSpec"]
    assert "high" in built.text() and "bogus" not in built.text()


BAD_SPECS = [
    ({"containers": "x"}, "containers"),
    ({"containers": [{"name": "c", "resources": {"limits": {"cpu": "abc"}}}]}, "cpu"),
    ({"tolerations": {"key": "k"}}, "tolerations"),
    ({"nodeSelector": {"zone": 3}}, "nodeSelector.zone"),
    ({"volumes": [{"name": "v", "emptyDir": 0}]}, "volumes[0].emptyDir"),
    ({"containers": [{"name": "c", "livenessProbe": {"httpGet": {"port": 1.5}}}]}, "port"),
    ({"affinity": {"nodeAffinity": []}}, "affinity.nodeAffinity"),
    (5, "<pod spec>"),
]


@pytest.mark.parametrize(("spec", "at"), BAD_SPECS)
def test_plugin_pod_that_does_not_decode_is_an_error(tmp_path: Path, spec: Any, at: str) -> None:
    pkg = Package.load("spark").copy()
    pkg.edit_custom("spark", lambda custom: custom.update(executorPod={"podSpec": spec}))
    path = pkg.write(tmp_path)
    for target in ("argo", "airflow"):
        built = build(path, target)
        [error] = built.errors
        assert (error.code, error.source.field) == ("InvalidValue", "custom.executorPod.podSpec")
        assert "spark pod spec" in error.message and at in error.message
        assert built.files == {}


@pytest.mark.parametrize(("spec", "at"), [case for case in BAD_SPECS if isinstance(case[0], dict)])
def test_node_pod_template_that_does_not_decode_is_an_error(
    tmp_path: Path, spec: Any, at: str
) -> None:
    pkg = Package.load("pod_template").copy()
    wf = pkg.workflow("pod_template_wf")
    node = next(n for n in wf.nodes if n.task_node.reference_id.name.endswith(".plain"))
    template = node.task_node.overrides.pod_template
    template.primary_container_name = "primary"
    template.pod_spec.update(spec)
    path = pkg.write(tmp_path)
    for target in ("argo", "airflow"):
        built = build(path, target)
        [error] = built.errors
        assert error.code == "InvalidValue" and error.source.node == node.id
        assert error.source.field == "task_node.overrides.pod_template.pod_spec"
        assert at in error.message
        assert built.files == {}
    # On a pod task Flyte never decodes the override: it is ignored, with a warning.
    ignored = next(n for n in wf.nodes if n.task_node.reference_id.name.endswith(".in_pod"))
    ignored.task_node.overrides.pod_template.CopyFrom(template)
    node.task_node.overrides.ClearField("pod_template")
    built = build(pkg.write(tmp_path / "ignored"), "argo")
    assert built.errors == [] and built.files
    [warning] = [d for d in built.diagnostics if d.code == "IgnoredField"]
    assert warning.source.node == ignored.id and "no container target" in warning.message


def test_cli_reports_a_plugin_pod_that_does_not_decode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = Package.load("plugin_ray").copy()

    def edit(custom: dict[str, Any]) -> None:
        custom["rayCluster"]["headGroupSpec"]["k8sPod"] = {"podSpec": {"containers": "x"}}

    pkg.edit_custom("ray", edit)
    path = pkg.write(tmp_path / "in")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exited:
        main(["build", "--target", "argo", str(path), "-o", str(out)])
    _, err = capsys.readouterr()
    assert exited.value.code == EXIT_DIAGNOSTICS
    assert "InvalidValue" in err and "custom.rayCluster.headGroupSpec.k8sPod.podSpec" in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())
