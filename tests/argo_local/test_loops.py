"""Fan-out: ``withSequence``, ``withItems``, ``withParam``, template ``parallelism``, node names
``task(i:item)`` and gathered outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from argo_local_support import Runner, phases

from fcomp.backends.argo.local.dag import expand_sequence, item_label
from fcomp.backends.argo.local.engine import StepError


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        ({"count": "3"}, ["0", "1", "2"]),
        ({"count": 2, "start": "5"}, ["5", "6"]),
        ({"start": "1", "end": "3"}, ["1", "2", "3"]),
        ({"start": "3", "end": "1"}, ["3", "2", "1"]),
        ({"count": "0"}, []),
        ({"start": "8", "end": "10", "format": "run-%02d"}, ["run-08", "run-09", "run-10"]),
    ],
)
def test_expand_sequence(sequence: dict[str, object], expected: list[str]) -> None:
    assert expand_sequence(sequence) == expected


def test_expand_sequence_needs_count_or_end() -> None:
    with pytest.raises(StepError, match="count or end"):
        expand_sequence({"start": "1"})


@pytest.mark.parametrize(
    ("item", "label"),
    [
        ("a", "a"),
        (3, "3"),
        (True, "true"),
        ({"os": "debian", "tag": 9.1}, "os:debian,tag:9.1"),
        (["x", 1], "[x 1]"),
    ],
)
def test_item_labels(item: object, label: str) -> None:
    assert item_label(item) == label


SQUARES = """
kind: Workflow
metadata: {name: squares}
spec:
  entrypoint: main
  templates:
  - name: square
    inputs: {parameters: [{name: n}]}
    outputs:
      parameters: [{name: twice, valueFrom: {path: /tmp/twice}}]
    script:
      image: python
      command: [sh]
      source: |
        echo "start $(date +%s.%N)" >> {log}/{{inputs.parameters.n}}
        sleep 0.25
        echo "end $(date +%s.%N)" >> {log}/{{inputs.parameters.n}}
        echo -n $(( {{inputs.parameters.n}} * 2 )) > /tmp/twice
        echo $(( {{inputs.parameters.n}} * {{inputs.parameters.n}} ))
  - name: show
    inputs: {parameters: [{name: all}, {name: twice}]}
    container:
      image: alpine
      command: [echo, "{{inputs.parameters.all}} {{inputs.parameters.twice}}"]
  - name: fan
    parallelism: 2
    outputs:
      parameters: [{name: squares, valueFrom: {parameter: "{{tasks.sq.outputs.result}}"}}]
    dag:
      tasks:
      - name: sq
        template: square
        withSequence: {count: "4"}
        arguments: {parameters: [{name: n, value: "{{item}}"}]}
      - name: show
        depends: sq
        template: show
        arguments:
          parameters:
          - {name: all, value: "{{tasks.sq.outputs.result}}"}
          - {name: twice, value: "{{tasks.sq.outputs.parameters.twice}}"}
  - name: main
    outputs:
      parameters:
      - name: squares
        valueFrom: {parameter: "{{tasks.fan.outputs.parameters.squares}}"}
    dag:
      tasks:
      - {name: fan, template: fan}
"""


def _intervals(folder: Path) -> list[tuple[float, float]]:
    spans = []
    for file in folder.iterdir():
        lines = dict(line.split() for line in file.read_text().splitlines())
        spans.append((float(lines["start"]), float(lines["end"])))
    return spans


def test_with_sequence_parallelism_and_gathered_results(run: Runner, tmp_path: Path) -> None:
    log = tmp_path / "spans"
    log.mkdir()
    result = run(SQUARES.replace("{log}", str(log)))
    assert result.phase == "Succeeded"
    assert phases(result) == {
        "fan": "Succeeded",
        "fan.sq": "Succeeded",
        "fan.sq(0:0)": "Succeeded",
        "fan.sq(1:1)": "Succeeded",
        "fan.sq(2:2)": "Succeeded",
        "fan.sq(3:3)": "Succeeded",
        "fan.show": "Succeeded",
    }
    assert [result.nodes[f"fan.sq({i}:{i})"].result for i in range(4)] == ["0", "1", "4", "9"]
    assert result.nodes["fan.show"].result == "[0,1,4,9] [0,2,4,6]"
    assert result.outputs == {"squares": "[0,1,4,9]"}
    spans = _intervals(log)
    overlaps = [sum(1 for s, e in spans if s <= start < e) for start, _ in spans]
    assert max(overlaps) == 2  # parallelism: 2 held, and used


ITEMS = """
kind: Workflow
metadata: {name: items}
spec:
  entrypoint: main
  templates:
  - name: gen
    script:
      image: python
      command: [python3]
      source: |
        import json
        print(json.dumps([{"os": "debian", "tag": "9"}, {"os": "alpine", "tag": "3.6"}]))
  - name: show
    inputs: {parameters: [{name: a}, {name: b}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.a}}:{{inputs.parameters.b}}"]}
  - name: main
    dag:
      tasks:
      - name: static
        template: show
        withItems: [{a: x, b: 1}, {a: y, b: 2}]
        arguments: {parameters: [{name: a, value: "{{item.a}}"}, {name: b, value: "{{item.b}}"}]}
      - {name: gen, template: gen}
      - name: dynamic
        depends: gen
        template: show
        withParam: "{{tasks.gen.outputs.result}}"
        arguments: {parameters: [{name: a, value: "{{item.os}}"}, {name: b, value: "{{item.tag}}"}]}
      - name: empty
        template: show
        withParam: "[]"
        arguments: {parameters: [{name: a, value: "{{item}}"}, {name: b, value: "-"}]}
      - name: after-empty
        depends: empty
        template: show
        arguments: {parameters: [{name: a, value: "ran"}, {name: b, value: "ok"}]}
      - name: words
        template: show
        withItems: [hello world, 42]
        arguments: {parameters: [{name: a, value: "{{item}}"}, {name: b, value: "{{=item}}"}]}
"""


def test_with_items_and_with_param(run: Runner) -> None:
    result = run(ITEMS)
    assert result.phase == "Succeeded"
    assert phases(result) == {
        "static": "Succeeded",
        "static(0:a:x,b:1)": "Succeeded",
        "static(1:a:y,b:2)": "Succeeded",
        "gen": "Succeeded",
        "dynamic": "Succeeded",
        "dynamic(0:os:debian,tag:9)": "Succeeded",
        "dynamic(1:os:alpine,tag:3.6)": "Succeeded",
        "empty": "Skipped",
        "after-empty": "Succeeded",
        "words": "Succeeded",
        "words(0:hello world)": "Succeeded",
        "words(1:42)": "Succeeded",
    }
    assert result.nodes["static(1:a:y,b:2)"].result == "y:2"
    assert result.nodes["dynamic(1:os:alpine,tag:3.6)"].result == "alpine:3.6"
    assert result.nodes["empty"].message == "Skipped, empty params"
    assert result.nodes["words(0:hello world)"].result == "hello world:hello world"
    assert result.nodes["words(1:42)"].result == "42:42"
    assert result.nodes["static"].children == ("static(0:a:x,b:1)", "static(1:a:y,b:2)")


AGGREGATE = """
kind: Workflow
metadata: {name: agg}
spec:
  entrypoint: main
  templates:
  - name: emit
    inputs: {parameters: [{name: i}]}
    outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
    container:
      image: alpine
      command: [sh, -c]
      args:
      - 'echo -n "v{{inputs.parameters.i}}" > /tmp/p; echo "{\\"i\\": {{inputs.parameters.i}}}"'
  - name: show
    inputs: {parameters: [{name: x}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.x}}"]}
  - name: main
    dag:
      tasks:
      - name: e
        template: emit
        withItems: [1, 2]
        arguments: {parameters: [{name: i, value: "{{item}}"}]}
      - name: r
        depends: e
        template: show
        arguments: {parameters: [{name: x, value: "{{tasks.e.outputs.result}}"}]}
      - name: p
        depends: e
        template: show
        arguments: {parameters: [{name: x, value: "{{tasks.e.outputs.parameters.p}}"}]}
      - name: all
        depends: e
        template: show
        arguments: {parameters: [{name: x, value: "{{tasks.e.outputs.parameters}}"}]}
"""


def test_aggregated_outputs_of_a_fan_out(run: Runner) -> None:
    result = run(AGGREGATE)
    assert result.phase == "Succeeded"
    assert json.loads(result.nodes["r"].result or "") == [{"i": 1}, {"i": 2}]
    assert result.nodes["r"].result == '[{"i":1},{"i":2}]'
    assert result.nodes["p"].result == '["v1","v2"]'
    assert result.nodes["all"].result == '[{"p":"v1"},{"p":"v2"}]'


LIMITED = """
kind: Workflow
metadata: {name: limited}
spec:
  entrypoint: main
  {parallelism}
  templates:
  - name: work
    container:
      image: alpine
      command: [sh, -c]
      args:
      - >-
        echo "start $(date +%s.%N)" >> {log}/$$$$; sleep 0.15;
        echo "end $(date +%s.%N)" >> {log}/$$$$
  - name: main
    dag:
      tasks:
      - {name: a, template: work}
      - {name: b, template: work}
      - {name: c, template: work}
"""


@pytest.mark.parametrize(
    ("parallelism", "max_parallel"), [("parallelism: 1", 4), ("", 1)], ids=["spec", "local"]
)
def test_workflow_parallelism_and_max_parallel(
    run: Runner, tmp_path: Path, parallelism: str, max_parallel: int
) -> None:
    # The kubelet reads "$$" in args as "$": the shell's "$$" is written "$$$$".
    log = tmp_path / "spans"
    log.mkdir()
    text = LIMITED.replace("{parallelism}", parallelism).replace("{log}", str(log))
    result = run(text, max_parallel=max_parallel)
    assert result.phase == "Succeeded"
    spans = _intervals(log)
    assert len(spans) == 3
    assert max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans) == 1
