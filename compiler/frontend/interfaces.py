"""Convert typed interfaces and parameter maps."""

from __future__ import annotations

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


def convert_parameters(p: interface_pb2.ParameterMap) -> tuple[ir.Parameter, ...]:
    """Convert a parameter map (launch-plan default inputs) in natural name order."""
    params = []
    for name in sorted(p.parameters, key=ir.natural_key):
        param = p.parameters[name]
        behavior = param.WhichOneof("behavior")
        params.append(
            ir.Parameter(
                var=convert_variable(name, param.var),
                default=convert_literal(param.default) if behavior == "default" else None,
                required=behavior == "required" and param.required,
                artifact=behavior in ("artifact_query", "artifact_id"),
            )
        )
    return tuple(params)
