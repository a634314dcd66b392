"""``when`` conditions: govaluate after substitution, with bare words as strings (Argo's
``shouldExecute``)."""

from __future__ import annotations

import pytest
from argo_local_support import Runner, phases

from fcomp.backends.argo.local.expressions import ExpressionError, evaluate_when


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heads == heads", True),
        ("heads == tails", False),
        ("heads != tails", True),
        ("'a b' == 'a b'", True),
        ('"x" == x', True),
        ("Succeeded == Succeeded && 1 < 2", True),
        ("10 > 9", True),
        ("10 > 9.5", True),
        ("2 >= 2", True),
        ("2 <= 1", False),
        ("1 == 1.0", True),
        ("1 == '1'", False),
        ("abc < abd", True),
        ("!(1 > 2)", True),
        ("true", True),
        ("false || true", True),
        ("(a == b || c == c) && !false", True),
        ("heads =~ hea", True),
        ("tails !~ '^he'", True),
        ("3 in (1, 2, 3)", True),
        ("4 in (1, 2, 3)", False),
        ("1 + 2 == 3", True),
        ("1 == 2 ? false : true", True),
        ("", True),
        ("   ", True),
    ],
)
def test_evaluate_when(text: str, expected: bool) -> None:
    assert evaluate_when(text) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("my-value == my-value", "cannot be used with the modifier '-'"),
        ("a/b == c", "cannot be used with the modifier '/'"),
        ("hello world == hello world", "Cannot transition token types"),
        ("1 + 1", "Expected boolean evaluation"),
        ("abc > 1", "cannot be used with the comparator '>'"),
        ("1 && true", "cannot be used with the logical operator '&&'"),
        ("(1 == 1", "Unbalanced parenthesis"),
        ("1.2.3 == 1", "Unable to parse numeric value"),
        ("a == 'b", "Invalid token"),
    ],
)
def test_when_errors_like_govaluate(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        evaluate_when(text)


COIN = """
kind: Workflow
metadata: {name: coin}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: n, value: "12"}, {name: word, value: heads}]
  templates:
  - name: flip
    inputs: {parameters: [{name: side}]}
    script: {image: python, command: [sh], source: "echo {{inputs.parameters.side}}"}
  - name: ok
    container: {image: alpine, command: [sh, -c, "exit 0"]}
  - name: main
    dag:
      tasks:
      - {name: flip, template: flip,
         arguments: {parameters: [{name: side, value: "{{workflow.parameters.word}}"}]}}
      - {name: heads, depends: flip, template: ok,
         when: "{{tasks.flip.outputs.result}} == heads"}
      - {name: tails, depends: flip, template: ok,
         when: "{{tasks.flip.outputs.result}} == tails"}
      - {name: quoted, depends: flip, template: ok,
         when: "'{{tasks.flip.outputs.result}}' == 'heads' && {{workflow.parameters.n}} >= 10"}
      - {name: numbers, template: ok, when: "{{workflow.parameters.n}} < 10"}
      - {name: status, depends: heads, template: ok,
         when: "{{tasks.heads.status}} == Succeeded"}
"""


def test_when_with_strings_and_numbers(run: Runner) -> None:
    result = run(COIN)
    assert phases(result) == {
        "flip": "Succeeded",
        "heads": "Succeeded",
        "tails": "Skipped",
        "quoted": "Succeeded",
        "numbers": "Skipped",
        "status": "Succeeded",
    }
    assert result.nodes["tails"].message == "when 'heads == tails' evaluated false"
    assert result.phase == "Succeeded"

    flipped = run(COIN, parameters={"word": "tails", "n": "9"})
    assert phases(flipped) == {
        "flip": "Succeeded",
        "heads": "Skipped",
        "tails": "Succeeded",
        "quoted": "Skipped",
        "numbers": "Succeeded",
        "status": "Skipped",  # a bare depends accepts a Skipped task; its when then fails
    }
    assert flipped.nodes["status"].message == "when 'Skipped == Succeeded' evaluated false"


BAD_WHEN = """
kind: Workflow
metadata: {name: badwhen}
spec:
  entrypoint: main
  arguments: {parameters: [{name: path, value: a/b}]}
  templates:
  - name: ok
    container: {image: alpine, command: [sh, -c, "exit 0"]}
  - name: main
    dag:
      tasks:
      - {name: t, template: ok, when: "{{workflow.parameters.path}} == a/b"}
"""


def test_value_with_slash_breaks_when_as_on_argo(run: Runner) -> None:
    result = run(BAD_WHEN)
    assert phases(result) == {"t": "Error"}
    assert "cannot be used with the modifier '/'" in result.nodes["t"].message
    assert result.phase == "Error"
    assert result.message == "child 't' failed"
