"""A limit on how deep subworkflows nest.

Every backend lowers a subworkflow inside its parent (Argo: a DAG template per level; plans:
promises resolved through each level), so nesting depth turns into recursion depth and output
size. Real workflows nest a few levels; a chain of hundreds is a malformed or hostile input.
Past :data:`MAX_SUBWORKFLOW_DEPTH` levels the workflow is reported (``LimitExceeded``) instead
of exhausting the stack or memory later.
"""

from __future__ import annotations

from fcomp.compiler import codes, ir
from fcomp.compiler.diagnostics import Diagnostic, Diagnostics, Severity
from fcomp.compiler.passes.references import direct_references

#: Levels of subworkflows below a workflow that fcomp accepts.
MAX_SUBWORKFLOW_DEPTH = 100


def _depths(program: ir.Program, catalog: ir.Catalog) -> dict[ir.Ident, tuple[int, ir.Ident]]:
    """For each workflow, how many subworkflow levels lie below it and the child on the
    deepest path; iterative (post-order), each workflow once, cycles left to their own check."""
    children: dict[ir.Ident, list[ir.Ident]] = {}
    for wf in program.workflows:
        subs = []
        for _, ref in direct_references(wf)[2]:
            found = catalog.workflows.find(ref)
            if found is not None:
                subs.append(found.id)
        children[wf.id] = subs
    depth: dict[ir.Ident, tuple[int, ir.Ident]] = {}
    on_path: set[ir.Ident] = set()
    for root in children:
        stack: list[tuple[ir.Ident, bool]] = [(root, False)]
        while stack:
            wf_id, done = stack.pop()
            if done:
                on_path.discard(wf_id)
                best = (0, wf_id)
                for child in children.get(wf_id, []):
                    if child in depth and depth[child][0] + 1 > best[0]:
                        best = (depth[child][0] + 1, child)
                depth[wf_id] = best
                continue
            if wf_id in depth or wf_id in on_path:
                continue  # done already, or a cycle (reported by the pipeline)
            on_path.add(wf_id)
            stack.append((wf_id, True))
            stack.extend((c, False) for c in children.get(wf_id, []) if c not in depth)
    return depth


def check_nesting(program: ir.Program, diags: Diagnostics) -> bool:
    """Report every workflow under which subworkflows nest deeper than the limit (the
    topmost such workflows only, so one deep chain gives one diagnostic); whether none does."""
    catalog = ir.Catalog(program)
    depth = _depths(program, catalog)
    too_deep = {wf_id for wf_id, (d, _) in depth.items() if d > MAX_SUBWORKFLOW_DEPTH}
    inner = {depth[w][1] for w in too_deep}
    for wf in program.workflows:
        if wf.id not in too_deep or wf.id in inner:
            continue
        levels, child = depth[wf.id]
        chain = [wf.id]
        while child != chain[-1] and len(chain) < 4:
            chain.append(child)
            child = depth[child][1]
        path = " > ".join(c.name for c in chain)
        diags.add(
            Diagnostic(
                Severity.ERROR,
                codes.LIMIT_EXCEEDED,
                f"subworkflows nest {levels} levels deep under this workflow "
                f"({path} > ...); fcomp accepts at most {MAX_SUBWORKFLOW_DEPTH}",
                wf.source,
            )
        )
    return not too_deep
