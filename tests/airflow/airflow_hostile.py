"""A crafted input whose names and strings try to break out of a generated DAG file: the
``greet_daily`` launch plan of the launch-plan example, with hostile launch-plan, workflow,
node and input names, default and fixed values, descriptions, annotations and a task
environment variable (quotes, newlines, ``'''``, ``{{ }}``, ``__import__``, unicode)."""

from __future__ import annotations

import tarfile
from pathlib import Path

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

#: Entity names must be printable (the loader refuses others), so these have no newline.
HOSTILE_LP = "lp''' \"{{ dag_run }}\" __import__('os').system('false') é漢🎉"
HOSTILE_WF = 'wf""" {% raw %}{{ params }}\\ ü'
HOSTILE_NODE = "n0'; __import__('os')#{{x}}\n"
#: Promises name variables as ASCII identifiers, so an input name can only be a Python one.
HOSTILE_INPUT = "__import__"
HOSTILE_VALUE = "{{ ds }} '''\n\"\"\" \\n $(HOME) $$ __import__('os').system('x') 🎉"
HOSTILE_PUNCT = "{% if 1 %}!{% endif %}\n'"
HOSTILE_DESCRIPTION = "desc \"\"\"\n{{ conf }} ''' ✓"
HOSTILE_ENV = "env {{ var.value.x }} '''\n\"\\"

_TASK = "00_fcomp_examples.launch_plans.greet_1.pb"
_WORKFLOW = "03_fcomp_examples.launch_plans.greet_wf_2.pb"
_PLAN = "05_greet_daily_3.pb"


def craft(source: Path, folder: Path) -> Path:
    """Write the crafted task, workflow and launch plan as ``.pb`` files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source) as archive:

        def read(name: str) -> bytes:
            member = archive.extractfile(name)
            assert member is not None
            return member.read()

        task = task_pb2.TaskSpec.FromString(read(_TASK))
        workflow = workflow_pb2.WorkflowSpec.FromString(read(_WORKFLOW))
        plan = launch_plan_pb2.LaunchPlan.FromString(read(_PLAN))

    env = task.template.container.env.add()
    env.key, env.value = "FCOMP_HOSTILE", HOSTILE_ENV

    template = workflow.template
    template.id.name = HOSTILE_WF
    inputs = template.interface.inputs.variables
    inputs[HOSTILE_INPUT].CopyFrom(inputs["name"])
    inputs[HOSTILE_INPUT].description = HOSTILE_DESCRIPTION
    del inputs["name"]
    node = template.nodes[0]
    node.id = HOSTILE_NODE
    for binding in node.inputs:
        if binding.binding.promise.var == "name":
            binding.binding.promise.var = HOSTILE_INPUT
    template.outputs[0].binding.promise.node_id = HOSTILE_NODE

    plan.id.name = HOSTILE_LP
    plan.spec.workflow_id.name = HOSTILE_WF
    params = plan.spec.default_inputs.parameters
    params[HOSTILE_INPUT].CopyFrom(params["name"])
    params[HOSTILE_INPUT].default.scalar.primitive.string_value = HOSTILE_VALUE
    params[HOSTILE_INPUT].var.description = HOSTILE_DESCRIPTION
    del params["name"]
    plan.spec.fixed_inputs.literals["punct"].scalar.primitive.string_value = HOSTILE_PUNCT
    plan.spec.annotations.values["fcomp.io/hostile"] = HOSTILE_VALUE
    plan.spec.ClearField("entity_metadata")  # no schedule: the test triggers it by hand

    (folder / "task_1.pb").write_bytes(task.SerializeToString())
    (folder / "workflow_2.pb").write_bytes(workflow.SerializeToString())
    (folder / "plan_3.pb").write_bytes(plan.SerializeToString())
    return folder
