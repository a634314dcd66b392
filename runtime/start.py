"""The start step: workflow inputs (the start node's outputs) from parameters and fixed inputs.

Each input's value comes from, in order: a fixed input of the launch plan; the parent's bound
inputs when this is a child execution (``--inputs-from``); the parameter text; None for an
optional input; otherwise the step fails. A cron launch plan's offset shifts the kickoff-time
input (``--shift``).
"""

from __future__ import annotations

import base64
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from fcomp.runtime import jsonforms, scalars, textforms
from fcomp.runtime.codec import b64_message, parse_message
from fcomp.runtime.contract import DEFAULT_MARK
from fcomp.runtime.errors import StepError
from fcomp.runtime.literals import (
    describe_type,
    none_variant,
    primitive_kind,
    scalar_kind,
    type_kind,
)
from fcomp.runtime.plainjson import ordered_keys
from fcomp.runtime.scalars import FormError
from fcomp.runtime.storage import read_uri

LiteralMap = literals_pb2.LiteralMap


def pairs(values: list[str], option: str) -> dict[str, str]:
    """``NAME=VALUE`` arguments (split at the first ``=``) as a dict; a name given twice fails."""
    found: dict[str, str] = {}
    for value in values:
        name, equals, rest = value.partition("=")
        if not equals or not name:
            raise StepError(f"{option} takes NAME=VALUE, got {value!r}")
        if name in found:
            raise StepError(f"{option} gives input '{name}' twice")
        found[name] = rest
    return found


def _absent_value(name: str, literal_type: Any) -> Any:
    if type_kind(literal_type) == "union_type" and none_variant(literal_type) is not None:
        return jsonforms.from_json(None, literal_type)
    raise StepError(
        f"input '{name}' of type {describe_type(literal_type)} has no value: "
        f"pass --param {name}=TEXT"
    )


def shifted(name: str, literal: Any, offset: str) -> Any:
    """A datetime input moved by an ISO 8601 duration (a cron launch plan's offset)."""
    try:
        duration = scalars.parse_duration(offset)
    except FormError as error:
        raise StepError(f"--shift {name}={offset}: {error}") from None
    moved = literals_pb2.Literal()
    moved.CopyFrom(literal)
    target = moved.scalar.union.value if scalar_kind(moved) == "union" else moved
    if primitive_kind(target) != "datetime":
        raise StepError(f"--shift {name}: input '{name}' is not a datetime")
    stamp = target.scalar.primitive.datetime
    stamp.FromNanoseconds(stamp.ToNanoseconds() + duration.ToNanoseconds())
    return moved


def _given_inputs(uri: str) -> dict[str, Any]:
    """The literals of a parent node's ``inputs.pb`` (a child execution's inputs)."""
    if not uri:
        return {}
    data = read_uri(uri, "the inputs given by the parent (--inputs-from)")
    return dict(parse_message(data, LiteralMap, f"--inputs-from {uri}").literals)


def _check_names(types: dict[str, Any], sources: dict[str, dict[str, Any]]) -> None:
    for option, names in sources.items():
        unknown = sorted(set(names) - set(types))
        if unknown:
            raise StepError(f"{option} {unknown[0]}: the workflow has no input '{unknown[0]}'")
    fixed = set(sources["--fixed"])
    overridden = sorted((set(sources["--param"]) | set(sources["--inputs-from"])) & fixed)
    if overridden:
        raise StepError(
            f"input '{overridden[0]}' is fixed by the launch plan and cannot be overridden"
        )


def _params(args: Any) -> dict[str, str]:
    """The text values of ``--param`` and of ``--param-b64`` (decoded); a name given by both
    fails."""
    params = pairs(args.param, "--param")
    for name, encoded in pairs(getattr(args, "param_b64", None) or [], "--param-b64").items():
        if name in params:
            raise StepError(f"--param-b64 gives input '{name}' twice")
        try:
            params[name] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError) as error:
            raise StepError(f"--param-b64 {name}: invalid base64 text: {error}") from None
    return params


def workflow_inputs(args: Any) -> Any:
    """The start node's output ``LiteralMap`` for the ``start`` arguments."""
    types = {
        name: b64_message(text, types_pb2.LiteralType, f"--type {name}")
        for name, text in pairs(args.type, "--type").items()
    }
    params, fixed = _params(args), pairs(args.fixed, "--fixed")
    shifts, given = pairs(args.shift, "--shift"), _given_inputs(args.inputs_from)
    defaults = pairs(getattr(args, "default", None) or [], "--default")
    sources = {
        "--param": params,
        "--fixed": fixed,
        "--shift": shifts,
        "--inputs-from": given,
        "--default": defaults,
    }
    _check_names(types, sources)
    inputs = LiteralMap()
    for name in ordered_keys(types):
        if name in fixed:
            literal = b64_message(fixed[name], literals_pb2.Literal, f"--fixed {name}")
        elif name in given:
            literal = given[name]
        elif name in params and not (params[name] == DEFAULT_MARK and name in defaults):
            literal = textforms.parse_parameter(name, params[name], types[name])
        elif name in defaults:
            literal = b64_message(defaults[name], literals_pb2.Literal, f"--default {name}")
        else:
            literal = _absent_value(name, types[name])
        if name in shifts:
            literal = shifted(name, literal, shifts[name])
        inputs.literals[name].CopyFrom(literal)
    return inputs
