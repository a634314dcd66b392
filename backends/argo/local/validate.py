"""Checks before running, in the spirit of ``argo lint``: Argo would reject these at submission.

Every template reachable from the entrypoint and ``onExit`` (through ``template`` and
``templateRef``) is checked: it has exactly one kind, and a kind that runs locally; its tasks
name existing templates and tasks, with parseable ``depends`` and no cycles; and every simple
``{{...}}`` tag it holds can resolve where it stands (declared inputs and outputs, workflow
parameters, ancestor tasks, ``item`` inside loops, ``retries`` with a ``retryStrategy``).
Expression tags (``{{=...}}``) are checked when they run. Problems raise
:class:`~fcomp.backends.argo.local.model.InvalidWorkflowError`; fields that have no local effect
but change behaviour on a cluster are returned as warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from fcomp.backends.argo.local.documents import KIND_KEYS, Owner, WorkflowPlan
from fcomp.backends.argo.local.expressions import (
    ExpressionError,
    dependencies_as_depends,
    parse_depends,
)
from fcomp.backends.argo.local.model import InvalidWorkflowError
from fcomp.backends.argo.local.registry import EXECUTORS, UNSUPPORTED
from fcomp.backends.argo.local.variables import TAG

_GLOBAL_NAMES = {
    "workflow.name",
    "workflow.namespace",
    "workflow.uid",
    "workflow.mainEntrypoint",
    "workflow.serviceAccountName",
    "workflow.creationTimestamp",
    "workflow.status",
    "workflow.failures",
    "workflow.duration",
    "workflow.priority",
    "workflow.parameters",
    "workflow.parameters.json",
    "workflow.labels.json",
    "workflow.annotations.json",
}
_GLOBAL_PREFIXES = (
    "workflow.labels.",
    "workflow.annotations.",
    "workflow.creationTimestamp.",
    "workflow.outputs.",
)
_TASK_ATTRIBUTES = re.compile(
    r"^tasks\.([^.]+)\.(status|id|ip|exitCode|startedAt|finishedAt|hostNodeName|"
    r"outputs\.result|outputs\.parameters|outputs\.parameters\.(.+))$"
)
_WARN_FIELDS = {
    "memoize": "memoize is ignored locally (every step runs)",
    "synchronization": "synchronization is ignored locally",
    "podSpecPatch": "podSpecPatch is ignored locally",
    "failFast": "template-level failFast is ignored locally",
    "daemon": "daemon is ignored locally",
}
_UNSUPPORTED_TASK_FIELDS = ("onExit", "hooks", "inline")
_TASK_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")


class _Checker:
    def __init__(self, plan: WorkflowPlan) -> None:
        self.plan = plan
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.parameters = {name for name, _ in plan.parameters}
        self.seen: set[tuple[Owner, str]] = set()

    def run(self) -> None:
        spec = self.plan.spec
        entry = spec.get("entrypoint")
        if not entry:
            self.problems.append("spec.entrypoint is required")
        else:
            self.visit({"template": entry}, Owner(), "spec.entrypoint")
        if spec.get("onExit"):
            self.visit({"template": spec["onExit"]}, Owner(), "spec.onExit")
        if spec.get("hooks"):
            self.problems.append("spec.hooks (lifecycle hooks) are not supported locally")

    def visit(self, holder: dict[str, Any], owner: Owner, where: str) -> None:
        try:
            template, template_owner = self.plan.store.resolve(holder, owner)
        except LookupError as err:
            self.problems.append(f"{where}: {err}")
            return
        key = (template_owner, str(template.get("name")))
        if key in self.seen:
            return
        self.seen.add(key)
        self.check_template(template, template_owner)

    def check_template(self, template: dict[str, Any], owner: Owner) -> None:
        name = f"templates.{template.get('name')}"
        if owner.kind:
            name = f"{owner.describe()}: {name}"
        kinds = [key for key in KIND_KEYS if template.get(key) is not None]
        if len(kinds) != 1:
            self.problems.append(
                f"{name}: expected exactly one of container, script, dag, "
                f"suspend, resource; found {kinds or 'none'}"
            )
            return
        kind = kinds[0]
        if kind not in EXECUTORS:
            self.problems.append(f"{name}: {UNSUPPORTED.get(kind, f'{kind} is not supported')}")
            return
        for field, message in _WARN_FIELDS.items():
            if template.get(field):
                self.warnings.append(f"{name}: {message}")
        for section in ("inputs", "outputs"):
            if (template.get(section) or {}).get("artifacts"):
                self.problems.append(f"{name}: {section}.artifacts are not supported locally")
        if kind in ("container", "script"):
            self.check_container(name, template, kind)
        if kind == "resource" and not (template["resource"].get("manifest")):
            self.problems.append(f"{name}: resource.manifest is required locally")
        allowed = self.local_names(template, kind)
        if kind == "dag":
            self.check_dag(name, template, owner, allowed)
            rest = {k: v for k, v in template.items() if k not in ("dag", "outputs")}
            self.check_tags(name, rest, allowed)
            every_task = set(self.dag_tasks(template))
            self.check_tags(
                f"{name}.outputs",
                template.get("outputs"),
                self.task_names(allowed, template, every_task, owner),
            )
        else:
            self.check_tags(name, template, allowed)

    def check_container(self, name: str, template: dict[str, Any], kind: str) -> None:
        main = template[kind]
        if kind == "script" and not main.get("command"):
            self.problems.append(f"{name}: script.command is required")
        if kind == "container" and not (main.get("command") or main.get("args")):
            self.problems.append(f"{name}: container has no command or args to run")

    def local_names(self, template: dict[str, Any], kind: str) -> Callable[[str], bool]:
        inputs = {
            str(p.get("name")) for p in (template.get("inputs") or {}).get("parameters") or []
        }
        outputs = {
            str(p.get("name")) for p in (template.get("outputs") or {}).get("parameters") or []
        }
        retries = template.get("retryStrategy") is not None
        leaf = kind in ("container", "script", "resource", "suspend")

        def allowed(tag: str) -> bool:
            if tag in _GLOBAL_NAMES or tag.startswith(_GLOBAL_PREFIXES):
                return True
            if tag.startswith("workflow.parameters."):
                return tag[len("workflow.parameters.") :] in self.parameters
            if tag == "inputs.parameters":
                return True
            if tag.startswith("inputs.parameters."):
                return tag[len("inputs.parameters.") :] in inputs
            if tag in ("node.name",) or (leaf and tag == "pod.name"):
                return True
            if tag == "retries":
                return retries
            match = re.fullmatch(r"outputs\.parameters\.(.+)\.path", tag)
            return bool(match and leaf and match.group(1) in outputs)

        return allowed

    @staticmethod
    def dag_tasks(template: dict[str, Any]) -> list[str]:
        return [str(t.get("name")) for t in (template.get("dag") or {}).get("tasks") or []]

    def task_names(
        self,
        base: Callable[[str], bool],
        template: dict[str, Any],
        visible: set[str],
        owner: Owner,
    ) -> Callable[[str], bool]:
        outputs = self.task_outputs(template, owner)

        def allowed(tag: str) -> bool:
            if base(tag) or tag == "tasks.name":
                return True
            match = _TASK_ATTRIBUTES.match(tag)
            if not match or match.group(1) not in visible:
                return False
            declared = outputs.get(match.group(1))
            return match.group(3) is None or declared is None or match.group(3) in declared

        return allowed

    def task_outputs(self, template: dict[str, Any], owner: Owner) -> dict[str, set[str] | None]:
        """Declared output parameters of each task's template (``None``: unknown)."""
        found: dict[str, set[str] | None] = {}
        for task in (template.get("dag") or {}).get("tasks") or []:
            try:
                target, _ = self.plan.store.resolve(task, owner)
            except (LookupError, KeyError):
                found[str(task.get("name"))] = None
                continue
            found[str(task.get("name"))] = {
                str(p.get("name")) for p in (target.get("outputs") or {}).get("parameters") or []
            }
        return found

    def check_dag(
        self,
        name: str,
        template: dict[str, Any],
        owner: Owner,
        allowed: Callable[[str], bool],
    ) -> None:
        tasks = (template.get("dag") or {}).get("tasks") or []
        names = [str(t.get("name")) for t in tasks]
        if not tasks:
            self.problems.append(f"{name}: dag has no tasks")
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            self.problems.append(f"{name}: task name '{duplicate}' is not unique")
        by_name = {str(t.get("name")): t for t in tasks}
        graph: dict[str, list[str]] = {}
        for task in tasks:
            where = f"{name}.tasks.{task.get('name')}"
            if not _TASK_NAME.match(str(task.get("name", ""))):
                self.problems.append(f"{where}: invalid task name")
            if (task.get("arguments") or {}).get("artifacts"):
                self.problems.append(f"{where}: artifact arguments are not supported locally")
            for field in _UNSUPPORTED_TASK_FIELDS:
                if task.get(field):
                    self.problems.append(f"{where}: task {field} is not supported locally")
            if bool(task.get("template")) == bool(task.get("templateRef")):
                self.problems.append(f"{where}: needs exactly one of template, templateRef")
            else:
                self.visit(task, owner, where)
            if task.get("depends") and task.get("dependencies"):
                self.problems.append(f"{where}: cannot use both depends and dependencies")
            loops = [k for k in ("withItems", "withParam", "withSequence") if task.get(k)]
            if len(loops) > 1:
                self.problems.append(f"{where}: only one of {', '.join(loops)} may be used")
            try:
                if task.get("depends"):
                    deps = parse_depends(str(task["depends"])).tasks()
                else:
                    deps = dependencies_as_depends(
                        [str(d) for d in task.get("dependencies") or []], lambda _: None
                    ).tasks()
            except ExpressionError as err:
                self.problems.append(f"{where}: {err}")
                deps = []
            for dep in deps:
                if dep not in by_name:
                    self.problems.append(f"{where}: depends on unknown task '{dep}'")
            graph[str(task.get("name"))] = [d for d in deps if d in by_name]
        for target in str((template.get("dag") or {}).get("target") or "").split():
            if target not in by_name:
                self.problems.append(f"{name}: target '{target}' is not a task")
        cycle = _find_cycle(graph)
        if cycle:
            self.problems.append(f"{name}: dependency cycle {' -> '.join(cycle)}")
            return
        for task in tasks:
            task_name = str(task.get("name"))
            visible = _ancestors(graph, task_name)
            check = self.task_names(allowed, template, visible, owner)
            loop = any(task.get(k) is not None for k in ("withItems", "withParam", "withSequence"))

            def with_items(
                tag: str, check: Callable[[str], bool] = check, loop: bool = loop
            ) -> bool:
                return check(tag) or (loop and (tag == "item" or tag.startswith("item.")))

            self.check_tags(f"{name}.tasks.{task_name}", task, with_items)

    def check_tags(self, where: str, value: Any, allowed: Callable[[str], bool]) -> None:
        for tag in _simple_tags(value):
            if not allowed(tag):
                self.problems.append(f"{where}: failed to resolve {{{{{tag}}}}}")


def _simple_tags(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        for match in TAG.finditer(value):
            inner = match.group(1).strip()
            if not inner.startswith("="):
                yield inner
    elif isinstance(value, list):
        for item in value:
            yield from _simple_tags(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _simple_tags(item)


def _ancestors(graph: dict[str, list[str]], name: str) -> set[str]:
    seen: set[str] = set()
    stack = list(graph.get(name, []))
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(graph.get(current, []))
    return seen


def _find_cycle(graph: dict[str, list[str]]) -> list[str]:
    state: dict[str, int] = {}
    path: list[str] = []

    def walk(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state:
                found = walk(dep)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for node in graph:
        if node not in state:
            found = walk(node)
            if found:
                return found
    return []


def check(plan: WorkflowPlan) -> list[str]:
    """Check the plan; returns warnings, raises ``InvalidWorkflowError`` listing problems."""
    checker = _Checker(plan)
    checker.run()
    if checker.problems:
        raise InvalidWorkflowError(checker.problems)
    return checker.warnings
