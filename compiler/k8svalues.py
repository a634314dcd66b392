"""Values the Kubernetes API server refuses, checked as its validation does.

Each ``*_problem`` function returns why a value is refused, or None when Kubernetes accepts it:
label keys and values, annotation keys and total size, environment variable names, secret names
and keys, and negative resource quantities; :func:`is_dns1123_label` tells a valid container
name. The rules are apimachinery's ``IsQualifiedName``, ``IsValidLabelValue``,
``ValidateAnnotationsSize``, ``IsRelaxedEnvVarName`` (the default since Kubernetes 1.32),
``IsDNS1123Label``, ``IsDNS1123Subdomain`` and ``IsConfigMapKey``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fcomp.compiler.quantity import parse_quantity

_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"  # a DNS-1123 label
_DNS1123_LABEL = re.compile(rf"^{_LABEL}$")
_SUBDOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
NAME_MAX = 63
SUBDOMAIN_MAX = 253
#: The most bytes an object's annotations (keys and values) may hold.
ANNOTATIONS_MAX = 256 * 1024

_NAME_RULE = (
    "alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character"
)


def is_dns1123_label(name: str) -> bool:
    """Whether ``name`` is a DNS-1123 label (container names must be)."""
    return len(name) <= NAME_MAX and bool(_DNS1123_LABEL.match(name))


def subdomain_problem(value: str) -> str | None:
    """Why ``value`` is no DNS-1123 subdomain (secret and object names), or None."""
    if not value:
        return "must not be empty"
    if len(value) > SUBDOMAIN_MAX:
        return f"must be no more than {SUBDOMAIN_MAX} characters"
    if not _SUBDOMAIN.match(value):
        return (
            "must be a DNS-1123 subdomain: lower case alphanumeric characters, '-' or '.', "
            "starting and ending with an alphanumeric character"
        )
    return None


def qualified_name_problem(value: str) -> str | None:
    """Why ``value`` is no label or annotation key (``[prefix/]name``), or None."""
    parts = value.split("/")
    if len(parts) > 2:
        return "must be a name with an optional DNS subdomain prefix and '/' (e.g. 'x.io/name')"
    name = parts[-1]
    if len(parts) == 2:
        prefix_problem = subdomain_problem(parts[0])
        if prefix_problem is not None:
            return f"prefix part {prefix_problem}"
    if not name:
        return "name part must not be empty"
    if len(name) > NAME_MAX:
        return f"name part must be no more than {NAME_MAX} characters"
    if not _NAME.match(name):
        return f"name part must consist of {_NAME_RULE}"
    return None


def label_value_problem(value: str) -> str | None:
    """Why ``value`` is no label value (it may be empty), or None."""
    if len(value) > NAME_MAX:
        return f"must be no more than {NAME_MAX} characters"
    if value and not _NAME.match(value):
        return f"must be empty or consist of {_NAME_RULE}"
    return None


def annotations_size_problem(items: Iterable[tuple[str, str]]) -> str | None:
    """Why annotations this large are refused, or None."""
    size = sum(len(k.encode()) + len(v.encode()) for k, v in items)
    if size > ANNOTATIONS_MAX:
        return f"annotations hold {size} bytes, more than the {ANNOTATIONS_MAX} allowed"
    return None


def env_name_problem(value: str) -> str | None:
    """Why ``value`` is no environment variable name, or None."""
    if not value:
        return "must not be empty"
    if any(not 32 <= ord(c) <= 126 for c in value):
        return "must consist of printable ASCII characters"
    if "=" in value:
        return "must not contain '='"
    return None


def secret_key_problem(value: str) -> str | None:
    """Why ``value`` is no key of a Kubernetes secret, or None."""
    if not value:
        return "must not be empty"
    if len(value) > SUBDOMAIN_MAX:
        return f"must be no more than {SUBDOMAIN_MAX} characters"
    if not _CONFIG_KEY.match(value):
        return "must consist of alphanumeric characters, '-', '_' or '.'"
    if value in (".", "..") or value.startswith(".."):
        return "must not be '.' or '..' nor start with '..'"
    return None


def negative_quantity_problem(value: object) -> str | None:
    """Why a resource amount is refused for being negative, or None (an unreadable quantity is
    reported where it is read)."""
    if isinstance(value, bool):
        return None
    amount = value if isinstance(value, int | float) else parse_quantity(str(value))
    if amount is not None and amount < 0:
        return "must be greater than or equal to 0"
    return None
