"""Test harness hook: with ``FCOMP_FAKE_KUBELET=1`` in the environment, every Python process
that imports Airflow's ``KubernetesPodOperator`` gets the operator of
:mod:`fcomp_fake_kubelet` instead of a cluster (each pod's containers run as local processes).
Python imports this module at start-up when its folder is on ``PYTHONPATH``."""

import importlib.abc
import importlib.util
import os
import sys
from typing import Any

_TARGET = "airflow.providers.cncf.kubernetes.operators.pod"


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Finds the operator's module the usual way and patches it once it has run."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != _TARGET:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module: Any) -> None:
            run(module)
            import fcomp_fake_kubelet

            fcomp_fake_kubelet.patch(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if os.environ.get("FCOMP_FAKE_KUBELET") == "1":
    sys.meta_path.insert(0, _PatchOnImport())
