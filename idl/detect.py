"""Tell which Flyte message a binary protobuf or a JSON/YAML object holds.

Protobuf's binary format is lenient: many messages parse from the same bytes, keeping what they
do not understand as unknown fields. A candidate is therefore taken only when it parses, leaves
no unknown field anywhere in the message, and passes its kind's plausibility check (see
:class:`~fcomp.idl.kinds.MessageKind`). Candidates are tried in the order of :data:`KINDS`;
a ``_1/_2/_3.pb`` suffix puts its kind first. JSON/YAML objects are parsed with
``ignore_unknown_fields=False`` against the kinds whose fields cover the object's keys.

When only a message with fields unknown to this flyteidl version fits (a file from a newer
flytekit, say), it is accepted with those fields dropped and a warning saying so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError

from fcomp.idl.admin import ADMIN_KINDS
from fcomp.idl.errors import InputError, one_line
from fcomp.idl.kinds import SPEC_KINDS, MessageKind, named

#: Every accepted message kind, in the order they are tried.
KINDS: tuple[MessageKind, ...] = (*SPEC_KINDS, *ADMIN_KINDS)


@dataclass(frozen=True, slots=True)
class Detected:
    """A parsed message and its kind.

    ``dropped`` is None when the message was read whole, else a (possibly empty) detail about
    the unknown fields that were dropped from it.
    """

    kind: MessageKind
    message: Any
    dropped: str | None = None


def _kind_names(kinds: Iterable[MessageKind]) -> str:
    return ", ".join(k.name for k in kinds)


def drop_unknown_fields(message: Any, encoded: bytes | None = None) -> bool:
    """Drop unknown fields at any depth; return whether there were any.

    Works in C for the upb backend: the serialized size shrinks exactly when something is
    dropped. ``encoded``: the bytes ``message`` was parsed from (unchanged since). Writers
    (pyflyte, flyteadmin) emit protobuf's canonical encoding, so when the message without
    unknown fields encodes to exactly that many bytes nothing was dropped, and the size
    before is not computed (on a large workflow each size costs as much as the parse);
    bytes of another length are parsed again to compare the sizes.
    """
    if encoded is None:
        before: int = message.ByteSize()
        message.DiscardUnknownFields()
        return bool(message.ByteSize() != before)
    message.DiscardUnknownFields()
    if message.ByteSize() == len(encoded):
        return False
    whole = type(message)()
    whole.ParseFromString(encoded)
    return bool(whole.ByteSize() != message.ByteSize())


#: Why protobuf refuses messages nested too deep, in words.
TOO_DEEP = "messages nest deeper than protobuf's limit of 100 levels"


def _parse_binary(kind: MessageKind, data: bytes) -> tuple[Any, str]:
    """The message parsed from ``data`` (or None) and the decode error text."""
    message = kind.message_type()
    try:
        message.ParseFromString(data)
    except (DecodeError, RecursionError, ValueError) as exc:
        text = str(exc)
        if isinstance(exc, RecursionError) or "MaxDepth" in text or "recursion" in text.lower():
            return None, f"{TOO_DEEP}: {one_line(text or type(exc).__name__)}"
        return None, one_line(text or type(exc).__name__)
    return message, ""


def detect_binary(data: bytes, hint: MessageKind | None = None) -> Detected:
    """The message in protobuf bytes; ``hint`` is the kind a file name suffix names.

    A hinted kind is taken when it parses cleanly and has a name, without further checks. Raises
    :class:`InputError` when no kind fits.
    """
    hinted, hint_error = (None, "") if hint is None else _parse_binary(hint, data)
    hinted_clean = hinted is not None and not drop_unknown_fields(hinted, data)
    if hint is not None and hinted is not None and named(hint.name_of(hinted)) and hinted_clean:
        return Detected(hint, hinted)
    first_error = ""
    for kind in KINDS:
        if kind is hint:
            continue
        message, error = _parse_binary(kind, data)
        first_error = first_error or error
        if (
            message is not None
            and not drop_unknown_fields(message, data)
            and kind.plausible(message)
        ):
            return Detected(kind, message)
    if hint is not None and hinted is not None and named(hint.name_of(hinted)):
        return Detected(hint, hinted, dropped="")
    if hint is not None:
        why = hint_error or f"it has no {hint.requires} or holds fields {hint.name} does not have"
        raise InputError(
            f"cannot read the file as {hint.name}, as its name's suffix says ({why}), "
            f"nor as any other Flyte message"
        )
    detail = f" ({first_error})" if first_error else ""
    raise InputError(f"not a Flyte entity: the bytes are none of {_kind_names(KINDS)}{detail}")


def _field_names(kind: MessageKind) -> frozenset[str]:
    fields = kind.message_type.DESCRIPTOR.fields
    return frozenset(f.name for f in fields) | frozenset(f.json_name for f in fields)


_FIELD_NAMES: dict[str, frozenset[str]] = {kind.name: _field_names(kind) for kind in KINDS}


def _parse_dict(kind: MessageKind, obj: dict[str, Any], *, lenient: bool) -> tuple[Any, str]:
    message = kind.message_type()
    try:
        json_format.ParseDict(obj, message, ignore_unknown_fields=lenient)
    except Exception as exc:  # json_format raises several types on bad input
        return None, one_line(str(exc) or type(exc).__name__)
    return message, ""


def detect_object(obj: object) -> Detected:
    """The message a decoded JSON/YAML object holds. Raises :class:`InputError`."""
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON/YAML object, found {type(obj).__name__}")
    keys = set(obj)
    if not keys:
        raise InputError("an empty object is not a Flyte entity")
    candidates = [k for k in KINDS if keys <= _FIELD_NAMES[k.name]]
    if not candidates:
        shown = ", ".join(sorted(map(str, keys))[:6])
        raise InputError(f"an object with keys {{{shown}}} is none of {_kind_names(KINDS)}")
    errors: dict[str, str] = {}
    for kind in candidates:
        message, error = _parse_dict(kind, obj, lenient=False)
        if message is None:
            errors[kind.name] = error
        elif kind.plausible(message):
            return Detected(kind, message)
    lenient = [
        (kind, message)
        for kind in candidates
        if kind.name in errors
        for message, _ in [_parse_dict(kind, obj, lenient=True)]
        if message is not None and kind.plausible(message)
    ]
    if len(lenient) == 1:
        kind, message = lenient[0]
        return Detected(kind, message, dropped=errors[kind.name])
    if errors:
        # An unknown field name means the shape is wrong; any other error is closer to a match.
        ranked = sorted(errors, key=lambda n: "has no field named" in errors[n])
        others = f" (also tried {', '.join(ranked[1:])})" if len(ranked) > 1 else ""
        raise InputError(f"not a valid {ranked[0]}: {errors[ranked[0]]}{others}")
    raise InputError(
        "the object lacks what identifies a Flyte message: "
        + "; ".join(f"{k.name} needs {k.requires}" for k in candidates)
    )
