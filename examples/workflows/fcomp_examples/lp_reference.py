"""Launch-plan reference nodes: a workflow that calls named launch plans of another
workflow (workflow_node.launchplan_ref), one with a default input and one with a
fixed input."""

from flytekit import LaunchPlan, task, workflow


@task
def scale(a: int, b: int) -> int:
    return a * b


@task
def label(x: int, y: int) -> str:
    return f"x={x} y={y}"


@workflow
def child_wf(a: int, b: int = 10) -> int:
    return scale(a=a, b=b)


child_lp = LaunchPlan.get_or_create(child_wf, name="child_lp", default_inputs={"b": 20})
child_fixed_lp = LaunchPlan.get_or_create(child_wf, name="child_fixed_lp", fixed_inputs={"b": 3})


@workflow
def lp_reference_wf(x: int = 2) -> tuple[int, int, str]:
    first = child_lp(a=x)  # b from the launch plan's default (20)
    second = child_fixed_lp(a=first)  # b fixed at 3
    overridden = child_lp(a=x, b=7)  # optional input bound by the node
    return first, second, label(x=overridden, y=second)
