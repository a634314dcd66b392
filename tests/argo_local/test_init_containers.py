"""``initContainers`` run in order before the main container; each must succeed."""

from __future__ import annotations

import time
from pathlib import Path

from argo_local_support import Runner, phases

INIT = """
kind: Workflow
metadata: {name: init}
spec:
  entrypoint: main
  templates:
  - name: pod
    initContainers:
    - {name: first, image: alpine, command: [sh, -c, "printf 1 >> {log}"]}
    - {name: second, image: alpine, command: [sh, -c, "printf 2 >> {log}; exit {code}"]}
    container: {image: alpine, command: [sh, -c, "printf m >> {log}; cat {log}"]}
  - name: main
    dag:
      tasks:
      - {name: p, template: pod}
"""


def _text(tmp_path: Path, code: int) -> str:
    return INIT.replace("{log}", str(tmp_path / "log")).replace("{code}", str(code))


def test_init_containers_run_in_order(run: Runner, tmp_path: Path) -> None:
    result = run(_text(tmp_path, 0))
    assert result.phase == "Succeeded"
    assert result.nodes["p"].result == "12m"
    logs = result.logs_dir / "p"
    assert sorted(f.name for f in logs.iterdir()) == [
        "first.stderr",
        "first.stdout",
        "main.stderr",
        "main.stdout",
        "second.stderr",
        "second.stdout",
    ]


def test_failing_init_container_fails_the_pod(run: Runner, tmp_path: Path) -> None:
    result = run(_text(tmp_path, 4))
    # Argo calls any failed init container an Error, "failed to load artifacts".
    assert phases(result) == {"p": "Error"}
    assert result.nodes["p"].message == "failed to load artifacts"
    assert (tmp_path / "log").read_text() == "12"  # main never ran
    assert result.phase == "Error"


VOLUME = """
kind: Workflow
metadata: {name: vol}
spec:
  entrypoint: pod
  templates:
  - name: pod
    volumes: [{name: scratch, emptyDir: {}}]
    initContainers:
    - name: fetch
      image: alpine
      command: [sh, -c, "echo fetched > /data/in.txt"]
      volumeMounts: [{name: scratch, mountPath: /data}]
    container:
      image: alpine
      command: [cat, /data/in.txt]
      volumeMounts: [{name: scratch, mountPath: /data}]
"""


def test_empty_dir_volume_is_shared_by_the_pods_containers(run: Runner) -> None:
    result = run(VOLUME)
    assert result.phase == "Succeeded"
    assert result.nodes[""].result == "fetched"
    assert not Path("/data/in.txt").exists()


SIDECAR = """
kind: Workflow
metadata: {name: side}
spec:
  entrypoint: pod
  templates:
  - name: pod
    sidecars:
    - {name: server, image: alpine, command: [sh, -c, "{sidecar}"]}
    container:
      image: alpine
      command: [sh, -c, "while [ ! -f {ready} ]; do sleep 0.02; done; cat {ready}"]
"""


def test_sidecar_runs_beside_main_and_is_killed_after(run: Runner, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    started = time.monotonic()
    text = SIDECAR.replace("{sidecar}", f"echo up > {ready}; sleep 30").replace(
        "{ready}", str(ready)
    )
    result = run(text)
    assert time.monotonic() - started < 5
    assert result.phase == "Succeeded"
    assert result.nodes[""].result == "up"
    assert (result.logs_dir / "root" / "server.stdout").exists()


def test_sidecar_failing_by_itself_fails_the_pod(run: Runner, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    text = (
        SIDECAR.replace("cat {ready}", "cat {ready}; sleep 0.3")  # the sidecar ends first
        .replace("{sidecar}", f"echo up > {ready}; exit 3")
        .replace("{ready}", str(ready))
    )
    result = run(text)
    assert result.phase == "Failed"
    assert result.nodes[""].message == "sidecar 'server': Error (exit code 3)"


REFUSING = """
kind: Workflow
metadata: {name: refusing}
spec:
  entrypoint: main
  templates:
  - name: pod
    retryStrategy:
      limit: "4"
      retryPolicy: Always
      expression: "!(lastRetry.message contains 'no more tries')"
    initContainers:
    - name: gate
      image: alpine
      terminationMessagePolicy: FallbackToLogsOnError
      command:
      - sh
      - -c
      - >-
        printf g >> {log}; echo noise;
        if [ {{retries}} -ge 1 ]; then echo 'no more tries' >&2; exit 3; fi
    container: {image: alpine, command: [sh, -c, "printf m >> {log}; exit 1"]}
  - name: main
    dag:
      tasks:
      - {name: p, template: pod}
"""


def test_termination_message_from_logs_can_stop_retries(run: Runner, tmp_path: Path) -> None:
    """A failed init container's log end (``FallbackToLogsOnError``) becomes the node's
    message, which a retry expression reads: here the second attempt's init container stops
    the retries."""
    result = run(REFUSING.replace("{log}", str(tmp_path / "log")))
    assert phases(result) == {"p": "Error", "p(0)": "Failed", "p(1)": "Error"}
    assert result.nodes["p(0)"].message == "Error (exit code 1)"
    assert result.nodes["p(1)"].message == "failed to load artifacts: noise\nno more tries"
    assert (tmp_path / "log").read_text() == "gmg"  # the main container ran once
