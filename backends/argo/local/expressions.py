"""The two small expression languages of a DAG task: ``depends`` and ``when``.

``depends`` (docs/enhanced-depends-logic.md): operands ``task`` or ``task.Result`` joined by
``&&``, ``||``, ``!`` and parentheses. A bare ``task`` means
``(task.Succeeded || task.Skipped || task.Daemoned)``, plus ``task.Errored`` / ``task.Failed``
when that task has ``continueOn.error`` / ``continueOn.failed`` (Argo's ``expandDependency``).

``when`` is evaluated by govaluate after ``{{...}}`` substitution. As in Argo's
``shouldExecute``, bare words are strings (``Succeeded == Succeeded``), so values holding ``-``,
``/`` or spaces break the expression just as they do on a cluster. Supported: numbers, quoted
strings, ``true``/``false``, ``==``, ``!=``, ``<``, ``>``, ``<=``, ``>=``, ``=~``, ``!~``,
``&&``, ``||``, ``!``, ``+``, ``-``, ``*``, ``/``, ``%``, ``? :``, ``in (...)``, parentheses
(bitwise operators and ``??`` are not).

Both are parsed by hand into small trees; nothing is ``eval``-ed.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

RESULTS = (
    "Succeeded",
    "Failed",
    "Errored",
    "Skipped",
    "Omitted",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
)


class ExpressionError(ValueError):
    """A ``depends`` or ``when`` expression that does not parse or evaluate."""


# --------------------------------------------------------------------------------- depends


@dataclass(frozen=True)
class TaskOutcome:
    """What ``depends`` can ask of a finished task."""

    phase: str
    any_succeeded: bool = False
    all_failed: bool = False

    def has(self, result: str) -> bool:
        """Whether the task ended with ``result`` (one of :data:`RESULTS`)."""
        checks: dict[str, bool] = {
            "Succeeded": self.phase == "Succeeded",
            "Failed": self.phase == "Failed",
            "Errored": self.phase == "Error",
            "Skipped": self.phase == "Skipped",
            "Omitted": self.phase == "Omitted",
            "Daemoned": False,
            "AnySucceeded": self.any_succeeded,
            "AllFailed": self.all_failed,
        }
        return checks[result]


@dataclass(frozen=True)
class _Operand:
    task: str
    results: tuple[str, ...]


@dataclass(frozen=True)
class _Not:
    inner: DependsNode


@dataclass(frozen=True)
class _Bool:
    op: str
    left: DependsNode
    right: DependsNode


DependsNode = _Operand | _Not | _Bool

_DEPENDS_TOKEN = re.compile(
    r"\s*(?:(&&|\|\||!|\(|\))|([A-Za-z0-9_][-A-Za-z0-9_]*(?:\.[A-Za-z]+)?))"
)


@dataclass(frozen=True)
class Depends:
    """A parsed ``depends`` expression."""

    text: str
    root: DependsNode | None

    def tasks(self) -> list[str]:
        """The tasks it names, in order of first mention."""
        seen: list[str] = []

        def walk(node: DependsNode) -> None:
            if isinstance(node, _Operand):
                if node.task not in seen:
                    seen.append(node.task)
            elif isinstance(node, _Not):
                walk(node.inner)
            else:
                walk(node.left)
                walk(node.right)

        if self.root is not None:
            walk(self.root)
        return seen

    def evaluate(self, outcomes: Mapping[str, TaskOutcome]) -> bool:
        """Whether the task should run, given the outcome of every task it names."""

        def walk(node: DependsNode) -> bool:
            if isinstance(node, _Operand):
                outcome = outcomes[node.task]
                return any(outcome.has(result) for result in node.results)
            if isinstance(node, _Not):
                return not walk(node.inner)
            if node.op == "&&":
                return walk(node.left) and walk(node.right)
            return walk(node.left) or walk(node.right)

        return True if self.root is None else walk(self.root)


def bare_results(continue_on: Mapping[str, object] | None) -> tuple[str, ...]:
    """What a bare ``task`` operand accepts, given that task's ``continueOn``."""
    results = ["Succeeded", "Skipped", "Daemoned"]
    if continue_on and continue_on.get("error"):
        results.append("Errored")
    if continue_on and continue_on.get("failed"):
        results.append("Failed")
    return tuple(results)


def parse_depends(
    text: str, continue_on: Callable[[str], Mapping[str, object] | None] = lambda _: None
) -> Depends:
    """Parse ``depends``; ``continue_on(task)`` gives a task's ``continueOn`` for bare operands."""
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _DEPENDS_TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(f"depends {text!r}: unexpected text at {text[pos:].strip()!r}")
        tokens.append(match.group(1) or match.group(2))
        pos = match.end()
    if not tokens:
        return Depends(text, None)
    index = 0

    def peek() -> str | None:
        return tokens[index] if index < len(tokens) else None

    def take() -> str:
        nonlocal index
        if index >= len(tokens):
            raise ExpressionError(f"depends {text!r}: unexpected end")
        index += 1
        return tokens[index - 1]

    def parse_or() -> DependsNode:
        node = parse_and()
        while peek() == "||":
            take()
            node = _Bool("||", node, parse_and())
        return node

    def parse_and() -> DependsNode:
        node = parse_not()
        while peek() == "&&":
            take()
            node = _Bool("&&", node, parse_not())
        return node

    def parse_not() -> DependsNode:
        if peek() == "!":
            take()
            return _Not(parse_not())
        return parse_primary()

    def parse_primary() -> DependsNode:
        token = take()
        if token == "(":
            node = parse_or()
            if take() != ")":
                raise ExpressionError(f"depends {text!r}: expected ')'")
            return node
        if token in ("&&", "||", ")", "!"):
            raise ExpressionError(f"depends {text!r}: unexpected {token!r}")
        task, _, result = token.partition(".")
        if not result:
            return _Operand(task, bare_results(continue_on(task)))
        if result not in RESULTS:
            raise ExpressionError(
                f"depends {text!r}: unknown task result {result!r} "
                f"(expected one of {', '.join(RESULTS)})"
            )
        return _Operand(task, (result,))

    root = parse_or()
    if index != len(tokens):
        raise ExpressionError(f"depends {text!r}: unexpected {tokens[index]!r}")
    return Depends(text, root)


def dependencies_as_depends(
    names: list[str], continue_on: Callable[[str], Mapping[str, object] | None]
) -> Depends:
    """The ``depends`` equivalent of a ``dependencies`` list (``A && B && C``)."""
    root: DependsNode | None = None
    for name in names:
        operand = _Operand(name, bare_results(continue_on(name)))
        root = operand if root is None else _Bool("&&", root, operand)
    return Depends(" && ".join(names), root)


# ------------------------------------------------------------------------------------ when

_WHEN_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d[\d.]*(?:[eE][+-]?\d+)?)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<word>[^\W\d][\w.]*)
      | (?P<op>==|!=|<=|>=|=~|!~|&&|\|\||[-+*/%<>!()?:,])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # num | str | word | op
    text: str
    value: object


def _when_tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        match = _WHEN_TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(
                f"Invalid 'when' expression '{text}': Invalid token: "
                f"'{text[pos:].strip()[:20]}' "
                "(hint: try wrapping the affected expression in quotes)"
            )
        kind = match.lastgroup or "op"
        raw = match.group(kind)
        value: object = raw
        if kind == "num":
            try:
                value = float(raw)
            except ValueError:
                raise ExpressionError(
                    f"Invalid 'when' expression '{text}': Unable to parse numeric value "
                    f"'{raw}' to float64"
                ) from None
        elif kind == "str":
            value = re.sub(r"\\(.)", r"\1", raw[1:-1])
        elif kind == "word" and raw in ("true", "false"):
            kind, value = "bool", raw == "true"
        elif kind == "word" and raw in ("in", "IN"):
            kind = "op"
            raw = "in"
        tokens.append(_Token(kind, raw, value))
        pos = match.end()
    return tokens


def _is_number(value: object) -> bool:
    return isinstance(value, float)


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def _not_a(kind: str, value: object, used_with: str) -> str:
    return f"Value '{_describe(value)}' cannot be used with {used_with}, it is not a {kind}"


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class _WhenParser:
    """Recursive-descent evaluator of govaluate's grammar (evaluates while parsing, with
    short-circuits handled by evaluating both sides: govaluate type-checks both anyway)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _when_tokens(text)
        self.index = 0

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(f"Invalid 'when' expression '{self.text}': {message}")

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        if self.index >= len(self.tokens):
            raise self.fail("Unexpected end of expression")
        self.index += 1
        return self.tokens[self.index - 1]

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text in ops

    def parse(self) -> object:
        if not self.tokens:
            raise self.fail("Unexpected end of expression")
        value = self.ternary()
        if self.index != len(self.tokens):
            token = self.tokens[self.index]
            previous = self.tokens[self.index - 1]
            raise self.fail(
                f"Cannot transition token types from {previous.kind.upper()} "
                f"[{previous.text}] to {token.kind.upper()} [{token.text}]"
            )
        return value

    def ternary(self) -> object:
        condition = self.logical_or()
        if self.at_op("?"):
            self.take()
            when_true = self.ternary()
            if not self.at_op(":"):
                raise self.fail("Ternary operator '?' without ':'")
            self.take()
            when_false = self.ternary()
            if not isinstance(condition, bool):
                raise self.fail(_not_a("bool", condition, "the ternary operator '?'"))
            return when_true if condition else when_false
        return condition

    def logical_or(self) -> object:
        left = self.logical_and()
        while self.at_op("||"):
            self.take()
            right = self.logical_and()
            left = self.logic("||", left, right)
        return left

    def logical_and(self) -> object:
        left = self.comparison()
        while self.at_op("&&"):
            self.take()
            right = self.comparison()
            left = self.logic("&&", left, right)
        return left

    def logic(self, op: str, left: object, right: object) -> bool:
        for value in (left, right):
            if not isinstance(value, bool):
                raise self.fail(
                    f"Value '{_describe(value)}' cannot be used with the logical operator "
                    f"'{op}', it is not a bool"
                )
        return (left and right) if op == "&&" else (left or right)  # type: ignore[return-value]

    def comparison(self) -> object:
        left = self.additive()
        while self.at_op("==", "!=", "<", ">", "<=", ">=", "=~", "!~", "in"):
            op = self.take().text
            if op == "in":
                left = left in self.array()
                continue
            right = self.additive()
            left = self.compare(op, left, right)
        return left

    def array(self) -> list[object]:
        if not self.at_op("("):
            return [self.additive()]
        self.take()
        values = [self.ternary()]
        while self.at_op(","):
            self.take()
            values.append(self.ternary())
        if not self.at_op(")"):
            raise self.fail("Unbalanced parenthesis")
        self.take()
        return values

    def compare(self, op: str, left: object, right: object) -> bool:
        if op == "==":
            return type(left) is type(right) and left == right
        if op == "!=":
            return not (type(left) is type(right) and left == right)
        if op in ("=~", "!~"):
            if not isinstance(right, str) or not isinstance(left, str):
                raise self.fail(_not_a("string", right, f"the comparator '{op}'"))
            try:
                found = re.search(right, left) is not None
            except re.error as err:
                raise self.fail(f"Unable to compile regexp pattern '{right}': {err}") from None
            return found if op == "=~" else not found
        both_numbers = _is_number(left) and _is_number(right)
        both_strings = isinstance(left, str) and isinstance(right, str)
        if not (both_numbers or both_strings):
            bad = right if _is_number(left) or isinstance(left, str) else left
            raise self.fail(_not_a("number", bad, f"the comparator '{op}'"))
        pair: tuple[float, float] | tuple[str, str] = (
            (float(left), float(right))  # type: ignore[arg-type]
            if both_numbers
            else (str(left), str(right))
        )
        return _ORDER[op](pair[0], pair[1])

    def additive(self) -> object:
        left = self.multiplicative()
        while self.at_op("+", "-"):
            op = self.take().text
            right = self.multiplicative()
            if op == "+" and (isinstance(left, str) or isinstance(right, str)):
                left = f"{_describe(left)}{_describe(right)}"
            else:
                left = self.arith(op, left, right)
        return left

    def multiplicative(self) -> object:
        left = self.prefix()
        while self.at_op("*", "/", "%"):
            op = self.take().text
            left = self.arith(op, left, self.prefix())
        return left

    def arith(self, op: str, left: object, right: object) -> float:
        for value in (left, right):
            if not _is_number(value):
                raise self.fail(
                    f"Value '{_describe(value)}' cannot be used with the modifier '{op}', "
                    "it is not a number"
                )
        a, b = float(left), float(right)  # type: ignore[arg-type]
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return float("inf") if op == "/" else float("nan")
        return a / b if op == "/" else a % b

    def prefix(self) -> object:
        if self.at_op("!"):
            self.take()
            value = self.prefix()
            if not isinstance(value, bool):
                raise self.fail(_not_a("bool", value, "the prefix '!'"))
            return not value
        if self.at_op("-"):
            self.take()
            value = self.prefix()
            if not _is_number(value):
                raise self.fail(_not_a("number", value, "the prefix '-'"))
            return -float(value)  # type: ignore[arg-type]
        return self.primary()

    def primary(self) -> object:
        token = self.take()
        if token.kind == "op":
            if token.text == "(":
                value = self.ternary()
                if not self.at_op(")"):
                    raise self.fail("Unbalanced parenthesis")
                self.take()
                return value
            raise self.fail(f"Unexpected operator '{token.text}'")
        # Argo turns govaluate variables into strings: `foo != bar` needs no quotes.
        return token.value


def evaluate_when(text: str) -> bool:
    """Whether a (substituted) ``when`` expression holds; empty means true.

    Raises :class:`ExpressionError` with govaluate-like messages when it does not parse, does
    not type-check or is not boolean.
    """
    if not text.strip():
        return True
    result = _WhenParser(text).parse()
    if not isinstance(result, bool):
        raise ExpressionError(f"Expected boolean evaluation for '{text}'. Got {_describe(result)}")
    return result
