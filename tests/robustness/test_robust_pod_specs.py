"""Pod specs as Flyte's decoder reads them: ``null`` is a zero value (a field left out, an
empty object or string in a list), a wrong type is an ``InvalidValue`` error, and nothing in a
task's pod spec, a node's pod-template override or a version-0 sidecar task's ``SidecarJob``
makes the build fail with anything but a diagnostic."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from robust_support import Package, build_package

from fcomp.compiler.passes.k8s import pod_spec_refusals
from fcomp.compiler.passes.podspec import known_fields

POD_TASK = "fcomp_examples.pod_template.in_pod"


def _spec(pkg: Package) -> dict[str, Any]:
    return json_format.MessageToDict(pkg.task(POD_TASK).k8s_pod.pod_spec)


def _set_spec(pkg: Package, spec: Any) -> None:
    target = pkg.task(POD_TASK).k8s_pod.pod_spec
    target.Clear()
    target.update(spec)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    out = copy.deepcopy(value)
    inner = out
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = new
    return out


def test_null_decodes_to_a_zero_value() -> None:
    spec = {
        "containers": [None, {"name": "m", "args": ["a", None], "env": [None], "image": None}],
        "nodeSelector": {"zone": None},
        "hostNetwork": None,
        "securityContext": {"runAsUser": 1},
    }
    assert known_fields(spec) == {
        "containers": [{}, {"name": "m", "args": ["a", ""], "env": [{}]}],
        "nodeSelector": {"zone": ""},
        "securityContext": {"runAsUser": 1},
    }


def test_refusals_skip_a_pod_spec_that_does_not_decode() -> None:
    assert pod_spec_refusals({"containers": 3.5}, "f") == []
    assert pod_spec_refusals({"containers": [{"env": "x"}]}, "f") == []
    # A null env entry is an env var without a name, which Kubernetes refuses.
    [refusal] = pod_spec_refusals({"containers": [{"name": "m", "env": [None]}]}, "f")
    assert refusal.field == "f.containers[0].env[0].name"


@pytest.mark.parametrize("value", [None, 3.5, "x", [], [None], {}, {"a": None}, True])
def test_every_value_anywhere_in_a_task_pod_spec_gives_a_build_or_a_diagnostic(
    tmp_path: Path, value: Any
) -> None:
    base = Package.load("pod_template")
    spec = _spec(base)
    for i, path in enumerate(p for p in _paths(spec) if p):
        pkg = base.copy()
        _set_spec(pkg, _replaced(spec, path, value))
        for target in ("argo", "airflow"):
            built = build_package(pkg, tmp_path / f"{i}-{target}", target)
            assert built.files or built.errors, (path, value)


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        ({"containers": None}, "k8s_pod.primary_container_name", "names no primary container"),
        ({"containers": [None]}, "k8s_pod.pod_spec.containers[0].name", "'' is not a DNS-1123"),
        (
            {"containers": [{"name": "primary", "image": "i", "env": [None]}]},
            "k8s_pod.pod_spec.containers[0].env[0].name",
            "must not be empty",
        ),
    ],
)
def test_null_parts_of_a_task_pod_spec_are_checked_as_zero_values(
    tmp_path: Path, spec: dict[str, Any], field: str, message: str
) -> None:
    pkg = Package.load("pod_template").copy()
    _set_spec(pkg, spec)
    built = build_package(pkg, tmp_path)
    [error] = built.errors
    assert error.source.field == field and message in error.message
    assert built.files == {}


def test_null_args_build(tmp_path: Path) -> None:
    pkg = Package.load("pod_template").copy()
    spec = _spec(pkg)
    spec["containers"][1]["args"] = None
    spec["containers"][1]["command"] = ["sh", None]
    _set_spec(pkg, spec)
    for target in ("argo", "airflow"):
        built = build_package(pkg, tmp_path / target, target)
        assert built.errors == [] and built.files
    sidecar = next(
        c
        for doc in build_package(pkg, tmp_path / "again").documents()
        for t in doc["spec"]["templates"]
        for c in t.get("sidecars") or []
        if c["name"] == "sidecar"
    )
    assert sidecar["command"] == ["sh", ""] and "args" not in sidecar


def test_a_null_override_container_is_a_container_without_an_image(tmp_path: Path) -> None:
    pkg = Package.load("pod_template").copy()
    wf = pkg.workflow("pod_template_wf")
    node = next(n for n in wf.nodes if n.task_node.reference_id.name.endswith(".plain"))
    template = node.task_node.overrides.pod_template
    template.primary_container_name = "primary"
    template.pod_spec.update({"containers": [None, {"name": "primary", "image": "img:1"}]})
    for target in ("argo", "airflow"):
        built = build_package(pkg, tmp_path / target, target)
        # A null container decodes to one without a name or an image.
        at = "task_node.overrides.pod_template.pod_spec.containers[0]"
        assert {(e.code, e.source.field) for e in built.errors} == {
            ("ValueRequired", f"{at}.name"),
            ("ValueRequired", f"{at}.image"),
        }
        assert {e.source.node for e in built.errors} == {node.id}
        assert built.files == {}


def test_fields_the_api_server_requires_are_reported(tmp_path: Path) -> None:
    pkg = Package.load("pod_template").copy()
    spec = _spec(pkg)
    spec["volumes"].append({"emptyDir": {}})
    spec["containers"][0]["volumeMounts"].append({"name": "scratch"})
    spec["containers"][0]["ports"] = [{"name": "http"}]
    _set_spec(pkg, spec)
    for target in ("argo", "airflow"):
        built = build_package(pkg, tmp_path / target, target)
        assert sorted(e.source.field for e in built.errors) == [
            "k8s_pod.pod_spec.containers[0].ports[0].containerPort",
            "k8s_pod.pod_spec.containers[0].volumeMounts[1].mountPath",
            "k8s_pod.pod_spec.volumes[1].name",
        ]
        assert all("Kubernetes refuses the pod" in e.message for e in built.errors)
        assert built.files == {}


def _as_sidecar_task(pkg: Package, **extra: Any) -> None:
    """The pod task written as a version-0 ``sidecar`` task (its pod in ``custom``)."""
    task = pkg.task(POD_TASK)
    pod = json_format.MessageToDict(task.k8s_pod)
    custom = {
        "podSpec": pod["podSpec"],
        "primaryContainerName": "primary",
        "labels": pod["metadata"]["labels"],
        "annotations": pod["metadata"]["annotations"],
        **extra,
    }
    task.ClearField("k8s_pod")
    task.type = "sidecar"
    task.custom.update(custom)


def _pod_templates(pkg: Package, tmp_path: Path) -> list[dict[str, Any]]:
    built = build_package(pkg, tmp_path)
    assert built.errors == []
    return [
        {k: v for k, v in t.items() if k in ("container", "sidecars", "metadata", "volumes")}
        for doc in built.documents()
        for t in doc["spec"]["templates"]
        if "container" in t and t.get("sidecars")
    ]


def test_a_sidecar_task_runs_the_pod_its_custom_holds(tmp_path: Path) -> None:
    pod = Package.load("pod_template").copy()
    sidecar = pod.copy()
    _as_sidecar_task(sidecar)
    expected = _pod_templates(pod, tmp_path / "pod")
    assert expected
    assert _pod_templates(sidecar, tmp_path / "sidecar") == expected


@pytest.mark.parametrize(
    ("extra", "code", "field", "message"),
    [
        ({"podSpec": {"containers": "x"}}, "InvalidValue", "custom.podSpec", "not a Kubernetes"),
        ({"podSpec": 3}, "InvalidValue", "custom.podSpec", "wrong type at <pod spec>"),
        ({"labels": {"team": 3}}, "InvalidValue", "custom.labels", "not an object of strings"),
        ({"annotations": ["a"]}, "InvalidValue", "custom.annotations", "not an object of"),
        ({"primaryContainerName": 1}, "InvalidValue", "custom.primaryContainerName", "string"),
        ({"labels": {"team": "a b"}}, "InvalidValue", "custom.labels.team", "Kubernetes refuses"),
        ({"primaryContainerName": "x"}, "ValueRequired", "custom.primaryContainerName", "no pri"),
    ],
)
def test_a_sidecar_job_that_flyte_cannot_run_is_reported(
    tmp_path: Path, extra: dict[str, Any], code: str, field: str, message: str
) -> None:
    pkg = Package.load("pod_template").copy()
    _as_sidecar_task(pkg, **extra)
    for target in ("argo", "airflow"):
        built = build_package(pkg, tmp_path / target, target)
        [error] = built.errors
        assert (error.code, error.source.field) == (code, field)
        assert message in error.message
        assert built.files == {}


def test_a_container_without_an_image_is_reported_unless_an_override_names_one(
    tmp_path: Path,
) -> None:
    pkg = Package.load("pod_template").copy()
    spec = _spec(pkg)
    del spec["containers"][0]["image"]
    spec["containers"][1]["image"] = ""
    _set_spec(pkg, spec)
    built = build_package(pkg, tmp_path / "both")
    assert {(e.code, e.source.field) for e in built.errors} == {
        ("ValueRequired", "k8s_pod.pod_spec.containers[0].image"),
        ("ValueRequired", "k8s_pod.pod_spec.containers[1].image"),
    }
    assert built.files == {}
    # The node's image override gives the primary container its image.
    spec["containers"][1]["image"] = "busybox:1.36"
    _set_spec(pkg, spec)
    wf = pkg.workflow("pod_template_wf")
    for node in wf.nodes:
        if node.HasField("task_node"):
            node.task_node.overrides.container_image = "ghcr.io/fcomp/examples:2"
    built = build_package(pkg, tmp_path / "override")
    assert built.errors == [] and "ghcr.io/fcomp/examples:2" in built.text()
