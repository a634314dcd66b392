"""``run_workflow``: one Argo workflow run on this machine, start to end.

Decide the workflow (:mod:`documents`), check it (:mod:`validate`), run the entrypoint with the
workflow's arguments, then the ``onExit`` template with ``{{workflow.status}}`` and
``{{workflow.failures}}`` set, and decide the workflow's phase as Argo's operator does: the
entrypoint node's phase, except that a failed or errored exit handler turns a successful run
into ``Failed`` / ``Error``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Importing the executor modules fills the registry.
from fcomp.backends.argo.local import dag, documents, pods, resource, suspend, validate  # noqa: F401
from fcomp.backends.argo.local.context import Resume, RunContext, Slots
from fcomp.backends.argo.local.control import StopToken
from fcomp.backends.argo.local.documents import Owner, WorkflowPlan
from fcomp.backends.argo.local.engine import execute_template, pod_name
from fcomp.backends.argo.local.model import (
    ERROR,
    FAILED,
    SKIPPED,
    SUCCEEDED,
    RunResult,
    failed_or_error,
)
from fcomp.backends.argo.local.nodes import NodeBook
from fcomp.backends.argo.local.values import go_json, parse_int
from fcomp.backends.argo.local.variables import Scope

#: Message of nodes cut short by the workflow's ``activeDeadlineSeconds``.
DEADLINE_REASON = "Step exceeded its deadline"


def _globals(plan: WorkflowPlan) -> Scope:
    spec = plan.spec
    values: dict[str, str] = {
        "workflow.name": plan.name,
        "workflow.namespace": plan.namespace,
        "workflow.uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"argo-local/{plan.name}")),
        "workflow.mainEntrypoint": str(spec.get("entrypoint", "")),
        "workflow.serviceAccountName": str(spec.get("serviceAccountName", "")),
        "workflow.creationTimestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "workflow.priority": str(spec.get("priority", 0)),
        "workflow.parameters": go_json([{"name": k, "value": v} for k, v in plan.parameters]),
        "workflow.parameters.json": go_json(dict(plan.parameters)),
        "workflow.labels.json": go_json(plan.labels),
        "workflow.annotations.json": go_json(plan.annotations),
    }
    values.update({f"workflow.parameters.{k}": v for k, v in plan.parameters})
    values.update({f"workflow.labels.{k}": v for k, v in plan.labels.items()})
    values.update({f"workflow.annotations.{k}": v for k, v in plan.annotations.items()})
    return Scope(values)


class _Runner:
    def __init__(
        self,
        plan: WorkflowPlan,
        *,
        workdir: Path,
        env: Mapping[str, str],
        resume: Resume | None,
        local_slots: threading.BoundedSemaphore,
        stop: StopToken,
    ) -> None:
        self.plan = plan
        workflow_slots = None
        if plan.spec.get("parallelism") is not None:
            limit = parse_int(plan.spec["parallelism"], "spec.parallelism")
            workflow_slots = threading.BoundedSemaphore(max(limit, 1))
        self.root_stop = stop
        self.workdir = workdir
        self.ctx = RunContext(
            plan=plan,
            book=NodeBook(plan.name),
            globals=_globals(plan),
            stop=StopToken(parent=stop),
            slots=Slots(local_slots, workflow_slots),
            workdir=workdir,
            run_dir=workdir / plan.name,
            env=dict(env),
            resume=resume,
            run_child=self.run_child,
        )

    def run_child(self, manifest: dict[str, Any], stop: StopToken) -> RunResult:
        """Run a Workflow a resource template creates, with the same templates."""
        plan = documents.prepare(manifest, self.plan.template_docs, {}, None)
        warnings = validate.check(plan)
        runner = _Runner(
            plan,
            workdir=self.workdir,
            env=self.ctx.env,
            resume=self.ctx.resume,
            local_slots=self.ctx.slots.local,
            stop=stop,
        )
        return runner.run(warnings)

    def run(self, warnings: list[str]) -> RunResult:
        ctx, plan, spec = self.ctx, self.plan, self.plan.spec
        for warning in warnings:
            ctx.warn(warning)
        ctx.logs_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        if spec.get("activeDeadlineSeconds") is not None:
            seconds = parse_int(spec["activeDeadlineSeconds"], "spec.activeDeadlineSeconds")
            ctx.stop.stop_after(seconds, DEADLINE_REASON)
        arguments = spec.get("arguments") or {}
        arguments = {
            "parameters": [{"name": k, "value": v} for k, v in plan.parameters],
            **{k: v for k, v in arguments.items() if k != "parameters"},
        }
        root = execute_template(
            ctx,
            name=plan.name,
            display_name=plan.name,
            holder={"template": spec.get("entrypoint")},
            owner=Owner(),
            arguments=arguments,
            parent=None,
        )
        ctx.stop.close()
        if self.root_stop.stopped:
            return self.result(ERROR, self.root_stop.reason)
        exit_node = None
        if spec.get("onExit"):
            ctx.stop = StopToken(parent=self.root_stop)
            ctx.globals = ctx.globals.child(
                {
                    "workflow.status": root.phase,
                    "workflow.failures": self.failures(),
                    "workflow.duration": f"{time.monotonic() - started:.6f}",
                }
            )
            exit_node = execute_template(
                ctx,
                name=f"{plan.name}.onExit",
                display_name=f"{plan.name}.onExit",
                holder={"template": spec["onExit"]},
                owner=Owner(),
                arguments=arguments,
                parent=None,
            )
            if self.root_stop.stopped:
                return self.result(ERROR, self.root_stop.reason)
        if root.phase in (SUCCEEDED, SKIPPED):
            if exit_node is not None and failed_or_error(exit_node.phase):
                return self.result(exit_node.phase, exit_node.message, root.outputs)
            return self.result(SUCCEEDED, "", root.outputs)
        phase = root.phase if root.phase in (FAILED, ERROR) else ERROR
        return self.result(phase, root.message, root.outputs)

    def failures(self) -> str:
        """``{{workflow.failures}}``: the failed and errored nodes, as Argo lists them."""
        failed = []
        for node in self.ctx.book.all():
            if failed_or_error(node.phase):
                failed.append(
                    {
                        "displayName": node.display_name,
                        "message": node.message,
                        "templateName": node.template_name,
                        "phase": node.phase,
                        "podName": pod_name(self.plan.name, node.template_name, node.name)
                        if node.type == "Pod"
                        else "",
                        "finishedAt": "",
                    }
                )
        return go_json(failed)

    def result(
        self, phase: str, message: str, outputs: Mapping[str, str] | None = None
    ) -> RunResult:
        return RunResult(
            phase=phase,
            message=message,
            nodes=self.ctx.book.results(),
            outputs=dict(outputs or {}),
            logs_dir=self.ctx.logs_dir,
            name=self.plan.name,
            warnings=tuple(self.ctx.warnings),
        )


def run_workflow(
    doc: Mapping[str, Any],
    *,
    templates: Sequence[Mapping[str, Any]] = (),
    parameters: Mapping[str, str] | None = None,
    workdir: Path,
    env: Mapping[str, str] | None = None,
    resume: Resume | None = None,
    max_parallel: int = 4,
    timeout_s: float | None = None,
    name: str | None = None,
) -> RunResult:
    """Run an Argo ``Workflow`` (or a ``WorkflowTemplate`` / ``CronWorkflow``) locally.

    ``templates`` are the ``WorkflowTemplate`` documents it references; ``parameters`` override
    ``spec.arguments.parameters``; containers run as processes in ``workdir`` (their working
    directory unless they set one) with ``env`` over the machine's environment; logs, script
    files and mapped output paths go under ``workdir/<workflow name>/``. ``resume`` answers
    ``suspend: {}`` nodes; at most ``max_parallel`` processes run at once; ``timeout_s`` stops
    the whole run (phase ``Error``). ``name`` fixes the workflow name (else ``generateName`` plus
    five random characters).

    Raises :class:`~fcomp.backends.argo.local.model.InvalidWorkflowError` when the documents
    would be rejected by Argo or use what does not run locally.
    """
    plan = documents.prepare(doc, templates, dict(parameters or {}), name)
    warnings = validate.check(plan)
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    stop = StopToken()
    if timeout_s is not None:
        stop.stop_after(timeout_s, f"local run timed out after {timeout_s:g}s (timeout_s)")
    try:
        runner = _Runner(
            plan,
            workdir=workdir,
            env=dict(env or {}),
            resume=resume,
            local_slots=threading.BoundedSemaphore(max(max_parallel, 1)),
            stop=stop,
        )
        return runner.run(warnings)
    finally:
        stop.close()
