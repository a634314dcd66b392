"""Deadlines: template ``activeDeadlineSeconds`` / ``timeout`` kill the process group; the
workflow's ``activeDeadlineSeconds`` and the caller's ``timeout_s`` stop the run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from argo_local_support import Runner, phases

SLOW = """
kind: Workflow
metadata: {name: slow}
spec:
  entrypoint: main
  templates:
  - name: sleep
    {limit}
    container:
      image: alpine
      command: [sh, -c]
      args: ["(sleep 1.2; touch {marker}) & sleep 30"]
  - name: main
    dag:
      tasks:
      - {name: s, template: sleep}
"""


@pytest.mark.parametrize("limit", ["activeDeadlineSeconds: 1", 'timeout: "1s"'])
def test_template_deadline_kills_the_process_group(run: Runner, tmp_path: Path, limit: str) -> None:
    marker = tmp_path / "marker"
    started = time.monotonic()
    result = run(SLOW.replace("{limit}", limit).replace("{marker}", str(marker)))
    elapsed = time.monotonic() - started
    assert result.phase == "Failed"
    assert phases(result) == {"s": "Failed"}
    assert result.nodes["s"].message == (
        "Pod was active on the node longer than the specified deadline"
    )
    assert 1.0 <= elapsed < 4
    time.sleep(max(0.0, 1.5 - elapsed))
    assert not marker.exists()  # the background child died with the group


WORKFLOW_DEADLINE = """
kind: Workflow
metadata: {name: wfdeadline}
spec:
  entrypoint: main
  activeDeadlineSeconds: 1
  onExit: bye
  templates:
  - name: sleep
    container: {image: alpine, command: [sleep, "30"]}
  - name: bye
    container: {image: alpine, command: [echo, "{{workflow.status}}"]}
  - name: main
    dag:
      tasks:
      - {name: s, template: sleep}
      - {name: after, depends: s, template: sleep}
"""


def test_workflow_deadline_stops_the_run_and_runs_the_exit_handler(run: Runner) -> None:
    started = time.monotonic()
    result = run(WORKFLOW_DEADLINE)
    assert time.monotonic() - started < 5
    assert result.phase == "Failed"
    assert result.message == "Step exceeded its deadline"
    assert phases(result) == {"s": "Failed", "onExit": "Succeeded"}
    assert result.nodes["s"].message == "Step exceeded its deadline"
    assert result.nodes["onExit"].result == "Failed"


def test_local_timeout_is_an_error(run: Runner) -> None:
    started = time.monotonic()
    result = run(WORKFLOW_DEADLINE.replace("activeDeadlineSeconds: 1", ""), timeout_s=0.5)
    assert time.monotonic() - started < 4
    assert result.phase == "Error"
    assert result.message == "local run timed out after 0.5s (timeout_s)"
    assert "onExit" not in result.nodes
