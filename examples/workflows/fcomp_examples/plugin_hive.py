"""A Hive query task (flytekitplugins-hive, task type hive): a Sql-target task."""

from flytekit import kwtypes, workflow
from flytekitplugins.hive import HiveConfig, HiveSelectTask

hive_count = HiveSelectTask(
    name="fcomp_examples.plugin_hive.count",
    inputs=kwtypes(ds=str),
    select_query="SELECT COUNT(*) FROM events WHERE ds = '{{ .Inputs.ds }}'",
    task_config=HiveConfig(cluster_label="default"),
)


@workflow
def hive_wf(ds: str = "2024-01-01"):
    hive_count(ds=ds)
