"""Task caching: cache=True, cache_version, cache_ignore_input_vars, cache_serialize.
The cached task appends a line to a log file (given as input and ignored by the cache
key) each time its body really runs, so the log tells cache hits from misses."""

import os

from flytekit import task, workflow


@task(
    cache=True,
    cache_version="1",
    cache_serialize=True,
    cache_ignore_input_vars=("log_path", "note"),
)
def expensive_square(x: int, log_path: str, note: str) -> int:
    os.makedirs(os.path.dirname(log_path) or ".", exist_ok=True)
    with open(log_path, "a") as f:
        f.write(f"computed {x} ({note})\n")
    return x * x


@task
def count_lines(path: str, after: int) -> int:
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return len(f.read().splitlines())


@workflow
def caching_wf(x: int = 3, log_path: str = "/tmp/fcomp-cache/log.txt") -> tuple[int, int, int]:
    """Calls the cached task twice with the same cache key (only ignored inputs differ):
    the second call is a cache hit, so the log gains one line per fresh cache."""
    first = expensive_square(x=x, log_path=log_path, note="first")
    second = expensive_square(x=x, log_path=log_path, note="second")
    first >> second
    return first, second, count_lines(path=log_path, after=second)
