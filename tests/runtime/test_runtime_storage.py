"""Storage: layout, latest attempt, atomic and idempotent writes, clear errors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from runtime_helpers import EXEC, Runtime, int_literal, literal_map

from fcomp.runtime import storage as storage_module
from fcomp.runtime.errors import OutputsMissingError, StepError
from fcomp.runtime.storage import Storage, check_node_path, safe_execution_id

PLAN = json.dumps({"x": {"promise": {"node": "n0", "var": "o0"}}})


def test_layout(tmp_path: Path) -> None:
    store = Storage(f"file://{tmp_path}", "exec-1")
    assert store.inputs_path("n3/n1-n0") == f"{tmp_path}/exec-1/n3/n1-n0/data/inputs.pb"
    assert (
        store.attempt_path("n2/7", 1, "outputs.pb") == f"{tmp_path}/exec-1/n2/7/data/1/outputs.pb"
    )


def test_execution_ids_are_made_path_safe() -> None:
    assert (
        safe_execution_id("manual__2024-01-31T12:00:00+00:00")
        == "manual__2024-01-31T12-00-00-00-00"
    )
    with pytest.raises(StepError):
        safe_execution_id("..")


def test_percent_encoded_ids_are_valid_node_paths() -> None:
    assert check_node_path("n3/my%20node-n0") == "n3/my%20node-n0"


@pytest.mark.parametrize("bad", ["", "n1/../n2", "/n1", "n1//n2", "n 1", ".", "n%zz", "n{{x}}"])
def test_bad_node_paths_are_refused(bad: str) -> None:
    with pytest.raises(StepError, match="node path"):
        check_node_path(bad)


def test_latest_attempt_is_chosen_numerically(runtime: Runtime) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(9)), attempt=9)
    runtime.put_outputs("n0", literal_map(o0=int_literal(10)), attempt=10)
    os.makedirs(runtime.storage.attempt_path("n0", 11, ""), exist_ok=True)  # no outputs.pb yet
    assert runtime.storage.latest_outputs("n0").endswith("/n0/data/10/outputs.pb")


def test_missing_outputs_name_the_node_and_path(runtime: Runtime) -> None:
    ran = runtime("bind", "--node", "n1", "--plan", PLAN)
    assert ran.status == 1
    assert "node 'n0' has no outputs" in ran.err
    assert f"{runtime.prefix}/{EXEC}/n0/data/" in ran.err
    assert "Traceback" not in ran.err


def test_corrupt_outputs_name_the_node_and_path(runtime: Runtime) -> None:
    path = runtime.storage.attempt_path("n0", 0, "outputs.pb")
    runtime.storage.write(path, b"\xff\xff not a proto", "n0")
    ran = runtime("bind", "--node", "n1", "--plan", PLAN)
    assert ran.status == 1
    assert f"node 'n0': outputs file {path} is not a valid flyteidl.core.LiteralMap" in ran.err


def test_permission_problems_name_the_path(runtime: Runtime, monkeypatch: Any) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(1)))

    def refuse(self: Any, path: str) -> bytes:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(storage_module.LocalBackend, "read", refuse)
    ran = runtime("bind", "--node", "n1", "--plan", PLAN)
    assert ran.status == 1
    assert "node 'n0': cannot read" in ran.err and "permission denied" in ran.err


def test_retried_bind_gives_identical_bytes(runtime: Runtime) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(1)))
    plan = json.dumps(
        {
            "b": {"map": {"z": {"promise": {"node": "n0", "var": "o0"}}, "a": {"list": []}}},
            "a": {"promise": {"node": "n0", "var": "o0"}},
        }
    )
    assert runtime("bind", "--node", "n1", "--plan", plan).status == 0
    first = Path(runtime.storage.inputs_path("n1")).read_bytes()
    assert runtime("bind", "--node", "n1", "--plan", plan).status == 0
    assert Path(runtime.storage.inputs_path("n1")).read_bytes() == first


def test_crash_between_write_and_rename_exposes_nothing(runtime: Runtime, monkeypatch: Any) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(1)))
    target = runtime.storage.attempt_path("n1", 0, "outputs.pb")
    seen: list[bytes] = []
    real_replace = os.replace

    def crash(source: str, destination: str) -> None:
        if destination != target:
            real_replace(source, destination)
            return
        seen.append(Path(source).read_bytes())  # the whole literal is in the temporary file
        raise KeyboardInterrupt  # the pod dies before the rename

    monkeypatch.setattr(storage_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        runtime("outputs", "--node", "n1", "--plan", PLAN)
    assert seen and not os.path.exists(target)
    with pytest.raises(OutputsMissingError):
        runtime.storage.latest_outputs("n1")
    leftovers = [n for n in os.listdir(os.path.dirname(target)) if not n.startswith(".")]
    assert leftovers == []
    monkeypatch.undo()
    ran = runtime("outputs", "--node", "n1", "--plan", PLAN)  # the retry completes the write
    assert ran.status == 0 and Path(target).read_bytes() == seen[0]


def test_crash_during_rewrite_keeps_the_old_file(runtime: Runtime, monkeypatch: Any) -> None:
    runtime.put_outputs("n0", literal_map(o0=int_literal(1)))
    assert runtime("bind", "--node", "n1", "--plan", PLAN).status == 0
    before = Path(runtime.storage.inputs_path("n1")).read_bytes()
    runtime.put_outputs("n0", literal_map(o0=int_literal(2)), attempt=1)

    def crash(source: str, destination: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(storage_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        runtime("bind", "--node", "n1", "--plan", PLAN)
    assert Path(runtime.storage.inputs_path("n1")).read_bytes() == before


def test_object_store_backend(runtime: Runtime) -> None:
    import fsspec

    remote = Runtime("memory://fcomp-test/prefix")
    remote.put_outputs("n0", literal_map(o0=int_literal(4)), attempt=2)
    ran = remote("outputs", "--node", "end-node", "--plan", PLAN)
    assert (ran.status, ran.json()) == (0, {"x": 4})
    fs = fsspec.filesystem("memory")
    assert fs.isfile(f"/fcomp-test/prefix/{EXEC}/end-node/data/0/outputs.pb")
    fs.rm("/fcomp-test", recursive=True)
