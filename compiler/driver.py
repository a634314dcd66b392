"""The compiler's entry point: read inputs, build the IR, run the passes.

``compile_paths`` is what ``fcomp validate`` calls, and what the runtime calls to compile a
dynamic job at run time; ``fcomp build`` loads first (its coverage walk may start from what was
loaded) and calls ``compile_loaded``. Bad input never raises: it ends as diagnostics.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from fcomp.compiler import ir
from fcomp.compiler.diagnostics import Diagnostic, Diagnostics
from fcomp.compiler.frontend import build_program
from fcomp.compiler.passes.nesting import check_nesting
from fcomp.compiler.passes.node_ids import check_node_ids
from fcomp.compiler.passes.pipeline import compile_program
from fcomp.compiler.passes.results import CompiledProgram
from fcomp.idl.load import load_paths
from fcomp.idl.model import LoadedEntity, LoadResult


@dataclass
class Compilation:
    """The outcome of compiling some inputs: the program, its compiled form (None on errors),
    the loaded entities (kept for writers that need the original messages), diagnostics."""

    program: ir.Program
    compiled: CompiledProgram | None
    entities: list[LoadedEntity] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    @property
    def ok(self) -> bool:
        """Whether the inputs compiled without errors."""
        return self.compiled is not None and not self.diagnostics.has_errors


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Run a block with Python's cyclic garbage collector off.

    Compiling creates hundreds of thousands of small objects that live to the end and form no
    cycles; every full collection would scan all of them again, which makes a linear amount of
    work quadratic for large workflows. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compile_paths(paths: Sequence[str | os.PathLike[str]]) -> Compilation:
    """Load every input path and compile everything in them."""
    with paused_gc():
        return compile_loaded(load_paths(list(paths)))


def compile_loaded(loaded: LoadResult) -> Compilation:
    """Compile everything loaded (:func:`fcomp.idl.load.load_paths`)."""
    diags = Diagnostics()
    with paused_gc():
        diags.extend(loaded.diagnostics)
        program = build_program(loaded.entities, diags)
        check_node_ids(program, diags)
        # Past the nesting limit the passes would only recurse as deep: they are not run.
        compiled = compile_program(program, diags) if check_nesting(program, diags) else None
    if diags.has_errors:
        compiled = None
    return Compilation(program, compiled, loaded.entities, diags)


def target_diagnostics(compilation: Compilation, target: str) -> list[Diagnostic]:
    """What building ``compilation`` for ``target`` would drop or cannot run, field by field
    (the coverage pass); call it next to the target's own build."""
    return entity_diagnostics(compilation.entities, target)


def entity_diagnostics(entities: list[LoadedEntity], target: str) -> list[Diagnostic]:
    """:func:`target_diagnostics` of the loaded entities (it needs nothing compiled)."""
    from fcomp.compiler.passes.coverage import check_coverage

    return check_coverage(entities, target)


@dataclass
class DynamicCompilation:
    """A dynamic task's ``DynamicJobSpec`` compiled as Flyte does: a workflow named
    ``dynamic_<node>`` with the dynamic task's interface."""

    compilation: Compilation
    workflow: ir.Ident | None


def compile_dynamic_job(
    futures: LoadedEntity, parent_task: LoadedEntity, node_id: str
) -> DynamicCompilation:
    """Compile the futures a dynamic task wrote (``futures``) given its task template."""
    from dataclasses import replace

    from fcomp.compiler.passes.pipeline import compile_dynamic
    from fcomp.compiler.passes.results import CompiledProgram
    from fcomp.compiler.passes.scope import Scope

    diags = Diagnostics()
    program = build_program([parent_task, futures], diags)
    check_node_ids(program, diags)
    if not check_nesting(program, diags):
        return DynamicCompilation(Compilation(program, None, [futures], diags), None)
    if not program.dynamic_jobs or not program.tasks:
        return DynamicCompilation(Compilation(program, None, [futures], diags), None)
    job = program.dynamic_jobs[0]
    parent = program.tasks[0]
    # Check the job's tasks and subworkflows with every other pass first.
    compiled = compile_program(replace(program, dynamic_jobs=()), diags)
    if compiled is None:
        return DynamicCompilation(Compilation(program, None, [futures], diags), None)
    sink: list[Diagnostic] = []
    result = compile_dynamic(
        job, compiled.catalog, Scope(sink), parent.interface, f"dynamic_{node_id}"
    )
    diags.extend(sink)
    if result is None:
        return DynamicCompilation(Compilation(program, None, [futures], diags), None)
    program = replace(program, workflows=(*program.workflows, result.workflow))
    compiled = CompiledProgram(
        program, ir.Catalog(program), {**compiled.workflows, result.id: result}, ()
    )
    return DynamicCompilation(Compilation(program, compiled, [futures], diags), result.id)
