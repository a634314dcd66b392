"""Graph checks on a workflow's connections: cycles, reachability and a deterministic order.

The checks are plain dictionary walks, linear in nodes and edges. networkx is imported only
on the error path, to name a cycle exactly as before (the cycle its ``find_cycle`` reports).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from fcomp.compiler.passes.results import START_NODE

N = TypeVar("N", bound=Hashable)


def reachable(downstream: Mapping[N, Iterable[N]], root: N) -> set[N]:
    """Every node a path from ``root`` reaches, ``root`` included."""
    seen = {root}
    stack = [root]
    while stack:
        for nxt in downstream.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _sorted_count(downstream: Mapping[N, Iterable[N]], nodes: Collection[N]) -> int:
    """How many of ``nodes`` Kahn's algorithm orders (all of them unless there is a cycle),
    counting only edges between ``nodes``."""
    indegree = dict.fromkeys(nodes, 0)
    for src in nodes:
        for dst in downstream.get(src, ()):
            if dst in indegree:
                indegree[dst] += 1
    ready = [n for n, d in indegree.items() if d == 0]
    count = 0
    while ready:
        node = ready.pop()
        count += 1
        for dst in downstream.get(node, ()):
            if dst in indegree:
                indegree[dst] -= 1
                if indegree[dst] == 0:
                    ready.append(dst)
    return count


def find_cycle(
    nodes: Iterable[str],
    downstream: Mapping[str, Iterable[str]],
    reached: Collection[str] | None = None,
    likely_order: Iterable[str] = (),
    root: str = START_NODE,
) -> list[str] | None:
    """A cycle reachable from ``root``, as the node path that closes it, or None.

    ``reached`` is what :func:`reachable` gives for ``root``; ``likely_order`` an order of
    the nodes that is probably topological (the input order): when every edge goes forward
    in it, there is no cycle and nothing more is walked.
    """
    if reached is None:
        reached = reachable(downstream, root)
    if all_forward(downstream, list(likely_order), reached):
        return None
    if _sorted_count(downstream, reached) == len(reached):
        return None
    cycle = nx_cycle(_nx_graph(nodes, downstream), root)
    return None if cycle is None else [str(n) for n in cycle]


def all_forward(
    downstream: Mapping[N, Iterable[N]], order: list[N], members: Collection[N]
) -> bool:
    """Whether ``order`` holds every node of ``members`` and every edge leaving them points to
    a later node of ``order`` (then the edges between them form no cycle)."""
    rank = {n: i for i, n in enumerate(order)}
    if len(rank) != len(order) or any(n not in rank for n in members):
        return False
    for i, src in enumerate(order):
        for dst in downstream.get(src, ()):
            r = rank.get(dst)
            if r is None or r <= i:
                return False
    return True


def forward_reachable(downstream: Mapping[N, Iterable[N]], order: list[N]) -> set[N] | None:
    """The nodes a path from ``order[0]`` reaches, when every edge leaving a node of
    ``order`` points to a later node of ``order`` (:func:`all_forward`: then there is no
    cycle); None when some edge does not. One pass: each node's reachability is settled
    before its own edges are looked at."""
    rank = {n: i for i, n in enumerate(order)}
    if not order or len(rank) != len(order):
        return None
    reached = {order[0]}
    add = reached.add
    for i, src in enumerate(order):
        live = src in reached
        for dst in downstream.get(src, ()):
            r = rank.get(dst)
            if r is None or r <= i:
                return None
            if live:
                add(dst)
    return reached


def _nx_graph(nodes: Iterable[Any], downstream: Mapping[Any, Iterable[Any]]) -> Any:
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    for src, dsts in downstream.items():
        for dst in dsts:
            g.add_edge(src, dst)
    return g


def nx_cycle(g: Any, root: Any) -> list[Any] | None:
    import networkx as nx

    try:
        edges = nx.find_cycle(g, source=root)
    except nx.NetworkXNoCycle:
        return None
    return [u for u, _ in edges] + [edges[0][0]]


def topological_order(downstream: Mapping[N, Iterable[N]], nodes: Iterable[N]) -> tuple[N, ...]:
    """``nodes`` in a deterministic topological order of the edges between them: Kahn's
    algorithm taking, among the ready nodes, the first in input order (as networkx's
    ``lexicographical_topological_sort`` keyed by input position). Nodes on a cycle are left
    out."""
    by_rank = list(dict.fromkeys(nodes))
    rank = {n: i for i, n in enumerate(by_rank)}
    if _in_order(downstream, by_rank, rank):
        # Every edge already goes forward: the smallest ready node is always the next one.
        return tuple(by_rank)
    indegree = [0] * len(by_rank)
    for src in by_rank:
        for dst in downstream.get(src, ()):
            r = rank.get(dst)
            if r is not None:
                indegree[r] += 1
    ready = [r for r, d in enumerate(indegree) if d == 0]
    heapq.heapify(ready)
    out: list[N] = []
    while ready:
        r = heapq.heappop(ready)
        node = by_rank[r]
        out.append(node)
        for dst in downstream.get(node, ()):
            d = rank.get(dst)
            if d is not None:
                indegree[d] -= 1
                if indegree[d] == 0:
                    heapq.heappush(ready, d)
    return tuple(out)


def _in_order(downstream: Mapping[N, Iterable[N]], order: list[N], rank: Mapping[N, int]) -> bool:
    """Whether every edge between nodes of ``order`` goes forward in it."""
    for i, src in enumerate(order):
        for dst in downstream.get(src, ()):
            r = rank.get(dst)
            if r is not None and r <= i:
                return False
    return True
