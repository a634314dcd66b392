"""The plugin messages a task's ``custom`` holds (``flyteidl.plugins.*``, as protobuf JSON):
the descriptor pool that knows them, and the pod specs inside them (Spark's driver and
executor pods, Ray's head and worker groups: every ``flyteidl.core.K8sPod`` field)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor

from fcomp.compiler import ir
from fcomp.compiler.coverage import custom_message
from fcomp.compiler.frontend.structs import json_field

_K8S_POD = "flyteidl.core.K8sPod"


@cache
def plugin_pool() -> Any:
    """The descriptor pool, with every ``flyteidl.plugins`` message loaded (``custom`` holds
    them as JSON, so nothing else imports their modules)."""
    import flyteidl.plugins

    for info in pkgutil.walk_packages(flyteidl.plugins.__path__, "flyteidl.plugins."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)
    return descriptor_pool.Default()


def plugin_pod_specs(task: ir.Task) -> Iterator[tuple[str, Any, Mapping[str, Any]]]:
    """``(field path, pod spec, K8sPod)`` of every ``K8sPod.pod_spec`` set in the task's
    plugin settings, in field order; paths use JSON names (``custom.driverPod.podSpec``)."""
    name = custom_message(task.type, task.type_version)
    if name is None or not isinstance(task.custom, Mapping):
        return
    root: Descriptor = plugin_pool().FindMessageTypeByName(name)
    stack: list[tuple[Descriptor, Mapping[str, Any], str]] = [(root, task.custom, "custom")]
    while stack:
        kind, data, path = stack.pop()
        children: list[tuple[Descriptor, Mapping[str, Any], str]] = []
        for field in kind.fields:
            sub = field.message_type
            value = json_field(data, field.json_name, field.name)
            if sub is None or value is None or sub.GetOptions().map_entry:
                continue
            where = f"{path}.{field.json_name}"
            items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            for i, item in items:
                at = where if i is None else f"{where}[{i}]"
                if not isinstance(item, Mapping):
                    continue
                if sub.full_name == _K8S_POD:
                    spec = json_field(item, "podSpec", "pod_spec")
                    if spec is not None:
                        yield f"{at}.podSpec", spec, item
                elif sub.full_name.startswith("flyteidl."):
                    children.append((sub, item, at))
        stack.extend(reversed(children))
