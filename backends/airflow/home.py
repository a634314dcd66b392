"""A throwaway Airflow home for local runs: SQLite metadata database, DAG folder, settings.

Migrating a fresh database takes seconds, so the migrated ``airflow.db`` is kept once per
Airflow version under ``~/.cache/fcomp/airflow-<version>`` (``FCOMP_CACHE_DIR`` moves it) and
copied into each run's home. Airflow itself runs only in subprocesses: fcomp never imports it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


class AirflowMissingError(RuntimeError):
    """Airflow is not installed in this environment."""


def airflow_version() -> str:
    """The installed Airflow's version (without importing it)."""
    try:
        return version("apache-airflow")
    except PackageNotFoundError:
        raise AirflowMissingError(
            "Airflow is not installed: pip install 'fcomp[airflow]' (apache-airflow>=3.0, "
            "apache-airflow-providers-standard, apache-airflow-providers-cncf-kubernetes)"
        ) from None


def base_env(home: Path) -> dict[str, str]:
    """Environment variables pointing Airflow at ``home`` (SQLite, its DAG folder)."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        # a busy machine imports a DAG file's providers slowly; Airflow's default is 30 s
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "600",
    }


def _cache_root() -> Path:
    root = os.environ.get("FCOMP_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "fcomp"


def migrated_db(timeout: float = 600.0) -> Path:
    """The cached, migrated ``airflow.db`` of the installed Airflow (created on first use)."""
    cache = _cache_root() / f"airflow-{airflow_version()}"
    db = cache / "airflow.db"
    if db.is_file():
        return db
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process migrates; the others wait for it
        if db.is_file():
            return db
        with tempfile.TemporaryDirectory(dir=cache, prefix="migrate-") as tmp:
            home = Path(tmp)
            (home / "dags").mkdir()
            env = {**os.environ, **base_env(home)}
            proc = subprocess.run(
                [sys.executable, "-m", "airflow", "db", "migrate"],
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if proc.returncode != 0:
                raise RuntimeError(
                    "airflow db migrate failed:\n" + (proc.stderr or proc.stdout)[-3000:]
                )
            os.replace(home / "airflow.db", db)
    return db


def make_home(root: Path) -> Path:
    """A new Airflow home under ``root`` holding a copy of the migrated database."""
    home = root / "airflow"
    (home / "dags").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_db(), home / "airflow.db")
    return home
