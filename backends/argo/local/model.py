"""What a local run reports: the workflow's phase and outputs, and every node's outcome.

Phases and node types use Argo's own names (``Succeeded``, ``Failed``, ``Error``, ``Skipped``,
``Omitted``; ``DAG``, ``Pod``, ``Retry``, ``TaskGroup``, ``Skipped``, ``Suspend``), so a test reads
like ``argo get`` output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SUCCEEDED = "Succeeded"
FAILED = "Failed"
ERROR = "Error"
SKIPPED = "Skipped"
OMITTED = "Omitted"
RUNNING = "Running"
PENDING = "Pending"

#: Phases a node ends in.
FINAL_PHASES = frozenset({SUCCEEDED, FAILED, ERROR, SKIPPED, OMITTED})


def failed_or_error(phase: str) -> bool:
    """Whether ``phase`` is ``Failed`` or ``Error``."""
    return phase in (FAILED, ERROR)


class InvalidWorkflowError(ValueError):
    """The documents cannot run: Argo would reject them at submission.

    ``problems`` lists every finding, one line each; the message joins them.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid workflow:\n  " + "\n  ".join(self.problems))


@dataclass(frozen=True)
class NodeResult:
    """One node of the run, named by its path below the workflow (``""`` is the root node,
    ``"a"`` a task of the entrypoint DAG, ``"a.b"`` a task of the DAG ``a`` calls,
    ``"a(0:x)"`` a loop item, ``"a(1)"`` a retry attempt, ``"onExit"`` the exit handler)."""

    name: str
    display_name: str
    type: str
    phase: str
    message: str = ""
    template_name: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    result: str | None = None
    exit_code: int | None = None
    children: tuple[str, ...] = ()
    stdout_path: Path | None = None
    stderr_path: Path | None = None
    duration_s: float = 0.0
    child: RunResult | None = None


@dataclass(frozen=True)
class RunResult:
    """The outcome of :func:`fcomp.backends.argo.local.run_workflow`.

    ``phase`` is ``Succeeded``, ``Failed`` or ``Error``; ``nodes`` holds every node by its path
    (see :class:`NodeResult`), sorted; ``outputs`` are the entrypoint template's output
    parameters; ``logs_dir`` holds each container's ``.stdout`` and ``.stderr``.
    """

    phase: str
    message: str
    nodes: dict[str, NodeResult]
    outputs: dict[str, str]
    logs_dir: Path
    name: str = ""
    warnings: tuple[str, ...] = ()
