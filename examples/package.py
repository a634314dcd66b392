#!/usr/bin/env python3
"""Package the example workflows with `pyflyte package` into golden inputs.

    python examples/package.py              # write examples/packages/<module>.tgz, all.tgz
                                            # and examples/packages/index.json
    python examples/package.py --check      # package again into a temporary folder and
                                            # compare with the committed files, byte for byte
    python examples/package.py -m chain     # only some modules (repeatable)

Each topic module `fcomp_examples.<module>` is packaged on its own:

    cd examples/workflows
    pyflyte --pkgs fcomp_examples.<module> package --image ghcr.io/fcomp/examples:1 \
        --output <module>.tgz --force

(`all.tgz` is the same with `--pkgs fcomp_examples`). A module's package holds the
entities that importing it registers, so it is self-contained.

Normalisation (checked with --check, which packages again and compares bytes):
- pyflyte writes the tar members in no fixed order, with the current time as mtime and
  the packaging user's uid/gid, and gzip stores a time stamp. Each tgz is rewritten with
  members sorted by name, mtime 0, uid/gid 0, no user/group names, mode 0644, PAX format
  (as pyflyte writes; long names need it), and a gzip header with mtime 0 and no name.
- flytekit collects a node's upstream nodes in a Python set of node objects (hashed by
  identity), so the order of `upstream_node_ids` changes from run to run: each node's
  `upstream_node_ids` (in workflows, sub-workflows, branches, array nodes and the failure
  node) is sorted, as Flyte's compiler sorts them. pyflyte also runs with
  PYTHONHASHSEED=0.
- protobuf map entries (interface variables, ...) are serialized in insertion order,
  which varies: every member is parsed with flyteidl and serialized again with
  `deterministic=True` (map entries in key order). The message is unchanged; only the
  byte order of map entries differs from pyflyte's own output.
- dynamic tasks carry flytekit's serialization settings in env var `_F_SS_C` (gzip +
  base64 JSON), whose `source_root` is the absolute folder pyflyte ran in: it is set to
  "/root" (the in-container source path), so the packages do not depend on where the
  checkout lives.

`index.json` lists, per package, every member with its entity kind and name, and what the
compiler will find in it: task types and targets, node kinds per workflow (task,
subworkflow, launchplan_ref, branch, branch_error, gate_approve/signal/sleep, array,
failure_node), and launch-plan schedules and inputs.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent
WORKFLOWS = EXAMPLES / "workflows"
PACKAGES = EXAMPLES / "packages"
PACKAGE = "fcomp_examples"
IMAGE = "ghcr.io/fcomp/examples:1"
IN_CONTAINER_SOURCE = "/root"  # pyflyte package's default --in-container-source-path
SERIALIZED_CONTEXT = "_F_SS_C"  # env var of dynamic tasks: flytekit serialization settings


#: Modules that define their workflows only where a plugin is installed (which cannot be
#: installed beside the others): packaged only by a Python that has it.
NEEDS_PLUGIN = {
    "plugin_airflow": "flytekitplugins.airflow",
    "plugin_queries": "flytekitplugins.bigquery",  # and flytekitplugins.snowflake
}


def modules() -> list[str]:
    return sorted(p.stem for p in (WORKFLOWS / PACKAGE).glob("*.py") if p.stem != "__init__")


def packable(module: str) -> bool:
    """Whether this Python can package ``module`` (its plugin, if it needs one, is here)."""
    import importlib.util

    plugin = NEEDS_PLUGIN.get(module)
    return plugin is None or importlib.util.find_spec(plugin) is not None


def pyflyte() -> str:
    candidate = Path(sys.executable).with_name("pyflyte")
    return str(candidate) if candidate.exists() else "pyflyte"


def package_one(module: str | None, out_dir: Path) -> tuple[Path, float]:
    """Run pyflyte package for one module (None: the whole package), normalise the tgz."""
    pkgs = f"{PACKAGE}.{module}" if module else PACKAGE
    target = out_dir / f"{module or 'all'}.tgz"
    with tempfile.TemporaryDirectory(prefix="fcomp-package-") as tmp:
        raw = Path(tmp) / "raw.tgz"
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE")}
        # flytekit collects upstream node ids in a set: fix string hashing so their order
        # (a repeated field) is the same on every run
        env["PYTHONHASHSEED"] = "0"
        started = time.monotonic()
        proc = subprocess.run(
            [pyflyte(), "--pkgs", pkgs, "package", "--image", IMAGE, "--output", str(raw),
             "--force"],
            cwd=WORKFLOWS, env=env, capture_output=True, text=True,
        )
        elapsed = time.monotonic() - started
        if proc.returncode != 0:
            raise RuntimeError(f"pyflyte package {pkgs} failed:\n{proc.stdout}\n{proc.stderr}")
        target.write_bytes(normalise_tgz(raw.read_bytes()))
    return target, elapsed


def read_members(data: bytes) -> dict[str, bytes]:
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                f = tar.extractfile(member)
                assert f is not None
                out[member.name] = f.read()
    return out


def normalise_tgz(data: bytes) -> bytes:
    members = {name: canonical_proto(name, blob) for name, blob in read_members(data).items()}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(members):
            info = tarfile.TarInfo(name)
            info.size = len(members[name])
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(members[name]))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue())
    return out.getvalue()


def _message_class(name: str) -> Any:
    from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

    kind = name.rsplit("_", 1)[-1].removesuffix(".pb")
    return {"1": task_pb2.TaskSpec, "2": workflow_pb2.WorkflowSpec,
            "3": launch_plan_pb2.LaunchPlan}.get(kind)


def canonical_proto(name: str, blob: bytes) -> bytes:
    """The same message with sorted upstream_node_ids, serialized with map entries in key
    order (protobuf's deterministic serialization)."""
    cls = _message_class(name)
    if cls is None:
        return blob
    msg = cls()
    msg.ParseFromString(blob)
    if name.endswith("_1.pb") and msg.template.HasField("container"):
        for kv in msg.template.container.env:
            if kv.key == SERIALIZED_CONTEXT:
                kv.value = _fixed_source_root(kv.value)
    if name.endswith("_2.pb"):
        for wf in [msg.template, *msg.sub_workflows]:
            for node in wf.nodes:
                _sort_upstream(node)
            if wf.HasField("failure_node"):
                _sort_upstream(wf.failure_node)
    out: bytes = msg.SerializeToString(deterministic=True)
    return out


def _fixed_source_root(value: str) -> str:
    """flytekit's serialization settings (gzip + base64 JSON) with source_root set to the
    in-container source path instead of the packaging machine's folder."""
    settings = json.loads(gzip.decompress(base64.b64decode(value)).decode("utf-8"))
    settings["source_root"] = IN_CONTAINER_SOURCE
    buf = io.BytesIO()
    with gzip.GzipFile(mode="wb", fileobj=buf, mtime=0) as f:
        f.write(json.dumps(settings).encode("utf-8"))
    return base64.b64encode(buf.getvalue()).decode("utf-8")


def _sort_upstream(node: Any) -> None:
    ids = sorted(node.upstream_node_ids)
    del node.upstream_node_ids[:]
    node.upstream_node_ids.extend(ids)
    target = node.WhichOneof("target")
    if target == "branch_node":
        ie = node.branch_node.if_else
        _sort_upstream(ie.case.then_node)
        for case in ie.other:
            _sort_upstream(case.then_node)
        if ie.WhichOneof("default") == "else_node":
            _sort_upstream(ie.else_node)
    elif target == "array_node":
        _sort_upstream(node.array_node.node)


# ---------------------------------------------------------------------------------------
# What is inside: decode with flyteidl


def describe_package(data: bytes) -> list[dict[str, Any]]:
    from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

    entries = []
    for name, blob in sorted(read_members(data).items()):
        kind = name.rsplit("_", 1)[-1].removesuffix(".pb")
        entry: dict[str, Any] = {"file": name}
        if kind == "1":
            spec = task_pb2.TaskSpec()
            spec.ParseFromString(blob)
            t = spec.template
            entry.update(kind="task", name=t.id.name, type=t.type,
                         task_type_version=t.task_type_version, target=t.WhichOneof("target"))
            if t.metadata.HasField("retries") and t.metadata.retries.retries:
                entry["retries"] = t.metadata.retries.retries
            if t.metadata.interruptible:
                entry["interruptible"] = True
            if t.metadata.discoverable:
                entry["cache"] = t.metadata.discovery_version
            if t.security_context.secrets:
                entry["secrets"] = [f"{s.group}/{s.key}" for s in t.security_context.secrets]
        elif kind == "2":
            spec = workflow_pb2.WorkflowSpec()
            spec.ParseFromString(blob)
            kinds: dict[str, int] = {}
            for node in spec.template.nodes:
                _node_kinds(node, kinds)
            if spec.template.HasField("failure_node") and spec.template.failure_node.id:
                kinds["failure_node"] = kinds.get("failure_node", 0) + 1
            entry.update(kind="workflow", name=spec.template.id.name,
                         node_kinds=dict(sorted(kinds.items())),
                         sub_workflows=sorted(s.id.name for s in spec.sub_workflows))
            if spec.template.metadata.on_failure:
                entry["failure_policy"] = "FAIL_AFTER_EXECUTABLE_NODES_COMPLETE"
        elif kind == "3":
            lp = launch_plan_pb2.LaunchPlan()
            lp.ParseFromString(blob)
            s = lp.spec
            entry.update(kind="launch_plan", name=lp.id.name, workflow=s.workflow_id.name,
                         default_inputs=sorted(s.default_inputs.parameters),
                         fixed_inputs=sorted(s.fixed_inputs.literals))
            sched = s.entity_metadata.schedule
            which = sched.WhichOneof("ScheduleExpression")
            if which == "cron_schedule":
                entry["schedule"] = {"cron": sched.cron_schedule.schedule}
            elif which == "rate":
                from flyteidl.admin import schedule_pb2

                unit = schedule_pb2.FixedRateUnit.Name(sched.rate.unit)
                entry["schedule"] = {"rate": f"{sched.rate.value} {unit}"}
            elif which == "cron_expression":
                entry["schedule"] = {"cron": sched.cron_expression}
            if sched.kickoff_time_input_arg:
                entry.setdefault("schedule", {})["kickoff_time_input_arg"] = (
                    sched.kickoff_time_input_arg)
        else:
            entry["kind"] = f"unknown ({kind})"
        entries.append(entry)
    return entries


def _node_kinds(node: Any, kinds: dict[str, int]) -> None:
    def add(k: str) -> None:
        kinds[k] = kinds.get(k, 0) + 1

    target = node.WhichOneof("target")
    if target == "task_node":
        add("task")
        if node.task_node.HasField("overrides") and (
                node.task_node.overrides.HasField("resources")
                or node.task_node.overrides.container_image):
            add("task_overrides")
    elif target == "workflow_node":
        add(node.workflow_node.WhichOneof("reference"))  # launchplan_ref / sub_workflow_ref
    elif target == "branch_node":
        add("branch")
        ie = node.branch_node.if_else
        _node_kinds(ie.case.then_node, kinds)
        for case in ie.other:
            _node_kinds(case.then_node, kinds)
        if ie.WhichOneof("default") == "else_node":
            _node_kinds(ie.else_node, kinds)
        else:
            add("branch_error")
    elif target == "gate_node":
        add("gate_" + node.gate_node.WhichOneof("condition"))
    elif target == "array_node":
        add("array")
        _node_kinds(node.array_node.node, kinds)
    else:
        add(str(target))


def write_index(paths: list[Path]) -> None:
    index = {p.name: describe_package(p.read_bytes()) for p in sorted(paths)}
    (PACKAGES / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="package into a temporary folder and compare with packages/")
    ap.add_argument("-m", "--module", action="append", help="only this module (repeatable)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ns = ap.parse_args(argv)
    selected: list[str | None] = list(ns.module) if ns.module else [*modules(), None]
    for module in [m for m in selected if m is not None and not packable(m)]:
        print(f"skipped {module}: needs {NEEDS_PLUGIN[module]} (package it where that is)")
        selected.remove(module)
    with tempfile.TemporaryDirectory(prefix="fcomp-packages-") as tmp:
        out_dir = Path(tmp) if ns.check else PACKAGES
        out_dir.mkdir(exist_ok=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, ns.jobs)) as pool:
            results = list(pool.map(lambda m: package_one(m, out_dir), selected))
        bad = 0
        for path, elapsed in results:
            line = f"{path.name:28s} {len(read_members(path.read_bytes())):4d} entities " \
                   f"{elapsed:5.1f}s"
            if ns.check:
                committed = PACKAGES / path.name
                same = committed.exists() and committed.read_bytes() == path.read_bytes()
                line += "  same" if same else "  DIFFERENT"
                bad += not same
            print(line)
        if not ns.check:
            write_index(sorted(PACKAGES.glob("*.tgz")))
            known = {f"{m}.tgz" for m in modules()} | {"all.tgz"}
            for stale in PACKAGES.glob("*.tgz"):
                if stale.name not in known:
                    print(f"stale package {stale.name} (module gone?)")
    print(f"{len(results) - bad} passed, {bad} failed" if ns.check else "done")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
