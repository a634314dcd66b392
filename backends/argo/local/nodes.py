"""The node book: every node of a run, as the executors create and finish them.

Names follow Argo's node names (``<workflow>.<task>``, ``<task>(0:item)``, ``<node>(1)`` for a
retry attempt, ``<workflow>.onExit``); results are reported by the name relative to the workflow
(see :class:`~fcomp.backends.argo.local.model.NodeResult`). The book is shared by the threads
that run tasks, so it locks.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from fcomp.backends.argo.local.model import (
    FINAL_PHASES,
    PENDING,
    RUNNING,
    NodeResult,
    RunResult,
)

DAG = "DAG"
POD = "Pod"
RETRY = "Retry"
TASK_GROUP = "TaskGroup"
SKIPPED_TYPE = "Skipped"
SUSPEND = "Suspend"


@dataclass
class NodeState:
    """A node while the run builds it."""

    name: str
    display_name: str
    type: str
    template_name: str = ""
    phase: str = PENDING
    message: str = ""
    outputs: dict[str, str] | None = None
    result: str | None = None
    exit_code: int | None = None
    children: list[str] = field(default_factory=list)
    stdout_path: Path | None = None
    stderr_path: Path | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    child: RunResult | None = None

    @property
    def done(self) -> bool:
        """Whether the node reached a final phase."""
        return self.phase in FINAL_PHASES

    def finish(self, phase: str, message: str = "") -> NodeState:
        """Set the final phase (and message, if given); returns the node."""
        self.phase = phase
        if message:
            self.message = message
        self.finished = time.monotonic()
        return self


class NodeBook:
    """All nodes of one workflow run, by Argo node name."""

    def __init__(self, workflow_name: str) -> None:
        self.workflow_name = workflow_name
        self._nodes: dict[str, NodeState] = {}
        self._lock = threading.Lock()

    def create(
        self,
        name: str,
        display_name: str,
        node_type: str,
        *,
        template_name: str = "",
        parent: str | None = None,
        phase: str = RUNNING,
        message: str = "",
    ) -> NodeState:
        """Add a node (a name may be reused only by replacing a node that never started)."""
        node = NodeState(name, display_name, node_type, template_name, phase, message)
        if phase in FINAL_PHASES:
            node.finished = node.started
        with self._lock:
            self._nodes[name] = node
            if parent is not None and parent in self._nodes:
                children = self._nodes[parent].children
                if name not in children:
                    children.append(name)
        return node

    def get(self, name: str) -> NodeState | None:
        """The node called ``name``, if any."""
        with self._lock:
            return self._nodes.get(name)

    def all(self) -> list[NodeState]:
        """Every node, in name order."""
        with self._lock:
            return [self._nodes[name] for name in sorted(self._nodes)]

    def relative(self, name: str) -> str:
        """``name`` below the workflow: ``""`` for the root node."""
        root = self.workflow_name
        if name == root:
            return ""
        if name.startswith(root) and name[len(root)] in ".(":
            return name[len(root) :].removeprefix(".")
        return name

    def results(self) -> dict[str, NodeResult]:
        """Every node as a :class:`NodeResult`, keyed and sorted by relative name."""
        out: dict[str, NodeResult] = {}
        for node in self.all():
            key = self.relative(node.name)
            end = node.finished if node.finished is not None else time.monotonic()
            out[key] = NodeResult(
                name=key,
                display_name=node.display_name,
                type=node.type,
                phase=node.phase,
                message=node.message,
                template_name=node.template_name,
                outputs=dict(node.outputs or {}),
                result=node.result,
                exit_code=node.exit_code,
                children=tuple(self.relative(child) for child in node.children),
                stdout_path=node.stdout_path,
                stderr_path=node.stderr_path,
                duration_s=round(end - node.started, 3),
                child=node.child,
            )
        return dict(sorted(out.items()))
