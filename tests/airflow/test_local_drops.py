"""The ``local`` flavour runs a task's command as a process on the worker: the pod settings
that have no effect there are reported (``IgnoredField``), once per task and set of settings;
the ``kubernetes`` flavour applies them and reports nothing of the kind."""

from __future__ import annotations

from airflow_support import compiled, config

from fcomp.backends.airflow.build import build_airflow


def _warnings(module: str, flavour: str) -> list[str]:
    _, diagnostics = build_airflow(compiled(module), config(flavour))
    return [d.message for d in diagnostics if "airflow_flavour=local" in d.message]


def test_pod_settings_a_process_cannot_have_are_reported() -> None:
    [message] = _warnings("pod_template", "local")
    assert message == (
        "task 'fcomp_examples.pod_template.in_pod' runs as a process on the Airflow worker "
        "(airflow_flavour=local), without its sidecar container 'sidecar', nodeSelector, "
        "tolerations, pod labels and annotations"
    )


def test_resources_are_reported_per_task() -> None:
    messages = _warnings("task_config", "local")
    assert sorted(m.split("'")[1] for m in messages) == [
        "fcomp_examples.task_config.resourceful",
        "fcomp_examples.task_config.wants_gpu",
    ]
    assert all(m.endswith("without its resources") for m in messages)


def test_nothing_is_reported_without_such_settings_or_on_kubernetes() -> None:
    assert _warnings("chain", "local") == []
    assert _warnings("pod_template", "kubernetes") == []
