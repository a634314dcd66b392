"""The runtime's one failure type: a clear message for the user, exit status 1."""

from __future__ import annotations

from fcomp.runtime.contract import NOT_RETRIED_STATUS


class StepError(Exception):
    """A step cannot go on; ``message`` says what, naming the node, path, input or type;
    ``status`` is the exit status it gives."""

    status = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OutputsMissingError(StepError):
    """A node has no ``outputs.pb`` in any attempt (it has not run, or was skipped)."""

    def __init__(self, node: str, location: str) -> None:
        super().__init__(f"node '{node}' has no outputs: no outputs.pb under {location}")
        self.node = node
        self.location = location


class NoAlternativeError(OutputsMissingError):
    """No alternative of a ``first`` plan has outputs (a missing value to an enclosing
    ``first``, so nested branches fall through to the next case)."""

    def __init__(self, nodes: list[str]) -> None:
        super().__init__(", ".join(nodes), "")
        self.message = (
            f"no alternative has outputs (no outputs.pb for {', '.join(nodes)}): "
            "did any case of the branch run?"
        )
        self.args = (self.message,)


class NotRetriedError(StepError):
    """The attempt before this one failed with an error Flyte does not retry."""

    status = NOT_RETRIED_STATUS
