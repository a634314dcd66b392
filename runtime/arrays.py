"""Array nodes (map tasks): the size of the mapped inputs, and gathering element outputs.

As FlytePropeller's ArrayNode handler (``nodes/array/handler.go``): the mapped inputs are the
list-valued inputs and must have one length; element ``i`` writes its outputs under node path
``<array node>/<i>``; outputs are gathered into lists in index order with a plain None literal
for each element that failed; the node fails when fewer than ``min_successes`` (or
``ceil(min_success_ratio * size)``, the ratio a 32-bit float as in the ``ArrayNode`` message)
elements succeeded; by default every element must succeed.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from flyteidl.core import literals_pb2

from fcomp.runtime.codec import parse_message
from fcomp.runtime.errors import OutputsMissingError, StepError
from fcomp.runtime.literals import literal_kind, none_literal
from fcomp.runtime.plainjson import ordered_keys
from fcomp.runtime.storage import Storage


def mapped_size(node: str, inputs: Any, names: list[str]) -> int:
    """The common length of the named list inputs (all list inputs when no names are given)."""
    literals = inputs.literals
    missing = [name for name in names if name not in literals]
    if missing:
        raise StepError(f"array node '{node}' has no input '{missing[0]}'")
    chosen = names or [
        n for n in ordered_keys(literals) if literal_kind(literals[n]) == "collection"
    ]
    sizes: dict[str, int] = {}
    for name in chosen:
        if literal_kind(literals[name]) != "collection":
            raise StepError(f"array node '{node}': input '{name}' is not a list")
        sizes[name] = len(literals[name].collection.literals)
    if not sizes:
        raise StepError(f"array node '{node}': no input array provided")
    if len(set(sizes.values())) > 1:
        found = ", ".join(f"{name}: {size}" for name, size in sizes.items())
        raise StepError(f"array node '{node}': input arrays have different lengths ({found})")
    return next(iter(sizes.values()))


def float32(value: float) -> float:
    """``value`` rounded to 32 bits, as the ``ArrayNode.min_success_ratio`` field holds it."""
    rounded: float = struct.unpack("f", struct.pack("f", value))[0]
    return rounded


def required_successes(size: int, min_successes: int | None, min_ratio: float | None) -> int:
    """How many elements must succeed."""
    if min_successes is not None:
        return min_successes
    if min_ratio is not None:
        return math.ceil(float32(min_ratio) * size)
    return size


def _element_outputs(storage: Storage, node: str, index: int) -> Any | None:
    element = f"{node}/{index}"
    try:
        path = storage.latest_outputs(element)
    except OutputsMissingError:
        return None
    return parse_message(
        storage.read(path, element), literals_pb2.LiteralMap, f"node '{element}': {path}"
    )


def gather(storage: Storage, node: str, size: int, names: list[str], needed: int) -> Any:
    """The array node's outputs: one list per output name, None where an element failed."""
    elements = [_element_outputs(storage, node, index) for index in range(size)]
    failed = [index for index, outputs in enumerate(elements) if outputs is None]
    if size - len(failed) < needed:
        listed = ", ".join(str(i) for i in failed[:20]) + (", ..." if len(failed) > 20 else "")
        raise StepError(
            f"array node '{node}': {size - len(failed)} of {size} elements succeeded, "
            f"{needed} needed (no outputs for elements {listed})"
        )
    gathered = literals_pb2.LiteralMap()
    for name in names:
        collection = gathered.literals[name].collection
        collection.SetInParent()
        for index, outputs in enumerate(elements):
            if outputs is None:
                collection.literals.append(none_literal())
            elif name in outputs.literals:
                collection.literals.append(outputs.literals[name])
            else:
                raise StepError(f"node '{node}/{index}': its outputs have no '{name}'")
    return gathered
