"""Diagnostics on the command line: the text form (node and field shown, hints, colour only on
a terminal) and ``--format json`` lines validated against ``cli/diagnostics.schema.json``."""

from __future__ import annotations

import io
import json
import tarfile
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from cli_support import REPO, FakeTerminal, example, run

from fcomp.cli.output import SCHEMA_PATH, diagnostic_json, print_diagnostics
from fcomp.compiler.codes import CODES
from fcomp.compiler.diagnostics import Diagnostic, Severity, Source


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_schema_is_kept_in_the_repository_and_packaged() -> None:
    assert SCHEMA_PATH == REPO / "cli" / "diagnostics.schema.json"
    assert (resources.files("fcomp.cli") / "diagnostics.schema.json").is_file()


def test_every_code_has_a_hint_and_validates(validator: jsonschema.protocols.Validator) -> None:
    for code in CODES.values():
        assert code.hint, f"{code.name} has no hint"
        for severity in Severity:
            d = Diagnostic(severity, code.name, "m", Source("f.pb", "wf", "n0", "inputs.x"))
            validator.validate(diagnostic_json(d))


def test_schema_rejects_what_it_should(validator: jsonschema.protocols.Validator) -> None:
    good = diagnostic_json(Diagnostic(Severity.ERROR, "LoadError", "m"))
    for bad in (
        {**good, "severity": "fatal"},
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "node"},
        {**good, "message": ""},
        {**good, "code": "not a code"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(bad)


def _workflow_without_tasks(folder: Path) -> Path:
    """A workflow spec of the chain example on its own (its tasks left out)."""
    with tarfile.open(example("chain")) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("chain_wf_2.pb"))
        data = archive.extractfile(member)
        assert data is not None
        path = folder / "chain_wf_2.pb"
        path.write_bytes(data.read())
    return path


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["validate", "{bad}"], "LoadError"),
        (
            ["build", "--target", "argo", "{chain}", "-o", "{out}", "--launch-plan", "x"],
            "UnknownEntity",
        ),
        (
            ["build", "--target", "argo", "{chain}", "-o", "{out}", "--set", "bogus=1"],
            "ConfigError",
        ),
        (["validate", "{lonely}"], "TaskReferenceNotFound"),
        (["compile", "{bad}", "-o", "{out}"], "LoadError"),
    ],
    ids=lambda v: v if isinstance(v, str) else v[0],
)
def test_json_lines_follow_the_schema(
    args: list[str],
    code: str,
    tmp_path: Path,
    validator: jsonschema.protocols.Validator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\x00junk")
    values = {"bad": bad, "out": tmp_path / "out"}
    if any("{chain}" in a for a in args):
        values["chain"] = example("chain")
    if any("{lonely}" in a for a in args):
        values["lonely"] = _workflow_without_tasks(tmp_path)
    argv = [a.format(**values) for a in args] + ["--format", "json"]
    exit_code, _, err = run(argv, capsys)
    assert exit_code == 1
    records = _lines(err)
    assert records and code in {r["code"] for r in records}
    for record in records:
        validator.validate(record)
        assert record["hint"] == CODES[str(record["code"])].hint


def test_json_points_at_node_and_field(
    validator: jsonschema.protocols.Validator, capsys: pytest.CaptureFixture[str]
) -> None:
    d = Diagnostic(
        Severity.ERROR,
        "MismatchingTypes",
        "input 'x' expects [Integer], got String",
        Source("pkg.tgz!wf.pb", "pkg.wf", "n3", "inputs.x"),
    )
    stream = io.StringIO()
    print_diagnostics([d], fmt="json", stream=stream)
    record = json.loads(stream.getvalue())
    validator.validate(record)
    assert (record["entity"], record["node"], record["field"]) == ("pkg.wf", "n3", "inputs.x")


def test_text_shows_node_field_and_hint_once() -> None:
    src = Source("pkg.tgz!wf.pb", "pkg.wf", "n3", "inputs.x")
    diags = [
        Diagnostic(Severity.ERROR, "MismatchingTypes", "first", src),
        Diagnostic(Severity.ERROR, "MismatchingTypes", "second", src.at(node="n4")),
    ]
    stream = io.StringIO()
    print_diagnostics(diags, stream=stream)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "pkg.tgz!wf.pb:pkg.wf:n3: error: first (field inputs.x)  [MismatchingTypes]"
    assert lines[1] == f"  hint: {CODES['MismatchingTypes'].hint}"
    assert lines[2].startswith("pkg.tgz!wf.pb:pkg.wf:n4: error: second")
    assert len(lines) == 3
    assert "\x1b[" not in stream.getvalue()


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    d = Diagnostic(Severity.WARNING, "IgnoredField", "dropped", Source("f.pb", "wf", "n0"))
    tty = FakeTerminal()
    print_diagnostics([d], stream=tty, hints=False)
    assert (
        tty.getvalue()
        == "\x1b[1mf.pb:wf:n0:\x1b[0m \x1b[33mwarning\x1b[0m: dropped  [IgnoredField]\n"
    )
    no_source = FakeTerminal()
    print_diagnostics(
        [Diagnostic(Severity.ERROR, "ConfigError", "bad")], stream=no_source, hints=False
    )
    assert no_source.getvalue() == "\x1b[31merror\x1b[0m: bad  [ConfigError]\n"
    monkeypatch.setenv("NO_COLOR", "1")
    plain = FakeTerminal()
    print_diagnostics([d], stream=plain, hints=False)
    assert plain.getvalue() == d.render() + "\n"
