"""Convert typed interfaces and parameter maps."""

from __future__ import annotations

from dataclasses import replace

from flyteidl.core import interface_pb2

from fcomp.compiler import ir
from fcomp.compiler.frontend.types import convert_literal, convert_type


def convert_variable(name: str, v: interface_pb2.Variable) -> ir.Variable:
    """Convert one interface variable."""
    return ir.Variable(name=name, type=convert_type(v.type), description=v.description)


def convert_interface(i: interface_pb2.TypedInterface) -> ir.Interface:
    """Convert a typed interface, ordering variables by natural name order."""
    return ir.Interface.of(
        (convert_variable(n, v) for n, v in i.inputs.variables.items()),
        (convert_variable(n, v) for n, v in i.outputs.variables.items()),
    )


def default_text(param: interface_pb2.Parameter) -> str | None:
    """A default value in the parameter text form of the runtime contract (None when it has
    no text form, e.g. a literal that does not match its type)."""
    from fcomp.runtime.textforms import literal_to_text

    try:
        return literal_to_text(param.default, param.var.type)
    except Exception:  # any literal the text form cannot express stays without a text
        return None


def convert_parameters(p: interface_pb2.ParameterMap) -> tuple[ir.Parameter, ...]:
    """Convert a parameter map (launch-plan default inputs) in natural name order."""
    params = []
    for name in sorted(p.parameters, key=ir.natural_key):
        param = p.parameters[name]
        behavior = param.WhichOneof("behavior")
        default = None
        if behavior == "default":
            default = replace(convert_literal(param.default), text=default_text(param))
        params.append(
            ir.Parameter(
                var=convert_variable(name, param.var),
                default=default,
                required=behavior == "required" and param.required,
                artifact=behavior in ("artifact_query", "artifact_id"),
            )
        )
    return tuple(params)
