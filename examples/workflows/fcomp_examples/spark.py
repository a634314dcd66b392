"""A Spark task (flytekitplugins-spark). Locally flytekit starts a local SparkSession."""

import flytekit
from flytekit import Resources, task, workflow
from flytekitplugins.spark import Spark


@task(
    task_config=Spark(
        spark_conf={
            "spark.driver.memory": "1g",
            "spark.driver.cores": "1",
            "spark.executor.memory": "1g",
            "spark.executor.cores": "1",
            "spark.executor.instances": "2",
            "spark.ui.enabled": "false",
        },
        hadoop_conf={"fs.defaultFS": "file:///"},
    ),
    limits=Resources(mem="2Gi"),
)
def sum_of_squares(n: int) -> int:
    sess = flytekit.current_context().spark_session
    rdd = sess.sparkContext.parallelize(range(1, n + 1), 2)
    return int(rdd.map(lambda v: v * v).sum())


@task
def describe(total: int) -> str:
    return f"sum of squares = {total}"


@workflow
def spark_wf(n: int = 10) -> tuple[int, str]:
    s = sum_of_squares(n=n)
    return s, describe(total=s)
