"""A stand-in for a Kubernetes cluster in end-to-end tests of the Airflow ``kubernetes``
flavour: ``KubernetesPodOperator.execute`` builds the pod exactly as the operator would send it
(``build_pod_request_obj``: ``full_pod_spec`` merged with the operator's rendered ``cmds``,
annotations and labels, the XCom volume and sidecar), then runs it as a kubelet would, with
local processes: the image is ignored; init containers run in order, then the first container
(``base``); each volume is a folder of the pod, every mount path of the pod rewritten to it
in each container's command, arguments and environment (all of the pod's, since a command may
pass through another container, as a raw-container task's does); environment variables
from the downward API read the pod's annotations, labels, name and namespace; ``$(VAR)``
references expand as Kubernetes expands them; what the pod wrote to ``/airflow/xcom/
return.json`` is the task's XCom. Other sidecars do not run. A failed pod goes to the
operator's own ``cleanup`` with its container statuses (a failed container's termination
message is its output's last lines, as with ``FallbackToLogsOnError``), which raises the
operator's error; deleting and labelling the pod are no-ops, and no pod has an istio sidecar.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from typing import Any

from fcomp.backends.argo.kubelet import expand

XCOM_SIDECAR = "airflow-xcom-sidecar"
_FIELD = re.compile(r"metadata\.(annotations|labels)\['(.*)'\]$")


def patch(module: Any) -> None:
    """Make the operator of ``module`` run pods here (no cluster, no kube config)."""
    from airflow.providers.cncf.kubernetes.hooks.kubernetes import KubernetesHook

    KubernetesHook.is_in_cluster = property(lambda self: False)  # type: ignore[assignment,method-assign]
    operator = module.KubernetesPodOperator
    operator.execute = _execute
    operator.process_pod_deletion = lambda self, pod, reraise=True: None
    operator.patch_already_checked = lambda self, pod, reraise=True: None
    operator.is_istio_enabled = lambda self, pod: False  # (no pod here has an istio sidecar)


def _execute(self: Any, context: Any) -> Any:
    from airflow.sdk.exceptions import AirflowException
    from kubernetes.client import ApiClient

    request = self.build_pod_request_obj(context)
    pod = ApiClient().sanitize_for_serialization(request)
    spec = pod["spec"]
    with tempfile.TemporaryDirectory(prefix="fake-pod-") as root:
        volumes = {
            v["name"]: os.path.join(root, "volumes", v["name"]) for v in spec.get("volumes") or []
        }
        for folder in volumes.values():
            os.makedirs(folder, exist_ok=True)
        containers = [*(spec.get("initContainers") or []), spec["containers"][0]]
        mounts: dict[str, str] = {}
        for container in containers:
            for m in container.get("volumeMounts") or []:
                mounts.setdefault("/" + m["mountPath"].strip("/"), volumes[m["name"]])
        ended: list[tuple[str, int, str]] = []  # (container, exit status, message)
        for container in containers:
            env = _environment(pod, container)
            argv = [*(container.get("command") or []), *(container.get("args") or [])]
            if not argv:
                raise AirflowException(f"container {container['name']} has no command here")
            argv = [_mounted(expand(a, env.get), mounts) for a in argv]
            full = {**os.environ, **{k: _mounted(v, mounts) for k, v in env.items()}}
            cwd = _mounted(container.get("workingDir") or root, mounts)
            proc = subprocess.run(argv, env=full, cwd=cwd, capture_output=True, text=True)
            for line in (proc.stdout + proc.stderr).splitlines():
                self.log.info("%s: %s", container["name"], line)
            if proc.returncode != 0:
                tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
                ended.append((container["name"], proc.returncode, tail))
                self.cleanup(pod=request, remote_pod=_failed_pod(request, ended, len(containers)))
                raise AirflowException(  # (cleanup raises first for a failed pod)
                    f"container {container['name']} exited with {proc.returncode}: {tail}"
                )
            ended.append((container["name"], 0, ""))
        if not self.do_xcom_push:
            return None
        result = os.path.join(volumes.get("xcom", root), "return.json")
        if not os.path.exists(result):
            raise AirflowException("the pod wrote no /airflow/xcom/return.json")
        with open(result, encoding="utf-8") as handle:
            return json.loads(handle.read())


def _failed_pod(request: Any, ended: list[tuple[str, int, str]], count: int) -> Any:
    """The pod as the API server reports it once a container failed: the init containers'
    states, and the first container's when it ran."""
    from kubernetes.client import models as k8s

    def status(name: str, code: int, message: str) -> Any:
        state = k8s.V1ContainerState(
            terminated=k8s.V1ContainerStateTerminated(exit_code=code, message=message or None)
        )
        return k8s.V1ContainerStatus(
            name=name, state=state, image="", image_id="", ready=False, restart_count=0
        )

    statuses = [status(*e) for e in ended]
    ran_main = len(ended) == count
    return k8s.V1Pod(
        metadata=request.metadata,
        status=k8s.V1PodStatus(
            phase="Failed",
            init_container_statuses=statuses[:-1] if ran_main else statuses,
            container_statuses=statuses[-1:] if ran_main else [],
        ),
    )


def _environment(pod: dict[str, Any], container: dict[str, Any]) -> dict[str, str]:
    """The container's variables, in order (a value may refer to the ones before it)."""
    metadata = pod.get("metadata") or {}
    out: dict[str, str] = {}
    for var in container.get("env") or []:
        if "value" in var:
            out[var["name"]] = expand(var.get("value") or "", out.get)
            continue
        path = ((var.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath", "")
        found = _FIELD.match(path)
        if found:
            out[var["name"]] = (metadata.get(found.group(1)) or {}).get(found.group(2), "")
        elif path == "metadata.namespace":
            out[var["name"]] = metadata.get("namespace") or "default"
        elif path == "metadata.name":
            out[var["name"]] = metadata.get("name") or ""
    return out


def _mounted(text: str, mounts: dict[str, str]) -> str:
    """``text`` with each mount path (where a path starts) replaced by its folder."""
    if not mounts:
        return text
    paths = "|".join(re.escape(p) for p in sorted(mounts, key=len, reverse=True))
    pattern = re.compile(r"(?<![\w./~-])(" + paths + r")(?=$|[^\w.~-])")
    return pattern.sub(lambda match: mounts[match.group(1)], text)
