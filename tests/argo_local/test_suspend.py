"""``suspend``: a duration really sleeps; ``suspend: {}`` asks the ``resume`` callback."""

from __future__ import annotations

import time
from typing import Any

from argo_local_support import Runner, phases

GATES = """
kind: Workflow
metadata: {name: gates}
spec:
  entrypoint: main
  templates:
  - name: delay
    suspend: {duration: "1s"}
  - name: approve
    suspend: {}
    outputs:
      parameters:
      - name: answer
        valueFrom: {supplied: {}}
  - name: show
    inputs: {parameters: [{name: x}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.x}}"]}
  - name: main
    dag:
      tasks:
      - {name: delay, template: delay}
      - {name: approve, depends: delay, template: approve}
      - {name: use, depends: approve, template: show,
         arguments: {parameters: [{name: x, value: "{{tasks.approve.outputs.parameters.answer}}"}]}}
"""


def test_duration_sleeps_and_resume_supplies_outputs(run: Runner) -> None:
    asked: list[tuple[str, dict[str, Any]]] = []

    def resume(node: str, template: dict[str, Any]) -> dict[str, Any]:
        asked.append((node, template))
        return {"answer": "yes"}

    started = time.monotonic()
    result = run(GATES, resume=resume)
    assert time.monotonic() - started >= 1.0
    assert result.phase == "Succeeded"
    assert phases(result) == {"delay": "Succeeded", "approve": "Succeeded", "use": "Succeeded"}
    assert result.nodes["approve"].type == "Suspend"
    assert result.nodes["approve"].outputs == {"answer": "yes"}
    assert result.nodes["use"].result == "yes"
    assert [(node, template["name"]) for node, template in asked] == [("approve", "approve")]


def test_without_resume_the_gate_fails_clearly(run: Runner) -> None:
    result = run(GATES.replace('duration: "1s"', 'duration: "0"'))
    assert phases(result) == {"delay": "Succeeded", "approve": "Failed", "use": "Omitted"}
    assert result.nodes["approve"].message == (
        "node 'approve' is suspended until resumed (suspend: {}) and no resume callback "
        "was given to run_workflow"
    )
    assert result.phase == "Failed"


def test_resume_may_refuse(run: Runner) -> None:
    result = run(GATES.replace('duration: "1s"', 'duration: "0"'), resume=lambda n, t: None)
    assert phases(result)["approve"] == "Failed"
    assert result.nodes["approve"].message == "node 'approve' was not resumed"


def test_supplied_value_missing(run: Runner) -> None:
    result = run(GATES.replace('duration: "1s"', 'duration: "0"'), resume=lambda n, t: {})
    assert phases(result)["approve"] == "Error"
    assert result.nodes["approve"].message == (
        "output parameter 'answer' was not supplied when the node resumed"
    )
