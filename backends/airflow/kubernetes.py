"""The ``kubernetes`` flavour: every step runs in a pod of a ``KubernetesPodOperator`` (the
task's own pod with the runtime's ``bind`` as an init container; the runtime image for the
runtime's other steps); the worker only runs the small steps of :mod:`.prelude.kubernetes`
(following a branch's choice, listing a map's elements).

Pods are given whole as ``full_pod_spec`` (built by ``PodGenerator.deserialize_model_dict``
from the plain dicts of :mod:`.pods`), which Airflow does not render; the templated strings
the operators get are fcomp's own (annotations, runtime-step arguments from macros).
"""

from __future__ import annotations

import json
from typing import Any

from fcomp.backends.airflow import steps
from fcomp.backends.airflow.emit import (
    TEMPLATE_EXTS,
    EmitContext,
    Emitter,
    common_kwargs,
    jinja_id,
    templated,
)
from fcomp.backends.airflow.local import text_parts
from fcomp.backends.airflow.model import Op
from fcomp.backends.airflow.params import nullable
from fcomp.backends.airflow.pods import (
    ANNOTATION_ATTEMPT,
    ANNOTATION_EXEC,
    ANNOTATION_INDEX,
    XCOM_FILE,
    checks_retries,
    child_settings,
    literal_arg,
    print_to_xcom,
    runtime_pod,
    task_pod,
)
from fcomp.backends.airflow.pysource import Attr, Expr, Name, call
from fcomp.compiler.plugins.units import Text

PRELUDE = "kubernetes"
KPO_MODULE = "airflow.providers.cncf.kubernetes.operators.pod"
POD_GENERATOR = "airflow.providers.cncf.kubernetes.pod_generator"
SPARK_MODULE = "airflow.providers.cncf.kubernetes.operators.spark_kubernetes"
#: The prelude's operator for a task pod that checks its retries: a refused retry ends them.
CHECKED_POD = "FcompPod"

#: Annotations every pod gets (rendered by Airflow; the macros are the prelude's).
RUN_ANNOTATIONS = {
    ANNOTATION_EXEC: "{{ fcomp_exec(run_id) }}",
    ANNOTATION_ATTEMPT: "{{ ti.try_number - 1 }}",
}
#: Jinja macros the DAG defines for its pods.
MACROS = (
    "fcomp_exec",
    "fcomp_start_arg",
    "fcomp_inputs_from",
    "fcomp_report",
    "fcomp_child_conf",
    "fcomp_signal_value",
    "fcomp_node_value",
)


def _kpo(
    ctx: EmitContext,
    op: Op,
    pod: dict[str, Any],
    base: str = "base",
    xcom: bool = False,
    annotations: dict[str, str] | None = None,
    checked: bool = False,
    **extra: Expr,
) -> Expr:
    """A ``KubernetesPodOperator`` creating ``pod`` (its first container is ``base``);
    ``checked``: the prelude's subclass, for a pod that checks its retries."""
    operator = _pod_operator(ctx, checked)
    ctx.need(POD_GENERATOR, "PodGenerator")
    ctx.use(PRELUDE, "fcomp_exec")
    main = pod["spec"]["containers"][0]
    kwargs: dict[str, Expr] = {
        **common_kwargs(ctx, op),
        "full_pod_spec": call(Attr(Name("PodGenerator"), "deserialize_model_dict"), pod),
        "base_container_name": templated(base),
        "annotations": {**RUN_ANNOTATIONS, **(annotations or {})},
        "termination_message_policy": main.get("terminationMessagePolicy", "File"),
        "get_logs": True,
        "on_finish_action": "delete_pod",
    }
    if xcom:
        kwargs["do_xcom_push"] = True
    kwargs.update(extra)
    return call(operator, **kwargs)


def _pod_operator(ctx: EmitContext, checked: bool) -> str:
    """The operator class of a pod: the prelude's :data:`CHECKED_POD` for one whose first
    init container checks the retry, else ``KubernetesPodOperator``."""
    if checked:
        ctx.use(PRELUDE, CHECKED_POD)
        return CHECKED_POD
    ctx.need(KPO_MODULE, "KubernetesPodOperator")
    return "KubernetesPodOperator"


def _runtime(
    ctx: EmitContext,
    op: Op,
    command: str,
    args: list[str],
    xcom: bool = False,
    quoted: bool = False,
) -> Expr:
    """A runtime step's pod. ``args`` are ready for Jinja (fcomp's macros, or text escaped with
    :func:`~.emit.templated`): the command goes in the operator's templated ``cmds`` rather
    than in ``full_pod_spec``, which Airflow does not render."""
    pod = runtime_pod(ctx.config, command, args, xcom, quoted=quoted)
    return _runtime_kpo(ctx, op, pod, args, xcom)


def _runtime_kpo(
    ctx: EmitContext, op: Op, pod: dict[str, Any], args: list[str], xcom: bool
) -> Expr:
    """The operator of a runtime pod whose container command ends with ``args``."""
    full = pod["spec"]["containers"][0].pop("command")
    head = full[: len(full) - len(args)]
    cmds = [templated(h) for h in head] + list(args)
    return _kpo(ctx, op, pod, xcom=xcom, cmds=cmds)


def emit_start(ctx: EmitContext, op: Op, step: steps.Start) -> Expr:
    """The start step: params arrive through the prelude's macros, one argument per input."""
    args = ["{{ fcomp_inputs_from(dag_run) }}"]
    for index, (name, literal_type) in enumerate(step.types.items()):
        args.append(templated(literal_arg(f"--type={name}={literal_type}")))
        if name in step.fixed:
            args.append(templated(literal_arg(f"--fixed={name}={step.fixed[name]}")))
        else:
            args.append(f"{{{{ fcomp_start_arg(params, {index}, dag_run, logical_date) }}}}")
    for name, offset in step.shift.items():
        args.append(templated(literal_arg(f"--shift={name}={offset}")))
    return _runtime(ctx, op, "start", args)


def emit_task(ctx: EmitContext, op: Op, step: steps.Task) -> Expr:
    """A task node's pod, or (mapped over a map's element list) one element's pod."""
    labels = dict(ctx.labels)
    annotations = dict(ctx.annotations)
    element = step.element is not None
    legacy = step.element is not None and step.element.legacy
    pod = task_pod(
        step.unit, ctx.config, step.node, step.plan, element, labels, annotations, legacy
    )
    if step.xcom:
        print_to_xcom(pod["spec"]["containers"][0])
    checked = checks_retries(step.unit, element, legacy)
    if not element:
        base, xcom = step.unit.primary, step.xcom
        if step.env_from:  # the operator's templated env_vars: each from a task's XCom
            pulled: Expr = {
                var: "{{ ti.xcom_pull(task_ids='" + jinja_id(task) + "') }}"
                for var, task in step.env_from
            }
            return _kpo(ctx, op, pod, base=base, xcom=xcom, checked=checked, env_vars=pulled)
        return _kpo(ctx, op, pod, base=base, xcom=xcom, checked=checked)
    operator = _pod_operator(ctx, checked)
    ctx.need(POD_GENERATOR, "PodGenerator")
    ctx.use(PRELUDE, "fcomp_exec")
    main = pod["spec"]["containers"][0]
    partial = call(
        Attr(Name(operator), "partial"),
        **common_kwargs(ctx, op),
        full_pod_spec=call(Attr(Name("PodGenerator"), "deserialize_model_dict"), pod),
        base_container_name=templated(step.unit.primary),
        annotations={**RUN_ANNOTATIONS, ANNOTATION_INDEX: "{{ ti.map_index }}"},
        termination_message_policy=main.get("terminationMessagePolicy", "File"),
        get_logs=True,
        on_finish_action="delete_pod",
    )
    return call(Attr(partial, "expand"), labels=Attr(Name(ctx.var(op.mapped_over)), "output"))


def emit_outputs(ctx: EmitContext, op: Op, step: steps.Outputs) -> Expr:
    """The outputs step (reporting to a parent run's node when there is one)."""
    args = ["--plan", templated(literal_arg(step.plan)), "{{ fcomp_report(dag_run) }}"]
    return _runtime(ctx, op, "outputs", args)


def emit_branch(ctx: EmitContext, op: Op, step: steps.Branch) -> Expr:
    """A branch's decision pod (:mod:`.splits` adds the step following its choice)."""
    args = [
        "--node",
        step.node,
        "--plan",
        literal_arg(step.plan),
        "--cases",
        literal_arg(step.cases),
    ]
    return _runtime(ctx, op, "branch", [templated(a) for a in args], xcom=True)


def emit_array_size(ctx: EmitContext, op: Op, step: steps.ArraySize) -> Expr:
    """A map's size pod (prints the element count to XCom)."""
    args = [
        "--node",
        step.node,
        "--plan",
        literal_arg(step.plan),
        "--inputs",
        literal_arg(json.dumps(list(step.inputs))),
    ]
    return _runtime(ctx, op, "array-size", [templated(a) for a in args], xcom=True)


def emit_gather(ctx: EmitContext, op: Op, step: steps.Gather) -> Expr:
    """A map's gather pod; the element count comes from the guard step before it."""
    args = [templated(a) for a in ("--node", step.node, "--outputs", literal_arg(step.outputs))]
    args += ["--size", "{{ ti.xcom_pull(task_ids='" + jinja_id(step.size_from) + "') }}"]
    if step.min_successes is not None:
        args += ["--min-successes", str(step.min_successes)]
    if step.min_success_ratio is not None:
        args += ["--min-success-ratio", repr(float(step.min_success_ratio))]
    return _runtime(ctx, op, "gather", args)


def emit_choose(ctx: EmitContext, op: Op, step: steps.Choose) -> Expr:
    """Follow the branch pod's choice (a worker step)."""
    ctx.use(PRELUDE, "FcompChoose")
    targets = [list(t) for t in step.targets]
    return call(
        "FcompChoose", **common_kwargs(ctx, op), decided_by=step.decided_by, targets=targets
    )


def emit_indexes(ctx: EmitContext, op: Op, step: steps.Indexes) -> Expr:
    """A map's element list (a worker step)."""
    ctx.use(PRELUDE, "FcompIndexes")
    return call("FcompIndexes", **common_kwargs(ctx, op), size_from=step.size_from)


def emit_guard(ctx: EmitContext, op: Op, step: steps.Guard) -> Expr:
    """The guard before a map's gather (a worker step)."""
    ctx.use(PRELUDE, "FcompGuard")
    return call("FcompGuard", **common_kwargs(ctx, op), indexes_from=step.indexes_from)


def emit_bind(ctx: EmitContext, op: Op, step: steps.Bind) -> Expr:
    """A bind pod (a launch-plan node's or a Kubernetes-resource task's inputs)."""
    args = ["--node", step.node, "--plan", literal_arg(step.plan)]
    if step.template:
        args += ["--task-template", step.template]
    return _runtime(ctx, op, "bind", [templated(a) for a in args])


def manifest_data(value: Any) -> Any:
    """A manifest as data: each text with placeholders as ``{"fcomp_text": parts}``."""
    if isinstance(value, Text):
        plain = value.plain()
        return plain if plain is not None else {"fcomp_text": text_parts(value)}
    if isinstance(value, dict):
        return {k: manifest_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [manifest_data(v) for v in value]
    return value


#: What ``SparkKubernetesOperator`` loads as a file when a templated string ends with it.
SPARK_TEMPLATE_EXT = ("yaml", "yml", "json", *TEMPLATE_EXTS)


def jinja_manifest(value: Any, node: str) -> Any:
    """A manifest for a Jinja-templated field: plain strings render to themselves, each
    placeholder to its value for node ``node`` of the run (the prelude's macro)."""
    if isinstance(value, Text | str):
        parts = text_parts(value)
        if isinstance(parts, str):
            return templated(parts, SPARK_TEMPLATE_EXT)
        out = "".join(
            templated(part, ())
            if isinstance(part, str)
            else f"{{{{ fcomp_node_value(run_id, ti, '{jinja_id(node)}', '{part['ph']}') }}}}"
            for part in parts
        )
        # Airflow loads a template ending like a file name as that file
        return out + ("{{ '' }}" if out.endswith(SPARK_TEMPLATE_EXT) else "")
    if isinstance(value, dict):
        return {k: jinja_manifest(v, node) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jinja_manifest(v, node) for v in value]
    return value


def emit_spark(ctx: EmitContext, op: Op, step: steps.Resource) -> Expr:
    """A Spark task: the provider's ``SparkKubernetesOperator`` creating the task's
    SparkApplication (run-time paths from the prelude's macro) and following its driver."""
    ctx.need(SPARK_MODULE, "SparkKubernetesOperator")
    ctx.use(PRELUDE, "fcomp_node_value")
    unit = step.unit
    manifest = {"apiVersion": unit.api_version, "kind": unit.kind, **dict(unit.manifest)}
    namespace = (manifest.get("metadata") or {}).get("namespace") or ctx.config.namespace
    kwargs: dict[str, Expr] = {
        **common_kwargs(ctx, op),
        "template_spec": {"spark": jinja_manifest(manifest, step.node)},
        "get_logs": True,
        "delete_on_termination": True,
    }
    if namespace:
        kwargs["namespace"] = templated(str(namespace), SPARK_TEMPLATE_EXT)
    return call("SparkKubernetesOperator", **kwargs)


#: Resource kinds the providers have their own operator for (others: the prelude's).
RESOURCE_OPERATORS: dict[str, Emitter] = {"SparkApplication": emit_spark}


def emit_resource(ctx: EmitContext, op: Op, step: steps.Resource) -> Expr:
    """A Kubernetes-resource task: the provider's operator for its kind, else created and
    watched by a worker step."""
    own = RESOURCE_OPERATORS.get(step.unit.kind)
    if own is not None:
        return own(ctx, op, step)
    ctx.use(PRELUDE, "FcompResource")
    unit = step.unit
    return call(
        "FcompResource",
        **common_kwargs(ctx, op),
        node=step.node,
        manifest=manifest_data(dict(unit.manifest)),
        api_version=unit.api_version,
        kind=unit.kind,
        success=[[c.path, c.op, list(c.values)] for c in unit.success],
        failure=[[c.path, c.op, list(c.values)] for c in unit.failure],
    )


def emit_trigger(ctx: EmitContext, op: Op, step: steps.Trigger) -> Expr:
    """Run the child DAG and wait for it; the child reports its outputs to this node."""
    ctx.need("airflow.providers.standard.operators.trigger_dagrun", "TriggerDagRunOperator")
    ctx.use(PRELUDE, "fcomp_child_conf")
    return call(
        "TriggerDagRunOperator",
        **common_kwargs(ctx, op),
        trigger_dag_id=templated(step.dag_id),
        conf="{{ fcomp_child_conf(run_id, '" + jinja_id(step.node) + "') | tojson }}",
        wait_for_completion=True,
        poke_interval=10,
        deferrable=True,
    )


def emit_wait_signal(ctx: EmitContext, op: Op, step: steps.WaitSignal) -> Expr:
    """A person enters the signal's value."""
    ctx.need("airflow.providers.standard.operators.hitl", "HITLEntryOperator")
    return call(
        "HITLEntryOperator",
        **common_kwargs(ctx, op),
        subject=templated(f"Signal {step.signal_id}"),
        body=templated(f"Enter the value of Flyte signal '{step.signal_id}'."),
        params={step.var: ctx.param(nullable(step.schema), None, True)},
    )


def emit_write_signal(ctx: EmitContext, op: Op, step: steps.WriteSignal) -> Expr:
    """Write the entered value as the signal node's output."""
    ctx.use(PRELUDE, "fcomp_signal_value")
    value = "{{ fcomp_signal_value(ti.xcom_pull(task_ids='" + jinja_id(step.entered_by) + "')) }}"
    args = [templated(a) for a in ("--node", step.node, "--type", step.type, "--var", step.var)]
    return _runtime(ctx, op, "signal", [*args, "--value", value])


def emit_cache_check(ctx: EmitContext, op: Op, step: steps.CacheCheck) -> Expr:
    """A cached task's lookup pod (returns ``hit`` or ``miss``)."""
    args = ["--node", step.node, "--plan", literal_arg(step.plan), "--key", literal_arg(step.key)]
    return _runtime(ctx, op, "cache-check", [templated(a) for a in args], True, True)


def emit_cache_choose(ctx: EmitContext, op: Op, step: steps.CacheChoose) -> Expr:
    """Run the task on a miss, skip to where both ways meet on a hit (a worker step)."""
    ctx.use(PRELUDE, "FcompCacheChoose")
    return call(
        "FcompCacheChoose",
        **common_kwargs(ctx, op),
        decided_by=step.decided_by,
        run=list(step.run),
        hit=list(step.hit),
    )


def emit_cache_put(ctx: EmitContext, op: Op, step: steps.CachePut) -> Expr:
    """Store a cached task's outputs."""
    args = ["--node", step.node, "--key", literal_arg(step.key)]
    return _runtime(ctx, op, "cache-put", [templated(a) for a in args])


def emit_futures(ctx: EmitContext, op: Op, step: steps.Futures) -> Expr:
    """Compile a dynamic task's futures into a child DAG module, returned as XCom."""
    args = ["--node", step.node, "--task", step.task, "--target", "airflow"]
    args += ["--manifest-out", XCOM_FILE, "--json"]
    args += [literal_arg(f"--set={k}={v}") for k, v in child_settings(ctx.config).items()]
    jinja = [templated(a) for a in args]
    # the runtime writes the XCom file itself (the module as a JSON string, or null)
    return _runtime_kpo(ctx, op, runtime_pod(ctx.config, "dynamic", jinja), jinja, True)


def emit_run_child(ctx: EmitContext, op: Op, step: steps.RunChild) -> Expr:
    """Run a dynamic task's child DAG on the worker and wait for it."""
    ctx.use(PRELUDE, "FcompRunChild")
    return call(
        "FcompRunChild", **common_kwargs(ctx, op), node=step.node, module_from=step.module_from
    )


EMITTERS: dict[type, Emitter] = {
    steps.Start: emit_start,
    steps.Task: emit_task,
    steps.Outputs: emit_outputs,
    steps.Branch: emit_branch,
    steps.ArraySize: emit_array_size,
    steps.Gather: emit_gather,
    steps.Choose: emit_choose,
    steps.Indexes: emit_indexes,
    steps.Guard: emit_guard,
    steps.Bind: emit_bind,
    steps.Resource: emit_resource,
    steps.Trigger: emit_trigger,
    steps.WaitSignal: emit_wait_signal,
    steps.WriteSignal: emit_write_signal,
    steps.CacheCheck: emit_cache_check,
    steps.CacheChoose: emit_cache_choose,
    steps.CachePut: emit_cache_put,
    steps.Futures: emit_futures,
    steps.RunChild: emit_run_child,
}
