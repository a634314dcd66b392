"""Field coverage: every field of the messages that say how something runs has an entry per
target (walked from the installed flyteidl's descriptors, so a new field fails here until
someone classifies it); every entry is well-formed; every field the coverage pass reports is
reported, naming the entity, node and field; ``fcomp build`` shows those diagnostics."""

from __future__ import annotations

import importlib
import pkgutil
from collections import deque
from pathlib import Path
from typing import Any

import flyteidl.plugins
import pytest
from flyteidl.admin import launch_plan_pb2, workflow_pb2
from flyteidl.core import literals_pb2, security_pb2, tasks_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2
from google.protobuf import json_format, symbol_database
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from robust_support import PACKAGES, REPO, Package, build_package

from fcomp.compiler import codes
from fcomp.compiler.coverage import TABLES, Honoured, Nested, NoEffect, Reported
from fcomp.compiler.coverage.plugins import CUSTOM_MESSAGES
from fcomp.compiler.diagnostics import Severity, Source
from fcomp.compiler.passes.coverage import check_coverage
from fcomp.idl.load import load_paths
from fcomp.idl.model import EntityKind, LoadedEntity

#: The messages issue 7 lists, besides every flyteidl.plugins message.
LISTED = (
    tasks_pb2.TaskTemplate,
    tasks_pb2.TaskMetadata,
    tasks_pb2.Container,
    tasks_pb2.K8sPod,
    tasks_pb2.Resources,
    literals_pb2.RetryStrategy,
    security_pb2.SecurityContext,
    core_workflow_pb2.Node,
    core_workflow_pb2.NodeMetadata,
    core_workflow_pb2.TaskNodeOverrides,
    core_workflow_pb2.WorkflowMetadata,
    core_workflow_pb2.WorkflowMetadataDefaults,
    core_workflow_pb2.ArrayNode,
    core_workflow_pb2.BranchNode,
    core_workflow_pb2.GateNode,
    launch_plan_pb2.LaunchPlanSpec,
)
TARGETS = sorted(TABLES)


def plugin_messages() -> list[Descriptor]:
    """Every message (nested ones too, map entries aside) of every flyteidl.plugins module."""
    out: list[Descriptor] = []
    for info in pkgutil.walk_packages(flyteidl.plugins.__path__, "flyteidl.plugins."):
        if not info.name.endswith("_pb2"):
            continue
        stack = list(importlib.import_module(info.name).DESCRIPTOR.message_types_by_name.values())
        while stack:
            d = stack.pop()
            if not d.GetOptions().map_entry:
                out.append(d)
                stack.extend(d.nested_types)
    return sorted(out, key=lambda d: d.full_name)


def required() -> list[Descriptor]:
    return [m.DESCRIPTOR for m in LISTED] + plugin_messages()


def test_the_walk_sees_the_plugin_messages() -> None:
    names = {d.full_name for d in plugin_messages()}
    assert {"flyteidl.plugins.SparkJob", "flyteidl.plugins.RayJob"} <= names
    assert "flyteidl.plugins.kubeflow.DistributedPyTorchTrainingTask" in names
    assert len(names) >= 25


@pytest.mark.parametrize("target", TARGETS)
def test_every_field_of_the_installed_flyteidl_is_classified(target: str) -> None:
    table = TABLES[target]
    missing = [
        f"{d.full_name}.{f.name}"
        for d in required()
        for f in d.fields
        if f.name not in table.get(d.full_name, {})
    ]
    assert missing == [], f"unclassified fields for {target}: {missing}"


@pytest.mark.parametrize("target", TARGETS)
def test_entries_name_real_fields_and_are_well_formed(target: str) -> None:
    plugin_messages()  # imports every flyteidl.plugins module: the pool then knows them all
    pool = symbol_database.Default().pool
    for name, fields in TABLES[target].items():
        descriptor = pool.FindMessageTypeByName(name)
        assert set(fields) <= set(descriptor.fields_by_name), name
        for field_name, entry in fields.items():
            field = descriptor.fields_by_name[field_name]
            where = f"{target}: {name}.{field_name}"
            if isinstance(entry, Nested):
                inner = _inner_message(field)
                assert inner is not None, where
                # ``custom`` is a Struct holding the task type's plugin message.
                assert inner.full_name in TABLES[target] or field_name == "custom", where
            elif isinstance(entry, Reported):
                assert entry.code in codes.CODES and entry.why, where
                assert not entry.by or (REPO / entry.by).is_file(), where
            elif isinstance(entry, NoEffect):
                assert len(entry.reason) > 20, where
            else:
                assert isinstance(entry, Honoured) and entry.case, where


def _inner_message(field: FieldDescriptor) -> Descriptor | None:
    kind = field.message_type
    if kind is not None and kind.GetOptions().map_entry:
        return kind.fields_by_name["value"].message_type
    return kind


# --- The coverage pass reports every field it should --------------------------------------

_ROOTS: dict[str, Any] = {
    "flyteidl.core.TaskTemplate": tasks_pb2.TaskTemplate,
    "flyteidl.admin.WorkflowSpec": workflow_pb2.WorkflowSpec,
    "flyteidl.admin.LaunchPlan": launch_plan_pb2.LaunchPlan,
}
_KINDS = {
    "flyteidl.core.TaskTemplate": EntityKind.TASK,
    "flyteidl.admin.WorkflowSpec": EntityKind.WORKFLOW,
    "flyteidl.admin.LaunchPlan": EntityKind.LAUNCH_PLAN,
}


def _path_to(name: str) -> tuple[str, list[str]]:
    """A root message and the field names leading from it to a message of type ``name``."""
    for root in _ROOTS:
        queue: deque[tuple[Descriptor, list[str]]] = deque()
        queue.append((symbol_database.Default().pool.FindMessageTypeByName(root), []))
        seen: set[str] = set()
        while queue:
            d, path = queue.popleft()
            if d.full_name == name:
                return root, path
            if d.full_name in seen:
                continue
            seen.add(d.full_name)
            for f in d.fields:
                if f.message_type is not None and not f.message_type.GetOptions().map_entry:
                    queue.append((f.message_type, [*path, f.name]))
    raise LookupError(name)


def _set_some_value(message: Message, field: FieldDescriptor) -> None:
    """Give ``field`` of ``message`` a value that is not its default."""
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        container = getattr(message, field.name)
        value_field = field.message_type.fields_by_name["value"]
        if value_field.message_type is None:
            container["k"] = _scalar(value_field)
        else:
            _fill(container["k"])
    elif field.is_repeated:
        container = getattr(message, field.name)
        if field.message_type is None:
            container.append(_scalar(field))
        else:
            _fill(container.add())
    elif field.message_type is None:
        setattr(message, field.name, _scalar(field))
    else:
        inner = getattr(message, field.name)
        inner.SetInParent()
        _fill(inner)


def _fill(message: Message) -> None:
    """Set the first field of ``message`` so that it is not empty."""
    fields = message.DESCRIPTOR.fields
    if fields:
        _set_some_value(message, fields[0])


def _scalar(field: FieldDescriptor) -> Any:
    if field.enum_type is not None:
        return field.enum_type.values[-1].number
    if field.type == FieldDescriptor.TYPE_BOOL:
        return True
    if field.type == FieldDescriptor.TYPE_STRING:
        return "x"
    if field.type == FieldDescriptor.TYPE_BYTES:
        return b"x"
    if field.type in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        return 0.5
    return 1


def _entity_with(name: str, field: str) -> tuple[LoadedEntity, str]:
    """An entity in which ``name.field`` is set, and the field path the pass should name."""
    plugin = next((key for key, msg in CUSTOM_MESSAGES.items() if msg == name), None)
    if plugin is None and name.startswith("flyteidl.plugins."):
        for key, msg in CUSTOM_MESSAGES.items():
            try:
                _, inner_path = _path_from(msg, name)
            except LookupError:
                continue
            plugin = key
            break
    if plugin is not None:
        top = symbol_database.Default().GetSymbol(CUSTOM_MESSAGES[plugin])()
        path = _path_from(CUSTOM_MESSAGES[plugin], name)[1]
        holder = top
        for step in path:
            holder = getattr(holder, step)
        _set_some_value(holder, holder.DESCRIPTOR.fields_by_name[field])
        task = tasks_pb2.TaskTemplate(type=plugin[0], task_type_version=plugin[1] or 0)
        task.id.name = "t"
        json_format.ParseDict(json_format.MessageToDict(top), task.custom)
        entity = LoadedEntity(EntityKind.TASK, task, Source("f.pb", "t"))
        return entity, ".".join(["custom", *path, field])
    root, path = _path_to(name)
    top = _ROOTS[root]()
    holder = top
    for step in path:
        repeated = holder.DESCRIPTOR.fields_by_name[step].is_repeated
        holder = getattr(holder, step).add() if repeated else getattr(holder, step)
        holder.SetInParent()
    _set_some_value(holder, holder.DESCRIPTOR.fields_by_name[field])
    return LoadedEntity(_KINDS[root], top, Source("f.pb")), field


def _path_from(start: str, name: str) -> tuple[str, list[str]]:
    pool = symbol_database.Default().pool
    queue: deque[tuple[Descriptor, list[str]]] = deque([(pool.FindMessageTypeByName(start), [])])
    while queue:
        d, path = queue.popleft()
        if d.full_name == name:
            return start, path
        for f in d.fields:
            if f.message_type is not None and not f.message_type.GetOptions().map_entry:
                if not f.is_repeated and len(path) < 6:
                    queue.append((f.message_type, [*path, f.name]))
    raise LookupError(name)


def _reported_by_the_pass() -> list[tuple[str, str, str, Reported]]:
    out = []
    for target in TARGETS:
        for name, fields in sorted(TABLES[target].items()):
            for field, entry in sorted(fields.items()):
                if isinstance(entry, Reported) and not entry.by:
                    out.append((target, name, field, entry))
    return out


@pytest.mark.parametrize(
    ("target", "name", "field", "entry"),
    _reported_by_the_pass(),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_the_coverage_pass_reports_every_dropped_field(
    target: str, name: str, field: str, entry: Reported
) -> None:
    entity, path = _entity_with(name, field)
    found = check_coverage([entity], target)
    matching = [d for d in found if d.source.field.endswith(path.rsplit(".", 1)[-1])]
    assert matching, (path, [d.render() for d in found])
    d = matching[0]
    assert (d.code, d.severity) == (entry.code, entry.severity)
    assert target in d.message and entry.why in d.message
    assert d.source.field.endswith(field)
    # With the field unset, the pass says nothing about it.
    assert not [
        x for x in check_coverage([_without(entity)], target) if x.source.field == d.source.field
    ]


def _without(entity: LoadedEntity) -> LoadedEntity:
    empty = type(entity.message)()
    if isinstance(empty, tasks_pb2.TaskTemplate):
        empty.id.name = "t"
    return LoadedEntity(entity.kind, empty, entity.source)


def test_every_code_the_table_uses_is_documented() -> None:
    used = {e.code for _, _, _, e in _reported_by_the_pass()}
    assert used <= set(codes.CODES)
    assert codes.IGNORED_FIELD in used and codes.UNSUPPORTED_CONSTRUCT in used


# --- Through the real build ----------------------------------------------------------------


def test_a_dropped_field_is_reported_naming_task_and_field(tmp_path: Path) -> None:
    package = Package.load("chain").copy()
    package.task("add_one").metadata.pod_template_name = "gpu-pods"
    built = build_package(package, tmp_path, "argo")
    assert built.files  # a warning: the build goes on
    found = [d for d in built.diagnostics if d.code == codes.IGNORED_FIELD]
    assert len(found) == 1
    assert found[0].severity is Severity.WARNING
    assert found[0].source.entity.endswith("chain.add_one")
    assert found[0].source.field == "metadata.pod_template_name"
    assert "PodTemplate" in found[0].message


def test_a_dropped_node_field_names_the_node(tmp_path: Path) -> None:
    package = Package.load("chain").copy()
    package.workflow("chain_wf").nodes[1].metadata.config["k"] = "v"
    built = build_package(package, tmp_path, "argo")
    found = [d for d in built.diagnostics if d.code == codes.IGNORED_FIELD]
    assert [(d.source.entity.rsplit(".", 1)[-1], d.source.node, d.source.field) for d in found] == [
        ("chain_wf", package.workflow("chain_wf").nodes[1].id, "metadata.config")
    ]


def test_an_unrunnable_field_stops_the_build(tmp_path: Path) -> None:
    package = Package.load("chain").copy()
    package.task("add_one").metadata.is_eager = True
    built = build_package(package, tmp_path, "argo")
    errors = [d for d in built.errors if d.code == codes.UNSUPPORTED_CONSTRUCT]
    assert errors and errors[0].source.field == "metadata.is_eager"


@pytest.mark.parametrize("target", TARGETS)
def test_examples_drop_only_known_fields(target: str) -> None:
    """The bundled examples set no field that Argo drops; on Airflow only known ones."""
    loaded = load_paths(sorted(PACKAGES.glob("*.tgz")))
    found = check_coverage(loaded.entities, target)
    if target == "argo":
        assert found == []
    else:
        # Node timeouts (Airflow has one timeout per attempt: see the airflow entries).
        assert {d.source.field for d in found} <= {"metadata.timeout"}
