"""Turn the bytes of one entity file (``.pb``, ``.json``, ``.yaml``) into normalised entities."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from fcomp.compiler import codes
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source
from fcomp.idl.detect import Detected, detect_binary, detect_object
from fcomp.idl.documents import DOCUMENT_PARSERS, top_level_objects
from fcomp.idl.errors import InputError
from fcomp.idl.kinds import SUFFIX_KINDS
from fcomp.idl.model import LoadResult

#: ``pyflyte package`` file names end in ``_<k>.pb``, ``k`` naming the message type.
_PACKAGE_SUFFIX = re.compile(r"_([123])\.pb$", re.IGNORECASE)


@cache
def _flyteidl_version() -> str:
    from importlib import metadata  # only for a warning: not imported by every command

    try:
        return metadata.version("flyteidl")
    except metadata.PackageNotFoundError:  # pragma: no cover - flyteidl is a dependency
        return "?"


def _add(detected: Detected, file: str, out: LoadResult) -> None:
    """Add the entities of a detected message, with a warning if fields were dropped."""
    if detected.dropped is not None:
        detail = f" ({detected.dropped})" if detected.dropped else ""
        out.diagnostics.append(
            Diagnostic(
                Severity.WARNING,
                codes.IGNORED_FIELD,
                f"{detected.kind.name} holds fields unknown to flyteidl {_flyteidl_version()}; "
                f"they are ignored{detail}",
                Source(file=file, entity=detected.kind.name_of(detected.message)),
            )
        )
    detected.kind.add(detected.message, file, out)


def decode_binary(name: str, data: bytes, file: str, out: LoadResult) -> None:
    """A binary protobuf file: the ``_1/_2/_3`` suffix names its type, else it is detected."""
    match = _PACKAGE_SUFFIX.search(name)
    hint = SUFFIX_KINDS[match.group(1)] if match else None
    _add(detect_binary(data, hint), file, out)


Decode = Callable[[str, bytes, str, LoadResult], None]


def _document_decoder(parse: Callable[[bytes], list[object]]) -> Decode:
    """A decoder for a text format: each object in its documents is detected on its own."""

    def decode(name: str, data: bytes, file: str, out: LoadResult) -> None:
        for where, obj in top_level_objects(parse(data)):
            try:
                _add(detect_object(obj), file, out)
            except InputError as exc:
                if not where:
                    raise
                out.diagnostics.append(InputError(f"{where}: {exc.message}").diagnostic(file))

    return decode


#: Entity file decoders by lower-case suffix.
DECODERS: dict[str, Decode] = {
    ".pb": decode_binary,
    **{suffix: _document_decoder(parse) for suffix, parse in DOCUMENT_PARSERS.items()},
}


def entity_suffix(name: str) -> str | None:
    """The decoder suffix of a file name, or None when it is not an entity file."""
    lowered = name.lower()
    return next((s for s in DECODERS if lowered.endswith(s)), None)


def decode_file(name: str, data: bytes, file: str, out: LoadResult) -> None:
    """Decode an entity file named ``name`` (its suffix picks the format); ``file`` labels it."""
    suffix = entity_suffix(name)
    if suffix is None:
        raise InputError("not an entity file; expected one of " + ", ".join(DECODERS))
    if not data:
        raise InputError("the file is empty")
    out.input_bytes += len(data)
    DECODERS[suffix](name, data, file, out)
