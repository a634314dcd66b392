"""Names the backends and the runtime share (``runtime/CONTRACT.md``), in a module that imports
nothing, so that building a workflow does not load the runtime."""

from __future__ import annotations

#: The text an Argo parameter holds for a launch-plan default that has no Argo text form (the
#: start step's ``--default`` gives its value): any other text, the empty one included, is the
#: user's value.
DEFAULT_MARK = "(launch plan default)"
