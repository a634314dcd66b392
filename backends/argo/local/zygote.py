"""Warm starts for Python console scripts (``pyflyte-execute``, ``fcomp-runtime``).

Importing flytekit costs seconds per task process. A zygote process imports the heavy modules
once, then forks a child per command: the child takes the command's environment, working
directory, output files and process group, and runs the console script's entry point, so a task
starts in milliseconds and behaves as the plain process would. Any problem with the zygote
falls back to a plain process.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

#: Console scripts started warm, and what the zygote imports ahead for them.
WARM_SCRIPTS = {"pyflyte-execute", "pyflyte-map-execute", "fcomp-runtime"}
PRELOAD = ("flytekit", "flytekit.bin.entrypoint", "fcomp.runtime.commands", "pandas", "pyarrow")


class Zygote:
    """A running zygote and the socket to ask it for children."""

    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="fcomp-zygote-")
        self.socket_path = os.path.join(self._dir, "sock")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "fcomp.backends.argo.local.zygote", self.socket_path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._lock = threading.Lock()

    def ready(self, timeout: float = 60.0) -> bool:
        """Wait until the zygote listens (it is importing the preloads)."""
        import time

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self._proc.poll() is not None:
                return False
            if os.path.exists(self.socket_path):
                return True
            time.sleep(0.05)
        return False

    def spawn(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        stdout: Path,
        stderr: Path,
    ) -> WarmProcess:
        """Fork a child running ``argv``; raises ``OSError`` when the zygote cannot."""
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(self.socket_path)
        request = {
            "argv": list(argv),
            "env": dict(env),
            "cwd": str(cwd),
            "stdout": str(stdout),
            "stderr": str(stderr),
        }
        conn.sendall(json.dumps(request).encode() + b"\n")
        proc = WarmProcess(conn)
        line = proc.read_line(timeout=60.0)
        if not line:
            conn.close()
            raise OSError("the zygote did not start the command")
        proc.pid = int(json.loads(line)["pid"])
        return proc

    def close(self) -> None:
        """Stop the zygote."""
        try:
            os.killpg(self._proc.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        self._proc.wait()
        try:
            os.unlink(self.socket_path)
            os.rmdir(self._dir)
        except OSError:
            pass


class WarmProcess:
    """A forked child, with ``subprocess.Popen``'s ``pid``/``wait``/``poll`` subset."""

    def __init__(self, conn: socket.socket) -> None:
        self.pid = 0
        self._conn = conn
        self._buffer = b""
        self.returncode: int | None = None

    def read_line(self, timeout: float | None) -> bytes:
        """The next line from the zygote; ``TimeoutError`` when none came in time."""
        self._conn.settimeout(timeout)
        try:
            while b"\n" not in self._buffer:
                chunk = self._conn.recv(4096)
                if not chunk:
                    line, self._buffer = self._buffer, b""
                    return line
                self._buffer += chunk
        finally:
            self._conn.settimeout(None)
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def poll(self) -> int | None:
        """The status when the child ended, else None."""
        try:
            return self.wait(timeout=0.001)
        except subprocess.TimeoutExpired:
            return None

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child's status; ``subprocess.TimeoutExpired`` after ``timeout``."""
        if self.returncode is not None:
            return self.returncode
        try:
            line = self.read_line(timeout)
        except (TimeoutError, BlockingIOError):
            raise subprocess.TimeoutExpired("warm process", timeout or 0) from None
        self.returncode = int(json.loads(line)["status"]) if line else -9
        self._conn.close()
        return self.returncode


def warm_script(argv: Sequence[str]) -> bool:
    """Whether ``argv`` runs a console script the zygote starts warm."""
    return bool(argv) and os.path.basename(argv[0]) in WARM_SCRIPTS


# --- the zygote process ---------------------------------------------------------------


def _entry(name: str) -> Any:
    found = [ep for ep in entry_points(group="console_scripts") if ep.name == name]
    if not found:
        raise SystemExit(127)
    return found[0].load()


def _reseed() -> None:
    """Give the child fresh random state: libraries keep private generators (flytekit names
    its working folders with one) that a fork would otherwise share between children."""
    import gc
    import random

    for obj in gc.get_objects():
        if isinstance(obj, random.Random):
            obj.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become the command (never returns)."""
    code = 1
    try:
        os.setsid()
        _reseed()
        fd_in = os.open(os.devnull, os.O_RDONLY)
        fd_out = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        fd_err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd_in, 0)
        os.dup2(fd_out, 1)
        os.dup2(fd_err, 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[:0] = [p for p in extra if p not in sys.path]
        sys.argv = list(request["argv"])
        main = _entry(os.path.basename(sys.argv[0]))
        try:
            result = main()
            code = result if isinstance(result, int) else 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # the child's own failure: report it as the command's
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _serve_one(conn: socket.socket) -> None:
    reader = conn.makefile("rb")
    request = json.loads(reader.readline())
    pid = os.fork()
    if pid == 0:
        conn.close()
        _child(request)
    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    try:
        conn.sendall(json.dumps({"status": code}).encode() + b"\n")
    except OSError:
        pass
    conn.close()


def serve(socket_path: str) -> None:
    """Import the preloads, then fork a child per request."""
    import importlib

    for module in PRELOAD:
        try:
            importlib.import_module(module)
        except Exception:  # an optional preload missing only costs its import later
            pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = socket_path + ".tmp"
    server.bind(tmp)
    server.listen(64)
    os.rename(tmp, socket_path)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=_serve_one, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    serve(sys.argv[1])
