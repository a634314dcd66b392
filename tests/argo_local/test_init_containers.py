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
    assert phases(result) == {"p": "Failed"}
    assert result.nodes["p"].message == "init container 'second': Error (exit code 4)"
    assert (tmp_path / "log").read_text() == "12"  # main never ran
    assert result.phase == "Failed"


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
