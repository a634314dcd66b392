"""Building one launch plan at a time, to report progress and to know which workflow each
output file shows (for the pictures ``fcomp build --graph`` writes beside the documents).

Every backend names its objects from the whole input, so building the plans one by one gives
the same files as building them together; a test checks it for every target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from fcomp.backends.common.launch_plans import launch_plans
from fcomp.cli.progress import Progress
from fcomp.compiler import ir
from fcomp.compiler.diagnostics import Diagnostic
from fcomp.compiler.driver import Compilation

#: Builds the files of the named launch plans (all when none are named).
BuildFn = Callable[[tuple[str, ...]], tuple[dict[str, str], list[Diagnostic]]]

#: File suffix of each picture format ``--graph`` writes.
PICTURE_SUFFIX = {"dot": ".dot", "mermaid": ".mmd", "svg": ".svg"}


@dataclass
class PlanBuild:
    """The files of a build, the diagnostics, and the workflow each file shows."""

    files: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    workflow_of: dict[str, ir.Ident] = field(default_factory=dict)


def build_by_plan(
    compilation: Compilation, names: tuple[str, ...], build: BuildFn, progress: Progress
) -> PlanBuild:
    """Build each chosen launch plan on its own, reporting progress."""
    out = PlanBuild()
    chosen = launch_plans(compilation, names, out.diagnostics)
    plans: dict[str, list[ir.LaunchPlan]] = {}
    for lp in chosen:
        plans.setdefault(lp.id.name, []).append(lp)
    for index, (name, same_name) in enumerate(plans.items(), 1):
        progress.step(index, len(plans), name)
        files, diagnostics = build((name,))
        out.diagnostics += diagnostics
        for file_name, text in files.items():
            out.files[file_name] = text
            out.workflow_of[file_name] = same_name[0].workflow
    return out


def pictures(
    compilation: Compilation, workflow_of: dict[str, ir.Ident], fmt: str
) -> dict[str, str]:
    """A picture of each file's workflow, named like the file with the picture's suffix."""
    from fcomp.cli.graph import picture

    assert compilation.compiled is not None
    out: dict[str, str] = {}
    for file_name, ident in sorted(workflow_of.items()):
        cw = compilation.compiled.workflow(ident)
        if cw is not None:
            name = str(PurePosixPath(file_name).with_suffix(PICTURE_SUFFIX[fmt]))
            out[name] = picture(cw, compilation, fmt).decode("utf-8")
    return out
