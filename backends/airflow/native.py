"""Tasks the Airflow target runs with the real Airflow operator they wrap: ``airflow`` tasks
(``flytekitplugins-airflow``), whose ``custom`` holds the operator as jsonpickle text
(``task_config_pkl``: ``{"py/object": "...AirflowObj", "module", "name", "parameters"}``).

Flyte's connector builds the operator from ``module``, ``name`` and ``parameters`` and calls
its ``execute`` directly: no Jinja is rendered, and the task has no outputs. The DAG does the
same with the operator itself (the prelude's ``fcomp_native`` clears its templated fields);
the parameters Airflow's scheduling reads (``task_id``, retries, timeout, trigger rule) come
from the Flyte task instead, as Flyte's connector never used the operator's own.

The text is never unpickled: it is read as JSON, and only plain JSON values, tuples
(``py/tuple``) and ``datetime.timedelta`` values (``py/reduce``) are accepted; any other
jsonpickle object is an error naming the parameter.
"""

from __future__ import annotations

import datetime
import json
import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fcomp.compiler.plugins.units import ConnectorUnit

#: Operator arguments fcomp sets from the Flyte task (Flyte's connector ignores the
#: operator's own: it calls ``execute`` once per attempt, with Flyte's retries and timeout).
SCHEDULING = frozenset(
    {"task_id", "dag", "task_group", "trigger_rule", "retries", "retry_delay", "execution_timeout"}
)
_OBJECT = "flytekitplugins.airflow.task.AirflowObj"


class NativeError(ValueError):
    """An operator fcomp cannot write as Python source (the message says what and where)."""


@dataclass(frozen=True)
class NativeCall:
    """``module.name(**kwargs)``: values are JSON data, tuples and ``timedelta``s."""

    module: str
    name: str
    kwargs: Mapping[str, Any]


def _dotted(text: Any, what: str) -> str:
    parts = text.split(".") if isinstance(text, str) else []
    if not parts or not all(
        p.isidentifier() and p.isascii() and not keyword.iskeyword(p) for p in parts
    ):
        raise NativeError(f"{what} {text!r} is not a Python name")
    return str(text)


def _timedelta(value: Mapping[str, Any]) -> datetime.timedelta | None:
    """A jsonpickle ``timedelta``:
    ``{"py/reduce": [{"py/type": "datetime.timedelta"}, {"py/tuple": [days, s, us]}]}``."""
    reduce = value.get("py/reduce")
    if set(value) != {"py/reduce"} or not isinstance(reduce, list) or len(reduce) != 2:
        return None
    kind, args = reduce
    if kind != {"py/type": "datetime.timedelta"} or not isinstance(args, dict):
        return None
    numbers = args.get("py/tuple")
    if set(args) != {"py/tuple"} or not isinstance(numbers, list) or len(numbers) != 3:
        return None
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        return None
    try:
        return datetime.timedelta(days=numbers[0], seconds=numbers[1], microseconds=numbers[2])
    except OverflowError:
        return None


def _value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NativeError(f"parameter {where} is {value}")
        return value
    if isinstance(value, list):
        return [_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        tags = sorted(k for k in value if k.startswith("py/"))
        if not tags:
            return {k: _value(v, f"{where}.{k}") for k, v in value.items()}
        if tags == ["py/tuple"] and len(value) == 1 and isinstance(value["py/tuple"], list):
            return tuple(_value(v, f"{where}[{i}]") for i, v in enumerate(value["py/tuple"]))
        found = _timedelta(value)
        if found is not None:
            return found
        raise NativeError(
            f"parameter {where} holds a jsonpickle {tags[0]} value; only JSON values, tuples "
            "and timedeltas can be written into the DAG"
        )
    raise NativeError(f"parameter {where} has a value of type {type(value).__name__}")


def airflow_operator(unit: ConnectorUnit) -> NativeCall:
    """The operator an ``airflow`` task wraps, from its ``task_config_pkl``."""
    text = unit.config.get("task_config_pkl")
    if not isinstance(text, str):
        raise NativeError("custom.task_config_pkl is missing (not flytekitplugins-airflow output)")
    try:
        obj = json.loads(text)
    except ValueError as error:
        raise NativeError(f"custom.task_config_pkl is not JSON: {error}") from None
    if not isinstance(obj, dict) or obj.get("py/object") != _OBJECT:
        raise NativeError(f"custom.task_config_pkl does not hold an {_OBJECT}")
    module = _dotted(obj.get("module"), "the operator's module")
    name = _dotted(obj.get("name"), "the operator's class")
    if "." in name:
        raise NativeError(f"the operator's class {name!r} is not a Python name")
    parameters = obj.get("parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise NativeError("the operator's parameters are not a mapping")
    kwargs: dict[str, Any] = {}
    for key, value in parameters.items():
        if key in SCHEDULING:
            continue
        if not key.isidentifier() or not key.isascii() or keyword.iskeyword(key):
            raise NativeError(f"parameter {key!r} is not a Python name")
        kwargs[key] = _value(value, key)
    return NativeCall(module, name, kwargs)


#: How each engine's operator is found, for the engines the Airflow target runs natively.
NATIVE_ENGINES = {"airflow": airflow_operator}
