"""Which documents run and how: Workflow, WorkflowTemplate (+ parameters), CronWorkflow,
``workflowTemplateRef``, ``templateRef``, ``templateDefaults``; and what is rejected before
running."""

from __future__ import annotations

import pytest
from argo_local_support import Runner, phases

from fcomp.backends.argo.local import InvalidWorkflowError

LIBRARY = """
kind: WorkflowTemplate
metadata: {name: library}
spec:
  templates:
  - name: shout
    inputs: {parameters: [{name: text}]}
    container: {image: alpine, command: [sh, -c, "echo {{inputs.parameters.text}} | tr a-z A-Z"]}
  - name: twice
    inputs: {parameters: [{name: text}]}
    dag:
      tasks:
      - name: one
        template: shout
        arguments: {parameters: [{name: text, value: "{{inputs.parameters.text}}"}]}
"""

TEMPLATE = (
    """
kind: WorkflowTemplate
metadata: {name: greet}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: who, value: world}, {name: mood, value: calm, enum: [calm, loud]}]
  templateDefaults:
    activeDeadlineSeconds: 60
    container: {env: [{name: MOOD, value: "{{workflow.parameters.mood}}"}]}
  templates:
  - name: main
    outputs:
      parameters: [{name: said, valueFrom: {parameter: "{{tasks.lib.status}}"}}]
    dag:
      tasks:
      - {name: local, template: hello}
      - name: lib
        templateRef: {name: library, template: twice}
        arguments: {parameters: [{name: text, value: "{{workflow.parameters.who}}"}]}
  - name: hello
    container: {image: alpine, command: [sh, -c, 'echo "hello {{workflow.parameters.who}} $MOOD"']}
---
"""
    + LIBRARY
)


def test_workflow_template_with_parameters_and_template_ref(run: Runner) -> None:
    result = run(TEMPLATE, parameters={"who": "you", "mood": "loud"})
    assert result.phase == "Succeeded"
    assert phases(result) == {"local": "Succeeded", "lib": "Succeeded", "lib.one": "Succeeded"}
    assert result.nodes["lib"].type == "DAG"  # templateDefaults' container does not stick
    assert result.nodes["local"].result == "hello you loud"  # ... but its env does on leaves
    assert result.outputs == {"said": "Succeeded"}
    assert result.nodes["lib.one"].result == "YOU"


def test_generated_name_of_a_workflow_template(run: Runner) -> None:
    result = run(TEMPLATE, name=None)
    assert result.name.startswith("greet-") and len(result.name) == len("greet-") + 5
    assert result.nodes["local"].result == "hello world calm"


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        (
            {"nope": "1"},
            "parameter 'nope' is not declared in spec.arguments.parameters (declared: who, mood)",
        ),
        (
            {"mood": "angry"},
            "spec.arguments.mood: value 'angry' is not one of the enum values ['calm', 'loud']",
        ),
    ],
)
def test_bad_parameters(run: Runner, parameters: dict[str, str], problem: str) -> None:
    with pytest.raises(InvalidWorkflowError) as caught:
        run(TEMPLATE, parameters=parameters)
    assert caught.value.problems == [problem]


def test_workflow_with_workflow_template_ref(run: Runner) -> None:
    text = (
        """
kind: Workflow
metadata: {generateName: from-ref-}
spec:
  arguments: {parameters: [{name: who, value: ref}]}
  workflowTemplateRef: {name: greet}
---
"""
        + TEMPLATE
    )
    result = run(text)
    assert result.nodes["local"].result == "hello ref calm"


def test_cron_workflow_runs_its_spec_once(run: Runner) -> None:
    text = """
kind: CronWorkflow
metadata: {name: nightly}
spec:
  schedules: ["0 1 * * *"]
  timezone: UTC
  concurrencyPolicy: Forbid
  workflowSpec:
    entrypoint: main
    templates:
    - name: main
      container: {image: alpine, command: [echo, nightly]}
"""
    result = run(text, name=None)
    assert result.phase == "Succeeded"
    assert result.name.startswith("nightly-")
    assert result.nodes[""].result == "nightly"


def test_missing_workflow_template(run: Runner) -> None:
    text = """
kind: Workflow
metadata: {name: x}
spec:
  workflowTemplateRef: {name: absent}
"""
    with pytest.raises(InvalidWorkflowError, match="WorkflowTemplate 'absent' not found"):
        run(text)


INVALID = """
kind: Workflow
metadata: {name: invalid}
spec:
  entrypoint: main
  onExit: nowhere
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: missing}
      - {name: b, template: steps, depends: "zzz"}
      - {name: c, template: ok, depends: d, dependencies: [d]}
      - {name: d, template: ok, depends: c.Done}
      - {name: e, template: ok, depends: f}
      - {name: f, template: ok, depends: e, onExit: ok}
  - name: ok
    container: {image: alpine, command: [echo]}
  - name: steps
    steps: [[{name: s, template: ok}]]
  - name: both
    container: {image: alpine, command: [echo]}
    script: {image: alpine, command: [sh], source: echo}
"""


def test_structure_is_checked_before_running(run: Runner) -> None:
    with pytest.raises(InvalidWorkflowError) as caught:
        run(INVALID)
    assert caught.value.problems == [
        "templates.main.tasks.a: template 'missing' not found in workflow",
        "templates.steps: steps templates are not supported by the local executor "
        "(fcomp emits DAGs)",
        "templates.main.tasks.b: depends on unknown task 'zzz'",
        "templates.main.tasks.c: cannot use both depends and dependencies",
        "templates.main.tasks.d: depends 'c.Done': unknown task result 'Done' (expected one "
        "of Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, AnySucceeded, AllFailed)",
        "templates.main.tasks.f: task onExit is not supported locally",
        "templates.main: dependency cycle e -> f -> e",
        "spec.onExit: template 'nowhere' not found in workflow",
    ]


def test_missing_entrypoint(run: Runner) -> None:
    with pytest.raises(InvalidWorkflowError, match="spec.entrypoint is required"):
        run("kind: Workflow\nmetadata: {name: x}\nspec: {templates: []}\n")


def test_template_with_two_kinds(run: Runner) -> None:
    text = INVALID.replace("entrypoint: main", "entrypoint: both").replace("onExit: nowhere", "")
    with pytest.raises(InvalidWorkflowError) as caught:
        run(text)
    assert caught.value.problems == [
        "templates.both: expected exactly one of container, script, dag, suspend, resource; "
        "found ['container', 'script']"
    ]
