"""The runtime: what FlytePropeller does between tasks, as a small command for task pods.

Generated Argo workflows and Airflow DAGs call ``fcomp-runtime`` (``python -m fcomp.runtime``)
to turn workflow parameters into literals, resolve a node's bindings into its ``inputs.pb``,
evaluate branch conditions, gather array outputs and show a workflow's outputs. The data
layout and the command line are specified in ``runtime/CONTRACT.md``.

The runtime starts inside task pods and on Airflow workers, so it imports only flyteidl,
protobuf, msgpack, fsspec and the standard library, each only when a command needs it.
"""
