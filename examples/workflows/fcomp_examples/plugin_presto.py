"""A Presto query task (task type presto). No flytekit plugin package writes Presto tasks, so
this one is a flytekit ``SQLTask`` whose ``custom`` is Flyte's ``PrestoQuery`` message
(``flyteidl.plugins.presto_pb2``), the form Flyte's Presto backend plugin reads: the
statement, the catalog and schema it runs in, and its routing group (none here)."""

from typing import Any

from flyteidl.plugins import presto_pb2
from flytekit import kwtypes, workflow
from flytekit.configuration import SerializationSettings
from flytekit.extend import SQLTask
from flytekit.types.schema import FlyteSchema
from google.protobuf.json_format import MessageToDict


class PrestoTask(SQLTask[presto_pb2.PrestoQuery]):
    """A query run by Flyte's Presto plugin; ``results`` is the table it writes."""

    def __init__(self, name: str, query_template: str, catalog: str, schema: str, **kwargs: Any):
        super().__init__(
            name=name,
            query_template=query_template,
            task_config=presto_pb2.PrestoQuery(catalog=catalog, schema=schema),
            task_type="presto",
            outputs=kwtypes(results=FlyteSchema),
            **kwargs,
        )

    def get_custom(self, settings: SerializationSettings) -> dict[str, Any]:
        query = presto_pb2.PrestoQuery()
        query.CopyFrom(self.task_config)
        query.statement = self.query_template
        return MessageToDict(query)


daily_counts = PrestoTask(
    name="fcomp_examples.plugin_presto.daily_counts",
    query_template="SELECT ds, COUNT(*) AS n FROM events WHERE ds >= '{{ .Inputs.since }}' "
    "GROUP BY ds",
    catalog="hive",
    schema="analytics",
    inputs=kwtypes(since=str),
)


@workflow
def presto_wf(since: str = "2024-01-01") -> FlyteSchema:
    return daily_counts(since=since)
