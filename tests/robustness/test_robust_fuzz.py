"""Fuzzing: hypothesis generates valid pyflyte-shaped packages and mutates them (drop,
duplicate and retype fields, swap oneofs, dangle references, add cycles, nest deeply, damage
bytes, drop or duplicate files). Every input compiles to Argo documents that pass the
conformance checks (a strict official schema, v4.1.2 and v3.7.18 in turn, hera's strict
models, Argo's semantic checks) or is
rejected with error diagnostics: never a traceback, never an internal error, never more than
2 s (measured per input, with one warm retry for the first run of a code path).

``SHARDS`` seeded shards of ``EXAMPLES_PER_SHARD`` inputs each (10,400 in all) spread over
pytest-xdist workers; each shard stops early past its share of ``BUDGET_S`` (a time box for
slow machines, not an assertion on speed). A failing input is saved under ``regressions/``
as its .pb files, which :func:`test_regression` replays on every run.
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from fuzz_check import REGRESSIONS, Outcome, check, save_regression, write_package
from fuzz_inputs import MUTATIONS, Damage, damage, packages
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.conftest import SHARED_DIR

SHARDS = 8
EXAMPLES_PER_SHARD = int(os.environ.get("FCOMP_FUZZ_EXAMPLES", "1300"))
#: Wall-clock budget of the whole fuzz run on 2 workers (each shard gets its share).
BUDGET_S = float(os.environ.get("FCOMP_FUZZ_BUDGET_S", "330"))
SCHEMAS = [
    SHARED_DIR / "schemas" / n
    for n in ("argo-workflows-v4.1.2.schema.json", "argo-workflows-v3.7.18.schema.json")
]


def _schemas() -> list[Path]:
    missing = [p for p in SCHEMAS if not p.is_file()]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared schemas missing: {missing}")
        pytest.skip(f"shared schemas missing: {missing}")
    return SCHEMAS


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """Load schemas, hera's models and every lazy import once, outside the 2 s deadline."""
    from robust_support import PACKAGES

    for name in ("chain", "branches", "map_tasks", "subworkflows", "launch_plans"):
        check(PACKAGES / f"{name}.tgz", _schemas())


@st.composite
def fuzzed(draw: st.DrawFn) -> list[tuple[str, bytes]]:
    """A valid package, then 0-3 mutations, then maybe damaged bytes in one file."""
    files = draw(packages())
    rng = draw(st.randoms(use_true_random=False))

    def pick(n: int) -> int:
        return rng.randrange(n) if n > 0 else 0

    for name in draw(st.lists(st.sampled_from(sorted(MUTATIONS)), max_size=3)):
        MUTATIONS[name](files, pick)
    data = [(name, message.SerializeToString(deterministic=True)) for name, message in files]
    if draw(st.integers(0, 9)) == 0:
        d = Damage(draw(st.integers(0, 99)), draw(st.integers(0, 2)), draw(st.integers(0, 10**6)))
        index = d.file % len(data)
        data[index] = (data[index][0], damage(data[index][1], d))
    return data


#: No input may take longer than this to load, compile, build and check.
LIMIT_S = 2.0


def _timed(run: Callable[[], Outcome]) -> Outcome:
    """``run()``'s outcome, with a problem added when it takes over :data:`LIMIT_S` twice in
    a row (the first run of a new code path pays for lazy imports and caches)."""
    started = time.monotonic()
    outcome = run()
    if time.monotonic() - started > LIMIT_S:
        started = time.monotonic()
        outcome = run()
        took = time.monotonic() - started
        if took > LIMIT_S:
            outcome.problems.append(f"took {took:.1f} s, over the {LIMIT_S} s limit")
    return outcome


def _shard(number: int) -> Callable[[], None]:
    """One seeded shard of the fuzz run."""
    started: list[float] = []
    counter = [0]
    workdir = Path(tempfile.mkdtemp(prefix=f"fcomp-fuzz-{number}-"))
    share = BUDGET_S * 2 / SHARDS

    @seed(20_260_000 + number)
    @settings(
        max_examples=EXAMPLES_PER_SHARD,
        deadline=None,  # measured below, with one warm retry (see _timed)
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(fuzzed())
    def shard(files: list[tuple[str, bytes]]) -> None:
        if not started:
            started.append(time.monotonic())
        if time.monotonic() - started[0] > share:
            if len(started) == 1:  # the time box: later inputs are not run on a slow machine
                started.append(time.monotonic())
                warnings.warn(
                    f"fuzz shard {number}: time box of {share:.0f} s reached after "
                    f"{counter[0]} inputs",
                    stacklevel=1,
                )
            return
        if os.environ.get("FCOMP_FUZZ_KEEP"):  # debugging a crash that kills the process
            write_package(files, Path(os.environ["FCOMP_FUZZ_KEEP"]))
        path = write_package(files, workdir)
        counter[0] += 1
        # Each input is checked against one of the two official schemas, in turn (both cost
        # as much as compiling); hera's models and the semantic checks see every input.
        schemas = [_schemas()[counter[0] % 2]]
        outcome = _timed(lambda: check(path, schemas))
        if outcome.problems:
            folder = save_regression(files, outcome.problems)
            raise AssertionError(f"saved as {folder}:\n" + "\n".join(outcome.problems)[:3000])

    shard.__name__ = f"test_fuzz_shard_{number}"
    shard.__doc__ = f"Fuzz shard {number} (seed {20_260_000 + number})."
    return shard


for _n in range(SHARDS):
    globals()[f"test_fuzz_shard_{_n}"] = _shard(_n)


def _regressions() -> list[Path]:
    return sorted(p for p in REGRESSIONS.iterdir() if p.is_dir()) if REGRESSIONS.is_dir() else []


def test_regressions_are_kept() -> None:
    """Fixed fuzz failures stay as cases (each folder has its .pb files and why it failed)."""
    cases = _regressions()
    assert cases, "no regression cases: the fixed fuzz failures must stay replayed"
    for case in cases:
        assert list(case.glob("*.pb")) and (case / "WHY.txt").is_file(), case


@pytest.mark.parametrize("case", _regressions(), ids=lambda p: p.name)
def test_regression(case: Path, tmp_path: Path) -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(case.glob("*.pb"))]
    outcome = check(write_package(files, tmp_path), _schemas())
    assert outcome.problems == []
