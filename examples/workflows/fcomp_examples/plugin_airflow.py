"""Airflow operators as Flyte tasks (flytekitplugins-airflow, task type airflow): Flyte runs
the operator itself (its ``execute``) with the parameters given, Jinja in them left as it is,
and the operator's result dropped (the task has no outputs); the task after it runs once the
operator succeeded.

flytekitplugins-airflow needs Airflow 2, so this module is packaged in an environment of its
own (``python examples/package.py -m plugin_airflow`` there); without the plugin it defines
no workflows (an Airflow operator is then not a Flyte task).
"""

import importlib.util

from flytekit import workflow

# a task of another module: running it imports only that module
from fcomp_examples.shared.steps import increment

if importlib.util.find_spec("flytekitplugins.airflow") is not None:
    from airflow.operators.bash import BashOperator

    @workflow
    def airflow_wf(x: int = 1) -> int:
        # succeeds only when the command reaches bash with its Jinja braces unrendered
        check = BashOperator(
            task_id="fcomp_examples.plugin_airflow.unrendered",
            bash_command='echo "{{ 40 + 2 }}" | grep -qF "{"',
        )
        out = increment(x=x)
        check >> out
        return out

    @workflow
    def airflow_fail_wf(x: int = 1) -> int:
        # the operator's failure fails the node, so the task after it never runs
        fail = BashOperator(task_id="fcomp_examples.plugin_airflow.fails", bash_command="exit 3")
        out = increment(x=x)
        fail >> out
        return out
