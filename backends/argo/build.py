"""``fcomp build --target argo``: every launch plan of a compilation as Argo documents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fcomp.backends.argo.documents import CRON_NAME_MAX, ArgoOptions, lower_documents
from fcomp.backends.argo.split import SplitRequest, split_document
from fcomp.backends.common import yamlout
from fcomp.backends.common.launch_plans import launch_plans, plan_config
from fcomp.backends.common.names import Namer, NameRule
from fcomp.compiler.config import Config
from fcomp.compiler.diagnostics import Diagnostic, Severity
from fcomp.compiler.driver import Compilation, paused_gc

#: Object names: a DNS label short enough for a CronWorkflow of the same name.
OBJECT_NAME = NameRule(max_len=CRON_NAME_MAX, allowed="a-z0-9-")


def dump_yaml(docs: Sequence[dict[str, Any]]) -> str:
    """YAML text of the documents (keys in insertion order, every string safely quoted)."""
    return yamlout.dump_all(docs)


def build_argo(
    compilation: Compilation,
    config: Config,
    options: ArgoOptions | None = None,
    names: Sequence[str] = (),
) -> tuple[dict[str, str], list[Diagnostic]]:
    """File name -> YAML text for every launch plan, and the diagnostics of lowering."""
    with paused_gc():
        return _build_argo(compilation, config, options, names)


def _build_argo(
    compilation: Compilation,
    config: Config,
    options: ArgoOptions | None,
    names: Sequence[str],
) -> tuple[dict[str, str], list[Diagnostic]]:
    assert compilation.compiled is not None
    options = options or ArgoOptions()
    diagnostics: list[Diagnostic] = []
    files: dict[str, str] = {}
    namer = Namer(OBJECT_NAME)
    every = launch_plans(compilation, (), [])
    object_names = {lp.id.name: namer.name(lp.id.name) for lp in every}
    #: Object names in use: the launch plans', then the split children's as they are made.
    taken = set(object_names.values())
    for lp in launch_plans(compilation, names, diagnostics):
        name = object_names[lp.id.name]
        docs, rebuild = lower_documents(
            compilation.compiled,
            lp,
            name,
            plan_config(config, lp),
            options,
            diagnostics,
            object_names,
        )
        if any(d.severity is Severity.ERROR for d in diagnostics):
            continue
        request = SplitRequest(
            docs[0], name, config.argo_max_object_bytes, rebuild, taken, lp.source
        )
        parts, problems = split_document(request)
        diagnostics += problems
        files[f"{name}.yaml"] = dump_yaml([*parts, *docs[1:]])
    return files, diagnostics
