"""What every executor of one workflow run shares: the plan, the node book, the global
variables, the stop token, the process slots, the directories, and the warnings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fcomp.backends.argo.local.control import StopToken
from fcomp.backends.argo.local.documents import WorkflowPlan
from fcomp.backends.argo.local.model import RunResult
from fcomp.backends.argo.local.nodes import NodeBook
from fcomp.backends.argo.local.values import safe_file_name
from fcomp.backends.argo.local.variables import Scope

log = logging.getLogger("fcomp.backends.argo.local")

#: ``resume(node_name, suspend_template)``: supplied output values, or ``None`` to not resume.
Resume = Callable[[str, dict[str, Any]], "dict[str, Any] | None"]


@dataclass
class Slots:
    """Limits on processes running at once: the caller's ``max_parallel`` (shared with child
    workflows) and the workflow's ``spec.parallelism``."""

    local: threading.BoundedSemaphore
    workflow: threading.BoundedSemaphore | None = None

    def acquire(self) -> None:
        """Take a slot of each limit (always in the same order, so no deadlock)."""
        if self.workflow is not None:
            self.workflow.acquire()
        self.local.acquire()

    def release(self) -> None:
        """Give the slots back."""
        self.local.release()
        if self.workflow is not None:
            self.workflow.release()


@dataclass
class RunContext:
    """Shared state of one workflow run."""

    plan: WorkflowPlan
    book: NodeBook
    globals: Scope
    stop: StopToken
    slots: Slots
    workdir: Path
    run_dir: Path
    env: Mapping[str, str]
    resume: Resume | None
    run_child: Callable[[dict[str, Any], StopToken], RunResult]
    warnings: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def logs_dir(self) -> Path:
        """Where each container's stdout and stderr go."""
        return self.run_dir / "logs"

    def warn(self, message: str) -> None:
        """Record a warning once (also logged)."""
        with self._lock:
            if message in self.warnings:
                return
            self.warnings.append(message)
        log.warning("%s: %s", self.plan.name, message)

    def node_dir(self, node_name: str) -> Path:
        """A private directory for a node (script file, mapped output paths, volumes)."""
        relative = self.book.relative(node_name) or "root"
        path = self.run_dir / "nodes" / safe_file_name(relative)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def log_paths(self, node_name: str, container: str) -> tuple[Path, Path]:
        """The stdout and stderr files of a container of a node."""
        relative = self.book.relative(node_name) or "root"
        base = self.logs_dir / safe_file_name(relative)
        base.mkdir(parents=True, exist_ok=True)
        name = safe_file_name(container)
        return base / f"{name}.stdout", base / f"{name}.stderr"
