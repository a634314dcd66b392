"""The field coverage table: for every field of the Flyte messages that say how something
runs, how each target handles it.

Each entry is :class:`~fcomp.compiler.coverage.model.Honoured` (a named test changes the field
and sees the output change), :class:`~fcomp.compiler.coverage.model.Reported` (a diagnostic
says the target drops or cannot run it), :class:`~fcomp.compiler.coverage.model.NoEffect`
(with the reason) or :class:`~fcomp.compiler.coverage.model.Nested` (a message with entries of
its own). The tables per target spread a base table and override entries. The coverage pass
(:mod:`fcomp.compiler.passes.coverage`) reports every set field whose entry is ``Reported``
with no other reporter; a test walks the installed flyteidl's descriptors so that a field
nobody classified fails the suite.
"""

from __future__ import annotations

from fcomp.compiler.coverage import plugins, tasks, workflows
from fcomp.compiler.coverage.model import (
    Handling,
    Honoured,
    Nested,
    NoEffect,
    Reported,
    Table,
    tables,
)
from fcomp.compiler.coverage.plugins import custom_message

__all__ = [
    "TABLES",
    "Handling",
    "Honoured",
    "Nested",
    "NoEffect",
    "Reported",
    "custom_message",
    "handling",
]

#: The table of each target.
TABLES: dict[str, Table] = {
    "argo": tables(tasks.ARGO, workflows.ARGO, plugins.ARGO),
    "airflow": tables(tasks.AIRFLOW, workflows.AIRFLOW, plugins.AIRFLOW),
}


def handling(target: str, message: str, field: str) -> Handling | None:
    """How ``target`` handles ``message.field``; None when the message is not in the table."""
    return TABLES[target].get(message, {}).get(field)
