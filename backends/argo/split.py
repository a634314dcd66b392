"""Keep every Argo object under the size limit: split a DAG too large for one object into child
``WorkflowTemplate``\\ s run as child workflows (workflow of workflows).

etcd keeps objects under about 1.5 MiB and Argo never offloads a workflow's spec, so a DAG of
a few thousand tasks no longer fits in one object. When a document is over
``argo_max_object_bytes`` (as compact JSON), its DAG templates are split, innermost first:

- the tasks of a DAG are cut, in their (topological) order, into parts that each fit in one
  object with the templates they use; a node's tasks (those referring to each other's
  results) stay together;
- each part becomes a child ``WorkflowTemplate`` whose entrypoint is the DAG restricted to the
  part; its dependencies on tasks of other parts are dropped, since the part starts only once
  those parts succeeded;
- the DAG itself becomes a DAG of resource steps, one per part, each creating a ``Workflow``
  from the part's template and waiting for it (the launch-plan node pattern), depending on the
  parts whose tasks the part's tasks depended on. The runtime's start and outputs steps stay
  in the parent.

Data crosses the cut unchanged because it is addressed by storage path under the execution
id: a child renders its templates with the ``fcomp-exec`` workflow parameter (the parent's
execution id, which the parent passes) as the execution id, not its own name. A subworkflow's
DAG template that is split passes its inputs (scope and input plans) as the child's workflow
arguments, which Argo hands to the entrypoint.

Sizes are counted exactly as compact ASCII JSON (an upper bound of the UTF-8 size) from the
sizes of the parts; the result is deterministic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fcomp.backends.argo.render import EXEC_PARAM, PARENT_EXEC, WORKFLOW_NAME
from fcomp.backends.argo.steps import OUTPUTS_TEMPLATE, START_TEMPLATE
from fcomp.backends.common.names import ARGO_TASK, Namer, NameRule
from fcomp.compiler import codes
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source


def _not_json(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _encoder() -> Callable[[Any], str]:
    """Compact ASCII JSON text of a value (calling the C encoder directly when there is one:
    every DAG task is measured, and the Python layer of ``json.dumps`` doubles the cost)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(separators=(",", ":")).encode
    encode = make(
        None, _not_json, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True
    )
    return lambda value: "".join(encode(value, 0))


_encode = _encoder()

#: Names of the child WorkflowTemplates (Kubernetes object names).
CHILD_NAME = NameRule(max_len=63, allowed="a-z0-9-")
#: Label and annotation naming the object a child belongs to.
PART_OF = "fcomp.dev/part-of"
#: Steps that stay in the parent: they read the parent's own workflow parameters.
_PARENT_STEPS = frozenset({START_TEMPLATE, OUTPUTS_TEMPLATE})
#: Results a ``depends`` expression may name after a task.
_RESULTS = frozenset(
    ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded",
     "AllFailed")
)  # fmt: skip
_TASK_REF = re.compile(r"\{\{\s*tasks\.([A-Za-z0-9][-A-Za-z0-9]*)")
_WORKFLOW_PARAM = re.compile(r"\{\{\s*workflow\.parameters\.([-A-Za-z0-9_]+)\s*\}\}")
_NAME_IN_DEPENDS = re.compile(r"[A-Za-z0-9][-A-Za-z0-9]*")

Rebuild = Callable[[str, str], dict[str, Any]]


@dataclass
class SplitRequest:
    """One document to keep under ``limit``: ``name`` is its object name (children are named
    after it), ``rebuild(template, exec)`` renders one of its templates with another
    execution-id expression, ``taken`` holds the object names already in use."""

    doc: dict[str, Any]
    name: str
    limit: int
    rebuild: Rebuild
    taken: set[str] = field(default_factory=set)
    source: Source = Source()


@dataclass
class _Part:
    """Tasks of one DAG that go to one child."""

    groups: list[list[int]] = field(default_factory=list)
    templates: set[str] = field(default_factory=set)
    size: int = 0


def json_size(obj: Any) -> int:
    """The size of ``obj`` as compact ASCII JSON."""
    return len(_encode(obj))


def split_document(request: SplitRequest) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """The document when it is under the limit, else the parent document and its children."""
    return _Splitter(request).run()


class _Splitter:
    def __init__(self, request: SplitRequest) -> None:
        self.req = request
        self.doc = request.doc
        self.spec: dict[str, Any] = request.doc["spec"]
        self.templates: dict[str, dict[str, Any]] = {t["name"]: t for t in self.spec["templates"]}
        self.order = list(self.templates)
        self.diagnostics: list[Diagnostic] = []
        self.children: list[dict[str, Any]] = []
        self.names = Namer(CHILD_NAME, reserved=set(request.taken) | {request.name})
        self.template_names = Namer(ARGO_TASK, reserved=set(self.templates))
        #: Sizes of templates as in the parent, and as rendered in a child.
        self._size: dict[str, int] = {}
        self._child_size: dict[str, int] = {}
        self._child_text: dict[str, str] = {}
        #: Per DAG template: each task's JSON text.
        self._task_text: dict[str, list[str]] = {}
        #: Launchers made here, rebuilt for a child with that child's execution id.
        self._launchers: dict[str, Callable[[str], dict[str, Any]]] = {}
        #: Workflow parameters each child uses (passed on by its launcher).
        self._passed: dict[str, list[str]] = {}
        self._closures: dict[tuple[str, ...], list[str]] = {}
        self._refs: dict[str, list[str]] = {}
        self._budgets: dict[str, int] = {}

    # --- sizes ------------------------------------------------------------------------------
    def task_texts(self, name: str) -> list[str]:
        texts = self._task_text.get(name)
        if texts is None:
            texts = self._task_text[name] = [
                _encode(t) for t in self.templates[name]["dag"]["tasks"]
            ]
        return texts

    def size(self, name: str) -> int:
        found = self._size.get(name)
        if found is None:
            t = self.templates[name]
            if "dag" in t:
                texts = self.task_texts(name)
                shell = {**t, "dag": {**t["dag"], "tasks": []}}
                found = json_size(shell) + sum(map(len, texts)) + max(0, len(texts) - 1)
            else:
                found = json_size(t)
            self._size[name] = found
        return found

    def child_template(self, name: str) -> dict[str, Any]:
        """Template ``name`` as rendered in a child (execution id from ``fcomp-exec``)."""
        launcher = self._launchers.get(name)
        if launcher is not None:
            return launcher(PARENT_EXEC)
        if "dag" in self.templates[name]:
            return self.templates[name]  # DAG tasks hold no execution id
        return self.req.rebuild(name, PARENT_EXEC)

    def child_size(self, name: str) -> int:
        found = self._child_size.get(name)
        if found is None:
            if "dag" in self.templates[name]:
                found = self.size(name)
                self._child_text[name] = ""
            else:
                text = _encode(self.child_template(name))
                self._child_text[name] = text
                found = len(text)
            self._child_size[name] = found
        return found

    def doc_size(self, templates: Iterable[str]) -> int:
        names = list(templates)
        shell = {**self.doc, "spec": {**self.spec, "templates": []}}
        return json_size(shell) + sum(self.size(n) for n in names) + max(0, len(names) - 1)

    # --- references -------------------------------------------------------------------------
    def refs(self, name: str) -> list[str]:
        found = self._refs.get(name)
        if found is None:
            t = self.templates[name]
            tasks = t["dag"]["tasks"] if "dag" in t else ()
            found = self._refs[name] = list(dict.fromkeys(task["template"] for task in tasks))
        return found

    def closure(self, roots: Iterable[str]) -> list[str]:
        """Templates reachable from ``roots`` (included), in document order."""
        key = tuple(sorted(set(roots)))
        found = self._closures.get(key)
        if found is None:
            found = self._closures[key] = self._closure(key)
        return found

    def _closure(self, roots: Iterable[str]) -> list[str]:
        seen: set[str] = set()
        stack = [r for r in roots if r in self.templates]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(r for r in self.refs(name) if r in self.templates and r not in seen)
        return [n for n in self.order if n in seen]

    def post_order(self) -> list[str]:
        """DAG templates, each after every DAG template it uses."""
        out: list[str] = []
        done: set[str] = set()
        roots = [self.spec["entrypoint"], *([self.spec["onExit"]] if "onExit" in self.spec else [])]
        for root in [*roots, *self.order]:
            stack: list[tuple[str, bool]] = [(root, False)]
            while stack:
                name, expanded = stack.pop()
                if name in done or name not in self.templates:
                    continue
                if expanded:
                    done.add(name)
                    if "dag" in self.templates[name]:
                        out.append(name)
                    continue
                stack.append((name, True))
                stack.extend((r, False) for r in reversed(self.refs(name)) if r not in done)
        return out

    # --- the split --------------------------------------------------------------------------
    def run(self) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
        if self.doc_size(self.order) <= self.req.limit:
            return [self.doc], []
        try:
            self._split()
        except _UnsplittableError as exc:
            self.too_large(f"it cannot be split: {exc}")
            return [self.doc], self.diagnostics
        self.req.taken.update(c["metadata"]["name"] for c in self.children)
        return [self.doc, *self.children], self.diagnostics

    def _split(self) -> None:
        limit = self.req.limit
        entry = self.spec["entrypoint"]
        for name in self.post_order():
            if name == entry:
                continue
            if self.closure_size(self.closure([name])) > self.budget(name):
                self.split_dag(name)
        if self.doc_size(self.parent_templates()) > limit:
            self.split_dag(entry)
        kept = self.parent_templates()
        self.spec["templates"] = [self.templates[n] for n in kept]
        size = self.doc_size(kept)
        if size > limit:
            self.too_large(f"the workflow's own templates take {size} bytes")

    def parent_templates(self) -> list[str]:
        roots = [self.spec["entrypoint"], *([self.spec["onExit"]] if "onExit" in self.spec else [])]
        return self.closure(roots)

    def closure_size(self, names: list[str]) -> int:
        return sum(self.child_size(n) for n in names) + len(names)

    def budget(self, dag: str) -> int:
        """Bytes a child of ``dag`` may use for its tasks and templates (the rest is its own
        shell, counted with the longest name, and room for the workflow parameters it may
        pass on)."""
        found = self._budgets.get(dag)
        if found is None:
            shell = json_size(self.child_shell(dag, "x" * 63, 10**6))
            found = self._budgets[dag] = self.req.limit - shell - 200
        return found

    def too_large(self, what: str) -> None:
        self.diagnostics.append(
            Diagnostic(
                Severity.ERROR,
                codes.SIZE_LIMIT,
                f"Argo object '{self.req.name}' cannot be kept under "
                f"{self.req.limit} bytes (argo_max_object_bytes): {what}",
                self.req.source,
            )
        )

    def split_dag(self, name: str) -> None:
        """Cut DAG template ``name`` into children; it becomes a DAG of their launchers."""
        template = self.templates[name]
        tasks: list[dict[str, Any]] = template["dag"]["tasks"]
        texts = self.task_texts(name)
        is_entry = name == self.spec["entrypoint"]
        stay = (
            [i for i, t in enumerate(tasks) if t.get("template") in _PARENT_STEPS]
            if is_entry
            else []
        )
        stay_set = set(stay)
        groups = _groups(tasks, texts, stay_set)
        parts = self.partition(name, groups, tasks, texts)
        part_of: dict[str, int] = {}
        for k, part in enumerate(parts):
            for group in part.groups:
                for i in group:
                    part_of[tasks[i]["name"]] = k
        task_names = Namer(ARGO_TASK, reserved={tasks[i]["name"] for i in stay})
        launch_names = [task_names.name(f"part-{k}") for k in range(len(parts))]
        inputs = [p["name"] for p in template.get("inputs", {}).get("parameters", [])]
        launchers: list[dict[str, Any]] = []
        for k, part in enumerate(parts):
            indexes = sorted(i for g in part.groups for i in g)
            child_tasks, after = self.cut(tasks, texts, indexes, k, part_of, launch_names)
            raw = f"{self.req.name}-{k}" if is_entry else f"{self.req.name}-{_short(name)}-{k}"
            child_name = self.names.name(raw)
            self.children.append(self.child_doc(name, child_name, child_tasks, part, indexes, k))
            launcher = self.launcher(name, child_name, inputs, indexes)
            task: dict[str, Any] = {"name": launch_names[k], "template": launcher}
            if inputs:
                task["arguments"] = {
                    "parameters": [
                        {"name": p, "value": "{{inputs.parameters." + p + "}}"} for p in inputs
                    ]
                }
            if after:
                task["depends"] = " && ".join(after)
            launchers.append(task)
        kept = [_rewrite_kept(tasks[i], part_of, launch_names) for i in stay]
        starts = [t for t in kept if t.get("template") == START_TEMPLATE]
        ends = [t for t in kept if t.get("template") != START_TEMPLATE]
        dag = {**template["dag"], "tasks": [*starts, *launchers, *ends]}
        new = {k: v for k, v in template.items() if k != "dag"}
        new["dag"] = dag
        self.templates[name] = new
        self._closures.clear()
        self._refs.pop(name, None)
        self._size.pop(name, None)
        self._child_size.pop(name, None)
        self._task_text.pop(name, None)

    def partition(
        self, dag: str, groups: list[list[int]], tasks: list[dict[str, Any]], texts: list[str]
    ) -> list[_Part]:
        """Groups in order, as many per part as fit (with the templates they use)."""
        budget = self.budget(dag)
        parts: list[_Part] = []
        part = _Part()
        by_template: dict[str, list[str]] = {}  # a one-task group's templates, by its template
        for group in groups:
            if len(group) == 1:
                own = len(texts[group[0]]) + 1
                template = tasks[group[0]]["template"]
                reach = by_template.get(template)
                if reach is None:
                    reach = by_template[template] = self.closure([template])
            else:
                own = sum(len(texts[i]) + 1 for i in group)
                reach = self.closure([tasks[i]["template"] for i in group])
            held = part.templates
            needed = [] if held.issuperset(reach) else [n for n in reach if n not in held]
            add = own + (self.closure_size(needed) if needed else 0)
            if part.groups and part.size + add > budget:
                parts.append(part)
                part = _Part()
                needed = reach
                add = own + self.closure_size(needed)
            if not part.groups and add > budget:
                self.too_large(
                    f"task '{tasks[group[0]]['name']}' of template '{dag}' needs {add} bytes "
                    "with the templates it uses"
                )
            part.groups.append(group)
            if needed:
                part.templates.update(needed)
            part.size += add
        if part.groups:
            parts.append(part)
        return parts

    def cut(
        self,
        tasks: list[dict[str, Any]],
        texts: list[str],
        indexes: list[int],
        k: int,
        part_of: dict[str, int],
        launch_names: list[str],
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """The part's tasks with dependencies on other parts dropped, and what the part's
        launcher depends on (other parts' launchers, tasks staying in the parent)."""
        out: list[dict[str, Any]] = []
        after: dict[str, None] = {}
        for i in indexes:
            task = tasks[i]
            depends = task.get("depends")
            if not depends:
                out.append(task)
                continue
            keep: list[str] = []
            terms = depends.split(" && ")
            for term in terms:
                ref = term if term in part_of else _term_task(term)  # mostly a bare name
                if ref is None:
                    raise _UnsplittableError(f"task '{task['name']}' depends on '{term}'")
                owner = part_of.get(ref)
                if owner == k:
                    keep.append(term)
                    continue
                after[launch_names[owner] if owner is not None else ref] = None
            if len(keep) == len(terms):
                out.append(task)
            else:
                changed = {key: v for key, v in task.items() if key != "depends"}
                if keep:
                    changed["depends"] = " && ".join(keep)
                out.append(changed)
        return out, list(after)

    def child_shell(self, dag: str, child_name: str, count: int) -> dict[str, Any]:
        """A child document without its tasks and other templates."""
        template = self.templates[dag]
        meta = self.doc["metadata"]
        metadata: dict[str, Any] = {"name": child_name}
        if "namespace" in meta:
            metadata["namespace"] = meta["namespace"]
        owner = meta.get("name") or self.req.name
        metadata["labels"] = {**_fcomp_labels(meta.get("labels", {})), PART_OF: owner}
        metadata["annotations"] = {
            **{k: v for k, v in meta.get("annotations", {}).items() if k.startswith("fcomp.dev/")
               and k != "fcomp.dev/launch-plan"},
            PART_OF: owner,
            "fcomp.dev/part": f"{dag}/{count}",  # which DAG, which part of it
        }  # fmt: skip
        inputs = template.get("inputs", {}).get("parameters", [])
        params = [
            {"name": EXEC_PARAM, "value": ""},
            *({"name": p["name"], "value": ""} for p in inputs),
        ]
        spec: dict[str, Any] = {"entrypoint": dag, "arguments": {"parameters": params}}
        for key in ("serviceAccountName", "parallelism", "podMetadata"):
            if key in self.spec:
                spec[key] = self.spec[key]
        entry = {k: v for k, v in template.items() if k != "dag"}
        entry["dag"] = {**template["dag"], "tasks": []}
        spec["templates"] = [entry]
        return {
            "apiVersion": self.doc["apiVersion"],
            "kind": "WorkflowTemplate",
            "metadata": metadata,
            "spec": spec,
        }

    def child_doc(
        self,
        dag: str,
        child_name: str,
        tasks: list[dict[str, Any]],
        part: _Part,
        indexes: list[int],
        k: int,
    ) -> dict[str, Any]:
        doc = self.child_shell(dag, child_name, k)
        shell_size = json_size(doc)
        spec = doc["spec"]
        params: list[str] = []
        texts = self.task_texts(dag)
        for i in indexes:
            if "{{workflow." not in texts[i]:
                continue
            params += _WORKFLOW_PARAM.findall(texts[i])
            if WORKFLOW_NAME in texts[i]:
                raise _UnsplittableError(
                    f"task '{self.templates[dag]['dag']['tasks'][i]['name']}' refers to the "
                    "workflow's own name"
                )
        others = [n for n in self.order if n in part.templates and n != dag]
        for n in others:
            self.child_size(n)
            text = self._child_text[n]
            params += _WORKFLOW_PARAM.findall(text)
            if WORKFLOW_NAME in text:
                raise _UnsplittableError(
                    f"template '{n}' refers to the workflow's own name, not the execution id"
                )
        passed = [p for p in dict.fromkeys(params) if p != EXEC_PARAM]
        declared = {p["name"] for p in spec["arguments"]["parameters"]}
        for p in passed:
            if p in declared:
                raise _UnsplittableError(f"workflow parameter '{p}' clashes with a template input")
            spec["arguments"]["parameters"].append({"name": p, "value": ""})
        spec["templates"][0]["dag"]["tasks"] = tasks
        spec["templates"] += [self.child_template(n) for n in others]
        self._passed[child_name] = passed
        original = self.templates[dag]["dag"]["tasks"]
        size = (
            shell_size
            + sum(len(texts[i]) if tasks[j] is original[i] else json_size(tasks[j])
                  for j, i in enumerate(indexes))
            + max(0, len(tasks) - 1)
            + sum(self.child_size(n) + 1 for n in others)
            + sum(len(json.dumps(p)) + 14 for p in passed)
        )  # fmt: skip
        if size > self.req.limit:
            self.too_large(f"child '{child_name}' takes {size} bytes")
        return doc

    def launcher(self, dag: str, child_name: str, inputs: list[str], indexes: list[int]) -> str:
        """The resource template creating a Workflow of the child and waiting for it."""
        name = self.template_names.name(f"run-{child_name}")
        passed = self._passed.get(child_name, [])

        def build(exec_id: str) -> dict[str, Any]:
            return launcher_template(name, child_name, exec_id, inputs, passed)

        self._launchers[name] = build
        self.templates[name] = build(self.exec_id)
        self.order.append(name)
        return name

    @property
    def exec_id(self) -> str:
        """The execution id's expression in this document."""
        params = {p["name"] for p in self.spec.get("arguments", {}).get("parameters", [])}
        return PARENT_EXEC if EXEC_PARAM in params else WORKFLOW_NAME


class _UnsplittableError(Exception):
    """The DAG uses something the split cannot carry across a cut."""


def _fcomp_labels(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if k.startswith("fcomp.dev/")}


def _short(name: str) -> str:
    return name.removeprefix("wf-").removeprefix("sub-")[:20]


def launcher_template(
    name: str, child: str, exec_id: str, inputs: list[str], passed: list[str]
) -> dict[str, Any]:
    """A resource template creating a Workflow of WorkflowTemplate ``child`` with the
    execution id, the DAG's inputs and the workflow parameters the child uses, and waiting
    until it succeeds or fails. Values that may hold quotes go in through ``toJson``."""
    params = [f'{{"name":{json.dumps(EXEC_PARAM)},"value":{json.dumps(exec_id)}}}']
    for p in inputs:
        params.append(
            f'{{"name":{json.dumps(p)},"value":{{{{=toJson(inputs.parameters[{_quote(p)}])}}}}}}'
        )
    for p in passed:
        params.append(
            f'{{"name":{json.dumps(p)},"value":{{{{=toJson(workflow.parameters[{_quote(p)}])}}}}}}'
        )
    manifest = (
        '{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow",'
        f'"metadata":{{"generateName":{json.dumps(child[:50].rstrip("-") + "-")}}},'
        f'"spec":{{"arguments":{{"parameters":[{",".join(params)}]}},'
        f'"workflowTemplateRef":{{"name":{json.dumps(child)}}}}}}}'
    )
    template: dict[str, Any] = {"name": name}
    if inputs:
        template["inputs"] = {"parameters": [{"name": p} for p in inputs]}
    template["resource"] = {
        "action": "create",
        "setOwnerReference": True,
        "successCondition": "status.phase == Succeeded",
        "failureCondition": "status.phase in (Failed, Error)",
        "manifest": manifest,
    }
    return template


def _quote(name: str) -> str:
    """A parameter name as an expr-lang string literal."""
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _term_task(term: str) -> str | None:
    """The one task a ``depends`` term is about (``a``, ``a.Succeeded``,
    ``(a.Succeeded || a.Skipped)``), or None when it names several."""
    if _NAME_IN_DEPENDS.fullmatch(term):
        return term
    names = {n for n in _NAME_IN_DEPENDS.findall(term) if n not in _RESULTS}
    return names.pop() if len(names) == 1 else None


def _groups(tasks: list[dict[str, Any]], texts: list[str], stay: set[int]) -> list[list[int]]:
    """Task indexes (leaving out ``stay``) grouped so that a task referring to another's
    results (``{{tasks.X...}}``) is with it; groups in the order of their first task."""
    referring = [i for i, text in enumerate(texts) if "{{" in text and i not in stay]
    if not referring:  # no task can refer to another's results: each is a group of its own
        return [[i] for i in range(len(tasks)) if i not in stay]
    index = {t["name"]: i for i, t in enumerate(tasks)}
    parent = list(range(len(tasks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    joined = False
    for i in referring:
        for ref in _TASK_REF.findall(texts[i]):
            j = index.get(ref)
            if j is not None and j not in stay:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                    joined = True
    if not joined:
        return [[i] for i in range(len(tasks)) if i not in stay]
    groups: dict[int, list[int]] = {}
    for i in range(len(tasks)):
        if i not in stay:
            groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _rewrite_kept(
    task: dict[str, Any], part_of: dict[str, int], launch_names: list[str]
) -> dict[str, Any]:
    """A task staying in the parent, its dependencies on moved tasks turned into
    dependencies on their parts' launchers."""
    depends = task.get("depends")
    if not depends:
        return task
    terms: dict[str, None] = {}
    for term in depends.split(" && "):
        ref = _term_task(term)
        owner = part_of.get(ref) if ref is not None else None
        terms[launch_names[owner] if owner is not None else term] = None
    return {**{k: v for k, v in task.items() if k != "depends"}, "depends": " && ".join(terms)}
