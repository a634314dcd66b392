"""Loading is file-level work only: 50,000-node workflow packages load whole, with the trial parse
of an unsuffixed file. (Load time is measured by ``benchmarks/``, not asserted here.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flyteidl.admin import task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2, tasks_pb2

from fcomp.idl.load import load_paths
from fcomp.idl.model import EntityKind

NODES = 50_000


def _big_workflow() -> bytes:
    spec = workflow_pb2.WorkflowSpec()
    template = spec.template
    template.id.resource_type = identifier_pb2.WORKFLOW
    template.id.name = "big.wf"
    for i in range(NODES):
        node = template.nodes.add()
        node.id = f"n{i}"
        node.metadata.name = f"t{i}"
        node.task_node.reference_id.resource_type = identifier_pb2.TASK
        node.task_node.reference_id.name = "big.t"
        if i:
            node.upstream_node_ids.append(f"n{i - 1}")
            binding = node.inputs.add()
            binding.var = "a"
            binding.binding.promise.node_id = f"n{i - 1}"
            binding.binding.promise.var = "o0"
    return spec.SerializeToString()


def test_fifty_thousand_node_workflows_load(make_tar: Any, tmp_path: Path):
    workflow = _big_workflow()
    task = task_pb2.TaskSpec(
        template=tasks_pb2.TaskTemplate(
            id=identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="big.t"),
            type="python-task",
        )
    ).SerializeToString()
    members = [("0_big.t_1.pb", task)] + [(f"{i}_big.wf{i}_2.pb", workflow) for i in range(1, 4)]
    archive = make_tar(tmp_path / "big.tgz", members)
    loose = tmp_path / "big.pb"  # no suffix: the trial parse runs
    loose.write_bytes(workflow)

    result = load_paths([archive, loose])

    assert result.diagnostics == []
    assert [e.kind for e in result.entities] == [EntityKind.TASK] + [EntityKind.WORKFLOW] * 4
    assert all(len(e.message.template.nodes) == NODES for e in result.entities[1:])
