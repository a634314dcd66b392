"""Settings of the wrong shape are ``ConfigError`` diagnostics, never a crash: digits other
than ASCII, a ``tool.fcomp`` that is not a table, tolerations with unknown fields or values
of the wrong type (TOML dates included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fcomp.compiler import codes
from fcomp.compiler.config import config_from_mapping, load_config


@pytest.mark.parametrize("text", ["²", "١٠٠٠٠", "1e5", "9" * 5000])
def test_whole_numbers_are_ascii_digits(text: str) -> None:
    _, problems = config_from_mapping({"argo_max_object_bytes": text})
    [problem] = problems
    assert problem.code == codes.CONFIG_ERROR and "whole number" in problem.message


def test_whole_numbers_from_text_are_read() -> None:
    config, problems = config_from_mapping({"argo_max_object_bytes": " 20000 "})
    assert problems == [] and config.argo_max_object_bytes == 20000


@pytest.mark.parametrize(
    "body",
    ['[tool]\nfcomp = "x"\n', "[tool]\nfcomp = [1]\n"],
)
def test_pyproject_settings_must_be_a_table(body: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(body)
    _, problems = load_config(search_from=tmp_path)
    [problem] = problems
    assert problem.code == codes.CONFIG_ERROR and "table" in problem.message


@pytest.mark.parametrize(
    ("toleration", "words"),
    [
        ("{ key = 1979-05-27T07:32:00Z }", "'key' is text"),
        ('{ key = "spot", effect = 12:00:00 }', "'effect' is text"),
        ("{ key = 1 }", "'key' is text"),
        ('{ key = "spot", bogus = { a = 1 } }', "not 'bogus'"),
        ('{ key = "spot", tolerationSeconds = "60" }', "'tolerationSeconds' is a whole number"),
        ('{ key = "spot", tolerationSeconds = true }', "'tolerationSeconds' is a whole number"),
    ],
)
def test_tolerations_are_checked(toleration: str, words: str, tmp_path: Path) -> None:
    path = tmp_path / "fcomp.toml"
    path.write_text(f"interruptible_tolerations = [{toleration}]\n")
    _, problems = load_config(path)
    [problem] = problems
    assert problem.code == codes.CONFIG_ERROR and words in problem.message


def test_a_valid_toleration_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "fcomp.toml"
    path.write_text(
        'interruptible_tolerations = [{ key = "spot", operator = "Exists", '
        'effect = "NoSchedule", tolerationSeconds = 60 }]\n'
    )
    config, problems = load_config(path)
    assert problems == []
    assert config.interruptible_tolerations[0]["tolerationSeconds"] == 60
