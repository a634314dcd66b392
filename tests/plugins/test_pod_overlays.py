"""Plugin pod overlays (Spark's driver and executor pods, Ray's head and worker groups) merged
onto the task's pod as Flyte's ``MergeOverlayPodSpecOntoBase`` merges them: objects key by
key, lists appended, zero values leaving the base's; the base pod's containers stay, each with
the overlay's container of its name merged in, and the overlay's other containers are dropped
with an ``IgnoredField`` warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from fcomp.compiler.passes.podspec import merge_overlay
from tests.robustness.robust_support import Built, Package, build


def test_merge_keeps_the_base_containers_and_merges_by_name() -> None:
    base = {
        "containers": [
            {"name": "main", "image": "a", "env": [{"name": "X", "value": "1"}]},
            {"name": "side", "image": "s"},
        ],
        "hostNetwork": True,
        "nodeSelector": {"pool": "a"},
        "tolerations": [{"key": "t1", "operator": "Exists"}],
    }
    overlay = {
        "containers": [
            {"name": "extra", "image": "e"},
            {"name": "main", "image": "b", "env": [{"name": "Y", "value": "2"}], "stdin": True},
        ],
        "initContainers": [{"name": "init", "image": "i"}],
        "hostNetwork": False,  # a zero value leaves the base's
        "schedulerName": "",
        "nodeSelector": {"zone": "z", "pool": ""},  # a map entry is set, even to ""
        "tolerations": [{"key": "t2", "operator": "Exists"}],
        "priority": 0,
    }
    merged = merge_overlay(base, overlay)
    assert merged == {
        "containers": [
            {
                "name": "main",
                "image": "b",
                "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
                "stdin": True,
            },
            {"name": "side", "image": "s"},
        ],
        "hostNetwork": True,
        "nodeSelector": {"pool": "", "zone": "z"},
        "tolerations": [
            {"key": "t1", "operator": "Exists"},
            {"key": "t2", "operator": "Exists"},
        ],
    }
    assert base["containers"][0]["image"] == "a"  # the base is left as it was


def _manifest(built: Built, kind: str) -> dict[str, Any]:
    [manifest] = [
        json.loads(t["resource"]["manifest"])
        for doc in built.documents()
        for t in doc.get("spec", {}).get("templates", [])
        if f'"kind":"{kind}"' in (t.get("resource") or {}).get("manifest", "")
    ]
    return dict(manifest)


def _ignored(built: Built, about: str) -> dict[str, str]:
    """Field path -> message of each ``IgnoredField`` warning whose message says ``about``."""
    return {
        d.source.field: d.message
        for d in built.diagnostics
        if d.code == "IgnoredField" and about in d.message
    }


def _dropped(built: Built) -> dict[str, str]:
    return _ignored(built, "pod overlay")


def test_ray_overlay_containers_without_a_match_are_dropped_and_reported(
    tmp_path: Path,
) -> None:
    pkg = Package.load("plugin_ray").copy()
    head = {
        "containers": [
            {"name": "ray-head", "env": [{"name": "FROM_OVERLAY", "value": "1"}]},
            {"name": "helper", "image": "busybox:1.36"},
        ],
        "initContainers": [{"name": "warm", "image": "busybox:1.36"}],
    }
    worker = {"containers": [{"name": "ray-worker", "stdin": True}]}

    def edit(custom: dict[str, Any]) -> None:
        custom["rayCluster"]["headGroupSpec"]["k8sPod"] = {"podSpec": head}
        custom["rayCluster"]["workerGroupSpec"][0]["k8sPod"] = {"podSpec": worker}

    pkg.edit_custom("ray", edit)
    path = pkg.write(tmp_path)
    for target in ("argo", "airflow"):
        built = build(path, target)
        assert built.errors == []
        dropped = _dropped(built)
        assert list(dropped) == ["custom.rayCluster.headGroupSpec.k8sPod.podSpec"]
        assert (
            "containers[1] (helper), initContainers[0] (warm)"
            in dropped["custom.rayCluster.headGroupSpec.k8sPod.podSpec"]
        )
        assert "helper" not in built.text() and "warm" not in built.text()
    spec = _manifest(build(path, "argo"), "RayJob")["spec"]["rayClusterSpec"]
    [container] = spec["headGroupSpec"]["template"]["spec"]["containers"]
    assert container["name"] == "ray-head"
    assert {"name": "FROM_OVERLAY", "value": "1"} in container["env"]
    init = spec["headGroupSpec"]["template"]["spec"].get("initContainers") or []
    assert [c["name"] for c in init if not c["name"].startswith("fcomp-")] == []
    [worker_container] = spec["workerGroupSpecs"][0]["template"]["spec"]["containers"]
    assert worker_container["stdin"] is True


def test_spark_overlay_naming_a_dropped_primary_container_is_an_error(tmp_path: Path) -> None:
    pkg = Package.load("spark").copy()

    def edit(custom: dict[str, Any]) -> None:
        custom["executorPod"] = {
            "podSpec": {"containers": [{"name": "exec", "image": "x"}]},
            "primaryContainerName": "exec",
        }

    pkg.edit_custom("spark", edit)
    for target in ("argo", "airflow"):
        built = build(pkg.write(tmp_path / target), target)
        assert "containers[0] (exec)" in _dropped(built)["custom.executorPod.podSpec"]
        [error] = built.errors
        assert error.code == "ValueRequired" and "'exec'" in error.message
        assert built.files == {}


def _uncarried(built: Built) -> dict[str, str]:
    return _ignored(built, "do not carry")


def test_spark_reports_the_pod_fields_its_driver_and_executor_do_not_carry(
    tmp_path: Path,
) -> None:
    pkg = Package.load("spark").copy()
    overlay = {
        "containers": [
            {
                "name": "primary",
                "env": [{"name": "FROM_OVERLAY", "value": "1"}],
                "resources": {"limits": {"cpu": "3"}},
            }
        ],
        "volumes": [{"name": "scratch", "emptyDir": {}}],
        "tolerations": [{"key": "spark", "operator": "Exists"}],
    }

    def edit(custom: dict[str, Any]) -> None:
        custom["driverPod"] = {"podSpec": overlay}

    pkg.edit_custom("spark", edit)
    for target in ("argo", "airflow"):
        built = build(pkg.write(tmp_path / target), target)
        assert built.errors == []
        [message] = _uncarried(built).values()
        assert list(_uncarried(built)) == ["custom.driverPod.podSpec"]
        assert "volumes, containers[0].resources" in message
        assert "FROM_OVERLAY" in built.text() and "scratch" not in built.text()


def test_spark_reports_the_fields_of_its_own_pod_it_does_not_carry(tmp_path: Path) -> None:
    pkg = Package.load("spark").copy()
    task = next(t for t in pkg.tasks() if t.type == "spark")
    container = {
        "name": "main",
        "image": task.container.image,
        "args": list(task.container.args),
        "ports": [{"containerPort": 4040}],
    }
    spec = {"containers": [container, {"name": "side", "image": "busybox:1.36"}]}
    json_format.ParseDict(spec, task.k8s_pod.pod_spec)  # the target becomes a pod
    task.config["primary_container_name"] = "main"
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == []
    [(field, message)] = _uncarried(built).items()
    assert field == "k8s_pod.pod_spec"
    assert ": containers[0].ports, containers[1] (" in message


def test_spark_carries_no_mount_without_its_volume(tmp_path: Path) -> None:
    pkg = Package.load("spark").copy()
    task = next(t for t in pkg.tasks() if t.type == "spark")
    shm = task.extended_resources.shared_memory
    shm.mount_name, shm.mount_path = "shm", "/dev/shm"
    task.security_context.secrets.add(group="creds", key="token", mount_requirement=2)  # FILE

    def edit(custom: dict[str, Any]) -> None:
        args = [{"name": "primary", "args": ["--driver-only"]}]
        custom["driverPod"] = {"podSpec": {"containers": args}}

    pkg.edit_custom("spark", edit)
    built = build(pkg.write(tmp_path), "argo")
    assert built.errors == []
    spec = _manifest(built, "SparkApplication")["spec"]
    assert [v["name"] for v in spec["volumes"]] == ["fsec-0"]
    for role in ("driver", "executor"):
        assert [m["name"] for m in spec[role]["volumeMounts"]] == ["fsec-0"]
    assert "--driver-only" not in spec["arguments"]
    uncarried = _uncarried(built)
    assert uncarried["custom.driverPod.podSpec"].split(": ")[1].startswith("containers[0].args")
    assert "its memory volume" in uncarried["extended_resources.shared_memory"]
