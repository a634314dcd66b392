"""``connector``: run a task that Flyte hands to a service (a BigQuery or Snowflake query, an
Airflow operator) through flytekit's connector for its task type, as Flyte's connector service
does: ``create`` the job, poll ``get`` until it ends, write its outputs as ``outputs.pb``.

This command runs in a *client image* (configuration ``connector_image`` /
``connector_images``) that has flytekit, the task type's flytekit plugin and the runtime
installed; flytekit is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

#: Seconds between two polls of a running job.
POLL_SECONDS = 5.0


def add_parsers(commands: Any, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """Add the ``connector`` subcommand to the runtime's subparsers."""
    sub: argparse.ArgumentParser = commands.add_parser(
        "connector",
        parents=parents or [],
        help="run a task through flytekit's connector for its type",
        description="run a task through flytekit's connector for its type",
    )
    sub.add_argument("--task-template", required=True, help="URI of the task's task.pb")
    sub.add_argument("--inputs", required=True, help="URI of the node's inputs.pb")
    sub.add_argument("--output-prefix", required=True, help="URI where outputs.pb goes")
    sub.add_argument("--poll-seconds", type=float, default=POLL_SECONDS)


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def _run(template: Any, inputs: Any, output_prefix: str, poll: float) -> Any:
    """Run the connector; the job's ``Resource`` once it reached a terminal phase."""
    from flytekit.extend.backend.base_connector import (  # type: ignore[import-untyped]
        ConnectorRegistry,
        SyncConnectorBase,
        is_terminal_phase,
        render_task_template,
    )

    from fcomp.runtime.errors import StepError

    try:
        connector = ConnectorRegistry.get_connector(template.type, template.task_type_version)
    except Exception as error:  # flytekit raises its own "not found" type
        raise StepError(
            f"no flytekit connector for task type '{template.type}': {error}"
        ) from error
    template = render_task_template(template, output_prefix)
    if isinstance(connector, SyncConnectorBase):
        return await _maybe(
            connector.do(task_template=template, output_prefix=output_prefix, inputs=inputs)
        )
    meta = await _maybe(
        connector.create(task_template=template, output_prefix=output_prefix, inputs=inputs)
    )
    while True:
        resource = await _maybe(connector.get(resource_meta=meta))
        if is_terminal_phase(resource.phase):
            return resource
        time.sleep(poll)


def run(args: Any) -> str | None:
    """Run the node's task through its connector and write its outputs."""
    from flyteidl.core import literals_pb2, tasks_pb2
    from flytekit.models.core.execution import (  # type: ignore[import-untyped]
        TaskExecutionPhase,
    )
    from flytekit.models.literals import LiteralMap  # type: ignore[import-untyped]
    from flytekit.models.task import TaskTemplate  # type: ignore[import-untyped]

    from fcomp.runtime.codec import parse_message, serialize
    from fcomp.runtime.copilot import _join, _read, _write
    from fcomp.runtime.errors import StepError

    template_pb = parse_message(
        _read(args.task_template, "the task template"), tasks_pb2.TaskTemplate, "task.pb"
    )
    inputs_pb = parse_message(
        _read(args.inputs, "the node's inputs"), literals_pb2.LiteralMap, "inputs.pb"
    )
    template = TaskTemplate.from_flyte_idl(template_pb)
    inputs = LiteralMap.from_flyte_idl(inputs_pb)
    resource = asyncio.run(_run(template, inputs, args.output_prefix, args.poll_seconds))
    if resource.phase != TaskExecutionPhase.SUCCEEDED:
        raise StepError(f"the {template.type} job ended {resource.phase}: {resource.message}")
    idl = asyncio.run(resource.to_flyte_idl())
    outputs = idl.outputs if idl.HasField("outputs") else literals_pb2.LiteralMap()
    _write(_join(args.output_prefix, "outputs.pb"), serialize(outputs))
    return None


#: Command handlers by command name (merge into the runtime's ``COMMANDS``).
COMMANDS: dict[str, Callable[[Any], str | None]] = {"connector": run}
