"""Answers to human-in-the-loop gates during a local run (``fcomp run --approve``,
``--reject``, ``--signal ID=VALUE``): a helper process (:mod:`.prelude.responder`, run with
the run's Airflow settings) answers the approve and signal operators' requests as a person
would in the UI, through Airflow's own models. fcomp itself never imports Airflow.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Answers:
    """How to answer: approve gates (None: leave them waiting), signal values by signal id."""

    approve: bool | None = None
    signals: Mapping[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Whether there is nothing to answer."""
        return self.approve is None and not self.signals


class Responder:
    """The helper process answering requests while a run goes on."""

    def __init__(self, answers: Answers, env: Mapping[str, str], log: Path) -> None:
        self.answers = answers
        self.env = dict(env)
        self.log = log
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Responder:
        if self.answers.empty:
            return self
        script = resources.files("fcomp.backends.airflow") / "prelude" / "responder.py"
        data = {"approve": self.answers.approve, "signals": dict(self.answers.signals)}
        with open(self.log, "wb") as out:
            self._proc = subprocess.Popen(
                [sys.executable, str(script), "--answers", json.dumps(data)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
