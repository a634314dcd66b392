"""Flyte's rewriting before validation: branch children get ``<branch>-<child>`` ids
(recursively), upstream ids are sorted, and promises with an empty node id point at the start
node."""

from __future__ import annotations

from dataclasses import replace

from fcomp.compiler import ir
from fcomp.compiler.passes.results import START_NODE


def resolve_promises(data: ir.BindingData) -> ir.BindingData:
    """The binding with every workflow-input promise naming :data:`START_NODE`."""
    match data:
        case ir.Promise(node_id=""):
            return replace(data, node_id=START_NODE)
        case ir.BindingCollection(items=items):
            return replace(data, items=tuple(resolve_promises(x) for x in items))
        case ir.BindingMap(entries=entries):
            return replace(data, entries=tuple((k, resolve_promises(v)) for k, v in entries))
    return data


def _bindings(bindings: tuple[ir.Binding, ...]) -> tuple[ir.Binding, ...]:
    out = None
    for i, b in enumerate(bindings):
        data = b.data
        resolved = data if type(data) is ir.Promise and data.node_id else resolve_promises(data)
        if resolved is not data:
            if out is None:
                out = list(bindings)
            out[i] = replace(b, data=resolved)
    return bindings if out is None else tuple(out)


def normalize_node(node: ir.Node, new_id: str | None = None) -> ir.Node:
    """A node with its id (optionally) replaced, branch children renamed, promises resolved.

    Recursion follows the node's own nesting, which protobuf parsing already bounds.
    """
    node_id = node.id if new_id is None else new_id
    kind = node.kind
    if isinstance(kind, ir.BranchNode):

        def child(n: ir.Node | None) -> ir.Node | None:
            return None if n is None else normalize_node(n, f"{node_id}-{n.id}")

        kind = replace(
            kind,
            cases=tuple(replace(c, then_node=child(c.then_node)) for c in kind.cases),
            else_node=child(kind.else_node),
        )
    elif isinstance(kind, ir.ArrayNode) and kind.node is not None:
        kind = replace(kind, node=normalize_node(kind.node))
    inputs = _bindings(node.inputs)
    upstream = node.upstream
    if len(upstream) > 1:
        upstream = tuple(sorted(upstream))
    if (
        node_id == node.id
        and kind is node.kind
        and inputs is node.inputs
        and upstream == node.upstream
    ):
        return node
    return replace(
        node,
        id=node_id,
        kind=kind,
        inputs=inputs,
        upstream=upstream,
        source=node.source.at(node=node_id) if node_id != node.id else node.source,
    )


def normalize_workflow(wf: ir.Workflow) -> ir.Workflow:
    """The workflow as Flyte's compiler rewrites it before checking it."""
    return replace(
        wf,
        nodes=tuple(normalize_node(n) for n in wf.nodes),
        outputs=_bindings(wf.outputs),
        failure_node=normalize_node(wf.failure_node) if wf.failure_node is not None else None,
    )
