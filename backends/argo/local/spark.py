"""``SparkApplication`` resources run locally: the driver's init containers, then the
application in local mode.

The application runs as the driver would: the ``arguments`` as a command when the main file is
flytekit's entrypoint (it executes its arguments), else ``python <main file> <arguments>``; with
the driver's environment, and PySpark in local mode (``--master local[N]``) carrying the
application's ``sparkConf`` minus what only applies on Kubernetes, and this machine's Python
instead of the image's. The created object's ``status.applicationState.state`` is ``COMPLETED``
or ``FAILED``, for the template's conditions.
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import Any

from fcomp.backends.argo.local.engine import Invocation, StepError
from fcomp.backends.argo.local.process import run_process

#: sparkConf keys that only mean something on a cluster (or name the image's Python).
_CLUSTER_ONLY = ("spark.kubernetes.", "spark.pyspark.python", "spark.pyspark.driver.python")


def _env(inv: Invocation, container: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for var in container.get("env") or []:
        if "value" in var:
            env[str(var["name"])] = str(var["value"])
    env.update(inv.ctx.env)
    return env


def _submit_args(spec: dict[str, Any]) -> str:
    conf = {
        k: str(v)
        for k, v in sorted((spec.get("sparkConf") or {}).items())
        if not k.startswith(_CLUSTER_ONLY)
    }
    conf["spark.pyspark.python"] = sys.executable
    conf["spark.pyspark.driver.python"] = sys.executable
    for key, value in sorted((spec.get("hadoopConf") or {}).items()):
        conf[f"spark.hadoop.{key}"] = str(value)
    parts = ["--master", "local[2]"]
    for key, value in conf.items():
        parts += ["--conf", f"{key}={value}"]
    return " ".join(shlex.quote(p) for p in [*parts, "pyspark-shell"])


def _run(inv: Invocation, name: str, argv: list[str], env: dict[str, str]) -> int | None:
    stdout, stderr = inv.ctx.log_paths(inv.node.name, name)
    outcome = run_process(
        argv,
        env=env,
        cwd=inv.ctx.workdir,
        stdout=stdout,
        stderr=stderr,
        deadline_s=None,
        stop=inv.ctx.stop,
    )
    if outcome.start_error:
        raise StepError(f"{name}: {outcome.start_error}")
    return outcome.exit_code


def run_spark_application(inv: Invocation, manifest: dict[str, Any]) -> dict[str, Any]:
    """Run the application; the created object with its final ``status``."""
    spec = manifest.get("spec") or {}
    driver = spec.get("driver") or {}
    for init in driver.get("initContainers") or []:
        argv = [*(init.get("command") or []), *(init.get("args") or [])]
        code = _run(inv, str(init.get("name", "init")), argv, _env(inv, init))
        if code != 0:
            raise StepError(f"driver init container '{init.get('name')}' failed (exit {code})")
    arguments = [str(a) for a in spec.get("arguments") or []]
    main = str(spec.get("mainApplicationFile") or "").removeprefix("local://")
    if main and os.path.basename(main) != "entrypoint.py" and os.path.exists(main):
        argv = [sys.executable, main, *arguments]
    else:
        argv = arguments
    if not argv:
        raise StepError("the SparkApplication has no main file or arguments to run locally")
    env = {**_env(inv, driver), "PYSPARK_SUBMIT_ARGS": _submit_args(spec)}
    code = _run(inv, "driver", argv, env)
    state = "COMPLETED" if code == 0 else "FAILED"
    return {**manifest, "status": {"applicationState": {"state": state}}}
