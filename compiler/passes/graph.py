"""Graph checks on a workflow's connections with networkx: cycles and reachability."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx

from fcomp.compiler.passes.results import END_NODE, START_NODE


def build_graph(nodes: Iterable[str], downstream: Mapping[str, Iterable[str]]) -> nx.DiGraph:
    """The execution graph: every node, and an edge for every downstream connection."""
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    for src, dsts in downstream.items():
        for dst in dsts:
            g.add_edge(src, dst)
    return g


def find_cycle(g: nx.DiGraph, root: str = START_NODE) -> list[str] | None:
    """A cycle reachable from ``root``, as the node path that closes it, or None."""
    try:
        edges = nx.find_cycle(g, source=root)
    except nx.NetworkXNoCycle:
        return None
    return [str(u) for u, _ in edges] + [str(edges[0][0])]


def unreachable(g: nx.DiGraph, nodes: Iterable[str], root: str = START_NODE) -> list[str]:
    """The given nodes (other than the end node) that no path from ``root`` reaches."""
    reached = nx.descendants(g, root) | {root}
    return [n for n in nodes if n not in reached and n != END_NODE]


def topological_order(g: nx.DiGraph, nodes: Iterable[str]) -> tuple[str, ...]:
    """``nodes`` in a deterministic topological order (ties broken by input order)."""
    rank = {n: i for i, n in enumerate(nodes)}
    sub = g.subgraph(rank)
    return tuple(nx.lexicographical_topological_sort(sub, key=lambda n: rank[n]))
