"""Does a pod spec decode as a Kubernetes ``v1.PodSpec``?

Flyte's task compiler decodes a K8sPod target's ``pod_spec`` with Go's ``json.Unmarshal``
into ``k8s.io/api/core/v1.PodSpec``: unknown fields are ignored, ``null`` is always accepted,
and a known field holding the wrong kind of JSON value (a string where a number is expected,
an object where a list is, a resource quantity that does not parse) fails the whole spec. This
module checks the same on the JSON data, against a table of the PodSpec fields (and of the
objects inside them) whose kinds matter; objects not described are accepted as any object.
The tables list every field of the PodSpec, of a container and of the small objects in them
(Kubernetes 1.30), so the keys the decoder drops can be found and dropped the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from fcomp.compiler.quantity import parse_quantity

# A field's kind: a scalar kind name, ("list", kind), ("map", kind) or an object's fields.
Kind: TypeAlias = "str | tuple[str, Kind] | Mapping[str, Kind]"


class _Some(dict[str, "Kind"]):
    """An object of which only the fields whose kinds matter are listed: other keys may be
    fields Kubernetes knows. (A plain mapping lists every field of its object.)"""


STR, BOOL, INT, QUANTITY, OBJECT = "string", "boolean", "integer", "quantity", "object"


def _list(kind: Kind) -> Kind:
    return ("list", kind)


def _map(kind: Kind) -> Kind:
    return ("map", kind)


_ENV_VAR: Kind = {"name": STR, "value": STR, "valueFrom": OBJECT}
_CONTAINER_PORT: Kind = {
    "name": STR,
    "hostPort": INT,
    "containerPort": INT,
    "protocol": STR,
    "hostIP": STR,
}
_VOLUME_MOUNT: Kind = {
    "name": STR,
    "readOnly": BOOL,
    "recursiveReadOnly": STR,
    "mountPath": STR,
    "subPath": STR,
    "mountPropagation": STR,
    "subPathExpr": STR,
}
_RESOURCES: Kind = {"limits": _map(QUANTITY), "requests": _map(QUANTITY), "claims": _list(OBJECT)}
_SECURITY_CONTEXT: Kind = _Some(
    {
        "capabilities": OBJECT,
        "privileged": BOOL,
        "runAsUser": INT,
        "runAsGroup": INT,
        "runAsNonRoot": BOOL,
        "readOnlyRootFilesystem": BOOL,
        "allowPrivilegeEscalation": BOOL,
        "procMount": STR,
    }
)
_CONTAINER: dict[str, Kind] = {
    "name": STR,
    "image": STR,
    "command": _list(STR),
    "args": _list(STR),
    "workingDir": STR,
    "ports": _list(_CONTAINER_PORT),
    "envFrom": _list(OBJECT),
    "env": _list(_ENV_VAR),
    "resources": _RESOURCES,
    "resizePolicy": _list(OBJECT),
    "restartPolicy": STR,
    "volumeMounts": _list(_VOLUME_MOUNT),
    "volumeDevices": _list(OBJECT),
    "livenessProbe": OBJECT,
    "readinessProbe": OBJECT,
    "startupProbe": OBJECT,
    "lifecycle": OBJECT,
    "terminationMessagePath": STR,
    "terminationMessagePolicy": STR,
    "imagePullPolicy": STR,
    "securityContext": _SECURITY_CONTEXT,
    "stdin": BOOL,
    "stdinOnce": BOOL,
    "tty": BOOL,
}
_TOLERATION: Kind = {
    "key": STR,
    "operator": STR,
    "value": STR,
    "effect": STR,
    "tolerationSeconds": INT,
}
_POD_SECURITY_CONTEXT: Kind = _Some(
    {
        "runAsUser": INT,
        "runAsGroup": INT,
        "runAsNonRoot": BOOL,
        "supplementalGroups": _list(INT),
        "fsGroup": INT,
        "fsGroupChangePolicy": STR,
        "sysctls": _list(OBJECT),
        "seccompProfile": OBJECT,
        "seLinuxOptions": OBJECT,
    }
)
POD_SPEC: Kind = {
    "volumes": _list(_Some({"name": STR})),
    "initContainers": _list(_CONTAINER),
    "containers": _list(_CONTAINER),
    "ephemeralContainers": _list({**_CONTAINER, "targetContainerName": STR}),
    "restartPolicy": STR,
    "terminationGracePeriodSeconds": INT,
    "activeDeadlineSeconds": INT,
    "dnsPolicy": STR,
    "nodeSelector": _map(STR),
    "serviceAccountName": STR,
    "serviceAccount": STR,
    "automountServiceAccountToken": BOOL,
    "nodeName": STR,
    "hostNetwork": BOOL,
    "hostPID": BOOL,
    "hostIPC": BOOL,
    "shareProcessNamespace": BOOL,
    "securityContext": _POD_SECURITY_CONTEXT,
    "imagePullSecrets": _list({"name": STR}),
    "hostname": STR,
    "subdomain": STR,
    "affinity": OBJECT,
    "schedulerName": STR,
    "tolerations": _list(_TOLERATION),
    "hostAliases": _list({"ip": STR, "hostnames": _list(STR)}),
    "priorityClassName": STR,
    "priority": INT,
    "dnsConfig": OBJECT,
    "readinessGates": _list(OBJECT),
    "runtimeClassName": STR,
    "enableServiceLinks": BOOL,
    "preemptionPolicy": STR,
    "overhead": _map(QUANTITY),
    "topologySpreadConstraints": _list(OBJECT),
    "setHostnameAsFQDN": BOOL,
    "os": {"name": STR},
    "hostUsers": BOOL,
    "schedulingGates": _list({"name": STR}),
    "resourceClaims": _list(OBJECT),
}


def _scalar_ok(kind: str, value: Any) -> bool:
    if kind == STR:
        return isinstance(value, str)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == QUANTITY:
        # Go's Quantity decodes a JSON string or a JSON number.
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float):
            return True
        return isinstance(value, str) and parse_quantity(value) is not None
    return isinstance(value, dict)  # OBJECT


def pod_spec_errors(spec: Any) -> list[str]:
    """The paths (``containers[0].resources.limits.cpu``) of values that would make Go's
    decoder reject ``spec`` as a PodSpec; empty when it decodes."""
    bad: list[str] = []
    stack: list[tuple[str, Kind, Any]] = [("", POD_SPEC, spec)]
    while stack:
        path, kind, value = stack.pop()
        if value is None:
            continue
        if isinstance(kind, str):
            if not _scalar_ok(kind, value):
                bad.append(path or "<pod spec>")
        elif isinstance(kind, tuple):
            shape, item = kind
            if shape == "list":
                if not isinstance(value, list):
                    bad.append(path)
                    continue
                stack.extend((f"{path}[{i}]", item, v) for i, v in enumerate(value))
            else:
                if not isinstance(value, dict):
                    bad.append(path)
                    continue
                stack.extend((f"{path}.{k}", item, v) for k, v in value.items())
        else:
            if not isinstance(value, dict):
                bad.append(path or "<pod spec>")
                continue
            for key, sub in kind.items():
                if key in value:
                    stack.append((f"{path}.{key}" if path else key, sub, value[key]))
    return sorted(bad)


def _children(path: str, kind: Kind, value: Any) -> list[tuple[str, Kind, Any]]:
    """The (path, kind, value) of the parts of ``value`` that ``kind`` describes."""
    if isinstance(kind, str) or value is None:
        return []
    if isinstance(kind, tuple):
        shape, item = kind
        if shape == "list" and isinstance(value, list):
            return [(f"{path}[{i}]", item, v) for i, v in enumerate(value)]
        if shape == "map" and isinstance(value, dict):
            return [(f"{path}.{k}", item, v) for k, v in value.items()]
        return []
    if not isinstance(value, dict):
        return []
    return [(f"{path}.{k}" if path else k, sub, value[k]) for k, sub in kind.items() if k in value]


def unknown_fields(spec: Any) -> list[str]:
    """The paths (``containers[1].colour``) of keys Go's decoder drops from ``spec`` as a
    PodSpec: keys of objects the tables describe in full that are none of their fields."""
    found: list[str] = []
    stack: list[tuple[str, Kind, Any]] = [("", POD_SPEC, spec)]
    while stack:
        path, kind, value = stack.pop()
        if isinstance(kind, Mapping) and not isinstance(kind, _Some) and isinstance(value, dict):
            found += [f"{path}.{k}" if path else str(k) for k in value if k not in kind]
        stack += _children(path, kind, value)
    return sorted(found)


def _zero(kind: Kind) -> Any:
    """Go's zero value of a field of ``kind`` (what ``null`` in a list or map decodes to)."""
    if isinstance(kind, str):
        return {STR: "", BOOL: False, INT: 0, QUANTITY: "0"}.get(kind, {})
    if isinstance(kind, tuple):
        return [] if kind[0] == "list" else {}
    return {}


def _prune(kind: Kind, value: Any) -> Any:
    if value is None or isinstance(kind, str):
        return value
    if isinstance(kind, tuple):
        shape, item = kind
        if shape == "list" and isinstance(value, list):
            return [_prune(item, _zero(item) if v is None else v) for v in value]
        if shape == "map" and isinstance(value, dict):
            return {k: _prune(item, _zero(item) if v is None else v) for k, v in value.items()}
        return value
    if not isinstance(value, dict):
        return value
    some = isinstance(kind, _Some)
    return {
        k: _prune(kind[k], v) if k in kind else v
        for k, v in value.items()
        if v is not None and (some or k in kind)
    }


def known_fields(spec: Mapping[str, Any]) -> dict[str, Any]:
    """``spec`` as Flyte's pod spec holds it once decoded (a new object): without the keys
    :func:`unknown_fields` finds, a ``null`` field left out and a ``null`` in a list or map
    made its zero value (an empty object or string), as Go's decoder does."""
    pruned: dict[str, Any] = _prune(POD_SPEC, dict(spec))
    return pruned
