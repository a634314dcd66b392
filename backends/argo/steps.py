"""Templates of the runtime's own steps: writing workflow inputs, and workflow outputs."""

from __future__ import annotations

from typing import Any

from fcomp.backends.argo.kubelet import literal, with_lbrace
from fcomp.backends.argo.render import escape, exec_id
from fcomp.compiler.config import Config

START_TEMPLATE = "fcomp-start"
OUTPUTS_TEMPLATE = "fcomp-outputs"


def runtime_container(config: Config, args: list[str]) -> dict[str, Any]:
    """A container running ``fcomp-runtime`` with the storage prefix and execution id (that of
    the current :func:`~fcomp.backends.argo.render.exec_scope`)."""
    return with_lbrace(
        {
            "image": escape(config.runtime_image),
            "command": ["fcomp-runtime"],
            "args": [
                args[0],
                "--prefix",
                literal(config.storage_prefix),
                "--exec",
                exec_id(),
                *args[1:],
            ],
        }
    )


def start_template(config: Config, args: list[str]) -> dict[str, Any]:
    """Writes the start node's outputs (the workflow inputs) from the workflow parameters."""
    return {"name": START_TEMPLATE, "container": runtime_container(config, ["start", *args])}


def outputs_template(config: Config) -> dict[str, Any]:
    """Resolves the workflow's output plan, writes the end node's outputs, prints them."""
    return {
        "name": OUTPUTS_TEMPLATE,
        "inputs": {"parameters": [{"name": "plan"}, {"name": "report", "value": ""}]},
        "container": runtime_container(
            config,
            [
                "outputs",
                "--plan",
                "{{inputs.parameters.plan}}",
                "--report",
                "{{inputs.parameters.report}}",
            ],
        ),
    }


BIND_TEMPLATE = "fcomp-bind"
CACHE_CHECK_TEMPLATE = "fcomp-cache-check"
CACHE_PUT_TEMPLATE = "fcomp-cache-put"
DYNAMIC_TEMPLATE = "fcomp-dynamic"
CHILD_TEMPLATE = "fcomp-child"
BRANCH_TEMPLATE = "fcomp-branch"
ARRAY_SIZE_TEMPLATE = "fcomp-array-size"
GATHER_TEMPLATE = "fcomp-gather"
SIGNAL_TEMPLATE = "fcomp-signal"
APPROVE_TEMPLATE = "fcomp-approve"
WAIT_SIGNAL_TEMPLATE = "fcomp-wait-signal"
#: Every runtime step template name (reserved against task template names).
RUNTIME_TEMPLATES = frozenset(
    {
        START_TEMPLATE,
        OUTPUTS_TEMPLATE,
        BIND_TEMPLATE,
        BRANCH_TEMPLATE,
        ARRAY_SIZE_TEMPLATE,
        GATHER_TEMPLATE,
        SIGNAL_TEMPLATE,
        APPROVE_TEMPLATE,
        WAIT_SIGNAL_TEMPLATE,
        CACHE_CHECK_TEMPLATE,
        CACHE_PUT_TEMPLATE,
        DYNAMIC_TEMPLATE,
        CHILD_TEMPLATE,
    }
)


def _param_args(*names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        out += [f"--{name}", "{{inputs.parameters." + name + "}}"]
    return out


def _runtime_template(config: Config, name: str, command: str, params: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "inputs": {"parameters": [{"name": p} for p in params]},
        "container": runtime_container(config, [command, *_param_args(*params)]),
    }


def control_templates(config: Config) -> dict[str, dict[str, Any]]:
    """The runtime step templates control-flow nodes use, by name."""
    return {
        BIND_TEMPLATE: _runtime_template(config, BIND_TEMPLATE, "bind", ["node", "plan"]),
        BRANCH_TEMPLATE: _runtime_template(
            config, BRANCH_TEMPLATE, "branch", ["node", "plan", "cases"]
        ),
        ARRAY_SIZE_TEMPLATE: _runtime_template(
            config, ARRAY_SIZE_TEMPLATE, "array-size", ["node", "plan", "inputs"]
        ),
        GATHER_TEMPLATE: _runtime_template(
            config,
            GATHER_TEMPLATE,
            "gather",
            ["node", "size", "outputs", "min-successes", "min-success-ratio"],
        ),
        SIGNAL_TEMPLATE: _runtime_template(
            config, SIGNAL_TEMPLATE, "signal", ["node", "type", "var", "value"]
        ),
        APPROVE_TEMPLATE: {"name": APPROVE_TEMPLATE, "suspend": {}},
        WAIT_SIGNAL_TEMPLATE: {
            "name": WAIT_SIGNAL_TEMPLATE,
            "inputs": {"parameters": [{"name": "signal"}]},
            "suspend": {},
            "outputs": {"parameters": [{"name": "value", "valueFrom": {"supplied": {}}}]},
        },
    }


def sleep_template(seconds: int) -> dict[str, Any]:
    """A suspend template waiting ``seconds``."""
    return {"name": f"fcomp-sleep-{seconds}s", "suspend": {"duration": f"{seconds}s"}}


#: Where the dynamic step writes the child workflow's manifest (an output parameter).
MANIFEST_PATH = "/tmp/fcomp/manifest.json"


def cache_templates(config: Config) -> dict[str, dict[str, Any]]:
    """Runtime steps of cached tasks: look the outputs up (``hit``/``miss``), store them."""
    return {
        CACHE_CHECK_TEMPLATE: _runtime_template(
            config, CACHE_CHECK_TEMPLATE, "cache-check", ["node", "plan", "key"]
        ),
        CACHE_PUT_TEMPLATE: _runtime_template(
            config, CACHE_PUT_TEMPLATE, "cache-put", ["node", "key"]
        ),
    }


def dynamic_templates(config: Config, settings: list[str]) -> dict[str, dict[str, Any]]:
    """Runtime step compiling a dynamic task's ``futures.pb`` into a child Workflow, and the
    resource step running that child."""
    dynamic = _runtime_template(config, DYNAMIC_TEMPLATE, "dynamic", ["node", "task"])
    container = dynamic["container"]
    args = [*container["args"], "--target", "argo", "--manifest-out", MANIFEST_PATH, *settings]
    dynamic["container"] = with_lbrace({**container, "args": args})
    dynamic["outputs"] = {
        "parameters": [
            {"name": "manifest", "valueFrom": {"path": MANIFEST_PATH, "default": ""}},
        ]
    }
    child = {
        "name": CHILD_TEMPLATE,
        "inputs": {"parameters": [{"name": "manifest"}]},
        "resource": {
            "action": "create",
            "setOwnerReference": True,
            "successCondition": "status.phase == Succeeded",
            "failureCondition": "status.phase in (Failed, Error)",
            "manifest": "{{inputs.parameters.manifest}}",
        },
    }
    return {DYNAMIC_TEMPLATE: dynamic, CHILD_TEMPLATE: child}
