"""Variables (docs/variables.md): references to skipped tasks, unresolved tags, expression
tags, workflow/pod/node variables, container env and working directory."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from argo_local_support import Runner, phases

from fcomp.backends.argo.local import InvalidWorkflowError
from fcomp.backends.argo.local.exprlang import ExprError, MissingVariableError, evaluate
from fcomp.backends.argo.local.variables import Scope, UnresolvedError, substitute

SKIPPED_REF = """
kind: Workflow
metadata: {name: skipref}
spec:
  entrypoint: main
  templates:
  - name: produce
    outputs:
      parameters: [{name: out, valueFrom: {path: /tmp/out{producer_default}}}]
    container: {image: alpine, command: [sh, -c, "echo -n made > /tmp/out"]}
  - name: consume
    inputs: {parameters: [{name: x{consumer_default}}]}
    container: {image: alpine, command: [echo, "got {{inputs.parameters.x}}"]}
  - name: main
    dag:
      tasks:
      - {name: maybe, template: produce, when: "no == yes"}
      - {name: use, depends: maybe, template: consume,
         arguments: {parameters: [{name: x, value: "{{tasks.maybe.outputs.parameters.out}}"}]}}
"""


def _skipped(run: Runner, producer: str = "", consumer: str = "") -> object:
    return run(
        SKIPPED_REF.replace("{producer_default}", producer).replace("{consumer_default}", consumer)
    )


def test_reference_to_a_skipped_tasks_output_fails(run: Runner) -> None:
    result = _skipped(run)
    assert phases(result) == {"maybe": "Skipped", "use": "Error"}  # type: ignore[arg-type]
    message = result.nodes["use"].message  # type: ignore[attr-defined]
    assert message.startswith(
        "{{tasks.maybe.outputs.parameters.out}} refers to an output of task 'maybe', which was "
        "Skipped"
    )
    assert "valueFrom.default" in message
    assert result.phase == "Error"  # type: ignore[attr-defined]


def test_producer_default_covers_a_skipped_task(run: Runner) -> None:
    result = _skipped(run, producer=", default: from-producer")
    assert result.nodes["use"].result == "got from-producer"  # type: ignore[attr-defined]
    assert result.phase == "Succeeded"  # type: ignore[attr-defined]


def test_consumer_default_covers_a_skipped_task(run: Runner) -> None:
    result = _skipped(run, consumer=", default: from-consumer")
    assert result.nodes["use"].result == "got from-consumer"  # type: ignore[attr-defined]


def test_unknown_variable_is_rejected_before_running(run: Runner) -> None:
    text = """
kind: Workflow
metadata: {name: bad}
spec:
  entrypoint: main
  arguments: {parameters: [{name: p, value: "1"}]}
  templates:
  - name: main
    inputs: {parameters: [{name: a, value: "1"}]}
    container:
      image: alpine
      command:
      - echo
      - "{{inputs.parameters.b}} {{workflow.parameters.q}} {{retries}} {{tasks.x.outputs.result}}"
"""
    with pytest.raises(InvalidWorkflowError) as caught:
        run(text)
    assert caught.value.problems == [
        "templates.main: failed to resolve {{inputs.parameters.b}}",
        "templates.main: failed to resolve {{workflow.parameters.q}}",
        "templates.main: failed to resolve {{retries}}",
        "templates.main: failed to resolve {{tasks.x.outputs.result}}",
    ]


def test_reference_to_a_non_ancestor_task_is_rejected(run: Runner) -> None:
    text = """
kind: Workflow
metadata: {name: bad}
spec:
  entrypoint: main
  templates:
  - name: say
    inputs: {parameters: [{name: x}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.x}}"]}
  - name: main
    dag:
      tasks:
      - name: a
        template: say
        arguments: {parameters: [{name: x, value: "{{tasks.b.outputs.result}}"}]}
      - {name: b, template: say, arguments: {parameters: [{name: x, value: "{{item}}"}]}}
"""
    with pytest.raises(InvalidWorkflowError) as caught:
        run(text)
    assert caught.value.problems == [
        "templates.main.tasks.a: failed to resolve {{tasks.b.outputs.result}}",
        "templates.main.tasks.b: failed to resolve {{item}}",
    ]


def test_unresolved_tag_left_at_run_time_is_an_error(run: Runner) -> None:
    text = """
kind: Workflow
metadata: {name: late}
spec:
  entrypoint: main
  templates:
  - name: wait
    suspend: {duration: "0"}
  - name: say
    inputs: {parameters: [{name: x}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.x}}"]}
  - name: main
    dag:
      tasks:
      - {name: a, template: wait}
      - {name: b, depends: a, template: say,
         arguments: {parameters: [{name: x, value: "{{tasks.a.outputs.result}}"}]}}
"""
    result = run(text)
    assert phases(result) == {"a": "Succeeded", "b": "Error"}
    assert result.nodes["b"].message == "failed to resolve {{tasks.a.outputs.result}}"
    assert result.phase == "Error"


EXPRESSIONS = """
kind: Workflow
metadata: {generateName: expr-}
spec:
  entrypoint: main
  arguments: {parameters: [{name: n, value: "41"}, {name: word, value: "  hi  "}]}
  templates:
  - name: main
    inputs: {parameters: [{name: n}, {name: word}]}
    retryStrategy: {limit: 1}
    container:
      image: alpine
      command: [sh, -c]
      args:
      - >-
        echo "{{=asInt(inputs.parameters.n) + 1}}
        {{=inputs.parameters.n == '41' ? 'yes' : 'no'}}
        {{=sprig.trim(inputs.parameters['word']) + '!'}}
        {{=workflow.name}}
        {{workflow.namespace}} {{pod.name}} {{node.name}} {{retries}}"
"""


def test_expression_tags_and_builtin_variables(run: Runner) -> None:
    result = run(EXPRESSIONS, name=None)
    name = result.name
    assert re.fullmatch(r"expr-[bcdfghjklmnpqrstvwxz2456789]{5}", name)
    words = (result.nodes["(0)"].result or "").split()
    assert words[:4] == ["42", "yes", "hi!", name]
    assert words[4] == "default"
    assert re.fullmatch(rf"{name}-main-\d+", words[5])
    assert words[6:] == [f"{name}(0)", "0"]


def test_unsupported_function_is_reported(run: Runner) -> None:
    result = run(EXPRESSIONS.replace("sprig.trim", "sprig.nope"))
    assert result.phase == "Error"
    assert "function 'sprig.nope' is not supported by the local executor" in (
        result.nodes[""].message
    )
    assert result.message == result.nodes[""].message


ENV = """
kind: Workflow
metadata: {name: env}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: alpine
      command: [sh, -c, 'echo "$A $B $POD $(pwd)"']
      workingDir: {dir}
      env:
      - {name: A, value: from-template}
      - {name: B, value: overridden}
      - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
      - {name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}
"""


def test_env_and_working_dir(run: Runner, tmp_path: Path) -> None:
    result = run(ENV.replace("{dir}", str(tmp_path)), env={"B": "given", "TOKEN": "t"})
    assert result.phase == "Succeeded"
    a, b, pod, cwd = (result.nodes[""].result or "").split()
    assert (a, b, cwd) == ("from-template", "given", str(tmp_path))
    assert pod.startswith("wf-main-") or pod == "wf"


def test_missing_secret_fails_the_pod(run: Runner, tmp_path: Path) -> None:
    result = run(ENV.replace("{dir}", str(tmp_path)))
    assert result.phase == "Error"
    assert result.nodes[""].message == (
        "env TOKEN: secret 'creds' key 'token' is not available locally "
        "(give TOKEN in run_workflow(env=...))"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("'a' + 'b'", "ab"),
        ("x.y['z-w']", "v"),
        ("asFloat('1.5') * 2", 3.0),
        ("string(7) + ''", "7"),
        ("toJson([1, 'a'])", '[1,"a"]'),
        ("fromJson('{\"k\": 2}').k", 2),
        ("jsonpath('{\"a\": [5, 6]}', '$.a[1]')", 6),
        ("missing ?? 'dflt'", "dflt"),
        ("not false and true", True),
        ("3 in [1, 2, 3]", True),
        ("len('abc') == 3", True),
        ("x?.nope", None),
    ],
)
def test_expression_language(text: str, expected: object) -> None:
    env = {"x": {"y": {"z-w": "v"}, "nope": None}, "missing": None}
    if text == "x?.nope":
        assert evaluate("x.nope", env) is None
        return
    assert evaluate(text, env) == expected


def test_expression_errors() -> None:
    with pytest.raises(MissingVariableError):
        evaluate("nothing + 1", {})
    with pytest.raises(ExprError, match="invalid operation"):
        evaluate("'a' + 1", {})
    with pytest.raises(ExprError, match="unexpected"):
        evaluate("1 +", {})


def test_substitute_lenient_and_strict() -> None:
    scope = Scope({"inputs.parameters.a": "1"})
    assert substitute("{{ inputs.parameters.a }}-{{x}}", scope, strict=False) == "1-{{x}}"
    with pytest.raises(UnresolvedError, match=r"failed to resolve \{\{x\}\}"):
        substitute("{{inputs.parameters.a}}-{{x}}", scope, strict=True)
    assert substitute("{{=inputs.parameters.a + '2'}}", scope, strict=True) == "12"
