"""Binding checks (Flyte's ``ValidateBindings``): every input bound once, promises pointing at
real outputs, values castable to the input types; implicit edges added on the way."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal as TypingLiteral

from fcomp.compiler import ir, messages
from fcomp.compiler.diagnostics import Source
from fcomp.compiler.passes import interfaces
from fcomp.compiler.passes.builder import WorkflowBuilder
from fcomp.compiler.passes.results import START_NODE
from fcomp.compiler.passes.scope import Scope
from fcomp.compiler.passes.typing import is_castable

Direction = TypingLiteral["bidirectional", "downstream", "upstream"]

#: Flyte's promise variable syntax: an optional ``[i].`` index, then a word (Go's ``\w`` is
#: ASCII only).
_VAR_NAME = re.compile(r"(?:\[(\d+)\]\.)?(\w+)", re.ASCII)


def parse_var_name(var: str) -> tuple[str | None, str] | None:
    """Flyte's ``typing.ParseVarName``: the (index, name) of the one match of the syntax in
    ``var``, or None when it matches no or several times. Like Flyte, a match need not cover
    the whole string: ``o0.`` names ``o0``, ``a.b`` is an error."""
    found = _PARSED.get(var, _MISSING)
    if found is not _MISSING:
        return found  # type: ignore[return-value]
    matches = list(_VAR_NAME.finditer(var))
    result = None if len(matches) != 1 else (matches[0].group(1), matches[0].group(2))
    if len(_PARSED) >= 4096:
        _PARSED.clear()
    _PARSED[var] = result
    return result


_PARSED: dict[str, tuple[str | None, str] | None] = {}
_MISSING = object()


_ANY = ir.Simple(simple=ir.SimpleType.NONE)


def validate_bindings(
    b: WorkflowBuilder,
    node: ir.Node,
    bindings: Iterable[ir.Binding],
    params: Mapping[str, ir.Variable] | None,
    *,
    validate_types: bool,
    direction: Direction,
    scope: Scope,
) -> dict[str, ir.Variable]:
    """Check a node's bindings against ``params``; returns the variables they resolve to.

    With ``validate_types`` false (branch and approve-gate inputs, whose interface comes from
    their bindings) unknown variables are accepted and types are not checked.
    """
    resolved: dict[str, ir.Variable] = {}
    provided: set[str] = set()
    for binding in bindings:
        param = params.get(binding.var) if params is not None else None
        if param is None and validate_types:
            scope.report(messages.VARIABLE_NOT_FOUND, binding.source, var=binding.var, node=node.id)
            continue
        if binding.var in provided:
            scope.report(messages.BOUND_TWICE, binding.source, var=binding.var)
            continue
        provided.add(binding.var)
        expected = param.type if param is not None else _ANY
        found = _binding(
            b, node, binding.var, binding.data, expected, validate_types, scope.child(), binding
        )
        if found is None:
            continue
        resolved_type, upstream = found
        for up in upstream:
            if direction == "bidirectional":
                b.add_execution_edge(up, node.id)
            elif direction == "downstream":
                b.add_downstream_edge(up, node.id)
            else:
                b.add_upstream_edge(up, node.id)
        resolved[binding.var] = ir.Variable(binding.var, resolved_type or ir.Unset())
    if params is not None:
        for name, var in params.items():
            if name not in provided and not ir.is_none_union(var.type):
                scope.report(messages.NOT_BOUND, node.source.at(field=f"inputs.{name}"), var=name)
    return resolved


def _binding(
    b: WorkflowBuilder,
    node: ir.Node,
    var: str,
    data: ir.BindingData,
    expected: ir.LiteralType,
    validate_types: bool,
    scope: Scope,
    binding: ir.Binding,
) -> tuple[ir.LiteralType | None, list[str]] | None:
    """One binding value; returns its resolved type and upstream node ids, or None if bad."""
    src = binding.source
    if isinstance(expected, ir.Union) and not isinstance(data, ir.Scalar | ir.Promise):
        match: tuple[ir.LiteralType | None, list[str]] | None = None
        matched_variant: ir.LiteralType | None = None
        for variant in expected.variants:
            trial = Scope.trial()
            attempt = _binding(b, node, var, data, variant, validate_types, trial, binding)
            if attempt is not None and trial.ok:
                if match is not None and matched_variant is not None:
                    scope.report(
                        messages.AMBIGUOUS_UNION,
                        src,
                        var=var,
                        want=ir.render_type(expected),
                        first=ir.render_type(matched_variant),
                        second=ir.render_type(variant),
                    )
                    return None
                match, matched_variant = attempt, variant
        if match is not None:
            return match
        scope.report(messages.INCOMPATIBLE_UNION, src, var=var, want=ir.render_type(expected))
        return None

    match data:
        case ir.BindingCollection(items=items):
            if not isinstance(expected, ir.Collection):
                scope.report(
                    messages.MISMATCHING_BINDINGS,
                    src,
                    var=var,
                    want=ir.render_type(expected),
                    got="collection",
                )
                return None
            ids: list[str] = []
            sub: ir.LiteralType | None = None
            for item in items:
                found = _binding(
                    b, node, var, item, expected.elem, validate_types, scope.child(), binding
                )
                if found is not None:
                    ids.extend(found[1])
                    sub = found[0]
            if not scope.ok:
                return None
            return ir.Collection(elem=sub if sub is not None else ir.Unset()), ids
        case ir.BindingMap(entries=entries):
            if not isinstance(expected, ir.MapOf):
                scope.report(
                    messages.MISMATCHING_BINDINGS,
                    src,
                    var=var,
                    want=ir.render_type(expected),
                    got="map",
                )
                return None
            ids = []
            sub = None
            for _, item in entries:
                found = _binding(
                    b, node, var, item, expected.value, validate_types, scope.child(), binding
                )
                if found is not None:
                    ids.extend(found[1])
                    sub = found[0]
            if not scope.ok:
                return None
            return ir.MapOf(value=sub if sub is not None else ir.Unset()), ids
        case ir.Promise():
            return _promise(b, var, data, expected, validate_types, scope, src)
        case ir.Scalar(literal=lit):
            return _scalar(var, lit, expected, validate_types, scope, src)
        case ir.Offloaded():
            # Flyte's compiler knows no offloaded binding (only the runtime offloads literals).
            got = "offloaded literal"
        case _:
            got = "nothing"
    scope.report(
        messages.MISMATCHING_BINDINGS, src, var=var, want=ir.render_type(expected), got=got
    )
    return None


def _promise(
    b: WorkflowBuilder,
    var: str,
    p: ir.Promise,
    expected: ir.LiteralType,
    validate_types: bool,
    scope: Scope,
    source: Source,
) -> tuple[ir.LiteralType | None, list[str]] | None:
    """A promise binding, as Flyte's ``validateBinding`` checks it: only a missing node or
    output leaves the input unbound (``ParameterNotBound`` besides the cause); a bad variable
    name, attribute path or type is reported alone."""
    up = b.nodes.get(p.node_id or START_NODE)
    if up is None:
        scope.report(messages.NODE_NOT_FOUND, source, ref=p.node_id)
        scope.report(messages.NOT_BOUND, source, var=var)
        return None
    parsed = parse_var_name(p.var)
    if parsed is None:
        scope.report(
            messages.SYNTAX, source, element=p.var, why="expected an output name like 'o0'"
        )
        return None
    index, name = parsed
    if not up.done:
        interfaces.underlying_interface(b, up, scope.child())
    if up.done and up.iface is None:
        # The upstream node's interface is broken and was reported where it is; saying here
        # that none of its outputs exist would only repeat that.
        return None
    if up.node.output_aliases:
        aliases = scope.child()
        outputs = interfaces.effective_outputs(up, aliases)
        if not aliases.ok:
            # Flyte looks no output up through broken aliases (reported on their node).
            scope.report(messages.NOT_BOUND, source, var=var)
            return None
    else:
        outputs = None if up.iface is None else up.iface.outputs
    param = outputs.get(name) if outputs is not None else None
    if param is None:
        scope.report(messages.VARIABLE_NOT_FOUND, source, var=name, node=up.node.id)
        scope.report(messages.NOT_BOUND, source, var=var)
        return None
    source_type = param.type
    if index is not None:
        if not isinstance(source_type, ir.Collection):
            scope.report(
                messages.MISMATCHING_TYPES,
                source,
                var=p.var,
                got=ir.render_type(source_type),
                want=ir.render_type(expected),
            )
        else:
            source_type = source_type.elem
    walked = attr_path_type(source_type, p.attr_path)
    if isinstance(walked, str):
        scope.report(
            messages.FIELD_NOT_FOUND,
            source,
            var=p.var,
            type=ir.render_type(source_type),
            field=walked,
        )
        return None
    if not scope.ok:
        return None
    if not validate_types or b.castable(walked, expected):
        return param.type, [up.node.id]
    scope.report(
        messages.MISMATCHING_TYPES,
        source,
        var=p.var,
        got=ir.render_type(walked),
        want=ir.render_type(expected),
    )
    return None


def attr_path_type(t: ir.LiteralType, path: tuple[str | int, ...]) -> ir.LiteralType | str:
    """The type reached by walking ``path`` through collections, maps and dataclass fields;
    the missing field's name when the walk fails."""
    for attr in path:
        if isinstance(t, ir.Collection):
            t = t.elem
        elif isinstance(t, ir.MapOf):
            t = t.value
        else:
            fields = dataclass_fields(t)
            if fields is not None:
                # Flyte looks a field up by the attribute's string value ("" for an index).
                key = attr if isinstance(attr, str) else ""
                if key not in fields:
                    return key
                t = fields[key]
    return t


def dataclass_fields(t: ir.LiteralType) -> Mapping[str, ir.LiteralType] | None:
    """The field types a type's ``structure.dataclass_type`` declares, if any."""
    return dict(t.dataclass_type) if t.dataclass_type else None


def _scalar(
    var: str,
    lit: ir.Literal,
    expected: ir.LiteralType,
    validate_types: bool,
    scope: Scope,
    source: Source,
) -> tuple[ir.LiteralType | None, list[str]] | None:
    if lit.type is None:
        scope.report(messages.UNRECOGNIZED, source, value=lit.shape, what=f"input [{var}]")
    elif validate_types and not is_castable(lit.type, expected):
        scope.report(
            messages.MISMATCHING_TYPES,
            source,
            var=var,
            got=ir.render_type(lit.type),
            want=ir.render_type(expected),
        )
    if isinstance(expected, ir.EnumOf):
        value = lit.string_value or ""
        if value not in expected.values:
            scope.report(
                messages.ILLEGAL_ENUM,
                source,
                var=var,
                values=", ".join(expected.values),
                value=value,
            )
    if not scope.ok:
        return None
    return lit.type, []
