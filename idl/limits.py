"""Safety limits for reading untrusted inputs (archives, files, documents)."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """How much the loaders read before refusing an input.

    ``max_file_bytes`` bounds every single file: a ``.pb``/``.json``/``.yaml`` file on disk and
    every member of an archive (by its declared size, checked before reading). An archive as a
    whole may expand to at most ``max_total_bytes`` (counted on the decompressed stream, headers
    included, so a small gzip that expands hugely stops there) and hold at most ``max_members``
    members; a folder may hold at most ``max_members`` entity files.
    """

    max_file_bytes: int = 64 * MIB
    max_total_bytes: int = 512 * MIB
    max_members: int = 100_000


#: The limits used when none are given.
DEFAULT_LIMITS = Limits()
