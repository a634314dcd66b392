"""The benchmark's workflow shapes as plain data (no Flyte imports): the generator writes them
as Flyte protobufs, the hera peer writes the same DAGs by hand, and :func:`reference` runs them.

Shapes of N task nodes, each task taking two integers and returning two:

- ``layered``: ``ceil(sqrt(N))`` nodes per layer; node ``j`` of a layer takes ``o0`` of node
  ``j`` and ``o1`` of node ``j + 1`` of the layer before (the first layer takes the input);
- ``chain``: each node takes both outputs of the one before;
- ``fanout``: the first node takes the input, every other node both of its outputs;
- ``nested``: ``ceil(sqrt(N))`` distinct subworkflows, each a layered workflow, run one after
  the other by the root workflow (N task nodes in all, plus the subworkflow nodes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SHAPES = ("layered", "chain", "fanout", "nested")
MODULE = "bench.tasks"
WF_MODULE = "bench.workflows"
TASKS = 10
MODULUS = 1_000_003

#: Where a node input comes from: (node id, output); node id "" is the workflow's inputs.
Source = tuple[str, str]


@dataclass(frozen=True)
class Step:
    """One node: task ``t{task}`` (or subworkflow ``sub``) taking ``a`` and ``b``."""

    id: str
    task: int
    a: Source
    b: Source
    sub: int = -1


@dataclass(frozen=True)
class Graph:
    """A workflow: its steps, and (nested shape) each subworkflow's steps."""

    steps: list[Step]
    subs: list[list[Step]]


def step(k: int, a: int, b: int) -> tuple[int, int]:
    """What task ``t{k}`` returns (as ``benchmarks/tasks/bench/tasks.py`` computes it)."""
    return (a + b + k) % MODULUS, (3 * a + b + 2 * k + 1) % MODULUS


def _layered(n: int, first: tuple[Source, Source], tasks: int) -> list[Step]:
    width = max(1, math.ceil(math.sqrt(n)))
    steps: list[Step] = []
    prev: list[str] = []
    i = 0
    while i < n:
        layer: list[str] = []
        for j in range(min(width, n - i)):
            node_id = f"n{i}"
            if prev:
                a, b = (prev[j % len(prev)], "o0"), (prev[(j + 1) % len(prev)], "o1")
            else:
                a, b = first
            steps.append(Step(node_id, i % tasks, a, b))
            layer.append(node_id)
            i += 1
        prev = layer
    return steps


def graph(shape: str, n: int, tasks: int = TASKS) -> Graph:
    """The abstract workflow of ``shape`` with ``n`` task nodes."""
    x: tuple[Source, Source] = (("", "x"), ("", "x"))
    if shape == "layered":
        return Graph(_layered(n, x, tasks), [])
    if shape == "chain":
        steps = [
            Step(f"n{i}", i % tasks, *(x if i == 0 else ((f"n{i - 1}", "o0"), (f"n{i - 1}", "o1"))))
            for i in range(n)
        ]
        return Graph(steps, [])
    if shape == "fanout":
        steps = [
            Step(f"n{i}", i % tasks, *(x if i == 0 else (("n0", "o0"), ("n0", "o1"))))
            for i in range(n)
        ]
        return Graph(steps, [])
    if shape == "nested":
        groups = max(1, math.ceil(math.sqrt(n)))
        subs: list[list[Step]] = []
        root: list[Step] = []
        done = 0
        for g in range(groups):
            size = (n - done) // (groups - g)
            if size == 0:
                continue
            done += size
            subs.append(_layered(size, (("", "a"), ("", "b")), tasks))
            prev = root[-1].id if root else ""
            a, b = ((prev, "o0"), (prev, "o1")) if prev else x
            root.append(Step(f"n{len(root)}", -1, a, b, sub=len(subs) - 1))
        return Graph(root, subs)
    raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")


def _evaluate(steps: list[Step], inputs: dict[str, int], subs: list[list[Step]]) -> dict[str, int]:
    values: dict[Source, int] = {("", k): v for k, v in inputs.items()}
    for s in steps:
        a, b = values[s.a], values[s.b]
        if s.sub >= 0:
            out = _evaluate(subs[s.sub], {"a": a, "b": b}, subs)
            o0, o1 = out["o0"], out["o1"]
        else:
            o0, o1 = step(s.task, a, b)
        values[(s.id, "o0")], values[(s.id, "o1")] = o0, o1
    last = steps[-1].id
    return {"o0": values[(last, "o0")], "o1": values[(last, "o1")]}


def reference(shape: str, n: int, x: int = 1, tasks: int = TASKS) -> dict[str, int]:
    """The workflow's outputs for input ``x``."""
    g = graph(shape, n, tasks)
    return {"o0": _evaluate(g.steps, {"x": x}, g.subs)["o0"]}


def workflow_name(shape: str) -> str:
    """The workflow's (and its launch plan's) name."""
    return f"{WF_MODULE}.{shape}_wf"
