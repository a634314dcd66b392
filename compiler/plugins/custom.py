"""Reading a task's ``custom`` settings: the protobuf-JSON form of a plugin message as flytekit
writes it (a ``google.protobuf.Struct``, so camelCase keys and every number a float).

Like Go's ``jsonpb`` (which Flyte's plugins use), a field may be given by its JSON name
(``mainApplicationFile``) or its proto name (``main_application_file``); enums by name or number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fcomp.compiler import codes, ir
from fcomp.compiler.plugins.registry import LoweringError, TaskContext

_CAMEL = re.compile(r"_([a-z0-9])")
#: ``flyteidl.core.Resources.ResourceName`` values, by name and number.
_RESOURCE_NAMES = {
    "UNKNOWN": "unknown",
    "CPU": "cpu",
    "GPU": "gpu",
    "MEMORY": "memory",
    "STORAGE": "storage",
    "EPHEMERAL_STORAGE": "ephemeral_storage",
}
_RESOURCE_NUMBERS = dict(enumerate(_RESOURCE_NAMES.values()))


def camel(name: str) -> str:
    """The JSON name of a proto field (``main_class`` -> ``mainClass``)."""
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


class Custom:
    """One message of a task's ``custom`` settings, read field by field."""

    def __init__(self, data: Any, ctx: TaskContext, where: str = "custom") -> None:
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise bad(ctx, where, f"expected an object, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.ctx = ctx
        self.where = where

    def raw(self, name: str) -> Any:
        """The field's value (JSON or proto name), or None."""
        for key in (camel(name), name):
            if key in self.data:
                return self.data[key]
        return None

    def has(self, name: str) -> bool:
        """Whether the field is set."""
        return self.raw(name) is not None

    def text(self, name: str, default: str = "") -> str:
        """A string field."""
        value = self.raw(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise bad(self.ctx, f"{self.where}.{camel(name)}", "expected a string")
        return value

    def integer(self, name: str, default: int = 0) -> int:
        """An integer field (a float with no fraction, or a decimal string, as JSON has it)."""
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            raise bad(self.ctx, f"{self.where}.{camel(name)}", "expected an integer")
        if isinstance(value, int | float) and float(value).is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
            return int(value)
        raise bad(self.ctx, f"{self.where}.{camel(name)}", f"expected an integer, got {value!r}")

    def flag(self, name: str) -> bool:
        """A boolean field."""
        value = self.raw(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise bad(self.ctx, f"{self.where}.{camel(name)}", "expected true or false")
        return value

    def enum(self, name: str, names: tuple[str, ...]) -> str:
        """An enum field as its value name (given by name or number; default the first)."""
        value = self.raw(name)
        if value is None:
            return names[0]
        if isinstance(value, str) and value in names:
            return value
        if isinstance(value, int | float) and float(value).is_integer() and 0 <= value < len(names):
            return names[int(value)]
        raise bad(self.ctx, f"{self.where}.{camel(name)}", f"expected one of {', '.join(names)}")

    def strings(self, name: str) -> dict[str, str]:
        """A ``map<string, string>`` field."""
        value = self.raw(name)
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise bad(self.ctx, f"{self.where}.{camel(name)}", "expected a map of strings")
        return dict(value)

    def string_list(self, name: str) -> list[str]:
        """A ``repeated string`` field."""
        value = self.raw(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(self.ctx, f"{self.where}.{camel(name)}", "expected a list of strings")
        return list(value)

    def message(self, name: str) -> Custom | None:
        """A sub-message field, or None when unset."""
        value = self.raw(name)
        if value is None:
            return None
        return Custom(value, self.ctx, f"{self.where}.{camel(name)}")

    def messages(self, name: str) -> list[Custom]:
        """A ``repeated`` message field."""
        value = self.raw(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise bad(self.ctx, f"{self.where}.{camel(name)}", "expected a list")
        return [
            Custom(v, self.ctx, f"{self.where}.{camel(name)}[{i}]") for i, v in enumerate(value)
        ]

    def resources(self, name: str) -> ir.Resources | None:
        """A ``flyteidl.core.Resources`` field as IR resources, or None when unset."""
        msg = self.message(name)
        if msg is None:
            return None

        def entries(key: str) -> ir.KeyValues:
            out: list[tuple[str, str]] = []
            for entry in msg.messages(key):
                raw = entry.raw("name")
                if isinstance(raw, str) and raw in _RESOURCE_NAMES:
                    res = _RESOURCE_NAMES[raw]
                elif isinstance(raw, int | float) and int(raw) in _RESOURCE_NUMBERS:
                    res = _RESOURCE_NUMBERS[int(raw)]
                elif raw is None:
                    res = "unknown"
                else:
                    raise bad(self.ctx, entry.where, f"unknown resource name {raw!r}")
                out.append((res, entry.text("value")))
            return tuple(out)

        return ir.Resources(entries("requests"), entries("limits"))


def bad(ctx: TaskContext, field: str, message: str) -> LoweringError:
    """An error about a malformed field of the task's ``custom`` settings."""
    return LoweringError.of(
        codes.INVALID_VALUE,
        f"task '{ctx.task.id.name}' of type '{ctx.task.type}': {field}: {message}",
        ctx,
        field=field,
    )
