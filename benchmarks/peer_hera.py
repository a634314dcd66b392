"""The peer: the benchmark's DAG written by hand with hera, as a whole process.

The same structure fcomp builds for a shape (:mod:`benchmarks.shapes`): one container template
per task (the ``pyflyte-execute`` command with the node's paths), one DAG task per node with
its node path and input plan as arguments and ``depends`` on the nodes it reads; subworkflows
(``nested``) as DAG templates of their own. No checks, no size limit; ``to_yaml()`` at the end.

    python benchmarks/peer_hera.py SHAPE N OUT.yaml
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hera.workflows import DAG, Container, Parameter, Task, WorkflowTemplate

from benchmarks.shapes import MODULE, TASKS, Step, graph

IMAGE = "ghcr.io/fcomp/bench:1"
DATA = "/tmp/fcomp-data/{{workflow.name}}/{{inputs.parameters.node}}/data"


def _container(k: int) -> Container:
    args = [
        "pyflyte-execute", "--inputs", f"{DATA}/inputs.pb", "--output-prefix", f"{DATA}/0",
        "--raw-output-data-prefix", "/tmp/fcomp-data/raw", "--resolver",
        "flytekit.core.python_auto_container.default_task_resolver", "--", "task-module", MODULE,
        "task-name", f"t{k}",
    ]  # fmt: skip
    return Container(
        name=f"t{k}",
        image=IMAGE,
        args=args,
        inputs=[Parameter(name="node"), Parameter(name="plan")],
    )


def _plan(s: Step, scope: str) -> str:
    def ref(source: tuple[str, str]) -> dict[str, object]:
        node = f"{scope}{source[0]}" if source[0] else "start-node"
        return {"promise": {"node": node, "var": source[1]}}

    return json.dumps({"a": ref(s.a), "b": ref(s.b)}, sort_keys=True, separators=(",", ":"))


def _tasks(steps: list[Step], containers: list[Container], subs: list[DAG], scope: str) -> None:
    for s in steps:
        template = subs[s.sub] if s.sub >= 0 else containers[s.task]
        ups = sorted({n for n, _ in (s.a, s.b) if n})
        Task(
            name=s.id,
            template=template,
            arguments={"node": f"{scope}{s.id}", "plan": _plan(s, scope)},
            depends=" && ".join(ups) if ups else None,
        )


def build(shape: str, n: int) -> str:
    """The YAML of the shape's WorkflowTemplate."""
    g = graph(shape, n)
    with WorkflowTemplate(name=f"{shape}-wf", entrypoint="main") as wt:
        containers = [_container(k) for k in range(TASKS)]
        subs: list[DAG] = []
        for i, steps in enumerate(g.subs):
            with DAG(name=f"part{i}", inputs=[Parameter(name="node"), Parameter(name="plan")]) as d:
                _tasks(steps, containers, [], "{{inputs.parameters.node}}/")
            subs.append(d)
        with DAG(name="main"):
            _tasks(g.steps, containers, subs, "")
    return str(wt.to_yaml())


if __name__ == "__main__":
    Path(sys.argv[3]).write_text(build(sys.argv[1], int(sys.argv[2])), encoding="utf-8")
