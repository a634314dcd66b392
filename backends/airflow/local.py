"""The ``local`` flavour: each step is an operator of :mod:`.prelude.local` running on the
Airflow worker; a task node runs ``fcomp-runtime bind`` and then the task's command as a
process, with the command's placeholders filled in with real paths under the storage prefix.

The pod's init containers run first, one after another, as processes too. The task's image,
resources and scheduling fields do not apply to a process on the worker; its environment
variables do (secret variables must be in the worker's environment), and each volume mount
path becomes a private folder of the task's processes, rewritten in their command, args and
variables (as the ``argo-local`` executor does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fcomp.backends.airflow import steps
from fcomp.backends.airflow.emit import EmitContext, Emitter, common_kwargs, templated
from fcomp.backends.airflow.model import Op
from fcomp.backends.airflow.params import nullable
from fcomp.backends.airflow.pods import checks_retries
from fcomp.backends.airflow.pysource import Attr, Call, Expr, Name, call
from fcomp.backends.common.plans import b64
from fcomp.compiler.plugins.units import K8sResourceUnit, Placeholder, PodUnit, Text

PRELUDE = "local"


def text_parts(text: Text | str) -> str | list[Any]:
    """A command string as data: the string itself when it has no placeholders, else its
    plain parts and ``{"ph": kind}`` for each placeholder."""
    if isinstance(text, str):
        return text
    plain = text.plain()
    if plain is not None:
        return plain
    return [p if isinstance(p, str) else {"ph": _kind(p)} for p in text.parts]


def _kind(p: Placeholder) -> str:
    return p.kind.value


#: Pod fields that place or limit a pod, with no effect on a process on the worker.
_POD_ONLY = (
    "nodeSelector",
    "affinity",
    "tolerations",
    "securityContext",
    "serviceAccountName",
    "priorityClassName",
    "schedulerName",
    "runtimeClassName",
    "hostNetwork",
)


def dropped_settings(unit: PodUnit) -> list[str]:
    """What of a task's pod the ``local`` flavour does not apply (the image aside, which no
    process on the worker has): resources, containers other than the primary and the init
    containers, pod-only fields, labels and annotations."""
    pod = unit.pod_spec
    containers = pod.get("containers") or []
    dropped: list[str] = []
    if any(c.get("resources") for c in containers):
        dropped.append("resources")
    dropped += [
        f"sidecar container '{c.get('name')}'" for c in containers if c.get("name") != unit.primary
    ]
    dropped += [key for key in _POD_ONLY if pod.get(key)]
    if unit.labels or unit.annotations:
        dropped.append("pod labels and annotations")
    return dropped


def process_spec(container: Mapping[str, Any]) -> dict[str, Any]:
    """A container as a process: its command and args (``argv``), variables (``env``) and the
    names of its secret variables (``secrets``, read from the worker's environment)."""
    argv = [
        text_parts(t) for t in [*(container.get("command") or []), *(container.get("args") or [])]
    ]
    env: list[list[Any]] = []
    secrets: list[str] = []
    for var in container.get("env") or []:
        if "value" in var:
            env.append([var["name"], text_parts(var["value"])])
        elif "secretKeyRef" in (var.get("valueFrom") or {}):
            secrets.append(var["name"])
    out: dict[str, Any] = {"argv": argv}
    if env:
        out["env"] = env
    if secrets:
        out["secrets"] = secrets
    return out


def mount_paths(pod_spec: Mapping[str, Any]) -> list[str]:
    """Every volume mount path of the pod's containers: each becomes a private folder of the
    task's processes, the path rewritten in their command, args and variables."""
    containers = [*(pod_spec.get("initContainers") or []), *(pod_spec.get("containers") or [])]
    return sorted({str(m["mountPath"]) for c in containers for m in c.get("volumeMounts") or []})


def task_spec(unit: PodUnit, step: steps.Task) -> dict[str, Any]:
    """What the worker needs to run a task node's processes: the pod's init containers one
    after another, then its primary container."""
    main = next(c for c in unit.pod_spec.get("containers", []) if c.get("name") == unit.primary)
    process = process_spec(main)
    spec: dict[str, Any] = {"node": step.node}
    if step.element is not None:
        spec["element"] = True
        if step.element.legacy:  # its attempts share one folder: any failure is retried
            spec["legacy"] = True
    else:
        spec["plan"] = step.plan
        if unit.needs_task_template:
            spec["template"] = b64(unit.task.pb)
    legacy = step.element is not None and step.element.legacy
    if checks_retries(unit, step.element is not None, legacy):
        spec["checked"] = True  # bind (or an element's check) refuses a non-recoverable retry
    spec.update(process)
    init = [process_spec(c) for c in unit.pod_spec.get("initContainers") or []]
    if init:
        spec["init"] = init
    mounts = mount_paths(unit.pod_spec)
    if mounts:
        spec["mounts"] = mounts
    if step.cache is not None:
        spec["cache"] = step.cache.key
    if unit.dynamic and step.element is None:
        spec["dynamic"] = True
        spec["task"] = b64(unit.task.pb)
    if step.xcom:
        spec["xcom"] = True
    if step.env_from:
        spec["env_from"] = [list(pair) for pair in step.env_from]
    return spec


#: How the ``local`` flavour runs a Kubernetes resource's task as a process: the command of
#: its driver, by resource kind (Spark runs in local mode inside ``pyflyte-execute``).
RESOURCE_COMMANDS: dict[str, Callable[[Any], list[Any]]] = {
    "SparkApplication": lambda manifest: list(manifest["spec"]["arguments"]),
}


def resource_runnable(unit: K8sResourceUnit) -> bool:
    """Whether the local flavour can run this resource's task as a process."""
    return unit.kind in RESOURCE_COMMANDS


def _step(ctx: EmitContext, op: Op, kind: str, spec: dict[str, Any], **extra: Expr) -> Call:
    ctx.use(PRELUDE, "FcompStep")
    return call("FcompStep", **common_kwargs(ctx, op), step=kind, spec=spec, **extra)


def emit_start(ctx: EmitContext, op: Op, step: steps.Start) -> Expr:
    """The start task."""
    spec: dict[str, Any] = {
        "types": dict(step.types),
        "fixed": dict(step.fixed),
        "defaults": dict(step.defaults),
    }
    if step.shift:
        spec["shift"] = dict(step.shift)
    if ctx.kickoff:
        spec["kickoff"] = ctx.kickoff
    return _step(ctx, op, "start", spec)


def emit_task(ctx: EmitContext, op: Op, step: steps.Task) -> Expr:
    """A task node (or, mapped over its size task's chunks, a map task's elements)."""
    spec = task_spec(step.unit, step)
    if not op.mapped_over:
        return _step(ctx, op, "task", spec)
    ctx.use(PRELUDE, "FcompStep")
    partial = call(
        Attr(Name("FcompStep"), "partial"), **common_kwargs(ctx, op), step="task", spec=spec
    )
    return call(Attr(partial, "expand"), chunk=Attr(Name(ctx.var(op.mapped_over)), "output"))


def emit_outputs(ctx: EmitContext, op: Op, step: steps.Outputs) -> Expr:
    """The outputs task."""
    return _step(ctx, op, "outputs", {"plan": step.plan})


def emit_branch(ctx: EmitContext, op: Op, step: steps.Branch) -> Expr:
    """A branch node's decision."""
    ctx.use(PRELUDE, "FcompBranch")
    spec = {
        "node": step.node,
        "plan": step.plan,
        "cases": step.cases,
        "targets": [list(t) for t in step.targets],
    }
    return call("FcompBranch", **common_kwargs(ctx, op), spec=spec)


def emit_array_size(ctx: EmitContext, op: Op, step: steps.ArraySize) -> Expr:
    """A map's size task."""
    spec = {"node": step.node, "plan": step.plan, "inputs": list(step.inputs)}
    return _step(ctx, op, "array-size", spec)


def emit_gather(ctx: EmitContext, op: Op, step: steps.Gather) -> Expr:
    """A map's gather task."""
    spec: dict[str, Any] = {"node": step.node, "outputs": step.outputs, "size_from": step.size_from}
    if step.min_successes is not None:
        spec["min_successes"] = step.min_successes
    if step.min_success_ratio is not None:
        spec["min_success_ratio"] = float(step.min_success_ratio)
    return _step(ctx, op, "gather", spec)


def emit_signal(ctx: EmitContext, op: Op, step: steps.Signal) -> Expr:
    """A signal gate."""
    ctx.use(PRELUDE, "FcompSignal")
    spec = {"node": step.node, "type": step.type, "var": step.var}
    return call(
        "FcompSignal",
        **common_kwargs(ctx, op),
        spec=spec,
        subject=templated(f"Signal {step.signal_id}"),
        body=templated(f"Enter the value of Flyte signal '{step.signal_id}'."),
        params={step.var: ctx.param(nullable(step.schema), None, True)},
    )


def emit_child(ctx: EmitContext, op: Op, step: steps.Child) -> Expr:
    """A launch-plan node."""
    spec = {
        "node": step.node,
        "plan": step.plan,
        "dag_id": step.dag_id,
        "file": ctx.files.get(step.dag_id, ""),
        "params": dict(step.params),
    }
    return _step(ctx, op, "child", spec)


def emit_resource(ctx: EmitContext, op: Op, step: steps.Resource) -> Expr:
    """A Kubernetes-resource task run as its driver's command on the worker."""
    unit = step.unit
    spec: dict[str, Any] = {"node": step.node, "plan": step.plan}
    if unit.needs_task_template:
        spec["template"] = b64(unit.task.pb)
    spec["argv"] = [text_parts(t) for t in RESOURCE_COMMANDS[unit.kind](unit.manifest)]
    return _step(ctx, op, "task", spec)


EMITTERS: dict[type, Emitter] = {
    steps.Resource: emit_resource,
    steps.Start: emit_start,
    steps.Task: emit_task,
    steps.Outputs: emit_outputs,
    steps.Branch: emit_branch,
    steps.ArraySize: emit_array_size,
    steps.Gather: emit_gather,
    steps.Signal: emit_signal,
    steps.Child: emit_child,
}
