"""The front end: flyteidl messages to IR, and Flyte closures back (the only compiler package
that reads or writes protobuf)."""

from fcomp.compiler.frontend.program import build_program

__all__ = ["build_program"]
