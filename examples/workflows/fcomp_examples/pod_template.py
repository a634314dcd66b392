"""A task with a pod template: primary container name, labels, annotations,
tolerations, node selector, a volume mounted in the primary container, an extra
env var and a sidecar container. Runs locally as a plain Python task."""

from flytekit import PodTemplate, task, workflow
from kubernetes.client import (
    V1Container,
    V1EmptyDirVolumeSource,
    V1EnvVar,
    V1PodSpec,
    V1Toleration,
    V1Volume,
    V1VolumeMount,
)

example_pod_template = PodTemplate(
    primary_container_name="primary",
    labels={"team": "fcomp", "example": "pod-template"},
    annotations={"fcomp.io/purpose": "example"},
    pod_spec=V1PodSpec(
        containers=[
            V1Container(
                name="primary",
                volume_mounts=[V1VolumeMount(name="scratch", mount_path="/scratch")],
                env=[V1EnvVar(name="FROM_POD_TEMPLATE", value="yes")],
            ),
            V1Container(
                name="sidecar",
                image="busybox:1.36",
                command=["sh", "-c", "sleep 5"],
            ),
        ],
        tolerations=[
            V1Toleration(key="dedicated", operator="Equal", value="fcomp", effect="NoSchedule")
        ],
        node_selector={"fcomp.io/pool": "examples"},
        volumes=[V1Volume(name="scratch", empty_dir=V1EmptyDirVolumeSource(medium="Memory"))],
    ),
)


@task(pod_template=example_pod_template)
def in_pod(x: int) -> int:
    return x * 7


@task
def plain(x: int) -> str:
    return f"result={x}"


@workflow
def pod_template_wf(x: int = 6) -> str:
    return plain(x=in_pod(x=x))
