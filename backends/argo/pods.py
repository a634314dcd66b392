"""Lower a :class:`~fcomp.compiler.plugins.units.PodUnit` to an Argo container template.

The pod's primary container becomes the template's ``container``, other containers its
``sidecars``; the runtime's ``bind`` step runs first as an init container in the same pod (no
extra pod per task). Pod fields Argo templates have are set directly; the rest go through
``podSpecPatch``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fcomp.backends.argo.kubelet import literal, with_lbrace
from fcomp.backends.argo.render import (
    INDEX_PARAM,
    NODE_PARAM,
    POD_TEXT,
    Escaper,
    NodeVars,
    exec_id,
    render_pod_spec,
)
from fcomp.backends.common.plans import b64
from fcomp.compiler.config import Config
from fcomp.compiler.plugins.units import ExecPolicy, PodUnit
from fcomp.runtime.contract import NOT_RETRIED

#: PodSpec fields an Argo template carries itself.
_TEMPLATE_FIELDS = (
    "nodeSelector",
    "tolerations",
    "affinity",
    "securityContext",
    "serviceAccountName",
    "schedulerName",
    "priorityClassName",
    "hostAliases",
    "automountServiceAccountToken",
)
#: PodSpec fields with no effect on how the task runs under Argo (Argo owns them).
_OWNED_BY_ARGO = ("containers", "initContainers", "volumes", "restartPolicy")

BIND_CONTAINER = "fcomp-bind"
RETRY_CHECK_CONTAINER = "fcomp-retry-check"
PLAN_PARAM = "{{inputs.parameters.plan}}"


def seconds(value: float) -> str:
    """Whole seconds, rounded up, as Argo's IntOrString/duration text."""
    return str(max(1, math.ceil(value)))


#: Stops retrying once an init container (bind, or an element's retry check) refused a retry:
#: its error line reaches the node's message as the container's termination message.
RETRY_EXPRESSION = f"!(lastRetry.message contains '{NOT_RETRIED}')"


def retry_strategy(retries: int, checked: bool = False) -> dict[str, Any]:
    """Argo's retry strategy for ``retries`` retries of any failure; ``checked``: an init
    container of the template refuses to retry a non-recoverable error, and the expression
    stops there."""
    strategy = {"limit": str(retries), "retryPolicy": "Always"}
    if checked:
        strategy["expression"] = RETRY_EXPRESSION
    return strategy


def policy_fields(policy: ExecPolicy, checked: bool = False) -> dict[str, Any]:
    """Retries and timeouts of a template (``checked``: see :func:`retry_strategy`)."""
    out: dict[str, Any] = {}
    if policy.retries > 0:
        out["retryStrategy"] = retry_strategy(policy.retries, checked)
    if policy.attempt_timeout_s:
        out["activeDeadlineSeconds"] = seconds(policy.attempt_timeout_s)
    if policy.node_timeout_s:
        out["timeout"] = seconds(policy.node_timeout_s) + "s"
    return out


def bind_container(
    config: Config,
    needs_task_template: bool,
    task_pb: bytes,
    esc: Escaper = POD_TEXT,
    attempt: str | None = None,
) -> dict[str, Any]:
    """The init container that writes the node's ``inputs.pb`` from its binding plan (its image
    escaped with ``esc``, for the field it sits in). With ``attempt`` (the attempt number's
    expression) it first refuses to retry a non-recoverable error."""
    args = [
        "bind",
        "--prefix",
        literal(config.storage_prefix),
        "--exec",
        exec_id(),
        "--node",
        NODE_PARAM,
        "--plan",
        PLAN_PARAM,
    ]
    if needs_task_template:
        args += ["--task-template", b64(task_pb)]
    if attempt is not None:
        args += ["--attempt", attempt]
    return _runtime_init(BIND_CONTAINER, esc.literal(config.runtime_image), args)


def _runtime_init(name: str, image: str, args: list[str]) -> dict[str, Any]:
    """An init container running ``fcomp-runtime ARGS``; its error line (the end of its log)
    becomes its termination message, which Argo puts in the node's message."""
    return with_lbrace(
        {
            "name": name,
            "image": image,
            "command": ["fcomp-runtime"],
            "args": args,
            "terminationMessagePolicy": "FallbackToLogsOnError",
        }
    )


#: Environment telling flytekit which array element a map task's pod runs.
ARRAY_ENV = [
    {"name": "BATCH_JOB_ARRAY_INDEX_VAR_NAME", "value": "FLYTE_K8S_ARRAY_INDEX"},
    {"name": "FLYTE_K8S_ARRAY_INDEX", "value": INDEX_PARAM},
    {"name": "BATCH_JOB_ARRAY_INDEX_OFFSET", "value": "0"},
]


def retry_check_container(config: Config) -> dict[str, Any]:
    """The init container of an array element's pod that refuses to retry a non-recoverable
    error (the element binds nothing, so the check runs alone)."""
    args = ["retry-check", "--prefix", literal(config.storage_prefix), "--exec", exec_id()]
    args += ["--node", f"{NODE_PARAM}/{INDEX_PARAM}", "--attempt", "{{retries}}"]
    return _runtime_init(RETRY_CHECK_CONTAINER, POD_TEXT.literal(config.runtime_image), args)


def pod_template(
    name: str,
    unit: PodUnit,
    config: Config,
    element: bool = False,
    retry_check: bool = True,
) -> dict[str, Any]:
    """The Argo template running ``unit`` for the node named by its ``node`` parameter.

    An ``element`` template runs one element of an array node (its ``index`` parameter): it
    reads the array node's bound inputs and needs no bind step of its own. With retries, the
    pod first refuses to retry a non-recoverable error, unless ``retry_check`` is off (an
    element whose attempts share one folder).
    """
    vars_ = NodeVars(config.storage_prefix, config.raw_prefix, unit.policy.retries > 0, element)
    pod = render_pod_spec(dict(unit.pod_spec), vars_)
    containers = pod.get("containers", [])
    main = next(c for c in containers if c.get("name") == POD_TEXT.text(unit.primary))
    sidecars = [c for c in containers if c is not main]
    main = {k: v for k, v in main.items() if k != "name"}
    if element:
        main["env"] = [*main.get("env", []), *ARRAY_ENV]

    params = (
        [{"name": "node"}, {"name": "index"}] if element else [{"name": "node"}, {"name": "plan"}]
    )
    template: dict[str, Any] = {"name": name, "inputs": {"parameters": params}}
    labels = {POD_TEXT.text(k): POD_TEXT.text(v) for k, v in unit.labels}
    annotations = {POD_TEXT.text(k): POD_TEXT.text(v) for k, v in unit.annotations}
    if labels or annotations:
        template["metadata"] = {
            **({"labels": labels} if labels else {}),
            **({"annotations": annotations} if annotations else {}),
        }
    checked = vars_.retries and retry_check  # an init container checks each retry
    attempt = vars_.attempt if checked else None
    if element:
        init = [retry_check_container(config)] if checked else []
    else:
        init = [bind_container(config, unit.needs_task_template, unit.task.pb, attempt=attempt)]
    init += pod.get("initContainers", [])
    if init:
        template["initContainers"] = init
    template["container"] = main
    if sidecars:
        template["sidecars"] = sidecars
    if pod.get("volumes"):
        template["volumes"] = pod["volumes"]
    for key in _TEMPLATE_FIELDS:
        if key in pod:
            template[key] = pod[key]
    rest = {k: v for k, v in pod.items() if k not in _TEMPLATE_FIELDS and k not in _OWNED_BY_ARGO}
    if rest:
        template["podSpecPatch"] = json.dumps(rest, sort_keys=True, separators=(",", ":"))
    template.update(policy_fields(unit.policy, checked))
    return template
