"""Dataclasses: a dataclass with a nested dataclass and a list field as input and
output, and attribute access on a dataclass output (`rec.stats.count`,
`rec.values`, `rec.values[1]`) so bindings carry an attr_path; a map task over a
list field (`map_task(pick)(v=rec.values)`)."""

from dataclasses import dataclass, field

from flytekit import map_task, task, workflow


@dataclass
class Stats:
    count: int
    mean: float


@dataclass
class Record:
    name: str
    values: list[int]
    stats: Stats
    tags: dict[str, str] = field(default_factory=dict)


@task
def make_record(name: str, values: list[int]) -> Record:
    mean = sum(values) / len(values) if values else 0.0
    return Record(name=name, values=values, stats=Stats(count=len(values), mean=mean),
                  tags={"source": "make_record"})


@task
def double_count(count: int) -> int:
    return count * 2


@task
def sum_values(values: list[int]) -> int:
    return sum(values)


@task
def show_mean(mean: float, name: str) -> str:
    return f"{name}: mean={mean:.3f}"


@task
def pick(v: int) -> int:
    return v * 100


@task
def rename(rec: Record, suffix: str) -> Record:
    return Record(name=rec.name + suffix, values=rec.values + [len(suffix)], stats=rec.stats,
                  tags={**rec.tags, "renamed": "yes"})


@workflow
def dataclass_wf(
    name: str = "sample", values: list[int] = [4, 8, 15]  # noqa: B006
) -> tuple[Record, int, int, str, int]:
    rec = make_record(name=name, values=values)
    return (
        rename(rec=rec, suffix="-v2"),
        double_count(count=rec.stats.count),
        sum_values(values=rec.values),
        show_mean(mean=rec.stats.mean, name=rec.name),
        pick(v=rec.values[1]),
    )


@workflow
def dataclass_input_wf(
    rec: Record = Record(name="in", values=[1, 2], stats=Stats(count=2, mean=1.5)),  # noqa: B008
) -> tuple[Record, int]:
    """A dataclass workflow input with attribute access on the input itself."""
    return rename(rec=rec, suffix="+"), double_count(count=rec.stats.count)


@workflow
def map_attr_wf(name: str = "mapped", values: list[int] = [3, 5, 7]) -> list[int]:  # noqa: B006
    """A map task over a list reached through a dataclass attribute."""
    rec = make_record(name=name, values=values)
    return map_task(pick)(v=rec.values)
