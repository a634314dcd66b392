"""The picture of a workflow, independent of any drawing language.

A :class:`Graph` holds nodes, nested clusters and edges, each keyed by a stable path
(``n1/n0``, ``start-node``); the DOT and Mermaid writers only decide syntax and shapes. Every
collection keeps the order it was built in, which follows the workflow's own node order, so the
same workflow always gives the same text.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field


class Kind(enum.Enum):
    """What a picture node stands for; each writer maps a kind to a shape."""

    START = "start"
    END = "end"
    TASK = "task"
    BRANCH = "branch"
    MERGE = "merge"
    FAIL = "fail"
    MAP = "map"
    GATE = "gate"
    LAUNCH_PLAN = "launchplan"
    FAILURE = "failure"


class ClusterKind(enum.Enum):
    """What a cluster groups."""

    SUBWORKFLOW = "subworkflow"
    BRANCH = "branch"
    MAP = "map"


class EdgeKind(enum.Enum):
    """Data flows along the edge, it only orders two nodes, it picks a branch case, or it feeds
    the failure node."""

    DATA = "data"
    ORDER = "order"
    CASE = "case"
    FAILURE = "failure"


@dataclass(frozen=True, slots=True)
class Node:
    """A box in the picture: ``lines`` are its label, first line the node id."""

    key: str
    kind: Kind
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Edge:
    """An arrow; ``lines`` name the bound variables (``o0 → x``) or the branch case."""

    src: str
    dst: str
    kind: EdgeKind
    lines: tuple[str, ...] = ()


@dataclass(slots=True)
class Cluster:
    """A group of nodes drawn inside one frame (a subworkflow, a branch, a map)."""

    key: str
    kind: ClusterKind
    label: str
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        """Every node in this cluster and the clusters inside it."""
        yield from self.nodes
        for cluster in self.clusters:
            yield from cluster.walk()


@dataclass(slots=True)
class Graph:
    """A whole picture: the top-level frame (``root``, not drawn as a frame) and its edges."""

    name: str
    root: Cluster
    edges: list[Edge] = field(default_factory=list)

    def nodes(self) -> list[Node]:
        """Every node of the picture, in build order."""
        return list(self.root.walk())
