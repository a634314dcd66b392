"""Container paths on a local machine.

A template may name absolute container paths: output parameter files
(``valueFrom.path: /tmp/out.txt``) and volume mounts (``/data``). Locally each maps to a private
directory (per node for output files and template volumes, per run for ``spec.volumes``), and
every occurrence of a mapped path in the container's command, args, env values, working
directory and script source is rewritten, so ``echo 1 > /tmp/out.txt`` writes into the node's
own directory and parallel steps never collide. Other paths are left alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# A mapped path starts a path (not after a path character) and ends where the path ends or
# continues below it with "/".
_BEFORE = r"(?<![\w./~-])"
_AFTER = r"(?=$|[^\w.~-])"


class PathMap:
    """Container path prefixes and the local directories or files they map to."""

    def __init__(self) -> None:
        self._entries: dict[str, Path] = {}

    def add(self, container_path: str, local: Path) -> Path:
        """Map ``container_path`` (normalised, absolute) to ``local``; returns ``local``."""
        key = "/" + container_path.strip().strip("/")
        self._entries[key] = local
        return local

    def local(self, container_path: str) -> Path:
        """Where ``container_path`` lives locally (unmapped absolute paths stay as they are)."""
        path = "/" + container_path.strip().strip("/")
        for prefix in sorted(self._entries, key=len, reverse=True):
            if path == prefix or path.startswith(prefix + "/"):
                return self._entries[prefix] / path[len(prefix) :].lstrip("/")
        return Path(container_path)

    def rewrite(self, text: str) -> str:
        """``text`` with every mapped container path replaced by its local path."""
        if not self._entries:
            return text
        prefixes = sorted(self._entries, key=len, reverse=True)
        pattern = re.compile(_BEFORE + "(" + "|".join(map(re.escape, prefixes)) + ")" + _AFTER)
        return pattern.sub(lambda m: str(self._entries[m.group(1)]), text)

    def rewrite_tree(self, value: Any) -> Any:
        """:meth:`rewrite` applied to every string of a JSON-like tree."""
        if isinstance(value, str):
            return self.rewrite(value)
        if isinstance(value, list):
            return [self.rewrite_tree(item) for item in value]
        if isinstance(value, dict):
            return {key: self.rewrite_tree(item) for key, item in value.items()}
        return value
