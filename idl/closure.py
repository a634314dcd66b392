"""Write Flyte's ``CompiledWorkflowClosure`` for a compiled workflow.

The compiler decides the connections; this module applies to the original protobuf nodes the
same rewriting Flyte's compiler applies (branch children renamed ``<branch>-<child>``,
upstream ids sorted, workflow-input promises pointing at ``start-node``, start and end nodes
added), so every other field stays exactly as registered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from flyteidl.core import compiler_pb2, literals_pb2, tasks_pb2, workflow_pb2

START_NODE = "start-node"
END_NODE = "end-node"

Connections = Mapping[str, Sequence[str]]


def _resolve_promises(bindings: Iterable[literals_pb2.Binding]) -> None:
    stack = [b.binding for b in bindings]
    while stack:
        data = stack.pop()
        kind = data.WhichOneof("value")
        if kind == "promise" and not data.promise.node_id:
            data.promise.node_id = START_NODE
        elif kind == "collection":
            stack.extend(data.collection.bindings)
        elif kind == "map":
            stack.extend(data.map.bindings.values())


def _rewrite_node(node: workflow_pb2.Node) -> None:
    """Rename branch children (recursively), sort upstream ids, resolve promises; in place."""
    stack = [node]
    while stack:
        cur = stack.pop()
        cur.upstream_node_ids.sort()
        _resolve_promises(cur.inputs)
        target = cur.WhichOneof("target")
        if target == "branch_node":
            ie = cur.branch_node.if_else
            children = []
            if ie.HasField("case") and ie.case.HasField("then_node"):
                children.append(ie.case.then_node)
            children.extend(o.then_node for o in ie.other if o.HasField("then_node"))
            if ie.WhichOneof("default") == "else_node":
                children.append(ie.else_node)
            for child in children:
                child.id = f"{cur.id}-{child.id}"
                stack.append(child)
        elif target == "array_node" and cur.array_node.HasField("node"):
            stack.append(cur.array_node.node)


def _id_list(ids: Sequence[str]) -> compiler_pb2.ConnectionSet.IdList:
    return compiler_pb2.ConnectionSet.IdList(ids=list(ids))


def compiled_workflow(
    template: workflow_pb2.WorkflowTemplate, upstream: Connections, downstream: Connections
) -> compiler_pb2.CompiledWorkflow:
    """One workflow template as Flyte's compiler outputs it, with the given connections."""
    out = workflow_pb2.WorkflowTemplate()
    out.CopyFrom(template)
    user_nodes = [n for n in out.nodes if n.id not in (START_NODE, END_NODE)]
    for n in user_nodes:
        _rewrite_node(n)
    if out.HasField("failure_node"):
        _rewrite_node(out.failure_node)
    _resolve_promises(out.outputs)
    start = workflow_pb2.Node(id=START_NODE)
    end = workflow_pb2.Node(id=END_NODE)
    end.inputs.extend(out.outputs)
    del out.nodes[:]
    out.nodes.extend([start, end, *user_nodes])
    closure = compiler_pb2.CompiledWorkflow(template=out)
    for node_id in sorted(upstream):
        closure.connections.upstream[node_id].CopyFrom(_id_list(upstream[node_id]))
    for node_id in sorted(downstream):
        closure.connections.downstream[node_id].CopyFrom(_id_list(downstream[node_id]))
    return closure


def compiled_closure(
    primary: compiler_pb2.CompiledWorkflow,
    sub_workflows: Iterable[compiler_pb2.CompiledWorkflow],
    tasks: Iterable[tasks_pb2.TaskTemplate],
) -> compiler_pb2.CompiledWorkflowClosure:
    """Assemble a closure: the primary workflow, its subworkflows and its tasks."""
    closure = compiler_pb2.CompiledWorkflowClosure(primary=primary)
    closure.sub_workflows.extend(sub_workflows)
    closure.tasks.extend(compiler_pb2.CompiledTask(template=t) for t in tasks)
    return closure


class ClosureJsonError(ValueError):
    """A closure that protobuf JSON cannot hold (a ``Duration`` or ``Timestamp`` out of the
    range its JSON form allows); the message says which field."""


def closure_json(closure: compiler_pb2.CompiledWorkflowClosure) -> str:
    """A closure as protobuf JSON (Flyte's field names, stable key order); raises
    :class:`ClosureJsonError` for a value JSON cannot hold."""
    from google.protobuf import json_format

    try:
        return json_format.MessageToJson(closure, indent=2, sort_keys=True) + "\n"
    except json_format.SerializeToJsonError as exc:
        raise ClosureJsonError(str(exc).rstrip(".") + ".") from None
