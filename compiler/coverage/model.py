"""How a target handles one input field: honoured, reported, without effect, or nested.

An entry of the coverage table (:mod:`fcomp.compiler.coverage`) is one of these. Tests check
every field of the installed flyteidl's messages has an entry, and every :class:`Honoured`
entry names a test case that changes the field and sees the target's output change.
"""

from __future__ import annotations

from dataclasses import dataclass

from fcomp.compiler import codes
from fcomp.compiler.diagnostics import Severity


@dataclass(frozen=True, slots=True)
class Honoured:
    """The target's output follows the field. ``case`` names the test case (in
    ``tests/robustness/test_robust_honoured.py``) that changes it and sees the output change."""

    case: str


@dataclass(frozen=True, slots=True)
class Reported:
    """Setting the field gives a diagnostic. ``by`` is empty when the coverage pass itself
    reports it (:mod:`fcomp.compiler.passes.coverage`), else the module that does."""

    why: str
    code: str = codes.IGNORED_FIELD
    severity: Severity = Severity.WARNING
    by: str = ""


@dataclass(frozen=True, slots=True)
class NoEffect:
    """The field does not change what runs (identity, documentation, display), or the target
    already behaves as the field asks; ``reason`` says which."""

    reason: str


@dataclass(frozen=True, slots=True)
class Nested:
    """A message whose own fields have entries (or a map/list of them)."""

    what: str = "a message whose own fields are classified"


Handling = Honoured | Reported | NoEffect | Nested

#: Entries of one message: field name -> handling.
Fields = dict[str, Handling]
#: A table: message full name -> its fields' entries.
Table = dict[str, Fields]


def ignored(why: str) -> Reported:
    """A field the target drops: the coverage pass warns with ``IgnoredField``."""
    return Reported(why)


def unsupported(why: str) -> Reported:
    """A field the target cannot run: the coverage pass fails with ``UnsupportedConstruct``."""
    return Reported(why, codes.UNSUPPORTED_CONSTRUCT, Severity.ERROR)


def reported_by(module: str, code: str, why: str) -> Reported:
    """A field another part of fcomp reports (``module``) with ``code``."""
    return Reported(why, code, Severity.ERROR, by=module)


def overlay(base: Table, overrides: Table) -> Table:
    """``base`` with ``overrides`` replacing entries field by field (a per-target table)."""
    out = {name: dict(fields) for name, fields in base.items()}
    for name, fields in overrides.items():
        out.setdefault(name, {}).update(fields)
    return out


#: Placeholder for "honoured, by the case named ``<Message>.<field>``" in :func:`message`.
HONOURED = Honoured("")


def message(full_name: str, **entries: Handling) -> Table:
    """The entries of one message; :data:`HONOURED` becomes ``Honoured("<message>.<field>")``
    with the message's name less ``flyteidl.`` (``core.Container.image``), so the case name
    reads like the field it changes."""
    short = full_name.removeprefix("flyteidl.")
    return {
        full_name: {
            name: Honoured(f"{short}.{name}") if h is HONOURED else h for name, h in entries.items()
        }
    }


def tables(*parts: Table) -> Table:
    """Several messages' entries as one table (a message may appear once)."""
    out: Table = {}
    for part in parts:
        for name, fields in part.items():
            assert name not in out, f"message {name} classified twice"
            out[name] = fields
    return out
