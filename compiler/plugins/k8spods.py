"""Pod pieces shared by the Kubernetes-operator plugins (Spark, Ray, Dask, Kubeflow): the task's
pod as Flyte's ``flytek8s.ToK8sPodSpec`` builds it, custom pod overlays (``K8sPod`` messages in a
plugin's settings) and pod templates with the task's labels and annotations."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from fcomp.compiler import codes, ir
from fcomp.compiler.passes.k8s import Refusal, metadata_refusals, pod_spec_refusals
from fcomp.compiler.passes.podspec import known_fields, merge_overlay
from fcomp.compiler.plugins.custom import Custom
from fcomp.compiler.plugins.pods import build_pod, k8s_resources
from fcomp.compiler.plugins.registry import LoweringError, TaskContext
from fcomp.compiler.plugins.units import PodUnit


def task_pod(ctx: TaskContext, interruptible: bool | None = None) -> PodUnit:
    """The task's pod; ``interruptible=False`` builds it as a non-interruptible one (Flyte's
    ``WithInterruptible(false)``, used for Spark drivers and Dask schedulers)."""
    if interruptible is None:
        return build_pod(ctx)
    meta = dataclasses.replace(ctx.node.metadata, interruptible=interruptible)
    node = dataclasses.replace(ctx.node, metadata=meta)
    return build_pod(dataclasses.replace(ctx, node=node))


def overlay(pod: dict[str, Any], k8s_pod: Custom | None) -> dict[str, Any]:
    """``pod`` with a plugin's ``K8sPod.pod_spec`` merged onto it (Flyte's
    ``MergeOverlayPodSpecOntoBase``)."""
    if k8s_pod is None:
        return pod
    spec = k8s_pod.raw("pod_spec")
    if spec is None:
        return pod
    if not isinstance(spec, dict):
        raise LoweringError.of(
            codes.INVALID_VALUE,
            f"{k8s_pod.where}.podSpec of task '{k8s_pod.ctx.task.id.name}' is not an object",
            k8s_pod.ctx,
            field=f"{k8s_pod.where}.podSpec",
        )
    check(k8s_pod)
    # Go decodes the overlay into a PodSpec first: keys that are no PodSpec field go.
    return merge_overlay(pod, known_fields(spec))


def check(k8s_pod: Custom) -> None:
    """Fail with an ``InvalidValue`` error for each value of a plugin's ``K8sPod`` (metadata
    and pod spec) that Kubernetes would refuse."""
    refusals: list[Refusal] = []
    meta = k8s_pod.message("metadata")
    if meta is not None:
        labels, annotations = meta.strings("labels"), meta.strings("annotations")
        refusals += metadata_refusals(labels.items(), annotations.items(), meta.where)
    refusals += pod_spec_refusals(k8s_pod.raw("pod_spec"), f"{k8s_pod.where}.podSpec")
    if refusals:
        raise LoweringError([r.diagnostic(k8s_pod.ctx.node.source) for r in refusals])


def primary(pod: dict[str, Any], name: str, ctx: TaskContext) -> dict[str, Any]:
    """The container named ``name`` (Flyte's ``GetContainer``)."""
    for container in pod.get("containers", []):
        if container.get("name") == name:
            found: dict[str, Any] = container
            return found
    raise LoweringError.of(
        codes.VALUE_REQUIRED,
        f"task '{ctx.task.id.name}': its pod has no primary container named '{name}'",
        ctx,
    )


def pod_copy(unit: PodUnit) -> dict[str, Any]:
    """A deep copy of a unit's pod spec (units are shared; manifests are edited)."""
    return copy.deepcopy(dict(unit.pod_spec))


def metadata(unit: PodUnit, extra: Custom | None = None) -> dict[str, Any]:
    """Pod-template metadata: the task's labels and annotations, then a ``K8sPod``'s own."""
    labels = dict(unit.labels)
    annotations = dict(unit.annotations)
    if extra is not None:
        meta = extra.message("metadata")
        if meta is not None:
            check(extra)
            labels.update(meta.strings("labels"))
            annotations.update(meta.strings("annotations"))
    out: dict[str, Any] = {}
    if labels:
        out["labels"] = dict(sorted(labels.items()))
    if annotations:
        out["annotations"] = dict(sorted(annotations.items()))
    return out


def template(unit: PodUnit, pod: dict[str, Any], extra: Custom | None = None) -> dict[str, Any]:
    """A ``PodTemplateSpec`` of ``pod`` with the task's metadata."""
    meta = metadata(unit, extra)
    return {"metadata": meta, "spec": pod} if meta else {"spec": pod}


def resources_json(resources: ir.Resources, ctx: TaskContext) -> dict[str, dict[str, str]]:
    """Plugin-given resources as a Kubernetes ``ResourceRequirements``."""
    return k8s_resources(resources, ctx.config.gpu_resource_name)
