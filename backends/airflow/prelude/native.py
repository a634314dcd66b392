"""The operator of an ``airflow`` task (an Airflow operator wrapped as a Flyte task).

fcomp never imports this module: :mod:`fcomp.backends.airflow.module` copies its source into
the generated DAG files that need it.
"""

from typing import Any


def fcomp_native(operator: Any, /, **kwargs: Any) -> Any:
    """``operator(**kwargs)`` with no templated fields: Flyte runs an operator with its
    parameters exactly as given, no Jinja rendered and no template file loaded."""
    task = operator(**kwargs)
    task.template_fields = ()
    return task
