"""The parameters of a Snowflake query as fcomp's render step returns them, back to the Python
values Flyte's connector binds (``{"datetime": ISO text}`` a ``datetime``,
``{"duration": microseconds}`` a ``timedelta``, lists element by element).

fcomp never imports this module: :mod:`fcomp.backends.airflow.module` copies its source into
the generated DAG files that need it.
"""

import datetime
from typing import Any


def fcomp_sql_parameter(value: Any) -> Any:
    """One parameter as its Python value."""
    if isinstance(value, list):
        return [fcomp_sql_parameter(v) for v in value]
    if isinstance(value, dict) and "datetime" in value:
        return datetime.datetime.fromisoformat(value["datetime"])
    if isinstance(value, dict) and "duration" in value:
        return datetime.timedelta(microseconds=value["duration"])
    return value
