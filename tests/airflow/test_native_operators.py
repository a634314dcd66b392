"""``airflow`` tasks on the Airflow target: the real operator the task wraps, built from the
task's ``task_config_pkl`` (read as JSON, never unpickled) with its parameters as Flyte's
connector passes them, imported in Airflow's DagBag with no templated fields; what cannot be
written as Python source is an error naming the task and the parameter."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from airflow_support import write_folder

from fcomp.compiler import codes
from tests.robustness.robust_support import Package, build_package

TASK = "plugin_airflow.unrendered"


def _with_config(obj: Any) -> Package:
    package = Package.load("plugin_airflow").copy()
    custom = package.task(TASK).custom
    custom.fields["task_config_pkl"].string_value = json.dumps(obj)
    return package


def _config(**parameters: Any) -> dict[str, Any]:
    return {
        "py/object": "flytekitplugins.airflow.task.AirflowObj",
        "module": "airflow.operators.bash",
        "name": "BashOperator",
        "parameters": {"task_id": "ignored", **parameters},
    }


def _operator_call(text: str) -> ast.Call:
    """The ``fcomp_native(...)`` call of task ``n0`` in a DAG module."""
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "") == "fcomp_native"
        ):
            return node.value
    raise AssertionError("no fcomp_native call")


def test_the_wrapped_operator_with_its_parameters(tmp_path: Path) -> None:
    built = build_package(Package.load("plugin_airflow"), tmp_path, "airflow")
    assert built.errors == []
    text = built.files["fcomp_examples_plugin_airflow_airflow_wf.py"]
    call = _operator_call(text)
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    # the operator's own task id gives way to the DAG's; its parameters pass unchanged
    assert kwargs == {"task_id": "n0", "bash_command": 'echo "{{ 40 + 2 }}" | grep -qF "{"'}
    (alias,) = [a for a in call.args if isinstance(a, ast.Name)]
    imports = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.ImportFrom)]
    assert any(
        i.module == "airflow.operators.bash"
        and [(a.name, a.asname) for a in i.names] == [("BashOperator", alias.id)]
        for i in imports
    )


def test_timedeltas_and_tuples_are_written_exactly(tmp_path: Path) -> None:
    timeout = {"py/reduce": [{"py/type": "datetime.timedelta"}, {"py/tuple": [1, 30, 5]}]}
    config = _config(bash_command="true", env={"A": "1"}, x={"py/tuple": [1, "two", None]})
    config["parameters"]["output_encoding"] = "utf-8"
    config["parameters"]["x_timeout"] = timeout
    built = build_package(_with_config(config), tmp_path, "airflow")
    assert built.errors == []
    call = _operator_call(built.files["fcomp_examples_plugin_airflow_airflow_wf.py"])
    values = {k.arg: ast.unparse(k.value) for k in call.keywords}
    assert values["x"] == "(1, 'two', None)"
    assert values["x_timeout"] == "datetime.timedelta(days=1, seconds=30, microseconds=5)"
    assert values["env"] == "{'A': '1'}"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"parameters": {"cb": {"py/object": "os.system", "py/state": "x"}}}, "parameter cb"),
        ({"parameters": {"r": {"py/reduce": [{"py/type": "os.system"}, ["id"]]}}}, "parameter r"),
        ({"parameters": {"class": 1}}, "'class' is not a Python name"),
        ({"module": "os; import sys"}, "is not a Python name"),
        ({"name": "Bash.Operator"}, "is not a Python name"),
        ({"py/object": "builtins.eval"}, "does not hold"),
        ({"parameters": {"f": float("nan")}}, "parameter f"),
    ],
)
def test_what_cannot_be_written_is_reported(
    change: dict[str, Any], said: str, tmp_path: Path
) -> None:
    config = _config(bash_command="true")
    for key, value in change.items():
        if key == "parameters":
            config["parameters"].update(value)
        else:
            config[key] = value
    built = build_package(_with_config(config), tmp_path, "airflow")
    errors = [d for d in built.errors if d.code == codes.UNSUPPORTED_CONSTRUCT]
    assert errors and said in errors[0].message and "plugin_airflow.unrendered" in errors[0].message
    assert "fcomp_examples_plugin_airflow_airflow_wf.py" not in built.files


def test_declared_outputs_are_reported(tmp_path: Path) -> None:
    package = Package.load("plugin_airflow").copy()
    outputs = package.task(TASK).interface.outputs.variables
    outputs["o0"].type.simple = 1
    built = build_package(package, tmp_path, "airflow")
    assert any("declares outputs (o0)" in d.message for d in built.errors)


def test_the_operator_imports_unrendered(probe: Any, tmp_path: Path) -> None:
    built = build_package(Package.load("plugin_airflow"), tmp_path / "build", "airflow")
    found = probe(write_folder(tmp_path / "dags", built.files))
    assert found["import_errors"] == {}
    task = found["dags"]["fcomp_examples.plugin_airflow.airflow_wf"]["tasks"]["n0"]
    assert task["operator"] == "BashOperator"
    assert task["template_fields"] == []
