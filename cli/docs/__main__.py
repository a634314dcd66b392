"""``python -m fcomp.cli.docs [--check] [--root DIR]``: rewrite (or check) the generated
sections of README.md and docs/*.md; exit 1 with a diff when ``--check`` finds them stale."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from fcomp.cli.docs import load_sections
from fcomp.cli.docs.markers import MarkerError, replace_sections, section_names
from fcomp.cli.files import write_files


def documents(root: Path) -> list[Path]:
    """The Markdown files that may hold generated sections."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def regenerate(root: Path) -> dict[str, tuple[str, str]]:
    """Relative path -> (current text, generated text) of every file with sections."""
    writers = load_sections()
    bound = {name: (lambda fn=fn: fn(root)) for name, fn in writers.items()}
    out: dict[str, tuple[str, str]] = {}
    for path in documents(root):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if section_names(text):
            out[path.relative_to(root).as_posix()] = (text, replace_sections(text, bound))
    return out


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated sections, or with ``--check`` report the stale ones."""
    parser = argparse.ArgumentParser(prog="python -m fcomp.cli.docs", description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    args = parser.parse_args(argv)
    try:
        results = regenerate(args.root)
    except MarkerError as exc:
        print(f"gen-docs: {exc}", file=sys.stderr)
        return 2
    stale = {name: new for name, (old, new) in results.items() if old != new}
    if args.check:
        for name, (old, new) in sorted(results.items()):
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"a/{name}",
                    tofile=f"b/{name}",
                )
            )
        if stale:
            print(
                f"stale generated docs: {', '.join(sorted(stale))}; run tools/gen-docs",
                file=sys.stderr,
            )
        return 1 if stale else 0
    write_files(args.root, stale)
    for name in sorted(stale):
        print(f"updated {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
