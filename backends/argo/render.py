"""Render execution-unit text for Argo: placeholders become Argo variables, and plain text is
escaped so Argo never interprets ``{{`` that came from the input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, Text

#: Argo has no escape for ``{{``; an expression tag evaluating to the two characters does it.
_OPEN_BRACES = "{{='{{'}}"

WORKFLOW_NAME = "{{workflow.name}}"
NODE_PARAM = "{{inputs.parameters.node}}"


def escape(text: str) -> str:
    """Plain text made inert for Argo's template substitution."""
    return text.replace("{{", _OPEN_BRACES) if "{{" in text else text


INDEX_PARAM = "{{inputs.parameters.index}}"


@dataclass(frozen=True, slots=True)
class NodeVars:
    """How a pod template refers to its node's data (Argo expressions).

    An array element (``element``) reads its array node's inputs and writes under
    ``<node>/<index>/data``.
    """

    storage_prefix: str
    raw_prefix: str
    retries: bool
    element: bool = False

    @property
    def attempt(self) -> str:
        """The attempt number (``{{retries}}`` needs a retry strategy on the template)."""
        return "{{retries}}" if self.retries else "0"

    @property
    def node_dir(self) -> str:
        """The node's directory (an array element's own directory for elements)."""
        node = f"{NODE_PARAM}/{INDEX_PARAM}" if self.element else NODE_PARAM
        return f"{escape(self.storage_prefix.rstrip('/'))}/{WORKFLOW_NAME}/{node}"

    @property
    def data_dir(self) -> str:
        """The node's data directory, where its inputs are."""
        return f"{escape(self.storage_prefix.rstrip('/'))}/{WORKFLOW_NAME}/{NODE_PARAM}/data"

    @property
    def output_dir(self) -> str:
        """The attempt's output directory."""
        return f"{self.node_dir}/data/{self.attempt}"

    @property
    def raw_dir(self) -> str:
        """The node attempt's raw output directory."""
        node = f"{NODE_PARAM}/{INDEX_PARAM}" if self.element else NODE_PARAM
        return f"{escape(self.raw_prefix.rstrip('/'))}/{WORKFLOW_NAME}/{node}/{self.attempt}"

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
        f"{WORKFLOW_NAME}-{NODE_PARAM}-{INDEX_PARAM if v.element else ''}-{v.attempt}"
    ),
    PlaceholderKind.TASK_TEMPLATE_PATH: lambda v, p: f"{v.data_dir}/task.pb",
    PlaceholderKind.NAMESPACE: lambda v, p: "{{workflow.namespace}}",
    PlaceholderKind.EXECUTION_ID: lambda v, p: WORKFLOW_NAME,
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
