"""Escapes of input text for Argo: after Argo's substitution passes (the local executor's
implementation of its template engine) and the kubelet's ``$(VAR)`` expansion, the process or
the Kubernetes object gets exactly what Flyte would give it, and no tag of the input is
evaluated on the way."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fcomp.backends.argo import kubelet
from fcomp.backends.argo.local.variables import Scope, substitute
from fcomp.backends.argo.render import (
    CONTAINER_TEXT,
    POD_PASSES,
    RESOURCE_PASSES,
    NodeVars,
    escape,
    expr_string,
    render_text,
)
from fcomp.compiler.plugins.units import Placeholder, PlaceholderKind, Text

#: Text made of what matters to both template engines, so that collisions are frequent.
TEXT = st.text(alphabet="{}$()=x .'\\", max_size=24)
#: Every variable the input's text could name resolves to a marker.
SCOPE = Scope({"x": "EVALUATED", "workflow.name": "wf", "inputs.parameters.node": "n0"})


def _argo(text: str, passes: int) -> str:
    for _ in range(passes):
        text = substitute(text, SCOPE, strict=False)
    return text


def _no_lookup(name: str) -> str | None:
    return None


def _container(name: str) -> str | None:
    return "{" if name == kubelet.LBRACE_VAR else None


@given(TEXT)
@settings(max_examples=500)
def test_user_text_reads_as_the_kubelet_reads_the_original(text: str) -> None:
    escaped = kubelet.user_text(text)
    assert "{{" not in escaped
    assert kubelet.expand(_argo(escaped, POD_PASSES), _container) == kubelet.expand(
        text, _no_lookup
    )


@given(TEXT)
@settings(max_examples=500)
def test_literal_text_arrives_unchanged(text: str) -> None:
    escaped = kubelet.literal(text)
    assert "{{" not in escaped
    assert kubelet.expand(_argo(escaped, POD_PASSES), _container) == text


@pytest.mark.parametrize("passes", [1, RESOURCE_PASSES, POD_PASSES])
@given(text=TEXT)
@settings(max_examples=200)
def test_escape_survives_exactly_its_passes(passes: int, text: str) -> None:
    assert _argo(escape(text, passes), passes) == text


def test_escape_of_one_pass_too_few_is_evaluated() -> None:
    """The pass counts matter: an escape for fewer passes lets a later pass evaluate."""
    assert _argo(escape("{{x}}", 1), 2) == "EVALUATED"
    assert _argo(escape("{{x}}", 2), 2) == "{{x}}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$(HOME)", "$(HOME)"),  # not a variable of the container: written back
        ("$$(HOME)", "$(HOME)"),  # "$$" is "$"
        ("$$$$", "$$"),
        ("a$", "a$"),
        ("$(", "$("),
        ("$(FCOMP_LBRACE)", "{"),
        ("$x", "$x"),
    ],
)
def test_expand_follows_the_kubelet(text: str, expected: str) -> None:
    assert kubelet.expand(text, _container) == expected


def test_env_values_see_only_earlier_variables() -> None:
    container = {
        "env": [
            {"name": "A", "value": "$(B)"},
            {"name": "B", "value": "b"},
            {"name": "C", "value": "$(B)$(A)"},
        ],
        "args": ["$(A)-$(C)"],
    }
    out = kubelet.expand_container(container)
    assert [e["value"] for e in out["env"]] == ["$(B)", "b", "b$(B)"]
    assert out["args"] == ["$(B)-b$(B)"]


def test_with_lbrace_defines_the_variable_first_only_when_used() -> None:
    plain = {"args": ["x"], "env": [{"name": "A", "value": "a"}]}
    assert kubelet.with_lbrace(plain) is plain
    used = kubelet.with_lbrace({"args": [kubelet.user_text("{{x}}")], "env": plain["env"]})
    assert used["env"][0] == kubelet.LBRACE_ENV
    assert used["env"][1:] == plain["env"]


def test_a_brace_before_a_placeholder_is_not_read_as_a_tag() -> None:
    vars_ = NodeVars("/data", "/raw", retries=False)
    text = Text(("x{", Placeholder(PlaceholderKind.EXECUTION_ID)))
    rendered = render_text(text, vars_, CONTAINER_TEXT)
    assert kubelet.expand(_argo(rendered, POD_PASSES), _container) == "x{wf"


@pytest.mark.parametrize("name", ["x", "retries", "a-b", "workflow.status_x"])
def test_expr_string_never_spells_a_held_back_word(name: str) -> None:
    literal = expr_string(name)
    assert "retries" not in literal and "workflow.status" not in literal
    from fcomp.backends.argo.local import exprlang

    assert exprlang.evaluate(literal, {}) == name
