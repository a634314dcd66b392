"""The identity memo: values found only for the very objects they were stored with."""

from __future__ import annotations

from fcomp.compiler.memo import IdentityMemo


def test_found_for_the_same_objects_only() -> None:
    memo: IdentityMemo[str] = IdentityMemo()
    a, b = [1], [1]  # equal, not identical
    assert memo.put((a, "x"), "stored") == "stored"
    assert memo.get((a, "x")) == "stored"
    assert memo.get((b, "x")) is None
    assert memo.get((a, "y")) is None


def test_entries_keep_their_objects_alive() -> None:
    memo: IdentityMemo[int] = IdentityMemo()
    memo.put((object(),), 1)
    # The stored object is alive, so no new object can take its id and be found.
    for _ in range(1000):
        assert memo.get((object(),)) is None


def test_cleared_at_the_limit() -> None:
    memo: IdentityMemo[int] = IdentityMemo(limit=2)
    keys = [(object(),) for _ in range(3)]
    memo.put(keys[0], 0)
    memo.put(keys[1], 1)
    assert len(memo) == 2
    memo.put(keys[2], 2)
    assert len(memo) == 1
    assert memo.get(keys[0]) is None
    assert memo.get(keys[2]) == 2
