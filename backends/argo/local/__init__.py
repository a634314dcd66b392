"""A local executor of the Argo Workflows subset fcomp emits: a check before deploying, not an
Argo replacement.

:func:`run_workflow` takes a ``Workflow`` (or a ``WorkflowTemplate`` / ``CronWorkflow`` plus
parameter values, plus the ``WorkflowTemplate`` documents it references) and runs it on this
machine with Argo's semantics for DAGs, depends/when, loops, retries, deadlines, suspend,
workflow-creating resource steps and exit handlers: every container's command and args run as
a local process (the image is ignored), with stdout and stderr kept per step. The
:class:`RunResult` gives the workflow's phase, each node's phase and the workflow's output
parameters. See ``README.md`` in this package for the supported subset.
"""

from fcomp.backends.argo.local.model import (
    ERROR,
    FAILED,
    OMITTED,
    SKIPPED,
    SUCCEEDED,
    InvalidWorkflowError,
    NodeResult,
    RunResult,
)
from fcomp.backends.argo.local.runner import run_workflow

__all__ = [
    "ERROR",
    "FAILED",
    "OMITTED",
    "SKIPPED",
    "SUCCEEDED",
    "InvalidWorkflowError",
    "NodeResult",
    "RunResult",
    "run_workflow",
]
