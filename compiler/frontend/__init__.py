"""The front end: flyteidl messages to IR (the only compiler package that reads protobuf)."""

from fcomp.compiler.frontend.program import build_program

__all__ = ["build_program"]
