"""The Airflow backend's flavour-neutral model of one DAG: operators, groups and edges.

The graph builder (:mod:`.graph`, :mod:`.nodes`) turns a compiled workflow into a :class:`Flow`
of :class:`Op` values, each running one :mod:`step <.steps>`; a flavour (:mod:`.local`,
:mod:`.kubernetes`) then decides which Airflow operator runs each step, and :mod:`.module`
writes the Python source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fcomp.backends.airflow.steps import Step
from fcomp.backends.common.names import AIRFLOW_ID, Namer

#: Airflow's trigger rules used here (``airflow.utils.trigger_rule.TriggerRule`` values).
ALL_SUCCESS = "all_success"
NONE_FAILED_MIN_ONE_SUCCESS = "none_failed_min_one_success"
NONE_SKIPPED = "none_skipped"
ONE_FAILED = "one_failed"

#: Airflow's limit on a task id including its group prefixes.
TASK_ID_MAX = 250


@dataclass
class Op:
    """One Airflow task: its full id (``group.task``), the step it runs, its trigger rule, the
    full ids of its upstream tasks, and the task whose output it is mapped over (if any)."""

    id: str
    local_id: str
    group: str
    step: Step
    trigger_rule: str = ALL_SUCCESS
    upstream: list[str] = field(default_factory=list)
    mapped_over: str = ""

    def after(self, ids: list[str]) -> None:
        """Add upstream tasks (each once, in order)."""
        if not ids:
            return
        present = {self.id, *self.upstream}
        for i in ids:
            if i not in present:
                present.add(i)
                self.upstream.append(i)


@dataclass
class Group:
    """A task group (a subworkflow): full id, id within its parent, parent's full id."""

    id: str
    local_id: str
    parent: str
    tooltip: str = ""


@dataclass
class Flow:
    """Every task and group of one DAG, in creation order."""

    ops: dict[str, Op] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    _names: dict[str, Namer] = field(default_factory=dict)

    def namer(self, group: str) -> Namer:
        """Task and group ids within ``group`` (ids share one namespace per group)."""
        if group not in self._names:
            self._names[group] = Namer(AIRFLOW_ID)
        return self._names[group]

    def full(self, group: str, local_id: str) -> str:
        """The full id of ``local_id`` inside ``group``."""
        return f"{group}.{local_id}" if group else local_id

    def add(self, group: str, raw_id: str, step: Step, trigger_rule: str = ALL_SUCCESS) -> Op:
        """A new task named after ``raw_id`` in ``group``."""
        local = self.namer(group).name(raw_id)
        op = Op(self.full(group, local), local, group, step, trigger_rule)
        self.ops[op.id] = op
        return op

    def add_group(self, parent: str, raw_id: str, tooltip: str = "") -> Group:
        """A new task group named after ``raw_id`` inside ``parent``."""
        local = self.namer(parent).name(raw_id)
        group = Group(self.full(parent, local), local, parent, tooltip)
        self.groups[group.id] = group
        return group

    def edges(self) -> list[tuple[str, str]]:
        """Every (upstream, downstream) pair of full task ids."""
        return [(u, op.id) for op in self.ops.values() for u in op.upstream]


@dataclass
class Lowered:
    """The tasks of one workflow node: ``entry`` tasks wait for the node's upstream nodes;
    downstream nodes wait for the ``exits``."""

    entry: list[str] = field(default_factory=list)
    exits: list[str] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)
