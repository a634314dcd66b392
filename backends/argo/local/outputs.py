"""Output parameters and results, as Argo's executor and controller produce them.

* ``outputs.result``: the main container's stdout with one trailing newline removed, at most
  the last 256 KiB (``CaptureScriptResult``).
* ``valueFrom.path``: the file's content as it is; a missing file takes ``valueFrom.default``
  or fails the node (``SaveParameters``).
* A fan-out's outputs (``tasks.x.outputs.result`` / ``.parameters.y``): JSON lists in item order,
  each element parsed as JSON when it is valid JSON, else kept as a string
  (``processAggregateNodeOutputs``); ``tasks.x.outputs.parameters``: a JSON list of maps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fcomp.backends.argo.local.nodes import NodeState
from fcomp.backends.argo.local.values import go_json, go_string, parse_json_or_string

#: Argo keeps at most this much of stdout as ``outputs.result``.
MAX_RESULT_BYTES = 256 * 1024


def read_result(stdout: Path) -> str:
    """``outputs.result`` from a stdout file."""
    data = stdout.read_bytes() if stdout.exists() else b""
    if data.endswith(b"\n"):
        data = data[:-1]
    if len(data) > MAX_RESULT_BYTES:
        data = data[-MAX_RESULT_BYTES:]
    return data.decode("utf-8", errors="replace")


class OutputError(ValueError):
    """An output parameter that cannot be read."""


def read_path_parameter(param: Mapping[str, Any], local: Path) -> str:
    """An output parameter with ``valueFrom.path``, read from its local file."""
    value_from = param.get("valueFrom") or {}
    try:
        return local.read_text(encoding="utf-8", errors="replace")
    except OSError:
        if value_from.get("default") is not None:
            return go_string(value_from["default"])
        raise OutputError(
            f"output parameter '{param.get('name')}': open {value_from.get('path')}: "
            "no such file or directory"
        ) from None


def static_parameter(param: Mapping[str, Any]) -> str | None:
    """An output parameter's ``value`` or ``valueFrom.default``, when it has one."""
    if param.get("value") is not None:
        return go_string(param["value"])
    default = (param.get("valueFrom") or {}).get("default")
    return None if default is None else go_string(default)


def aggregate(items: Sequence[NodeState]) -> dict[str, str]:
    """The ``outputs.*`` variables of a fan-out, from its item nodes in item order (without
    the ``tasks.<name>.`` prefix)."""
    results: list[Any] = []
    maps: list[dict[str, str]] = []
    by_name: dict[str, list[Any]] = {}
    for node in items:
        if node.result is not None:
            results.append(parse_json_or_string(node.result))
        if node.outputs:
            maps.append(dict(node.outputs))
            for name, value in node.outputs.items():
                by_name.setdefault(name, []).append(parse_json_or_string(value))
    out: dict[str, str] = {"outputs.parameters": go_json(maps)}
    if results:
        out["outputs.result"] = go_json(results)
    for name, values in by_name.items():
        out[f"outputs.parameters.{name}"] = go_json(values)
    return out
