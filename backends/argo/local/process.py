"""Running a container's command as a local process.

The process gets its own process group (so a deadline or a stop kills everything it started),
the environment and working directory it asks for, and files for stdout and stderr. Exit codes
follow container runtimes: a process killed by signal ``N`` reports ``128 + N``.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fcomp.backends.argo.local.control import StopToken
from fcomp.backends.argo.local.zygote import WarmProcess, Zygote, warm_script

#: Seconds between SIGTERM and SIGKILL when a process group is stopped.
GRACE_S = 1.0


@dataclass(frozen=True)
class ProcessOutcome:
    """How a process ended."""

    exit_code: int | None
    deadline_exceeded: bool = False
    stopped: bool = False
    start_error: str = ""
    duration_s: float = 0.0


def run_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    stdout: Path,
    stderr: Path,
    deadline_s: float | None,
    stop: StopToken,
) -> ProcessOutcome:
    """Run ``argv`` to completion, or until ``deadline_s`` seconds pass or ``stop`` is set."""
    started = time.monotonic()
    proc: subprocess.Popen[bytes] | WarmProcess | None = None
    if warm_script(argv):
        proc = _warm_spawn(argv, env=env, cwd=cwd, stdout=stdout, stderr=stderr)
    try:
        if proc is None:
            proc = spawn(argv, env=env, cwd=cwd, stdout=stdout, stderr=stderr)
    except OSError as error:
        return ProcessOutcome(None, start_error=f"{error.strerror or error}: {argv[0]!r}")
    deadline_hit = stopped = False
    while True:
        try:
            code = proc.wait(timeout=0.02)
            break
        except subprocess.TimeoutExpired:
            pass
        if deadline_s is not None and time.monotonic() - started >= deadline_s:
            deadline_hit = True
        elif stop.stopped:
            stopped = True
        if deadline_hit or stopped:
            code = _kill_group(proc)
            break
    _reap_group(proc.pid)
    exit_code = 128 - code if code < 0 else code
    return ProcessOutcome(
        exit_code,
        deadline_exceeded=deadline_hit,
        stopped=stopped,
        duration_s=time.monotonic() - started,
    )


_ZYGOTE: Zygote | None = None
_ZYGOTE_LOCK = threading.Lock()


def _warm_spawn(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, stdout: Path, stderr: Path
) -> WarmProcess | None:
    """Start a Python console script through the zygote (None: start it the plain way).

    ``FCOMP_LOCAL_WARM=0`` turns warm starts off.
    """
    global _ZYGOTE
    if os.environ.get("FCOMP_LOCAL_WARM", "1") == "0":
        return None
    with _ZYGOTE_LOCK:
        if _ZYGOTE is None:
            zygote = Zygote()
            if not zygote.ready():
                zygote.close()
                return None
            _ZYGOTE = zygote
            atexit.register(zygote.close)
    stdout.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _ZYGOTE.spawn(argv, env=env, cwd=cwd, stdout=stdout, stderr=stderr)
    except OSError:
        return None


def spawn(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, stdout: Path, stderr: Path
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new process group, output to files; ``OSError`` if it cannot."""
    stdout.parent.mkdir(parents=True, exist_ok=True)
    with stdout.open("wb") as out, stderr.open("wb") as err:
        return subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )


def stop_background(proc: subprocess.Popen[bytes]) -> int | None:
    """Stop a background process (a sidecar) and its group: its exit code when it had ended
    by itself, ``None`` when it had to be killed."""
    code = proc.poll()
    if code is None:
        _kill_group(proc)
        _reap_group(proc.pid)
        return None
    _reap_group(proc.pid)
    return 128 - code if code < 0 else code


def _reap_group(pgid: int) -> None:
    """Kill what the main process left running: a container ends with its main process."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_group(proc: subprocess.Popen[bytes] | WarmProcess) -> int:
    """SIGTERM the process group, then SIGKILL it after :data:`GRACE_S`; the exit status."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            return proc.wait(timeout=GRACE_S)
        except subprocess.TimeoutExpired:
            continue
    return proc.wait()
