"""``fcomp inspect``: what an input holds (tasks, workflows, launch plans), as a table or JSON.

It reads and converts the entities without running the compiler's checks, so it also works
on inputs that ``fcomp validate`` rejects; errors met while reading are printed and make the
exit code 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from fcomp.cli.output import print_diagnostics
from fcomp.compiler import ir
from fcomp.compiler.diagnostics import Diagnostics
from fcomp.compiler.frontend import build_program
from fcomp.idl.load import load_paths


def task_image(task: ir.Task) -> str:
    """The image a task runs: its container's, or its pod's primary container's."""
    if task.container is not None:
        return task.container.image
    pod = task.k8s_pod
    if pod is not None and isinstance(pod.pod_spec, dict):
        primary = pod.primary_container_name or task.config_value("primary_container_name")
        containers = [c for c in pod.pod_spec.get("containers") or () if isinstance(c, dict)]
        for container in containers:
            if container.get("name") == primary or len(containers) == 1:
                return str(container.get("image", ""))
    return ""


def walk_nodes(nodes: Sequence[ir.Node]) -> Iterator[ir.Node]:
    """Every node, with the nodes inside branches and array nodes (iteratively: no depth limit)."""
    todo = list(reversed(nodes))
    while todo:
        node = todo.pop()
        yield node
        kind = node.kind
        inner: list[ir.Node | None] = []
        if isinstance(kind, ir.BranchNode):
            inner = [case.then_node for case in kind.cases] + [kind.else_node]
        elif isinstance(kind, ir.ArrayNode):
            inner = [kind.node]
        todo.extend(reversed([n for n in inner if n is not None]))


def schedule_text(schedule: ir.Schedule | None) -> str:
    """``*/5 * * * *`` or ``every 10 MINUTE`` (empty when not scheduled)."""
    if schedule is None:
        return ""
    expr = schedule.expression
    if isinstance(expr, ir.CronSchedule):
        return expr.schedule + (f" (offset {expr.offset})" if expr.offset else "")
    return f"every {expr.value} {expr.unit}"


def _literal_text(literal: ir.Literal | None) -> str | None:
    if literal is None:
        return None
    return literal.text if literal.text is not None else literal.string_value


def plan_inputs(lp: ir.LaunchPlan) -> list[dict[str, Any]]:
    """A launch plan's inputs: name, type, required, default and whether it is fixed."""
    out: list[dict[str, Any]] = [
        {
            "name": p.var.name,
            "type": ir.render_type(p.var.type),
            "required": p.required,
            "default": _literal_text(p.default),
            "fixed": False,
        }
        for p in lp.default_inputs
    ]
    for name, literal in lp.fixed_inputs:
        out.append(
            {
                "name": name,
                "type": ir.render_type(literal.type) if literal.type is not None else "",
                "required": False,
                "default": _literal_text(literal),
                "fixed": True,
            }
        )
    return out


def describe(program: ir.Program) -> dict[str, list[dict[str, Any]]]:
    """The ``--format json`` document: tasks, workflows and launch plans in input order."""
    registered = set(program.primary)
    return {
        "tasks": [
            {"name": t.id.name, "type": t.type, "image": task_image(t), "source": t.source.file}
            for t in program.tasks
        ],
        "workflows": [
            {
                "name": w.id.name,
                "nodes": len(w.nodes),
                "all_nodes": sum(1 for _ in walk_nodes(w.nodes)),
                "registered": w.id in registered,
                "inputs": list(w.interface.inputs),
                "outputs": list(w.interface.outputs),
                "source": w.source.file,
            }
            for w in program.workflows
        ],
        "launch_plans": [
            {
                "name": lp.id.name,
                "workflow": lp.workflow.name,
                "schedule": schedule_text(lp.schedule) or None,
                "inputs": plan_inputs(lp),
                "source": lp.source.file,
            }
            for lp in program.launch_plans
        ],
    }


def _input_text(item: dict[str, Any]) -> str:
    text = item["name"] if item["default"] is None else f"{item['name']}={item['default']}"
    return text + (" (fixed)" if item["fixed"] else " (required)" if item["required"] else "")


#: Text table columns of each section: heading -> value of a JSON row.
COLUMNS: dict[str, dict[str, Callable[[dict[str, Any]], str]]] = {
    "tasks": {
        "NAME": lambda r: r["name"],
        "TYPE": lambda r: r["type"],
        "IMAGE": lambda r: r["image"],
    },
    "workflows": {
        "NAME": lambda r: r["name"],
        "NODES": lambda r: str(r["nodes"]),
        "ALL NODES": lambda r: str(r["all_nodes"]),
        "ROLE": lambda r: "workflow" if r["registered"] else "subworkflow",
    },
    "launch_plans": {
        "NAME": lambda r: r["name"],
        "WORKFLOW": lambda r: r["workflow"],
        "SCHEDULE": lambda r: r["schedule"] or "-",
        "INPUTS": lambda r: ", ".join(_input_text(i) for i in r["inputs"]) or "-",
    },
}


def table(title: str, rows: list[dict[str, Any]], columns: dict[str, Callable[..., str]]) -> str:
    """A section: a title with the row count, then aligned columns (``kubectl get`` style)."""
    cells = [list(columns)] + [[get(row) or "-" for get in columns.values()] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = [f"{title} ({len(rows)})"]
    for line in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    return "\n".join(lines)


@click.command(
    epilog="""\b
Examples:
  fcomp inspect pkg.tgz
  fcomp inspect pkg.tgz --format json | jq '.launch_plans[] | select(.schedule)'
"""
)
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table per entity kind, or one JSON document (diagnostics go to stderr).",
)
def inspect(inputs: tuple[str, ...], fmt: str) -> int:
    """List the entities in INPUTS: tasks (type, image), workflows (node counts), launch plans
    (schedule, inputs).

    The inputs are read but not checked; use `fcomp validate` for that.
    """
    diags = Diagnostics()
    loaded = load_paths(list(inputs))
    diags.extend(loaded.diagnostics)
    program = build_program(loaded.entities, diags)
    print_diagnostics(diags.sorted(), fmt="json" if fmt == "json" else "text")
    doc = describe(program)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, sort_keys=True))
    else:
        titles = {"tasks": "TASKS", "workflows": "WORKFLOWS", "launch_plans": "LAUNCH PLANS"}
        sections = [table(titles[key], doc[key], COLUMNS[key]) for key in titles]
        click.echo("\n\n".join(sections))
    return 1 if diags.has_errors else 0
