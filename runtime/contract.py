"""Names the backends and the runtime share (``runtime/CONTRACT.md``), in a module that imports
nothing, so that building a workflow does not load the runtime."""

from __future__ import annotations

#: The text an Argo parameter holds for a launch-plan default that has no Argo text form (the
#: start step's ``--default`` gives its value): any other text, the empty one included, is the
#: user's value.
DEFAULT_MARK = "(launch plan default)"

#: Text every refused retry carries (Argo's ``retryStrategy.expression`` stops retrying on it).
NOT_RETRIED = "non-recoverable error, not retried"
#: The runtime's exit status for a refused retry (other failures exit with 1).
NOT_RETRIED_STATUS = 3
