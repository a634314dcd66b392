"""Array nodes: mapped input sizes, and gathering element outputs with minimum successes."""

from __future__ import annotations

import json

import pytest
from flyteidl.core import interface_pb2
from runtime_helpers import Runtime, b64, int_literal, literal_map, to_literal, to_literal_type

from fcomp.runtime.arrays import float32, required_successes

OUTPUTS = interface_pb2.VariableMap()
OUTPUTS.variables["o0"].type.CopyFrom(to_literal_type(list[int]))
OUTPUTS.variables["o1"].type.CopyFrom(to_literal_type(list[str]))


def finish(runtime: Runtime, node: str, index: int, value: int, attempt: int = 0) -> None:
    """Element ``index`` succeeded with ``o0=value, o1=str(value)``."""
    outputs = literal_map(o0=int_literal(value), o1=to_literal(str(value), str))
    runtime.put_outputs(f"{node}/{index}", outputs, attempt)


def gather(runtime: Runtime, size: int, *extra: str) -> tuple[int, str]:
    ran = runtime("gather", "--node", "n2", "--size", str(size), "--outputs", b64(OUTPUTS), *extra)
    return ran.status, ran.err


def gathered(runtime: Runtime) -> object:
    return runtime.read_map(runtime.storage.attempt_path("n2", 0, "outputs.pb"))


def test_all_elements_gathered_in_index_order(runtime: Runtime) -> None:
    for index in range(12):  # 12 checks that 10 sorts after 9
        finish(runtime, "n2", index, index * 10)
    assert gather(runtime, 12) == (0, "")
    expected = literal_map(
        o0=to_literal([i * 10 for i in range(12)], list[int]),
        o1=to_literal([str(i * 10) for i in range(12)], list[str]),
    )
    assert gathered(runtime) == expected


def test_outputs_as_json_of_types(runtime: Runtime) -> None:
    finish(runtime, "n2", 0, 4)
    types = json.dumps({name: b64(v.type) for name, v in OUTPUTS.variables.items()})
    ran = runtime("gather", "--node", "n2", "--size", "1", "--outputs", types)
    assert (ran.status, ran.err) == (0, "")
    assert gathered(runtime).literals["o1"] == to_literal(["4"], list[str])
    bad = runtime("gather", "--node", "n2", "--size", "1", "--outputs", '{"o0": "??"}')
    assert bad.status == 1 and "--outputs type of 'o0' is not valid base64" in bad.err


def test_latest_attempt_of_an_element_wins(runtime: Runtime) -> None:
    finish(runtime, "n2", 0, 1, attempt=0)
    finish(runtime, "n2", 0, 2, attempt=1)
    assert gather(runtime, 1) == (0, "")
    assert gathered(runtime).literals["o0"] == to_literal([2], list[int])


def test_failed_elements_become_none_when_allowed(runtime: Runtime) -> None:
    finish(runtime, "n2", 0, 5)
    finish(runtime, "n2", 2, 7)
    assert gather(runtime, 3, "--min-successes", "2") == (0, "")
    items = gathered(runtime).literals["o0"].collection.literals
    assert [item.WhichOneof("value") for item in items] == ["scalar"] * 3
    assert items[1].scalar.WhichOneof("value") == "none_type"
    assert (items[0], items[2]) == (int_literal(5), int_literal(7))


def test_too_few_successes_fail(runtime: Runtime) -> None:
    finish(runtime, "n2", 0, 5)
    status, err = gather(runtime, 3, "--min-success-ratio", "0.5")
    assert status == 1
    assert "1 of 3 elements succeeded, 2 needed" in err
    assert "elements 1, 2" in err


def test_unset_template_parameters_are_empty(runtime: Runtime) -> None:
    finish(runtime, "n2", 0, 5)
    status, err = gather(runtime, 2, "--min-successes", "", "--min-success-ratio", "0.5")
    assert (status, err) == (0, "")
    status, err = gather(runtime, 2, "--min-successes", "1", "--min-success-ratio", "0.5")
    assert status == 1 and "not both" in err
    status, err = gather(runtime, 2, "--min-successes", "x")
    assert status == 1 and "--min-successes must be an integer" in err


def test_default_needs_every_element(runtime: Runtime) -> None:
    finish(runtime, "n2", 0, 5)
    status, err = gather(runtime, 2)
    assert status == 1 and "1 of 2 elements succeeded, 2 needed" in err


@pytest.mark.parametrize(
    ("size", "successes", "ratio", "needed"),
    [
        (10, None, None, 10),
        (10, 3, None, 3),
        (10, None, 0.5, 5),
        (10, None, 1.0, 10),
        (4, None, 0.6, 3),
        # The ratio is a 32-bit float in the ArrayNode message: float32(0.3) * 10 > 3.
        (10, None, 0.3, 4),
    ],
)
def test_required_successes(
    size: int, successes: int | None, ratio: float | None, needed: int
) -> None:
    assert required_successes(size, successes, ratio) == needed


def test_float32() -> None:
    assert float32(0.5) == 0.5
    assert float32(0.3) != 0.3


def test_empty_array_gathers_empty_lists(runtime: Runtime) -> None:
    assert gather(runtime, 0) == (0, "")
    assert gathered(runtime) == literal_map(
        o0=to_literal([], list[int]), o1=to_literal([], list[str])
    )


def array_size(runtime: Runtime, plan: dict[str, object], names: list[str]) -> tuple[int, str, str]:
    ran = runtime(
        "array-size", "--node", "n2", "--plan", json.dumps(plan), "--inputs", json.dumps(names)
    )
    return ran.status, ran.out.strip(), ran.err


def literal_plan(value: object, python_type: object) -> dict[str, str]:
    return {"literal": b64(to_literal(value, python_type))}


def test_array_size_prints_the_common_length(runtime: Runtime) -> None:
    plan = {
        "xs": literal_plan([1, 2, 3], list[int]),
        "ys": literal_plan(["a", "b", "c"], list[str]),
        "k": literal_plan(7, int),
    }
    assert array_size(runtime, plan, ["xs", "ys"]) == (0, "3", "")
    assert array_size(runtime, plan, []) == (0, "3", "")
    written = runtime.read_map(runtime.storage.inputs_path("n2"))
    assert sorted(written.literals) == ["k", "xs", "ys"]


def test_array_size_lengths_must_agree(runtime: Runtime) -> None:
    plan = {"xs": literal_plan([1, 2], list[int]), "ys": literal_plan(["a"], list[str])}
    status, _, err = array_size(runtime, plan, ["xs", "ys"])
    assert status == 1 and "different lengths (xs: 2, ys: 1)" in err


def test_array_size_needs_a_list(runtime: Runtime) -> None:
    plan = {"k": literal_plan(7, int)}
    status, _, err = array_size(runtime, plan, ["k"])
    assert status == 1 and "input 'k' is not a list" in err
    status, _, err = array_size(runtime, plan, [])
    assert status == 1 and "no input array provided" in err
