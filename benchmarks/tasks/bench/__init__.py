"""The tasks of the benchmark's generated workflows, so that small ones can run end to end."""
