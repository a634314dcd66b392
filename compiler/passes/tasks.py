"""Task checks (Flyte's ``CompileTask``): id, container image and command, resource
quantities, pod spec shape and container names; pod spec keys Kubernetes' decoder drops (in
the task's pod and in its plugin's pods) are reported."""

from __future__ import annotations

import math
from typing import Any

from fcomp.compiler import codes, ir
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.compiler.k8svalues import is_dns1123_label
from fcomp.compiler.messages import (
    DROPPED_CONTAINERS,
    NOT_A_POD_SPEC,
    UNCARRIED_FIELDS,
    UNKNOWN_POD_KEYS,
)
from fcomp.compiler.passes.k8s import task_refusals
from fcomp.compiler.passes.overlays import UNCARRIED, dropped_containers
from fcomp.compiler.passes.plugin_messages import plugin_pod_specs
from fcomp.compiler.passes.podspec import known_fields, pod_spec_errors, unknown_fields
from fcomp.compiler.quantity import parse_quantity


def _error(out: list[Diagnostic], code: str, message: str, source: Source) -> None:
    out.append(Diagnostic(Severity.ERROR, code, message, source))


def check_resources(resources: ir.Resources, source: Source, out: list[Diagnostic]) -> None:
    """Every request and limit must be a Kubernetes quantity."""
    for kind, entries in (("requests", resources.requests), ("limits", resources.limits)):
        for name, value in entries:
            if parse_quantity(value) is None:
                _error(
                    out,
                    codes.UNRECOGNIZED_VALUE,
                    f"unrecognized value [{value}] for resource {name}",
                    source.at(field=f"resources.{kind}.{name}"),
                )


def pod_spec_decodes(spec: Any, what: str, where: Source, out: list[Diagnostic]) -> bool:
    """Whether ``spec`` decodes as a Kubernetes PodSpec (else an ``InvalidValue`` error about
    ``what``); keys the decoder drops get an ``IgnoredField`` warning."""
    bad = pod_spec_errors(spec)
    if bad:
        message = NOT_A_POD_SPEC.format(what=what, paths=", ".join(bad))
        out.append(Diagnostic(Severity.ERROR, NOT_A_POD_SPEC.code, message, where))
        return False
    unknown = unknown_fields(spec)
    if unknown:
        message = UNKNOWN_POD_KEYS.format(keys=", ".join(unknown))
        out.append(Diagnostic(Severity.WARNING, UNKNOWN_POD_KEYS.code, message, where))
    return True


def check_pod(pod: ir.K8sPod, source: Source, out: list[Diagnostic]) -> None:
    """A pod spec must decode as a Kubernetes PodSpec, with DNS-1123 container names."""
    spec, at = pod.pod_spec, pod.path("pod_spec")
    if spec is None:
        _error(out, codes.INVALID_VALUE, "invalid value [k8s pod spec]: missing", source)
        return
    if not pod_spec_decodes(spec, "k8s pod spec", source.at(field=at), out):
        return
    for i, c in enumerate(known_fields(spec).get("containers") or []):
        name = c.get("name") or ""
        if not is_dns1123_label(name):
            _error(
                out,
                codes.INVALID_VALUE,
                f"invalid value [k8s pod spec container name]: '{name}' is not a DNS-1123 label",
                source.at(field=f"{at}.containers[{i}].name"),
            )


def _check_sidecar_job(custom: Any, source: Source, out: list[Diagnostic]) -> None:
    """The parts of a sidecar task's ``SidecarJob`` beside its pod spec must have their
    types (Flyte's plugin fails the task otherwise)."""
    for name in ("labels", "annotations"):
        value = custom.get(name)
        if value is not None and not (
            isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        ):
            _error(
                out,
                codes.INVALID_VALUE,
                f"invalid value [sidecar {name}]: not an object of strings",
                source.at(field=f"custom.{name}"),
            )
    for key in ("primaryContainerName", "primary_container_name"):
        if custom.get(key) is not None and not isinstance(custom[key], str):
            _error(
                out,
                codes.INVALID_VALUE,
                "invalid value [sidecar primaryContainerName]: not a string",
                source.at(field=f"custom.{key}"),
            )


def check_task(task: ir.Task) -> list[Diagnostic]:
    """All errors Flyte's task compiler reports for ``task``."""
    out: list[Diagnostic] = []
    src = task.source
    if not task.id.name:
        _error(out, codes.VALUE_REQUIRED, "value required [Id]", src.at(field="id"))
    timeout = task.metadata.timeout_s
    if timeout is not None and not math.isfinite(timeout):
        _error(
            out,
            codes.SYNTAX_ERROR,
            "failed to parse element [metadata:timeout]: not a valid duration",
            src.at(field="metadata.timeout"),
        )
    for i, secret in enumerate(task.security_context.secrets):
        if not secret.group or not secret.key:
            # Flyte's Kubernetes secret injector refuses such a pod at creation.
            _error(
                out,
                codes.INVALID_VALUE,
                f"secret [{secret.group or '?'}/{secret.key or '?'}] needs both a group (the "
                "Kubernetes secret) and a key (the entry in it)",
                src.at(field=f"security_context.secrets[{i}]"),
            )
    target = task.target
    if isinstance(target, ir.Container):
        has_io = bool(task.interface.inputs or task.interface.outputs)
        if has_io and not target.command and not target.args:
            _error(
                out,
                codes.VALUE_REQUIRED,
                "value required [command]: a task with inputs or outputs needs a container "
                "command or args",
                src.at(field="container.command"),
            )
        if not target.image:
            _error(
                out, codes.VALUE_REQUIRED, "value required [image]", src.at(field="container.image")
            )
        check_resources(target.resources, src.at(field="container"), out)
    elif isinstance(target, ir.K8sPod):
        check_pod(target, src, out)
        if target.where == "custom":
            _check_sidecar_job(task.custom, src, out)
    overlays: list[tuple[str, Any, Any]] = []
    for path, spec, k8s_pod in plugin_pod_specs(task):
        # The plugin decodes its pods as Flyte's plugins do (an error fails the task there).
        if not pod_spec_decodes(spec, f"{task.type} pod spec", src.at(field=path), out):
            continue
        overlays.append((path, spec, k8s_pod))
        dropped = dropped_containers(task, path, spec)
        if dropped:
            message = DROPPED_CONTAINERS.format(kind=task.type, names=", ".join(dropped))
            where = src.at(field=path)
            out.append(Diagnostic(Severity.WARNING, DROPPED_CONTAINERS.code, message, where))
    plugin = UNCARRIED.get(task.type)
    if plugin is not None and not any(d.severity is Severity.ERROR for d in out):
        uncarried, carried = plugin
        for path, fields in uncarried(task, overlays).items():
            message = UNCARRIED_FIELDS.format(
                kind=task.type, fields=", ".join(fields), carried=carried
            )
            where = src.at(field=path)
            out.append(Diagnostic(Severity.WARNING, UNCARRIED_FIELDS.code, message, where))
    out += [refusal.diagnostic(src) for refusal in task_refusals(task)]
    return out
