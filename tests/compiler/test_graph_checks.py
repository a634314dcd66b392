"""The graph checks' one-pass shortcut agrees with the two walks it stands for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fcomp.compiler.passes.graph import all_forward, forward_reachable, reachable


@st.composite
def graphs(draw: st.DrawFn) -> tuple[dict[int, list[int]], list[int]]:
    """A graph on nodes 0..n-1 (edges mostly forward, some back, some to nodes outside the
    order) and an order of its nodes starting at 0."""
    n = draw(st.integers(1, 12))
    order = [0, *draw(st.permutations(range(1, n)))]
    edges = draw(st.lists(st.tuples(st.integers(0, n + 1), st.integers(0, n + 1)), max_size=30))
    downstream: dict[int, list[int]] = {}
    for src, dst in edges:
        downstream.setdefault(src, []).append(dst)
    return downstream, order


@settings(max_examples=400, deadline=None)
@given(graphs())
def test_forward_reachable_is_all_forward_and_reachable(
    graph: tuple[dict[int, list[int]], list[int]],
) -> None:
    downstream, order = graph
    reached = reachable(downstream, order[0])
    found = forward_reachable(downstream, order)
    assert (found is not None) == all_forward(downstream, order, reached)
    if found is not None:
        assert found == reached


def test_forward_reachable_examples() -> None:
    chain = {"s": ["a"], "a": ["b"], "b": ["e"]}
    assert forward_reachable(chain, ["s", "a", "b", "e"]) == {"s", "a", "b", "e"}
    # an island the start does not reach is left out
    assert forward_reachable({"s": ["e"], "x": ["e"]}, ["s", "x", "e"]) == {"s", "e"}
    # a back edge, an edge leaving the order, a repeated node: no answer
    assert forward_reachable({"s": ["a"], "a": ["s"]}, ["s", "a"]) is None
    assert forward_reachable({"s": ["z"]}, ["s", "e"]) is None
    assert forward_reachable({}, ["s", "s"]) is None
    assert forward_reachable({}, []) is None
