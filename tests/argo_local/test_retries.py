"""``retryStrategy`` (docs/retries.md): attempts, policies, back-off, ``{{retries}}``."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from argo_local_support import Runner, phases

from fcomp.backends.argo.local import RunResult

FLAKY = """
kind: Workflow
metadata: {name: flaky}
spec:
  entrypoint: main
  templates:
  - name: flaky
    retryStrategy: {strategy}
    container:
      image: alpine
      command: [sh, -c]
      args:
      - |
        n=$(cat {counter} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > {counter}
        echo "attempt {{retries}}"
        [ $n -ge 3 ] || exit {code}
  - name: main
    dag:
      tasks:
      - {name: a, template: flaky}
"""


def _run(run: Runner, tmp_path: Path, strategy: str, code: int = 1) -> RunResult:
    tmp_path.mkdir(parents=True, exist_ok=True)
    text = (
        FLAKY.replace("{strategy}", strategy)
        .replace("{counter}", str(tmp_path / "counter"))
        .replace("{code}", str(code))
    )
    return run(text)


def test_fails_twice_then_succeeds(run: Runner, tmp_path: Path) -> None:
    result = _run(run, tmp_path, '{limit: "3"}')
    assert result.phase == "Succeeded"
    assert phases(result) == {
        "a": "Succeeded",
        "a(0)": "Failed",
        "a(1)": "Failed",
        "a(2)": "Succeeded",
    }
    assert result.nodes["a"].type == "Retry"
    assert result.nodes["a(0)"].type == "Pod"
    assert result.nodes["a(1)"].message == "Error (exit code 1)"
    assert result.nodes["a(2)"].result == "attempt 2"
    assert result.nodes["a"].result == "attempt 2"
    assert result.nodes["a"].children == ("a(0)", "a(1)", "a(2)")


def test_retries_run_out(run: Runner, tmp_path: Path) -> None:
    result = _run(run, tmp_path, "{limit: 1}")
    assert result.phase == "Failed"
    assert phases(result) == {"a": "Failed", "a(0)": "Failed", "a(1)": "Failed"}
    assert result.nodes["a"].message == "No more retries left"
    assert result.message == "child 'a' failed"


def test_on_error_policy_does_not_retry_failures(run: Runner, tmp_path: Path) -> None:
    result = _run(run, tmp_path, "{limit: 5, retryPolicy: OnError}")
    assert phases(result) == {"a": "Failed", "a(0)": "Failed"}
    assert result.nodes["a"].message == "Error (exit code 1)"


@pytest.mark.parametrize("policy", ["Always", "OnFailure", "OnTransientError"])
def test_policies_that_retry_failures(run: Runner, tmp_path: Path, policy: str) -> None:
    result = _run(run, tmp_path, f"{{limit: 2, retryPolicy: {policy}}}")
    assert result.phase == "Succeeded"
    assert len([n for n in result.nodes if n.startswith("a(")]) == 3


def test_expression_decides_with_exit_code(run: Runner, tmp_path: Path) -> None:
    stop = _run(run, tmp_path / "x", "{limit: 5, expression: 'asInt(lastRetry.exitCode) == 2'}")
    assert phases(stop) == {"a": "Failed", "a(0)": "Failed"}
    go = _run(
        run, tmp_path / "y", "{limit: 5, expression: 'asInt(lastRetry.exitCode) == 2'}", code=2
    )
    assert go.phase == "Succeeded"
    assert phases(go)["a(2)"] == "Succeeded"


def test_backoff_really_waits(run: Runner, tmp_path: Path) -> None:
    started = time.monotonic()
    result = _run(run, tmp_path, '{limit: 3, backoff: {duration: "0.2s", factor: "2"}}')
    elapsed = time.monotonic() - started
    assert result.phase == "Succeeded"
    assert elapsed >= 0.6  # 0.2s then 0.4s


def test_backoff_max_duration(run: Runner, tmp_path: Path) -> None:
    result = _run(run, tmp_path, '{limit: 5, backoff: {duration: "1s", maxDuration: "0.5s"}}')
    assert phases(result) == {"a": "Failed", "a(0)": "Failed"}
    assert result.nodes["a"].message == "Backoff would exceed max duration limit"


RETRIED_DAG = """
kind: Workflow
metadata: {name: retried-dag}
spec:
  entrypoint: main
  templates:
  - name: step
    container:
      image: alpine
      command: [sh, -c]
      args: ['n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}; [ $n -ge 1 ]']
  - name: inner
    retryStrategy: {limit: 2}
    dag:
      tasks:
      - {name: s, template: step}
  - name: main
    dag:
      tasks:
      - {name: d, template: inner}
"""


def test_retry_of_a_dag_template(run: Runner, tmp_path: Path) -> None:
    result = run(RETRIED_DAG.replace("{counter}", str(tmp_path / "n")))
    assert result.phase == "Succeeded"
    assert phases(result) == {
        "d": "Succeeded",
        "d(0)": "Failed",
        "d(0).s": "Failed",
        "d(1)": "Succeeded",
        "d(1).s": "Succeeded",
    }
