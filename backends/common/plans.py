"""Binding plans: where every input's value comes from, resolved at compile time.

A plan is the JSON of ``runtime/CONTRACT.md``. Promises to the outputs of subworkflow, branch
and approve-gate nodes are followed through those nodes here, so at run time only task-like
nodes (tasks, arrays, signals, launch plans, dynamic tasks) hold outputs and no step copies
data between nodes.

Node paths may contain placeholders a target fills in (an Argo parameter holding the scope),
and a subworkflow's inputs may be plans a target passes in (an Argo parameter holding JSON):
both are :class:`Raw` text spliced into the plan's JSON.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.backends.common.paths import segment
from fcomp.compiler import ir
from fcomp.compiler.frozen import fast_init
from fcomp.compiler.memo import IdentityMemo
from fcomp.compiler.passes.results import START_NODE, CompiledProgram, CompiledWorkflow


@dataclass(frozen=True, slots=True)
class Raw:
    """Text spliced into a plan's JSON as it is (it must itself be JSON, or path text)."""

    text: str


@fast_init
@dataclass(frozen=True, slots=True)
class PathText:
    """A node path whose parts may be :class:`Raw` placeholders."""

    parts: tuple[str | Raw, ...]

    def child(self, node_id: str) -> PathText:
        """The path of a node inside this one."""
        if not self.parts:
            found = _TOP.get(node_id)
            if found is None:
                found = PathText((segment(node_id),))
                if len(_TOP) >= 65536:
                    _TOP.clear()
                _TOP[node_id] = found
            return found
        return PathText((*self.parts, "/", segment(node_id)))

    def render(self) -> str:
        """The path as text, :class:`Raw` parts as they are."""
        parts = self.parts
        if len(parts) == 1 and type(parts[0]) is str:  # a top-level node
            return parts[0]
        return "".join(p.text if isinstance(p, Raw) else p for p in self.parts)


ROOT = PathText(())
#: Paths of top-level nodes by node id (the same object for every promise to a node).
_TOP: dict[str, PathText] = {}

#: Flyte's promise variable: optional ``[i].`` index then the output name.
_VAR = re.compile(r"(?:\[(\d+)\]\.)?(\w+)")

Plan = Any  # dicts, lists, strings, ints, Raw and PathText leaves


def b64(data: bytes) -> str:
    """Base64 text of serialized protobuf bytes."""
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class PlanScope:
    """The workflow whose bindings are resolved, where its nodes live, and (for a
    subworkflow) the plans of its inputs."""

    cw: CompiledWorkflow
    prefix: PathText = ROOT
    inputs: Mapping[str, Plan] | None = None


class PlanError(Exception):
    """A binding that cannot be planned (a compiler invariant broke)."""


class PlanBuilder:
    """Builds plans for the workflows of one compiled program."""

    def __init__(self, compiled: CompiledProgram, max_depth: int = 200) -> None:
        self.compiled = compiled
        self.max_depth = max_depth
        #: The scope inside each subworkflow node, by (outer scope, node id): built once, so
        #: a chain of subworkflows plans each one's inputs once (not once per path to it).
        self._inner: dict[tuple[int, str], tuple[PlanScope, PlanScope]] = {}
        #: Per scope: the JSON of each node id a plain promise may name ("" when promises to
        #: it are not plain), so that a node read by many is looked at once.
        self._node_texts: IdentityMemo[dict[str, str]] = IdentityMemo(256)

    # --- public -----------------------------------------------------------------------------
    def node_inputs(self, scope: PlanScope, node: ir.Node) -> dict[str, Plan]:
        """The plan of every input binding of ``node`` (a failure node's error-typed inputs
        take the execution's error, as Flyte passes it)."""
        plans = {b.var: self.binding(scope, b.data) for b in node.inputs}
        if node is scope.cw.workflow.failure_node and node.id in scope.cw.interfaces:
            plans = with_failure_error(plans, scope.cw.interfaces[node.id])
        return plans

    def node_inputs_json(self, scope: PlanScope, node: ir.Node) -> str:
        """The JSON text of :meth:`node_inputs` (as :func:`to_json` writes it); written
        straight from the bindings when every input is a plain promise to a task node's
        output or to a workflow input (most nodes), without building the plan first."""
        text = self._plain_inputs_json(scope, node)
        return text if text is not None else to_json(self.node_inputs(scope, node))

    def _plain_inputs_json(self, scope: PlanScope, node: ir.Node) -> str | None:
        if node is scope.cw.workflow.failure_node:
            return None
        node_texts = self._node_texts.get((scope,))
        if node_texts is None:
            node_texts = self._node_texts.put((scope,), {})
        entries: dict[str, str] = {}
        for b in node.inputs:
            data = b.data
            if type(data) is not ir.Promise or data.union is not None or data.attr_path:
                return None
            index, name = _parse_var(data.var)
            if index is not None or b.var in entries:
                return None
            node_id = data.node_id
            node_text = node_texts.get(node_id)
            if node_text is None:
                node_text = node_texts[node_id] = _plain_node_text(scope, node_id)
            if not node_text:
                return None
            var_text = _encode_str(name)
            entries[b.var] = '{"promise":{"node":' + node_text + ',"var":' + var_text + "}}"
        return "{" + ",".join(_key(k) + entries[k] for k in sorted(entries)) + "}"

    def workflow_outputs(self, scope: PlanScope) -> dict[str, Plan]:
        """The plan of every output of the scope's workflow."""
        return {b.var: self.binding(scope, b.data) for b in scope.cw.workflow.outputs}

    def binding(self, scope: PlanScope, data: ir.BindingData, depth: int = 0) -> Plan:
        """The plan of one binding value."""
        plan: dict[str, Any]
        if type(data) is ir.Promise and data.union is None:
            return self.promise(scope, data.node_id, data.var, data.attr_path, depth)
        match data:
            case ir.Promise(node_id=node_id, var=var, attr_path=path):
                plan = self.promise(scope, node_id, var, path, depth)
            case ir.Scalar(literal=lit):
                plan = {"literal": b64(lit.pb)}
            case ir.BindingCollection(items=items):
                plan = {"list": [self.binding(scope, x, depth) for x in items]}
            case ir.BindingMap(entries=entries):
                plan = {"map": {k: self.binding(scope, v, depth) for k, v in entries}}
            case ir.Offloaded(uri=uri, size_bytes=size, type=t):
                plan = {"offloaded": {"uri": uri, "size": size, "type": b64(t.pb) if t else ""}}
            case _:
                raise PlanError("binding without a value")
        union = getattr(data, "union", None)
        if union is not None and union.pb:
            plan = {**plan, "union": b64(union.pb)} if isinstance(plan, dict) else plan
        return plan

    def promise(
        self, scope: PlanScope, node_id: str, var: str, path: tuple[str | int, ...], depth: int = 0
    ) -> Plan:
        """The plan of output ``var`` of node ``node_id`` of the scope (``[i].`` indexes and
        attribute paths applied)."""
        index, name = _parse_var(var)
        if node_id in ("", START_NODE):
            if scope.inputs is None:
                base: Plan = {"promise": {"node": START_NODE, "var": name}}
            else:
                base = scope.inputs[name]
        else:
            base = self.node_output(scope, scope.cw.node(node_id), name, depth)
        return _pick(base, index, path)

    def node_output(self, scope: PlanScope, node: ir.Node, var: str, depth: int = 0) -> Plan:
        """The plan of output ``var`` (after aliases) of ``node`` in ``scope``."""
        if depth > self.max_depth:
            raise PlanError("workflow nesting is too deep to plan")
        if node.output_aliases:
            unaliased = {alias: original for original, alias in node.output_aliases}
            var = unaliased.get(var, var)
        path = scope.prefix.child(node.id)
        kind = node.kind
        if isinstance(kind, ir.SubworkflowNode):
            sub = self.compiled.workflow(kind.workflow)
            if sub is None:
                raise PlanError(f"subworkflow {kind.workflow.render()} is not compiled")
            key = (id(scope), node.id)
            cached = self._inner.get(key)
            if cached is not None and cached[0] is scope:
                inner = cached[1]
            else:
                inner = PlanScope(sub, path, self.node_inputs(scope, node))
                self._inner[key] = (scope, inner)
            binding = next((b for b in sub.workflow.outputs if b.var == var), None)
            if binding is None:
                raise PlanError(f"subworkflow has no output {var!r}")
            return self.binding(inner, binding.data, depth + 1)
        if isinstance(kind, ir.BranchNode):
            cases = [c.then_node for c in kind.cases if c.then_node is not None]
            if kind.else_node is not None:
                cases.append(kind.else_node)
            return {"first": [self.node_output(scope, c, var, depth + 1) for c in cases]}
        if isinstance(kind, ir.GateNode) and kind.kind is ir.GateKind.APPROVE:
            binding = next((b for b in node.inputs if b.var == var), None)
            if binding is None:
                raise PlanError(f"approve gate has no input {var!r}")
            return self.binding(scope, binding.data, depth + 1)
        return {"promise": {"node": path, "var": var}}


def _parse_var(var: str) -> tuple[int | None, str]:
    """The ``[i].`` index and output name of a promise variable."""
    found = _VARS.get(var)
    if found is None:
        m = _VAR.fullmatch(var)
        if m is None:
            raise PlanError(f"bad promise variable {var!r}")
        found = (int(m.group(1)) if m.group(1) is not None else None, m.group(2))
        if len(_VARS) >= 4096:
            _VARS.clear()
        _VARS[var] = found
    return found


_VARS: dict[str, tuple[int | None, str]] = {}


def _pick(base: Plan, index: int | None, path: tuple[str | int, ...]) -> Plan:
    if index is None and not path:
        return base
    if isinstance(base, dict) and set(base) == {"promise"}:
        promise = dict(base["promise"])
        if "index" not in promise and "path" not in promise:
            if index is not None:
                promise["index"] = index
            if path:
                promise["path"] = list(path)
            return {"promise": promise}
    pick: dict[str, Any] = {"of": base}
    if index is not None:
        pick["index"] = index
    if path:
        pick["path"] = list(path)
    return {"pick": pick}


def to_json(plan: Plan) -> str:
    """Compact, deterministic JSON text of a plan; :class:`Raw` leaves spliced as they are.

    Keys are sorted and written ASCII-escaped, string values as they are (``ensure_ascii``
    off), path text ASCII-escaped.
    """
    out: list[str] = []
    try:
        _encode(plan, out)
    except RecursionError:  # nested deeper than Python's stack: walk it on an explicit one
        return _to_json_iterative(plan)
    return "".join(out)


def _encode(item: Any, out: list[str]) -> None:
    kind = type(item)
    if kind is dict:
        if len(item) == 1 and "promise" in item:
            text = _plain_promise(item["promise"])
            if text is not None:
                out.append(text)
                return
        out.append("{")
        first = True
        for key in sorted(item):
            if first:
                first = False
            else:
                out.append(",")
            out.append(_key(key))
            _encode(item[key], out)
        out.append("}")
    elif kind is str:
        out.append(_encode_str(item))
    elif kind is PathText:
        out.append(_path_json(item))
    elif kind is Raw or kind is _Token:
        out.append(item.text)
    elif kind is list:
        out.append("[")
        for i, value in enumerate(item):
            if i:
                out.append(",")
            _encode(value, out)
        out.append("]")
    elif isinstance(item, dict | list | Raw | PathText):  # subclasses: the general walk
        out.append(_to_json_iterative(item))
    else:
        out.append(json.dumps(item, ensure_ascii=False))


def _plain_promise(p: Any) -> str | None:
    """The text of ``{"promise": p}`` when ``p`` names only a node and an output (most
    plans): what the general walk writes, without walking; None for any other promise."""
    if type(p) is not dict or len(p) != 2 or "node" not in p or "var" not in p:
        return None
    node, var = p["node"], p["var"]
    if type(var) is not str:
        return None
    if type(node) is PathText:
        node_text = _path_json(node)
    elif type(node) is str:
        node_text = _encode_str(node)
    else:
        return None
    return '{"promise":{"node":' + node_text + ',"var":' + _encode_str(var) + "}}"


def _plain_node_text(scope: PlanScope, node_id: str) -> str:
    """The JSON of the node a plain promise names (a workflow input: the start node), or ""
    when promises to it need the general walk (a subworkflow's inputs, outputs of a node that
    is not a task node or that renames them)."""
    if node_id in ("", START_NODE):
        return "" if scope.inputs is not None else _encode_str(START_NODE)
    up = scope.cw.node(node_id)
    if type(up.kind) is not ir.TaskNode or up.output_aliases:
        return ""
    return _path_json(scope.prefix.child(node_id))


def _key(key: Any) -> str:
    found = _KEY_TEXT.get(key)
    if found is None:
        found = (_encode_str_ascii(key) if type(key) is str else json.dumps(key)) + ":"
        if type(key) is str and len(_KEY_TEXT) < 4096:  # (1 and True would share an entry)
            _KEY_TEXT[key] = found
    return found


#: Object keys as written (input names repeat on every node).
_KEY_TEXT: dict[Any, str] = {}


def _path_json(path: PathText) -> str:
    parts = path.parts
    if len(parts) == 1 and type(parts[0]) is str:
        return _encode_str_ascii(parts[0])
    return (
        '"'
        + "".join(p.text if isinstance(p, Raw) else _encode_str_ascii(p)[1:-1] for p in path.parts)
        + '"'
    )


_encode_str = json.encoder.encode_basestring  # json.dumps(s, ensure_ascii=False)
_encode_str_ascii = json.encoder.encode_basestring_ascii  # json.dumps(s)


def _to_json_iterative(plan: Plan) -> str:
    out: list[str] = []
    stack: list[Any] = [plan]
    while stack:
        item = stack.pop()
        if isinstance(item, _Token):
            out.append(item.text)
        elif isinstance(item, Raw):
            out.append(item.text)
        elif isinstance(item, PathText):
            out.append(
                '"'
                + "".join(p.text if isinstance(p, Raw) else json.dumps(p)[1:-1] for p in item.parts)
                + '"'
            )
        elif isinstance(item, dict):
            parts: list[Any] = [_Token("{")]
            for i, key in enumerate(sorted(item)):
                if i:
                    parts.append(_Token(","))
                parts.append(_Token(json.dumps(key) + ":"))
                parts.append(item[key])
            parts.append(_Token("}"))
            stack.extend(reversed(parts))
        elif isinstance(item, list):
            parts = [_Token("[")]
            for i, value in enumerate(item):
                if i:
                    parts.append(_Token(","))
                parts.append(value)
            parts.append(_Token("]"))
            stack.extend(reversed(parts))
        else:
            out.append(json.dumps(item, ensure_ascii=False))
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str


def _is_error_type(t: ir.LiteralType) -> bool:
    if isinstance(t, ir.Simple):
        return t.simple is ir.SimpleType.ERROR
    return isinstance(t, ir.Union) and any(_is_error_type(v) for v in t.variants)


def with_failure_error(plans: dict[str, Plan], iface: ir.Interface) -> dict[str, Plan]:
    """A failure node's plans with every error-typed input (``FlyteError``) taking the
    execution's error, as Flyte passes it to the failure node."""
    out = dict(plans)
    for name, var in iface.inputs.items():
        if _is_error_type(var.type):
            plan: dict[str, Any] = {"error": {}}
            if isinstance(var.type, ir.Union) and var.type.pb:
                plan["union"] = b64(var.type.pb)
            out[name] = plan
    return out
