"""``fcomp run --engine argo-local``: build for Argo, then run the compiled documents on this
machine with the local executor of the Argo subset fcomp emits.

This is a local check of a build before deploying it, not a replacement for Argo: containers
run as processes of this machine's environment (the images are ignored), with a local storage
folder.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from fcomp.backends.argo.build import build_argo
from fcomp.backends.argo.documents import ArgoOptions
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic
from fcomp.compiler.driver import Compilation

Resume = Callable[[str, dict[str, Any]], dict[str, Any] | None]


@dataclass
class LocalRun:
    """The outcome of a local run: the workflow's phase and message, its outputs as plain
    JSON (None when it failed), the execution id and where logs and data are."""

    phase: str
    message: str
    outputs: dict[str, Any] | None
    execution: str
    storage: Path
    logs: Path
    #: ``node: why`` for each node that failed of its own (not because a child did).
    failures: tuple[str, ...] = ()


def _tool_path() -> str:
    """PATH with this interpreter's scripts (``fcomp-runtime``, ``pyflyte-execute``) first."""
    bindir = str(Path(sys.executable).parent)
    return os.pathsep.join([bindir, os.environ.get("PATH", "")])


class ArgoRunError(ValueError):
    """A run that cannot start: an unknown launch plan, or ``-p`` values that do not fit
    its inputs."""


def _check_parameters(
    compilation: Compilation,
    launch_plan: str,
    template: dict[str, Any],
    parameters: Mapping[str, str],
) -> None:
    """Every given input is one of the plan's free inputs; every required one is given."""
    from fcomp.backends.common.launch_plans import launch_plans

    lp = next(p for p in launch_plans(compilation, (), []) if p.id.name == launch_plan)
    assert compilation.compiled is not None
    cw = compilation.compiled.workflow(lp.workflow)
    assert cw is not None
    inputs = cw.workflow.interface.inputs
    fixed = {name for name, _ in lp.fixed_inputs}
    declared = {
        p["name"]: p
        for p in template["spec"].get("arguments", {}).get("parameters", [])
        if p["name"] in inputs
    }
    for name in parameters:
        if name in fixed:
            raise ArgoRunError(f"input '{name}' is fixed by launch plan '{launch_plan}'")
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise ArgoRunError(
                f"launch plan '{launch_plan}' has no input '{name}' (inputs: {known})"
            )
    missing = sorted(n for n, p in declared.items() if "value" not in p and n not in parameters)
    if missing:
        raise ArgoRunError(
            f"launch plan '{launch_plan}' needs a value for "
            + ", ".join(f"'{n}'" for n in missing)
            + " (pass -p NAME=VALUE)"
        )


def run_argo_local(
    compilation: Compilation,
    launch_plan: str,
    parameters: Mapping[str, str],
    *,
    storage: Path,
    config: Config,
    workdir: Path,
    pythonpath: Sequence[str] = (),
    resume: Resume | None = None,
    name: str | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> tuple[LocalRun | None, list[Diagnostic]]:
    """Build every launch plan, then run ``launch_plan`` with ``parameters`` (texts);
    ``extra_env`` is added to every process's environment."""
    from fcomp.backends.argo.local import run_workflow
    from fcomp.runtime.commands import read_outputs_json

    storage = storage.resolve()
    # A plain path, not file://: flytekit reads local files (FlyteFile) only by plain paths.
    config = replace(  # a local run keeps raw data local too
        config, storage_prefix=str(storage), raw_output_prefix=str(storage / "raw")
    )
    files, diagnostics = build_argo(compilation, config, ArgoOptions(emit="template"))
    if diagnostics:
        return None, diagnostics
    docs = [d for text in files.values() for d in yaml.safe_load_all(text)]
    templates = [d for d in docs if d["kind"] == "WorkflowTemplate"]
    wanted = next(
        (
            d
            for d in templates
            if d["metadata"].get("annotations", {}).get("fcomp.dev/launch-plan") == launch_plan
        ),
        None,
    )
    if wanted is None:
        known = sorted(d["metadata"]["annotations"]["fcomp.dev/launch-plan"] for d in templates)
        raise ArgoRunError(f"no launch plan named '{launch_plan}'; known: {', '.join(known)}")
    _check_parameters(compilation, launch_plan, wanted, parameters)
    env = {
        **(extra_env or {}),
        "PATH": _tool_path(),
        "PYTHONPATH": os.pathsep.join([*pythonpath, os.environ.get("PYTHONPATH", "")]),
    }
    workdir.mkdir(parents=True, exist_ok=True)
    result = run_workflow(
        wanted,
        templates=templates,
        parameters=dict(parameters),
        workdir=workdir,
        env=env,
        resume=resume,
        name=name,
    )
    execution = result.name
    outputs = None
    if result.phase == "Succeeded":
        outputs = read_outputs_json(str(storage), execution, "end-node")
    failures = tuple(
        f"{node.name or node.display_name}: {node.message}"
        for node in result.nodes.values()
        if node.phase in ("Failed", "Error") and not node.children and node.message
    )
    run = LocalRun(
        result.phase, result.message, outputs, execution, storage, result.logs_dir, failures
    )
    return run, []


def gate_answers(approve: bool | None, signals: Mapping[str, str]) -> Resume:
    """Answers to the gates of a local run, as a person would give them with ``argo resume``
    (approve gates: ``approve``; None leaves them unanswered, which fails the node) and
    ``argo node set --output-parameters value=...`` (signal gates: the value given for the
    gate's signal id, which its ``signal`` input holds URL-quoted)."""

    def resume(node: str, template: dict[str, Any]) -> dict[str, Any] | None:
        outputs = (template.get("outputs") or {}).get("parameters") or []
        if not outputs:
            return {} if approve else None
        inputs = (template.get("inputs") or {}).get("parameters") or []
        quoted = next((p.get("value") for p in inputs if p.get("name") == "signal"), None)
        signal = unquote(quoted) if isinstance(quoted, str) else None
        if signal is None or signal not in signals:
            return None
        return {str(p.get("name")): signals[signal] for p in outputs}

    return resume


def clean(path: Path) -> None:
    """Remove a run's folder (storage or logs)."""
    shutil.rmtree(path, ignore_errors=True)
