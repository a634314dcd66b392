"""The cases of the honoured-field test: each changes one field in a real ``pyflyte package``
proto and names what must then appear in the target's output (and was not there before).

A case is named like the coverage table's ``Honoured`` entries (``core.Container.image``):
``<message less flyteidl.>.<field>``. Strings use the marker ``mark4217``, numbers 4217.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flyteidl.core import literals_pb2, tasks_pb2
from google.protobuf import json_format
from robust_support import Package

from fcomp.compiler.config import Config

MARK = "mark4217"
NUMBER = 4217
Mutate = Callable[[Package], None]


@dataclass(frozen=True)
class Case:
    """One field change: the example it starts from, the change, and the text that must
    appear in each target's output (``both`` for either)."""

    package: str
    mutate: Mutate
    both: tuple[str, ...] = ()
    argo: tuple[str, ...] = ()
    airflow: tuple[str, ...] = ()
    config: Config = field(default_factory=Config)
    #: A diagnostic code the change must cause instead (the compiler acts on the field).
    error: str = ""
    #: A change made before and after alike (what the field needs to matter), so that the
    #: output differs only by the field.
    setup: Mutate | None = None

    def load(self, changed: bool) -> Package:
        """The example with the setup, and with the field changed when ``changed``."""
        package = Package.load(self.package).copy()
        if self.setup is not None:
            self.setup(package)
        if changed:
            self.mutate(package)
        return package

    def expected(self, target: str) -> tuple[str, ...]:
        """The strings the target's output must gain."""
        return self.both + (self.argo if target == "argo" else self.airflow)


CASES: dict[str, Case] = {}


@dataclass(frozen=True)
class KeyValue:
    """``key: value`` as it appears in a plugin manifest: JSON inside a quoted YAML string
    (Argo) or a Python dict (Airflow)."""

    key: str
    json: str
    python: str

    def argo(self) -> str:
        """The Argo form."""
        return f'\\"{self.key}\\":{self.json}'

    def airflow(self) -> str:
        """The Airflow form."""
        return f"'{self.key}': {self.python}"


def case(
    name: str, package: str, *both: str | KeyValue, **kwargs: Any
) -> Callable[[Mutate], Mutate]:
    """Register the decorated mutation as case ``name`` (a :class:`KeyValue` expectation
    takes each target's form)."""
    plain = tuple(b for b in both if isinstance(b, str))
    pairs = [b for b in both if isinstance(b, KeyValue)]
    kwargs["argo"] = tuple(kwargs.get("argo", ())) + tuple(p.argo() for p in pairs)
    kwargs["airflow"] = tuple(kwargs.get("airflow", ())) + tuple(p.airflow() for p in pairs)

    def wrap(fn: Mutate) -> Mutate:
        assert name not in CASES, name
        CASES[name] = Case(package, fn, plain, **kwargs)
        return fn

    return wrap


def custom(task: Any, path: list[str | int], value: Any) -> None:
    """Set ``path`` in a task's ``custom`` JSON to ``value`` (dicts created on the way)."""
    data = json_format.MessageToDict(task.custom)
    holder: Any = data
    for step in path[:-1]:
        if isinstance(step, int):
            holder = holder[step]
        else:
            holder = holder.setdefault(step, {})
    holder[path[-1]] = value
    task.custom.Clear()
    json_format.ParseDict(data, task.custom)


def json_key(key: str, value: str, python: str | None = None) -> KeyValue:
    """A manifest's ``key: value`` (``python``: the Python form when it differs from JSON)."""
    return KeyValue(key, value, value if python is None else python)


def replace_custom(task: Any, data: dict[str, Any]) -> None:
    """Replace a task's ``custom`` with ``data``."""
    task.custom.Clear()
    json_format.ParseDict(data, task.custom)


def _tolerating() -> Config:
    return Config(interruptible_tolerations=({"key": MARK, "operator": "Exists"},))


def _pod_spec(image: str = "busybox") -> dict[str, Any]:
    return {"containers": [{"name": "main", "image": image, "args": ["x"]}]}


# --- Tasks ---------------------------------------------------------------------------------


@case("core.TaskTemplate.type", "chain", "echo")
def _type(p: Package) -> None:
    p.task("add_one").type = "echo"


@case("core.TaskTemplate.task_type_version", "plugin_kubeflow", str(NUMBER))
def _type_version(p: Package) -> None:
    task = p.task("mpi_train")
    task.task_type_version = 0  # the legacy message: flyteidl.plugins.DistributedMPITrainingTask
    replace_custom(task, {"numWorkers": NUMBER, "numLauncherReplicas": 1, "slots": 2})


@case("core.TaskMetadata.discoverable", "chain", "cache-check")
def _discoverable(p: Package) -> None:
    p.task("add_one").metadata.discoverable = True


def _cached_task(p: Package) -> None:
    p.task("add_one").metadata.discoverable = True


@case("core.TaskMetadata.discovery_version", "chain", MARK, setup=_cached_task)
def _discovery_version(p: Package) -> None:
    p.task("add_one").metadata.discovery_version = MARK


@case(
    "core.TaskMetadata.cache_ignore_input_vars",
    "chain",
    argo=('ignore\\":[\\"x\\"]',),
    airflow=('ignore":["x"]',),
    setup=_cached_task,
)
def _cache_ignore(p: Package) -> None:
    p.task("add_one").metadata.cache_ignore_input_vars.append("x")


@case("core.TaskMetadata.timeout", "chain", str(NUMBER))
def _task_timeout(p: Package) -> None:
    p.task("add_one").metadata.timeout.FromTimedelta(timedelta(seconds=NUMBER))


@case("core.RetryStrategy.retries", "chain", str(NUMBER))
def _retries(p: Package) -> None:
    # flytekit copies the task's retries to every node, and the node's win (as on Flyte).
    p.workflow("chain_wf").nodes[0].metadata.retries.retries = NUMBER


@case("core.TaskMetadata.interruptible", "chain", MARK, config=_tolerating())
def _task_interruptible(p: Package) -> None:
    p.task("add_one").metadata.interruptible = True


@case("core.TaskMetadata.metadata", "chain", MARK)
def _task_labels(p: Package) -> None:
    p.task("add_one").metadata.metadata.labels["fcomp-test"] = MARK


@case("core.Container.image", "chain", MARK)
def _image(p: Package) -> None:
    p.task("add_one").container.image = f"ghcr.io/{MARK}:1"


@case("core.Container.command", "raw_container", MARK)
def _command(p: Package) -> None:
    p.task("raw_add").container.command.append(MARK)


@case("core.Container.args", "chain", MARK)
def _args(p: Package) -> None:
    p.task("add_one").container.args.append(MARK)


@case("core.Container.env", "chain", MARK)
def _env(p: Package) -> None:
    p.task("add_one").container.env.add(key="FCOMP_TEST", value=MARK)


@case("core.Container.ports", "chain", str(NUMBER))
def _ports(p: Package) -> None:
    p.task("add_one").container.ports.add(container_port=NUMBER)


@case("core.Container.data_config", "raw_container", MARK)
def _data_config(p: Package) -> None:
    p.task("raw_add").container.data_config.input_path = f"/var/{MARK}/inputs"


@case("core.Resources.requests", "chain", f"{NUMBER}m")
def _requests(p: Package) -> None:
    p.task("add_one").container.resources.requests.add(
        name=tasks_pb2.Resources.CPU, value=f"{NUMBER}m"
    )


@case("core.Resources.limits", "chain", f"{NUMBER}Mi")
def _limits(p: Package) -> None:
    p.task("add_one").container.resources.limits.add(
        name=tasks_pb2.Resources.MEMORY, value=f"{NUMBER}Mi"
    )


@case("core.K8sPod.pod_spec", "pod_template", MARK)
def _pod_spec_case(p: Package) -> None:
    task = p.task("in_pod")
    spec = json_format.MessageToDict(task.k8s_pod.pod_spec)
    spec["nodeSelector"] = {"fcomp-test": MARK}
    task.k8s_pod.pod_spec.Clear()
    json_format.ParseDict(spec, task.k8s_pod.pod_spec)


@case("core.K8sPod.metadata", "pod_template", MARK)
def _pod_metadata(p: Package) -> None:
    p.task("in_pod").k8s_pod.metadata.annotations["fcomp-test"] = MARK


@case("core.K8sPod.primary_container_name", "pod_template", MARK)
def _primary(p: Package) -> None:
    task = p.task("in_pod")
    spec = json_format.MessageToDict(task.k8s_pod.pod_spec)
    spec["containers"].append({"name": MARK, "image": f"{MARK}:1", "args": ["x"]})
    task.k8s_pod.pod_spec.Clear()
    json_format.ParseDict(spec, task.k8s_pod.pod_spec)
    task.k8s_pod.primary_container_name = MARK
    task.config["primary_container_name"] = MARK


@case("core.SecurityContext.secrets", "chain", MARK)
def _secrets(p: Package) -> None:
    p.task("add_one").security_context.secrets.add(group=MARK, key="k")


@case("core.Identity.k8s_service_account", "chain", MARK)
def _service_account(p: Package) -> None:
    p.task("add_one").security_context.run_as.k8s_service_account = MARK


@case("core.ExtendedResources.gpu_accelerator", "chain", MARK)
def _gpu(p: Package) -> None:
    p.task("add_one").extended_resources.gpu_accelerator.device = MARK


@case("core.ExtendedResources.shared_memory", "chain", MARK)
def _shm(p: Package) -> None:
    shm = p.task("add_one").extended_resources.shared_memory
    shm.mount_name, shm.mount_path = MARK, "/dev/shm"  # flytekit's default path


# --- Nodes and workflows -------------------------------------------------------------------


def _node(p: Package, workflow: str = "chain_wf", index: int = 0) -> Any:
    return p.workflow(workflow).nodes[index]


def _b64_literal(value: int) -> str:
    """The base64 of an integer literal, as plans carry constants."""
    import base64

    literal = literals_pb2.Literal()
    literal.scalar.primitive.integer = value
    return base64.b64encode(literal.SerializeToString(deterministic=True)).decode()


def _b64_string(value: str) -> str:
    import base64

    literal = literals_pb2.Literal()
    literal.scalar.primitive.string_value = value
    return base64.b64encode(literal.SerializeToString(deterministic=True)).decode()


@case("core.Node.inputs", "chain", _b64_string(MARK))
def _inputs(p: Package) -> None:
    binding = p.workflow("explicit_order_wf").nodes[0].inputs[0].binding
    assert binding.WhichOneof("value") == "scalar"
    binding.scalar.primitive.string_value = MARK


@case("core.Node.upstream_node_ids", "chain", argo=('depends: "n0 && n2 && fcomp-start"',))
def _upstream(p: Package) -> None:
    node = p.workflow("explicit_order_wf").nodes[3]
    node.upstream_node_ids.append("n0")


@case("core.NodeMetadata.timeout", "chain", str(NUMBER))
def _node_timeout(p: Package) -> None:
    _node(p).metadata.timeout.FromTimedelta(timedelta(seconds=NUMBER))


@case("core.NodeMetadata.interruptible", "chain", MARK, config=_tolerating())
def _node_interruptible(p: Package) -> None:
    _node(p).metadata.interruptible = True


@case("core.NodeMetadata.cacheable", "chain", "cache-check")
def _cacheable(p: Package) -> None:
    _node(p).metadata.cacheable = True


def _cached_node(p: Package) -> None:
    _node(p).metadata.cacheable = True


@case("core.NodeMetadata.cache_version", "chain", MARK, setup=_cached_node)
def _cache_version(p: Package) -> None:
    _node(p).metadata.cache_version = MARK


@case("core.TaskNodeOverrides.resources", "chain", f"{NUMBER}m")
def _override_resources(p: Package) -> None:
    _node(p).task_node.overrides.resources.requests.add(
        name=tasks_pb2.Resources.CPU, value=f"{NUMBER}m"
    )


@case("core.TaskNodeOverrides.extended_resources", "chain", MARK)
def _override_extended(p: Package) -> None:
    _node(p).task_node.overrides.extended_resources.gpu_accelerator.device = MARK


@case("core.TaskNodeOverrides.container_image", "chain", MARK)
def _override_image(p: Package) -> None:
    _node(p).task_node.overrides.container_image = f"ghcr.io/{MARK}:2"


@case("core.TaskNodeOverrides.pod_template", "chain", MARK)
def _override_pod(p: Package) -> None:
    node = _node(p)
    task = p.task(node.task_node.reference_id.name.rsplit(".", 1)[-1])
    # As flytekit writes it: the task's container is the override's primary container.
    primary = {"name": "primary", "image": task.container.image, "args": [*task.container.args]}
    pod = node.task_node.overrides.pod_template
    json_format.ParseDict({"containers": [primary], "nodeSelector": {"pool": MARK}}, pod.pod_spec)
    pod.primary_container_name = "primary"


@case("core.WorkflowMetadata.on_failure", "chain", "failFast")
def _on_failure(p: Package) -> None:
    p.workflow("chain_wf").metadata.on_failure = 1  # FAIL_AFTER_EXECUTABLE_NODES_COMPLETE


@case("core.WorkflowMetadata.tags", "chain", MARK)
def _tags(p: Package) -> None:
    p.workflow("chain_wf").metadata.tags["fcomp"] = MARK


@case("core.WorkflowMetadataDefaults.interruptible", "chain", MARK, config=_tolerating())
def _default_interruptible(p: Package) -> None:
    p.workflow("chain_wf").metadata_defaults.interruptible = True


def _array_node(p: Package) -> Any:
    for node in p.workflow("map_wf").nodes:
        if node.HasField("array_node"):
            return node.array_node
    raise AssertionError("no array node")


@case(
    "core.ArrayNode.parallelism",
    "map_tasks",
    argo=(f"parallelism: {NUMBER}",),
    airflow=(f"max_active_tis_per_dagrun={NUMBER}",),
)
def _array_parallelism(p: Package) -> None:
    _array_node(p).parallelism = NUMBER


@case("core.ArrayNode.min_successes", "map_tasks", str(NUMBER))
def _array_min_successes(p: Package) -> None:
    _array_node(p).min_successes = NUMBER


@case("core.ArrayNode.min_success_ratio", "map_tasks", "0.25")
def _array_ratio(p: Package) -> None:
    _array_node(p).min_success_ratio = 0.25


@case("core.ArrayNode.bound_inputs", "map_tasks", error="MismatchingTypes")
def _bound_inputs(p: Package) -> None:
    # The sub-node runs the element-typed task (its original interface): only the inputs
    # not bound whole are mapped, so unbinding ``offset`` maps a scalar binding.
    node = p.workflow("map_partial_wf").nodes[0]
    array = node.array_node
    element_task = p.task("map_tasks.scale").id
    array.node.task_node.reference_id.CopyFrom(element_task)
    array.is_original_sub_node_interface.value = True
    assert list(array.bound_inputs) == ["factor", "offset"]
    del array.bound_inputs[:]
    array.bound_inputs.append("factor")


@case("core.BranchNode.if_else", "branches", _b64_literal(NUMBER))
def _if_else(p: Package) -> None:
    for spec in p.files.values():
        template = getattr(spec, "template", None)
        for node in getattr(template, "nodes", []):
            if node.HasField("branch_node"):
                comparison = node.branch_node.if_else.case.condition.comparison
                for side in (comparison.left_value, comparison.right_value):
                    if side.WhichOneof("val") == "primitive" and side.primitive.HasField("integer"):
                        side.primitive.integer = NUMBER
                        return
    raise AssertionError("no branch comparing with an integer")


def _gate(p: Package, example: str) -> Any:
    for spec in p.files.values():
        for node in getattr(getattr(spec, "template", None), "nodes", []):
            if node.HasField("gate_node"):
                return node.gate_node
    raise AssertionError(f"no gate node in {example}")


@case("core.GateNode.sleep", "gates_sleep", str(NUMBER))
def _sleep(p: Package) -> None:
    _gate(p, "gates_sleep").sleep.duration.FromTimedelta(timedelta(seconds=NUMBER))


@case("core.GateNode.approve", "gates_sleep", argo=("suspend: {}",), airflow=(MARK,))
def _approve(p: Package) -> None:
    gate = _gate(p, "gates_sleep")
    gate.ClearField("sleep")
    gate.approve.signal_id = MARK


@case("core.GateNode.signal", "gates_sleep", argo=("supplied",), airflow=(MARK,))
def _signal(p: Package) -> None:
    gate = _gate(p, "gates_sleep")
    gate.ClearField("sleep")
    gate.signal.signal_id = MARK
    gate.signal.type.simple = 1  # INTEGER
    gate.signal.output_variable_name = "o0"


# --- Launch plans --------------------------------------------------------------------------


def _lp(p: Package) -> Any:
    return p.launch_plan("chain_wf").spec


@case("admin.LaunchPlanSpec.labels", "chain", MARK)
def _lp_labels(p: Package) -> None:
    _lp(p).labels.values["fcomp-test"] = MARK


@case("admin.LaunchPlanSpec.annotations", "chain", MARK)
def _lp_annotations(p: Package) -> None:
    _lp(p).annotations.values["fcomp-test"] = MARK


@case("admin.LaunchPlanSpec.envs", "chain", MARK)
def _lp_envs(p: Package) -> None:
    _lp(p).envs.values.add(key="FCOMP_TEST", value=MARK)


@case("admin.LaunchPlanSpec.max_parallelism", "chain", str(NUMBER))
def _lp_parallelism(p: Package) -> None:
    _lp(p).max_parallelism = NUMBER


@case("admin.LaunchPlanSpec.raw_output_data_config", "chain", f"s3://{MARK}/raw")
def _lp_raw_output(p: Package) -> None:
    _lp(p).raw_output_data_config.output_location_prefix = f"s3://{MARK}/raw"


@case("admin.LaunchPlanSpec.interruptible", "chain", MARK, config=_tolerating())
def _lp_interruptible(p: Package) -> None:
    _lp(p).interruptible.value = True


@case(
    "admin.LaunchPlanSpec.overwrite_cache",
    "chain",
    argo=('overwrite\\":true',),
    airflow=('overwrite":true',),
    setup=_cached_task,
)
def _lp_overwrite(p: Package) -> None:
    _lp(p).overwrite_cache = True


@case("admin.LaunchPlanSpec.default_inputs", "chain", str(NUMBER))
def _lp_defaults(p: Package) -> None:
    spec = _lp(p)
    name = next(iter(sorted(spec.default_inputs.parameters)))
    param = spec.default_inputs.parameters[name]
    param.default.Clear()
    param.default.scalar.primitive.integer = NUMBER


@case("admin.LaunchPlanSpec.fixed_inputs", "chain", _b64_literal(NUMBER))
def _lp_fixed(p: Package) -> None:
    spec = _lp(p)
    name = next(iter(sorted(spec.default_inputs.parameters)))
    del spec.default_inputs.parameters[name]
    literal = literals_pb2.Literal()
    literal.scalar.primitive.integer = NUMBER
    spec.fixed_inputs.literals[name].CopyFrom(literal)


@case(
    "admin.LaunchPlanSpec.concurrency_policy",
    "launch_plans",
    argo=("Forbid",),
    airflow=("max_active_runs",),
)
def _lp_concurrency(p: Package) -> None:
    for message in p.files.values():
        spec = getattr(message, "spec", None)
        if spec is not None and spec.entity_metadata.HasField("schedule"):
            spec.concurrency_policy.max = 1
            return
    raise AssertionError("no scheduled launch plan")


@case("admin.LaunchPlanMetadata.schedule", "chain", "*/17 * * * *")
def _lp_schedule(p: Package) -> None:
    _lp(p).entity_metadata.schedule.cron_schedule.schedule = "*/17 * * * *"


@case("admin.Auth.kubernetes_service_account", "chain", MARK)
def _auth(p: Package) -> None:
    _lp(p).auth.kubernetes_service_account = MARK


@case("admin.AuthRole.kubernetes_service_account", "chain", MARK)
def _auth_role(p: Package) -> None:
    _lp(p).auth_role.kubernetes_service_account = MARK


# --- Plugins -------------------------------------------------------------------------------


def plugin_case(
    name: str,
    package: str,
    task: str,
    path: list[str | int],
    value: Any,
    *expect: str | KeyValue,
) -> None:
    """A case setting one path of a plugin task's ``custom``."""

    def mutate(p: Package) -> None:
        custom(p.task(task), path, value)

    case(name, package, *(expect or (str(value),)))(mutate)


SPARK = ("spark", "sum_of_squares")
plugin_case("plugins.SparkJob.applicationType", *SPARK, ["applicationType"], "JAVA", "Java")
plugin_case("plugins.SparkJob.mainApplicationFile", *SPARK, ["mainApplicationFile"], MARK)
plugin_case("plugins.SparkJob.mainClass", *SPARK, ["mainClass"], MARK)
plugin_case("plugins.SparkJob.sparkConf", *SPARK, ["sparkConf", "spark.fcomp"], MARK)
plugin_case("plugins.SparkJob.hadoopConf", *SPARK, ["hadoopConf", "fs.fcomp"], MARK)
plugin_case("plugins.SparkJob.executorPath", *SPARK, ["executorPath"], f"/opt/{MARK}/python")
plugin_case(
    "plugins.SparkJob.driverPod",
    *SPARK,
    ["driverPod"],
    {"podSpec": {"nodeSelector": {"pool": MARK}}},
    MARK,
)
plugin_case(
    "plugins.SparkJob.executorPod",
    *SPARK,
    ["executorPod"],
    {"podSpec": {"nodeSelector": {"pool": MARK}}},
    MARK,
)

RAY = ("plugin_ray", "ray_square_sum")
HEAD = ["rayCluster", "headGroupSpec"]
WORKER = ["rayCluster", "workerGroupSpec", 0]
AUTOSCALER = ["rayCluster", "autoscalerOptions"]
plugin_case("plugins.RayJob.runtime_env_yaml", *RAY, ["runtimeEnvYaml"], f"pip:\n- {MARK}\n", MARK)
plugin_case("plugins.RayJob.ttl_seconds_after_finished", *RAY, ["ttlSecondsAfterFinished"], NUMBER)
plugin_case(
    "plugins.RayCluster.enable_autoscaling",
    *RAY,
    ["rayCluster", "enableAutoscaling"],
    True,
    json_key("enableInTreeAutoscaling", "true", "True"),
)
plugin_case(
    "plugins.HeadGroupSpec.ray_start_params", *RAY, [*HEAD, "rayStartParams", "fcomp"], MARK
)
plugin_case(
    "plugins.HeadGroupSpec.k8s_pod",
    *RAY,
    [*HEAD, "k8sPod"],
    {"metadata": {"labels": {"fcomp": MARK}}},
    MARK,
)
plugin_case("plugins.WorkerGroupSpec.group_name", *RAY, [*WORKER, "groupName"], MARK)
plugin_case(
    "plugins.WorkerGroupSpec.replicas", *RAY, [*WORKER, "replicas"], 3, json_key("replicas", "3")
)
plugin_case(
    "plugins.WorkerGroupSpec.min_replicas",
    *RAY,
    [*WORKER, "minReplicas"],
    0,
    json_key("minReplicas", "0"),
)
plugin_case("plugins.WorkerGroupSpec.max_replicas", *RAY, [*WORKER, "maxReplicas"], NUMBER)
plugin_case(
    "plugins.WorkerGroupSpec.ray_start_params", *RAY, [*WORKER, "rayStartParams", "fcomp"], MARK
)
plugin_case(
    "plugins.WorkerGroupSpec.k8s_pod",
    *RAY,
    [*WORKER, "k8sPod"],
    {"metadata": {"labels": {"fcomp": MARK}}},
    MARK,
)
plugin_case(
    "plugins.AutoscalerOptions.upscaling_mode",
    *RAY,
    [*AUTOSCALER, "upscalingMode"],
    "UPSCALING_MODE_AGGRESSIVE",
    "Aggressive",
)
plugin_case(
    "plugins.AutoscalerOptions.idle_timeout_seconds",
    *RAY,
    [*AUTOSCALER, "idleTimeoutSeconds"],
    NUMBER,
)
plugin_case("plugins.AutoscalerOptions.image", *RAY, [*AUTOSCALER, "image"], f"{MARK}:1", MARK)
plugin_case(
    "plugins.AutoscalerOptions.env",
    *RAY,
    [*AUTOSCALER, "env"],
    [{"key": "FCOMP", "value": MARK}],
    MARK,
)
plugin_case(
    "plugins.AutoscalerOptions.resources",
    *RAY,
    [*AUTOSCALER, "resources"],
    {"limits": [{"name": "CPU", "value": f"{NUMBER}m"}]},
    f"{NUMBER}m",
)


@case("plugins.RayJob.runtime_env", "plugin_ray", "numpy4217")
def _ray_runtime_env(p: Package) -> None:
    import base64

    task = p.task("ray_square_sum")
    encoded = base64.b64encode(json.dumps({"pip": ["numpy4217"]}).encode()).decode()
    custom(task, ["runtimeEnv"], encoded)
    custom(task, ["runtimeEnvYaml"], "")


DASK = ("plugin_dask", "dask_total")
plugin_case("plugins.DaskScheduler.image", *DASK, ["scheduler", "image"], f"{MARK}:1", MARK)
plugin_case(
    "plugins.DaskScheduler.resources",
    *DASK,
    ["scheduler", "resources"],
    {"limits": [{"name": "CPU", "value": f"{NUMBER}m"}]},
    f"{NUMBER}m",
)
plugin_case("plugins.DaskWorkerGroup.image", *DASK, ["workers", "image"], f"{MARK}:1", MARK)
plugin_case(
    "plugins.DaskWorkerGroup.number_of_workers", *DASK, ["workers", "numberOfWorkers"], NUMBER
)
plugin_case(
    "plugins.DaskWorkerGroup.resources",
    *DASK,
    ["workers", "resources"],
    {"limits": [{"name": "CPU", "value": f"{NUMBER}m"}]},
    f"{NUMBER}m",
)


def _replica_cases(prefix: str, task: str, replicas: str) -> None:
    """The replica-spec cases of one kubeflow v1 task (``replicas``: the worker field)."""
    kf = ("plugin_kubeflow", task)
    plugin_case(f"{prefix}.replicas", *kf, [replicas, "replicas"], NUMBER)
    plugin_case(f"{prefix}.image", *kf, [replicas, "image"], f"{MARK}:1", MARK)
    plugin_case(
        f"{prefix}.resources",
        *kf,
        [replicas, "resources"],
        {"limits": [{"name": "CPU", "value": f"{NUMBER}m"}]},
        f"{NUMBER}m",
    )
    plugin_case(
        f"{prefix}.restart_policy",
        *kf,
        [replicas, "restartPolicy"],
        "RESTART_POLICY_ALWAYS",
        "Always",
    )


K = "plugins.kubeflow."
_replica_cases(K + "DistributedPyTorchTrainingReplicaSpec", "torch_train", "workerReplicas")
_replica_cases(K + "DistributedTensorflowTrainingReplicaSpec", "tf_train", "workerReplicas")
_replica_cases(K + "DistributedMPITrainingReplicaSpec", "mpi_train", "workerReplicas")
plugin_case(
    K + "DistributedMPITrainingReplicaSpec.command",
    "plugin_kubeflow",
    "mpi_train",
    ["workerReplicas", "command"],
    [MARK],
    MARK,
)
TORCH = ("plugin_kubeflow", "torch_train")
plugin_case(
    K + "RunPolicy.clean_pod_policy",
    *TORCH,
    ["runPolicy", "cleanPodPolicy"],
    "CLEANPOD_POLICY_ALL",
    "All",
)
plugin_case(
    K + "RunPolicy.ttl_seconds_after_finished",
    *TORCH,
    ["runPolicy", "ttlSecondsAfterFinished"],
    NUMBER,
)
plugin_case(
    K + "RunPolicy.active_deadline_seconds", *TORCH, ["runPolicy", "activeDeadlineSeconds"], NUMBER
)
plugin_case(K + "RunPolicy.backoff_limit", *TORCH, ["runPolicy", "backoffLimit"], NUMBER)
ELASTIC = ["elasticConfig"]
plugin_case(K + "ElasticConfig.rdzv_backend", *TORCH, [*ELASTIC, "rdzvBackend"], MARK)
plugin_case(
    K + "ElasticConfig.min_replicas",
    *TORCH,
    [*ELASTIC, "minReplicas"],
    2,
    json_key("minReplicas", "2"),
)
plugin_case(K + "ElasticConfig.max_replicas", *TORCH, [*ELASTIC, "maxReplicas"], NUMBER)
plugin_case(K + "ElasticConfig.nproc_per_node", *TORCH, [*ELASTIC, "nprocPerNode"], NUMBER)
plugin_case(K + "ElasticConfig.max_restarts", *TORCH, [*ELASTIC, "maxRestarts"], NUMBER)
COMMON = ["workerReplicas", "common"]


def common_case(name: str, field_name: str, value: Any, *expect: str | KeyValue) -> None:
    """A case giving the worker replicas a ``common`` spec (2 replicas) with one field set."""

    def mutate(p: Package) -> None:
        custom(p.task("torch_train"), COMMON, {"replicas": 2, field_name: value})

    case(name, "plugin_kubeflow", *expect)(mutate)


plugin_case("plugins.CommonReplicaSpec.replicas", *TORCH, [*COMMON, "replicas"], NUMBER)
common_case("plugins.CommonReplicaSpec.image", "image", f"{MARK}:1", MARK)
common_case(
    "plugins.CommonReplicaSpec.resources",
    "resources",
    {"limits": [{"name": "CPU", "value": f"{NUMBER}m"}]},
    f"{NUMBER}m",
)
common_case(
    "plugins.CommonReplicaSpec.restart_policy",
    "restartPolicy",
    "RESTART_POLICY_ALWAYS",
    json_key("restartPolicy", '\\"Always\\"', "'Always'"),
)


def legacy_case(name: str, task: str, data: dict[str, Any], *expect: str) -> None:
    """A case giving a kubeflow task (made version 0) the legacy plugin message ``data``."""

    def mutate(p: Package) -> None:
        t = p.task(task)
        t.task_type_version = 0
        replace_custom(t, data)

    case(name, "plugin_kubeflow", *expect)(mutate)


N = str(NUMBER)
legacy_case("plugins.DistributedPyTorchTrainingTask.workers", "torch_train", {"workers": NUMBER}, N)
for _field in ("rdzvBackend", "minReplicas", "maxReplicas", "nprocPerNode", "maxRestarts"):
    _value: Any = MARK if _field == "rdzvBackend" else NUMBER
    _snake = {
        "rdzvBackend": "rdzv_backend",
        "minReplicas": "min_replicas",
        "maxReplicas": "max_replicas",
        "nprocPerNode": "nproc_per_node",
        "maxRestarts": "max_restarts",
    }[_field]
    legacy_case(
        f"plugins.ElasticConfig.{_snake}",
        "torch_train",
        {
            "workers": 2,
            "elasticConfig": {
                "rdzvBackend": "c10d",
                "minReplicas": 1,
                "maxReplicas": 2,
                "nprocPerNode": 1,
                "maxRestarts": 1,
                _field: _value,
            },
        },
        str(_value),
    )
legacy_case("plugins.DistributedTensorflowTrainingTask.workers", "tf_train", {"workers": NUMBER}, N)
legacy_case(
    "plugins.DistributedTensorflowTrainingTask.ps_replicas",
    "tf_train",
    {"workers": 1, "psReplicas": NUMBER},
    N,
)
legacy_case(
    "plugins.DistributedTensorflowTrainingTask.chief_replicas",
    "tf_train",
    {"workers": 1, "chiefReplicas": NUMBER},
    N,
)
legacy_case(
    "plugins.DistributedTensorflowTrainingTask.evaluator_replicas",
    "tf_train",
    {"workers": 1, "evaluatorReplicas": NUMBER},
    N,
)
legacy_case(
    "plugins.DistributedMPITrainingTask.num_workers", "mpi_train", {"numWorkers": NUMBER}, N
)
legacy_case(
    "plugins.DistributedMPITrainingTask.num_launcher_replicas",
    "mpi_train",
    {"numWorkers": 1, "numLauncherReplicas": NUMBER},
    N,
)
legacy_case(
    "plugins.DistributedMPITrainingTask.slots", "mpi_train", {"numWorkers": 1, "slots": NUMBER}, N
)


def _legacy_map(p: Package) -> None:
    t = p.task("add_one")
    t.type = "container_array"
    t.task_type_version = 1
    replace_custom(t, {})


def array_job_case(name: str, data: dict[str, Any], *expect: str, **kwargs: Any) -> None:
    """A legacy map task (``container_array``, made from the chain example's first task)
    given the ``ArrayJob`` fields ``data``."""

    def mutate(p: Package) -> None:
        replace_custom(p.task("add_one"), data)

    case(name, "chain", *expect, setup=_legacy_map, **kwargs)(mutate)


array_job_case(
    "plugins.ArrayJob.parallelism",
    {"parallelism": NUMBER},
    argo=(f"parallelism: {NUMBER}",),
    airflow=(f"max_active_tis_per_dagrun={NUMBER}",),
)
array_job_case("plugins.ArrayJob.min_successes", {"minSuccesses": NUMBER}, N)
array_job_case("plugins.ArrayJob.min_success_ratio", {"minSuccessRatio": 0.25}, "0.25")
