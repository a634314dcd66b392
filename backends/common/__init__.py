"""What every backend shares: target names, node paths and binding plans."""
