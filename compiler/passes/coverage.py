"""The coverage pass: every set input field the target drops is reported, per target.

One general mechanism instead of checks scattered over plugins and backends: walk the set
fields of every loaded message (task templates with their plugin ``custom``, workflow specs
with their nodes, launch plans) and look each one up in the target's coverage table
(:mod:`fcomp.compiler.coverage`). A field whose entry is ``Reported`` with no other reporter
gives that entry's diagnostic, naming the task or workflow, the node and the field path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from google.protobuf import json_format, symbol_database
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from fcomp.compiler.coverage import TABLES, Reported, custom_message
from fcomp.compiler.diagnostics import Diagnostic, Source
from fcomp.compiler.frozen import fast_init
from fcomp.compiler.passes.plugin_messages import plugin_pool
from fcomp.idl.model import LoadedEntity

#: Messages whose presence alone is a value (a wrapped ``false`` or ``0`` still says something).
_WRAPPERS = frozenset(
    f"google.protobuf.{n}Value"
    for n in ("Bool", "Int32", "Int64", "UInt32", "UInt64", "Float", "Double", "String", "Bytes")
)


@fast_init
@dataclass(frozen=True, slots=True)
class _Item:
    """A message to check, where it sits (source) and its field path from there."""

    message: Message
    source: Source
    path: str


def _children(descriptor: Descriptor) -> Iterator[Descriptor]:
    for field in descriptor.fields:
        kind = field.message_type
        if kind is None:
            continue
        if kind.GetOptions().map_entry:
            value = kind.fields_by_name["value"].message_type
            if value is not None:
                yield value
        else:
            yield kind


#: The messages the loaders hand over (see :class:`fcomp.idl.model.EntityKind`).
_ROOTS = (
    "flyteidl.core.TaskTemplate",
    "flyteidl.admin.WorkflowSpec",
    "flyteidl.admin.LaunchPlan",
    "flyteidl.core.DynamicJobSpec",
)


@cache
def _leads_to_table(target: str) -> frozenset[str]:
    """Names of the message types from which a message of the table can be reached; the walk
    descends only into those (never into literals, types or interfaces)."""
    table = TABLES[target]
    pool = plugin_pool()
    roots = [pool.FindMessageTypeByName(n) for n in (*_ROOTS, *table)]
    # Reverse reachability: a type leads to the table when a child does (fixpoint).
    edges: dict[str, set[str]] = {}
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        d = stack.pop()
        if d.full_name in seen:
            continue
        seen.add(d.full_name)
        children = list(_children(d))
        edges[d.full_name] = {k.full_name for k in children}
        stack.extend(children)
    leads = set(table)
    changed = True
    while changed:
        changed = False
        for name, kids in edges.items():
            if name not in leads and kids & leads:
                leads.add(name)
                changed = True
    return frozenset(leads)


def _is_set(field: FieldDescriptor, value: object) -> bool:
    """Whether a field ``ListFields`` returned says anything: an empty sub-message does not
    (pyflyte writes empty ones), a wrapper does even when it wraps a default."""
    kind = field.message_type
    if kind is None or field.is_repeated:
        return True
    if kind.full_name in _WRAPPERS:
        return True
    return isinstance(value, Message) and value.ByteSize() > 0


def _located(message: Message, source: Source, path: str) -> tuple[Source, str]:
    """The source narrowed by what a message says about where it is."""
    name = message.DESCRIPTOR.full_name
    if name == "flyteidl.core.Node":
        return source.at(node=message.id, field=""), ""  # type: ignore[attr-defined]
    if name in ("flyteidl.core.TaskTemplate", "flyteidl.core.WorkflowTemplate"):
        return Source(source.file, message.id.name), ""  # type: ignore[attr-defined]
    if name == "flyteidl.admin.LaunchPlan":
        return Source(source.file, message.id.name), ""  # type: ignore[attr-defined]
    return source, path


def _plugin_message(task: Any) -> Message | None:
    """The task's ``custom`` as its plugin message, or None (no plugin message, or a custom
    that does not parse as one: the plugin reports that itself)."""
    name = custom_message(task.type, task.task_type_version)
    if name is None or not task.HasField("custom"):
        return None
    plugin_pool()
    cls = symbol_database.Default().GetSymbol(name)
    try:
        return json_format.ParseDict(
            json_format.MessageToDict(task.custom), cls(), ignore_unknown_fields=True
        )
    except (json_format.ParseError, ValueError, TypeError, RecursionError):
        return None


#: The messages that say where they are (:func:`_located`), or hold a plugin message.
_LOCATING = frozenset(
    {
        "flyteidl.core.Node",
        "flyteidl.core.TaskTemplate",
        "flyteidl.core.WorkflowTemplate",
        "flyteidl.admin.LaunchPlan",
    }
)


@cache
def _located_below(target: str) -> frozenset[str]:
    """Names of the message types the walk enters from which a locating message
    (:data:`_LOCATING`) can be reached. Below any other message, what the walk finds depends
    only on that message's content, so it is found once per distinct content."""
    leads = _leads_to_table(target)
    pool = plugin_pool()
    edges = {
        name: {k.full_name for k in _children(pool.FindMessageTypeByName(name))} & leads
        for name in leads
    }
    found = set(_LOCATING)
    changed = True
    while changed:
        changed = False
        for name, kids in edges.items():
            if name not in found and kids & found:
                found.add(name)
                changed = True
    return frozenset(found)


def _subtree(message: Message, target: str) -> list[tuple[Reported, str]]:
    """What the walk finds below a message that holds no locating message, with field paths
    relative to it; remembered by the message's type and content (a large workflow repeats
    the same task settings and node metadata on many nodes)."""
    key = (target, message.DESCRIPTOR.full_name, message.SerializeToString(deterministic=True))
    found = _SUBTREES.get(key)
    if found is None:
        found = [(entry, path) for entry, _, path in _walk_all(message, Source(), target)]
        if len(_SUBTREES) >= 4096:
            _SUBTREES.clear()
        _SUBTREES[key] = found
    return found


_SUBTREES: dict[tuple[str, str, bytes], list[tuple[Reported, str]]] = {}


def _walk(root: Message, source: Source, target: str) -> Iterator[tuple[Reported, Source, str]]:
    """Every set field with a ``Reported`` entry that no other part of fcomp reports."""
    located = _located_below(target)
    stack = [_Item(root, source, "")]
    while stack:
        item = stack.pop()
        if item.message.DESCRIPTOR.full_name in located:
            shallow = _shallow(item, target, located)
            if shallow is not None:
                yield from shallow
                continue
            out: list[tuple[Reported, Source, str]] = []
            stack.extend(_step(item, target, out))
            yield from out
        else:
            for entry, rel in _subtree(item.message, target):
                yield entry, item.source, f"{item.path}.{rel}" if item.path else rel


def _shallow(
    item: _Item, target: str, located: frozenset[str]
) -> list[tuple[Reported, Source, str]] | None:
    """The findings of a locating message none of whose walked fields holds another one (a
    task node), remembered by the content of the fields the walk looks at; None when it
    cannot be remembered that way (the walk then takes it apart)."""
    message = item.message
    name = message.DESCRIPTOR.full_name
    plan = _shallow_plan(target, name)
    if plan is None:
        return None
    key: list[object] = [target, name]
    singular = _singular_messages(target, name)
    if singular is not None:
        # Only singular message fields matter (a node's target and metadata): look at those
        # instead of listing every field (the inputs and upstream ids are most of a node).
        for number, field_name, how in singular:
            if message.HasField(field_name):
                if how is _ABORT:
                    return None
                key += (number, getattr(message, field_name).SerializeToString(deterministic=True))
        return _remembered(item, target, tuple(key))
    for field, value in message.ListFields():
        how = plan.get(field.number, _SKIP)
        if how is _SKIP:
            continue
        if how is _ABORT:
            return None
        if how is _SCALAR:
            key += (field.number, tuple(value) if field.is_repeated else value)
        elif how is _MESSAGES:
            key += (field.number, tuple(v.SerializeToString(deterministic=True) for v in value))
        else:
            key += (field.number, value.SerializeToString(deterministic=True))
    return _remembered(item, target, tuple(key))


def _remembered(
    item: _Item, target: str, memo_key: tuple[object, ...]
) -> list[tuple[Reported, Source, str]]:
    """The findings of ``item``'s message, walked once per ``memo_key``."""
    message = item.message
    found = _SHALLOW.get(memo_key)
    if found is None:
        found = [(entry, path) for entry, _, path in _walk_all(message, Source(), target)]
        if len(_SHALLOW) >= 4096:
            _SHALLOW.clear()
        _SHALLOW[memo_key] = found
    if not found:
        return []
    where, path = _located(message, item.source, item.path)
    return [(entry, where, f"{path}.{rel}" if path else rel) for entry, rel in found]


@cache
def _singular_messages(target: str, name: str) -> tuple[tuple[int, str, object], ...] | None:
    """The fields :func:`_shallow` keys a message of type ``name`` on, when all of them are
    singular messages (then ``HasField`` finds them); None otherwise."""
    plan = _shallow_plan(target, name)
    if plan is None:
        return None
    out = []
    for field in plugin_pool().FindMessageTypeByName(name).fields:
        how = plan[field.number]
        if how is _SKIP:
            continue
        if how not in (_MESSAGE, _ABORT) or field.is_repeated or field.message_type is None:
            return None
        if field.message_type.GetOptions().map_entry:
            return None
        out.append((field.number, field.name, how))
    return tuple(out)


_SKIP, _ABORT, _SCALAR, _MESSAGE, _MESSAGES = (object() for _ in range(5))


@cache
def _shallow_plan(target: str, name: str) -> dict[int, object] | None:
    """How :func:`_shallow` treats each field of message type ``name``: not looked at, part of
    the content key (scalars, one message, repeated messages), or not rememberable (a map,
    or a message that may hold a locating one); None for a type never remembered."""
    if name == "flyteidl.core.TaskTemplate":
        return None
    entries = TABLES[target].get(name, {})
    leads = _leads_to_table(target)
    located = _located_below(target)
    plan: dict[int, object] = {}
    for field in plugin_pool().FindMessageTypeByName(name).fields:
        entry = entries.get(field.name)
        kind = field.message_type
        reported = isinstance(entry, Reported) and not entry.by
        if kind is not None and (kind.GetOptions().map_entry or kind.full_name in located):
            plan[field.number] = _ABORT
        elif not reported and (kind is None or kind.full_name not in leads):
            plan[field.number] = _SKIP
        elif kind is None:
            plan[field.number] = _SCALAR
        else:
            plan[field.number] = _MESSAGES if field.is_repeated else _MESSAGE
    return plan


_SHALLOW: dict[tuple[object, ...], list[tuple[Reported, str]]] = {}


def _walk_all(root: Message, source: Source, target: str) -> Iterator[tuple[Reported, Source, str]]:
    """:func:`_walk` without remembering subtrees."""
    stack = [_Item(root, source, "")]
    while stack:
        item = stack.pop()
        out: list[tuple[Reported, Source, str]] = []
        stack.extend(_step(item, target, out))
        yield from out


def _step(item: _Item, target: str, out: list[tuple[Reported, Source, str]]) -> list[_Item]:
    """Check one message's own fields (findings into ``out``); its children to walk, in the
    order the stack takes them."""
    table = TABLES[target]
    leads = _leads_to_table(target)
    children: list[_Item] = []
    where, path = _located(item.message, item.source, item.path)
    name = item.message.DESCRIPTOR.full_name
    if name == "flyteidl.core.TaskTemplate":
        plugin = _plugin_message(item.message)
        if plugin is not None:
            children.append(_Item(plugin, where, "custom"))
    entries = table.get(name, {})
    for field, value in item.message.ListFields():
        entry = entries.get(field.name)
        kind = field.message_type
        reported = isinstance(entry, Reported) and not entry.by
        if not reported and (kind is None or kind.full_name not in leads):
            if kind is None or not kind.GetOptions().map_entry:
                continue
        field_path = f"{path}.{field.name}" if path else field.name
        if reported and _is_set(field, value):
            out.append((entry, where, field_path))  # type: ignore[arg-type]
        children.extend(_descend(field, value, where, field_path, leads))
    return children


def _descend(
    field: FieldDescriptor, value: object, where: Source, path: str, leads: frozenset[str]
) -> list[_Item]:
    kind = field.message_type
    if kind is None:
        return []
    if kind.GetOptions().map_entry:
        inner = kind.fields_by_name["value"].message_type
        if inner is None or inner.full_name not in leads:
            return []
        entries: Any = value
        return [_Item(v, where, f"{path}[{k}]") for k, v in entries.items()]
    if kind.full_name not in leads:
        return []
    if field.is_repeated:
        items: Any = value
        return [_Item(v, where, f"{path}[{i}]") for i, v in enumerate(items)]
    assert isinstance(value, Message)
    return [_Item(value, where, path)]


def _diagnostic(entry: Reported, where: Source, path: str, target: str) -> Diagnostic:
    if entry.code == "IgnoredField":
        text = f"the {target} target runs without this field: {entry.why}"
    else:
        text = f"the {target} target cannot run this field: {entry.why}"
    return Diagnostic(entry.severity, entry.code, text, where.at(field=path))


def check_coverage(entities: Iterable[LoadedEntity], target: str) -> list[Diagnostic]:
    """The diagnostics of every set field ``target`` drops or cannot run, in input order."""
    out: list[Diagnostic] = []
    seen: set[Diagnostic] = set()
    for entity in entities:
        for entry, where, path in _walk(entity.message, entity.source, target):
            d = _diagnostic(entry, where, path, target)
            if d not in seen:
                seen.add(d)
                out.append(d)
    return out
