"""A faster ``__init__`` for the frozen, slotted dataclasses built once per node.

A frozen dataclass's generated ``__init__`` stores each field through
``object.__setattr__(self, "name", value)``: an attribute lookup and a call by name per field,
about half the cost of making the object. Large workflows make hundreds of thousands of a few
such classes (sources, bindings, promises, nodes), so :func:`fast_init` gives those classes an
``__init__`` that stores each field straight through its slot's descriptor. The class stays a
frozen dataclass in every other way (equality, hashing, ``replace``, assignment refused).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def fast_init(cls: type[T]) -> type[T]:
    """Give the frozen, slotted dataclass ``cls`` an ``__init__`` that sets its slots directly.

    The new ``__init__`` takes the same arguments (positional or by name, the same defaults).
    Classes it cannot stand in for (init-only or keyword-only fields, default factories,
    ``__post_init__``, not frozen or not slotted) are refused, so it is never silently wrong.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: fast_init needs a frozen dataclass with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: fast_init does not run __post_init__")
    namespace: dict[str, Any] = {}
    args: list[str] = []
    body: list[str] = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: fast_init takes plain fields only")
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(args)}):\n" + ("\n".join(body) or "    pass")
    exec(source, namespace)  # the text is built from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses assigning a method
    return cls
