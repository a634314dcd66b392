"""Graphviz DOT text of a :class:`~fcomp.backends.graph.model.Graph`.

Every id is quoted, so node keys are used as they are; shapes and edge styles come from the
tables below, keyed by kind.
"""

from __future__ import annotations

from fcomp.backends.graph.model import Cluster, ClusterKind, Edge, EdgeKind, Graph, Kind

#: Node attributes per kind (besides the label).
NODE_STYLES: dict[Kind, str] = {
    Kind.START: 'shape=oval, style=filled, fillcolor="#eeeeee"',
    Kind.END: 'shape=oval, style=filled, fillcolor="#eeeeee"',
    Kind.TASK: 'shape=box, style="rounded,filled", fillcolor="#dbe9f6"',
    Kind.BRANCH: 'shape=diamond, style=filled, fillcolor="#fdf1c7"',
    Kind.MERGE: "shape=point, width=0.12",
    Kind.FAIL: 'shape=octagon, style=filled, fillcolor="#f8d0d0"',
    Kind.MAP: 'shape=box3d, style=filled, fillcolor="#dbe9f6"',
    Kind.GATE: 'shape=hexagon, style=filled, fillcolor="#e4dcf2"',
    Kind.LAUNCH_PLAN: 'shape=component, style=filled, fillcolor="#dcefdc"',
    Kind.FAILURE: 'shape=box, style="rounded,filled,dashed", fillcolor="#f8d0d0"',
}

#: Frame attributes per cluster kind.
CLUSTER_STYLES: dict[ClusterKind, str] = {
    ClusterKind.SUBWORKFLOW: 'style=rounded, color="#5b7fa6"',
    ClusterKind.BRANCH: 'style=dashed, color="#b89b3a"',
    ClusterKind.MAP: 'style=dashed, color="#5b7fa6"',
}

#: Edge attributes per edge kind (besides the label).
EDGE_STYLES: dict[EdgeKind, str] = {
    EdgeKind.DATA: "",
    EdgeKind.ORDER: "style=dashed",
    EdgeKind.CASE: 'color="#b89b3a", fontcolor="#8a6d1f"',
    EdgeKind.FAILURE: 'style=dashed, color="#c04040"',
}


def quote(text: str) -> str:
    """A DOT double-quoted string; line breaks become ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def _attrs(label: tuple[str, ...] | str, style: str) -> str:
    text = label if isinstance(label, str) else "\n".join(label)
    parts = ([f"label={quote(text)}"] if text else []) + ([style] if style else [])
    return f" [{', '.join(parts)}]" if parts else ""


def _cluster(cluster: Cluster, indent: str, out: list[str]) -> None:
    for node in cluster.nodes:
        label = node.lines if node.kind is not Kind.MERGE else ""
        out.append(f"{indent}{quote(node.key)}{_attrs(label, NODE_STYLES[node.kind])};")
    for inner in cluster.clusters:
        out.append(f"{indent}subgraph {quote('cluster_' + inner.key)} {{")
        out.append(f"{indent}  label={quote(inner.label)};")
        out.append(f"{indent}  graph [{CLUSTER_STYLES[inner.kind]}];")
        _cluster(inner, indent + "  ", out)
        out.append(f"{indent}}}")


def _edge(edge: Edge) -> str:
    return f"  {quote(edge.src)} -> {quote(edge.dst)}{_attrs(edge.lines, EDGE_STYLES[edge.kind])};"


def to_dot(graph: Graph) -> str:
    """The DOT text of ``graph`` (ends with a newline)."""
    out = [
        f"digraph {quote(graph.name)} {{",
        f'  graph [label={quote(graph.name)}, labelloc=t, fontname="Helvetica", '
        "rankdir=TB, newrank=true];",
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    _cluster(graph.root, "  ", out)
    out.extend(_edge(edge) for edge in graph.edges)
    out.append("}")
    return "\n".join(out) + "\n"
