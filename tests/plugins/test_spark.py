"""Spark: the SparkApplication as Flyte's Spark plugin builds it, one row per SparkJob field and
conf key (each row names the rule of ``spark.go`` it checks), and every manifest valid against
the spark-operator v2.5.2 CRD schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from plugin_support import ARGS, lower, show, template
from sparkschema import spark_errors

from fcomp.compiler.config import Config
from fcomp.compiler.plugins.registry import LoweringError
from fcomp.compiler.plugins.units import K8sResourceUnit

BASE = {"mainApplicationFile": "local:///opt/venv/bin/entrypoint.py"}


def app(custom: dict[str, Any], config: Config | None = None, **kw: Any) -> dict[str, Any]:
    """The SparkApplication (placeholders shown as text) of a Spark task."""
    unit = lower(template("spark", {**BASE, **custom}, **kw), config)
    assert isinstance(unit, K8sResourceUnit)
    return {"apiVersion": unit.api_version, "kind": unit.kind, **show(dict(unit.manifest))}


def spec(custom: dict[str, Any], **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = app(custom, **kw)["spec"]
    return out


Check = Callable[[dict[str, Any]], Any]

#: (rule, SparkJob custom, task options, what to read, expected value)
ROWS: list[tuple[str, dict[str, Any], dict[str, Any], Check, Any]] = [
    ("applicationType unset -> Python", {}, {}, lambda s: s["type"], "Python"),
    ("applicationType JAVA -> Java", {"applicationType": "JAVA"}, {}, lambda s: s["type"], "Java"),
    (
        "applicationType SCALA -> Scala",
        {"applicationType": "SCALA"},
        {},
        lambda s: s["type"],
        "Scala",
    ),
    ("applicationType R -> R", {"applicationType": "R"}, {}, lambda s: s["type"], "R"),
    ("applicationType as enum number", {"applicationType": 1}, {}, lambda s: s["type"], "Java"),
    (
        "mainApplicationFile copied",
        {},
        {},
        lambda s: s["mainApplicationFile"],
        BASE["mainApplicationFile"],
    ),
    (
        "mainClass copied when set",
        {"mainClass": "org.Main"},
        {},
        lambda s: s["mainClass"],
        "org.Main",
    ),
    ("mainClass omitted when empty", {}, {}, lambda s: "mainClass" in s, False),
    (
        "executorPath -> spark.pyspark.python",
        {"executorPath": "/opt/venv/bin/python3"},
        {},
        lambda s: s["sparkConf"]["spark.pyspark.python"],
        "/opt/venv/bin/python3",
    ),
    (
        "executorPath -> spark.pyspark.driver.python",
        {"executorPath": "/opt/venv/bin/python3"},
        {},
        lambda s: s["sparkConf"]["spark.pyspark.driver.python"],
        "/opt/venv/bin/python3",
    ),
    (
        "sparkConf entry wins over executorPath",
        {"executorPath": "/a", "sparkConf": {"spark.pyspark.python": "/b"}},
        {},
        lambda s: s["sparkConf"]["spark.pyspark.python"],
        "/b",
    ),
    (
        "sparkConf copied",
        {"sparkConf": {"spark.ui.enabled": "false"}},
        {},
        lambda s: s["sparkConf"]["spark.ui.enabled"],
        "false",
    ),
    (
        "unknown feature flag passes through",
        {"sparkConf": {"spark.flyte.feature1.enabled": "true"}},
        {},
        lambda s: s["sparkConf"]["spark.flyte.feature1.enabled"],
        "true",
    ),
    (
        "hadoopConf copied",
        {"hadoopConf": {"fs.defaultFS": "file:///"}},
        {},
        lambda s: s["hadoopConf"],
        {"fs.defaultFS": "file:///"},
    ),
    ("hadoopConf omitted when empty", {}, {}, lambda s: "hadoopConf" in s, False),
    (
        "spark.driver.cores -> driver.cores",
        {"sparkConf": {"spark.driver.cores": "2"}},
        {},
        lambda s: s["driver"]["cores"],
        2,
    ),
    (
        "spark.driver.cores not an int -> no driver.cores",
        {"sparkConf": {"spark.driver.cores": "1.5"}},
        {},
        lambda s: "cores" in s["driver"],
        False,
    ),
    (
        "spark.driver.cores 0 -> no driver.cores (intPtr drops 0)",
        {"sparkConf": {"spark.driver.cores": "0"}},
        {},
        lambda s: "cores" in s["driver"],
        False,
    ),
    (
        "spark.driver.memory -> driver.memory",
        {"sparkConf": {"spark.driver.memory": "1g"}},
        {},
        lambda s: s["driver"]["memory"],
        "1g",
    ),
    (
        "no spark.driver.memory -> no driver.memory",
        {},
        {},
        lambda s: "memory" in s["driver"],
        False,
    ),
    (
        "spark.executor.cores -> executor.cores",
        {"sparkConf": {"spark.executor.cores": "3"}},
        {},
        lambda s: s["executor"]["cores"],
        3,
    ),
    (
        "spark.executor.instances -> executor.instances",
        {"sparkConf": {"spark.executor.instances": "4"}},
        {},
        lambda s: s["executor"]["instances"],
        4,
    ),
    (
        "spark.executor.memory -> executor.memory",
        {"sparkConf": {"spark.executor.memory": "2g"}},
        {},
        lambda s: s["executor"]["memory"],
        "2g",
    ),
    (
        "driver limit.cores defaults to spark.driver.cores",
        {"sparkConf": {"spark.driver.cores": "2"}},
        {},
        lambda s: s["sparkConf"]["spark.kubernetes.driver.limit.cores"],
        "2",
    ),
    (
        "driver request.cores takes precedence over spark.driver.cores",
        {"sparkConf": {"spark.driver.cores": "2", "spark.kubernetes.driver.request.cores": "3"}},
        {},
        lambda s: s["sparkConf"]["spark.kubernetes.driver.limit.cores"],
        "3",
    ),
    (
        "driver limit.cores given is kept",
        {"sparkConf": {"spark.driver.cores": "2", "spark.kubernetes.driver.limit.cores": "5"}},
        {},
        lambda s: s["sparkConf"]["spark.kubernetes.driver.limit.cores"],
        "5",
    ),
    (
        "executor limit.cores defaults to spark.executor.cores",
        {"sparkConf": {"spark.executor.cores": "4"}},
        {},
        lambda s: s["sparkConf"]["spark.kubernetes.executor.limit.cores"],
        "4",
    ),
    (
        "executor request.cores takes precedence",
        {
            "sparkConf": {
                "spark.executor.cores": "4",
                "spark.kubernetes.executor.request.cores": "1",
            }
        },
        {},
        lambda s: s["sparkConf"]["spark.kubernetes.executor.limit.cores"],
        "1",
    ),
    ("no cores -> no limit.cores keys", {}, {}, lambda s: sorted(s["sparkConf"]), []),
    (
        "spark.batchScheduler -> batchScheduler",
        {"sparkConf": {"spark.batchScheduler": "volcano"}},
        {},
        lambda s: s["batchScheduler"],
        "volcano",
    ),
    (
        "restartPolicy OnFailure, 14 submission retries",
        {},
        {},
        lambda s: s["restartPolicy"],
        {"type": "OnFailure", "onSubmissionFailureRetries": 14},
    ),
    (
        "image from the task container",
        {},
        {},
        lambda s: (s["image"], s["driver"]["image"], s["executor"]["image"]),
        ("ghcr.io/x/img:1",) * 3,
    ),
    ("arguments are the rendered container args", {}, {}, lambda s: s["arguments"], ARGS),
    ("service account defaults to spark", {}, {}, lambda s: s["driver"]["serviceAccount"], "spark"),
    (
        "service account from the task",
        {},
        {"service_account": "sa1"},
        lambda s: s["driver"]["serviceAccount"],
        "sa1",
    ),
    (
        "executors carry no service account of their own",
        {},
        {},
        lambda s: "serviceAccount" in s["executor"],
        False,
    ),
    (
        # fcomp adds FLYTE_FAIL_ON_ERROR to every task container: without Flyte's propeller
        # reading error.pb, a task's failure must fail its pod.
        "env: task env (with FLYTE_FAIL_ON_ERROR) then FLYTE_MAX_ATTEMPTS",
        {},
        {"env": {"A": "1"}, "retries": 2},
        lambda s: s["driver"]["env"],
        [
            {"name": "A", "value": "1"},
            {"name": "FLYTE_FAIL_ON_ERROR", "value": "true"},
            {"name": "FLYTE_MAX_ATTEMPTS", "value": "3"},
        ],
    ),
    (
        "executor env as the driver's",
        {},
        {"env": {"A": "1"}},
        lambda s: s["executor"]["env"] == s["driver"]["env"],
        True,
    ),
    (
        "labels on driver and executor",
        {},
        {"labels": {"team": "x"}},
        lambda s: (s["driver"]["labels"], s["executor"]["labels"]),
        ({"team": "x"}, {"team": "x"}),
    ),
    (
        "hostNetwork false, schedulerName empty (Go pointers)",
        {},
        {},
        lambda s: (s["driver"]["hostNetwork"], s["driver"]["schedulerName"]),
        (False, ""),
    ),
    (
        "driverPod overlay: tolerations on the driver only",
        {"driverPod": {"podSpec": {"tolerations": [{"key": "d", "operator": "Exists"}]}}},
        {},
        lambda s: (s["driver"].get("tolerations"), s["executor"].get("tolerations")),
        ([{"key": "d", "operator": "Exists"}], None),
    ),
    (
        "executorPod overlay: node selector on executors only",
        {"executorPod": {"podSpec": {"nodeSelector": {"pool": "spot"}}}},
        {},
        lambda s: (s["driver"].get("nodeSelector"), s["executor"].get("nodeSelector")),
        (None, {"pool": "spot"}),
    ),
    (
        "driverPod overlay: primary container image",
        {"driverPod": {"podSpec": {"containers": [{"name": "primary", "image": "drv:2"}]}}},
        {},
        lambda s: (s["driver"]["image"], s["executor"]["image"]),
        ("drv:2", "ghcr.io/x/img:1"),
    ),
    (
        "executorPod overlay: image of the application is the executor's",
        {"executorPod": {"podSpec": {"containers": [{"name": "primary", "image": "exe:3"}]}}},
        {},
        lambda s: s["image"],
        "exe:3",
    ),
    ("mode cluster (design doc; the operator's default)", {}, {}, lambda s: s["mode"], "cluster"),
    (
        "podNamePrefix and FLYTE_START_TIME left out (not deterministic)",
        {"sparkConf": {}},
        {},
        lambda s: [k for k in s["sparkConf"] if "podNamePrefix" in k or "FLYTE_START_TIME" in k],
        [],
    ),
]

INTERRUPTIBLE = Config(
    interruptible_tolerations=({"key": "spot", "operator": "Exists", "effect": "NoSchedule"},),
    interruptible_node_selector={"lifecycle": "spot"},
)


@pytest.mark.parametrize(
    ("rule", "custom", "options", "read", "expected"), ROWS, ids=[r[0] for r in ROWS]
)
def test_spark_rule(
    rule: str,
    custom: dict[str, Any],
    options: dict[str, Any],
    read: Check,
    expected: Any,
    shared_dir: Path,
) -> None:
    manifest = app(custom, **options)
    assert read(manifest["spec"]) == expected, rule
    assert spark_errors({**manifest, "metadata": {"generateName": "x-"}}, shared_dir) == []


def test_interruptible_tolerations_on_executors_only(shared_dir: Path) -> None:
    """Drivers always run non-interruptible; executors get the interruptible scheduling."""
    manifest = {**app({}, config=INTERRUPTIBLE, interruptible=True), "metadata": {"name": "a"}}
    s = manifest["spec"]
    assert "tolerations" not in s["driver"] and "nodeSelector" not in s["driver"]
    assert s["executor"]["tolerations"] == [
        {"key": "spot", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert s["executor"]["nodeSelector"] == {"lifecycle": "spot"}
    assert spark_errors(manifest, shared_dir) == []


def test_conditions_and_binding() -> None:
    """COMPLETED succeeds; FAILED, SUBMISSION_FAILED, UNKNOWN fail; inputs bound in the driver."""
    unit = lower(template("spark", BASE))
    assert isinstance(unit, K8sResourceUnit)
    assert [(c.path, c.op, c.values) for c in unit.success] == [
        ("status.applicationState.state", "==", ("COMPLETED",))
    ]
    assert [(c.path, c.op, c.values) for c in unit.failure] == [
        ("status.applicationState.state", "in", ("FAILED", "SUBMISSION_FAILED", "UNKNOWN"))
    ]
    assert unit.bind_at == "spec.driver.initContainers"


def test_main_file_or_class_required() -> None:
    with pytest.raises(LoweringError, match="either mainApplicationFile or mainClass"):
        lower(template("spark", {}))


def test_schema_rejects_unknown_field(shared_dir: Path) -> None:
    """The strict schema helper catches a field the CRD does not declare."""
    manifest = {**app({}), "metadata": {"name": "a"}}
    manifest["spec"]["serviceAccount"] = "spark"  # Flyte sets it; v1beta2 has no such field
    assert any("serviceAccount" in e for e in spark_errors(manifest, shared_dir))
