"""``retryStrategy``: attempts under a ``Retry`` node (docs/retries.md).

``limit: N`` allows N retries (N+1 attempts; no limit retries until success). ``retryPolicy``:
``Always`` retries Failed and Error attempts, ``OnFailure`` (the default) Failed ones,
``OnError`` Error ones; ``OnTransientError`` is treated like ``OnFailure`` locally (a local
process has no transient Kubernetes errors). ``expression`` (expr-lang over ``lastRetry.exitCode``,
``.status``, ``.duration``, ``.message``) must also hold; with an expression and no policy the
policy is ``Always``. ``backoff`` waits ``duration * factor^(attempts-1)`` (at most ``cap``)
before the next attempt, and stops retrying once ``maxDuration`` since the first attempt would
be passed. The Retry node ends with its last attempt's phase, outputs and result; when retries
run out its message is "No more retries left".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fcomp.backends.argo.local import exprlang
from fcomp.backends.argo.local.model import ERROR, FAILED, SUCCEEDED
from fcomp.backends.argo.local.nodes import NodeState
from fcomp.backends.argo.local.values import parse_duration, parse_int

if TYPE_CHECKING:
    from fcomp.backends.argo.local.context import RunContext


def _policy_allows(policy: str, phase: str) -> bool:
    if policy == "Always":
        return phase in (FAILED, ERROR)
    if policy == "OnError":
        return phase == ERROR
    return phase == FAILED  # OnFailure, OnTransientError


def _expression_allows(expression: str, last: NodeState) -> bool:
    env = {
        "lastRetry": {
            "exitCode": str(last.exit_code if last.exit_code is not None else -1),
            "status": last.phase,
            "duration": str(int((last.finished or time.monotonic()) - last.started)),
            "message": last.message,
        }
    }
    text = expression.strip()
    if text.startswith("{{=") and text.endswith("}}"):
        text = text[3:-2]
    value = exprlang.evaluate(text, env)
    if not isinstance(value, bool):
        raise exprlang.ExprError(f"retryStrategy.expression {expression!r} is not boolean")
    return value


def run_attempts(
    ctx: RunContext,
    node: NodeState,
    strategy: Mapping[str, Any],
    attempt: Callable[[int], NodeState],
) -> None:
    """Run attempts of a template under the Retry ``node`` until one may not be retried."""
    try:
        limit = None if strategy.get("limit") is None else parse_int(strategy["limit"], "limit")
        expression = str(strategy.get("expression") or "")
        policy = str(strategy.get("retryPolicy") or ("Always" if expression else "OnFailure"))
        backoff = strategy.get("backoff") or {}
        base = parse_duration(backoff["duration"]) if backoff.get("duration") else 0.0
        factor = parse_int(backoff["factor"], "factor") if backoff.get("factor") else 0
        cap = parse_duration(backoff["cap"]) if backoff.get("cap") else None
        max_duration = (
            parse_duration(backoff["maxDuration"]) if backoff.get("maxDuration") else None
        )
    except ValueError as err:
        node.finish(ERROR, f"retryStrategy: {err}")
        return
    first_start = time.monotonic()
    index = 0
    while True:
        last = attempt(index)
        node.outputs, node.result, node.exit_code = last.outputs, last.result, last.exit_code
        node.stdout_path, node.stderr_path = last.stdout_path, last.stderr_path
        if last.phase == SUCCEEDED:
            node.finish(SUCCEEDED)
            return
        try:
            allowed = _policy_allows(policy, last.phase) and (
                not expression or _expression_allows(expression, last)
            )
        except exprlang.ExprError as err:
            node.finish(ERROR, str(err))
            return
        if not allowed or ctx.stop.stopped:
            node.finish(last.phase, last.message)
            return
        if limit is not None and index >= limit:
            node.finish(last.phase, "No more retries left")
            return
        wait = base * (factor**index if factor > 0 else 1)
        if cap is not None:
            wait = min(wait, cap)
        if max_duration is not None:
            elapsed = time.monotonic() - first_start
            if elapsed >= max_duration:
                node.finish(last.phase, "Max duration limit exceeded")
                return
            if elapsed + wait > max_duration:
                node.finish(last.phase, "Backoff would exceed max duration limit")
                return
        if wait > 0 and not ctx.stop.sleep(wait):
            node.finish(last.phase, last.message)
            return
        index += 1
