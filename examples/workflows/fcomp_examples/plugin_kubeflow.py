"""Kubeflow training tasks (flytekitplugins-kfpytorch, -kftensorflow, -kfmpi): PyTorchJob,
TFJob and MPIJob, in the current (task_type_version 1) protos."""

from flytekit import Resources, task, workflow
from flytekitplugins.kfmpi import Launcher, MPIJob
from flytekitplugins.kfmpi import Worker as MPIWorker
from flytekitplugins.kfpytorch import Master, PyTorch
from flytekitplugins.kfpytorch import Worker as PTWorker
from flytekitplugins.kftensorflow import PS, Chief, TfJob
from flytekitplugins.kftensorflow import Worker as TFWorker


@task(
    task_config=PyTorch(master=Master(), worker=PTWorker(replicas=2)),
    requests=Resources(cpu="1", mem="1Gi"),
)
def torch_train(epochs: int) -> int:
    return epochs * 2


@task(task_config=TfJob(chief=Chief(replicas=1), worker=TFWorker(replicas=2), ps=PS(replicas=1)))
def tf_train(epochs: int) -> int:
    return epochs * 3


@task(task_config=MPIJob(launcher=Launcher(replicas=1), worker=MPIWorker(replicas=2), slots=2))
def mpi_train(epochs: int) -> int:
    return epochs * 4


@workflow
def kubeflow_wf(epochs: int = 1) -> tuple[int, int, int]:
    return torch_train(epochs=epochs), tf_train(epochs=epochs), mpi_train(epochs=epochs)
