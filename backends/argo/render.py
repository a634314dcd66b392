"""Render execution-unit text for Argo: placeholders become Argo variables, and plain text is
escaped so Argo never interprets ``{{`` that came from the input."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, Text

#: Argo has no escape for ``{{``; an expression tag evaluating to the two characters does it.
_OPEN_BRACES = "{{='{{'}}"

WORKFLOW_NAME = "{{workflow.name}}"
NODE_PARAM = "{{inputs.parameters.node}}"
#: Workflow parameter holding the execution id of a workflow that runs part of another one's
#: DAG (a split child): its data lives under the parent's execution id, not its own name.
EXEC_PARAM = "fcomp-exec"
PARENT_EXEC = "{{workflow.parameters." + EXEC_PARAM + "}}"

#: The Argo expression of the execution id (the ``<exec>`` of every storage path) for the
#: templates being rendered: the workflow's own name, unless :func:`exec_scope` says otherwise.
_EXEC: ContextVar[str] = ContextVar("fcomp_argo_exec", default=WORKFLOW_NAME)


def exec_id() -> str:
    """The execution-id expression of the templates being rendered now."""
    return _EXEC.get()


@contextlib.contextmanager
def exec_scope(expression: str) -> Iterator[None]:
    """Render templates with ``expression`` as the execution id (e.g. :data:`PARENT_EXEC`)."""
    token = _EXEC.set(expression)
    try:
        yield
    finally:
        _EXEC.reset(token)


def escape(text: str) -> str:
    """Plain text made inert for Argo's template substitution."""
    return text.replace("{{", _OPEN_BRACES) if "{{" in text else text


INDEX_PARAM = "{{inputs.parameters.index}}"


@dataclass(frozen=True, slots=True)
class NodeVars:
    """How a pod template refers to its node's data (Argo expressions).

    An array element (``element``) reads its array node's inputs and writes under
    ``<node>/<index>/data``. ``exec_id`` is the execution id's expression (by default the one
    of the current :func:`exec_scope`).
    """

    storage_prefix: str
    raw_prefix: str
    retries: bool
    element: bool = False
    exec_id: str = field(default_factory=exec_id)

    @property
    def attempt(self) -> str:
        """The attempt number (``{{retries}}`` needs a retry strategy on the template)."""
        return "{{retries}}" if self.retries else "0"

    @property
    def node_dir(self) -> str:
        """The node's directory (an array element's own directory for elements)."""
        node = f"{NODE_PARAM}/{INDEX_PARAM}" if self.element else NODE_PARAM
        return f"{escape(self.storage_prefix.rstrip('/'))}/{self.exec_id}/{node}"

    @property
    def data_dir(self) -> str:
        """The node's data directory, where its inputs are."""
        return f"{escape(self.storage_prefix.rstrip('/'))}/{self.exec_id}/{NODE_PARAM}/data"

    @property
    def output_dir(self) -> str:
        """The attempt's output directory."""
        return f"{self.node_dir}/data/{self.attempt}"

    @property
    def raw_dir(self) -> str:
        """The node attempt's raw output directory."""
        node = f"{NODE_PARAM}/{INDEX_PARAM}" if self.element else NODE_PARAM
        return f"{escape(self.raw_prefix.rstrip('/'))}/{self.exec_id}/{node}/{self.attempt}"

    def placeholder(self, p: Placeholder) -> str:
        """The Argo text of one placeholder."""
        handler = _PLACEHOLDERS.get(p.kind)
        if handler is None:
            raise ValueError(f"placeholder {p.kind.value} has no Argo rendering")
        return handler(self, p)


_PLACEHOLDERS: dict[PlaceholderKind, Callable[[NodeVars, Placeholder], str]] = {
    PlaceholderKind.INPUT: lambda v, p: f"{v.data_dir}/inputs.pb",
    PlaceholderKind.INPUT_PREFIX: lambda v, p: v.data_dir,
    PlaceholderKind.OUTPUT_PREFIX: lambda v, p: v.output_dir,
    PlaceholderKind.RAW_OUTPUT_PREFIX: lambda v, p: v.raw_dir,
    PlaceholderKind.CHECKPOINT_PREFIX: lambda v, p: f"{v.raw_dir}/_flytecheckpoints",
    PlaceholderKind.PREV_CHECKPOINT: lambda v, p: '""',
    PlaceholderKind.PER_RETRY_UNIQUE_KEY: lambda v, p: (
        f"{v.exec_id}-{NODE_PARAM}-{INDEX_PARAM if v.element else ''}-{v.attempt}"
    ),
    PlaceholderKind.TASK_TEMPLATE_PATH: lambda v, p: f"{v.data_dir}/task.pb",
    PlaceholderKind.NAMESPACE: lambda v, p: "{{workflow.namespace}}",
    PlaceholderKind.EXECUTION_ID: lambda v, p: v.exec_id,
    PlaceholderKind.ATTEMPT: lambda v, p: v.attempt,
}


def render_text(text: Text, vars_: NodeVars) -> str:
    """A text as an Argo string."""
    return "".join(
        vars_.placeholder(p) if isinstance(p, Placeholder) else escape(p) for p in text.parts
    )


def render_manifest(value: Any, vars_: NodeVars) -> Any:
    """A manifest with every :class:`Text` rendered and every plain string escaped."""
    if isinstance(value, Text):
        return render_text(value, vars_)
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {escape(k): render_manifest(v, vars_) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render_manifest(v, vars_) for v in value]
    return value
