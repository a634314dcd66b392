"""Build a task's pod the way Flyte's pod plugin does (flytek8s): the primary container from
the task's container or pod spec, node overrides, resources, env, secrets, service account,
interruptible scheduling, extended resources, labels and annotations."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from fcomp.compiler import codes, ir
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.k8svalues import is_dns1123_label
from fcomp.compiler.passes.podspec import known_fields, missing_fields
from fcomp.compiler.plugins.placeholders import UnknownVariableError, parse_text
from fcomp.compiler.plugins.policy import exec_policy
from fcomp.compiler.plugins.registry import LoweringError, TaskContext
from fcomp.compiler.plugins.units import PlaceholderKind, PodUnit, Text
from fcomp.compiler.quantity import parse_quantity

PRIMARY = "primary"
SECRETS_ENV_PREFIX = "_FSEC_"
#: flytekit gives dynamic tasks their serialization settings in this variable.
DYNAMIC_ENV = "_F_SS_C"
#: Makes ``pyflyte-execute`` exit non-zero when the task raised.
FAIL_ON_ERROR = "FLYTE_FAIL_ON_ERROR"
SECRETS_DIR = "/etc/flyte/secrets"
_K8S_RESOURCE_NAMES = {
    "cpu": "cpu",
    "memory": "memory",
    "storage": "storage",
    "ephemeral_storage": "ephemeral-storage",
}


def texts(values: tuple[str, ...], ctx: TaskContext, field: str) -> list[Text]:
    """Container strings with Flyte's template variables turned into placeholders (``field``:
    where they are, as ``container.args``)."""
    out = []
    for v in values:
        try:
            out.append(parse_text(v))
        except UnknownVariableError as exc:
            raise LoweringError.of(
                codes.UNRECOGNIZED_VALUE,
                f"unknown template variable '{{{{.{exc}}}}}' in the container "
                f"{field.rsplit('.', 1)[-1]}",
                ctx,
                field=field,
            ) from None
    return out


def clamp_requests(resources: dict[str, Any]) -> None:
    """Lower each request above its limit to the limit, in place (Flyte's
    ``ensureResourceRange``: a zero or unreadable quantity is left alone)."""
    requests, limits = resources.get("requests"), resources.get("limits")
    if not isinstance(requests, dict) or not isinstance(limits, dict):
        return
    for key, limit in limits.items():
        if key not in requests:
            continue
        want, cap = parse_quantity(str(requests[key])), parse_quantity(str(limit))
        if want is not None and cap is not None and want and cap and want > cap:
            requests[key] = limit


def _resource_lists(
    resources: ir.Resources, gpu_name: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Flyte resources as Kubernetes requests and limits (Flyte's
    ``ToK8sResourceRequirements``), nothing filled in."""
    names = {**_K8S_RESOURCE_NAMES, "gpu": gpu_name}
    requests = {names.get(k, k): v for k, v in resources.requests if k != "unknown"}
    limits = {names.get(k, k): v for k, v in resources.limits if k != "unknown"}
    return requests, limits


def _zero(value: Any) -> bool:
    """Go's ``Quantity.IsZero`` of a value: absent or zero."""
    return value is None or parse_quantity(str(value)) == 0


def _sanitize_gpu(resources: dict[str, Any], gpu_name: str) -> None:
    """A ``gpu`` entry renamed to the GPU resource name, in place (Flyte's
    ``SanitizeGPUResourceRequirements``)."""
    for group in ("requests", "limits"):
        entries = resources.get(group)
        if isinstance(entries, dict) and "gpu" in entries:
            entries[gpu_name] = entries.pop("gpu")


def adjust_resources(
    requests: Mapping[str, Any], limits: Mapping[str, Any], gpu_name: str
) -> dict[str, dict[str, Any]]:
    """Requests and limits as Flyte's ``ApplyResourceOverrides`` leaves them (no platform
    defaults): for CPU and memory, and for ephemeral storage and GPUs when either is given, a
    missing or zero request takes the limit and a missing or zero limit the request; a
    request above its limit is lowered to it."""
    out: dict[str, Any] = {"requests": dict(requests), "limits": dict(limits)}
    _sanitize_gpu(out, gpu_name)
    req, lim = out["requests"], out["limits"]
    keys = ["cpu", "memory"]
    keys += [k for k in ("ephemeral-storage", gpu_name) if k in req or k in lim]
    for key in keys:
        if _zero(req.get(key)) and not _zero(lim.get(key)):
            req[key] = lim[key]
        if _zero(lim.get(key)) and not _zero(req.get(key)):
            lim[key] = req[key]
    out = {group: dict(sorted(out[group].items())) for group in out if out[group]}
    clamp_requests(out)
    return out


def k8s_resources(resources: ir.Resources, gpu_name: str) -> dict[str, dict[str, Any]]:
    """Flyte resources as a container's Kubernetes requests and limits, adjusted as Flyte
    adjusts them (:func:`adjust_resources`)."""
    return adjust_resources(*_resource_lists(resources, gpu_name), gpu_name)


def _primary_resources(main: dict[str, Any], override: ir.Resources, gpu_name: str) -> None:
    """The primary container's resources with the node's override merged entry by entry
    (Flyte's ``MergeResources``), then adjusted, in place."""
    existing = main.get("resources")
    existing = existing if isinstance(existing, dict) else {}
    requests, limits = dict(existing.get("requests") or {}), dict(existing.get("limits") or {})
    # The container's own ``gpu`` entries are renamed first, so the node's win over them.
    _sanitize_gpu({"requests": requests, "limits": limits}, gpu_name)
    extra_requests, extra_limits = _resource_lists(override, gpu_name)
    requests.update(extra_requests)
    limits.update(extra_limits)
    kept = {k: v for k, v in existing.items() if k not in ("requests", "limits")}
    merged = {**kept, **adjust_resources(requests, limits, gpu_name)}
    if merged:
        main["resources"] = merged
    else:
        main.pop("resources", None)


def _secret_env_and_mounts(
    secrets: tuple[ir.Secret, ...],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Secrets as env vars from secret refs (``_FSEC_<GROUP>_<KEY>``) or files under
    ``/etc/flyte/secrets/<group>/<key>``; never their values."""
    env: list[dict[str, Any]] = []
    volumes: list[dict[str, Any]] = []
    mounts: list[dict[str, Any]] = []
    if not secrets:
        return env, volumes, mounts
    env.extend(
        [
            {"name": "FLYTE_SECRETS_ENV_PREFIX", "value": SECRETS_ENV_PREFIX},
            {"name": "FLYTE_SECRETS_DEFAULT_DIR", "value": SECRETS_DIR},
            {"name": "FLYTE_SECRETS_FILE_PREFIX", "value": ""},
        ]
    )
    for s in secrets:
        # Every secret has a group and a key (checked with the task).
        if s.mount_requirement == "FILE":
            vol = f"fsec-{len(volumes)}"
            source = {"secretName": s.group, "items": [{"key": s.key, "path": s.key}]}
            volumes.append({"name": vol, "secret": source})
            mounts.append(
                {"name": vol, "mountPath": f"{SECRETS_DIR}/{s.group.lower()}", "readOnly": True}
            )
            continue
        name = s.env_var or f"{SECRETS_ENV_PREFIX}{s.group}_{s.key}".upper().replace("-", "_")
        env.append({"name": name, "valueFrom": {"secretKeyRef": {"name": s.group, "key": s.key}}})
    return env, volumes, mounts


def _primary_from_container(ctx: TaskContext, c: ir.Container) -> dict[str, Any]:
    container: dict[str, Any] = {"name": PRIMARY, "image": c.image}
    if c.command:
        container["command"] = texts(c.command, ctx, "container.command")
    if c.args:
        container["args"] = texts(c.args, ctx, "container.args")
    if c.env:
        container["env"] = [{"name": k, "value": v} for k, v in c.env]
    if c.ports:
        container["ports"] = [
            {"containerPort": port, **({"name": name} if name else {})} for port, name in c.ports
        ]
    container["terminationMessagePolicy"] = "FallbackToLogsOnError"
    requests, limits = _resource_lists(c.resources, ctx.config.gpu_resource_name)
    if requests or limits:
        container["resources"] = {
            group: dict(sorted(entries.items()))
            for group, entries in (("requests", requests), ("limits", limits))
            if entries
        }
    return container


def _override_pod(
    ctx: TaskContext, labels: dict[str, str], annotations: dict[str, str]
) -> ir.K8sPod | None:
    """The node's pod-template override of a container task as Flyte's
    ``ApplyPodTemplateOverride`` applies it: only one naming a primary container counts; its
    labels and annotations are added to ``labels`` and ``annotations``, and it is returned
    when its pod spec has containers, as it then replaces the task's pod (flytekit writes the
    task's container into it as the primary)."""
    template = ctx.overrides.pod_template
    if template is None or not template.primary_container_name:
        return None
    labels.update(template.metadata.labels)
    annotations.update(template.metadata.annotations)
    return template if known_fields(template.pod_spec or {}).get("containers") is not None else None


def _container_texts(ctx: TaskContext, c: dict[str, Any], at: str) -> dict[str, Any]:
    """A pod spec container (at path ``at``) with its command and args as texts."""
    out = dict(c)
    for key in ("command", "args"):
        values = out.get(key)
        if isinstance(values, list) and all(isinstance(x, str) for x in values):
            out[key] = texts(tuple(values), ctx, f"{at}.{key}")
    return out


def _require_fields(pod: dict[str, Any], at: str, ctx: TaskContext) -> None:
    """The pod must have every field the API server requires, and every container an image,
    once overrides applied (Kubernetes refuses the pod otherwise, and Flyte fails the task
    when it creates it)."""
    missing = missing_fields(pod)
    missing += [
        f"{group}[{i}].image"
        for group in ("initContainers", "containers")
        for i, c in enumerate(pod.get(group) or [])
        if not c.get("image")
    ]
    if not missing:
        return
    raise LoweringError(
        [
            Diagnostic(
                Severity.ERROR,
                codes.VALUE_REQUIRED,
                f"value required [{path}]: the pod of task '{ctx.task.id.name}' leaves it out "
                "(Kubernetes refuses the pod)",
                ctx.node.source.at(field=f"{at}.{path}" if at else path),
            )
            for path in sorted(missing)
        ]
    )


def build_pod(ctx: TaskContext) -> PodUnit:
    """The pod for a container or pod task, with every field that changes execution."""
    task, config, overrides = ctx.task, ctx.config, ctx.overrides
    target = task.target
    labels = dict(task.metadata.k8s_metadata.labels)
    annotations = dict(task.metadata.k8s_metadata.annotations)
    replacing: ir.K8sPod | None = None
    if isinstance(target, ir.Container):
        # The pod-template override of a node counts for container tasks only (the
        # workflow check warns about the others).
        replacing = _override_pod(ctx, labels, annotations)
        if replacing is None:
            pod: dict[str, Any] = {"containers": [_primary_from_container(ctx, target)]}
            primary, at = PRIMARY, ""
        else:
            pod = copy.deepcopy(known_fields(replacing.pod_spec or {}))
            primary, at = replacing.primary_container_name, replacing.path("pod_spec")
    elif isinstance(target, ir.K8sPod):
        # Keys that are no PodSpec field go, as Flyte's decoder drops them (the task check
        # warns).
        pod = copy.deepcopy(known_fields(target.pod_spec or {}))
        primary = target.primary_container_name or task.config_value("primary_container_name")
        at = target.path("pod_spec")
        labels.update(target.metadata.labels)
        annotations.update(target.metadata.annotations)
        if not primary or not any(c.get("name") == primary for c in pod.get("containers", [])):
            raise LoweringError.of(
                codes.VALUE_REQUIRED,
                f"pod task '{task.id.name}' names no primary container that its pod spec has "
                f"(primary_container_name={primary!r})",
                ctx,
                field=target.path("primary_container_name"),
            )
    else:
        raise LoweringError.of(
            codes.VALUE_REQUIRED,
            f"task '{task.id.name}' of type '{task.type}' has no container or pod target",
            ctx,
            field="target",
        )

    pod["containers"] = [
        _container_texts(ctx, c, f"{at}.containers[{i}]")
        for i, c in enumerate(pod.get("containers", []))
    ]
    main = next((c for c in pod["containers"] if c.get("name") == primary), None)
    if main is None:
        raise LoweringError.of(
            codes.VALUE_REQUIRED,
            f"task '{task.id.name}': the pod of the node's pod template override has no "
            f"primary container named '{primary}'",
            ctx,
            field=replacing.path("primary_container_name") if replacing else "",
        )

    # Image: node override, then configured substitutions.
    if overrides.container_image:
        main["image"] = overrides.container_image
    if isinstance(main.get("image"), str):
        main["image"] = config.substitute_image(main["image"])
    _require_fields(pod, at, ctx)

    # Resources: the primary container's, node overrides winning entry by entry; Flyte keeps
    # every other container's requests in range.
    _primary_resources(main, overrides.resources, config.gpu_resource_name)
    for container in pod["containers"]:
        if container is not main and isinstance(container.get("resources"), dict):
            _sanitize_gpu(container["resources"], config.gpu_resource_name)
            clamp_requests(container["resources"])

    # Environment: the launch plan's execution env vars, then secrets.
    env = list(main.get("env") or [])
    names = {e.get("name") for e in env}
    if ctx.launch_plan is not None:
        env.extend({"name": k, "value": v} for k, v in ctx.launch_plan.envs if k not in names)
    # flytekit exits 0 after a user error unless told otherwise (Flyte reads error.pb instead):
    # a failed task must fail its pod, so retries and failure handling see it.
    if FAIL_ON_ERROR not in names:
        env.append({"name": FAIL_ON_ERROR, "value": "true"})
    secret_env, secret_volumes, secret_mounts = _secret_env_and_mounts(
        task.security_context.secrets
    )
    env.extend(secret_env)
    if env:
        main["env"] = env
    if secret_volumes:
        pod["volumes"] = list(pod.get("volumes") or []) + secret_volumes
        main["volumeMounts"] = list(main.get("volumeMounts") or []) + secret_mounts

    policy = exec_policy(task, ctx.node, ctx.workflow, ctx.launch_plan)
    _scheduling(pod, main, ctx, policy.interruptible)

    # The pod's own service account, else the task's, else the launch plan's (Flyte's
    # UpdatePod sets one only on a pod without).
    service_account = task.security_context.service_account or (
        ctx.launch_plan.service_account if ctx.launch_plan is not None else ""
    )
    if service_account and not pod.get("serviceAccountName"):
        pod["serviceAccountName"] = service_account
    pod.setdefault("restartPolicy", "Never")

    needs_template = False
    input_values: list[str] = []
    for c in pod["containers"]:
        for key in ("command", "args"):
            for text in c.get(key) or []:
                for p in text.placeholders:
                    if p.kind is PlaceholderKind.TASK_TEMPLATE_PATH:
                        needs_template = True
                    elif p.kind is PlaceholderKind.INPUT_VALUE and p.arg not in input_values:
                        input_values.append(p.arg)
    data_config = None
    if isinstance(target, ir.Container) and target.data_config and target.data_config.enabled:
        data_config = target.data_config
    elif isinstance(target, ir.K8sPod) and target.data_config and target.data_config.enabled:
        data_config = target.data_config
    dynamic = any(
        e.get("name") == DYNAMIC_ENV for c in pod["containers"] for e in c.get("env") or []
    )
    return PodUnit(
        task=task,
        pod_spec=pod,
        primary=primary,
        labels=tuple(sorted(labels.items())),
        annotations=tuple(sorted(annotations.items())),
        policy=policy,
        needs_task_template=needs_template,
        input_values=tuple(input_values),
        data_config=data_config,
        dynamic=dynamic,
    )


def _select_gpu_nodes(pod: dict[str, Any], gpu: ir.GpuAccelerator, config: Any) -> None:
    """Node selection and tolerations for the accelerator's device and partition size; an
    unpartitioned GPU requires nodes without the partition label (a node affinity term)."""
    selector = dict(pod.get("nodeSelector") or {})
    tolerations = list(pod.get("tolerations") or [])
    for label, value in (
        (config.gpu_device_node_label, gpu.device),
        (config.gpu_partition_size_node_label, gpu.partition_size),
    ):
        if value:
            selector[label] = value
            tolerations.append(
                {"key": label, "operator": "Equal", "value": value, "effect": "NoSchedule"}
            )
    if gpu.unpartitioned and not gpu.partition_size:
        requirement = {"key": config.gpu_partition_size_node_label, "operator": "DoesNotExist"}
        _require_node(pod, requirement)
    if selector:
        pod["nodeSelector"] = selector
    if tolerations:
        pod["tolerations"] = tolerations


def _require_node(pod: dict[str, Any], requirement: dict[str, Any]) -> None:
    """``requirement`` added to every required node selector term of the pod's node affinity,
    or as the only term (Flyte's ``AddRequiredNodeSelectorRequirements``)."""
    affinity = pod.setdefault("affinity", {})
    node = affinity.setdefault("nodeAffinity", {})
    required = node.setdefault("requiredDuringSchedulingIgnoredDuringExecution", {})
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        required["nodeSelectorTerms"] = [{"matchExpressions": [requirement]}]
        return
    for term in terms:
        term["matchExpressions"] = list(term.get("matchExpressions") or []) + [dict(requirement)]


def _scheduling(
    pod: dict[str, Any],
    main: dict[str, Any],
    ctx: TaskContext,
    interruptible: bool,
) -> None:
    """Interruptible tolerations/node selector and extended resources: the GPU accelerator's
    node selection (Flyte's ``ApplyGPUNodeSelectors``) and shared memory."""
    config = ctx.config
    if interruptible:
        if config.interruptible_tolerations:
            pod["tolerations"] = list(pod.get("tolerations") or []) + [
                dict(t) for t in config.interruptible_tolerations
            ]
        if config.interruptible_node_selector:
            pod["nodeSelector"] = {
                **dict(pod.get("nodeSelector") or {}),
                **config.interruptible_node_selector,
            }
    # The node's accelerator and shared memory each win over the task's (Flyte's
    # ApplyExtendedResourcesOverrides).
    node, own = ctx.overrides.extended_resources, ctx.task.extended_resources
    gpu = node.gpu_accelerator if node.gpu_accelerator is not None else own.gpu_accelerator
    if gpu is not None:
        _select_gpu_nodes(pod, gpu, config)
    if node.shared_memory is not None:
        _shared_memory(pod, main, node.shared_memory, ctx, "task_node.overrides.")
    elif own.shared_memory is not None:
        _shared_memory(pod, main, own.shared_memory, ctx, "")


def _shared_memory(
    pod: dict[str, Any], main: dict[str, Any], shm: ir.SharedMemory, ctx: TaskContext, at: str
) -> None:
    """A memory-backed volume mounted in the primary container (Flyte's ``ApplySharedMemory``,
    which fails the task on a missing name or path, a name or path already in use, or a size
    that is no quantity)."""
    name, path = shm.mount_name, shm.mount_path
    mounts = [m for m in main.get("volumeMounts") or [] if isinstance(m, dict)]
    volumes = [v for v in pod.get("volumes") or [] if isinstance(v, dict)]
    invalid, required = codes.INVALID_VALUE, codes.VALUE_REQUIRED
    checks = (
        (not name, required, "its mount name is not set", ".mount_name"),
        (not path, required, "its mount path is not set", ".mount_path"),
        (
            not is_dns1123_label(name),
            invalid,
            f"mount name '{name}' is no DNS-1123 label",
            ".mount_name",
        ),
        (
            any(v.get("name") == name for v in volumes),
            invalid,
            f"a volume is already named '{name}' in the pod spec",
            "",
        ),
        (
            any(m.get("name") == name for m in mounts),
            invalid,
            f"a volume mount is already named '{name}' in the primary container",
            "",
        ),
        (
            any(m.get("mountPath") == path for m in mounts),
            invalid,
            f"'{path}' is already mounted in the primary container",
            "",
        ),
        (
            bool(shm.size_limit) and parse_quantity(shm.size_limit) is None,
            invalid,
            f"size limit '{shm.size_limit}' is no quantity",
            ".size_limit",
        ),
    )
    for failed, code, problem, suffix in checks:
        if failed:
            raise LoweringError.of(
                code,
                f"shared memory of task '{ctx.task.id.name}': {problem}",
                ctx,
                field=f"{at}extended_resources.shared_memory{suffix}",
            )
    volume: dict[str, Any] = {"name": name, "emptyDir": {"medium": "Memory"}}
    if shm.size_limit:
        volume["emptyDir"]["sizeLimit"] = shm.size_limit
    pod["volumes"] = list(pod.get("volumes") or []) + [volume]
    main["volumeMounts"] = [*mounts, {"name": name, "mountPath": path}]
