"""Flyte's ``CompiledWorkflowClosure`` for every workflow of a compilation.

The compiler supplies the connections and which subworkflows and tasks each workflow needs;
:mod:`fcomp.idl.closure` applies them to the registered messages.
"""

from __future__ import annotations

from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import compiler_pb2, tasks_pb2, workflow_pb2

from fcomp.compiler import ir
from fcomp.compiler.driver import Compilation
from fcomp.compiler.frontend.workflows import registered_template
from fcomp.compiler.passes.references import direct_references, transitive_workflows
from fcomp.compiler.passes.results import CompiledWorkflow
from fcomp.idl import closure as writer
from fcomp.idl.model import EntityKind


def _templates(
    compilation: Compilation,
) -> tuple[dict[str, workflow_pb2.WorkflowTemplate], dict[str, tasks_pb2.TaskTemplate]]:
    workflows: dict[str, workflow_pb2.WorkflowTemplate] = {}
    tasks: dict[str, tasks_pb2.TaskTemplate] = {}
    for e in compilation.entities:
        if e.kind is EntityKind.WORKFLOW:
            spec = e.message
            assert isinstance(spec, admin_workflow_pb2.WorkflowSpec)
            for t in (spec.template, *spec.sub_workflows):
                workflows.setdefault(t.id.name, registered_template(t) if e.compiled else t)
        elif e.kind is EntityKind.TASK:
            assert isinstance(e.message, tasks_pb2.TaskTemplate)
            tasks.setdefault(e.message.id.name, e.message)
    return workflows, tasks


def _compiled(
    cw: CompiledWorkflow, templates: dict[str, workflow_pb2.WorkflowTemplate]
) -> compiler_pb2.CompiledWorkflow:
    return writer.compiled_workflow(templates[cw.id.name], cw.upstream, cw.downstream)


def build_closures(compilation: Compilation) -> dict[str, compiler_pb2.CompiledWorkflowClosure]:
    """One closure per primary workflow, keyed by workflow name (requires a clean compile)."""
    compiled = compilation.compiled
    assert compiled is not None
    workflows, tasks = _templates(compilation)
    catalog = compiled.catalog
    out: dict[str, compiler_pb2.CompiledWorkflowClosure] = {}
    for ident in compilation.program.primary:
        cw = compiled.workflows[ident]
        reached = transitive_workflows(cw.workflow, catalog)
        subs = [compiled.workflows[w.id] for w in reached[1:]]
        task_ids: dict[str, ir.Ident] = {}
        for wf in reached:
            for _, ref in direct_references(wf)[0]:
                task = catalog.tasks.find(ref)
                if task is not None:
                    task_ids.setdefault(task.id.name, task.id)
        out[ident.name] = writer.compiled_closure(
            _compiled(cw, workflows),
            [_compiled(s, workflows) for s in sorted(subs, key=lambda s: s.id.name)],
            [tasks[name] for name in sorted(task_ids)],
        )
    return out
