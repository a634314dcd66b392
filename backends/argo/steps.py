"""Templates of the runtime's own steps: writing workflow inputs, and workflow outputs."""

from __future__ import annotations

from typing import Any

from fcomp.backends.argo.render import WORKFLOW_NAME, escape
from fcomp.compiler.config import Config

START_TEMPLATE = "fcomp-start"
OUTPUTS_TEMPLATE = "fcomp-outputs"


def runtime_container(config: Config, args: list[str]) -> dict[str, Any]:
    """A container running ``fcomp-runtime`` with the storage prefix and execution id."""
    return {
        "image": escape(config.runtime_image),
        "command": ["fcomp-runtime"],
        "args": [
            args[0],
            "--prefix",
            escape(config.storage_prefix),
            "--exec",
            WORKFLOW_NAME,
            *args[1:],
        ],
    }


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
