"""fcomp's benchmark: whole-process times and peak memory of ``fcomp validate`` and
``fcomp build`` (Argo, Airflow) on generated workflows of N nodes, next to the peer (the same
DAG written by hand with hera, ``to_yaml()``) and the floor (parse + dict + ``json.dumps``).

    python benchmarks/bench.py                      # layered 1k..50k, other shapes, chart
    python benchmarks/bench.py --sizes 1000,5000 --repeat 1 --no-peer     # a quick look

Every command runs as its own process (``subprocess``); a run's time is its wall-clock time,
its CPU time and peak memory come from the child's resource usage (``os.wait4``). Each timed
tool runs once untimed first (to fill the bytecode cache); each figure is the median of
``--repeat`` runs (one for hera at 50k and Airflow from 10k: those take minutes). Bytecode is
cached under ``benchmarks/.cache`` as an installed package would have it. Packages are
generated once into ``benchmarks/.cache`` (:mod:`benchmarks.generate`).

Prints a table of times, ratios and the targets (PASS/FAIL), writes ``benchmarks/results.json``
and draws ``benchmarks/performance.png`` (time vs N, log-log).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import SHAPES  # noqa: E402

CACHE = HERE / ".cache"
TOOLS = ("validate", "argo", "airflow", "floor", "hera")
MB = 1024 * 1024


@dataclass
class Measure:
    """One command's runs: wall and CPU seconds and peak memory (MiB) of each."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    ok: bool = True
    error: str = ""

    @property
    def time(self) -> float:
        return statistics.median(self.wall) if self.wall else float("nan")

    @property
    def cpu_time(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    @property
    def peak(self) -> float:
        return max(self.peak_mb) if self.peak_mb else float("nan")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    return env


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, int, str]:
    """Run ``argv``; its wall and CPU seconds, peak memory (MiB), exit status and stderr."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, proc.returncode, text


def measure(argv: list[str], repeat: int, warm: bool = True) -> Measure:
    """Median of ``repeat`` runs of ``argv`` (after one untimed run)."""
    env = _env()
    m = Measure()
    for i in range(repeat + (1 if warm else 0)):
        wall, cpu, peak, code, err = run_once(argv, env)
        if code != 0:
            m.ok, m.error = False, err.strip().splitlines()[-1:] and err.strip()[-400:] or str(code)
            return m
        if warm and i == 0:
            continue
        m.wall.append(wall)
        m.cpu.append(cpu)
        m.peak_mb.append(peak)
    return m


def package(shape: str, n: int) -> Path:
    """The generated package (made once, kept in the cache), written by a process of its
    own: the benchmark process stays small, since every child it starts counts the
    benchmark's own memory in its peak."""
    path = CACHE / "packages" / f"{shape}-{n}.tgz"
    if not path.is_file():
        subprocess.run(
            [sys.executable, "-m", "benchmarks.generate", shape, str(n), str(path)],
            cwd=ROOT,
            check=True,
        )
    return path


def fcomp() -> str:
    exe = shutil.which("fcomp", path=str(Path(sys.executable).parent))
    return exe or "fcomp"


def commands(tool: str, shape: str, n: int, pkg: Path, out: Path) -> list[str]:
    if tool == "validate":
        return [fcomp(), "validate", str(pkg)]
    if tool in ("argo", "airflow"):
        return [fcomp(), "build", "--target", tool, str(pkg), "-o", str(out / tool)]
    if tool == "floor":
        return [sys.executable, str(HERE / "floor.py"), str(pkg), str(out / "floor.json")]
    return [sys.executable, str(HERE / "peer_hera.py"), shape, str(n), str(out / "hera.yaml")]


_SIZES = """
import json, sys, pathlib, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
sizes = []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.yaml")):
    with path.open(encoding="utf-8") as f:
        docs = list(yaml.load_all(f, Loader=loader))
    sizes += [len(json.dumps(d, separators=(",", ":"))) for d in docs]
print(json.dumps(sizes))
"""


def object_sizes(folder: Path) -> list[int]:
    """The compact-JSON size of every Argo object written to ``folder`` (read in a process of
    its own: a large benchmark process would count in its children's peak memory, since a
    child starts as a copy of it)."""
    out = subprocess.run(
        [sys.executable, "-c", _SIZES, str(folder)], capture_output=True, text=True, check=True
    )
    sizes: list[int] = json.loads(out.stdout)
    return sizes


@dataclass
class Row:
    """The figures of one shape and size."""

    shape: str
    n: int
    results: dict[str, Measure] = field(default_factory=dict)
    yaml_bytes: int = 0
    objects: int = 0
    largest_object: int = 0
    #: Airflow's DagBag import of the built DAG folder (:mod:`benchmarks.airflow_import`).
    dagbag: dict[str, Any] = field(default_factory=dict)


def measure_dagbag(folder: Path) -> dict[str, Any]:
    """The DagBag import of ``folder`` with the default 30 s timeout (without the DAGs)."""
    from benchmarks.airflow_import import measure as load

    found = load(folder, timeout=30)
    dags = found.pop("dags", {})
    found["tasks"] = sum(dags.values())
    found["dag_count"] = len(dags)
    return found


def bench(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    warmed: set[str] = set()
    for shape in args.shapes:
        for n in args.sizes:
            pkg = package(shape, n)
            row = Row(shape, n)
            with tempfile.TemporaryDirectory(prefix="fcomp-bench-") as tmp:
                out = Path(tmp)
                for tool in args.tools:
                    if tool in ("hera", "floor") and shape not in args.peer_shapes:
                        continue
                    if tool == "hera" and n > args.hera_max:
                        continue
                    slow = (tool == "hera" and n >= 50_000) or (tool == "airflow" and n >= 10_000)
                    repeat = 1 if slow else args.repeat
                    print(f"  {shape:8} {n:>6} {tool:8} ...", end="", flush=True, file=sys.stderr)
                    first = tool not in warmed  # bytecode caches are warm after one run
                    warmed.add(tool)
                    m = measure(commands(tool, shape, n, pkg, out), repeat, warm=first)
                    row.results[tool] = m
                    status = f"{m.time:.2f} s" if m.ok else f"FAILED: {m.error[-200:]}"
                    print(f" {status}", file=sys.stderr)
                    if tool == "airflow" and m.ok and n in args.dagbag and shape == "layered":
                        print(
                            f"  {shape:8} {n:>6} dagbag   ...", end="", flush=True, file=sys.stderr
                        )
                        row.dagbag = measure_dagbag(out / "airflow")
                        print(f" {row.dagbag.get('slowest_file_s')} s", file=sys.stderr)
                    if tool == "argo" and m.ok:
                        files = sorted((out / "argo").glob("*.yaml"))
                        row.yaml_bytes = sum(p.stat().st_size for p in files)
                        if args.sizes_check:
                            sizes = object_sizes(out / "argo")
                            row.objects, row.largest_object = len(sizes), max(sizes)
            rows.append(row)
    return rows


def _fmt(m: Measure | None) -> str:
    if m is None:
        return "-"
    if not m.ok:
        return "failed"
    return f"{m.time:.2f}"


def table(rows: list[Row]) -> str:
    """The figures as a Markdown table."""
    head = [
        "shape", "N", "validate s", "argo s", "argo CPU s", "argo peak MB", "airflow s",
        "floor s", "hera s", "argo/floor", "hera/argo", "YAML MB", "objects", "largest object",
    ]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        res = r.results
        argo, floor, hera = res.get("argo"), res.get("floor"), res.get("hera")

        def ratio(a: Measure | None, b: Measure | None) -> str:
            if a is None or b is None or not a.ok or not b.ok:
                return "-"
            return f"{a.time / b.time:.1f}x"

        cells = [
            r.shape,
            f"{r.n:,}",
            _fmt(res.get("validate")),
            _fmt(argo),
            f"{argo.cpu_time:.2f}" if argo and argo.ok else "-",
            f"{argo.peak:.0f}" if argo and argo.ok else "-",
            _fmt(res.get("airflow")),
            _fmt(floor),
            _fmt(hera),
            ratio(argo, floor),
            ratio(hera, argo),
            f"{r.yaml_bytes / 1e6:.1f}" if r.yaml_bytes else "-",
            str(r.objects or "-"),
            f"{r.largest_object:,}" if r.largest_object else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _get(rows: list[Row], shape: str, n: int, tool: str) -> Measure | None:
    for r in rows:
        if r.shape == shape and r.n == n:
            m = r.results.get(tool)
            return m if m is not None and m.ok else None
    return None


def targets(rows: list[Row], limit: int) -> list[tuple[str, str, bool | None]]:
    """Each target of issue 8: what it asks, the measured figure, PASS/FAIL (None: not run)."""
    out: list[tuple[str, str, bool | None]] = []

    def check(what: str, value: float | None, ok: bool | None, fmt: str) -> None:
        if not value:
            out.append((what, "not measured", None))
        else:
            out.append((what, fmt.format(value), bool(ok)))

    a50, a5, a10 = (_get(rows, "layered", n, "argo") for n in (50_000, 5_000, 10_000))
    f50, h10 = _get(rows, "layered", 50_000, "floor"), _get(rows, "layered", 10_000, "hera")
    v50 = _get(rows, "layered", 50_000, "validate")
    check("argo build, 50k layered <= 3 s", a50 and a50.time, a50 and a50.time <= 3, "{:.2f} s")
    ratio = a50.time / f50.time if a50 and f50 else None
    check("argo build <= 3x floor at 50k", ratio, ratio is not None and ratio <= 3, "{:.2f}x")
    speed = h10.time / a10.time if h10 and a10 else None
    check("argo >= 20x faster than hera at 10k", speed, speed is not None and speed >= 20,
          "{:.1f}x")  # fmt: skip
    lin = a50.time / a5.time if a50 and a5 else None
    check("linear: t(50k)/t(5k) <= 12", lin, lin is not None and lin <= 12, "{:.1f}")
    peak = a50.peak if a50 else None
    check("peak memory at 50k <= 600 MB", peak, peak is not None and peak <= 600, "{:.0f} MB")
    check("validate at 50k <= 1.5 s", v50 and v50.time, v50 and v50.time <= 1.5, "{:.2f} s")
    bag = next((r.dagbag for r in rows if r.shape == "layered" and r.n == 10_000 and r.dagbag), {})
    slowest = bag.get("slowest_file_s")
    ok = slowest is not None and slowest <= 30 and not bag.get("import_errors")
    check("Airflow: 10k-task DAG files import within 30 s each", slowest, ok,
          "slowest file {:.1f} s")  # fmt: skip
    largest = max((r.largest_object for r in rows), default=0)
    check(
        f"every Argo object <= {limit:,} bytes",
        largest or None,
        (largest <= limit) if largest else None,
        "largest {:,} bytes",
    )
    return out


def chart(rows: list[Row], path: Path) -> None:
    """Time vs N, log-log: every tool on the layered shape, fcomp's build on the others."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    styles = {
        "hera": ("hera peer (build + to_yaml)", "tab:red", "o"),
        "airflow": ("fcomp build --target airflow", "tab:purple", "D"),
        "argo": ("fcomp build --target argo", "tab:blue", "s"),
        "validate": ("fcomp validate", "tab:green", "^"),
        "floor": ("floor (parse + dict + json.dumps)", "tab:gray", "v"),
    }
    for tool, (label, color, marker) in styles.items():
        points = [(r.n, _get(rows, "layered", r.n, tool)) for r in rows if r.shape == "layered"]
        xs = [n for n, m in points if m is not None]
        ys = [m.time for _, m in points if m is not None]
        if xs:
            ax.plot(xs, ys, marker=marker, color=color, label=f"{label}, layered")
    for shape, dash in (("chain", ":"), ("fanout", "--"), ("nested", "-.")):
        points = [(r.n, _get(rows, shape, r.n, "argo")) for r in rows if r.shape == shape]
        xs = [n for n, m in points if m is not None]
        ys = [m.time for _, m in points if m is not None]
        if xs:
            ax.plot(xs, ys, dash, marker="s", color="tab:blue", alpha=0.5,
                    label=f"fcomp build --target argo, {shape}")  # fmt: skip
    ax.axhline(3.0, color="black", linewidth=0.8, linestyle=":", label="3 s target (50k)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("nodes")
    ax.set_ylabel("seconds (whole process, median)")
    ax.set_title("fcomp vs hera and the floor")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000,50000")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--peer-shapes", default="layered", help="shapes also run by hera/floor")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hera-max", type=int, default=50_000, help="largest N hera runs")
    parser.add_argument("--no-peer", action="store_true", help="skip the hera peer")
    parser.add_argument("--no-sizes", dest="sizes_check", action="store_false",
                        help="skip measuring every emitted object")  # fmt: skip
    parser.add_argument("--limit", type=int, default=1_000_000)
    parser.add_argument("--dagbag", default="10000", help="sizes whose Airflow DAGs are imported")
    parser.add_argument("--out", default=str(HERE))
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.dagbag = [int(s) for s in args.dagbag.split(",") if s]
    args.shapes = args.shapes.split(",")
    args.peer_shapes = args.peer_shapes.split(",")
    args.tools = [t for t in args.tools.split(",") if not (args.no_peer and t == "hera")]
    CACHE.mkdir(parents=True, exist_ok=True)
    load = _pressure()
    rows = bench(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = table(rows)
    print(text)
    for r in rows:
        if r.dagbag:
            b = r.dagbag
            per_task = 1000 * b.get("dagbag_s", 0) / max(1, b.get("tasks", 1))
            print(
                f"\nAirflow DagBag, {r.shape} {r.n:,}: {b.get('files')} files, {b.get('tasks')} "
                f"tasks in {b.get('dag_count')} DAGs imported in {b.get('dagbag_s')} s "
                f"({per_task:.2f} ms per task), slowest file {b.get('slowest_file_s')} s, "
                f"import errors: {len(b.get('import_errors', {})) or 'none'}"
            )
    print()
    checks = targets(rows, args.limit)
    for what, value, ok in checks:
        mark = "PASS" if ok else ("FAIL" if ok is False else "n/a ")
        print(f"{mark}  {what}: {value}")
    after = _pressure()
    print(f"\nmachine: {os.cpu_count()} CPUs; CPU pressure (some, avg60) {load} before, "
          f"{after} after; {sys.version.split()[0]}")  # fmt: skip
    results = {
        "command": "python benchmarks/bench.py " + " ".join(argv or sys.argv[1:]),
        "rows": [
            {**{k: v for k, v in asdict(r).items() if k != "results"},
             "results": {t: {"time": m.time, "cpu": m.cpu_time, "peak_mb": m.peak, "ok": m.ok,
                             "runs": m.wall} for t, m in r.results.items()}}
            for r in rows
        ],
        "targets": [{"target": w, "value": v, "pass": ok} for w, v, ok in checks],
        "cpu_pressure": [load, after],
    }  # fmt: skip
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    try:
        chart(rows, out / "performance.png")
    except ImportError:
        print("matplotlib is not installed: no chart (pip install matplotlib)", file=sys.stderr)
    return 0 if all(ok is not False for _, _, ok in checks) else 1


def _pressure() -> str:
    """The kernel's CPU pressure (share of time tasks waited for a CPU), when available."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return "unknown"
    fields = dict(f.split("=") for f in line.split()[1:])
    return f"{fields.get('avg60', '?')}%"


if __name__ == "__main__":
    sys.exit(main())
