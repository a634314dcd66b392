"""What one Airflow flavour cannot run is an error naming the task, the flavour, and the
flavour that runs it."""

from __future__ import annotations

import pytest
from airflow_support import compiled, config

from fcomp.backends.airflow.build import build_airflow


@pytest.mark.parametrize(
    ("module", "flavour", "what", "other"),
    [
        ("plugin_ray", "local", "task type 'ray' (RayJob)", "kubernetes"),
    ],
)
def test_the_other_flavour_is_named(module: str, flavour: str, what: str, other: str) -> None:
    files, diagnostics = build_airflow(compiled(module), config(flavour))
    messages = [d.message for d in diagnostics if d.code == "UnsupportedConstruct"]
    assert any(
        m.startswith(what)
        and f"the Airflow '{flavour}' flavour; the '{other}' flavour runs it" in m
        and f"--set airflow_flavour={other}" in m
        for m in messages
    ), messages
    # and that flavour builds it
    _, elsewhere = build_airflow(compiled(module), config(other))
    assert [d for d in elsewhere if d.severity.name == "ERROR"] == []
