"""One deterministic, collision-free mapping from Flyte ids to target names.

A name that is already valid is kept; otherwise it is lowercased (when asked), invalid
characters become ``-``, it is cut to the length limit, and a short hash of the original id
is appended, so two different ids never map to one name.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field


def short_hash(text: str, length: int = 6) -> str:
    """A stable short hash of ``text`` (lowercase hex)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]


@dataclass(frozen=True, slots=True)
class NameRule:
    """What a target allows in one kind of name."""

    max_len: int
    allowed: str  # a regex character class body, e.g. "a-z0-9-"
    lowercase: bool = True
    must_start_alpha: bool = False

    def sanitize(self, raw: str) -> str:
        """The target name for ``raw`` under this rule.

        Lowercasing and turning ``.`` and ``_`` into ``-`` keep the name readable without a
        hash (a clash between such names is resolved by :class:`Namer`); any other change,
        or cutting to the length limit, appends a hash of ``raw``.
        """
        if self._kept(raw):
            return raw
        soft = raw.lower() if self.lowercase else raw
        soft = re.sub(f"[._](?=[{self.allowed}])", "-", soft) if "." not in self.allowed else soft
        name = re.sub(f"[^{self.allowed}]+", "-", soft).strip("-")
        if self.must_start_alpha and (not name or not name[0].isalpha()):
            name = "x" + (name and "-" + name)
        changed = name != soft
        if not name:
            name, changed = "x", True
        if changed or len(name) > self.max_len:
            suffix = "-" + short_hash(raw)
            name = name[: self.max_len - len(suffix)].rstrip("-") + suffix
        return name

    def _kept(self, raw: str) -> bool:
        """Whether :meth:`sanitize` leaves ``raw`` as it is (checked without rewriting it)."""
        return (
            0 < len(raw) <= self.max_len
            and _whole(self.allowed).match(raw) is not None
            and raw[0] != "-"
            and raw[-1] != "-"
            and (not self.lowercase or raw == raw.lower())
            and ("." in self.allowed or ("." not in raw and "_" not in raw))
            and (not self.must_start_alpha or raw[0].isalpha())
        )


@functools.lru_cache(maxsize=64)
def _whole(allowed: str) -> re.Pattern[str]:
    return re.compile(f"[{allowed}]+\\Z")


#: Kubernetes object names (DNS-1123 subdomain without dots).
K8S_OBJECT = NameRule(max_len=63, allowed="a-z0-9-")
#: Argo template and DAG task names (no leading digit, since ``depends`` is used).
ARGO_TASK = NameRule(max_len=63, allowed="a-zA-Z0-9-", lowercase=False, must_start_alpha=True)
#: Argo parameter names.
ARGO_PARAMETER = NameRule(max_len=128, allowed="a-zA-Z0-9_-", lowercase=False)
#: File names inside an output folder (no path separators; case kept).
FILE_NAME = NameRule(max_len=200, allowed="a-zA-Z0-9_.-", lowercase=False)
#: Airflow task ids / group ids.
AIRFLOW_ID = NameRule(max_len=200, allowed="a-zA-Z0-9_.-", lowercase=False)


@dataclass
class Namer:
    """Names within one scope: the same id always gets the same name, and two ids never share
    one (a clash after sanitising gets the hash suffix)."""

    rule: NameRule
    reserved: set[str] = field(default_factory=set)
    _by_id: dict[str, str] = field(default_factory=dict)
    _taken: dict[str, str] = field(default_factory=dict)

    def name(self, raw: str) -> str:
        """The name of ``raw`` in this scope."""
        found = self._by_id.get(raw)
        if found is not None:
            return found
        name = self.rule.sanitize(raw)
        if name in self.reserved or (name in self._taken and self._taken[name] != raw):
            suffix = "-" + short_hash("clash:" + raw)
            name = name[: self.rule.max_len - len(suffix)].rstrip("-") + suffix
        self._by_id[raw] = name
        self._taken[name] = raw
        return name
