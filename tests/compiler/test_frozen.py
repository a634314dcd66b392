"""``fast_init``: the faster ``__init__`` builds the same frozen dataclass values."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field

import pytest

from fcomp.compiler import ir
from fcomp.compiler.diagnostics import Source
from fcomp.compiler.frozen import fast_init


@dataclass(frozen=True, slots=True)
class _Plain:
    a: str
    b: int = 3
    c: tuple[str, ...] = ()


@fast_init
@dataclass(frozen=True, slots=True)
class _Fast:
    a: str
    b: int = 3
    c: tuple[str, ...] = ()


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [(("x",), {}), (("x", 4), {}), (("x",), {"c": ("y",)}), ((), {"a": "x", "b": 5, "c": ()})],
)
def test_same_values_as_the_generated_init(args: tuple, kwargs: dict) -> None:
    plain, fast = _Plain(*args, **kwargs), _Fast(*args, **kwargs)
    assert dataclasses.astuple(plain) == dataclasses.astuple(fast)
    assert fast == _Fast(*args, **kwargs)
    assert hash(fast) == hash(_Fast(*args, **kwargs))


def test_signature_and_errors_match() -> None:
    assert str(inspect.signature(_Fast)) == str(inspect.signature(_Plain))
    for bad_args, bad_kwargs in [((), {}), (("x", 1, (), 2), {}), (("x",), {"d": 1})]:
        with pytest.raises(TypeError):
            _Plain(*bad_args, **bad_kwargs)
        with pytest.raises(TypeError):
            _Fast(*bad_args, **bad_kwargs)


def test_still_frozen_and_replaceable() -> None:
    value = ir.Promise("n0", "o0")
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.var = "o1"  # type: ignore[misc]
    assert dataclasses.replace(value, var="o1") == ir.Promise("n0", "o1")
    assert Source("f", node="n") == Source(file="f", entity="", node="n", field="")


def test_refuses_classes_it_cannot_stand_in_for() -> None:
    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclass(frozen=True, slots=True)
    class Factory:
        a: list[int] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class KeywordOnly:
        a: int = field(kw_only=True)

    @dataclass(frozen=True, slots=True)
    class PostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    for cls in (NoSlots, NotFrozen, Factory, KeywordOnly, PostInit):
        with pytest.raises(TypeError):
            fast_init(cls)
