"""The cache key parts of a cached task, the same for every backend so a result cached by one
engine's run is found by another's (the runtime hashes them together with the inputs)."""

from __future__ import annotations

import json

from fcomp.compiler import ir
from fcomp.compiler.plugins.units import CachePolicy


def cache_key_json(
    task: ir.Task, cache: CachePolicy, launch_plan: ir.LaunchPlan | None = None
) -> str:
    """What identifies a cached result besides the inputs: task, cache version, ignored
    inputs, and whether the launch plan overwrites the cache."""
    return json.dumps(
        {
            "task": task.id.name,
            "version": cache.version,
            "ignore": sorted(cache.ignore_inputs),
            "overwrite": bool(launch_plan is not None and launch_plan.overwrite_cache),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
