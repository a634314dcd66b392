"""The generated documentation is current, the README keeps its promises, and the CI
examples (pre-commit hook, GitHub Actions job) are well-formed."""

from __future__ import annotations

import difflib
import re
from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from cli_support import REPO

from fcomp.cli.docs import load_sections
from fcomp.cli.docs.__main__ import main as gen_docs
from fcomp.cli.docs.__main__ import regenerate
from fcomp.cli.docs.constructs import node_kinds, target_registries
from fcomp.cli.docs.markers import MarkerError, replace_sections
from fcomp.compiler.config import Config
from fcomp.compiler.plugins.registry import known_types


def test_generated_docs_are_current() -> None:
    """Fails when the code changed and `tools/gen-docs` was not run."""
    results = regenerate(REPO)
    assert "README.md" in results
    stale = []
    for name, (old, new) in sorted(results.items()):
        if old != new:
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), name, name, lineterm="")
            stale.append("\n".join(list(diff)[:40]))
    assert not stale, "generated docs are stale; run tools/gen-docs\n" + "\n".join(stale)


def test_readme_has_every_section() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for name in load_sections():
        assert f"<!-- fcomp:begin {name} -->" in text, name


def test_gen_docs_check_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text(
        "# x\n\n<!-- fcomp:begin config -->\nOLD-TEXT\n<!-- fcomp:end config -->\ntail\n"
    )
    assert gen_docs(["--root", str(tmp_path), "--check"]) == 1
    assert "-OLD-TEXT" in capsys.readouterr().out
    assert gen_docs(["--root", str(tmp_path)]) == 0
    text = (tmp_path / "README.md").read_text()
    assert "OLD-TEXT" not in text and text.endswith("<!-- fcomp:end config -->\ntail\n")
    assert "`storage_prefix`" in text
    assert gen_docs(["--root", str(tmp_path), "--check"]) == 0


@pytest.mark.parametrize(
    "text",
    [
        "<!-- fcomp:begin nothing -->\n<!-- fcomp:end nothing -->\n",
        "<!-- fcomp:begin config -->\nno end\n",
    ],
)
def test_bad_markers(text: str) -> None:
    with pytest.raises(MarkerError):
        replace_sections(text, {"config": lambda: "x"})


def test_tables_come_from_the_registries() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    registries = target_registries()
    assert {"argo", "airflow"} <= set(registries)
    header = re.search(r"^\| Flyte construct \| IR node \| (.+) \|$", readme, re.M)
    assert header and header.group(1).split(" | ") == list(registries)
    for kind in node_kinds():
        assert f"`{kind.__name__}`" in readme
    for task_type in known_types():
        assert f"| `{task_type}` |" in readme
    for f in fields(Config):
        assert f"| `{f.name}` |" in readme


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end >= 0 else len(text)]


def test_readme_gives_exactly_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    two = _section(readme, "## The two commands")
    blocks = re.findall(r"```sh\n(.*?)```", two, re.S)
    assert [b.strip() for b in blocks] == ["tools/quickstart", "tools/test"]
    for script in ("quickstart", "test"):
        assert (REPO / "tools" / script).stat().st_mode & 0o111


def test_readme_covers_what_the_issue_asks() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for heading in (
        "## Install",
        "## A 5-minute tour",
        "## Configuration reference",
        "## What a cluster needs",
        "## Supported Flyte constructs",
    ):
        assert heading in readme
    tour = _section(readme, "## A 5-minute tour")
    for step in ("pyflyte", "--target argo", "argo submit", "--target airflow", "dags"):
        assert step in tour
    cluster = _section(readme, "## What a cluster needs")
    for need in ("runtime image", "credentials", "RBAC", "sparkapplications", "ConfigMap"):
        assert need.lower() in cluster.lower()
    assert "providers-cncf-kubernetes" in cluster


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "fcomp-check")
    assert hook["entry"] == "fcomp build --check"
    assert hook["pass_filenames"] is False and hook["language"] == "python"
    assert {"id", "name", "entry", "language"} <= set(hook)


def test_ci_doc_has_a_working_github_actions_job() -> None:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    jobs = [yaml.safe_load(b) for b in blocks if "runs-on" in b]
    assert len(jobs) == 1
    steps = jobs[0]["jobs"]["fcomp-check"]["steps"]
    commands = " ".join(s.get("run", "") for s in steps)
    assert "fcomp build --target argo" in commands and "--check" in commands
    assert "--format json" in commands
    pre_commit = [yaml.safe_load(b) for b in blocks if "hooks:" in b]
    assert any(h["id"] == "fcomp-check" for c in pre_commit for r in c["repos"] for h in r["hooks"])
