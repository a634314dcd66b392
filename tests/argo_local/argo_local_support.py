"""Shared helpers of the local Argo executor tests (a uniquely named module, since the test
folders are not packages)."""

from __future__ import annotations

from collections.abc import Callable

from fcomp.backends.argo.local import RunResult

Runner = Callable[..., RunResult]


def phases(result: RunResult) -> dict[str, str]:
    """Node path -> phase, without the root node."""
    return {name: node.phase for name, node in result.nodes.items() if name}
