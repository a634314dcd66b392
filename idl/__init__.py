"""Loaders: read Flyte entities from files into flyteidl messages, with their sources.

The entry point is :func:`fcomp.idl.load.load_paths`; what it returns is described in
:mod:`fcomp.idl.model`, its safety limits in :mod:`fcomp.idl.limits`. This is the only package
that knows file formats (archives, binary protobuf, protobuf JSON and YAML, flytectl output).
"""
