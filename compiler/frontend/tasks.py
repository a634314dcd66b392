"""Convert ``flyteidl.core.TaskTemplate`` messages into IR tasks."""

from __future__ import annotations

from typing import Any

from flyteidl.core import identifier_pb2, security_pb2, tasks_pb2

from fcomp.compiler import ir
from fcomp.compiler.diagnostics import Source
from fcomp.compiler.frontend.interfaces import convert_interface
from fcomp.compiler.frontend.structs import checked_seconds, json_field, struct_data

_RESOURCE_NAMES = {
    0: "unknown",
    1: "cpu",
    2: "gpu",
    3: "memory",
    4: "storage",
    5: "ephemeral_storage",
}


def convert_ident(i: identifier_pb2.Identifier) -> ir.Ident:
    """Convert an identifier."""
    return ir.Ident(
        resource_type=ir.ResourceType(i.resource_type)
        if i.resource_type in ir.ResourceType._value2member_map_
        else ir.ResourceType.UNSPECIFIED,
        name=i.name,
        project=i.project,
        domain=i.domain,
        version=i.version,
        org=i.org,
    )


def convert_resources(r: tasks_pb2.Resources) -> ir.Resources:
    """Convert resource requests and limits (order kept as given)."""

    def entries(items: object) -> ir.KeyValues:
        return tuple(
            (_RESOURCE_NAMES.get(e.name, str(e.name)), e.value)
            for e in items  # type: ignore[attr-defined]
        )

    return ir.Resources(requests=entries(r.requests), limits=entries(r.limits))


def _device_class(g: tasks_pb2.GPUAccelerator) -> str:
    """The accelerator's device class by name; empty when unset or when the installed
    flyteidl has no such field (1.16 has none)."""
    number = getattr(g, "device_class", 0)
    if not number:
        return ""
    enum = getattr(tasks_pb2.GPUAccelerator, "DeviceClass", None)
    return str(enum.Name(number)) if enum is not None else str(number)


def convert_extended(e: tasks_pb2.ExtendedResources) -> ir.ExtendedResources:
    """Convert GPU accelerator and shared-memory settings."""
    gpu = None
    if e.HasField("gpu_accelerator"):
        g = e.gpu_accelerator
        gpu = ir.GpuAccelerator(
            device=g.device,
            unpartitioned=g.unpartitioned,
            partition_size=g.partition_size,
            device_class=_device_class(g),
        )
    shm = None
    if e.HasField("shared_memory"):
        s = e.shared_memory
        shm = ir.SharedMemory(s.mount_path, s.mount_name, s.size_limit)
    return ir.ExtendedResources(gpu, shm)


def _data_config(d: tasks_pb2.DataLoadingConfig, present: bool) -> ir.DataLoadingConfig | None:
    if not present:
        return None
    return ir.DataLoadingConfig(
        enabled=d.enabled,
        input_path=d.input_path,
        output_path=d.output_path,
        format=ir.DataFormat(d.format) if d.format in (0, 1, 2) else ir.DataFormat.JSON,
        download_mode=d.io_strategy.download_mode,
        upload_mode=d.io_strategy.upload_mode,
    )


def convert_container(c: tasks_pb2.Container) -> ir.Container:
    """Convert a container target."""
    return ir.Container(
        image=c.image,
        command=tuple(c.command),
        args=tuple(c.args),
        resources=convert_resources(c.resources),
        env=tuple((kv.key, kv.value) for kv in c.env),
        config=tuple((kv.key, kv.value) for kv in c.config),
        ports=tuple((p.container_port, p.name) for p in c.ports),
        data_config=_data_config(c.data_config, c.HasField("data_config")),
        architecture=tasks_pb2.Container.Architecture.Name(c.architecture)
        if c.architecture
        else "",
    )


def convert_k8s_metadata(m: tasks_pb2.K8sObjectMetadata) -> ir.K8sObjectMetadata:
    """Convert labels and annotations (sorted by key)."""
    return ir.K8sObjectMetadata(
        labels=tuple(sorted(m.labels.items())),
        annotations=tuple(sorted(m.annotations.items())),
    )


def convert_k8s_pod(p: tasks_pb2.K8sPod, where: str = "k8s_pod") -> ir.K8sPod:
    """Convert a pod target or pod-template override (``where``: its field path)."""
    return ir.K8sPod(
        metadata=convert_k8s_metadata(p.metadata),
        pod_spec=struct_data(p.pod_spec) if p.HasField("pod_spec") else None,
        data_config=_data_config(p.data_config, p.HasField("data_config")),
        primary_container_name=p.primary_container_name,
        where=where,
    )


def _string_map(value: Any) -> ir.KeyValues:
    """The string entries of a JSON object, sorted (the task check reports any other)."""
    if not isinstance(value, dict):
        return ()
    return tuple(sorted((k, v) for k, v in value.items() if isinstance(v, str)))


def sidecar_pod(t: tasks_pb2.TaskTemplate) -> ir.K8sPod | None:
    """The pod of a ``sidecar`` task that carries it in ``custom`` (version 0: Flyte's
    ``SidecarJob`` with ``podSpec``, ``primaryContainerName``, ``labels``, ``annotations``)."""
    if t.type != "sidecar" or not t.HasField("custom"):
        return None
    custom = struct_data(t.custom)
    spec = json_field(custom, "podSpec", "pod_spec")
    if spec is None:
        return None
    primary = json_field(custom, "primaryContainerName", "primary_container_name")
    return ir.K8sPod(
        metadata=ir.K8sObjectMetadata(
            labels=_string_map(custom.get("labels")),
            annotations=_string_map(custom.get("annotations")),
        ),
        pod_spec=spec,
        primary_container_name=primary if isinstance(primary, str) else "",
        where="custom",
    )


def _target(t: tasks_pb2.TaskTemplate) -> ir.TaskTarget | None:
    kind = t.WhichOneof("target")
    if kind == "container":
        return convert_container(t.container)
    if kind == "k8s_pod":
        return convert_k8s_pod(t.k8s_pod)
    if kind == "sql":
        return ir.Sql(t.sql.statement, tasks_pb2.Sql.Dialect.Name(t.sql.dialect))
    return sidecar_pod(t)


def convert_security(s: security_pb2.SecurityContext) -> ir.SecurityContext:
    """Convert a security context (service account, secrets, tokens)."""
    mounts = security_pb2.Secret.MountType
    return ir.SecurityContext(
        service_account=s.run_as.k8s_service_account,
        iam_role=s.run_as.iam_role,
        execution_identity=s.run_as.execution_identity,
        oauth2_client=s.run_as.oauth2_client.client_id,
        secrets=tuple(
            ir.Secret(
                group=x.group,
                key=x.key,
                group_version=x.group_version,
                mount_requirement=mounts.Name(x.mount_requirement)
                if x.mount_requirement in mounts.values()
                else "ANY",
                env_var=x.env_var,
            )
            for x in s.secrets
        ),
        tokens=tuple(tok.name for tok in s.tokens),
    )


def convert_task_metadata(m: tasks_pb2.TaskMetadata) -> ir.TaskMetadata:
    """Convert task metadata."""
    runtime_types = tasks_pb2.RuntimeMetadata.RuntimeType
    return ir.TaskMetadata(
        discoverable=m.discoverable,
        runtime=ir.RuntimeMetadata(
            type=runtime_types.Name(m.runtime.type)
            if m.runtime.type in runtime_types.values()
            else "OTHER",
            version=m.runtime.version,
            flavor=m.runtime.flavor,
        ),
        # NaN marks a timeout that is not a valid duration (reported by the compiler).
        timeout_s=checked_seconds(m.timeout) if m.HasField("timeout") else None,
        retries=m.retries.retries,
        discovery_version=m.discovery_version,
        deprecated_error_message=m.deprecated_error_message,
        interruptible=m.interruptible if m.HasField("interruptible") else None,
        cache_serializable=m.cache_serializable,
        tags=tuple(sorted(m.tags.items())),
        pod_template_name=m.pod_template_name,
        cache_ignore_input_vars=tuple(m.cache_ignore_input_vars),
        is_eager=m.is_eager,
        generates_deck=m.generates_deck.value if m.HasField("generates_deck") else None,
        k8s_metadata=convert_k8s_metadata(m.metadata),
    )


def convert_task(t: tasks_pb2.TaskTemplate, source: Source) -> ir.Task:
    """Convert a task template. May raise ``TooDeepError`` for absurdly nested types."""
    return ir.Task(
        id=convert_ident(t.id),
        type=t.type,
        interface=convert_interface(t.interface),
        metadata=convert_task_metadata(t.metadata),
        type_version=t.task_type_version,
        custom=struct_data(t.custom) if t.HasField("custom") else None,
        target=_target(t),
        security_context=convert_security(t.security_context),
        extended_resources=convert_extended(t.extended_resources),
        config=tuple(sorted(t.config.items())),
        source=source,
        pb=t.SerializeToString(deterministic=True),
    )
