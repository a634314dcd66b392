#!/usr/bin/env python3
"""Oracle outputs for the example workflows, recorded with `pyflyte run` (local).

    python examples/oracle.py --list                 # the cases
    python examples/oracle.py --run  [-k PATTERN]    # run, print results, write nothing
    python examples/oracle.py --check [-k PATTERN]   # run, compare with examples/expected/
    python examples/oracle.py --record [-k PATTERN]  # run, (re)write examples/expected/

`--record` is the only way the expected files change, and it refuses to run when the CI
environment variable is set.

Each case runs `pyflyte run fcomp_examples/<module>.py <entity> --input value ...` in a
subprocess (cwd examples/workflows, HOME a fresh temporary directory so flytekit's local
cache starts empty). The subprocess is pyflyte's own click entry point with one hook: the
value `pyflyte run` prints at the end is also converted, with the entity's output types, to
a flyteidl LiteralMap, and that LiteralMap is rendered as plain JSON by
`literal_map_to_plain` -- the same function a test applies to the `outputs.pb` fcomp's run
wrote, so both sides are compared in one form (`outputs_equal`).

Plain JSON form of a literal:
    integer/float/string/boolean -> number/string/bool; datetime -> RFC 3339 string
    ("2024-01-02T03:04:05Z"); duration -> seconds (float); none -> null; collection ->
    list; map -> object (keys sorted); union -> its value; msgpack binary (dataclasses) ->
    the decoded object; generic struct -> object; enum -> its string value;
    blob -> {"blob": "file"|"directory", "format", "uri", "content"} for a file or
    {"blob": "directory", "format", "uri", "files": {relpath: content}};
    structured dataset -> {"structured_dataset": format, "uri", "columns", "rows"}.
URIs differ between runs: the expected files leave the "uri" keys out, and
`outputs_equal` ignores every "uri" key and compares floats with a relative tolerance of
1e-9.

Expected file `examples/expected/<module>.<entity>.<inputset>.json`:
    module, entity, inputset, inputs (as given; "{tmpdir}" stands for a fresh temporary
    directory), cli_args, env, stdin, expect ("succeeded" | "failed"), status, outputs
    (plain JSON, by output name), error ({type, message, root_type, root_message} with the
    temporary directory replaced by "{tmpdir}"), side_files (text files the run left under
    {tmpdir}, by relative path), flyte_side_files (only where Flyte would leave other
    side files than local pyflyte run), recorded_by ("pyflyte run", or "hand" for
    workflows that `pyflyte run` cannot run here), note.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import dataclasses
import fnmatch
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent
WORKFLOWS = EXAMPLES / "workflows"
EXPECTED = EXAMPLES / "expected"
PACKAGE = "fcomp_examples"
TMP = "{tmpdir}"


@dataclasses.dataclass(frozen=True)
class Case:
    module: str
    entity: str  # workflow name, or launch plan name, as `pyflyte run` takes it
    inputset: str
    inputs: dict[str, Any] = dataclasses.field(default_factory=dict)
    expect: str = "succeeded"  # or "failed"
    stdin: str | None = None  # answers to local gate prompts
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    note: str = ""
    # Workflows `pyflyte run` cannot run here: outputs worked out by hand instead.
    hand_outputs: dict[str, Any] | None = None
    # A launch plan run: pyflyte run (flytekit 1.16) ignores a launch plan's default and
    # fixed inputs locally, so the oracle runs its workflow with the inputs Flyte would
    # use: (workflow name, launch plan defaults + fixed inputs + the case's inputs).
    run_as: tuple[str, dict[str, Any]] | None = None
    # For expect="failed": text the error's root message must contain.
    error_contains: str | None = None
    # Where Flyte leaves other side files than local pyflyte run does (local execution
    # runs nodes one by one and stops at the first failure, whatever the failure policy).
    flyte_side_files: dict[str, str] | None = None

    @property
    def key(self) -> str:
        return f"{self.module}.{self.entity}.{self.inputset}"

    @property
    def expected_path(self) -> Path:
        return EXPECTED / f"{self.key}.json"


def _c(module: str, entity: str, inputset: str, inputs: dict[str, Any] | None = None,
      **kw: Any) -> Case:
    return Case(module, entity, inputset, inputs or {}, **kw)


LP_NOTE = ("pyflyte run of a launch plan ignores its default and fixed inputs locally "
           "(flytekit 1.16.31), so the oracle runs the workflow with the launch plan's "
           "effective inputs (run_as).")
ENV_NOTE = ("pyflyte run does not apply @task(environment=...) locally; the oracle sets the "
            "same variables in the process so the recorded output is what Flyte gives.")

CASES: list[Case] = [
    # chain
    _c("chain", "chain_wf", "default"),
    _c("chain", "chain_wf", "x10", {"x": 10}),
    _c("chain", "explicit_order_wf", "default"),
    _c("chain", "explicit_order_wf", "x5", {"x": 5}),
    # fan_in
    _c("fan_in", "fan_in_wf", "default"),
    _c("fan_in", "fan_in_wf", "mixed", {"a": 4, "b": -2, "c": 10}),
    # subworkflows
    _c("subworkflows", "subworkflow_wf", "default"),
    _c("subworkflows", "subworkflow_wf", "x0", {"x": 0}),
    _c("subworkflows", "nested_subworkflow_wf", "default"),
    _c("subworkflows", "nested_subworkflow_wf", "x7", {"x": 7}),
    # launch plans (workflow defaults, and named launch plans run through pyflyte run)
    _c("launch_plans", "greet_wf", "default"),
    _c("launch_plans", "greet_wf", "custom", {"name": "fcomp", "times": 3, "punct": "."}),
    _c("launch_plans", "greet_daily", "default",
      run_as=("greet_wf", {"name": "flyte", "times": 1, "punct": "?"}),
      note="launch plan: defaults name=flyte, times=1; punct fixed to '?'. " + LP_NOTE),
    _c("launch_plans", "greet_daily", "name_argo", {"name": "argo"},
      run_as=("greet_wf", {"name": "argo", "times": 1, "punct": "?"}), note=LP_NOTE),
    _c("launch_plans", "counter_wf", "default"),
    _c("launch_plans", "counter_every_10m", "default",
      run_as=("counter_wf", {"start": 100, "step": 5}),
      note="launch plan: default start=100; step fixed to 5. " + LP_NOTE),
    _c("launch_plans", "counter_every_10m", "start7", {"start": 7},
      run_as=("counter_wf", {"start": 7, "step": 5}), note=LP_NOTE),
    _c("launch_plans", "kickoff_wf", "given", {"kickoff": "2024-05-06T07:08:09"}),
    _c("launch_plans", "kickoff_hourly", "given", {"kickoff": "2024-05-06T07:00:00"},
      run_as=("kickoff_wf", {"kickoff": "2024-05-06T07:00:00", "label": "hourly"}),
      note="the scheduler would fill kickoff; here it is given. " + LP_NOTE),
    # launch plan references
    _c("lp_reference", "lp_reference_wf", "default"),
    _c("lp_reference", "lp_reference_wf", "x5", {"x": 5}),
    # branches
    _c("branches", "branch_compare_wf", "default", note="x=5 y=0.5: case 'small'"),
    _c("branches", "branch_compare_wf", "negative", {"x": -1}),
    _c("branches", "branch_compare_wf", "big_y", {"x": 50, "y": 10.0}),
    _c("branches", "branch_compare_wf", "zero_flagged", {"x": 0, "flag": True}),
    _c("branches", "branch_compare_wf", "zero_unflagged", {"x": 0, "flag": False}),
    _c("branches", "branch_compare_wf", "small_y_not_half", {"x": 5, "y": 1.0}),
    _c("branches", "branch_compare_wf", "large", {"x": 11}),
    _c("branches", "branch_on_output_wf", "default"),
    _c("branches", "branch_on_output_wf", "x8", {"x": 8}),
    _c("branches", "branch_fail_wf", "positive", {"x": 3}),
    _c("branches", "branch_fail_wf", "negative", {"x": -2}, expect="failed",
      error_contains="x must be positive",
      note="else case is .fail('x must be positive')"),
    _c("branches", "nested_branch_wf", "inner_low", {"v": 0.3}),
    _c("branches", "nested_branch_wf", "inner_mid", {"v": 0.6}),
    _c("branches", "nested_branch_wf", "inner_fail", {"v": 0.8}, expect="failed",
      error_contains="only values below 0.7 allowed in (0.1, 1.0)"),
    _c("branches", "nested_branch_wf", "outer_elif", {"v": 2.0}),
    _c("branches", "nested_branch_wf", "outer_else", {"v": 20.0}),
    _c("branches", "branch_subworkflow_wf", "default"),
    _c("branches", "branch_subworkflow_wf", "x1", {"x": 1}),
    # map tasks
    _c("map_tasks", "map_wf", "default"),
    _c("map_tasks", "map_wf", "empty", {"xs": []}),
    _c("map_tasks", "map_min_success_wf", "default",
      note="3 and 6 fail; 4 of 6 succeed >= ceil(0.5*6)"),
    _c("map_tasks", "map_min_success_wf", "too_many_failures", {"xs": [3, 6, 9, 1]},
      expect="failed", error_contains="refusing multiple of three",
      note="1 of 4 succeeds < ceil(0.5*4)"),
    _c("map_tasks", "map_partial_wf", "default"),
    _c("map_tasks", "map_partial_wf", "factor2", {"xs": [0, 5], "factor": 2}),
    _c("map_tasks", "large_map_wf", "default"),
    _c("map_tasks", "large_map_wf", "n1000", {"n": 1000}),
    # dynamic
    _c("dynamic", "dynamic_wf", "default"),
    _c("dynamic", "dynamic_wf", "n0", {"n": 0}),
    _c("dynamic", "nested_dynamic_wf", "default"),
    _c("dynamic", "dynamic_subworkflow_wf", "default"),
    # pod template, spark
    _c("pod_template", "pod_template_wf", "default"),
    _c("spark", "spark_wf", "default"),
    _c("spark", "spark_wf", "n100", {"n": 100}),
    # Airflow operators as tasks (flytekitplugins-airflow needs Airflow 2: record these in an
    # environment of their own)
    _c("plugin_airflow", "airflow_wf", "x5", {"x": 5}),
    _c("plugin_airflow", "airflow_fail_wf", "default", expect="failed",
       error_contains="returned a non-zero exit code 3"),
    # gates
    _c("gates_sleep", "sleep_wf", "default", note="locally the sleep is only simulated"),
    _c("gates_approve", "approve_wf", "approved", stdin="y\n",
      note="locally flytekit asks on the terminal; 'y' approves"),
    _c("gates_approve", "approve_wf", "rejected", stdin="n\n", expect="failed",
      error_contains="did not approve"),
    _c("gates_signal", "signal_wf", "given", stdin="release\n",
      note="locally flytekit prompts for the signal 'title'; the answer is 'release'"),
    # failure handling
    _c("failure", "on_failure_wf", "succeeds", {"x": 2, "marker_dir": f"{TMP}/markers"}),
    _c("failure", "on_failure_wf", "fails", {"x": -1, "marker_dir": f"{TMP}/markers"},
      expect="failed", error_contains="boom: x=-1 is negative",
      note="cleanup (the failure node) leaves markers/cleanup"),
    _c("failure", "fail_after_complete_wf", "succeeds", {"x": 2, "marker_dir": f"{TMP}/markers"}),
    _c("failure", "fail_after_complete_wf", "fails", {"x": -1, "marker_dir": f"{TMP}/markers"},
      expect="failed", error_contains="boom: x=-1 is negative",
      flyte_side_files={"markers/independent": "ran\n"},
      note="on Flyte `independent` still runs under FAIL_AFTER_EXECUTABLE_NODES_COMPLETE "
           "(flyte_side_files); pyflyte run's local executor stops at the first failure, "
           "so it leaves no marker (side_files)"),
    # caching
    _c("caching", "caching_wf", "fresh", {"x": 3, "log_path": f"{TMP}/cache/log.txt"},
      note="second call is a cache hit: the log has one line"),
    # types
    _c("types_scalars", "scalars_wf", "default"),
    _c("types_scalars", "scalars_wf", "custom", {"i": -3, "f": 0.1, "s": "Mixed Case", "b": True}),
    _c("types_scalars", "time_wf", "default", {"by": "1:30:00"},
      note="by is given although it equals the default: pyflyte run 1.16 fails on a "
           "timedelta default (DurationParamType.convert gets a timedelta, not text)"),
    _c("types_scalars", "time_wf", "custom", {"when": "2023-12-31T23:00:00", "by": "2:15:00"},
      note="by is a duration in pyflyte's text form (h:mm:ss); the datetime has no zone (UTC)"),
    _c("types_scalars", "enum_wf", "default"),
    _c("types_scalars", "enum_wf", "blue", {"c": "blue"}),
    _c("types_scalars", "optional_wf", "unbound"),
    _c("types_scalars", "optional_wf", "bound", {"b": 9}),
    _c("types_scalars", "union_wf", "int"),
    _c("types_scalars", "union_wf", "str", {"u": "text"}),
    _c("types_collections", "list_wf", "default"),
    _c("types_collections", "list_wf", "custom", {"xs": [5, -5, 10, 0]}),
    _c("types_collections", "dict_wf", "default"),
    _c("types_collections", "dict_wf", "custom", {"prices": {"x": 0.5, "y": 3.25, "z": 1e-3},
                                                 "factor": 4.0}),
    _c("types_collections", "nested_wf", "default"),
    _c("types_collections", "matrix_wf", "default"),
    _c("types_collections", "bindings_wf", "default"),
    _c("types_dataclass", "dataclass_wf", "default"),
    _c("types_dataclass", "dataclass_wf", "custom", {"name": "other", "values": [1, 2, 3, 4]}),
    _c("types_dataclass", "dataclass_input_wf", "default"),
    _c("types_dataclass", "map_attr_wf", "default"),
    _c("types_dataclass", "map_attr_wf", "empty", {"values": []}),
    _c("types_dataclass", "dataclass_input_wf", "custom", {
        "rec": {"name": "given", "values": [7, 8, 9], "stats": {"count": 3, "mean": 8.0},
                "tags": {"k": "v"}}}),
    _c("types_files", "file_wf", "default"),
    _c("types_files", "file_wf", "custom", {"text": "other text", "repeat": 1}),
    _c("types_files", "directory_wf", "default"),
    _c("types_files", "directory_wf", "three", {"names": ["x", "y", "z"]}),
    _c("types_dataframe", "dataframe_wf", "default"),
    _c("types_dataframe", "dataframe_wf", "custom", {"n": 6, "k": 3}),
    # task settings
    _c("task_config", "task_config_wf", "default",
      env={"GREETING": "hello", "FCOMP_MODE": "example"}, note=ENV_NOTE),
    _c("task_config", "secret_wf", "with_secret", env={"_FSEC_FCOMP_TOKEN": "s3cr3t"},
      note="the secret fcomp/token is given as env var _FSEC_FCOMP_TOKEN (value 's3cr3t')"),
    _c("task_config", "secret_wf", "missing_secret", expect="failed",
      error_contains="Unable to find secret for key token in group fcomp",
      note="no secret fcomp/token available"),
    _c("task_config", "gpu_wf", "default"),
    # raw container: needs a Docker daemon under pyflyte run; outputs worked out by hand
    _c("raw_container", "raw_container_wf", "default", hand_outputs={"o0": 10},
      note="not run by pyflyte here (ContainerTask runs through Docker locally); "
           "c = a + b = 5, doubled"),
    _c("raw_container", "raw_container_wf", "custom", {"a": 20, "b": -1}, hand_outputs={"o0": 38},
      note="not run by pyflyte here; c = 19, doubled"),
]


# ---------------------------------------------------------------------------------------
# Literal -> plain JSON (flyteidl only, plus fsspec/pyarrow/msgpack to read data behind URIs)


def literal_map_to_plain(lm: Any) -> dict[str, Any]:
    """A flyteidl `core.LiteralMap` (message or serialized bytes) as plain JSON."""
    if isinstance(lm, (bytes, bytearray)):
        from flyteidl.core import literals_pb2

        msg = literals_pb2.LiteralMap()
        msg.ParseFromString(bytes(lm))
        lm = msg
    return {k: literal_to_plain(lm.literals[k]) for k in sorted(lm.literals)}


def literal_to_plain(lit: Any) -> Any:
    kind = lit.WhichOneof("value")
    if kind == "scalar":
        return _scalar_to_plain(lit.scalar)
    if kind == "collection":
        return [literal_to_plain(x) for x in lit.collection.literals]
    if kind == "map":
        return {k: literal_to_plain(lit.map.literals[k]) for k in sorted(lit.map.literals)}
    if kind == "offloaded_metadata":
        from flyteidl.core import literals_pb2

        inner = literals_pb2.Literal()
        inner.ParseFromString(_read_bytes(lit.offloaded_metadata.uri))
        return literal_to_plain(inner)
    raise ValueError(f"literal kind {kind!r} has no plain form")


def _scalar_to_plain(sc: Any) -> Any:
    kind = sc.WhichOneof("value")
    if kind == "primitive":
        p = sc.primitive
        pk = p.WhichOneof("value")
        if pk == "integer":
            return int(p.integer)
        if pk == "float_value":
            return float(p.float_value)
        if pk == "string_value":
            return p.string_value
        if pk == "boolean":
            return bool(p.boolean)
        if pk == "datetime":
            return p.datetime.ToJsonString()
        if pk == "duration":
            return p.duration.ToTimedelta().total_seconds()
        raise ValueError(f"primitive {pk!r}")
    if kind == "none_type":
        return None
    if kind == "union":
        return literal_to_plain(sc.union.value)
    if kind == "binary":
        if sc.binary.tag == "msgpack":
            import msgpack

            return msgpack.unpackb(sc.binary.value, raw=False, strict_map_key=False)
        return {"binary": sc.binary.tag, "base64": base64.b64encode(sc.binary.value).decode()}
    if kind == "generic":
        from google.protobuf import json_format

        return json_format.MessageToDict(sc.generic)
    if kind == "blob":
        return _blob_to_plain(sc.blob)
    if kind == "structured_dataset":
        return _dataset_to_plain(sc.structured_dataset)
    if kind == "schema":
        return {"schema": True, "uri": sc.schema.uri}
    if kind == "error":
        return {"error": {"failed_node_id": sc.error.failed_node_id, "message": sc.error.message}}
    raise ValueError(f"scalar kind {kind!r} has no plain form")


def _fs(uri: str) -> tuple[Any, str]:
    import fsspec

    fs, path = fsspec.core.url_to_fs(uri)
    return fs, path


def _read_bytes(uri: str) -> bytes:
    fs, path = _fs(uri)
    with fs.open(path, "rb") as f:
        data: bytes = f.read()
    return data


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(data).decode()


def _blob_to_plain(blob: Any) -> dict[str, Any]:
    from flyteidl.core import types_pb2

    multipart = blob.metadata.type.dimensionality == types_pb2.BlobType.MULTIPART
    out: dict[str, Any] = {
        "blob": "directory" if multipart else "file",
        "format": blob.metadata.type.format,
        "uri": blob.uri,
    }
    fs, root = _fs(blob.uri)
    if multipart:
        files = {}
        for path in sorted(fs.find(root)):
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            with fs.open(path, "rb") as f:
                files[rel] = _text(f.read())
        out["files"] = files
    else:
        with fs.open(root, "rb") as f:
            out["content"] = _text(f.read())
    return out


def _dataset_to_plain(sd: Any) -> dict[str, Any]:
    import pyarrow.parquet as pq

    fs, root = _fs(sd.uri)
    paths = sorted(p for p in fs.find(root)) if fs.isdir(root) else [root]
    tables = [pq.read_table(p, filesystem=fs) for p in paths]
    rows: list[dict[str, Any]] = []
    columns: list[str] = []
    for t in tables:
        columns = columns or list(t.column_names)
        rows.extend(t.to_pylist())
    declared = [c.name for c in sd.metadata.structured_dataset_type.columns]
    return {
        "structured_dataset": sd.metadata.structured_dataset_type.format or "parquet",
        "uri": sd.uri,
        "columns": declared or columns,
        "rows": rows,
    }


def strip_volatile(value: Any) -> Any:
    """The plain value without "uri" keys (they differ between runs)."""
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k != "uri"}
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value


def outputs_equal(expected: Any, actual: Any, rel_tol: float = 1e-9) -> bool:
    """Compare two plain values, ignoring "uri" keys, floats within rel_tol."""
    e, a = strip_volatile(expected), strip_volatile(actual)
    return _eq(e, a, rel_tol)


def _eq(e: Any, a: Any, tol: float) -> bool:
    if isinstance(e, bool) or isinstance(a, bool):
        return type(e) is type(a) and e == a
    if isinstance(e, float) or isinstance(a, float):
        if not isinstance(e, (int, float)) or not isinstance(a, (int, float)):
            return False
        return math.isclose(e, a, rel_tol=tol, abs_tol=1e-12)
    if isinstance(e, dict):
        return isinstance(a, dict) and e.keys() == a.keys() and all(
            _eq(e[k], a[k], tol) for k in e)
    if isinstance(e, list):
        return isinstance(a, list) and len(e) == len(a) and all(
            _eq(x, y, tol) for x, y in zip(e, a, strict=True))
    return type(e) is type(a) and e == a


def load_expected(module: str, entity: str, inputset: str) -> dict[str, Any]:
    path = EXPECTED / f"{module}.{entity}.{inputset}.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def find_case(module: str, entity: str, inputset: str) -> Case:
    for case in CASES:
        if (case.module, case.entity, case.inputset) == (module, entity, inputset):
            return case
    raise KeyError(f"{module}.{entity}.{inputset}")


# ---------------------------------------------------------------------------------------
# Running a case


def cli_value(value: Any) -> str:
    """A Python/JSON value in the text form `pyflyte run` takes for an input."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _fill(value: Any, tmpdir: str) -> Any:
    if isinstance(value, str):
        return value.replace(TMP, tmpdir)
    if isinstance(value, list):
        return [_fill(v, tmpdir) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, tmpdir) for k, v in value.items()}
    return value


def cli_args(case: Case, tmpdir: str = TMP) -> list[str]:
    entity, inputs = case.run_as or (case.entity, case.inputs)
    args = ["run", f"{PACKAGE}/{case.module}.py", entity]
    for name, value in inputs.items():
        if isinstance(value, bool):  # pyflyte run makes bools flags: --name / --no-name
            args.append(f"--{name}" if value else f"--no-{name.replace('_', '-')}")
        else:
            args += [f"--{name}", cli_value(_fill(value, tmpdir))]
    return args


def _side_files(tmpdir: Path) -> dict[str, str]:
    out = {}
    for path in sorted(tmpdir.rglob("*")):
        if path.is_file():
            out[path.relative_to(tmpdir).as_posix()] = _text(path.read_bytes())
    return out


def _unwrap(text: str, tmpdir: str) -> str:
    return text.replace(tmpdir, TMP)


def run_case(case: Case, timeout: float = 600.0) -> dict[str, Any]:
    """Run one case with pyflyte run; the result in the expected-file form."""
    result: dict[str, Any] = {
        "module": case.module,
        "entity": case.entity,
        "inputset": case.inputset,
        "inputs": case.inputs,
        "cli_args": ["pyflyte", *cli_args(case)],
        "env": case.env,
        "stdin": case.stdin,
        "expect": case.expect,
        "error_contains": case.error_contains,
        "note": case.note,
    }
    if case.flyte_side_files is not None:
        result["flyte_side_files"] = case.flyte_side_files
    if case.hand_outputs is not None:
        result.update(status=case.expect, outputs=case.hand_outputs, error=None, side_files={},
                      recorded_by="hand")
        return result
    with tempfile.TemporaryDirectory(prefix="fcomp-oracle-") as tmp:
        tmpdir = Path(tmp) / "run"
        home = Path(tmp) / "home"
        tmpdir.mkdir()
        home.mkdir()
        capture = Path(tmp) / "capture.json"
        env = {**os.environ, **case.env, "HOME": str(home), "FCOMP_ORACLE_CAPTURE": str(capture)}
        env.pop("FLYTE_LOCAL_CACHE_OVERWRITE", None)
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--capture", "--",
             *cli_args(case, str(tmpdir))],
            cwd=WORKFLOWS, env=env, input=case.stdin or "", text=True, capture_output=True,
            timeout=timeout,
        )
        elapsed = time.monotonic() - started
        captured = json.loads(capture.read_text()) if capture.exists() else {}
        status = "succeeded" if proc.returncode == 0 and "outputs" in captured else "failed"
        error = captured.get("error")
        if status == "failed" and error is None:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            error = {"type": "ProcessError", "message": "\n".join(tail),
                     "root_type": "ProcessError", "root_message": "\n".join(tail)}
        if error:
            error = {k: _unwrap(str(v), str(tmpdir)) for k, v in error.items()}
        if status == "failed" and case.error_contains and (
                case.error_contains not in (error or {}).get("root_message", "")):
            status = "failed-otherwise"  # failed, but not for the reason the case expects
        result.update(
            status=status,
            # URIs differ from run to run: the expected files leave them out
            outputs=strip_volatile(captured.get("outputs")) if status == "succeeded" else None,
            error=error,
            side_files=_side_files(tmpdir),
            recorded_by="pyflyte run",
        )
        result["_elapsed"] = round(elapsed, 2)
        result["_stdout"] = proc.stdout
        result["_stderr"] = proc.stderr
    return result


def expected_form(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if not k.startswith("_")}


def dump(result: dict[str, Any]) -> str:
    return json.dumps(expected_form(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------
# The subprocess side: pyflyte's click entry point with a hook on the printed output


def _capture_main(pyflyte_args: list[str]) -> int:
    from flytekit.clis.sdk_in_container import run as run_mod
    from flytekit.clis.sdk_in_container.pyflyte import main as pyflyte_main

    out_path = Path(os.environ["FCOMP_ORACLE_CAPTURE"])
    state: dict[str, Any] = {}
    click = run_mod.click  # rich_click, whose echo run.py calls to print the outputs
    original_run_command = run_mod.run_command

    def run_command(ctx: Any, entity: Any) -> Any:
        inner = original_run_command(ctx, entity)

        def _run(*args: Any, **kwargs: Any) -> Any:
            echoed: list[Any] = []
            real_echo = click.echo

            def echo(message: Any = None, *a: Any, **kw: Any) -> Any:
                echoed.append(message)
                return real_echo(message, *a, **kw)

            click.echo = echo
            try:
                inner(*args, **kwargs)
            except BaseException as exc:
                state["error"] = _describe_error(exc)
                raise
            finally:
                click.echo = real_echo
            state["outputs"] = _outputs_to_plain(entity, echoed[-1] if echoed else None)

        return _run

    run_mod.run_command = run_command
    code = 0
    try:
        pyflyte_main.main(args=pyflyte_args, prog_name="pyflyte", standalone_mode=False)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # recorded, then reported by the exit code
        state.setdefault("error", _describe_error(exc))
        code = 1
    out_path.write_text(json.dumps(state, indent=2, sort_keys=True, default=str))
    if "error" in state:
        print(f"[oracle] failed: {state['error']['root_type']}: "
              f"{state['error']['root_message']}", file=sys.stderr)
        return code or 1
    return code


def _describe_error(exc: BaseException) -> dict[str, str]:
    root = exc
    seen = set()
    while True:
        nxt = root.__cause__ or root.__context__
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(root))
        root = nxt
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "root_type": type(root).__name__,
        "root_message": str(root),
    }


def _outputs_to_plain(entity: Any, value: Any) -> dict[str, Any]:
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    outputs = dict(entity.python_interface.outputs)
    if not outputs:
        values: dict[str, Any] = {}
    elif len(outputs) == 1:
        values = {next(iter(outputs)): value}
    else:
        values = dict(zip(outputs, value, strict=True))
    ctx = FlyteContextManager.current_context()
    lm = TypeEngine.dict_to_literal_map(ctx, values, type_hints=outputs)
    return literal_map_to_plain(lm.to_flyte_idl())


# ---------------------------------------------------------------------------------------
# Command line


def _select(patterns: list[str] | None) -> list[Case]:
    if not patterns:
        return list(CASES)
    return [c for c in CASES if any(fnmatch.fnmatch(c.key, p) or p in c.key for p in patterns)]


def _compare(case: Case, result: dict[str, Any]) -> list[str]:
    problems = []
    if not case.expected_path.exists():
        return [f"missing {case.expected_path.relative_to(EXAMPLES)}"]
    exp = json.loads(case.expected_path.read_text())
    if exp["status"] != result["status"]:
        problems.append(f"status {result['status']} != expected {exp['status']}")
    elif not outputs_equal(exp["outputs"], result["outputs"]):
        problems.append(f"outputs {result['outputs']} != expected {exp['outputs']}")
    if not problems and case.expected_path.read_text() != dump(result):
        problems.append("same outputs, but the expected file would change: "
                        "run --record -k " + case.key + " and look at the diff")
    if exp.get("side_files") != result.get("side_files"):
        problems.append(f"side files {result.get('side_files')} != {exp.get('side_files')}")
    if exp.get("error") and result.get("error") and (
            exp["error"]["root_message"] != result["error"]["root_message"]):
        problems.append(f"error {result['error']['root_message']!r} != "
                        f"{exp['error']['root_message']!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["--capture", "--"]:
        return _capture_main(argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--list", action="store_true", help="list the cases")
    mode.add_argument("--run", action="store_true", help="run and print, write nothing")
    mode.add_argument("--check", action="store_true", help="run and compare with expected/")
    mode.add_argument("--record", action="store_true", help="run and rewrite expected/")
    ap.add_argument("-k", action="append", help="case key glob or substring (repeatable)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="parallel runs (default 2)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print pyflyte's output")
    ns = ap.parse_args(argv)
    cases = _select(ns.k)
    if ns.list:
        for c in cases:
            extra = " (hand)" if c.hand_outputs is not None else ""
            print(f"{c.key:70s} {c.expect}{extra}  {json.dumps(c.inputs)}")
        return 0
    if ns.record and os.environ.get("CI"):
        print("refusing to --record under CI", file=sys.stderr)
        return 2
    if shutil.which("pyflyte") is None and not Path(sys.executable).with_name("pyflyte").exists():
        print("warning: pyflyte not found next to this interpreter", file=sys.stderr)
    bad = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, ns.jobs)) as pool:
        futures = {pool.submit(run_case, c): c for c in cases}
        for fut in concurrent.futures.as_completed(futures):
            case = futures[fut]
            res = fut.result()
            ok_expect = res["status"] == case.expect
            line = (f"{case.key:62s} {res['status']:9s} {res.get('_elapsed', 0):6.1f}s "
                    f"{'' if ok_expect else '!! expected ' + case.expect}")
            if ns.verbose or not ok_expect:
                line += "\n" + (res.get("_stdout") or "") + (res.get("_stderr") or "")[-3000:]
            if ns.run:
                line += "\n  " + json.dumps(res["outputs"] if res["status"] == "succeeded"
                                            else res["error"])[:1000]
            if not ok_expect:
                bad += 1
            if ns.check:
                problems = _compare(case, res)
                if problems:
                    bad += 1
                    line += "\n  " + "\n  ".join(problems)
            if ns.record and ok_expect:
                EXPECTED.mkdir(exist_ok=True)
                case.expected_path.write_text(dump(res))
            print(line, flush=True)
    if ns.record:
        known = {c.expected_path.name for c in CASES}
        for stale in sorted(EXPECTED.glob("*.json")):
            if stale.name not in known and not ns.k:
                print(f"removing stale {stale.name}")
                stale.unlink()
    print(f"{len(cases) - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
