"""Render execution-unit text for Argo: placeholders become Argo variables, and plain text is
escaped so Argo never interprets ``{{`` that came from the input.

Argo has no escape for ``{{``, and it substitutes a string once per pass it makes over the
field holding it: three passes over a pod template's fields (the template's globals, its
inputs, then the pod), two over a resource manifest (the template's two), one over the spec
fields of a Workflow outside its templates. An expression tag evaluating to the two braces
survives one pass; :func:`escape` nests the tag once per pass (each level the base64 of the
one inside, which has no braces or quotes to undo). Container command, args and env values
need no pass count: :mod:`fcomp.backends.argo.kubelet` hides their braces from Argo.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fcomp.backends.argo import kubelet
from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, Text

#: Substitution passes Argo makes over the fields of a pod template (not container command,
#: args or env values: see :mod:`~fcomp.backends.argo.kubelet`).
POD_PASSES = 3
#: Substitution passes over a resource template's manifest.
RESOURCE_PASSES = 2
#: Substitution passes over a Workflow's spec fields outside its templates.
SPEC_PASSES = 1
#: Text of an expression that Argo refuses to evaluate while the variable is unknown.
_HELD_BACK = ("retries", "workflow.status", "workflow.failures")

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


@cache
def surviving(text: str, passes: int) -> str:
    """An Argo tag that becomes ``text`` after ``passes`` substitution passes."""
    tag = "{{='" + text + "'}}"
    for _ in range(passes - 1):
        encoded = base64.b64encode(tag.encode()).decode()
        tag = "{{=sprig.b64dec('" + encoded + "')}}"
        if any(word in tag for word in _HELD_BACK):
            raise AssertionError(f"escape tag {tag!r} would be held back by Argo")
    return tag


def escape(text: str, passes: int = POD_PASSES) -> str:
    """Plain text made inert for ``passes`` of Argo's template substitution."""
    return text.replace("{{", surviving("{{", passes)) if "{{" in text else text


def expr_string(text: str) -> str:
    """``text`` as an expr-lang string literal, in pieces that never spell a word Argo holds
    an expression back for."""
    pieces = [text] if not any(w in text for w in _HELD_BACK) else list(text)
    quoted = ["'" + p.replace("\\", "\\\\").replace("'", "\\'") + "'" for p in pieces]
    return "+".join(quoted) if quoted else "''"


@dataclass(frozen=True, slots=True)
class Escaper:
    """How text is written into one kind of field: ``text`` for the input's text, ``literal``
    for fcomp's own text that must arrive unchanged, ``lbrace`` for a single ``{`` that ends
    the input's text right before an Argo tag."""

    text: Callable[[str], str]
    literal: Callable[[str], str]
    lbrace: str

    @staticmethod
    def passes(count: int) -> Escaper:
        """Fields that Argo substitutes ``count`` times."""

        def esc(text: str) -> str:
            return escape(text, count)

        return Escaper(esc, esc, surviving("{", count))


#: Container command, args and env values.
CONTAINER_TEXT = Escaper(kubelet.user_text, kubelet.literal, kubelet.LBRACE)
#: The other fields of a pod template.
POD_TEXT = Escaper.passes(POD_PASSES)
#: A resource template's manifest.
RESOURCE_TEXT = Escaper.passes(RESOURCE_PASSES)
#: A Workflow's spec fields outside its templates.
SPEC_TEXT = Escaper.passes(SPEC_PASSES)


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
    #: Escapes fcomp's own text (the prefixes) for the field being rendered.
    literal: Callable[[str], str] = POD_TEXT.literal

    @property
    def attempt(self) -> str:
        """The attempt number (``{{retries}}`` needs a retry strategy on the template)."""
        return "{{retries}}" if self.retries else "0"

    @property
    def node_dir(self) -> str:
        """The node's directory (an array element's own directory for elements)."""
        node = f"{NODE_PARAM}/{INDEX_PARAM}" if self.element else NODE_PARAM
        return f"{self.literal(self.storage_prefix.rstrip('/'))}/{self.exec_id}/{node}"

    @property
    def data_dir(self) -> str:
        """The node's data directory, where its inputs are."""
        return f"{self.literal(self.storage_prefix.rstrip('/'))}/{self.exec_id}/{NODE_PARAM}/data"

    @property
    def output_dir(self) -> str:
        """The attempt's output directory."""
        return f"{self.node_dir}/data/{self.attempt}"

    @property
    def raw_dir(self) -> str:
        """The node attempt's raw output directory."""
        node = f"{NODE_PARAM}/{INDEX_PARAM}" if self.element else NODE_PARAM
        return f"{self.literal(self.raw_prefix.rstrip('/'))}/{self.exec_id}/{node}/{self.attempt}"

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


def render_text(text: Text, vars_: NodeVars, esc: Escaper = POD_TEXT) -> str:
    """A text as an Argo string, escaped with ``esc``."""
    local = dataclasses.replace(vars_, literal=esc.literal)
    out: list[str] = []
    for part in text.parts:
        if isinstance(part, Placeholder):
            rendered = local.placeholder(part)
            if out and out[-1].endswith("{") and rendered.startswith("{{"):
                out[-1] = out[-1][:-1] + esc.lbrace
            out.append(rendered)
        else:
            out.append(esc.text(part))
    return "".join(out)


def render_manifest(value: Any, vars_: NodeVars, esc: Escaper = POD_TEXT) -> Any:
    """A manifest with every :class:`Text` rendered and every plain string escaped."""
    if isinstance(value, Text):
        return render_text(value, vars_, esc)
    if isinstance(value, str):
        return esc.text(value)
    if isinstance(value, dict):
        return {esc.text(k): render_manifest(v, vars_, esc) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render_manifest(v, vars_, esc) for v in value]
    return value


#: The fields of a container that the kubelet expands.
_KUBELET_FIELDS = frozenset(kubelet.EXPANDED_FIELDS)


def render_container(value: Any, vars_: NodeVars) -> Any:
    """A container: command, args and env values escaped for the kubelet, the rest for the
    pod's passes; ``FCOMP_LBRACE`` defined when the escapes use it."""
    if not isinstance(value, dict):
        return render_manifest(value, vars_)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in _KUBELET_FIELDS and isinstance(item, list | tuple):
            out[key] = [render_manifest(v, vars_, CONTAINER_TEXT) for v in item]
        elif key == "env" and isinstance(item, list | tuple):
            out[key] = [_env_entry(e, vars_) for e in item]
        else:
            out[POD_TEXT.text(key)] = render_manifest(item, vars_)
    return kubelet.with_lbrace(out)


def _env_entry(entry: Any, vars_: NodeVars) -> Any:
    if not isinstance(entry, dict):
        return render_manifest(entry, vars_)
    return {
        k: render_manifest(v, vars_, CONTAINER_TEXT if k == "value" else POD_TEXT)
        for k, v in entry.items()
    }


#: The lists of containers in a pod spec.
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def render_pod_spec(spec: Any, vars_: NodeVars) -> Any:
    """A pod spec, its containers rendered by :func:`render_container`."""
    if not isinstance(spec, dict):
        return render_manifest(spec, vars_)
    return {
        POD_TEXT.text(k): (
            [render_container(c, vars_) for c in v]
            if k in _CONTAINER_LISTS and isinstance(v, list | tuple)
            else render_manifest(v, vars_)
        )
        for k, v in spec.items()
    }
