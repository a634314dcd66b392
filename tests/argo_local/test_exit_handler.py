"""``onExit``: runs after the entrypoint with ``{{workflow.status}}`` / ``{{workflow.failures}}``;
its failure turns a successful workflow into a failed one (Argo's operator)."""

from __future__ import annotations

import json

from argo_local_support import Runner, phases

EXIT = """
kind: Workflow
metadata: {name: exit}
spec:
  entrypoint: main
  onExit: handler
  arguments: {parameters: [{name: code, value: "0"}, {name: handler-code, value: "0"}]}
  templates:
  - name: run
    container: {image: alpine, command: [sh, -c, "exit {{workflow.parameters.code}}"]}
  - name: report
    inputs: {parameters: [{name: text}]}
    container:
      image: alpine
      command: [sh, -c, 'echo "$TEXT"; exit {{workflow.parameters.handler-code}}']
      env: [{name: TEXT, value: "{{inputs.parameters.text}}"}]
  - name: main
    dag:
      tasks:
      - {name: work, template: run}
  - name: handler
    dag:
      tasks:
      - name: notify
        template: report
        arguments: {parameters: [{name: text, value: "{{workflow.name}} {{workflow.status}}"}]}
      - {name: celebrate, template: report, when: "{{workflow.status}} == Succeeded",
         arguments: {parameters: [{name: text, value: hooray}]}}
      - {name: cry, template: report, when: "{{workflow.status}} != Succeeded",
         arguments: {parameters: [{name: text, value: "{{workflow.failures}}"}]}}
"""


def test_exit_handler_after_success(run: Runner) -> None:
    result = run(EXIT)
    assert result.phase == "Succeeded"
    assert phases(result) == {
        "work": "Succeeded",
        "onExit": "Succeeded",
        "onExit.notify": "Succeeded",
        "onExit.celebrate": "Succeeded",
        "onExit.cry": "Skipped",
    }
    assert result.nodes["onExit.notify"].result == "wf Succeeded"


def test_exit_handler_after_failure_sees_status_and_failures(run: Runner) -> None:
    result = run(EXIT, parameters={"code": "2"})
    assert result.phase == "Failed"
    assert result.message == "child 'work' failed"
    assert phases(result)["onExit.celebrate"] == "Skipped"
    assert result.nodes["onExit.notify"].result == "wf Failed"
    failures = json.loads(result.nodes["onExit.cry"].result or "")
    assert [(f["displayName"], f["phase"], f["message"]) for f in failures] == [
        ("wf", "Failed", "child 'work' failed"),
        ("work", "Failed", "Error (exit code 2)"),
    ]
    assert failures[1]["templateName"] == "run"
    assert failures[1]["podName"].startswith("wf-run-")


def test_failing_exit_handler_fails_a_successful_workflow(run: Runner) -> None:
    result = run(EXIT, parameters={"handler-code": "1"})
    assert phases(result)["work"] == "Succeeded"
    assert phases(result)["onExit"] == "Failed"
    assert result.phase == "Failed"
    assert result.message == "child 'onExit.celebrate' failed"


def test_failing_exit_handler_keeps_a_failed_workflows_message(run: Runner) -> None:
    result = run(EXIT, parameters={"code": "3", "handler-code": "1"})
    assert result.phase == "Failed"
    assert result.message == "child 'work' failed"
