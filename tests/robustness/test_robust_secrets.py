"""Secrets appear in outputs only as references to Kubernetes secrets, never as values: not
from the compiling process's environment, not from a secrets folder, in any target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import security_pb2
from robust_support import Package, build_package

from fcomp.compiler.config import Config

VALUE = "s3cr3t-VALUE-must-not-leak"


def _with_secrets(tmp_path: Path) -> Path:
    """task_config with its secret task asking for one env secret and one file secret."""
    package = Package.load("task_config").copy()
    task = package.task("uses_secret")
    del task.security_context.secrets[:]
    task.security_context.secrets.add(group="fcomp", key="token")
    task.security_context.secrets.add(
        group="fcomp-files", key="cert", mount_requirement=security_pb2.Secret.FILE
    )
    task.security_context.secrets.add(group="api", key="key", env_var="API_KEY")
    return package.write(tmp_path / "in")


@pytest.fixture
def leaky_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every place flytekit would look for the secret's value holds it."""
    for name in ("_FSEC_FCOMP_TOKEN", "FCOMP_TOKEN", "API_KEY", "_FSEC_FCOMP-FILES_CERT"):
        monkeypatch.setenv(name, VALUE)
    folder = tmp_path / "secrets"
    for group, key in (("fcomp", "token"), ("fcomp-files", "cert"), ("api", "key")):
        (folder / group).mkdir(parents=True)
        (folder / group / key).write_text(VALUE)
    monkeypatch.setenv("FLYTE_SECRETS_DEFAULT_DIR", str(folder))


def _env_entries(value: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("env"), list):
                found += [e for e in item["env"] if isinstance(e, dict)]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@pytest.mark.usefixtures("leaky_environment")
def test_argo_references_secrets_and_never_holds_values(tmp_path: Path) -> None:
    built = build_package(Package.load(_with_secrets(tmp_path)), tmp_path / "b", "argo")
    assert built.errors == []
    assert VALUE not in built.text()
    env = _env_entries(built.documents())
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in env if "valueFrom" in e}
    assert refs["_FSEC_FCOMP_TOKEN"] == {"name": "fcomp", "key": "token"}
    assert refs["API_KEY"] == {"name": "api", "key": "key"}
    # A secret's variable never carries a literal value.
    assert not [e for e in env if e["name"] in refs and "value" in e]
    volumes = [v for d in built.documents() for v in _volumes(d)]
    assert {"secretName": "fcomp-files", "items": [{"key": "cert", "path": "cert"}]} in [
        v.get("secret") for v in volumes
    ]


def _volumes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for template in doc.get("spec", {}).get("templates", []):
        out += template.get("volumes", [])
    return out


@pytest.mark.usefixtures("leaky_environment")
@pytest.mark.parametrize("flavour", ["kubernetes", "local"])
def test_airflow_never_holds_secret_values(tmp_path: Path, flavour: str) -> None:
    from dataclasses import replace

    config = replace(Config(), airflow_flavour=flavour)
    built = build_package(Package.load(_with_secrets(tmp_path)), tmp_path / "b", "airflow", config)
    assert built.errors == []
    text = built.text()
    assert VALUE not in text
    # The secret is named (as a reference the pod or the worker resolves), not dropped.
    assert "_FSEC_FCOMP_TOKEN" in text and "API_KEY" in text


def test_package_secret_values_never_reach_the_output(tmp_path: Path) -> None:
    """A (hand-made) task whose container env carries a secret-looking variable is its own
    business, but a secret request never turns into a value, whatever the names hold."""
    package = Package.load(_with_secrets(tmp_path)).copy()
    task = package.task("uses_secret")
    # (A secret's group names a Kubernetes secret, so it is in lower case.)
    task.security_context.secrets.add(group=VALUE.lower(), key=VALUE)
    built = build_package(package, tmp_path / "b", "argo")
    assert built.errors == []
    env = _env_entries(built.documents())
    with_value = [e for e in env if VALUE.lower() in str(e.get("value", "")).lower()]
    assert with_value == []


@pytest.mark.parametrize(("group", "key"), [("fcomp", ""), ("", "token")])
@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_a_secret_needs_a_group_and_a_key(
    group: str, key: str, target: str, tmp_path: Path
) -> None:
    """Flyte's Kubernetes secret injector refuses a pod whose secret lacks either: an error
    naming the secret, not a reference Kubernetes cannot resolve."""
    package = Package.load("task_config").copy()
    package.task("uses_secret").security_context.secrets.add(group=group, key=key)
    built = build_package(package, tmp_path, target)
    assert built.files == {}
    [error] = built.errors
    assert error.code == "InvalidValue" and "needs both a group" in error.message
    assert error.source.field.startswith("security_context.secrets[")
