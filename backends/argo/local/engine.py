"""Running one template invocation as a node, as Argo's ``executeTemplate`` does.

Resolve the template (``template`` or ``templateRef``), bind its inputs from the caller's
arguments (argument, else ``value``/``default``, else "inputs.parameters.x was not supplied"),
substitute it in Argo's two passes (the globals, over the template and the input values
placed in it; then the inputs, whose values are not scanned again), then run it: through
:mod:`retry` when it has a ``retryStrategy`` (a ``Retry`` node whose attempts are
``name(0)``, ``name(1)``, ...), else directly, by the executor registered for its kind.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.backends.argo.local import retry
from fcomp.backends.argo.local.context import RunContext
from fcomp.backends.argo.local.documents import Owner, template_kind
from fcomp.backends.argo.local.exprlang import ExprError
from fcomp.backends.argo.local.model import ERROR, FAILED
from fcomp.backends.argo.local.nodes import RETRY, SKIPPED_TYPE, NodeState
from fcomp.backends.argo.local.registry import lookup
from fcomp.backends.argo.local.values import go_json, go_string
from fcomp.backends.argo.local.variables import (
    AbsentReferenceError,
    Scope,
    UnresolvedError,
    substitute_tree,
)

log = logging.getLogger("fcomp.backends.argo.local")


class StepError(Exception):
    """A failure an executor reports on its node: ``phase`` (``Error`` unless said) and the
    message as the node's message."""

    def __init__(self, message: str, phase: str = ERROR) -> None:
        super().__init__(message)
        self.phase = phase


@dataclass
class Invocation:
    """One node an executor runs."""

    ctx: RunContext
    node: NodeState
    template: dict[str, Any]
    owner: Owner
    scope: Scope
    retry_attempt: int | None = None


def bind_inputs(template: Mapping[str, Any], arguments: Mapping[str, Any]) -> dict[str, str]:
    """Input parameter values: the argument, else the input's ``value`` or ``default``."""
    given = {
        str(param.get("name")): param
        for param in (arguments.get("parameters") or [])
        if isinstance(param, Mapping)
    }
    values: dict[str, str] = {}
    for param in (template.get("inputs") or {}).get("parameters") or []:
        name = str(param.get("name"))
        value: Any = param.get("value")
        if value is None:
            value = param.get("default")
        if name in given:
            argument = given[name]
            if argument.get("value") is not None:
                value = argument["value"]
            elif argument.get("valueFrom") is not None:
                raise StepError(f"inputs.parameters.{name}: valueFrom arguments are not supported")
        if value is None:
            raise StepError(f"inputs.parameters.{name} was not supplied")
        values[name] = go_string(value)
    return values


def _with_input_values(template: Mapping[str, Any], inputs: Mapping[str, str]) -> dict[str, Any]:
    """The template with each input parameter's ``value`` set to its bound value."""
    declared = (template.get("inputs") or {}).get("parameters") or []
    params = [
        {**p, "value": inputs[str(p.get("name"))]} if str(p.get("name")) in inputs else p
        for p in declared
    ]
    return {**template, "inputs": {**(template.get("inputs") or {}), "parameters": params}}


def _input_values(template: Mapping[str, Any]) -> dict[str, str]:
    declared = (template.get("inputs") or {}).get("parameters") or []
    return {str(p.get("name")): str(p.get("value", "")) for p in declared}


def _path_values(template: Mapping[str, Any]) -> dict[str, str]:
    """``outputs.parameters.x.path`` of the outputs read from files (Argo's second pass)."""
    out: dict[str, str] = {}
    for p in (template.get("outputs") or {}).get("parameters") or []:
        path = (p.get("valueFrom") or {}).get("path")
        if path:
            out[f"outputs.parameters.{p.get('name')}.path"] = str(path)
    return out


def substitute_template(
    template: Mapping[str, Any], inputs: Mapping[str, str], globals_: Scope
) -> tuple[dict[str, Any], dict[str, str]]:
    """The template after Argo's passes of ``executeTemplate``, and its input values.

    The first pass substitutes the globals into the whole template, the input values placed in
    it included; the second substitutes only the inputs (and output paths), inserting the
    values the first pass left without scanning them again.
    """
    placed = _with_input_values(template, inputs)
    first: dict[str, Any] = substitute_tree(placed, globals_, strict=False)
    values = _input_values(first)
    own = input_scope(Scope(), values).child(_path_values(first))
    second: dict[str, Any] = substitute_tree(first, own, strict=False)
    if "inputs" in first:
        second["inputs"] = first["inputs"]
    return second, values


def input_scope(base: Scope, inputs: Mapping[str, str]) -> Scope:
    """``base`` plus ``inputs.parameters.*`` (and ``inputs.parameters`` as JSON)."""
    values: dict[str, str] = {f"inputs.parameters.{k}": v for k, v in inputs.items()}
    values["inputs.parameters"] = go_json([{"name": k, "value": v} for k, v in inputs.items()])
    return base.child(values)


def pod_name(workflow: str, template: str, node_name: str) -> str:
    """Argo's v2 pod name: ``<workflow>-<template>-<fnv32a(node name)>``."""
    digest = 0x811C9DC5
    for byte in node_name.encode():
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    prefix = f"{workflow}-{template}" if template else workflow
    if len(prefix) > 252 - 11:
        prefix = prefix[: 252 - 11]
    return f"{prefix}-{digest}" if node_name != workflow else workflow


def execute_template(
    ctx: RunContext,
    *,
    name: str,
    display_name: str,
    holder: Mapping[str, Any],
    owner: Owner,
    arguments: Mapping[str, Any],
    parent: str | None,
) -> NodeState:
    """Run the template ``holder`` names as node ``name``; returns the finished node."""
    try:
        template, template_owner = ctx.plan.store.resolve(holder, owner)
    except LookupError as err:
        return _error_node(ctx, name, display_name, parent, str(err))
    template_name = str(template.get("name", ""))
    found = lookup(template_kind(template))
    if isinstance(found, str):
        return _error_node(ctx, name, display_name, parent, found, template_name)
    if ctx.stop.stopped:
        node = ctx.book.create(
            name, display_name, found[1], template_name=template_name, parent=parent
        )
        return node.finish(FAILED, ctx.stop.reason)
    try:
        template, inputs = substitute_template(
            template, bind_inputs(template, arguments), ctx.globals
        )
        scope = input_scope(ctx.globals, inputs)
    except (StepError, AbsentReferenceError, ExprError) as err:
        return _error_node(ctx, name, display_name, parent, str(err), template_name)
    invoke = _Invoker(ctx, template, template_owner, scope, found)
    strategy = template.get("retryStrategy")
    if strategy is None:
        return invoke(name, display_name, parent, None)
    node = ctx.book.create(name, display_name, RETRY, template_name=template_name, parent=parent)
    retry.run_attempts(
        ctx, node, strategy, lambda i: invoke(f"{name}({i})", f"{display_name}({i})", name, i)
    )
    return node


@dataclass
class _Invoker:
    """Creates a node of the template's kind and runs its executor on it."""

    ctx: RunContext
    template: dict[str, Any]
    owner: Owner
    scope: Scope
    found: tuple[Any, str]

    def __call__(
        self, name: str, display_name: str, parent: str | None, attempt: int | None
    ) -> NodeState:
        run, node_type = self.found
        template_name = str(self.template.get("name", ""))
        node = self.ctx.book.create(
            name, display_name, node_type, template_name=template_name, parent=parent
        )
        values = {
            "node.name": name,
            "pod.name": pod_name(self.ctx.plan.name, template_name, name),
        }
        if attempt is not None:
            values["retries"] = str(attempt)
        scope = self.scope.child(values)
        try:
            run(Invocation(self.ctx, node, self.template, self.owner, scope, attempt))
        except StepError as err:
            node.finish(err.phase, str(err))
        except (UnresolvedError, AbsentReferenceError, ExprError) as err:
            node.finish(ERROR, str(err))
        except Exception as err:  # a bug here must not hang or crash the run
            log.exception("internal error running node %s", name)
            node.finish(ERROR, f"internal error in the local executor: {err!r}")
        if not node.done:
            node.finish(ERROR, "internal error in the local executor: node left unfinished")
        return node


def _error_node(
    ctx: RunContext,
    name: str,
    display_name: str,
    parent: str | None,
    message: str,
    template_name: str = "",
) -> NodeState:
    return ctx.book.create(
        name,
        display_name,
        SKIPPED_TYPE,
        template_name=template_name,
        parent=parent,
        phase=ERROR,
        message=message,
    )


def crc_id(text: str) -> str:
    """A short stable id for a node (``{{tasks.x.id}}``)."""
    return str(zlib.crc32(text.encode()))
