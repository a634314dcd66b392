"""Plugins: one module per task type family, each lowering a task to an execution unit."""
