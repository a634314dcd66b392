"""Outputs: ``outputs.result`` (stdout, one trailing newline trimmed), ``valueFrom.path`` read
from a per-node local directory, defaults, DAG outputs, ``{{outputs.parameters.x.path}}``."""

from __future__ import annotations

from pathlib import Path

from argo_local_support import Runner, phases

from fcomp.backends.argo.local.paths import PathMap

OUTPUTS = """
kind: Workflow
metadata: {name: outs}
spec:
  entrypoint: main
  templates:
  - name: write
    inputs: {parameters: [{name: v}]}
    outputs:
      parameters:
      - {name: value, valueFrom: {path: /tmp/out/value.txt}}
      - {name: other, valueFrom: {path: /tmp/missing.txt, default: fallback}}
      - {name: fixed, value: constant}
      - {name: where, valueFrom: {path: /tmp/where}}
    container:
      image: alpine
      command: [sh, -c]
      args:
      - |
        sleep 0.1
        printf '%s\\n' "{{inputs.parameters.v}}" > /tmp/out/value.txt
        echo "{{outputs.parameters.where.path}}" > /tmp/where
        printf 'line1\\nline2\\n\\n'
        echo to-stderr >&2
  - name: read
    inputs: {parameters: [{name: a}, {name: b}, {name: c}]}
    container:
      image: alpine
      command: [echo, "{{inputs.parameters.a}}|{{inputs.parameters.b}}|{{inputs.parameters.c}}"]
  - name: main
    outputs:
      parameters:
      - {name: first, valueFrom: {parameter: "{{tasks.one.outputs.parameters.value}}"}}
      - name: missing
        valueFrom: {parameter: "{{workflow.outputs.parameters.nothing}}", default: dflt}
      - {name: computed, valueFrom: {expression: "tasks.one.outputs.parameters.fixed + '!'"}}
    dag:
      tasks:
      - {name: one, template: write, arguments: {parameters: [{name: v, value: "1"}]}}
      - {name: two, template: write, arguments: {parameters: [{name: v, value: "2"}]}}
      - name: use
        depends: one && two
        template: read
        arguments:
          parameters:
          - {name: a, value: "{{tasks.one.outputs.parameters.value}}"}
          - {name: b, value: "{{tasks.two.outputs.parameters.other}}"}
          - {name: c, value: "{{tasks.two.outputs.parameters.fixed}}"}
"""


def test_output_parameters_and_results(run: Runner, tmp_path: Path) -> None:
    result = run(OUTPUTS)
    assert result.phase == "Succeeded"
    one, two = result.nodes["one"], result.nodes["two"]
    assert one.outputs["value"] == "1\n"  # a file's content is kept as it is
    assert two.outputs["value"] == "2\n"  # parallel steps wrote the "same" path apart
    assert one.outputs["other"] == "fallback"
    assert one.outputs["fixed"] == "constant"
    where = Path(one.outputs["where"].strip())
    assert where.is_relative_to(tmp_path) and where.name == "where"
    assert one.result == "line1\nline2\n"  # stdout only, one trailing newline removed
    assert one.stderr_path is not None and one.stderr_path.read_text() == "to-stderr\n"
    assert one.exit_code == 0
    assert result.nodes["use"].result == "1\n|fallback|constant"
    assert result.outputs == {"first": "1\n", "missing": "dflt", "computed": "constant!"}


def test_missing_output_file_is_an_error(run: Runner) -> None:
    result = run(OUTPUTS.replace("/tmp/missing.txt, default: fallback", "/tmp/missing.txt"))
    assert phases(result) == {"one": "Error", "two": "Error", "use": "Omitted"}
    assert result.nodes["one"].message == (
        "output parameter 'other': open /tmp/missing.txt: no such file or directory"
    )
    assert result.phase == "Error"


def test_result_keeps_the_last_256_kib(run: Runner) -> None:
    text = """
kind: Workflow
metadata: {name: big}
spec:
  entrypoint: big
  templates:
  - name: big
    script:
      image: python
      command: [python3]
      source: |
        import sys
        sys.stdout.write("x" * 10 + "y" * (256 * 1024) + "\\n")
"""
    result = run(text)
    assert result.phase == "Succeeded"
    assert result.nodes[""].result == "y" * (256 * 1024)


def test_path_map_rewrites_whole_paths_only(tmp_path: Path) -> None:
    paths = PathMap()
    paths.add("/tmp/out.txt", tmp_path / "a")
    paths.add("/data", tmp_path / "d")
    text = "echo 1 > /tmp/out.txt; cat /tmp/out.txt2 /var/tmp/out.txt /data/x '/data' /database"
    assert paths.rewrite(text) == (
        f"echo 1 > {tmp_path}/a; cat /tmp/out.txt2 /var/tmp/out.txt {tmp_path}/d/x "
        f"'{tmp_path}/d' /database"
    )
    assert paths.local("/data/sub/f") == tmp_path / "d" / "sub" / "f"
    assert paths.local("/elsewhere") == Path("/elsewhere")
