"""The PodSpec type table is what ``tools/gen_podspec_types.py`` writes from the Kubernetes
Python client it was generated with, and it describes what the pod-spec checks rely on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from fcomp.compiler.passes import podspec_types
from fcomp.compiler.passes.podspec import pod_spec_errors, unknown_fields

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_is_current() -> None:
    kubernetes = pytest.importorskip("kubernetes")
    if kubernetes.__version__ != podspec_types.CLIENT_VERSION:
        pytest.skip(f"generated from client {podspec_types.CLIENT_VERSION}")
    spec = importlib.util.spec_from_file_location("gen", ROOT / "tools" / "gen_podspec_types.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.render() == (ROOT / "compiler" / "passes" / "podspec_types.py").read_text()


def test_every_kind_names_a_scalar_or_an_object_of_the_table() -> None:
    scalars = {"string", "integer", "boolean", "number", "quantity", "int-or-string", "any"}
    for name, fields in podspec_types.OBJECTS.items():
        for field, kind in fields.items():
            base = kind.split(":")[-1]
            assert base in scalars or base in podspec_types.OBJECTS, (name, field, kind)
    container = podspec_types.OBJECTS["Container"]
    assert container["resources"] == "ResourceRequirements"
    assert podspec_types.OBJECTS["ResourceRequirements"]["limits"] == "map:quantity"


@pytest.mark.parametrize(
    ("spec", "bad"),
    [
        ({"containers": [{"name": "c", "ports": [{"containerPort": "80"}]}]}, True),
        ({"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}, False),
        ({"containers": [{"name": "c", "resources": {"limits": {"cpu": 2}}}]}, False),
        ({"containers": [{"name": "c", "resources": {"limits": {"cpu": "2x"}}}]}, True),
        ({"containers": [{"name": "c", "startupProbe": {"tcpSocket": {"port": "http"}}}]}, False),
        ({"containers": [{"name": "c", "startupProbe": {"tcpSocket": {"port": True}}}]}, True),
        ({"volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1Gi"}}]}, False),
        ({"volumes": [{"name": "v", "configMap": {"items": {"key": "a"}}}]}, True),
        ({"securityContext": {"sysctls": [{"name": "a", "value": 1}]}}, True),
        ({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "z"}]}, False),
    ],
)
def test_values_are_checked_at_every_depth(spec: dict, bad: bool) -> None:
    assert bool(pod_spec_errors(spec)) is bad
    assert unknown_fields(spec) == []
