"""Runtime test helpers: flytekit literals as flyteidl messages, an in-process CLI runner."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import typing
from dataclasses import dataclass
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from fcomp.runtime.__main__ import main
from fcomp.runtime.codec import serialize
from fcomp.runtime.storage import Storage

EXEC = "run-1"


def to_literal_type(python_type: Any) -> Any:
    """flytekit's LiteralType for a Python type, as a flyteidl message."""
    from flytekit.core.type_engine import TypeEngine

    return TypeEngine.to_literal_type(python_type).to_flyte_idl()


def to_literal(value: Any, python_type: Any) -> Any:
    """flytekit's Literal for a Python value, as a flyteidl message."""
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    ctx = FlyteContextManager.current_context()
    model_type = TypeEngine.to_literal_type(python_type)
    return TypeEngine.to_literal(ctx, value, python_type, model_type).to_flyte_idl()


def to_python(literal: Any, python_type: Any) -> Any:
    """flytekit's Python value for a flyteidl Literal."""
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.literals import Literal as LiteralModel

    ctx = FlyteContextManager.current_context()
    model = LiteralModel.from_flyte_idl(literal)
    return TypeEngine.to_python_value(ctx, model, python_type)


def b64(message: Any) -> str:
    """A message as deterministic base64, as plans carry it."""
    return base64.b64encode(serialize(message)).decode("ascii")


def literal_map(**literals: Any) -> Any:
    """A LiteralMap of the given literals."""
    result = literals_pb2.LiteralMap()
    for name, literal in literals.items():
        result.literals[name].CopyFrom(literal)
    return result


def int_literal(value: int) -> Any:
    """An integer literal."""
    literal = literals_pb2.Literal()
    literal.scalar.primitive.integer = value
    return literal


def union_type(*variants: Any) -> Any:
    """A union LiteralType of the given variants."""
    result = types_pb2.LiteralType()
    result.union_type.variants.extend(variants)
    return result


@dataclass
class Ran:
    """What one runtime command did."""

    status: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout parsed as JSON."""
        return json.loads(self.out)


class Runtime:
    """Runs ``fcomp-runtime`` commands in-process against one storage prefix and execution."""

    def __init__(self, prefix: str, execution: str = EXEC) -> None:
        self.prefix = prefix
        self.execution = execution
        self.storage = Storage(prefix, execution)

    def __call__(self, command: str, *args: str) -> Ran:
        out, err = io.StringIO(), io.StringIO()
        argv = [command, "--prefix", self.prefix, "--exec", self.execution, *args]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(argv)
            except SystemExit as stop:
                status = int(stop.code or 0)
        return Ran(status, out.getvalue(), err.getvalue())

    def put_outputs(self, node: str, outputs: Any, attempt: int = 0) -> str:
        """Write a node's outputs.pb as a task would."""
        path = self.storage.attempt_path(node, attempt, "outputs.pb")
        self.storage.write(path, serialize(outputs), node)
        return path

    def read_map(self, path: str) -> Any:
        """A LiteralMap file of this execution."""
        result = literals_pb2.LiteralMap()
        result.ParseFromString(self.storage.read(path, "test"))
        return result


def optional_int() -> Any:
    """flytekit's type for Optional[int]."""
    return to_literal_type(typing.Optional[int])  # noqa: UP045 - the flytekit spelling
