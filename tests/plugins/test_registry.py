"""The plugin registry: other packages add task types through the ``fcomp.plugins`` entry point
group; an unknown type is a diagnostic listing the known ones; every built-in type lowers."""

from __future__ import annotations

import sys
import types
from importlib.metadata import EntryPoint
from typing import Any

import pytest
from plugin_support import lower, template

from fcomp.compiler import codes
from fcomp.compiler.plugins import registry
from fcomp.compiler.plugins.registry import LoweringError
from fcomp.compiler.plugins.units import K8sResourceUnit, PodUnit


def test_entry_point_plugin_registers_a_type(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("fake_fcomp_plugin")

    def load() -> None:
        @registry.register("fake-type")
        def lower_fake(ctx: registry.TaskContext) -> Any:
            return PodUnit(task=ctx.task, pod_spec={"containers": [{"name": "x"}]}, primary="x")

    module.load = load  # type: ignore[attr-defined]
    sys.modules["fake_fcomp_plugin"] = module
    registry.known_types()  # the built-in plugins register into the real table first
    ep = EntryPoint(name="fake", value="fake_fcomp_plugin", group="fcomp.plugins")
    monkeypatch.setattr(
        registry, "entry_points", lambda group: [ep] if group == "fcomp.plugins" else []
    )
    monkeypatch.setattr(registry, "_loaded_entry_points", False)
    monkeypatch.setattr(registry, "PLUGINS", dict(registry.PLUGINS))
    monkeypatch.setattr(EntryPoint, "load", lambda self: load())
    assert "fake-type" in registry.known_types()
    unit = lower(template("fake-type", None))
    assert isinstance(unit, PodUnit) and unit.primary == "x"


def test_entry_points_are_read_only_for_a_type_no_builtin_lowers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(group: str) -> Any:
        raise AssertionError(f"entry points of {group} read")

    monkeypatch.setattr(registry, "entry_points", refuse)
    monkeypatch.setattr(registry, "_loaded_entry_points", False)
    unit = lower(template("echo", None))
    assert unit is not None
    with pytest.raises(AssertionError, match="entry points of fcomp.plugins read"):
        lower(template("no-such-type", None))


def test_unknown_type_lists_known_types() -> None:
    with pytest.raises(LoweringError) as info:
        lower(template("no-such-type", None))
    (diag,) = info.value.diagnostics
    assert diag.code == codes.UNKNOWN_TASK_TYPE
    for known in ("spark", "ray", "dask", "pytorch", "raw-container", "container_array", "echo"):
        assert known in diag.message


@pytest.mark.parametrize(
    ("task_type", "custom", "version", "kind"),
    [
        ("spark", {"mainApplicationFile": "local:///e.py"}, 0, "SparkApplication"),
        (
            "ray",
            {"rayCluster": {"workerGroupSpec": [{"groupName": "g", "replicas": 1}]}},
            0,
            "RayJob",
        ),
        ("dask", {"workers": {"numberOfWorkers": 2}, "scheduler": {}}, 0, "DaskJob"),
        ("pytorch", {"workers": 2}, 0, "PyTorchJob"),
        (
            "pytorch",
            {
                "workerReplicas": {"replicas": 2},
                "elasticConfig": {
                    "minReplicas": 1,
                    "maxReplicas": 2,
                    "nprocPerNode": 1,
                    "rdzvBackend": "c10d",
                },
            },
            1,
            "PyTorchJob",
        ),
        ("tensorflow", {"workers": 2, "psReplicas": 1}, 0, "TFJob"),
        ("tensorflow", {"workerReplicas": {"common": {"replicas": 3}}}, 1, "TFJob"),
        ("mpi", {"numWorkers": 2, "slots": 4}, 0, "MPIJob"),
    ],
)
def test_operator_types(task_type: str, custom: dict[str, Any], version: int, kind: str) -> None:
    unit = lower(template(task_type, custom, version=version))
    assert isinstance(unit, K8sResourceUnit) and unit.kind == kind
    assert unit.success and unit.failure and unit.bind_at.endswith("initContainers")


def test_kubeflow_v0_and_v1_protos() -> None:
    v0 = lower(template("mpi", {"numWorkers": 2, "slots": 4}))
    v1 = lower(template("mpi", {"workerReplicas": {"replicas": 2}, "slots": 4}, version=1))
    assert isinstance(v0, K8sResourceUnit) and isinstance(v1, K8sResourceUnit)
    assert v0.manifest["spec"]["slotsPerWorker"] == 4
    # Flyte reads slots only from version 0 messages.
    assert v1.manifest["spec"]["slotsPerWorker"] == 1
    elastic = lower(
        template(
            "pytorch",
            {"workerReplicas": {"replicas": 2}, "elasticConfig": {"maxReplicas": 2}},
            version=1,
        )
    )
    assert isinstance(elastic, K8sResourceUnit)
    assert "Master" not in elastic.manifest["spec"]["pytorchReplicaSpecs"]
    with pytest.raises(LoweringError, match="number of workers"):
        lower(template("tensorflow", {"psReplicas": 1}))
