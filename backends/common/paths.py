"""Node paths of the runtime data contract (``n0``, ``n3/n1-n0``, ``n2/7``)."""

from __future__ import annotations

import re
from urllib.parse import quote

_SAFE = re.compile(r"^[A-Za-z0-9._-]+$")


def segment(node_id: str) -> str:
    """One node id as a path segment: unchanged when safe, else percent-encoded."""
    if _SAFE.match(node_id) and node_id not in (".", ".."):
        return node_id
    return quote(node_id, safe="").replace(".", "%2E")


def join(prefix: str, node_id: str) -> str:
    """``prefix/node_id`` (just the segment for the root scope)."""
    return f"{prefix}/{segment(node_id)}" if prefix else segment(node_id)
