"""Flytekit example workflows used as fcomp's end-to-end golden inputs.

One module per topic; see examples/README.md for what each covers. Every module is
deterministic (no randomness, network or clock) so that `pyflyte run` gives the same
outputs every time.
"""
