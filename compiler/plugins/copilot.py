"""Raw-container tasks (``raw-container``): a plain container with no flytekit, its inputs and
outputs moved as files, as Flyte's copilot does (``flytek8s/copilot.go``).

The pod runs, in order: the runtime's bind step (added by each backend), ``copilot-download``
(runtime image: the inputs as files in an ``emptyDir`` at ``data_config.input_path``), the user's
container (unchanged) as an init container, and ``copilot-upload`` (runtime image) as the main
container, which reads ``data_config.output_path`` into ``outputs.pb`` once the user's container
has exited. Kubernetes runs init containers one after another, so no process watching is needed.

``{{.inputs.x}}`` in the user's command (Flyte renders the input's value there when it creates
the pod) is rendered by ``copilot-download``, which writes the rendered command as a shell script
into a shared ``emptyDir``; the user's container then runs ``/bin/sh <script>``. Only commands
with such variables go through a shell; the image needs ``/bin/sh`` then.
"""

from __future__ import annotations

from typing import Any

from fcomp.compiler import codes, ir
from fcomp.compiler.plugins import k8spods
from fcomp.compiler.plugins.pods import build_pod
from fcomp.compiler.plugins.registry import LoweringError, TaskContext, register
from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, PodUnit, Text

DOWNLOAD = "fcomp-copilot-download"
UPLOAD = "fcomp-copilot-upload"
INPUTS_VOLUME = "fcomp-copilot-inputs"
OUTPUTS_VOLUME = "fcomp-copilot-outputs"
COMMAND_VOLUME = "fcomp-copilot-command"
COMMAND_DIR = "/var/run/fcomp-copilot"
COMMAND_FILE = f"{COMMAND_DIR}/command.sh"
_FORMATS = {ir.DataFormat.JSON: "JSON", ir.DataFormat.YAML: "YAML", ir.DataFormat.PROTO: "PROTO"}
#: Container fields Kubernetes refuses on init containers.
_NOT_IN_INIT = ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")


def _fail(ctx: TaskContext, message: str) -> LoweringError:
    return LoweringError.of(
        codes.UNSUPPORTED_CONSTRUCT,
        f"raw-container task '{ctx.task.id.name}': {message}",
        ctx,
    )


def _literal_inputs(text: Any) -> Any:
    """A container string with ``{{.inputs.x}}`` placeholders back as plain text (the runtime
    renders them); other placeholders stay for the backend."""
    if not isinstance(text, Text):
        return text
    parts = [
        f"{{{{.inputs.{p.arg}}}}}"
        if isinstance(p, Placeholder) and p.kind is PlaceholderKind.INPUT_VALUE
        else p
        for p in text.parts
    ]
    return Text.of(*parts)


def _mount(container: dict[str, Any], volume: str, path: str) -> None:
    mounts = list(container.get("volumeMounts") or [])
    if not any(m.get("mountPath") == path for m in mounts):
        mounts.append({"name": volume, "mountPath": path})
    container["volumeMounts"] = mounts


def with_copilot(ctx: TaskContext, unit: PodUnit, data: ir.DataLoadingConfig) -> PodUnit:
    """The pod of ``unit`` rearranged to move its data as copilot does."""
    pod = k8spods.pod_copy(unit)
    others = [c for c in pod.get("containers", []) if c.get("name") != unit.primary]
    if others:
        raise _fail(ctx, "pods with containers besides the primary one are not supported")
    user = k8spods.primary(pod, unit.primary, ctx)
    for key in _NOT_IN_INIT:
        if key in user:
            raise _fail(
                ctx, f"the container's '{key}' cannot be kept (it runs as an init container)"
            )
    runtime = ctx.config.runtime_image
    input_dir = data.input_path or "/var/flyte/inputs"
    output_dir = data.output_path or "/var/flyte/outputs"
    volumes = [
        {"name": INPUTS_VOLUME, "emptyDir": {}},
        {"name": OUTPUTS_VOLUME, "emptyDir": {}},
    ]
    download_args: list[Any] = [
        "copilot-download",
        "--inputs",
        Text.of(Placeholder(PlaceholderKind.INPUT)),
        "--dir",
        input_dir,
        "--format",
        _FORMATS[data.format],
    ]
    download: dict[str, Any] = {"name": DOWNLOAD, "image": runtime, "command": ["fcomp-runtime"]}
    _mount(download, INPUTS_VOLUME, input_dir)
    _mount(user, INPUTS_VOLUME, input_dir)
    _mount(user, OUTPUTS_VOLUME, output_dir)
    if unit.input_values:
        argv = [*(user.get("command") or []), *(user.get("args") or [])]
        if not user.get("command"):
            raise _fail(
                ctx,
                "the container uses input values ({{.inputs.*}}) in its args but has no command "
                "(the image's entry point is unknown at compile time)",
            )
        volumes.append({"name": COMMAND_VOLUME, "emptyDir": {}})
        download_args += ["--command-file", COMMAND_FILE, "--", *map(_literal_inputs, argv)]
        _mount(download, COMMAND_VOLUME, COMMAND_DIR)
        _mount(user, COMMAND_VOLUME, COMMAND_DIR)
        user["command"] = ["/bin/sh", COMMAND_FILE]
        user.pop("args", None)
    download["args"] = download_args
    upload: dict[str, Any] = {
        "name": UPLOAD,
        "image": runtime,
        "command": ["fcomp-runtime"],
        "args": [
            "copilot-upload",
            "--dir",
            output_dir,
            "--output-prefix",
            Text.of(Placeholder(PlaceholderKind.OUTPUT_PREFIX)),
            "--raw-output-prefix",
            Text.of(Placeholder(PlaceholderKind.RAW_OUTPUT_PREFIX)),
            "--task-template",
            Text.of(Placeholder(PlaceholderKind.TASK_TEMPLATE_PATH)),
        ],
        "terminationMessagePolicy": "FallbackToLogsOnError",
    }
    _mount(upload, OUTPUTS_VOLUME, output_dir)
    pod["initContainers"] = [*(pod.get("initContainers") or []), download, user]
    pod["containers"] = [upload]
    pod["volumes"] = [*(pod.get("volumes") or []), *volumes]
    return PodUnit(
        task=unit.task,
        pod_spec=pod,
        primary=UPLOAD,
        labels=unit.labels,
        annotations=unit.annotations,
        policy=unit.policy,
        needs_task_template=True,
        input_values=(),
        data_config=None,
        dynamic=False,
    )


@register("raw-container")
def lower_raw_container(ctx: TaskContext) -> PodUnit:
    """Raw containers: the pod, with copilot's data movement when the task asks for it."""
    unit = build_pod(ctx)
    if unit.data_config is None:
        return unit
    return with_copilot(ctx, unit, unit.data_config)
