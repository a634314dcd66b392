"""Node ids must stay unique once branch children are renamed ``<branch>-<child>``.

Flyte's compiler renames the nodes inside a branch after the branch (``n1-n0``), recursively,
and silently keeps one of two nodes that end up with the same id. fcomp names target tasks and
data paths after these ids, so two such nodes would overwrite each other's data: report them
(``DuplicateId``). Two top-level nodes with one id are reported by the workflow builder; this
pass reports every other collision: two children of one branch, a renamed child and another
node, the failure node and another node.
"""

from __future__ import annotations

from collections.abc import Iterable

from fcomp.compiler import ir, messages
from fcomp.compiler.diagnostics import Diagnostic, Diagnostics, Severity


def _compiled_ids(top: ir.Node) -> list[tuple[str, ir.Node]]:
    """``top`` and its branch children (recursively) with the ids the compiler gives them;
    iterative, so deep nesting cannot overflow."""
    out: list[tuple[str, ir.Node]] = []
    stack: list[tuple[str, ir.Node]] = [(top.id, top)]
    while stack:
        node_id, node = stack.pop()
        out.append((node_id, node))
        kind = node.kind
        if isinstance(kind, ir.BranchNode):
            children = [c.then_node for c in kind.cases] + [kind.else_node]
            stack.extend((f"{node_id}-{c.id}", c) for c in reversed(children) if c is not None)
    return out


def duplicate_ids(nodes: Iterable[ir.Node], failure_node: ir.Node | None) -> list[Diagnostic]:
    """Collisions of compiled node ids among ``nodes`` (and the failure node)."""
    top = list(nodes)
    top_ids = {n.id for n in top}
    seen: dict[str, ir.Node] = {}
    out: list[Diagnostic] = []
    roots = top + ([failure_node] if failure_node is not None else [])
    for root in roots:
        for node_id, node in _compiled_ids(root):
            first = seen.get(node_id)
            if first is None:
                seen[node_id] = node
                continue
            if node is root and root is not failure_node and node_id in top_ids:
                continue  # two top-level nodes: the workflow builder reports them
            text = messages.DUPLICATE_NODE.format(id=node_id)
            out.append(
                Diagnostic(
                    Severity.ERROR,
                    messages.DUPLICATE_NODE.code,
                    f"{text} (after branch children are renamed <branch>-<child>)",
                    node.source,
                )
            )
    return out


def check_node_ids(program: ir.Program, diags: Diagnostics) -> None:
    """Report colliding compiled node ids in every workflow and dynamic job of ``program``."""
    for wf in program.workflows:
        diags.extend(duplicate_ids(wf.nodes, wf.failure_node))
    for job in program.dynamic_jobs:
        diags.extend(duplicate_ids(job.nodes, None))
