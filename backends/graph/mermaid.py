"""Mermaid flowchart text of a :class:`~fcomp.backends.graph.model.Graph`.

Mermaid ids allow fewer characters than DOT's quoted ids, so every node and cluster key is
mapped to a safe, unique id in build order; labels are quoted with entity codes for the
characters Mermaid would read as syntax.
"""

from __future__ import annotations

import json
import re

from fcomp.backends.graph.model import Cluster, EdgeKind, Graph, Kind

#: Opening and closing brackets of each node shape.
NODE_SHAPES: dict[Kind, tuple[str, str]] = {
    Kind.START: ("([", "])"),
    Kind.END: ("([", "])"),
    Kind.TASK: ("(", ")"),
    Kind.BRANCH: ("{", "}"),
    Kind.MERGE: ("((", "))"),
    Kind.FAIL: ("[/", "\\]"),
    Kind.MAP: ("[[", "]]"),
    Kind.GATE: ("{{", "}}"),
    Kind.LAUNCH_PLAN: ("[/", "/]"),
    Kind.FAILURE: (">", "]"),
}

#: Arrow of each edge kind.
ARROWS: dict[EdgeKind, str] = {
    EdgeKind.DATA: "-->",
    EdgeKind.ORDER: "-.->",
    EdgeKind.CASE: "==>",
    EdgeKind.FAILURE: "-.->",
}

#: Words Mermaid reads as keywords when used as an id.
RESERVED = frozenset(
    {"end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click"}
    | {"linkstyle", "direction", "default", "call", "href"}
)

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}


class _Ids:
    """Safe, unique Mermaid ids for picture keys."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._taken: set[str] = set()

    def __call__(self, key: str) -> str:
        if key not in self._ids:
            base = _UNSAFE.sub("_", key) or "node"
            if base[0].isdigit() or base.lower() in RESERVED:
                base = "n_" + base
            candidate, n = base, 1
            while candidate in self._taken:
                n += 1
                candidate = f"{base}_{n}"
            self._taken.add(candidate)
            self._ids[key] = candidate
        return self._ids[key]


def text(lines: tuple[str, ...] | str) -> str:
    """A quoted Mermaid label; lines are joined with ``<br>``."""
    parts = [lines] if isinstance(lines, str) else list(lines)
    escaped = ["".join(_ENTITIES.get(c, c) for c in part) for part in parts]
    return '"' + "<br>".join(escaped) + '"'


def _cluster(cluster: Cluster, ids: _Ids, indent: str, out: list[str]) -> None:
    for node in cluster.nodes:
        opening, closing = NODE_SHAPES[node.kind]
        label = node.lines if node.kind is not Kind.MERGE else " "
        shape = f"{opening}{text(label)}{closing}"
        out.append(f"{indent}{ids(node.key)}{shape}:::{CLASS_PREFIX}{node.kind.value}")
    for inner in cluster.clusters:
        out.append(f"{indent}subgraph {ids('cluster:' + inner.key)} [{text(inner.label)}]")
        _cluster(inner, ids, indent + "  ", out)
        out.append(f"{indent}end")


#: Class names are prefixed so that no kind (``end``) reads as a keyword.
CLASS_PREFIX = "kind_"

#: Fill colours per node kind, as Mermaid class definitions.
CLASSES: dict[Kind, str] = {
    Kind.START: "fill:#eeeeee",
    Kind.END: "fill:#eeeeee",
    Kind.TASK: "fill:#dbe9f6",
    Kind.BRANCH: "fill:#fdf1c7",
    Kind.MERGE: "fill:#333333",
    Kind.FAIL: "fill:#f8d0d0",
    Kind.MAP: "fill:#dbe9f6",
    Kind.GATE: "fill:#e4dcf2",
    Kind.LAUNCH_PLAN: "fill:#dcefdc",
    Kind.FAILURE: "fill:#f8d0d0,stroke-dasharray:4",
}


def to_mermaid(graph: Graph) -> str:
    """The Mermaid text of ``graph`` (ends with a newline)."""
    ids = _Ids()
    out = ["---", f"title: {json.dumps(graph.name)}", "---", "flowchart TB"]
    _cluster(graph.root, ids, "  ", out)
    for edge in graph.edges:
        label = f"|{text(edge.lines)}|" if edge.lines else ""
        out.append(f"  {ids(edge.src)} {ARROWS[edge.kind]}{label} {ids(edge.dst)}")
    out.extend(f"  classDef {CLASS_PREFIX}{k.value} {style}" for k, style in CLASSES.items())
    return "\n".join(out) + "\n"
