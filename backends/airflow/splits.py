"""Rewrites of a flow for the ``kubernetes`` flavour, where one step becomes two tasks: a pod
does the runtime's work and a small worker step (or another operator) acts on its result.

- branch ``X``: pod ``X`` prints the case index; ``X-choose`` follows that case (the cases'
  entry tasks become its direct downstream tasks);
- map size ``S``: pod ``S`` prints the count; ``S-indexes`` lists the elements the element
  pods are mapped over; gather ``G`` gets a guard ``G-guard`` (``all_done``) before it, which
  skips with the map and otherwise lets the gather pod run whatever the elements did;
- launch plan ``L``: pod ``L-bind`` writes the node's inputs, then ``L`` triggers the child
  DAG and waits for it;
- signal ``S``: ``S`` asks a person for the value, ``S-write`` (a pod) writes it;
- Kubernetes-resource task ``R``: pod ``R-bind`` writes the node's inputs, then ``R``
  creates the object and waits for it;
- dynamic task ``D``: after pod ``D``, pod ``D-futures`` compiles the futures the task wrote
  into a child DAG module (returned as XCom) and ``D-child`` runs it with ``dag.test()`` in a
  new process on the worker, waiting for it (the child reports its outputs to ``D``);
- cached task ``C``: pod ``C-cache-check`` looks the outputs up, ``C-cache`` follows ``C`` on
  a miss or ``C-cached`` on a hit; a miss runs ``C`` (and its dynamic steps), then pod
  ``C-cache-put`` stores the outputs; ``C-cached`` (``none_failed_min_one_success``) is where
  both ways meet, and what the node's downstream tasks wait for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fcomp.backends.airflow import steps
from fcomp.backends.airflow.model import ALL_SUCCESS, NONE_FAILED_MIN_ONE_SUCCESS, Flow, Op
from fcomp.backends.common.plans import b64

ALL_DONE = "all_done"


def _insert_after(flow: Flow, op: Op, raw_id: str, step: steps.Step) -> Op:
    """A new task right after ``op``: ``op``'s downstream tasks wait for it instead."""
    new = flow.add(op.group, raw_id, step)
    for other in flow.ops.values():
        if other is not new and op.id in other.upstream:
            other.upstream = [new.id if u == op.id else u for u in other.upstream]
        if other.mapped_over == op.id:
            other.mapped_over = new.id
    new.after([op.id])
    return new


def _insert_before(flow: Flow, op: Op, raw_id: str, step: steps.Step, rule: str) -> Op:
    """A new task right before ``op``: it takes ``op``'s upstream tasks and trigger rule."""
    new = flow.add(op.group, raw_id, step, rule)
    new.upstream, op.upstream = list(op.upstream), []
    op.after([new.id])
    op.trigger_rule = ALL_SUCCESS
    for other in flow.ops.values():  # a branch case starting at ``op`` now starts at ``new``
        if isinstance(other.step, steps.Branch | steps.Choose):
            targets = tuple(
                tuple(new.id if t == op.id else t for t in case) for case in other.step.targets
            )
            other.step = replace(other.step, targets=targets)
    return new


def split_branch(flow: Flow, op: Op) -> None:
    """Branch pod, then the worker step following its choice."""
    assert isinstance(op.step, steps.Branch)
    _insert_after(flow, op, f"{op.local_id}-choose", steps.Choose(op.id, op.step.targets))


def split_size(flow: Flow, op: Op) -> None:
    """Size pod, then the element list."""
    _insert_after(flow, op, f"{op.local_id}-indexes", steps.Indexes(op.id))


def split_gather(flow: Flow, op: Op) -> None:
    """The guard before a gather pod."""
    assert isinstance(op.step, steps.Gather)
    size = flow.ops[op.step.size_from]
    indexes = next(o for o in flow.ops.values() if o.step == steps.Indexes(size.id))
    guard = _insert_before(flow, op, f"{op.local_id}-guard", steps.Guard(indexes.id), ALL_DONE)
    op.step = steps.Gather(
        op.step.node, op.step.outputs, guard.id, op.step.min_successes, op.step.min_success_ratio
    )


def split_child(flow: Flow, op: Op) -> None:
    """Bind pod, then the trigger."""
    assert isinstance(op.step, steps.Child)
    child = op.step
    bind = steps.Bind(child.node, child.plan)
    _insert_before(flow, op, f"{op.local_id}-bind", bind, op.trigger_rule)
    op.step = steps.Trigger(child.node, child.dag_id, child.params)


def split_signal(flow: Flow, op: Op) -> None:
    """The person's entry, then the pod writing it."""
    assert isinstance(op.step, steps.Signal)
    signal = op.step
    op.step = steps.WaitSignal(signal.signal_id, signal.var, signal.schema)
    write = steps.WriteSignal(signal.node, signal.type, signal.var, op.id)
    _insert_after(flow, op, f"{op.local_id}-write", write)


def split_resource(flow: Flow, op: Op) -> None:
    """Bind pod, then the Kubernetes object."""
    assert isinstance(op.step, steps.Resource)
    unit = op.step.unit
    template = b64(unit.task.pb) if unit.needs_task_template else ""
    bind = steps.Bind(op.step.node, op.step.plan, template)
    _insert_before(flow, op, f"{op.local_id}-bind", bind, op.trigger_rule)


def split_task(flow: Flow, op: Op) -> None:
    """A dynamic task's futures and child steps; a cached task's lookup and store."""
    step = op.step
    assert isinstance(step, steps.Task)
    if step.element is not None:
        return
    last = op
    if step.unit.dynamic:
        futures = steps.Futures(step.node, b64(step.unit.task.pb))
        made = _insert_after(flow, op, f"{op.local_id}-futures", futures)
        last = _insert_after(flow, made, f"{op.local_id}-child", steps.RunChild(step.node, made.id))
    if step.cache is None:
        return
    put_step = steps.CachePut(step.node, step.cache.key)
    put = _insert_after(flow, last, f"{op.local_id}-cache-put", put_step)
    done = _insert_after(flow, put, f"{op.local_id}-cached", steps.Join())
    done.trigger_rule = NONE_FAILED_MIN_ONE_SUCCESS
    check = steps.CacheCheck(step.node, step.plan, step.cache.key)
    checked = _insert_before(flow, op, f"{op.local_id}-cache-check", check, op.trigger_rule)
    choose = steps.CacheChoose(checked.id, (op.id,), (done.id,))
    chosen = _insert_before(flow, op, f"{op.local_id}-cache", choose, ALL_SUCCESS)
    done.after([chosen.id])


SPLITS: dict[type, Callable[[Flow, Op], None]] = {
    steps.Resource: split_resource,
    steps.Task: split_task,
    steps.Branch: split_branch,
    steps.ArraySize: split_size,
    steps.Gather: split_gather,
    steps.Child: split_child,
    steps.Signal: split_signal,
}


def split_for_pods(flow: Flow) -> Flow:
    """Apply every split (in task order; sizes before their gathers)."""
    for op in list(flow.ops.values()):
        split = SPLITS.get(type(op.step))
        if split is not None:
            split(flow, op)
    return flow
