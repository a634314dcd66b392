"""A raw container task (ContainerTask, task type raw-container): a shell-only image
reads inputs from the command line and writes its output to /var/outputs/c, followed by
a Python task. Not runnable under local `pyflyte run` without a Docker daemon."""

from flytekit import ContainerTask, kwtypes, task, workflow

raw_add = ContainerTask(
    name="raw_add",
    image="busybox:1.36",
    input_data_dir="/var/inputs",
    output_data_dir="/var/outputs",
    inputs=kwtypes(a=int, b=int),
    outputs=kwtypes(c=int),
    command=["sh", "-c", "echo $(( {{.inputs.a}} + {{.inputs.b}} )) > /var/outputs/c"],
)


@task
def double(x: int) -> int:
    return x * 2


@workflow
def raw_container_wf(a: int = 2, b: int = 3) -> int:
    c = raw_add(a=a, b=b)
    return double(x=c)
