"""``resource`` templates creating a Workflow from a WorkflowTemplate, with success and
failure conditions (the workflow-of-workflows pattern)."""

from __future__ import annotations

import pytest
from argo_local_support import Runner, phases

from fcomp.backends.argo.local.conditions import ConditionError, json_path, parse_selector

PARENT = """
kind: Workflow
metadata: {name: parent}
spec:
  entrypoint: main
  templates:
  - name: launch
    inputs: {parameters: [{name: code}]}
    outputs:
      parameters:
      - {name: child-name, valueFrom: {jsonPath: "{.metadata.name}"}}
      - {name: child-phase, valueFrom: {jqFilter: ".status.phase"}}
    resource:
      action: create
      setOwnerReference: true
      successCondition: status.phase == Succeeded
      failureCondition: status.phase in (Failed, Error)
      manifest: |
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: child-
        spec:
          arguments:
            parameters:
            - name: code
              value: "{{inputs.parameters.code}}"
          workflowTemplateRef:
            name: child-template
  - name: main
    dag:
      tasks:
      - {name: sub, template: launch, arguments: {parameters: [{name: code, value: "{code}"}]}}
---
kind: WorkflowTemplate
metadata: {name: child-template}
spec:
  entrypoint: body
  arguments:
    parameters: [{name: code, value: "0"}]
  templates:
  - name: body
    inputs: {parameters: [{name: code}]}
    outputs:
      parameters: [{name: said, valueFrom: {parameter: "{{tasks.say.outputs.result}}"}}]
    dag:
      tasks:
      - name: say
        template: say
        arguments: {parameters: [{name: code, value: "{{inputs.parameters.code}}"}]}
  - name: say
    inputs: {parameters: [{name: code}]}
    container:
      image: alpine
      command: [sh, -c, "echo child-{{inputs.parameters.code}}; exit {{inputs.parameters.code}}"]
"""


def test_child_workflow_succeeds(run: Runner) -> None:
    result = run(PARENT.replace("{code}", "0"))
    assert result.phase == "Succeeded"
    node = result.nodes["sub"]
    assert node.type == "Pod"
    assert node.phase == "Succeeded"
    child = node.child
    assert child is not None
    assert child.phase == "Succeeded"
    assert child.name.startswith("child-") and len(child.name) == len("child-") + 5
    assert child.outputs == {"said": "child-0"}
    assert phases(child) == {"say": "Succeeded"}
    assert node.outputs == {"child-name": child.name, "child-phase": "Succeeded"}


def test_child_workflow_fails_the_failure_condition(run: Runner) -> None:
    result = run(PARENT.replace("{code}", "5"))
    assert result.phase == "Failed"
    node = result.nodes["sub"]
    assert node.phase == "Failed"
    assert node.message == "failure condition 'status.phase in (Failed,Error)' evaluated true"
    assert node.child is not None and node.child.phase == "Failed"
    assert node.child.nodes["say"].message == "Error (exit code 5)"


def test_success_condition_that_never_holds(run: Runner) -> None:
    text = PARENT.replace("{code}", "5").replace(
        "      failureCondition: status.phase in (Failed, Error)\n", ""
    )
    result = run(text)
    assert result.nodes["sub"].phase == "Failed"
    assert result.nodes["sub"].message == (
        "success condition 'status.phase == Succeeded' does not hold after the Workflow "
        "finished Failed (a cluster would wait forever)"
    )


def test_other_kinds_are_reported(run: Runner) -> None:
    text = PARENT.replace("{code}", "0").replace(
        "kind: Workflow\n        metadata:", "kind: Job\n        metadata:"
    )
    result = run(text)
    assert phases(result) == {"sub": "Error"}
    assert result.nodes["sub"].message == (
        "resource action 'create' on kind 'Job' is not supported locally "
        "(only creating a Workflow runs here, and a SparkApplication in local mode)"
    )


OBJECT = {"status": {"phase": "Failed", "failed": 4, "tags": ["a"]}, "metadata": {"name": "x"}}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("status.phase == Failed", [True]),
        ("status.phase = Failed", [True]),
        ("status.phase != Failed", [False]),
        ("status.phase in (Failed, Error)", [True]),
        ("status.phase notin (Failed, Error)", [False]),
        ("status.failed > 3, status.failed < 5", [True, True]),
        ("status.missing", [False]),
        ("!status.missing", [True]),
        ("status.tags.0 == a", [True]),
        ("status.missing != x", [True]),
    ],
)
def test_selector_requirements(condition: str, expected: list[bool]) -> None:
    assert [r.matches(OBJECT) for r in parse_selector(condition)] == expected


def test_selector_and_path_errors() -> None:
    with pytest.raises(ConditionError):
        parse_selector("status.phase ==? x")
    assert json_path(OBJECT, "{.metadata.name}") == "x"
    assert json_path(OBJECT, ".status.failed") == "4"
    with pytest.raises(ConditionError, match="only dotted paths"):
        json_path(OBJECT, "{.items[*].name}")
