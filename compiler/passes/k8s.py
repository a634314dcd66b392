"""Values in tasks, node overrides and launch plans that Kubernetes would refuse in the pods
and objects built from them.

Flyte registers such entities and fails when it creates the pod (or, for a launch plan's labels,
the execution); both targets would fail the same way, later and less clearly, so each value is
reported at compile time as ``InvalidValue``, with the field it is in. Checked: label keys and
values, annotation keys and size, environment variable names, secret names and keys, GPU
accelerator values (node selector labels), negative resource quantities. Plugins check their
own pod templates (a ``K8sPod`` in a task's custom settings) with the same functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.compiler import ir
from fcomp.compiler import k8svalues as kv
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.compiler.messages import KUBERNETES_REFUSES
from fcomp.compiler.passes.podspec import known_fields, pod_spec_errors

_SHOWN = 64  # characters of a refused value quoted in a message


@dataclass(frozen=True, slots=True)
class Refusal:
    """One value Kubernetes refuses: where it is, what it is, and why."""

    field: str
    what: str
    value: str
    why: str

    def fields(self) -> dict[str, str]:
        """The fields of the ``KUBERNETES_REFUSES`` message (a long value shortened)."""
        shown = self.value if len(self.value) <= _SHOWN else self.value[:_SHOWN] + "..."
        return {"what": self.what, "value": shown, "why": self.why}

    def message(self) -> str:
        """The diagnostic's text."""
        return KUBERNETES_REFUSES.format(**self.fields())

    def diagnostic(self, source: Source) -> Diagnostic:
        """The ``InvalidValue`` error, at this refusal's field of ``source``."""
        return Diagnostic(
            Severity.ERROR, KUBERNETES_REFUSES.code, self.message(), source.at(field=self.field)
        )


def _check(
    out: list[Refusal], rule: Callable[[Any], str | None], field: str, what: str, value: Any
) -> None:
    why = rule(value)
    if why is not None:
        out.append(Refusal(field, what, str(value), why))


def metadata_refusals(
    labels: Iterable[tuple[str, str]], annotations: Iterable[tuple[str, str]], field: str
) -> list[Refusal]:
    """Label keys and values, annotation keys and the annotations' total size."""
    out: list[Refusal] = []
    for key, value in labels:
        _check(out, kv.qualified_name_problem, f"{field}.labels", "label key", key)
        _check(out, kv.label_value_problem, f"{field}.labels.{key}", "label value", value)
    annotations = tuple(annotations)
    for key, _ in annotations:
        # Kubernetes checks annotation keys in lower case.
        _check(
            out,
            lambda k: kv.qualified_name_problem(k.lower()),
            f"{field}.annotations",
            "annotation key",
            key,
        )
    why = kv.annotations_size_problem(annotations)
    if why is not None:
        out.append(Refusal(f"{field}.annotations", "annotations", "...", why))
    return out


def env_refusals(names: Iterable[str], field: str) -> list[Refusal]:
    """Environment variable names."""
    out: list[Refusal] = []
    for name in names:
        _check(out, kv.env_name_problem, field, "environment variable name", name)
    return out


def resources_refusals(resources: ir.Resources, field: str) -> list[Refusal]:
    """Negative requests and limits."""
    out: list[Refusal] = []
    for group, entries in (("requests", resources.requests), ("limits", resources.limits)):
        for name, value in entries:
            what = f"resource {name}"
            _check(out, kv.negative_quantity_problem, f"{field}.{group}.{name}", what, value)
    return out


def secret_refusals(secrets: tuple[ir.Secret, ...], field: str) -> list[Refusal]:
    """Secret groups (the Kubernetes secret's name), keys and explicit env var names. A secret
    without a group or key is reported by the task check."""
    out: list[Refusal] = []
    for i, s in enumerate(secrets):
        at = f"{field}[{i}]"
        if s.group:
            _check(
                out,
                kv.subdomain_problem,
                f"{at}.group",
                "secret group (a Kubernetes secret name)",
                s.group,
            )
        if s.key:
            _check(out, kv.secret_key_problem, f"{at}.key", "secret key", s.key)
        if s.env_var:
            out += env_refusals([s.env_var], f"{at}.env_var")
    return out


def accelerator_refusals(ext: ir.ExtendedResources, field: str) -> list[Refusal]:
    """A GPU device or partition size, which become node-selector label values."""
    out: list[Refusal] = []
    gpu = ext.gpu_accelerator
    if gpu is not None:
        at = f"{field}.gpu_accelerator"
        _check(out, kv.label_value_problem, f"{at}.device", "GPU device", gpu.device)
        _check(
            out,
            kv.label_value_problem,
            f"{at}.partition_size",
            "GPU partition size",
            gpu.partition_size,
        )
    return out


def _strings(value: Any) -> list[tuple[str, str]]:
    """The string entries of a JSON object (other entries fail the pod spec check)."""
    if not isinstance(value, Mapping):
        return []
    return [(str(k), v) for k, v in value.items() if isinstance(v, str)]


def pod_spec_refusals(spec: Any, field: str) -> list[Refusal]:
    """In a pod spec that decodes: container env names, negative container resources and the
    node selector's labels."""
    out: list[Refusal] = []
    if not isinstance(spec, Mapping) or pod_spec_errors(spec):
        return out
    spec = known_fields(spec)
    for group in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(group) or []):
            at = f"{field}.{group}[{i}]"
            for j, env in enumerate(c.get("env") or []):
                out += env_refusals([env.get("name", "")], f"{at}.env[{j}].name")
            resources = c.get("resources")
            if isinstance(resources, Mapping):
                for kind in ("requests", "limits"):
                    amounts = resources.get(kind)
                    if not isinstance(amounts, Mapping):
                        continue
                    for name, amount in amounts.items():
                        _check(
                            out,
                            kv.negative_quantity_problem,
                            f"{at}.resources.{kind}.{name}",
                            f"resource {name}",
                            amount,
                        )
    selector = _strings(spec.get("nodeSelector"))
    for key, value in selector:
        at = f"{field}.nodeSelector"
        _check(out, kv.qualified_name_problem, at, "node selector key", key)
        _check(out, kv.label_value_problem, f"{at}.{key}", "node selector value", value)
    return out


def pod_refusals(pod: ir.K8sPod) -> list[Refusal]:
    """A pod target or pod-template override: its metadata and its pod spec."""
    meta = pod.metadata
    out = metadata_refusals(meta.labels, meta.annotations, pod.path("metadata"))
    return out + pod_spec_refusals(pod.pod_spec, pod.path("pod_spec"))


def task_refusals(task: ir.Task) -> list[Refusal]:
    """Everything of a task that reaches its pod."""
    meta = task.metadata.k8s_metadata
    out = metadata_refusals(meta.labels, meta.annotations, "metadata.metadata")
    out += secret_refusals(task.security_context.secrets, "security_context.secrets")
    out += accelerator_refusals(task.extended_resources, "extended_resources")
    target = task.target
    if isinstance(target, ir.Container):
        out += env_refusals((k for k, _ in target.env), "container.env")
        out += resources_refusals(target.resources, "container.resources")
    elif isinstance(target, ir.K8sPod):
        out += pod_refusals(target)
    return out


def overrides_refusals(overrides: ir.TaskOverrides, field: str) -> list[Refusal]:
    """A task node's overrides but its pod template (:func:`pod_refusals` of it, where it
    applies)."""
    out = resources_refusals(overrides.resources, f"{field}.resources")
    return out + accelerator_refusals(overrides.extended_resources, f"{field}.extended_resources")


def launch_plan_refusals(lp: ir.LaunchPlan) -> list[Refusal]:
    """A launch plan's labels, annotations and env vars, which reach every pod it starts."""
    out = metadata_refusals(lp.labels, lp.annotations, "spec")
    return out + env_refusals((k for k, _ in lp.envs), "spec.envs")
