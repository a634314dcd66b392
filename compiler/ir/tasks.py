"""Task templates: what runs, in which container or pod, with which policies."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from fcomp.compiler.diagnostics import Source
from fcomp.compiler.ir.identifiers import Ident, Interface

KeyValues = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Resources:
    """Resource requests and limits, keyed by Flyte's resource names (``cpu``, ``gpu``, ...)."""

    requests: KeyValues = ()
    limits: KeyValues = ()

    def __bool__(self) -> bool:
        return bool(self.requests or self.limits)


@dataclass(frozen=True, slots=True)
class GpuAccelerator:
    """``flyteidl.core.GPUAccelerator``."""

    device: str = ""
    unpartitioned: bool = False
    partition_size: str = ""
    device_class: str = ""


@dataclass(frozen=True, slots=True)
class SharedMemory:
    """``flyteidl.core.SharedMemory``."""

    mount_path: str = ""
    mount_name: str = ""
    size_limit: str = ""


@dataclass(frozen=True, slots=True)
class ExtendedResources:
    """GPU accelerator and shared memory requests."""

    gpu_accelerator: GpuAccelerator | None = None
    shared_memory: SharedMemory | None = None

    def __bool__(self) -> bool:
        return self.gpu_accelerator is not None or self.shared_memory is not None


class DataFormat(enum.IntEnum):
    """``DataLoadingConfig.LiteralMapFormat``."""

    JSON = 0
    YAML = 1
    PROTO = 2


@dataclass(frozen=True, slots=True)
class DataLoadingConfig:
    """Copilot settings of a raw-container task."""

    enabled: bool = False
    input_path: str = ""
    output_path: str = ""
    format: DataFormat = DataFormat.JSON
    download_mode: int = 0
    upload_mode: int = 0


@dataclass(frozen=True, slots=True)
class Container:
    """The container target of a task."""

    image: str = ""
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    resources: Resources = Resources()
    env: KeyValues = ()
    config: KeyValues = ()
    ports: tuple[tuple[int, str], ...] = ()
    data_config: DataLoadingConfig | None = None
    architecture: str = ""


@dataclass(frozen=True, slots=True)
class K8sObjectMetadata:
    """Labels and annotations for a Kubernetes object."""

    labels: KeyValues = ()
    annotations: KeyValues = ()


#: Where a version-0 ``sidecar`` task (Flyte's ``SidecarJob`` in ``custom``) keeps each part.
_SIDECAR_PATHS = {
    "metadata": "custom",
    "pod_spec": "custom.podSpec",
    "primary_container_name": "custom.primaryContainerName",
}


@dataclass(frozen=True, slots=True)
class K8sPod:
    """The pod target of a task (or a node's pod-template override)."""

    metadata: K8sObjectMetadata = K8sObjectMetadata()
    pod_spec: Any = field(default=None)
    data_config: DataLoadingConfig | None = None
    primary_container_name: str = ""
    #: Where the pod is in its entity: ``k8s_pod`` (a task's target),
    #: ``task_node.overrides.pod_template`` (a node's override) or ``custom`` (a sidecar task).
    where: str = "k8s_pod"

    def path(self, name: str) -> str:
        """The field path of one of the pod's parts (``pod_spec``, ``metadata``)."""
        if self.where == "custom":
            return _SIDECAR_PATHS[name]
        return f"{self.where}.{name}"


@dataclass(frozen=True, slots=True)
class Sql:
    """The SQL target of a query task."""

    statement: str = ""
    dialect: str = "UNDEFINED"


TaskTarget = Container | K8sPod | Sql


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret the task asks for; only ever referenced, never resolved."""

    group: str = ""
    key: str = ""
    group_version: str = ""
    mount_requirement: str = "ANY"
    env_var: str = ""


@dataclass(frozen=True, slots=True)
class SecurityContext:
    """Who the task runs as and which secrets and tokens it needs."""

    service_account: str = ""
    iam_role: str = ""
    execution_identity: str = ""
    oauth2_client: str = ""
    secrets: tuple[Secret, ...] = ()
    tokens: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.service_account
            or self.iam_role
            or self.execution_identity
            or self.oauth2_client
            or self.secrets
            or self.tokens
        )


@dataclass(frozen=True, slots=True)
class RuntimeMetadata:
    """The SDK that wrote the task."""

    type: str = "OTHER"
    version: str = ""
    flavor: str = ""


@dataclass(frozen=True, slots=True)
class TaskMetadata:
    """``flyteidl.core.TaskMetadata``: caching, retries, timeouts, interruptibility."""

    discoverable: bool = False
    runtime: RuntimeMetadata = RuntimeMetadata()
    timeout_s: float | None = None
    retries: int = 0
    discovery_version: str = ""
    deprecated_error_message: str = ""
    interruptible: bool | None = None
    cache_serializable: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    pod_template_name: str = ""
    cache_ignore_input_vars: tuple[str, ...] = ()
    is_eager: bool = False
    generates_deck: bool | None = None
    k8s_metadata: K8sObjectMetadata = K8sObjectMetadata()


@dataclass(frozen=True, slots=True)
class Task:
    """A task template."""

    id: Ident
    type: str
    interface: Interface
    metadata: TaskMetadata = TaskMetadata()
    type_version: int = 0
    custom: Any = field(default=None)
    target: TaskTarget | None = None
    security_context: SecurityContext = SecurityContext()
    extended_resources: ExtendedResources = ExtendedResources()
    config: KeyValues = ()
    source: Source = Source()
    pb: bytes = field(default=b"", compare=False, repr=False)

    @property
    def container(self) -> Container | None:
        """The container target, if that is the target."""
        return self.target if isinstance(self.target, Container) else None

    @property
    def k8s_pod(self) -> K8sPod | None:
        """The pod target, if that is the target."""
        return self.target if isinstance(self.target, K8sPod) else None

    def config_value(self, key: str, default: str = "") -> str:
        """A value of the task's ``config`` map."""
        for k, v in self.config:
            if k == key:
                return v
        return default
