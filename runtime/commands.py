"""The runtime's commands: each reads its arguments, does one step, and returns what to print."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flyteidl.core import interface_pb2, literals_pb2, tasks_pb2, types_pb2

from fcomp.runtime import (
    arrays,
    cache,
    conditions,
    connector,
    copilot,
    plainjson,
    queries,
    retries,
    textforms,
)
from fcomp.runtime.codec import (
    argument_text,
    b64_message,
    json_argument,
    parse_message,
    serialize,
)
from fcomp.runtime.errors import OutputsMissingError, StepError
from fcomp.runtime.plainjson import ordered_keys
from fcomp.runtime.plans import Resolver
from fcomp.runtime.start import workflow_inputs
from fcomp.runtime.storage import OUTPUTS, Storage, read_uri

START_NODE = "start-node"
LiteralMap = literals_pb2.LiteralMap


def _storage(args: Any) -> Storage:
    return Storage(args.prefix, args.exec)


def _write_outputs(storage: Storage, node: str, outputs: Any) -> None:
    storage.write(storage.attempt_path(node, 0, OUTPUTS), serialize(outputs), node)


def _bind(storage: Storage, args: Any) -> Any:
    """Resolve ``--plan`` and write the node's ``inputs.pb`` (the shared first half of commands)."""
    plan = json_argument(args.plan, "--plan")
    inputs = Resolver(storage).resolve(plan, args.node)
    storage.write(storage.inputs_path(args.node), serialize(inputs), args.node)
    return inputs


def outputs_as_json(outputs: Any) -> dict[str, Any]:
    """An output ``LiteralMap`` as plain JSON, names in natural order, offloaded values loaded."""

    def load(literal: Any) -> Any:
        """The literal an offloaded literal points at."""
        uri = literal.offloaded_metadata.uri
        return parse_message(
            read_uri(uri, "an offloaded literal"), literals_pb2.Literal, f"offloaded literal {uri}"
        )

    literals = outputs.literals
    return {name: plainjson.to_json(literals[name], load) for name in ordered_keys(literals)}


def read_outputs_json(prefix: str, execution: str, node: str) -> dict[str, Any]:
    """A node's latest outputs as plain JSON (what ``show`` prints), for local runners."""
    return outputs_as_json(Resolver(Storage(prefix, execution)).outputs_of(node))


def _outputs_json(outputs: Any) -> str:
    return json.dumps(outputs_as_json(outputs), ensure_ascii=False)


def start(args: Any) -> str | None:
    """Write the start node's outputs (the workflow inputs) from parameters and fixed inputs."""
    storage = _storage(args)
    _write_outputs(storage, START_NODE, workflow_inputs(args))
    return None


def bind(args: Any) -> str | None:
    """Write a node's ``inputs.pb`` (and ``task.pb``) from its binding plan."""
    storage = _storage(args)
    retries.check_retry(storage, args.node, args.attempt)
    _bind(storage, args)
    if args.task_template:
        template = b64_message(args.task_template, tasks_pb2.TaskTemplate, "--task-template")
        storage.write(f"{storage.data_dir(args.node)}/task.pb", serialize(template), args.node)
    return None


def branch(args: Any) -> str | None:
    """Bind a branch node, then print the index of the case that runs."""
    storage = _storage(args)
    inputs = _bind(storage, args)
    cases = json_argument(args.cases, "--cases")
    try:
        return str(conditions.decide(cases, inputs))
    except StepError as failure:
        from fcomp.runtime.failures import write_error

        write_error(storage, args.node, failure.message)
        raise StepError(f"branch node '{args.node}': {failure.message}") from None


def array_size(args: Any) -> str | None:
    """Bind an array node, then print the length of its mapped inputs."""
    storage = _storage(args)
    inputs = _bind(storage, args)
    names = json_argument(args.inputs, "--inputs")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise StepError("--inputs must be a JSON list of input names")
    return str(arrays.mapped_size(args.node, inputs, names))


def _optional_number(text: str, option: str, kind: type[int] | type[float]) -> Any:
    """An optional numeric argument; empty text (an unset template parameter) means unset."""
    if text.strip() == "":
        return None
    try:
        return kind(text)
    except ValueError:
        noun = "an integer" if kind is int else "a number"
        raise StepError(f"{option} must be {noun}, got {text!r}") from None


def _output_names(value: str) -> list[str]:
    """The array node's output names: ``--outputs`` is JSON ``{name: base64 LiteralType}`` (or a
    base64 ``VariableMap``)."""
    text = argument_text(value, "--outputs").strip()
    if not text.startswith("{"):
        return ordered_keys(b64_message(text, interface_pb2.VariableMap, "--outputs").variables)
    types = json_argument(text, "--outputs")
    if not isinstance(types, dict):
        raise StepError("--outputs must be a JSON object of base64 types by output name")
    for name, encoded in types.items():
        b64_message(encoded, types_pb2.LiteralType, f"--outputs type of '{name}'")
    return ordered_keys(types)


def gather(args: Any) -> str | None:
    """Gather an array node's element outputs into lists and write them as its outputs."""
    storage = _storage(args)
    names = _output_names(args.outputs)
    size = _optional_number(args.size, "--size", int)
    if size is None or size < 0:
        raise StepError(f"--size must be a count of elements, got {args.size!r}")
    successes = _optional_number(args.min_successes, "--min-successes", int)
    ratio = _optional_number(args.min_success_ratio, "--min-success-ratio", float)
    if successes is not None and ratio is not None:
        raise StepError("give --min-successes or --min-success-ratio, not both")
    needed = arrays.required_successes(size, successes, ratio)
    outputs = arrays.gather(storage, args.node, size, names, needed)
    _write_outputs(storage, args.node, outputs)
    return None


def _report_target(storage: Storage, report: str) -> tuple[Storage, str]:
    """The parent execution's storage and node path of ``--report EXEC/PATH``."""
    execution, slash, node = report.partition("/")
    if not slash or not execution or not node:
        raise StepError(f"--report takes EXEC/PATH, got {report!r}")
    return storage.of_execution(execution), node


def outputs(args: Any) -> str | None:
    """Write the workflow's outputs (the end node's) from a plan, report them, print them."""
    storage = _storage(args)
    resolved = _bind(storage, args)
    _write_outputs(storage, args.node, resolved)
    if args.report:
        parent, node = _report_target(storage, args.report)
        _write_outputs(parent, node, resolved)
    return _outputs_json(resolved)


def signal(args: Any) -> str | None:
    """Write a signal's value (text in the type's parameter form) as the node's single output."""
    storage = _storage(args)
    literal_type = b64_message(args.type, types_pb2.LiteralType, "--type")
    result = LiteralMap()
    result.literals[args.var].CopyFrom(
        textforms.parse_parameter(args.var, args.value, literal_type)
    )
    _write_outputs(storage, args.node, result)
    return None


def cache_check(args: Any) -> str | None:
    """Bind a cached task node; on a cache hit write its outputs. Prints ``hit`` or ``miss``."""
    storage = _storage(args)
    key = cache.CacheKey(json_argument(args.key, "--key"))
    inputs = _bind(storage, args)
    return "hit" if cache.lookup(storage, args.node, key, inputs) else "miss"


def _dynamic(args: Any) -> str | None:
    from fcomp.runtime.dynamic import dynamic

    return dynamic(args)


def retry_check(args: Any) -> str | None:
    """Fail (exit status 3) when this attempt retries a non-recoverable error; with
    ``--done``, print ``done`` when an earlier attempt left outputs (nothing to run again),
    else ``run``."""
    storage = _storage(args)
    if args.done:
        try:
            storage.latest_outputs(args.node)
            return "done"
        except OutputsMissingError:
            pass
    retries.check_retry(storage, args.node, args.attempt)
    return "run" if args.done else None


def cache_put(args: Any) -> str | None:
    """Store a cached task node's outputs (latest attempt) under the key of its inputs."""
    storage = _storage(args)
    key = cache.CacheKey(json_argument(args.key, "--key"))
    inputs_path = storage.inputs_path(args.node)
    inputs = parse_message(
        storage.read(inputs_path, args.node), LiteralMap, f"node '{args.node}': {inputs_path}"
    )
    cache.store(storage, args.node, key, inputs, storage.latest_outputs(args.node))
    return None


def show(args: Any) -> str | None:
    """Print a node's latest outputs as JSON."""
    storage = _storage(args)
    return _outputs_json(Resolver(storage).outputs_of(args.node))


#: Command handlers by command name.
COMMANDS: dict[str, Callable[[Any], str | None]] = {
    "start": start,
    "bind": bind,
    "branch": branch,
    "array-size": array_size,
    "gather": gather,
    "outputs": outputs,
    "signal": signal,
    "show": show,
    "cache-check": cache_check,
    "cache-put": cache_put,
    "retry-check": retry_check,
    "dynamic": lambda args: _dynamic(args),
    **copilot.COMMANDS,
    **queries.COMMANDS,
    **connector.COMMANDS,
}
