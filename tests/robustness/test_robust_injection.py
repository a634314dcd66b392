"""Injection: strings from the input reach Argo YAML and Airflow Python unchanged and inert.

Hostile strings (Argo ``{{ }}`` and ``{{= }}``, Jinja, YAML specials, newlines, NUL, unicode,
very long strings) are put in env values, container args, labels (those Kubernetes accepts;
it refuses the others, and so does the compiler), annotations, launch plan defaults,
descriptions, workflow and launch plan names and node ids. The Argo YAML loaded with a safe
loader, put through a model of Argo's substitution passes and the kubelet's expansion
(``argo_passes``), gives back each string exactly where it was placed, with every tag it holds
resolvable to a marker that never shows up. The local Argo executor, which makes the same
passes, shows container arguments such as ``{{x}}`` and ``{{= 1 + 1 }}`` reaching the process
unchanged. The Airflow DAG file parses, imports and holds every string unchanged as a literal.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from argo_passes import MARKERS, delivered
from flyteidl.admin import launch_plan_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from robust_support import Built, Package, build_package, walk_strings

from fcomp.compiler.config import Config
from fcomp.compiler.k8svalues import label_value_problem

HOSTILE = [
    "{{x}}",
    "{{ workflow.name }}",
    "{{= 1 + 1 }}",
    "{{=sprig.env('HOME')}}",
    "{{{{nested}}}}",
    "{",
    "}}",
    "{% if true %}jinja{% endif %}",
    "{{ ti.xcom_pull('x') }}",
    "${HOME} $(HOME)",
    "yes",
    "no",
    "on",
    "off",
    "null",
    "~",
    "0x1",
    "1e3",
    "012",
    "*a",
    "&a",
    "!!python/object/apply:os.system ['echo hi']",
    "- item",
    "key: value",
    "# comment",
    "'single' \"double\" `back`",
    "line1\nline2\r\nline3",
    "tab\there",
    "nul\x00byte",
    "bell\x07",
    "\u2028\u2029\x85",
    "\ufeffbom",
    "日本語 ✓ 🚀",
    "\\n not a newline",
    "''' triple \"\"\"",
    "__import__('os').system('x')",
    "x" * 100_000,
]
IDS = [f"h{i}" for i in range(len(HOSTILE))]


def _delivered(built: Built) -> list[dict[str, Any]]:
    return [delivered(doc) for doc in built.documents()]


def _no_marker(docs: list[dict[str, Any]]) -> None:
    """No string of ``docs`` holds what an evaluated tag of the input would give."""
    text = json.dumps(docs)
    assert not [m for m in MARKERS.values() if m in text]


def _hostile_package(value: str) -> Package:
    """The chain example with ``value`` in every place strings reach the output."""
    package = Package.load("chain").copy()
    task = package.task("describe")
    task.container.env.add(key="FCOMP_ENV", value=value)
    task.container.args.append(value)
    task.metadata.metadata.annotations["fcomp.test/task"] = value
    lp = package.launch_plan("chain_wf").spec
    if label_value_problem(value) is None:  # other values are refused (tested below)
        task.metadata.metadata.labels["fcomp-task"] = value
        lp.labels.values["fcomp-lp"] = value
    lp.annotations.values["fcomp.test/lp"] = value
    lp.envs.values.add(key="FCOMP_LP_ENV", value=value)
    wf = package.workflow("chain_wf")
    wf.interface.inputs.variables["x"].description = value
    return package


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_argo_yaml_gives_back_every_string_and_nothing_evaluates(
    value: str, tmp_path: Path
) -> None:
    built = build_package(_hostile_package(value), tmp_path, "argo")
    assert built.errors == [], [d.render() for d in built.errors]
    docs = _delivered(built)
    strings = [s for doc in docs for s in walk_strings(doc)]
    # Each place gives back the exact string.
    assert strings.count(value) >= 3  # env value, arg, label or annotation values...
    _no_marker(docs)


@pytest.mark.parametrize("target", ["argo", "airflow"])
def test_hostile_label_values_are_refused_not_emitted(target: str, tmp_path: Path) -> None:
    """A label value Kubernetes refuses is an error naming the label, never output."""
    refused = [v for v in HOSTILE if label_value_problem(v) is not None]
    assert len(refused) > len(HOSTILE) // 2
    for i, value in enumerate(refused):
        package = _hostile_package("plain")
        package.launch_plan("chain_wf").spec.labels.values["fcomp-lp"] = value
        built = build_package(package, tmp_path / str(i), target)
        assert built.files == {}
        assert [(e.code, e.source.field) for e in built.errors] == [
            ("InvalidValue", "spec.labels.fcomp-lp")
        ]


def _only(built: Built, key: str) -> list[Any]:
    found: list[Any] = []
    stack: list[Any] = _delivered(built)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if key in item:
                found.append(item[key])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@pytest.mark.parametrize("value", HOSTILE[:30], ids=IDS[:30])
def test_argo_each_place_keeps_the_string(value: str, tmp_path: Path) -> None:
    built = build_package(_hostile_package(value), tmp_path, "argo")
    assert built.errors == []
    envs = [e for env in _only(built, "env") for e in env]
    assert {"name": "FCOMP_ENV", "value": value} in envs
    assert {"name": "FCOMP_LP_ENV", "value": value} in envs
    args = [a for arg_list in _only(built, "args") for a in arg_list]
    assert value in args
    annotations = _only(built, "annotations")
    assert any(a.get("fcomp.test/task") == value for a in annotations)
    assert any(a.get("fcomp.test/lp") == value for a in annotations)
    labels = _only(built, "labels")
    if label_value_problem(value) is None:
        assert any(lab.get("fcomp-lp") == value for lab in labels)
    params = [
        p
        for doc in _delivered(built)
        for p in doc["spec"].get("arguments", {}).get("parameters", [])
    ]
    assert any(p.get("description") == value for p in params)


def _rename(package: Package, workflow: str, new: str) -> None:
    """Give a workflow (and its default launch plan) a new name, references included."""
    for message in package.files.values():
        for ident in _identifiers(message):
            if ident.name.endswith(workflow) and ident.resource_type in (
                identifier_pb2.WORKFLOW,
                identifier_pb2.LAUNCH_PLAN,
            ):
                ident.name = new


def _identifiers(message: Any) -> list[Any]:
    out = []
    stack = [message]
    while stack:
        m = stack.pop()
        if isinstance(m, identifier_pb2.Identifier):
            out.append(m)
        for f, v in m.ListFields():
            if f.message_type is None or f.message_type.GetOptions().map_entry:
                continue
            stack.extend(v if f.is_repeated else [v])
    return out


NAMES = ["wf{{x}}", "wf {{= 1+1 }}", "wf\nnext: line", "wf: yes", "wf'\"`", "日本.wf", "wf" * 200]


@pytest.mark.parametrize("name", NAMES, ids=[f"n{i}" for i in range(len(NAMES))])
def test_workflow_and_launch_plan_names(name: str, tmp_path: Path) -> None:
    package = Package.load("chain").copy()
    _rename(package, "chain.chain_wf", name)
    built = build_package(package, tmp_path, "argo")
    if not name.isprintable():  # the loaders refuse such names, saying so
        assert built.errors and {d.code for d in built.errors} == {"LoadError"}
        return
    assert built.errors == [], [d.render() for d in built.errors]
    annotations = _only(built, "annotations")
    assert any(a.get("fcomp.dev/workflow") == name for a in annotations)
    assert any(a.get("fcomp.dev/launch-plan") == name for a in annotations)
    for doc in built.documents():
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", doc["metadata"]["name"])
    _no_marker(_delivered(built))


NODE_IDS = ["n{{x}}", "n 0", "n/../x", "n%41", "n\u00e9", "n:yes", "a" * 120]


@pytest.mark.parametrize("node_id", NODE_IDS, ids=[f"n{i}" for i in range(len(NODE_IDS))])
def test_node_ids_become_safe_names_and_encoded_paths(node_id: str, tmp_path: Path) -> None:
    package = Package.load("chain").copy()
    wf = package.workflow("chain_wf")
    old = wf.nodes[0].id
    wf.nodes[0].id = node_id
    for node in [*wf.nodes, *()]:
        node.upstream_node_ids[:] = [node_id if u == old else u for u in node.upstream_node_ids]
        for b in node.inputs:
            if b.binding.promise.node_id == old:
                b.binding.promise.node_id = node_id
    for b in wf.outputs:
        if b.binding.promise.node_id == old:
            b.binding.promise.node_id = node_id
    built = build_package(package, tmp_path, "argo")
    assert built.errors == [], [d.render() for d in built.errors]
    _no_marker(_delivered(built))
    for doc in built.documents():
        for template in doc["spec"]["templates"]:
            for task in template.get("dag", {}).get("tasks", []):
                assert re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]*", task["name"]), task["name"]
    # The node's data path is its id, percent-encoded: recoverable, and no template syntax.
    nodes = [
        p["value"]
        for p in _only(built, "parameters")
        for p in p
        if isinstance(p, dict) and p.get("name") == "node" and "value" in p
    ]
    assert urllib.parse.quote(node_id, safe="") in nodes or any(
        urllib.parse.unquote(n) == node_id for n in nodes
    ), nodes


# --- The local Argo executor ---------------------------------------------------------------

#: Arguments that reach the process unchanged through the local executor.
ARGS = ["{{x}}", "{% raw %}", "$(HOME)", "yes", "a\nb", "{{", "}}", "{{ x }}"]
#: Arguments Argo would evaluate in any of its passes over a pod were they not escaped, and
#: what the process gets: the kubelet's reading of the argument (``$$`` is ``$``, and a
#: ``$(NAME)`` naming no variable of the container stays as it is), as on Flyte.
EVALUATED = [
    ("{{= 1 + 1 }}", "{{= 1 + 1 }}"),
    ("{{workflow.name}}", "{{workflow.name}}"),
    ("$({{x}})", "$({{x}})"),
    ("{{{x}}}", "{{{x}}}"),
    ("$$({{y}}", "$({{y}}"),
    ("$({{y}}", "$({{y}}"),
]


def _echo_package(out: Path, args: list[str]) -> Package:
    """A one-node workflow running ``noop`` with a command that writes its argv to ``out``."""
    package = Package.load("chain").copy()
    task = package.task("noop")
    del task.container.args[:]
    script = "import json, sys; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))"
    task.container.args.extend([sys.executable, "-c", script, str(out), *args])
    spec = workflow_pb2.WorkflowSpec()
    spec.template.CopyFrom(package.workflow("explicit_order_wf"))
    spec.template.id.name = "echo_wf"
    keep = [n for n in spec.template.nodes if n.task_node.reference_id.name.endswith("noop")]
    del spec.template.nodes[:]
    spec.template.nodes.extend(keep[:1])
    del spec.template.nodes[0].upstream_node_ids[:]
    spec.template.interface.Clear()
    del spec.template.outputs[:]
    lp = launch_plan_pb2.LaunchPlan()
    lp.id.CopyFrom(spec.template.id)
    lp.id.resource_type = identifier_pb2.LAUNCH_PLAN
    lp.spec.workflow_id.CopyFrom(spec.template.id)
    files = {k: v for k, v in package.files.items() if k.endswith("_1.pb")}
    files["90_echo_wf_2.pb"] = spec
    files["91_echo_wf_3.pb"] = lp
    return Package(files)


def _run_echo(tmp_path: Path, args: list[str]) -> list[str]:
    from fcomp.backends.argo.localrun import run_argo_local
    from fcomp.compiler.driver import compile_paths

    out = tmp_path / "argv.json"
    compilation = compile_paths([_echo_package(out, args).write(tmp_path / "in")])
    assert compilation.ok, [d.render() for d in compilation.diagnostics]
    run, diagnostics = run_argo_local(
        compilation,
        "echo_wf",
        {},
        storage=tmp_path / "store",
        config=Config(),
        workdir=tmp_path / "work",
    )
    assert diagnostics == [] and run is not None
    assert run.phase == "Succeeded", run.message
    argv: list[str] = json.loads(out.read_text())
    return argv


def test_argo_local_run_passes_arguments_unchanged(tmp_path: Path) -> None:
    assert _run_echo(tmp_path, ARGS) == ARGS


@pytest.mark.parametrize(("arg", "expected"), EVALUATED)
def test_argo_local_run_passes_expressions_unchanged(
    tmp_path: Path, arg: str, expected: str
) -> None:
    assert _run_echo(tmp_path, [arg]) == [expected]


# --- Airflow -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_airflow_file_parses_and_keeps_every_string(value: str, tmp_path: Path) -> None:
    built = build_package(_hostile_package(value), tmp_path, "airflow")
    assert built.errors == [], [d.render() for d in built.errors]
    found = 0
    for name, text in built.files.items():
        tree = ast.parse(text, filename=name)
        constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
        found += sum(c == value for c in constants if isinstance(c, str))
    assert found >= 3  # the env values, the arg, the labels and annotations: unchanged


def test_airflow_files_import_and_render_nothing_of_the_input(tmp_path: Path) -> None:
    """Imported by Airflow's DagBag, the files have no import error; the input's strings sit
    in the pod specs unchanged, and rendering the templated fields evaluates none of them."""
    import os
    from importlib.util import find_spec

    if find_spec("airflow") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("apache-airflow is not installed")
        pytest.skip("apache-airflow is not installed")
    from fcomp.backends.airflow.home import base_env, make_home

    value = "{{ 6 * 7 }}{% if true %}jinja{% endif %}"
    built = build_package(_hostile_package(value), tmp_path / "b", "airflow")
    assert built.errors == []
    folder = tmp_path / "dags"
    folder.mkdir()
    for name, text in built.files.items():
        (folder / name).write_text(text)
    home = make_home(tmp_path / "home")
    env = {**os.environ, **base_env(home), "AIRFLOW__CORE__DAGS_FOLDER": str(folder)}
    out = tmp_path / "probe.json"
    probe = Path(__file__).resolve().parents[1] / "airflow" / "airflow_probe.py"
    proc = subprocess.run(
        [sys.executable, str(probe), str(folder), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["import_errors"] == {}
    text = json.dumps(result)
    assert json.dumps(value)[1:-1] in text  # the pod specs hold the string unchanged
    assert "42jinja" not in text and "42" + "jinja" not in text  # and nothing rendered it


@pytest.mark.parametrize("name", ["x.y", "x y", "x{{y}}", "é"])
def test_input_names_argo_refuses_are_reported(name: str, tmp_path: Path) -> None:
    """A workflow input becomes an Argo parameter of the same name: a name Argo would refuse
    (Flyte accepts any name for an input no promise reads) is an error naming the input, and
    nothing is written."""
    package = Package.load("chain").copy()
    wf = package.workflow("chain_wf")
    wf.interface.inputs.variables[name].CopyFrom(wf.interface.inputs.variables["x"])
    lp = package.launch_plan("chain_wf").spec
    params = lp.default_inputs.parameters
    params[name].var.CopyFrom(wf.interface.inputs.variables["x"])
    params[name].default.scalar.primitive.integer = 3
    built = build_package(package, tmp_path, "argo")
    assert [d.code for d in built.errors] == ["UnsupportedConstruct"] * len(built.errors) != []
    assert all(repr(name) in d.message for d in built.errors)
    assert not built.files
