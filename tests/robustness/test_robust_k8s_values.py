"""Values Kubernetes refuses (labels, annotations, env names, secret names, negative
quantities) are reported as ``InvalidValue`` with their entity and field, on both targets, and
nothing is written; values Kubernetes accepts pass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import security_pb2
from robust_support import Package, build_package

from fcomp.cli.main import EXIT_DIAGNOSTICS, main
from fcomp.compiler import k8svalues as kv


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("team", True),
        ("fcomp.io/team", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("x." * 126 + "io/name", False),  # prefix over 253 characters
        ("Team_A.b-1", True),
        ("-team", False),
        ("team-", False),
        ("a/b/c", False),
        ("/name", False),
        ("fcomp.io/", False),
        ("Fcomp.IO/name", False),  # the prefix is a DNS subdomain: lower case
        ("has space", False),
        ("", False),
    ],
)
def test_label_keys(key: str, ok: bool) -> None:
    assert (kv.qualified_name_problem(key) is None) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("", True),
        ("v1.2_beta-3", True),
        ("A" * 63, True),
        ("A" * 64, False),
        ("data science", False),
        ("_leading", False),
        ("trailing.", False),
        ("ünicode", False),
    ],
)
def test_label_values(value: str, ok: bool) -> None:
    assert (kv.label_value_problem(value) is None) is ok


@pytest.mark.parametrize(
    ("name", "ok"),
    [("PATH", True), ("my.var-1", True), ("1ST", True), ("A B", True), ("", False)]
    + [("A=B", False), ("TAB\tX", False), ("É", False)],
)
def test_env_names(name: str, ok: bool) -> None:
    assert (kv.env_name_problem(name) is None) is ok


@pytest.mark.parametrize(
    ("group", "ok"),
    [("db-creds", True), ("a.b.c", True), ("My_Group", False), ("-x", False), ("a" * 254, False)],
)
def test_secret_names(group: str, ok: bool) -> None:
    assert (kv.subdomain_problem(group) is None) is ok


@pytest.mark.parametrize(
    ("key", "ok"),
    [("token", True), ("TLS.crt", True), ("a_b-c", True), (".hidden", True)]
    + [("..data", False), ("..", False), ("a/b", False), ("", False)],
)
def test_secret_keys(key: str, ok: bool) -> None:
    assert (kv.secret_key_problem(key) is None) is ok


@pytest.mark.parametrize(
    ("amount", "ok"),
    [("1", True), ("0", True), ("500m", True), ("-1", False), ("-0.5Gi", False)]
    + [(-2, False), (3, True), ("not a quantity", True)],
)
def test_negative_quantities(amount: object, ok: bool) -> None:
    assert (kv.negative_quantity_problem(amount) is None) is ok


def test_annotations_size_limit() -> None:
    assert kv.annotations_size_problem([("k", "v" * (kv.ANNOTATIONS_MAX - 1))]) is None
    assert kv.annotations_size_problem([("k", "v" * kv.ANNOTATIONS_MAX)]) is not None


# --- whole packages --------------------------------------------------------------------------


def _task_labels(p: Package) -> None:
    p.task("uses_env").metadata.metadata.labels["team"] = "data science"


def _task_annotation_key(p: Package) -> None:
    p.task("uses_env").metadata.metadata.annotations["bad key!"] = "x"


def _container_env(p: Package) -> None:
    p.task("uses_env").container.env.add(key="A=B", value="1")


def _secret_group(p: Package) -> None:
    p.task("uses_secret").security_context.secrets.add(group="My_Group", key="token")


def _secret_key(p: Package) -> None:
    p.task("uses_secret").security_context.secrets.add(group="fcomp", key="a/b")


def _secret_env_var(p: Package) -> None:
    p.task("uses_secret").security_context.secrets.add(
        group="fcomp", key="token", env_var="", mount_requirement=security_pb2.Secret.ENV_VAR
    )
    p.task("uses_secret").security_context.secrets[-1].env_var = "X=Y"


def _negative_request(p: Package) -> None:
    resources = p.task("resourceful").container.resources
    resources.requests.add(name=1, value="-1")  # CPU


def _gpu_device(p: Package) -> None:
    task = p.task("wants_gpu")
    task.extended_resources.gpu_accelerator.device = "A100 80GB"


#: (mutation, package, entity name ending, field prefix)
TASK_CASES: dict[str, tuple[Callable[[Package], None], str, str]] = {
    "task label value": (_task_labels, "uses_env", "metadata.metadata.labels.team"),
    "annotation key": (_task_annotation_key, "uses_env", "metadata.metadata.annotations"),
    "container env name": (_container_env, "uses_env", "container.env"),
    "secret group": (_secret_group, "uses_secret", "security_context.secrets[1].group"),
    "secret key": (_secret_key, "uses_secret", "security_context.secrets[1].key"),
    "secret env var": (_secret_env_var, "uses_secret", "security_context.secrets[1].env_var"),
    "negative request": (_negative_request, "resourceful", "container.resources.requests.cpu"),
    "gpu device": (_gpu_device, "wants_gpu", "extended_resources.gpu_accelerator.device"),
}


@pytest.mark.parametrize("target", ["argo", "airflow"])
@pytest.mark.parametrize("case", sorted(TASK_CASES))
def test_task_values_kubernetes_refuses(case: str, target: str, tmp_path: Path) -> None:
    mutate, entity, field = TASK_CASES[case]
    package = Package.load("task_config").copy()
    mutate(package)
    built = build_package(package, tmp_path, target)
    assert built.files == {}
    [error] = built.errors
    assert error.code == "InvalidValue"
    assert "Kubernetes refuses it" in error.message
    assert error.source.entity.endswith(entity)
    assert error.source.field == field


def test_values_kubernetes_accepts_pass(tmp_path: Path) -> None:
    package = Package.load("task_config").copy()
    task = package.task("uses_env")
    task.metadata.metadata.labels["fcomp.io/Team_1"] = "Data.Science-2"
    task.metadata.metadata.annotations["Fcomp.IO/free-text"] = "any text: at all, even = and spaces"
    task.container.env.add(key="relaxed.name-1", value="1")
    package.task("uses_secret").security_context.secrets.add(group="a.b-c", key="TLS.crt")
    built = build_package(package, tmp_path, "argo")
    assert built.errors == []
    assert "Data.Science-2" in built.text() and "relaxed.name-1" in built.text()


def _pod_spec(p: Package) -> dict[str, Any]:
    from google.protobuf import json_format

    return json_format.MessageToDict(p.task("in_pod").k8s_pod.pod_spec)


def _set_pod_spec(p: Package, spec: dict[str, Any]) -> None:
    target = p.task("in_pod").k8s_pod.pod_spec
    target.Clear()
    target.update(spec)


def _pod_env(p: Package) -> None:
    spec = _pod_spec(p)
    spec["containers"][0].setdefault("env", []).insert(0, {"name": "", "value": "x"})
    _set_pod_spec(p, spec)


def _pod_negative_limit(p: Package) -> None:
    spec = _pod_spec(p)
    spec["containers"][0].setdefault("resources", {})["limits"] = {"memory": "-1Gi"}
    _set_pod_spec(p, spec)


def _pod_selector(p: Package) -> None:
    spec = _pod_spec(p)
    spec["nodeSelector"] = {"pool": "not valid"}
    _set_pod_spec(p, spec)


def _pod_label(p: Package) -> None:
    p.task("in_pod").k8s_pod.metadata.labels["x" * 64] = "v"


def _override_pod_label(p: Package) -> None:
    node = p.workflow("pod_template_wf").nodes[1]
    template = node.task_node.overrides.pod_template
    template.metadata.labels["ok"] = "not ok"
    template.pod_spec.update({"containers": [{"name": "primary"}]})
    template.primary_container_name = "primary"


def _override_negative(p: Package) -> None:
    node = p.workflow("pod_template_wf").nodes[0]
    node.task_node.overrides.resources.limits.add(name=3, value="-5")  # memory


POD_CASES: dict[str, tuple[Callable[[Package], None], str, str]] = {
    "pod env name": (_pod_env, "in_pod", "k8s_pod.pod_spec.containers[0].env[0].name"),
    "pod negative limit": (
        _pod_negative_limit,
        "in_pod",
        "k8s_pod.pod_spec.containers[0].resources.limits.memory",
    ),
    "pod node selector": (_pod_selector, "in_pod", "k8s_pod.pod_spec.nodeSelector.pool"),
    "pod label key": (_pod_label, "in_pod", "k8s_pod.metadata.labels"),
    "override label": (
        _override_pod_label,
        "pod_template_wf",
        "task_node.overrides.pod_template.metadata.labels.ok",
    ),
    "override negative": (
        _override_negative,
        "pod_template_wf",
        "task_node.overrides.resources.limits.memory",
    ),
}


@pytest.mark.parametrize("case", sorted(POD_CASES))
def test_pod_values_kubernetes_refuses(case: str, tmp_path: Path) -> None:
    mutate, entity, field = POD_CASES[case]
    package = Package.load("pod_template").copy()
    mutate(package)
    built = build_package(package, tmp_path, "argo")
    assert built.files == {}
    assert [(e.code, e.source.field) for e in built.errors] == [("InvalidValue", field)]
    assert built.errors[0].source.entity.endswith(entity)


def _lp_label(p: Package) -> None:
    p.launch_plan("pod_template_wf").spec.labels.values["team"] = "x" * 64


def _lp_env(p: Package) -> None:
    p.launch_plan("pod_template_wf").spec.envs.values.add(key="", value="v")


def _lp_annotations_size(p: Package) -> None:
    annotations = p.launch_plan("pod_template_wf").spec.annotations.values
    annotations["big"] = "x" * (kv.ANNOTATIONS_MAX + 1)


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (_lp_label, "spec.labels.team", "label value"),
        (_lp_env, "spec.envs", "environment variable name ''"),
        (_lp_annotations_size, "spec.annotations", "more than the 262144 allowed"),
    ],
)
def test_launch_plan_values_kubernetes_refuses(
    mutate: Callable[[Package], None], field: str, message: str, tmp_path: Path
) -> None:
    package = Package.load("pod_template").copy()
    mutate(package)
    built = build_package(package, tmp_path, "airflow")
    assert built.files == {}
    [error] = built.errors
    assert (error.code, error.source.field) == ("InvalidValue", field)
    assert message in error.message


def test_cli_exits_with_a_diagnostic_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = Package.load("task_config").copy()
    _task_labels(package)
    path = package.write(tmp_path / "in")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exited:
        main(["build", "--target", "argo", str(path), "-o", str(out)])
    _, err = capsys.readouterr()
    assert exited.value.code == EXIT_DIAGNOSTICS
    assert "InvalidValue" in err and "label value 'data science'" in err
    assert "uses_env" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_long_values_are_shortened_in_messages(tmp_path: Path) -> None:
    package = Package.load("task_config").copy()
    package.task("uses_env").metadata.metadata.labels["team"] = "y" * 1000
    built = build_package(package, tmp_path, "argo")
    [error] = built.errors
    assert "y" * 64 + "..." in error.message and "y" * 65 not in error.message


def _ray_head_pod(p: Package, labels: dict[str, str], env_name: str) -> None:
    task = p.task("ray_square_sum")
    head = task.custom["rayCluster"]["headGroupSpec"]
    head.update(
        {
            "k8sPod": {
                "metadata": {"labels": labels},
                "podSpec": {"containers": [{"name": "ray-head", "env": [{"name": env_name}]}]},
            }
        }
    )


@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_plugin_pod_templates_are_checked(target: str, tmp_path: Path) -> None:
    """A plugin's own pod template (Ray's head group here) is checked the same way."""
    package = Package.load("plugin_ray").copy()
    _ray_head_pod(package, {"role": "head node"}, "A=B")
    built = build_package(package, tmp_path, target)
    assert built.files == {}
    assert sorted((e.code, e.source.field) for e in built.errors) == [
        ("InvalidValue", "custom.rayCluster.headGroupSpec.k8sPod.metadata.labels.role"),
        (
            "InvalidValue",
            "custom.rayCluster.headGroupSpec.k8sPod.podSpec.containers[0].env[0].name",
        ),
    ]


def test_plugin_pod_template_values_kubernetes_accepts_pass(tmp_path: Path) -> None:
    package = Package.load("plugin_ray").copy()
    _ray_head_pod(package, {"role": "head-node"}, "RAY_X")
    built = build_package(package, tmp_path, "argo")
    assert built.errors == []
    assert "head-node" in built.text()
