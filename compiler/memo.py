"""Values computed once per combination of objects, looked up by the objects' identity.

Large workflows repeat a few tasks many times, and the frontend shares equal node targets and
metadata between nodes, so a value that depends only on such objects (a task's execution unit,
its template) is the same for every node that holds them. Looking it up by the objects' ids
costs far less than hashing them by value. Each entry keeps its objects alive, so no other
object can have their ids while the entry exists: equal ids are the same objects.
"""

from __future__ import annotations

from typing import Generic, TypeVar

V = TypeVar("V")


class IdentityMemo(Generic[V]):
    """Values by a tuple of objects, compared by identity; cleared when ``limit`` is reached."""

    __slots__ = ("_entries", "_limit")

    def __init__(self, limit: int = 4096) -> None:
        self._entries: dict[tuple[int, ...], tuple[tuple[object, ...], V]] = {}
        self._limit = limit

    def get(self, parts: tuple[object, ...]) -> V | None:
        """The value stored for exactly these objects, or None."""
        hit = self._entries.get(tuple(map(id, parts)))
        return None if hit is None else hit[1]

    def put(self, parts: tuple[object, ...], value: V) -> V:
        """Store ``value`` for these objects and return it."""
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[tuple(map(id, parts))] = (parts, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)
