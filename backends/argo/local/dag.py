"""``dag`` templates, with the semantics of Argo's controller (``workflow/controller/dag.go``).

A task is decided once every task its ``depends`` (or ``dependencies``) names has finished:
its ``depends`` false gives an ``Omitted`` node; else its fields are resolved against the
outputs of its ancestors, expanded over ``withItems`` / ``withParam`` / ``withSequence`` (a
``TaskGroup`` node with items ``task(i:label)``, ``Skipped`` when empty), and each unit whose
``when`` holds runs (a false ``when`` gives a ``Skipped`` node). Ready units run in parallel,
at most ``parallelism`` at a time.

As in the controller, a failure does not stop tasks whose ``depends`` still hold from being
scheduled (``failFast`` only decides the DAG's phase earlier; see argo-workflows#10312). The
DAG's phase comes from its targets (``dag.target`` or the leaf tasks): each target's branch
phase is its own phase once it ran, else (Skipped/Omitted) the worst branch phase of its
dependencies; a Failed/Error branch fails the DAG unless the target's ``continueOn`` allows it.
When the DAG succeeds its ``outputs.parameters`` are resolved (``valueFrom.parameter``,
``expression``, ``default``).
"""

from __future__ import annotations

import json
import re
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from fcomp.backends.argo.local import exprlang
from fcomp.backends.argo.local.engine import (
    Invocation,
    StepError,
    crc_id,
    execute_template,
)
from fcomp.backends.argo.local.expressions import (
    Depends,
    ExpressionError,
    TaskOutcome,
    dependencies_as_depends,
    evaluate_when,
    parse_depends,
)
from fcomp.backends.argo.local.model import (
    ERROR,
    FAILED,
    OMITTED,
    SKIPPED,
    SUCCEEDED,
    failed_or_error,
)
from fcomp.backends.argo.local.nodes import DAG, SKIPPED_TYPE, TASK_GROUP, NodeState
from fcomp.backends.argo.local.outputs import aggregate, static_parameter
from fcomp.backends.argo.local.registry import executor
from fcomp.backends.argo.local.values import go_string, parse_int
from fcomp.backends.argo.local.variables import (
    Absent,
    AbsentReferenceError,
    Scope,
    UnresolvedError,
    substitute,
    substitute_tree,
    tags_in,
)

_ITEM_SIMPLE = re.compile(r"^\{\{\s*item(\.[^}]*)?\s*\}\}$")
_ITEM_EXPRESSION = re.compile(r"^\{\{\s*=.*\bitem\b", re.S)
_LOOP_KEYS = ("withItems", "withParam", "withSequence")
_RANK = {SUCCEEDED: 0, FAILED: 1, ERROR: 2}
_MAX_THREADS = 64


def _is_item_tag(tag: str) -> bool:
    return bool(_ITEM_SIMPLE.match(tag) or _ITEM_EXPRESSION.match(tag))


def item_label(item: Any) -> str:
    """How an item appears in its node name (``task(0:label)``), as Argo's ``processItem``."""
    if isinstance(item, dict):
        return ",".join(sorted(f"{k}:{go_string(v)}" for k, v in item.items()))
    if isinstance(item, list):
        return "[" + " ".join(go_string(v) for v in item) + "]"
    return go_string(item)


def item_values(item: Any) -> dict[str, str]:
    """The ``{{item}}`` / ``{{item.key}}`` variables of an item."""
    values = {"item": go_string(item)}
    if isinstance(item, dict):
        values.update({f"item.{k}": go_string(v) for k, v in item.items()})
    return values


def expand_sequence(sequence: dict[str, Any]) -> list[str]:
    """The items of ``withSequence`` (``count`` or ``end``, ``start``, Go ``format``)."""
    try:
        start = parse_int(sequence.get("start", 0) or 0, "withSequence.start")
        if sequence.get("end") not in (None, ""):
            end = parse_int(sequence["end"], "withSequence.end")
        elif sequence.get("count") not in (None, ""):
            count = parse_int(sequence["count"], "withSequence.count")
            if count == 0:
                return []
            end = start + count - 1
        else:
            raise StepError("withSequence needs count or end")
    except ValueError as err:
        raise StepError(str(err)) from None
    fmt = str(sequence.get("format") or "%d").replace("%v", "%d")
    step = 1 if start <= end else -1
    try:
        return [fmt % i for i in range(start, end + step, step)]
    except (TypeError, ValueError):
        raise StepError(f"withSequence.format {fmt!r} is not supported locally") from None


def _unresolved(tag: str, scope: Scope) -> bool:
    """Whether a tag stays as it is in ``scope`` (a reference to an absent output counts as
    resolved here: using it is an error reported where it is used)."""
    try:
        return substitute(tag, scope, strict=False) == tag
    except AbsentReferenceError:
        return False


@dataclass
class _Unit:
    """One task invocation waiting for a slot."""

    task: str
    name: str
    display: str
    holder: dict[str, Any]
    parent: str


@dataclass
class _Group:
    """A fanned-out task: its TaskGroup node and item nodes."""

    node: NodeState
    items: list[str]
    done: dict[str, NodeState] = field(default_factory=dict)


class _DagRun:
    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.ctx = inv.ctx
        self.node = inv.node
        dag = inv.template.get("dag") or {}
        self.tasks: dict[str, dict[str, Any]] = {
            str(t.get("name")): t for t in dag.get("tasks") or []
        }
        self.fail_fast = dag.get("failFast") is not False
        self.depends = {name: self._parse_depends(task) for name, task in self.tasks.items()}
        target = str(dag.get("target") or "").split()
        # Argo sorts the leaf tasks by name; the first failing one names the failure.
        self.targets = target or sorted(
            name for name in self.tasks if not any(name in d.tasks() for d in self.depends.values())
        )
        try:
            parallelism = inv.template.get("parallelism")
            self.limit = None if parallelism is None else parse_int(parallelism, "parallelism")
        except ValueError as err:
            raise StepError(str(err)) from None
        self.finished: dict[str, NodeState] = {}
        self.decided: set[str] = set()
        self.groups: dict[str, _Group] = {}
        self.pending: deque[_Unit] = deque()
        self.running: dict[Future[NodeState], _Unit] = {}
        self._vars: dict[str, dict[str, str | Absent]] = {}

    # ------------------------------------------------------------------ structure

    def _parse_depends(self, task: dict[str, Any]) -> Depends:
        def continue_on(name: str) -> dict[str, Any] | None:
            return self.tasks.get(name, {}).get("continueOn")

        try:
            if task.get("depends"):
                return parse_depends(str(task["depends"]), continue_on)
            return dependencies_as_depends(
                [str(d) for d in task.get("dependencies") or []], continue_on
            )
        except ExpressionError as err:
            raise StepError(str(err)) from None

    def ancestors(self, name: str) -> list[str]:
        """Every task ``name`` depends on, directly or not, in definition order."""
        seen: set[str] = set()
        stack = list(self.depends[name].tasks())
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.depends[current].tasks())
        return [task for task in self.tasks if task in seen]

    def template_of(self, name: str) -> dict[str, Any] | None:
        try:
            return self.ctx.plan.store.resolve(self.tasks[name], self.inv.owner)[0]
        except LookupError:
            return None

    # ------------------------------------------------------------------ variables

    def task_vars(self, name: str) -> dict[str, str | Absent]:
        """The ``tasks.<name>.*`` variables of a finished task."""
        if name in self._vars:
            return self._vars[name]
        node = self.finished[name]
        prefix = f"tasks.{name}"
        values: dict[str, str | Absent] = {
            f"{prefix}.status": node.phase,
            f"{prefix}.id": crc_id(node.name),
        }
        group = self.groups.get(name)
        if node.phase in (SKIPPED, OMITTED):
            absent = Absent(name, node.phase)
            values[f"{prefix}.outputs.result"] = absent
            template = self.template_of(name) or {}
            for param in (template.get("outputs") or {}).get("parameters") or []:
                default = (param.get("valueFrom") or {}).get("default")
                key = f"{prefix}.outputs.parameters.{param.get('name')}"
                values[key] = absent if default is None else go_string(default)
        elif group is not None:
            items = [group.done[item] for item in group.items if item in group.done]
            values.update({f"{prefix}.{k}": v for k, v in aggregate(items).items()})
        else:
            if node.result is not None:
                values[f"{prefix}.outputs.result"] = node.result
            for key, value in (node.outputs or {}).items():
                values[f"{prefix}.outputs.parameters.{key}"] = value
            if node.exit_code is not None:
                values[f"{prefix}.exitCode"] = str(node.exit_code)
        self._vars[name] = values
        return values

    def task_scope(self, name: str) -> Scope:
        values: dict[str, str | Absent] = {"tasks.name": name}
        for ancestor in self.ancestors(name):
            values.update(self.task_vars(ancestor))
        return self.inv.scope.child(values)

    def outcome(self, name: str) -> TaskOutcome:
        node = self.finished[name]
        group = self.groups.get(name)
        if group is None:
            return TaskOutcome(node.phase)
        phases = [group.done[item].phase for item in group.items if item in group.done]
        return TaskOutcome(
            node.phase,
            any_succeeded=SUCCEEDED in phases,
            all_failed=bool(phases) and all(phase == FAILED for phase in phases),
        )

    # ------------------------------------------------------------------ scheduling

    def run(self) -> None:
        workers = min(self.limit or _MAX_THREADS, _MAX_THREADS)
        with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
            while True:
                stopped = self.ctx.stop.stopped
                changed = False if stopped else self.schedule()
                self.launch(pool)
                if not self.running:
                    if changed:
                        continue
                    break
                done, _ = wait(self.running, return_when=FIRST_COMPLETED)
                for future in done:
                    unit = self.running.pop(future)
                    self.unit_done(unit.task, self.outcome_of(future, unit))
        self.conclude()

    def outcome_of(self, future: Future[NodeState], unit: _Unit) -> NodeState:
        """The node a unit finished with (an Error node if running it raised)."""
        try:
            return future.result()
        except Exception as err:  # execute_template reports failures on nodes; this is a bug
            message = f"internal error in the local executor: {err!r}"
            return self.leaf(unit.name, unit.display, ERROR, message, unit.parent)

    def schedule(self) -> bool:
        changed = False
        for name, task in self.tasks.items():
            if name in self.decided:
                continue
            if any(dep not in self.finished for dep in self.depends[name].tasks()):
                continue
            self.decided.add(name)
            changed = True
            self.decide(name, task)
        return changed

    def launch(self, pool: ThreadPoolExecutor) -> None:
        while self.pending and not self.ctx.stop.stopped:
            if self.limit is not None and len(self.running) >= self.limit:
                return
            unit = self.pending.popleft()
            future = pool.submit(
                execute_template,
                self.ctx,
                name=unit.name,
                display_name=unit.display,
                holder=unit.holder,
                owner=self.inv.owner,
                arguments=unit.holder.get("arguments") or {},
                parent=unit.parent,
            )
            self.running[future] = unit

    def task_node_name(self, name: str) -> str:
        return f"{self.node.name}.{name}"

    def decide(self, name: str, task: dict[str, Any]) -> None:
        node_name = self.task_node_name(name)
        try:
            outcomes = {dep: self.outcome(dep) for dep in self.depends[name].tasks()}
            if not self.depends[name].evaluate(outcomes):
                self.finished[name] = self.leaf(
                    node_name, name, OMITTED, "omitted: depends condition not met"
                )
                return
            resolved, items = self.resolve(name, task)
        except (
            StepError,
            ExpressionError,
            UnresolvedError,
            AbsentReferenceError,
            exprlang.ExprError,
        ) as err:
            self.finished[name] = self.leaf(node_name, name, ERROR, str(err))
            return
        if items is None:
            self.enqueue(name, resolved, node_name, name, self.node.name)
            return
        group = self.ctx.book.create(node_name, name, TASK_GROUP, parent=self.node.name)
        if not items:
            self.finished[name] = group.finish(SKIPPED, "Skipped, empty params")
            return
        labels = [f"({i}:{item_label(item)})" for i, item in enumerate(items)]
        self.groups[name] = _Group(group, [node_name + label for label in labels])
        for item, label in zip(items, labels, strict=True):
            scope = self.task_scope(name).child(item_values(item))
            scope.set_env("item", item)
            try:
                item_task = substitute_tree(resolved, scope, strict=True)
            except (UnresolvedError, AbsentReferenceError, exprlang.ExprError) as err:
                self.unit_done(
                    name,
                    self.leaf(node_name + label, name + label, ERROR, str(err), parent=node_name),
                )
                continue
            self.enqueue(name, item_task, node_name + label, name + label, node_name)

    def resolve(self, name: str, task: dict[str, Any]) -> tuple[dict[str, Any], list[Any] | None]:
        """The task with its variables substituted, and its loop items (``None``: no loop)."""
        scope = self.task_scope(name)
        fields = {
            k: v
            for k, v in task.items()
            if k not in _LOOP_KEYS and k not in ("depends", "dependencies")
        }
        arguments = dict(fields.pop("arguments", None) or {})
        parameters = []
        kept = []
        for param in arguments.pop("parameters", None) or []:
            try:
                parameters.append(substitute_tree(param, scope, strict=False))
                kept.append(param)
            except AbsentReferenceError as err:
                if str(param.get("value", "")).strip() == err.tag and self.input_has_default(
                    name, str(param.get("name"))
                ):
                    continue  # the input's own default applies
                raise
        resolved = substitute_tree(fields, scope, strict=False)
        resolved["arguments"] = {
            **substitute_tree(arguments, scope, strict=False),
            "parameters": parameters,
        }
        has_loop = any(task.get(key) is not None for key in _LOOP_KEYS)
        # Only the task's own tags must resolve: text inserted from a value (a parameter that
        # holds a child Workflow's manifest) is not substituted again, as in Argo.
        leftover = [
            t
            for t in tags_in([fields, arguments, kept])
            if not (has_loop and _is_item_tag(t)) and _unresolved(t, scope)
        ]
        if leftover:
            raise UnresolvedError(leftover)
        if not has_loop:
            return resolved, None
        return resolved, self.items(task, scope)

    def items(self, task: dict[str, Any], scope: Scope) -> list[Any]:
        if task.get("withItems") is not None:
            items = substitute_tree(task["withItems"], scope, strict=True)
            if not isinstance(items, list):
                raise StepError("withItems is not a list")
            return items
        if task.get("withParam") is not None:
            text = substitute(str(task["withParam"]), scope, strict=True)
            try:
                items = json.loads(text)
            except ValueError as err:
                raise StepError(
                    f"withParam value could not be parsed as a JSON list: {text.strip()}: {err}"
                ) from None
            if not isinstance(items, list):
                raise StepError(f"withParam value could not be parsed as a JSON list: {text}")
            return items
        return expand_sequence(substitute_tree(task["withSequence"], scope, strict=True))

    def input_has_default(self, name: str, param: str) -> bool:
        template = self.template_of(name) or {}
        for declared in (template.get("inputs") or {}).get("parameters") or []:
            if declared.get("name") == param:
                return declared.get("default") is not None or declared.get("value") is not None
        return False

    def enqueue(
        self, task: str, resolved: dict[str, Any], node_name: str, display: str, parent: str
    ) -> None:
        when = resolved.get("when")
        if when:
            try:
                run = evaluate_when(str(when))
            except ExpressionError as err:
                self.unit_done(task, self.leaf(node_name, display, ERROR, str(err), parent))
                return
            if not run:
                self.unit_done(
                    task,
                    self.leaf(
                        node_name, display, SKIPPED, f"when '{when}' evaluated false", parent
                    ),
                )
                return
        self.pending.append(_Unit(task, node_name, display, resolved, parent))

    def leaf(
        self, node_name: str, display: str, phase: str, message: str, parent: str | None = None
    ) -> NodeState:
        return self.ctx.book.create(
            node_name,
            display,
            SKIPPED_TYPE,
            parent=parent or self.node.name,
            phase=phase,
            message=message,
        )

    def unit_done(self, task: str, node: NodeState) -> None:
        group = self.groups.get(task)
        if group is None:
            self.finished[task] = node
            return
        group.done[node.name] = node
        if len(group.done) < len(group.items):
            return
        phase = SUCCEEDED
        for item in group.items:
            if failed_or_error(group.done[item].phase):
                phase = group.done[item].phase
        self.finished[task] = group.node.finish(phase)

    # ------------------------------------------------------------------ conclusion

    def branch_phase(self, name: str, memo: dict[str, tuple[str, str]]) -> tuple[str, str]:
        """The phase a task passes down its branch, and the node it comes from."""
        if name in memo:
            return memo[name]
        memo[name] = (SUCCEEDED, "")
        node = self.finished[name]
        if node.phase in _RANK:
            origin = node.name
            group = self.groups.get(name)
            if group is not None and failed_or_error(node.phase):
                origin = next(
                    (i for i in reversed(group.items) if group.done[i].phase == node.phase),
                    origin,
                )
            memo[name] = (node.phase, origin)
            return memo[name]
        worst = (SUCCEEDED, "")
        for dep in self.depends[name].tasks():
            phase = self.branch_phase(dep, memo)
            if _RANK[phase[0]] > _RANK[worst[0]]:
                worst = phase
        memo[name] = worst
        return worst

    def continues_on(self, name: str, phase: str) -> bool:
        rules = self.tasks[name].get("continueOn") or {}
        return bool(
            (phase == FAILED and rules.get("failed")) or (phase == ERROR and rules.get("error"))
        )

    def conclude(self) -> None:
        if self.ctx.stop.stopped and len(self.finished) < len(self.tasks):
            self.node.finish(FAILED, self.ctx.stop.reason)
            return
        memo: dict[str, tuple[str, str]] = {}
        phase, origin = SUCCEEDED, ""
        for target in self.targets:
            if target not in self.finished:
                continue
            branch, source = self.branch_phase(target, memo)
            if failed_or_error(branch) and not self.continues_on(target, branch):
                phase, origin = branch, source
                if self.fail_fast:
                    break
        if phase != SUCCEEDED:
            self.node.finish(phase, f"child '{self.ctx.book.relative(origin)}' failed")
            return
        self.node.outputs = self.resolve_outputs()
        if not self.node.done:
            self.node.finish(SUCCEEDED)

    def resolve_outputs(self) -> dict[str, str]:
        values: dict[str, str | Absent] = {}
        for name in self.finished:
            values.update(self.task_vars(name))
        scope = self.inv.scope.child(values)
        outputs: dict[str, str] = {}
        for param in (self.inv.template.get("outputs") or {}).get("parameters") or []:
            name = str(param.get("name"))
            value_from = param.get("valueFrom") or {}
            value: str | None
            try:
                if value_from.get("parameter") is not None:
                    value = substitute(str(value_from["parameter"]), scope, strict=True)
                elif value_from.get("expression") is not None:
                    result = exprlang.evaluate(
                        str(value_from["expression"]), scope.expression_env()
                    )
                    value = exprlang.render(result)
                else:
                    value = static_parameter(param)
                    if value is None:
                        raise UnresolvedError([f"outputs.parameters.{name}"])
            except (UnresolvedError, AbsentReferenceError, exprlang.ExprError) as err:
                if value_from.get("default") is None:
                    self.node.finish(ERROR, f"outputs.parameters.{name}: {err}")
                    return outputs
                value = go_string(value_from["default"])
            outputs[name] = value or ""
        return outputs


@executor("dag", DAG)
def run_dag(inv: Invocation) -> None:
    """Run a DAG template."""
    _DagRun(inv).run()
