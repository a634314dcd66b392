"""A fast, deterministic YAML writer for the JSON-like data fcomp emits.

Block style like PyYAML's default (two-space indent, lists under a key not indented), keys in
the order given. A string is written plain only when every YAML 1.1 and 1.2 reader takes it as
that same string (letters, digits and a few punctuation marks, not a boolean, null or number
word); any other string is double-quoted with JSON escapes, which YAML reads identically. The
output loads with ``yaml.safe_load`` to exactly the data written.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_./-]*$")
#: Words some YAML reader (1.1 or 1.2, PyYAML, Go's yaml) turns into booleans or null.
_RESERVED = frozenset("""y yes n no true false on off null nil none ~""".split())
#: Characters written escaped besides the C0 controls JSON escapes: those outside YAML's
#: printable set, YAML 1.1's extra line breaks (NEL, LS, PS) and the byte-order mark.
_NON_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


#: ``json.dumps(s, ensure_ascii=False)`` of a string (the C function when there is one).
_json_string = json.encoder.encode_basestring


def _escape_non_printable(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def scalar(value: Any) -> str:
    """One scalar as YAML text."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _float(value)
    if isinstance(value, str):
        return _string(str(value))
    if isinstance(value, int):
        return str(int(value))
    raise TypeError(f"cannot write {kind.__name__} as YAML")


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "." not in text:  # YAML 1.1 floats need a dot: 1e-05 -> 1.0e-05
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0" + (f"e{exponent}" if exponent else "")
    return text


def _string(value: str) -> str:
    found = _STRINGS.get(value)
    if found is not None:
        return found
    if _PLAIN.match(value) and value.lower() not in _RESERVED:
        found = value
    else:
        found = _quoted(value)
    if len(value) <= 64:  # short strings repeat (names, paths); long ones rarely do
        if len(_STRINGS) >= 65536:
            _STRINGS.clear()
        _STRINGS[value] = found
    return found


def _quoted(value: str) -> str:
    quoted = _json_string(value)
    if quoted.isascii():
        if "\x7f" not in quoted:
            return quoted
    elif not _NON_PRINTABLE.search(quoted):
        return quoted
    return _NON_PRINTABLE.sub(_escape_non_printable, quoted)


#: Strings as written, by value.
_STRINGS: dict[str, str] = {}


_MAP = (dict,)
_SEQ = (list, tuple)


def _emit(value: Any, indent: str, out: list[str]) -> None:
    """Append the lines of a mapping or sequence value at ``indent``."""
    # Keys and short strings are mostly found in their tables: looked up inline (a call per
    # line is a large part of the cost on documents of tens of thousands of tasks).
    append = out.append
    keys, strings = _KEYS.get, _STRINGS.get
    if type(value) in _MAP or isinstance(value, Mapping):
        for key, item in value.items():
            k = keys(key) or _key(key)
            kind = type(item)
            if kind is str:
                append(f"{indent}{k}: {strings(item) or _string(item)}\n")
            elif kind in _MAP and item:
                append(f"{indent}{k}:\n")
                _emit(item, indent + "  ", out)
            elif kind in _SEQ and item:
                append(f"{indent}{k}:\n")
                _emit(item, indent, out)
            else:
                append(f"{indent}{k}: {_inline(item)}\n")
        return
    first = indent + "- "
    rest = indent + "  "
    deeper = indent + "    "
    for item in value:
        kind = type(item)
        if kind in _MAP and item:
            lead = first
            for key, sub in item.items():
                k = keys(key) or _key(key)
                sub_kind = type(sub)
                if sub_kind is str:
                    append(f"{lead}{k}: {strings(sub) or _string(sub)}\n")
                elif sub_kind in _MAP and sub:
                    append(f"{lead}{k}:\n")
                    _emit(sub, deeper, out)
                elif sub_kind in _SEQ and sub:
                    append(f"{lead}{k}:\n")
                    _emit(sub, rest, out)
                else:
                    append(f"{lead}{k}: {_inline(sub)}\n")
                lead = rest
        elif kind in _SEQ and item:
            append(f"{indent}-\n")
            _emit(item, rest, out)
        elif kind is str:
            append(f"{first}{strings(item) or _string(item)}\n")
        else:
            append(f"{first}{_inline(item)}\n")


#: Keys as written (keys repeat on every node: looked up once).
_KEYS: dict[Any, str] = {}


def _key(key: Any) -> str:
    found = _KEYS.get(key)
    if found is None:
        found = _string(str(key))
        if type(key) is str and len(_KEYS) < 4096:
            _KEYS[key] = found
    return found


def _inline(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind in _MAP:
        return "{}"
    if kind in _SEQ:
        return "[]"
    return scalar(value)


def dump(document: Mapping[str, Any] | Sequence[Any]) -> str:
    """One document as YAML text."""
    out: list[str] = []
    if isinstance(document, dict | Mapping | list | tuple) and document:
        _emit(document, "", out)
    else:
        out.append(_inline(document) + "\n")
    return "".join(out)


def dump_all(documents: Iterable[Mapping[str, Any]]) -> str:
    """Several documents separated by ``---``."""
    return "---\n".join(dump(d) for d in documents)
