"""Container command, args and env values that pass Argo's substitution unchanged.

Argo substitutes ``{{...}}`` in a container's fields three times (the template's globals, its
inputs, then the whole pod), so no expression escape survives every pass of every version.
The kubelet, which expands ``$(VAR)`` in these fields after Argo is done, gives a robust way
out: ``{{`` is written ``{$(FCOMP_LBRACE)`` with ``FCOMP_LBRACE={`` defined first in the
container's env, and Argo never sees two braces in a row.

User text keeps the kubelet's own meaning (as it has on Flyte, where the same expansion runs):
it is split into the kubelet's tokens and only the literal runs are rewritten. Text that must
reach the process as it is (storage prefixes, build settings) is written as a kubelet literal.
:func:`expand` is the kubelet's algorithm, for the local executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

#: The env variable holding ``{``; defined first in every container that needs it.
LBRACE_VAR = "FCOMP_LBRACE"
#: The reference the kubelet replaces with ``{``.
LBRACE = "$(" + LBRACE_VAR + ")"
_BRACES = "{" + LBRACE
LBRACE_ENV: dict[str, str] = {"name": LBRACE_VAR, "value": "{"}

#: The container fields the kubelet expands.
EXPANDED_FIELDS = ("command", "args")


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """The kubelet's reading of ``text``: ``("text", s)`` runs, ``("ref", name)`` for a
    complete ``$(name)``, ``("dollar", s)`` for ``$$`` (an escaped ``$``), ``$(`` with no
    closer, or ``$`` before anything else (each standing for ``s`` itself but ``$$``)."""
    start = cursor = 0
    while cursor < len(text) - 1:
        if text[cursor] != "$":
            cursor += 1
            continue
        if cursor > start:
            yield "text", text[start:cursor]
        following = text[cursor + 1]
        if following == "(":
            closer = text.find(")", cursor + 2)
            if closer >= 0:
                yield "ref", text[cursor + 2 : closer]
                start = cursor = closer + 1
                continue
        yield "dollar", "$" + following
        start = cursor = cursor + 2
    if start < len(text):
        yield "text", text[start:]


def _braces(text: str) -> str:
    return text.replace("{{", _BRACES)


def user_text(text: str) -> str:
    """A command, arg or env value given by the user: after Argo's passes and the kubelet's
    expansion, the process sees what the kubelet alone would make of ``text``."""
    if "{{" not in text:
        return text
    out: list[str] = []
    for kind, value in _tokens(text):
        if kind == "text":
            out.append(_braces(value))
        elif kind == "ref":
            # A name with braces names no variable: the kubelet writes the reference back,
            # so it is written as the literal it stands for.
            out.append("$$(" + literal(value) + ")" if "{{" in value else "$(" + value + ")")
        elif value == "$(":
            out.append("$$(")  # an unclosed "$(" must stay unclosed whatever follows
        elif value == "${":
            out.append("$$" + LBRACE)  # its "{" must not meet a "{" that follows
        else:
            out.append(value)
    return "".join(out)


def literal(text: str) -> str:
    """Text the process must see exactly as it is (no kubelet expansion, no Argo tag)."""
    if "$" not in text and "{{" not in text:
        return text
    return _braces(text.replace("$", "$$"))


def needs_lbrace(container: Mapping[str, Any]) -> bool:
    """Whether the container's command, args or env values use the ``{`` variable."""
    values = [*container.get("command", ()), *container.get("args", ())]
    values += [e.get("value", "") for e in container.get("env", ()) if isinstance(e, Mapping)]
    return any(isinstance(v, str) and LBRACE in v for v in values)


def with_lbrace(container: dict[str, Any]) -> dict[str, Any]:
    """The container with ``FCOMP_LBRACE`` defined first in its env when it needs it."""
    if not needs_lbrace(container):
        return container
    env = [e for e in container.get("env", ()) if e.get("name") != LBRACE_VAR]
    return {**container, "env": [dict(LBRACE_ENV), *env]}


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    """The kubelet's ``$(VAR)`` expansion: ``lookup`` gives a variable's value or None (the
    reference is then written back as it is); ``$$`` is ``$``."""
    if "$" not in text:
        return text
    out: list[str] = []
    for kind, value in _tokens(text):
        if kind == "ref":
            found = lookup(value)
            out.append("$(" + value + ")" if found is None else found)
        elif kind == "dollar":
            out.append("$" if value == "$$" else value)
        else:
            out.append(value)
    return "".join(out)


def expand_container(container: Mapping[str, Any]) -> dict[str, Any]:
    """A container's env values, command and args as the kubelet hands them to the process:
    each env value sees the variables defined before it, command and args see them all."""
    defined: dict[str, str] = {}
    env: list[Any] = []
    for entry in container.get("env", ()) or ():
        if isinstance(entry, Mapping) and isinstance(entry.get("value"), str):
            entry = {**entry, "value": expand(entry["value"], defined.get)}
            defined[str(entry.get("name"))] = entry["value"]
        env.append(entry)
    out = dict(container)
    if "env" in container:
        out["env"] = env
    for field in EXPANDED_FIELDS:
        if field in container:
            out[field] = [expand(str(v), defined.get) for v in container[field] or ()]
    return out
