"""Installs the top-level source folders under the ``fcomp`` import namespace."""

from setuptools import find_packages, setup

ROOTS = ("compiler", "backends", "idl", "runtime", "cli")

setup(
    packages=[
        f"fcomp.{name}"
        for root in ROOTS
        for name in (root, *(f"{root}.{sub}" for sub in find_packages(root)))
    ],
    package_dir={f"fcomp.{root}": root for root in ROOTS},
    package_data={
        f"fcomp.{root}": ["*.json", "*.toml", "py.typed", "Dockerfile"] for root in ROOTS
    },
)
