"""``container`` and ``script`` templates: a pod's containers as local processes.

The image is ignored. ``initContainers`` run first, in order, and each must succeed; then the
main container runs ``command + args`` (a script: ``command + args + [file holding source]``,
as Argo appends its staged script path). Every container gets the machine's environment, its
``env`` values and then the caller's ``env`` (which wins), and its ``workingDir`` (else the run's
``workdir``). ``valueFrom`` env: ``fieldRef`` to ``metadata.name``/``metadata.namespace`` is
filled, ``secretKeyRef`` must come from the caller's ``env`` (else the node fails unless the
reference is ``optional``, as a missing Secret does), others are ignored with a warning.

``sidecars`` start with the main container and are killed when it ends (a sidecar that
exits non-zero by itself fails the pod, as in Argo).

``activeDeadlineSeconds`` and ``timeout`` bound the pod from its start (init containers
included): the process group is killed and the node Fails with Kubernetes' message. A non-zero
exit of the main container Fails the node with "Error (exit code N)"; one of an init container
makes it an Error, "failed to load artifacts", as Argo says of any failed init container.
A container's termination message follows either message after ": ": with
``terminationMessagePolicy: FallbackToLogsOnError`` it is the end of the container's log (the
last 80 lines, at most 2048 bytes, as the kubelet takes it).
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fcomp.backends.argo import kubelet
from fcomp.backends.argo.local.context import RunContext
from fcomp.backends.argo.local.engine import Invocation, StepError
from fcomp.backends.argo.local.model import ERROR, FAILED, SUCCEEDED
from fcomp.backends.argo.local.nodes import POD
from fcomp.backends.argo.local.outputs import (
    OutputError,
    read_path_parameter,
    read_result,
    static_parameter,
)
from fcomp.backends.argo.local.paths import PathMap
from fcomp.backends.argo.local.process import ProcessOutcome, run_process, spawn, stop_background
from fcomp.backends.argo.local.registry import executor
from fcomp.backends.argo.local.values import parse_duration, parse_int
from fcomp.backends.argo.local.variables import substitute_tree

DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


def _deadline(template: dict[str, Any]) -> float | None:
    limits = []
    try:
        if template.get("activeDeadlineSeconds") is not None:
            limits.append(
                float(parse_int(template["activeDeadlineSeconds"], "activeDeadlineSeconds"))
            )
        if template.get("timeout"):
            limits.append(parse_duration(template["timeout"]))
    except ValueError as err:
        raise StepError(str(err)) from None
    return min(limits) if limits else None


def _path_map(inv: Invocation) -> tuple[PathMap, dict[str, Path]]:
    """Local places for the template's output files and volumes; the output file paths."""
    ctx, template = inv.ctx, inv.template
    node_dir = ctx.node_dir(inv.node.name)
    paths = PathMap()
    claims: list[dict[str, Any]] = [
        {"name": (claim.get("metadata") or {}).get("name"), "persistentVolumeClaim": {}}
        for claim in ctx.plan.spec.get("volumeClaimTemplates") or []
    ]
    volumes = {
        str(volume.get("name")): volume
        for volume in claims
        + (ctx.plan.spec.get("volumes") or [])
        + (template.get("volumes") or [])
    }
    template_volumes = {str(v.get("name")) for v in template.get("volumes") or []}
    containers = [template.get("container") or template.get("script") or {}]
    containers += (template.get("initContainers") or []) + (template.get("sidecars") or [])
    for container in containers:
        for mount in container.get("volumeMounts") or []:
            name = str(mount.get("name"))
            if name not in volumes:
                raise StepError(f"volumeMount '{name}' names no volume")
            _note_volume(ctx, volumes[name])
            root = node_dir / "volumes" if name in template_volumes else ctx.run_dir / "volumes"
            local = root / name
            if mount.get("subPath"):
                local = local / str(mount["subPath"])
            local.mkdir(parents=True, exist_ok=True)
            paths.add(str(mount.get("mountPath")), local)
    outputs: dict[str, Path] = {}
    for param in (template.get("outputs") or {}).get("parameters") or []:
        path = (param.get("valueFrom") or {}).get("path")
        if path:
            local = paths.local(str(path))
            if local == Path(str(path)):
                local = paths.add(str(path), node_dir / "fs" / str(path).lstrip("/"))
            local.parent.mkdir(parents=True, exist_ok=True)
            outputs[str(param.get("name"))] = local
    return paths, outputs


def _note_volume(ctx: RunContext, volume: dict[str, Any]) -> None:
    if "emptyDir" not in volume and "persistentVolumeClaim" not in volume:
        ctx.warn(
            f"volume '{volume.get('name')}' is an empty local directory "
            "(only emptyDir and PVC volumes behave as on a cluster)"
        )


def _environment(inv: Invocation, container: dict[str, Any], paths: PathMap) -> dict[str, str]:
    ctx = inv.ctx
    env = dict(os.environ)
    for var in container.get("env") or []:
        name = str(var.get("name"))
        if var.get("value") is not None:
            env[name] = paths.rewrite(str(var["value"]))
            continue
        source = var.get("valueFrom") or {}
        field = (source.get("fieldRef") or {}).get("fieldPath")
        if field == "metadata.name":
            env[name] = str(inv.scope.values.get("pod.name", ""))
        elif field == "metadata.namespace":
            env[name] = ctx.plan.namespace
        elif "secretKeyRef" in source:
            if name in ctx.env:
                continue
            ref = source["secretKeyRef"]
            if ref.get("optional"):
                ctx.warn(f"env {name}: secret '{ref.get('name')}' is not available locally; unset")
                continue
            raise StepError(
                f"env {name}: secret '{ref.get('name')}' key '{ref.get('key')}' is not available "
                f"locally (give {name} in run_workflow(env=...))"
            )
        elif source:
            ctx.warn(f"env {name}: valueFrom {sorted(source)} is ignored locally; unset")
        else:
            env[name] = ""
    if container.get("envFrom"):
        ctx.warn("envFrom is ignored locally")
    env.update(ctx.env)
    return env


def _working_dir(inv: Invocation, container: dict[str, Any], paths: PathMap) -> Path:
    ctx = inv.ctx
    wanted = container.get("workingDir")
    if not wanted:
        return ctx.workdir
    local = Path(paths.rewrite(str(wanted)))
    if local.is_dir():
        return local
    mapped = ctx.node_dir(inv.node.name) / "fs" / str(wanted).lstrip("/")
    mapped.mkdir(parents=True, exist_ok=True)
    ctx.warn(f"workingDir {wanted} does not exist here; {inv.node.name} ran in {mapped}")
    return mapped


#: How much of a failed container's log the kubelet keeps as its termination message.
_LOG_MESSAGE_LINES, _LOG_MESSAGE_BYTES = 80, 2048


def termination_message(container: dict[str, Any], logs: tuple[Path, Path]) -> str:
    """A failed container's termination message: the end of its log (stdout, then stderr)
    under ``FallbackToLogsOnError``, else none (nothing here writes a termination file)."""
    if container.get("terminationMessagePolicy") != "FallbackToLogsOnError":
        return ""
    text = b"".join(path.read_bytes() for path in logs if path.is_file())
    tail = b"\n".join(text.splitlines()[-_LOG_MESSAGE_LINES:])[-_LOG_MESSAGE_BYTES:]
    return tail.decode("utf-8", "replace").strip()


def _failure(
    outcome: ProcessOutcome, stop_reason: str, where: str, message: str = ""
) -> tuple[str, str] | None:
    """The node phase and message for a container that did not succeed, or ``None``; an init
    container's failure (``where`` names it) is an Error; ``message``: its termination
    message."""
    if outcome.start_error:
        return FAILED, f"{where}StartError (exit code 128): {outcome.start_error}"
    if outcome.deadline_exceeded:
        return FAILED, DEADLINE_MESSAGE
    if outcome.stopped:
        return FAILED, stop_reason
    if outcome.exit_code and where:
        return ERROR, "failed to load artifacts" + (f": {message}" if message else "")
    if outcome.exit_code:
        return FAILED, f"Error (exit code {outcome.exit_code})" + (
            f": {message}" if message else ""
        )
    return None


def _argv(container: dict[str, Any]) -> list[str]:
    return [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]


@dataclass
class _Pod:
    """A pod's containers, substituted and with container paths rewritten."""

    inits: list[tuple[str, dict[str, Any]]]
    sidecars: list[tuple[str, dict[str, Any]]]
    main: dict[str, Any]
    argv: list[str]
    paths: PathMap
    output_files: dict[str, Path]


def _prepare(inv: Invocation, kind: str) -> _Pod:
    ctx, node, template = inv.ctx, inv.node, inv.template
    paths, output_files = _path_map(inv)
    scope = inv.scope.child(
        {f"outputs.parameters.{name}.path": str(path) for name, path in output_files.items()}
    )

    def ready(container: dict[str, Any]) -> dict[str, Any]:
        # Argo substitutes the pod once more (globals, inputs, pod name), leaving what it
        # cannot resolve as it is; then the kubelet expands $(VAR) in command, args and env.
        substituted = substitute_tree(container, scope, strict=False)
        resolved: dict[str, Any] = paths.rewrite_tree(kubelet.expand_container(substituted))
        return resolved

    main = ready(template[kind])
    argv = _argv(main)
    if kind == "script":
        script = ctx.node_dir(node.name) / "script"
        script.write_text(str(main.get("source", "")), encoding="utf-8")
        argv.append(str(script))
    elif not main.get("command"):
        ctx.warn(
            "containers without a command run their args as the command "
            "(an image's entrypoint is unknown locally)"
        )
    if not argv:
        raise StepError("container has no command or args to run locally")
    named: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for field, prefix in (("initContainers", "init"), ("sidecars", "sidecar")):
        named[field] = []
        for index, container in enumerate(template.get(field) or []):
            name = str(container.get("name") or f"{prefix}-{index}")
            if not _argv(container):
                raise StepError(f"{prefix} container '{name}' has no command or args")
            named[field].append((name, ready(container)))
    return _Pod(named["initContainers"], named["sidecars"], main, argv, paths, output_files)


def _run_pod(inv: Invocation, kind: str) -> None:
    ctx, node = inv.ctx, inv.node
    deadline = _deadline(inv.template)
    pod = _prepare(inv, kind)
    started = time.monotonic()

    def remaining() -> float | None:
        return None if deadline is None else deadline - (time.monotonic() - started)

    ctx.slots.acquire()
    try:
        for name, container in pod.inits:
            stdout, stderr = ctx.log_paths(node.name, name)
            outcome = run_process(
                _argv(container),
                env=_environment(inv, container, pod.paths),
                cwd=_working_dir(inv, container, pod.paths),
                stdout=stdout,
                stderr=stderr,
                deadline_s=remaining(),
                stop=ctx.stop,
            )
            message = termination_message(container, (stdout, stderr))
            failure = _failure(outcome, ctx.stop.reason, f"init container '{name}': ", message)
            if failure is not None:
                node.finish(*failure)
                return
        failure = _run_main(inv, pod, remaining())
    finally:
        ctx.slots.release()
    try:
        _collect_outputs(inv, pod.output_files, strict=failure is None)
    except OutputError as err:
        node.finish(ERROR, str(err))
        return
    node.finish(*(failure or (SUCCEEDED, "")))


def _run_main(inv: Invocation, pod: _Pod, deadline_s: float | None) -> tuple[str, str] | None:
    """Run the main container with the sidecars beside it; the failure, if any."""
    ctx, node = inv.ctx, inv.node
    sidecars: list[tuple[str, subprocess.Popen[bytes]]] = []
    try:
        for name, container in pod.sidecars:
            stdout, stderr = ctx.log_paths(node.name, name)
            try:
                process = spawn(
                    _argv(container),
                    env=_environment(inv, container, pod.paths),
                    cwd=_working_dir(inv, container, pod.paths),
                    stdout=stdout,
                    stderr=stderr,
                )
            except OSError as err:
                return FAILED, f"sidecar '{name}': StartError (exit code 128): {err}"
            sidecars.append((name, process))
        name = str(pod.main.get("name") or "main")
        node.stdout_path, node.stderr_path = ctx.log_paths(node.name, name)
        outcome = run_process(
            pod.argv,
            env=_environment(inv, pod.main, pod.paths),
            cwd=_working_dir(inv, pod.main, pod.paths),
            stdout=node.stdout_path,
            stderr=node.stderr_path,
            deadline_s=deadline_s,
            stop=ctx.stop,
        )
        node.exit_code = 128 if outcome.start_error else outcome.exit_code
        node.result = read_result(node.stdout_path)
        logs = (node.stdout_path, node.stderr_path)
        failure = _failure(outcome, ctx.stop.reason, "", termination_message(pod.main, logs))
    finally:
        ended = [(name, stop_background(process)) for name, process in sidecars]
    # Argo ignores sidecars it killed (exit 137/143) but not those that failed by themselves.
    for name, code in ended:
        if failure is None and code not in (None, 0, 137, 143):
            failure = FAILED, f"sidecar '{name}': Error (exit code {code})"
    return failure


def _collect_outputs(inv: Invocation, files: dict[str, Path], *, strict: bool) -> None:
    outputs: dict[str, str] = {}
    for param in (inv.template.get("outputs") or {}).get("parameters") or []:
        name = str(param.get("name"))
        try:
            if name in files:
                outputs[name] = read_path_parameter(param, files[name])
                continue
            value = static_parameter(param)
            if value is None:
                raise OutputError(
                    f"output parameter '{name}': only valueFrom.path, value and "
                    "valueFrom.default work for container and script templates"
                )
            outputs[name] = value
        except OutputError:
            if strict:
                raise
    inv.node.outputs = outputs


@executor("container", POD)
def run_container(inv: Invocation) -> None:
    """Run a container template."""
    _run_pod(inv, "container")


@executor("script", POD)
def run_script(inv: Invocation) -> None:
    """Run a script template."""
    _run_pod(inv, "script")
