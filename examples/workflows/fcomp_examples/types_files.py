"""FlyteFile and FlyteDirectory created by tasks from text, passed between tasks and
returned as workflow outputs (their content is readable locally)."""

import os

from flytekit import current_context, task, workflow
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile


@task
def write_file(text: str, repeat: int) -> FlyteFile:
    path = os.path.join(current_context().working_directory, "note.txt")
    with open(path, "w") as f:
        for i in range(repeat):
            f.write(f"{i}: {text}\n")
    return FlyteFile(path)


@task
def read_file(f: FlyteFile) -> tuple[str, int]:
    with open(f) as fh:
        content = fh.read()
    return content.splitlines()[-1], len(content.splitlines())


@task
def upper_file(f: FlyteFile) -> FlyteFile:
    with open(f) as fh:
        content = fh.read()
    path = os.path.join(current_context().working_directory, "upper.txt")
    with open(path, "w") as fh:
        fh.write(content.upper())
    return FlyteFile(path)


@task
def write_dir(names: list[str]) -> FlyteDirectory:
    d = os.path.join(current_context().working_directory, "outdir")
    os.makedirs(os.path.join(d, "sub"), exist_ok=True)
    for name in names:
        with open(os.path.join(d, f"{name}.txt"), "w") as f:
            f.write(f"file {name}\n")
    with open(os.path.join(d, "sub", "index.txt"), "w") as f:
        f.write("\n".join(sorted(names)) + "\n")
    return FlyteDirectory(d)


@task
def list_dir(d: FlyteDirectory) -> list[str]:
    root = d.download()
    out = []
    for base, _, files in os.walk(root):
        for name in files:
            out.append(os.path.relpath(os.path.join(base, name), root))
    return sorted(out)


@workflow
def file_wf(text: str = "hello file", repeat: int = 3) -> tuple[FlyteFile, str, int]:
    f = write_file(text=text, repeat=repeat)
    last, n = read_file(f=f)
    return upper_file(f=f), last, n


@workflow
def directory_wf(names: list[str] = ["a", "b"]) -> tuple[FlyteDirectory, list[str]]:  # noqa: B006
    d = write_dir(names=names)
    return d, list_dir(d=d)
