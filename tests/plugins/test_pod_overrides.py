"""A node's pod-template and resource overrides on a task's pod, as Flyte's ``BuildRawPod``
and ``AddFlyteCustomizationsToContainer`` apply them: a pod template counts for container tasks
when it names a primary container and then replaces the pod with its own (flytekit writes the
task's container into it); the primary container's resources take the node's entry by entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.robustness.robust_support import Built, Package, build

WORKFLOW = "pod_template_wf"


def _node(pkg: Package, task: str) -> Any:
    wf = pkg.workflow(WORKFLOW)
    return next(n for n in wf.nodes if n.task_node.reference_id.name.endswith(f".{task}"))


def _template(built: Built, name: str) -> dict[str, Any]:
    [found] = [
        t for doc in built.documents() for t in doc["spec"]["templates"] if t["name"] == name
    ]
    return dict(found)


def _flytekit_override(pkg: Package, node: Any) -> dict[str, Any]:
    """An override as flytekit writes it: the pod template's spec with the task's container
    (image, args) written into its primary container."""
    task = pkg.task("plain")
    spec = {
        "containers": [
            {
                "name": "main",
                "image": task.container.image,
                "args": list(task.container.args),
                "env": [{"name": "FROM_OVERRIDE", "value": "1"}],
                "resources": {"limits": {"cpu": "2"}},
            },
            {"name": "side", "image": "busybox:1.36"},
        ],
        "tolerations": [{"key": "pool", "operator": "Exists"}],
    }
    template = node.task_node.overrides.pod_template
    template.primary_container_name = "main"
    template.metadata.labels["team"] = "override"
    template.pod_spec.update(spec)
    return spec


def test_an_override_naming_a_primary_container_replaces_the_pod(tmp_path: Path) -> None:
    pkg = Package.load("pod_template").copy()
    node = _node(pkg, "plain")
    spec = _flytekit_override(pkg, node)
    node.task_node.overrides.resources.limits.add(name=3, value="2Gi")  # memory
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == [] and not [d for d in built.diagnostics if d.code == "IgnoredField"]
    template = _template(built, "plain")
    assert template["metadata"]["labels"] == {"team": "override"}
    assert template["tolerations"] == spec["tolerations"]
    assert [c["name"] for c in template["sidecars"]] == ["side"]
    main = template["container"]
    assert main["image"] == spec["containers"][0]["image"]
    assert main["args"][0] == "pyflyte-execute"
    assert {"name": "FROM_OVERRIDE", "value": "1"} in main["env"]
    # The override container's CPU and the node's memory, requests taking the limits.
    both = {"cpu": "2", "memory": "2Gi"}
    assert main["resources"] == {"requests": both, "limits": both}


@pytest.mark.parametrize(("task", "why"), [("plain", "primary"), ("in_pod", "container target")])
def test_an_override_flyte_does_not_apply_is_reported_and_left_out(
    tmp_path: Path, task: str, why: str
) -> None:
    base = Package.load("pod_template")
    pkg = base.copy()
    node = _node(pkg, task)
    _flytekit_override(pkg, node)
    if task == "plain":
        node.task_node.overrides.pod_template.primary_container_name = ""
    built = build(pkg.write(tmp_path / "with"), "argo")
    assert built.errors == []
    [warning] = [d for d in built.diagnostics if d.code == "IgnoredField"]
    assert why in warning.message and warning.source.node == node.id
    assert warning.source.field == "task_node.overrides.pod_template"
    plain = build(base.copy().write(tmp_path / "without"), "argo")
    name = task.replace("_", "-")
    assert _template(built, name) == _template(plain, name)


def test_an_override_without_containers_keeps_the_pod_and_adds_its_labels(
    tmp_path: Path,
) -> None:
    base = Package.load("pod_template")
    pkg = base.copy()
    template = _node(pkg, "plain").task_node.overrides.pod_template
    template.primary_container_name = "main"
    template.metadata.labels["team"] = "override"
    template.pod_spec.update({"tolerations": [{"key": "pool", "operator": "Exists"}]})
    built = build(pkg.write(tmp_path / "with"), "argo")
    assert built.errors == []
    [warning] = [d for d in built.diagnostics if d.code == "IgnoredField"]
    assert "no containers" in warning.message and "tolerations ignored" in warning.message
    assert warning.source.field == "task_node.overrides.pod_template.pod_spec"
    plain = build(base.copy().write(tmp_path / "without"), "argo")
    got, want = _template(built, "plain"), _template(plain, "plain")
    assert got.pop("metadata") == {"labels": {"team": "override"}}
    assert got == want


def test_an_override_without_its_primary_container_is_an_error(tmp_path: Path) -> None:
    pkg = Package.load("pod_template").copy()
    node = _node(pkg, "plain")
    _flytekit_override(pkg, node)
    node.task_node.overrides.pod_template.primary_container_name = "elsewhere"
    for target in ("argo", "airflow"):
        built = build(pkg.write(tmp_path / target), target)
        [error] = built.errors
        assert error.code == "ValueRequired" and "'elsewhere'" in error.message
        assert error.source.node == node.id
        assert error.source.field == "task_node.overrides.pod_template.primary_container_name"
        assert built.files == {}


def test_a_pod_task_keeps_its_container_resources_under_a_node_override(
    tmp_path: Path,
) -> None:
    pkg = Package.load("pod_template").copy()
    spec = dict(pkg.task("in_pod").k8s_pod.pod_spec)
    containers = [dict(c) for c in spec["containers"]]
    own = {"cpu": "1", "memory": "1Gi", "gpu": "1"}
    containers[0]["resources"] = {"limits": own, "requests": {}}
    containers[1]["resources"] = {"requests": {"gpu": "1"}, "limits": {"gpu": "1"}}
    pkg.task("in_pod").k8s_pod.pod_spec.update({"containers": containers})
    node = _node(pkg, "in_pod")
    node.task_node.overrides.resources.limits.add(name=3, value="2Gi")  # memory
    node.task_node.overrides.resources.limits.add(name=2, value="2")  # gpu
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == []
    template = _template(built, "in-pod")
    both = {"cpu": "1", "memory": "2Gi", "nvidia.com/gpu": "2"}
    assert template["container"]["resources"] == {"requests": both, "limits": both}
    [sidecar] = template["sidecars"]
    gpus = {"nvidia.com/gpu": "1"}
    assert sidecar["resources"] == {"requests": gpus, "limits": gpus}


def test_an_unpartitioned_gpu_requires_nodes_without_the_partition_label(
    tmp_path: Path,
) -> None:
    pkg = Package.load("pod_template").copy()
    pkg.task("plain").extended_resources.gpu_accelerator.unpartitioned = True
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == []
    affinity = _template(built, "plain")["affinity"]["nodeAffinity"]
    [term] = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term["matchExpressions"] == [
        {"key": "k8s.amazonaws.com/gpu-partition-size", "operator": "DoesNotExist"}
    ]


def test_a_pod_keeps_its_own_service_account(tmp_path: Path) -> None:
    pkg = Package.load("pod_template").copy()
    pkg.task("in_pod").k8s_pod.pod_spec.update({"serviceAccountName": "pod-sa"})
    for task in ("in_pod", "plain"):
        pkg.task(task).security_context.run_as.k8s_service_account = "task-sa"
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == []
    assert _template(built, "in-pod")["serviceAccountName"] == "pod-sa"
    assert _template(built, "plain")["serviceAccountName"] == "task-sa"


def test_node_extended_resources_win_field_by_field(tmp_path: Path) -> None:
    pkg = Package.load("pod_template").copy()
    own = pkg.task("plain").extended_resources
    own.gpu_accelerator.device = "nvidia-a100"
    own.shared_memory.mount_name, own.shared_memory.mount_path = "task-shm", "/dev/shm"
    node = _node(pkg, "plain").task_node.overrides.extended_resources.shared_memory
    node.mount_name, node.mount_path, node.size_limit = "node-shm", "/shm", "1Gi"
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == []
    template = _template(built, "plain")
    assert template["nodeSelector"]["k8s.amazonaws.com/accelerator"] == "nvidia-a100"
    assert [v for v in template["volumes"] if "emptyDir" in v] == [
        {"name": "node-shm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}
    ]
    assert {"name": "node-shm", "mountPath": "/shm"} in template["container"]["volumeMounts"]


@pytest.mark.parametrize(
    ("name", "path", "size", "code", "field"),
    [
        ("", "/dev/shm", "", "ValueRequired", "mount_name"),
        ("shm", "", "", "ValueRequired", "mount_path"),
        ("Not_A_Label", "/dev/shm", "", "InvalidValue", "mount_name"),
        ("scratch", "/dev/shm", "", "InvalidValue", ""),  # the pod's volume is named so
        ("shm", "/scratch", "", "InvalidValue", ""),  # already mounted there
        ("shm", "/dev/shm", "lots", "InvalidValue", "size_limit"),
    ],
)
def test_shared_memory_flyte_refuses_is_an_error(
    tmp_path: Path, name: str, path: str, size: str, code: str, field: str
) -> None:
    pkg = Package.load("pod_template").copy()
    shm = pkg.task("in_pod").extended_resources.shared_memory
    shm.mount_name, shm.mount_path, shm.size_limit = name, path, size
    for target in ("argo", "airflow"):
        built = build(pkg.write(tmp_path / target), target)
        [error] = built.errors
        want = "extended_resources.shared_memory" + (f".{field}" if field else "")
        assert (error.code, error.source.field) == (code, want)
        assert built.files == {}


@pytest.mark.parametrize(
    ("task", "at"),
    [
        ("in_pod", "k8s_pod.pod_spec.containers[0]"),
        ("plain", "task_node.overrides.pod_template.pod_spec.containers[0]"),
    ],
)
def test_an_unknown_template_variable_is_reported_where_it_is(
    tmp_path: Path, task: str, at: str
) -> None:
    pkg = Package.load("pod_template").copy()
    if task == "plain":
        _flytekit_override(pkg, _node(pkg, "plain"))
        spec = _node(pkg, "plain").task_node.overrides.pod_template.pod_spec
    else:
        spec = pkg.task("in_pod").k8s_pod.pod_spec
    containers = [dict(c) for c in spec["containers"]]
    containers[0]["args"] = ["pyflyte-execute", "{{.nosuchvariable}}"]
    spec.update({"containers": containers})
    built = build(pkg.write(tmp_path), "argo")
    [error] = built.errors
    assert error.code == "UnrecognizedValue" and "nosuchvariable" in error.message
    assert error.source.field == f"{at}.args"


def test_kubeflow_replica_resources_replace_the_node_override(tmp_path: Path) -> None:
    pkg = Package.load("plugin_kubeflow").copy()

    def edit(custom: dict[str, Any]) -> None:
        custom["masterReplicas"]["resources"] = {"limits": [{"name": "MEMORY", "value": "4Gi"}]}

    pkg.edit_custom("pytorch", edit)
    wf = pkg.workflow("kubeflow_wf")
    node = next(n for n in wf.nodes if n.task_node.reference_id.name.endswith(".torch_train"))
    node.task_node.overrides.resources.limits.add(name=3, value="8Gi")  # memory
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == []
    [manifest] = [
        json.loads(t["resource"]["manifest"])
        for doc in built.documents()
        for t in doc["spec"]["templates"]
        if '"kind":"PyTorchJob"' in (t.get("resource") or {}).get("manifest", "")
    ]
    replicas = manifest["spec"]["pytorchReplicaSpecs"]
    resources = {
        role: replicas[role]["template"]["spec"]["containers"][0]["resources"]
        for role in ("Master", "Worker")
    }
    # The pod's own requests, the master replica's memory limit; the node's is not applied.
    assert resources["Master"] == {
        "requests": {"cpu": "1", "memory": "1Gi"},
        "limits": {"cpu": "1", "memory": "4Gi"},
    }
    own = {"cpu": "1", "memory": "1Gi"}
    assert resources["Worker"] == {"requests": own, "limits": own}
