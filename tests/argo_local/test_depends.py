"""``depends`` / ``dependencies`` (docs/enhanced-depends-logic.md) and the DAG phase that
follows from them (controller ``assessDAGPhase``)."""

from __future__ import annotations

import pytest
from argo_local_support import Runner, phases

from fcomp.backends.argo.local.expressions import (
    ExpressionError,
    TaskOutcome,
    dependencies_as_depends,
    parse_depends,
)

# (phase of task a) -> the results it satisfies
TRUTH = {
    "Succeeded": {"Succeeded"},
    "Failed": {"Failed"},
    "Error": {"Errored"},
    "Skipped": {"Skipped"},
    "Omitted": {"Omitted"},
}
RESULTS = ["Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned"]


@pytest.mark.parametrize("phase", sorted(TRUTH))
@pytest.mark.parametrize("result", RESULTS)
def test_operand_truth_table(phase: str, result: str) -> None:
    depends = parse_depends(f"a.{result}")
    assert depends.evaluate({"a": TaskOutcome(phase)}) is (result in TRUTH[phase])


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("Succeeded", True),
        ("Skipped", True),
        ("Failed", False),
        ("Error", False),
        ("Omitted", False),
    ],
)
def test_bare_operand_means_succeeded_skipped_or_daemoned(phase: str, expected: bool) -> None:
    assert parse_depends("a").evaluate({"a": TaskOutcome(phase)}) is expected


def test_bare_operand_honours_continue_on() -> None:
    rules = {"a": {"failed": True}, "b": {"error": True}}
    depends = parse_depends("a && b", rules.get)
    assert depends.evaluate({"a": TaskOutcome("Failed"), "b": TaskOutcome("Error")})
    assert not depends.evaluate({"a": TaskOutcome("Error"), "b": TaskOutcome("Error")})
    listed = dependencies_as_depends(["a", "b"], rules.get)
    assert listed.evaluate({"a": TaskOutcome("Failed"), "b": TaskOutcome("Succeeded")})


@pytest.mark.parametrize(
    ("text", "a", "b", "expected"),
    [
        ("a && b", "Succeeded", "Succeeded", True),
        ("a && b", "Succeeded", "Failed", False),
        ("a || b.Failed", "Failed", "Failed", True),
        ("a || b.Failed", "Failed", "Succeeded", False),
        ("!a.Failed", "Succeeded", "Succeeded", True),
        ("!a.Failed && b", "Failed", "Succeeded", False),
        ("(a.Succeeded || a.Skipped) && !b.Failed", "Skipped", "Error", True),
        ("(a.Succeeded || a.Skipped) && !b.Failed", "Skipped", "Failed", False),
        ("a.Failed || a.Errored && b.Succeeded", "Failed", "Failed", True),
        ("(a.Failed || a.Errored) && b.Succeeded", "Failed", "Failed", False),
        ("!(a || b)", "Omitted", "Failed", True),
    ],
)
def test_boolean_logic(text: str, a: str, b: str, expected: bool) -> None:
    outcomes = {"a": TaskOutcome(a), "b": TaskOutcome(b)}
    assert parse_depends(text).evaluate(outcomes) is expected


def test_fan_out_results() -> None:
    mixed = TaskOutcome("Failed", any_succeeded=True, all_failed=False)
    assert parse_depends("a.AnySucceeded").evaluate({"a": mixed})
    assert not parse_depends("a.AllFailed").evaluate({"a": mixed})


def test_hyphenated_names_and_order_of_mention() -> None:
    depends = parse_depends("task-2.Succeeded || (task-1 && !task-2.Failed)")
    assert depends.tasks() == ["task-2", "task-1"]


@pytest.mark.parametrize("text", ["a.Done", "a &&", "(a", "a b", "a & b"])
def test_bad_depends(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_depends(text)


FAILED_BRANCHES = """
kind: Workflow
metadata: {generateName: depends-}
spec:
  entrypoint: main
  templates:
  - name: ok
    container: {image: alpine, command: [sh, -c, "exit 0"]}
  - name: fail
    container: {image: alpine, command: [sh, -c, "exit 3"]}
  - name: main
    dag:
      tasks:
      - {name: A, template: fail}
      - {name: B, depends: A.Failed, template: ok}
      - {name: C, depends: A, template: ok}
      - {name: D, depends: C.Omitted, template: ok}
      - {name: E, depends: "(A.Succeeded || A.Skipped) && !C.Failed", template: ok}
"""


def test_failed_branch_runs_handlers_and_fails_through_an_omitted_leaf(run: Runner) -> None:
    result = run(FAILED_BRANCHES)
    assert phases(result) == {
        "A": "Failed",
        "B": "Succeeded",
        "C": "Omitted",
        "D": "Succeeded",
        "E": "Omitted",
    }
    assert result.nodes["A"].message == "Error (exit code 3)"
    assert result.nodes["C"].message == "omitted: depends condition not met"
    # E is a leaf that did not run: it inherits A's failure, so the DAG fails.
    assert result.phase == "Failed"
    assert result.message == "child 'A' failed"


HANDLED = """
kind: Workflow
metadata: {name: handled}
spec:
  entrypoint: main
  templates:
  - name: ok
    container: {image: alpine, command: [sh, -c, "exit 0"]}
  - name: fail
    container: {image: alpine, command: [sh, -c, "exit 1"]}
  - name: main
    dag:
      tasks:
      - {name: A, template: fail}
      - {name: on-fail, depends: A.Failed, template: ok}
      - {name: on-success, depends: A.Succeeded, template: ok}
      - {name: last, depends: on-fail || on-success, template: ok}
"""


def test_failure_handled_downstream_succeeds(run: Runner) -> None:
    result = run(HANDLED)
    assert phases(result) == {
        "A": "Failed",
        "on-fail": "Succeeded",
        "on-success": "Omitted",
        "last": "Succeeded",
    }
    assert result.phase == "Succeeded"


SKIPPED_PATHS = """
kind: Workflow
metadata: {name: skipped}
spec:
  entrypoint: main
  templates:
  - name: ok
    container: {image: alpine, command: [sh, -c, "exit 0"]}
  - name: main
    dag:
      tasks:
      - {name: S, template: ok, when: "1 == 2"}
      - {name: T, depends: S, template: ok}
      - {name: U, depends: S.Succeeded, template: ok}
      - {name: V, depends: S.Skipped, template: ok}
      - {name: W, dependencies: [S], template: ok}
"""


def test_skipped_paths(run: Runner) -> None:
    result = run(SKIPPED_PATHS)
    assert phases(result) == {
        "S": "Skipped",
        "T": "Succeeded",
        "U": "Omitted",
        "V": "Succeeded",
        "W": "Succeeded",
    }
    assert result.nodes["S"].message == "when '1 == 2' evaluated false"
    assert result.phase == "Succeeded"


ERRORED = """
kind: Workflow
metadata: {name: errored}
spec:
  entrypoint: main
  templates:
  - name: say
    inputs: {parameters: [{name: x}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.x}}"]}
  - name: main
    dag:
      tasks:
      - {name: gen, template: say, arguments: {parameters: [{name: x, value: not-json}]}}
      - name: loop
        depends: gen
        template: say
        arguments: {parameters: [{name: x, value: "{{item}}"}]}
        withParam: "{{tasks.gen.outputs.result}}"
      - {name: on-error, depends: loop.Errored, template: say,
         arguments: {parameters: [{name: x, value: handled}]}}
"""


def test_errored_task_and_errored_result(run: Runner) -> None:
    result = run(ERRORED)
    assert phases(result) == {"gen": "Succeeded", "loop": "Error", "on-error": "Succeeded"}
    assert result.nodes["loop"].message.startswith(
        "withParam value could not be parsed as a JSON list: not-json"
    )
    assert result.phase == "Succeeded"


FAN_OUT_RESULTS = """
kind: Workflow
metadata: {name: fan}
spec:
  entrypoint: main
  templates:
  - name: exit
    inputs: {parameters: [{name: code}]}
    container: {image: alpine, command: [sh, -c, "exit {{inputs.parameters.code}}"]}
  - name: main
    dag:
      tasks:
      - {name: mixed, template: exit, withItems: [0, 1],
         arguments: {parameters: [{name: code, value: "{{item}}"}]}}
      - {name: all-bad, template: exit, withItems: [2, 3],
         arguments: {parameters: [{name: code, value: "{{item}}"}]}}
      - {name: any-ok, depends: mixed.AnySucceeded, template: exit,
         arguments: {parameters: [{name: code, value: "0"}]}}
      - {name: all-failed, depends: all-bad.AllFailed, template: exit,
         arguments: {parameters: [{name: code, value: "0"}]}}
      - {name: mixed-all-failed, depends: mixed.AllFailed, template: exit,
         arguments: {parameters: [{name: code, value: "0"}]}}
"""


def test_any_succeeded_and_all_failed(run: Runner) -> None:
    result = run(FAN_OUT_RESULTS)
    assert phases(result) == {
        "mixed": "Failed",
        "mixed(0:0)": "Succeeded",
        "mixed(1:1)": "Failed",
        "all-bad": "Failed",
        "all-bad(0:2)": "Failed",
        "all-bad(1:3)": "Failed",
        "any-ok": "Succeeded",
        "all-failed": "Succeeded",
        "mixed-all-failed": "Omitted",
    }
    assert result.nodes["mixed"].type == "TaskGroup"
    assert result.phase == "Failed"
    assert result.message == "child 'mixed(1:1)' failed"


CONTINUE_ON = """
kind: Workflow
metadata: {name: cont}
spec:
  entrypoint: main
  templates:
  - name: ok
    container: {image: alpine, command: [sh, -c, "exit 0"]}
  - name: fail
    container: {image: alpine, command: [sh, -c, "exit 1"]}
  - name: main
    dag:
      tasks:
      - {name: A, template: fail, continueOn: {failed: true}}
      - {name: B, dependencies: [A], template: ok}
      - {name: leaf-fails, template: fail, continueOn: {failed: true}}
"""


def test_continue_on_failed(run: Runner) -> None:
    result = run(CONTINUE_ON)
    assert phases(result) == {"A": "Failed", "B": "Succeeded", "leaf-fails": "Failed"}
    assert result.phase == "Succeeded"


NO_FAIL_FAST = """
kind: Workflow
metadata: {name: nofail}
spec:
  entrypoint: main
  templates:
  - name: ok
    container: {image: alpine, command: [sh, -c, "sleep 0.3"]}
  - name: fail
    container: {image: alpine, command: [sh, -c, "exit 1"]}
  - name: main
    dag:
      failFast: {fail_fast}
      tasks:
      - {name: bad, template: fail}
      - {name: slow, template: ok}
      - {name: after-slow, depends: slow, template: ok}
"""


@pytest.mark.parametrize("fail_fast", ["true", "false"])
def test_failure_does_not_stop_independent_branches(run: Runner, fail_fast: str) -> None:
    # The controller keeps scheduling tasks whose depends hold after a failure, whatever
    # failFast says (argo-workflows#10312); only the DAG's phase reflects the failure.
    result = run(NO_FAIL_FAST.replace("{fail_fast}", fail_fast))
    assert phases(result) == {"bad": "Failed", "slow": "Succeeded", "after-slow": "Succeeded"}
    assert result.phase == "Failed"
    assert result.message == "child 'bad' failed"
