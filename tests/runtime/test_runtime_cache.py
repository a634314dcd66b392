"""Cached task results: looked up by task, version and inputs, shared across executions."""

from __future__ import annotations

import json
from typing import Any

from flyteidl.core import literals_pb2
from runtime_helpers import Runtime, b64, int_literal, literal_map

KEY = {"task": "wf.square", "version": "1", "ignore": ["seed"], "overwrite": False}


def plan(x: int, seed: int) -> str:
    return json.dumps(
        {"x": {"literal": b64(int_literal(x))}, "seed": {"literal": b64(int_literal(seed))}}
    )


def check(run: Runtime, x: int, seed: int = 0, **key: Any) -> str:
    ran = run(
        "cache-check", "--node", "n0", "--plan", plan(x, seed), "--key", json.dumps({**KEY, **key})
    )
    assert ran.status == 0, ran.err
    return ran.out.strip()


def run_task_and_put(run: Runtime, value: int, **key: Any) -> None:
    run.put_outputs("n0", literal_map(o0=int_literal(value)))
    ran = run("cache-put", "--node", "n0", "--key", json.dumps({**KEY, **key}))
    assert ran.status == 0, ran.err


def test_hit_in_a_later_execution(runtime: Runtime) -> None:
    assert check(runtime, 3) == "miss"
    run_task_and_put(runtime, 9)
    later = Runtime(runtime.prefix, "run-2")
    assert check(later, 3) == "hit"
    outputs = later.read_map(later.storage.attempt_path("n0", 0, "outputs.pb"))
    assert outputs == literal_map(o0=int_literal(9))
    assert check(later, 4) == "miss"


def test_ignored_inputs_do_not_count(runtime: Runtime) -> None:
    run_task_and_put_after_check(runtime, x=3, seed=1)
    assert check(runtime, 3, seed=2) == "hit"


def run_task_and_put_after_check(run: Runtime, x: int, seed: int) -> None:
    assert check(run, x, seed) == "miss"
    run_task_and_put(run, x * x)


def test_version_and_task_count(runtime: Runtime) -> None:
    run_task_and_put_after_check(runtime, x=3, seed=0)
    assert check(runtime, 3, version="2") == "miss"
    assert check(runtime, 3, task="wf.other") == "miss"
    assert check(runtime, 3) == "hit"


def test_overwrite_always_misses(runtime: Runtime) -> None:
    run_task_and_put_after_check(runtime, x=3, seed=0)
    assert check(runtime, 3, overwrite=True) == "miss"


def test_literals_with_a_hash_count_by_their_hash(runtime: Runtime) -> None:
    def file_plan(uri: str) -> str:
        literal = literals_pb2.Literal(hash="abc")
        literal.scalar.blob.uri = uri
        return json.dumps({"f": {"literal": b64(literal)}})

    key = json.dumps(KEY)
    ran = runtime("cache-check", "--node", "n0", "--plan", file_plan("s3://b/run1/f"), "--key", key)
    assert ran.out.strip() == "miss"
    run_task_and_put(runtime, 1)
    ran = runtime("cache-check", "--node", "n0", "--plan", file_plan("s3://b/run2/f"), "--key", key)
    assert ran.out.strip() == "hit"


def test_bad_key_fails(runtime: Runtime) -> None:
    ran = runtime("cache-check", "--node", "n0", "--plan", plan(1, 0), "--key", "[]")
    assert ran.status == 1 and "--key must be a JSON object" in ran.err
