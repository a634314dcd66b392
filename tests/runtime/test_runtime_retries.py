"""``bind --attempt N``: a retry of an attempt whose error Flyte does not retry is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.core import errors_pb2
from runtime_helpers import Runtime, literal_map

from fcomp.runtime.codec import serialize
from fcomp.runtime.contract import NOT_RETRIED_STATUS

PRELUDE = Path(__file__).resolve().parents[2] / "backends" / "airflow" / "prelude" / "common.py"

RECOVERABLE = errors_pb2.ContainerError.Kind.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.Kind.NON_RECOVERABLE
PLAN = "{}"


def _fail(runtime: Runtime, attempt: int, kind: int, message: str = "boom") -> None:
    document = errors_pb2.ErrorDocument()
    document.error.code = "USER:ValueError"
    document.error.message = f"Traceback (most recent call last):\n  ...\n  {message}\n"
    document.error.kind = kind
    path = runtime.storage.attempt_path("n0", attempt, "error.pb")
    runtime.storage.write(path, serialize(document), "n0")


def _bind(runtime: Runtime, attempt: int) -> tuple[int, str]:
    ran = runtime("bind", "--node", "n0", "--plan", PLAN, "--attempt", str(attempt))
    return ran.status, ran.err


def test_first_attempt_is_never_refused(runtime: Runtime) -> None:
    _fail(runtime, 0, NON_RECOVERABLE)  # left by an earlier execution's files, say
    assert _bind(runtime, 0) == (0, "")


def test_retry_after_a_recoverable_error_binds(runtime: Runtime) -> None:
    _fail(runtime, 0, RECOVERABLE)
    assert _bind(runtime, 1) == (0, "")
    assert runtime.storage.backend.exists(runtime.storage.inputs_path("n0"))


def test_retry_after_a_non_recoverable_error_is_refused(runtime: Runtime) -> None:
    _fail(runtime, 0, NON_RECOVERABLE, "ValueError: bad input")
    status, err = _bind(runtime, 1)
    assert status == 3
    assert err.strip() == (
        "fcomp-runtime bind: error: node 'n0' attempt 0 failed with a non-recoverable error, "
        "not retried (Flyte retries only recoverable errors, such as "
        "FlyteRecoverableException): USER:ValueError: ValueError: bad input"
    )
    # Nothing is bound for the refused attempt, and no attempt folder appears for it, so the
    # execution's error (for a failure node) is still the task's own.
    assert not runtime.storage.backend.exists(runtime.storage.inputs_path("n0"))
    assert sorted(runtime.storage.backend.names(runtime.storage.data_dir("n0"))) == ["0"]


def test_the_latest_earlier_attempt_decides(runtime: Runtime) -> None:
    _fail(runtime, 0, NON_RECOVERABLE)
    _fail(runtime, 1, RECOVERABLE)
    assert _bind(runtime, 2)[0] == 0
    _fail(runtime, 2, NON_RECOVERABLE)
    # A later refused attempt left no folder: attempt 2's error still decides for attempt 4.
    assert _bind(runtime, 4)[0] == 3


def test_attempt_without_an_error_document_is_retried(runtime: Runtime) -> None:
    """A pod lost or killed leaves no error document: Flyte retries it."""
    runtime.put_outputs("n0", literal_map(), attempt=0)  # a partial attempt, no error.pb
    assert _bind(runtime, 1) == (0, "")


@pytest.mark.parametrize("text", ["-1", "x", "١", "1.0", "9999999999"])
def test_attempt_must_be_a_plain_number(runtime: Runtime, text: str) -> None:
    ran = runtime("bind", "--node", "n0", "--plan", PLAN, "--attempt", text)
    assert ran.status == 1 and "not an attempt number" in ran.err


def test_retry_check_alone_refuses_like_bind(runtime: Runtime) -> None:
    """An array element binds nothing: ``retry-check`` makes the same check by itself."""
    _fail(runtime, 0, NON_RECOVERABLE)
    refused = runtime("retry-check", "--node", "n0", "--attempt", "1")
    assert refused.status == NOT_RETRIED_STATUS and "not retried" in refused.err
    _fail(runtime, 1, RECOVERABLE)
    assert runtime("retry-check", "--node", "n0", "--attempt", "2").status == 0


def test_airflow_workers_know_the_refusal_status() -> None:
    """The flavours' common prelude (copied into DAG files, importing nothing of fcomp) holds
    the same exit status."""
    assert f"FCOMP_NOT_RETRIED = {NOT_RETRIED_STATUS}\n" in PRELUDE.read_text()


def test_retry_check_done_tells_a_succeeded_element_from_one_to_run(runtime: Runtime) -> None:
    """``--done``: an element an earlier attempt finished is not run again (a retried chunk of
    elements runs only the failed ones); the others are checked as without it."""
    fresh = runtime("retry-check", "--node", "n0/0", "--attempt", "1", "--done")
    assert (fresh.status, fresh.out.strip()) == (0, "run")
    runtime.put_outputs("n0/0", literal_map(), attempt=0)
    done = runtime("retry-check", "--node", "n0/0", "--attempt", "1", "--done")
    assert (done.status, done.out.strip()) == (0, "done")
    document = errors_pb2.ErrorDocument()
    document.error.kind = NON_RECOVERABLE
    path = runtime.storage.attempt_path("n0/1", 0, "error.pb")
    runtime.storage.write(path, serialize(document), "n0/1")
    refused = runtime("retry-check", "--node", "n0/1", "--attempt", "1", "--done")
    assert refused.status == NOT_RETRIED_STATUS and refused.out == ""


def test_kubernetes_prelude_knows_the_check_containers() -> None:
    """The ``kubernetes`` flavour's prelude (import-free) names the init containers whose exit
    status 3 ends a task's retries: the ones the pods are built with."""
    from fcomp.backends.airflow.pods import BIND_CONTAINER, RETRY_CHECK_CONTAINER

    text = (PRELUDE.parent / "kubernetes.py").read_text()
    assert f'FCOMP_CHECKS = ("{BIND_CONTAINER}", "{RETRY_CHECK_CONTAINER}")\n' in text
