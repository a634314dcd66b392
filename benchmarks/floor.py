"""The floor: the least work any compiler of a package to an Argo document does, as a whole
process. Read the archive, parse every ``.pb``, build a dict with one DAG task per node (its
template, node path and input plan, ``depends`` on its upstream nodes) and one container
template per task, and write it with ``json.dumps``. No checks, no YAML, no size limit.

    python benchmarks/floor.py PACKAGE.tgz OUT.json
"""

from __future__ import annotations

import json
import sys
import tarfile
from typing import Any

from flyteidl.admin import task_pb2, workflow_pb2


def _template(spec: task_pb2.TaskSpec) -> dict[str, Any]:
    t = spec.template
    return {
        "name": t.id.name.rsplit(".", 1)[-1],
        "inputs": {"parameters": [{"name": "node"}, {"name": "plan"}]},
        "container": {"image": t.container.image, "args": list(t.container.args)},
    }


def _dag(name: str, nodes: Any) -> dict[str, Any]:
    tasks = []
    for n in nodes:
        plan = {
            b.var: {"promise": {"node": b.binding.promise.node_id or "start-node",
                                "var": b.binding.promise.var}}
            for b in n.inputs
        }  # fmt: skip
        target = n.task_node.reference_id.name or n.workflow_node.sub_workflow_ref.name
        task: dict[str, Any] = {
            "name": n.id,
            "template": target.rsplit(".", 1)[-1],
            "arguments": {
                "parameters": [
                    {"name": "node", "value": n.id},
                    {"name": "plan", "value": json.dumps(plan, separators=(",", ":"))},
                ]
            },
        }
        if n.upstream_node_ids:
            task["depends"] = " && ".join(n.upstream_node_ids)
        tasks.append(task)
    return {"name": name.rsplit(".", 1)[-1], "dag": {"tasks": tasks}}


def main(path: str, out: str) -> None:
    templates: list[dict[str, Any]] = []
    with tarfile.open(path) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.endswith("_1.pb"):
                spec = task_pb2.TaskSpec()
                spec.ParseFromString(data)
                templates.append(_template(spec))
            elif member.name.endswith("_2.pb"):
                wf = workflow_pb2.WorkflowSpec()
                wf.ParseFromString(data)
                templates.insert(0, _dag(wf.template.id.name, wf.template.nodes))
                templates += [_dag(s.id.name, s.nodes) for s in wf.sub_workflows]
    doc = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": "floor"},
        "spec": {"entrypoint": templates[0]["name"], "templates": templates},
    }
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps(doc))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
