"""A forward-only, size-bounded reader over a possibly compressed byte stream.

Archives are read through :class:`BoundedReader`: it decompresses in small chunks, never holds
more than one chunk plus what the caller asked for, refuses any single read larger than a limit
and stops with :class:`~fcomp.idl.errors.UnsafeArchiveError` once the decompressed stream passes
its total limit. A gzip bomb therefore costs at most the limit in CPU time and one chunk of
memory. Compression is recognised by magic bytes, through the :data:`DECODERS` table.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from fcomp.idl.errors import InputError, UnsafeArchiveError

#: How much compressed input is read, and decompressed output produced, per step.
CHUNK = 64 * 1024

_GZIP_MAGIC = b"\x1f\x8b"


def _plain(raw: BinaryIO) -> Iterator[bytes]:
    """The raw bytes, in chunks."""
    while chunk := raw.read(CHUNK):
        yield chunk


def _gunzip(raw: BinaryIO) -> Iterator[bytes]:
    """Decompress one or more concatenated gzip members, at most :data:`CHUNK` bytes a step."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = b""
    while True:
        data = pending or raw.read(CHUNK)
        try:
            out = inflater.decompress(data, CHUNK)
        except zlib.error as exc:
            raise InputError(f"corrupt gzip data ({exc})") from None
        pending = inflater.unconsumed_tail
        if out:
            yield out
        if inflater.eof:
            rest = inflater.unused_data
            while len(rest) < len(_GZIP_MAGIC) and (more := raw.read(CHUNK)):
                rest += more
            if not rest.strip(b"\0"):
                return  # end of the stream, or zero padding after it
            if not rest.startswith(_GZIP_MAGIC):
                raise InputError("unexpected data after the end of the gzip stream")
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            pending = rest
        elif not out and not data:
            raise InputError("truncated gzip stream (the file ends early)")


@dataclass(frozen=True, slots=True)
class Decoder:
    """A stream format recognised by its leading magic bytes."""

    name: str
    magic: bytes
    decode: Callable[[BinaryIO], Iterator[bytes]]


#: Compressions understood, tried in order; the raw stream is used when none matches.
DECODERS: tuple[Decoder, ...] = (Decoder("gzip", _GZIP_MAGIC, _gunzip),)
#: Compressions recognised only to refuse them with a clear message.
UNSUPPORTED_MAGIC: dict[bytes, str] = {
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"(\xb5/\xfd": "zstd",
}


def open_decoded(raw: BinaryIO) -> Iterator[bytes]:
    """Chunks of ``raw`` decompressed according to its magic bytes (``raw`` must be seekable)."""
    head = raw.read(8)
    raw.seek(0)
    for magic, name in UNSUPPORTED_MAGIC.items():
        if head.startswith(magic):
            raise InputError(f"{name}-compressed archives are not supported; use gzip")
    for decoder in DECODERS:
        if head.startswith(decoder.magic):
            return decoder.decode(raw)
    return _plain(raw)


class BoundedReader:
    """A read-only, forward-seeking file object over decoded chunks, with hard limits.

    ``max_total`` bounds the bytes produced over the whole stream; ``max_read`` bounds a single
    :meth:`read` (tar headers and member bodies are read whole, so this bounds the memory any
    one of them can claim, including pax and GNU long-name records).
    """

    def __init__(
        self, chunks: Iterator[bytes], *, max_total: int, max_read: int, name: str = ""
    ) -> None:
        self.name = name
        self._chunks = chunks
        self._max_total = max_total
        self._max_read = max_read
        self._buffer = bytearray()
        self._position = 0  # stream offset of the first byte of the buffer
        self._produced = 0
        self._exhausted = False

    def _fill(self, wanted: int) -> None:
        """Decode until the buffer holds ``wanted`` bytes or the stream ends."""
        while len(self._buffer) < wanted and not self._exhausted:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._exhausted = True
                return
            self._produced += len(chunk)
            if self._produced > self._max_total:
                raise UnsafeArchiveError(
                    f"unsafe archive: it expands to more than {self._max_total} bytes; "
                    "nothing was loaded from it"
                )
            self._buffer += chunk

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes (all that is left is refused unless under ``max_read``)."""
        if size < 0 or size > self._max_read:
            raise UnsafeArchiveError(
                f"unsafe archive: a record in it needs more than {self._max_read} bytes; "
                "nothing was loaded from it"
            )
        self._fill(size)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        self._position += len(out)
        return out

    def tell(self) -> int:
        """The current stream offset."""
        return self._position

    def seek(self, offset: int, whence: int = 0, /) -> int:
        """Move forward to ``offset`` (absolute) by decoding and dropping what lies between."""
        if whence != 0 or offset < self._position:
            raise InputError("the archive reader cannot seek backwards")
        while self._position < offset:
            step = min(offset - self._position, CHUNK)
            self._fill(step)
            if not self._buffer:
                break  # past the end: reads will return nothing, as for a regular file
            taken = min(step, len(self._buffer))
            del self._buffer[:taken]
            self._position += taken
        return self._position

    def rest_is_zeros(self) -> bool:
        """Read the rest of the stream (within the limits); whether it is all zero bytes."""
        zeros = True
        while True:
            self._fill(CHUNK)
            if not self._buffer:
                return zeros
            zeros = zeros and not self._buffer.strip(b"\0")
            self._position += len(self._buffer)
            self._buffer = bytearray()

    def write(self, data: bytes, /) -> int:
        """Refuse: the reader is read-only."""
        raise InputError("the archive reader is read-only")

    def close(self) -> None:
        """Release the buffer."""
        self._buffer = bytearray()
