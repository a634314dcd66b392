"""``fcomp run --engine airflow-local``: build with the ``local`` flavour, run the launch
plan's DAG with real Airflow (``dag.test()`` in a subprocess, SQLite, a throwaway home), and
read the workflow's outputs from storage.

Launch-plan nodes and dynamic tasks run their child DAG with ``dag.test()`` too
(``FCOMP_AIRFLOW_INLINE_CHILDREN``), since no scheduler runs beside ``dag.test()``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fcomp.backends.airflow import params as param_forms
from fcomp.backends.airflow.answers import Answers, Responder
from fcomp.backends.airflow.build import build_airflow, dag_files
from fcomp.backends.airflow.home import base_env, make_home
from fcomp.backends.common.launch_plans import launch_plans
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic
from fcomp.compiler.driver import Compilation

RUN_MARKER = "FCOMP_RUN "


class RunError(Exception):
    """A run that cannot start (bad launch plan or parameter)."""


@dataclass
class AirflowRun:
    """The outcome of a local run: the DAG run's state, its outputs as plain JSON (None when it
    failed), the execution id, and where the data, the Airflow home and the log are."""

    state: str
    outputs: dict[str, Any] | None
    execution: str
    storage: Path
    home: Path
    log: Path
    seconds: float

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return self.state == "success"


def conf_from_texts(
    compilation: Compilation, launch_plan: str, texts: Mapping[str, str]
) -> dict[str, Any]:
    """``-p name=text`` values as the DAG's typed params."""
    lp = next((p for p in launch_plans(compilation, (), []) if p.id.name == launch_plan), None)
    if lp is None:
        raise RunError(f"no launch plan named '{launch_plan}'")
    assert compilation.compiled is not None
    cw = compilation.compiled.workflow(lp.workflow)
    assert cw is not None
    specs = {s.name: s for s in param_forms.param_specs(lp, cw.workflow)}
    fixed = {name for name, _ in lp.fixed_inputs}
    conf: dict[str, Any] = {}
    for name, text in texts.items():
        if name in fixed:
            raise RunError(f"input '{name}' is fixed by launch plan '{launch_plan}'")
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(sorted(specs)) or "none"
            raise RunError(f"launch plan '{launch_plan}' has no input '{name}' (inputs: {known})")
        conf[name] = param_forms.value_from_text(text, spec.schema)
    return conf


def run_airflow_local(
    compilation: Compilation,
    launch_plan: str,
    parameters: Mapping[str, str],
    *,
    storage: Path,
    config: Config,
    workdir: Path,
    pythonpath: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    answers: Answers | None = None,
    timeout: float = 1800.0,
    flavour: str = "local",
) -> tuple[AirflowRun | None, list[Diagnostic]]:
    """Build every launch plan, then run ``launch_plan`` with ``parameters`` (texts) and wait
    for it; ``answers`` respond to approve and signal gates. ``flavour`` is the ``local`` one
    unless the environment runs pods some other way (tests run the ``kubernetes`` flavour's
    pods as local processes)."""
    import subprocess

    storage = storage.resolve()
    # a plain path, not file://: flytekit reads local files (FlyteFile) only by plain paths
    config = replace(
        config,
        airflow_flavour=flavour,
        storage_prefix=str(storage),
        raw_output_prefix=str(storage / "raw"),  # a local run keeps raw data local too
    )
    files, diagnostics = build_airflow(compilation, config)
    if any(d.severity.name == "ERROR" for d in diagnostics):
        return None, diagnostics
    dag_file = dag_files(compilation).get(launch_plan)
    if dag_file is None:
        raise RunError(f"no launch plan named '{launch_plan}'")
    conf = conf_from_texts(compilation, launch_plan, parameters)
    workdir.mkdir(parents=True, exist_ok=True)
    home = make_home(workdir)
    for name, text in files.items():
        (home / "dags" / name).write_text(text, encoding="utf-8")
    full_env = {
        **os.environ,
        **base_env(home),
        "FCOMP_AIRFLOW_INLINE_CHILDREN": "1",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join(
            [*(str(Path(p).resolve()) for p in pythonpath), os.environ.get("PYTHONPATH", "")]
        ),
        **(env or {}),
    }
    log = workdir / "airflow-run.log"
    started = time.monotonic()
    with (
        Responder(answers or Answers(), full_env, workdir / "responder.log"),
        open(log, "w", encoding="utf-8") as out,
    ):
        subprocess.run(
            [sys.executable, str(home / "dags" / dag_file), "--conf", json.dumps(conf)],
            env=full_env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    seconds = time.monotonic() - started
    result = _last_marker(log)
    run_id, state = str(result.get("run_id", "")), str(result.get("state", "failed"))
    execution = _safe(run_id)
    outputs = None
    if state == "success":
        outputs = show_outputs(str(storage), execution, full_env)
    return AirflowRun(state, outputs, execution, storage, home, log, seconds), []


def show_outputs(prefix: str, execution: str, env: Mapping[str, str]) -> dict[str, Any]:
    """The workflow outputs of a run as plain JSON (the runtime's ``show`` of the end node)."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "fcomp.runtime", "show"]
        + ["--prefix", prefix, "--exec", execution, "--node", "end-node"],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RunError(f"cannot read the workflow outputs: {proc.stderr.strip()}")
    shown: dict[str, Any] = json.loads(proc.stdout)
    return shown


def _last_marker(log: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(RUN_MARKER):
            found = json.loads(line[len(RUN_MARKER) :])
    return found


def _safe(run_id: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]", "-", run_id)
