"""A subset of expr-lang, the language of ``{{=...}}`` tags and ``retryStrategy.expression``.

Supported (docs/variables.md, "Expression"): literals (numbers, ``'...'``/``"..."`` strings,
``true``, ``false``, ``nil``, ``[a, b]`` lists), variables with ``.field`` and ``['key']`` / ``[0]``
access, ``+`` (numbers, or string concatenation), ``-``, ``*``, ``/``, ``%``, comparisons,
``&&``/``and``, ``||``/``or``, ``!``/``not``, ``in``, ``contains``, ``startsWith``,
``endsWith``, ``? :``, ``??``, and the functions
``asInt``, ``asFloat``, ``string``, ``int``, ``float``, ``len``, ``toJson``/``toJSON``,
``fromJson``/``fromJSON``, ``jsonpath`` (dotted ``$.a.b[0]`` paths), ``lower``, ``upper``,
``trim``, and ``sprig.trim``, ``sprig.upper``, ``sprig.lower``, ``sprig.replace``,
``sprig.default``, ``sprig.int``, ``sprig.toString``, ``sprig.b64enc``, ``sprig.b64dec``.
Anything else is rejected with a message naming it. Parsed by hand; nothing is ``eval``-ed.
"""

from __future__ import annotations

import base64
import json
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from fcomp.backends.argo.local.values import go_json, go_string


class ExprError(ValueError):
    """An expression that does not parse or evaluate."""


class MissingVariableError(ExprError):
    """The expression names a variable the scope does not hold (yet)."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
      | (?P<name>[A-Za-z_$][\w$]*)
      | (?P<op>\?\?|\?\.|==|!=|<=|>=|&&|\|\||\*\*|[-+*/%<>!()\[\]{}.,?:])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}
_KEYWORD_OPS = {
    "and": "&&",
    "or": "||",
    "not": "!",
    "in": "in",
    "contains": "contains",
    "startsWith": "startsWith",
    "endsWith": "endsWith",
}
#: expr-lang's string operators (both sides strings).
_STRING_OPS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda left, right: right in left,
    "startsWith": str.startswith,
    "endsWith": str.endswith,
}


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExprError(f"expression {text!r}: unexpected {text[pos:].strip()[:20]!r}")
        kind = match.lastgroup or "op"
        raw = match.group(kind)
        if kind == "num":
            out.append(("lit", float(raw) if any(c in raw for c in ".eE") else int(raw)))
        elif kind == "str":
            body = raw[1:-1]
            if raw[0] != "`":
                body = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)
            out.append(("lit", body))
        elif kind == "name" and raw in ("true", "false"):
            out.append(("lit", raw == "true"))
        elif kind == "name" and raw == "nil":
            out.append(("lit", None))
        elif kind == "name" and raw in _KEYWORD_OPS:
            out.append(("op", _KEYWORD_OPS[raw]))
        else:
            out.append((kind, raw))
        pos = match.end()
    return out


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ExprError(f"cannot convert {value!r} to int")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                return int(float(value.strip()))
            except ValueError:
                raise ExprError(f"cannot convert {value!r} to int") from None
    raise ExprError(f"cannot convert {value!r} to int")


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ExprError(f"cannot convert {value!r} to float")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise ExprError(f"cannot convert {value!r} to float")


def _jsonpath(document: Any, path: str) -> Any:
    data = json.loads(document) if isinstance(document, str) else document
    if not path.startswith("$"):
        raise ExprError(f"jsonpath {path!r}: only '$.a.b[0]' paths are supported locally")
    for key, index in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", path[1:]):
        try:
            data = data[int(index)] if index else data[key]
        except (KeyError, IndexError, TypeError):
            raise ExprError(f"jsonpath {path!r}: not found") from None
    return data


def _sprig_int(value: Any) -> int:
    try:
        return _to_int(value)
    except ExprError:
        return 0  # sprig's int returns 0 on bad input


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "asInt": _to_int,
    "int": _to_int,
    "asFloat": _to_float,
    "float": _to_float,
    "string": go_string,
    "len": len,
    "toJson": go_json,
    "toJSON": go_json,
    "fromJson": json.loads,
    "fromJSON": json.loads,
    "jsonpath": _jsonpath,
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    "trim": lambda s: str(s).strip(),
    "sprig.trim": lambda s: str(s).strip(),
    "sprig.upper": lambda s: str(s).upper(),
    "sprig.lower": lambda s: str(s).lower(),
    "sprig.replace": lambda old, new, s: str(s).replace(str(old), str(new)),
    "sprig.default": lambda default, value: value if value not in (None, "", 0, False) else default,
    "sprig.int": _sprig_int,
    "sprig.toString": go_string,
    "sprig.b64enc": lambda s: base64.b64encode(go_string(s).encode()).decode("ascii"),
    "sprig.b64dec": lambda s: base64.b64decode(str(s)).decode(),
}


_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


class _Parser:
    def __init__(self, text: str, env: Mapping[str, Any]) -> None:
        self.text = text
        self.env = env
        self.tokens = _tokens(text)
        self.index = 0

    def fail(self, message: str) -> ExprError:
        return ExprError(f"expression {self.text!r}: {message}")

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] in ops

    def take(self) -> tuple[str, Any]:
        if self.index >= len(self.tokens):
            raise self.fail("unexpected end")
        self.index += 1
        return self.tokens[self.index - 1]

    def expect(self, op: str) -> None:
        if not self.at_op(op):
            raise self.fail(f"expected {op!r}")
        self.take()

    def run(self) -> Any:
        value = self.ternary()
        if self.index != len(self.tokens):
            raise self.fail(f"unexpected {self.tokens[self.index][1]!r}")
        return value

    def ternary(self) -> Any:
        condition = self.coalesce()
        if self.at_op("?"):
            self.take()
            when_true = self.ternary()
            self.expect(":")
            when_false = self.ternary()
            if not isinstance(condition, bool):
                raise self.fail("the condition of '?:' is not a bool")
            return when_true if condition else when_false
        return condition

    def coalesce(self) -> Any:
        left = self.logical_or()
        while self.at_op("??"):
            self.take()
            right = self.logical_or()
            left = right if left is None else left
        return left

    def logical_or(self) -> Any:
        left = self.logical_and()
        while self.at_op("||"):
            self.take()
            right = self.logical_and()
            left = self.boolean(left, "||") or self.boolean(right, "||")
        return left

    def logical_and(self) -> Any:
        left = self.comparison()
        while self.at_op("&&"):
            self.take()
            right = self.comparison()
            left = self.boolean(left, "&&") and self.boolean(right, "&&")
        return left

    def boolean(self, value: Any, op: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(f"invalid operation: {op} on {type(value).__name__}")
        return value

    def comparison(self) -> Any:
        left = self.additive()
        while self.at_op("==", "!=", "<", ">", "<=", ">=", "in", *_STRING_OPS):
            op = self.take()[1]
            right = self.additive()
            left = self.compare(op, left, right)
        return left

    def compare(self, op: str, left: Any, right: Any) -> bool:
        if op in _STRING_OPS:
            if not (isinstance(left, str) and isinstance(right, str)):
                raise self.fail(
                    f"invalid operation: {type(left).__name__} {op} {type(right).__name__}"
                )
            return _STRING_OPS[op](left, right)
        if op == "in":
            if isinstance(right, dict | list | str):
                return left in right
            raise self.fail(f"invalid operation: in on {type(right).__name__}")
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
        if op == "==":
            return left == right if numbers or type(left) is type(right) else False
        if op == "!=":
            return not (left == right if numbers or type(left) is type(right) else False)
        if not numbers and not (isinstance(left, str) and isinstance(right, str)):
            raise self.fail(f"invalid operation: {type(left).__name__} {op} {type(right).__name__}")
        return bool(_ORDER[op](left, right))

    def additive(self) -> Any:
        left = self.multiplicative()
        while self.at_op("+", "-"):
            op = self.take()[1]
            right = self.multiplicative()
            if op == "+" and isinstance(left, str) and isinstance(right, str):
                left = left + right
            elif op == "+" and isinstance(left, list) and isinstance(right, list):
                left = left + right
            else:
                left = self.arith(op, left, right)
        return left

    def multiplicative(self) -> Any:
        left = self.unary()
        while self.at_op("*", "/", "%", "**"):
            op = self.take()[1]
            left = self.arith(op, left, self.unary())
        return left

    def arith(self, op: str, left: Any, right: Any) -> Any:
        for value in (left, right):
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise self.fail(
                    f"invalid operation: {type(left).__name__} {op} {type(right).__name__}"
                )
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "**":
            return float(left**right)
        if right == 0:
            raise self.fail("division by zero")
        if op == "/":
            return left / right
        return left % right

    def unary(self) -> Any:
        if self.at_op("!"):
            self.take()
            return not self.boolean(self.unary(), "!")
        if self.at_op("-"):
            self.take()
            value = self.unary()
            return self.arith("-", 0, value)
        return self.postfix(self.primary())

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "lit":
            return value
        if kind == "op" and value == "(":
            inner = self.ternary()
            self.expect(")")
            return inner
        if kind == "op" and value == "[":
            items: list[Any] = []
            while not self.at_op("]"):
                items.append(self.ternary())
                if not self.at_op("]"):
                    self.expect(",")
            self.take()
            return items
        if kind == "name":
            return self.name(value)
        raise self.fail(f"unexpected {value!r}")

    def name(self, first: str) -> Any:
        dotted = first
        if first == "sprig" and self.at_op("."):
            self.take()
            kind, member = self.take()
            dotted = f"sprig.{member}"
        if self.at_op("("):
            return self.call(dotted)
        if first not in self.env:
            raise MissingVariableError(f"expression {self.text!r}: unknown name {first!r}")
        return self.env[first]

    def call(self, function: str) -> Any:
        self.take()
        args: list[Any] = []
        while not self.at_op(")"):
            args.append(self.ternary())
            if not self.at_op(")"):
                self.expect(",")
        self.take()
        implementation = FUNCTIONS.get(function)
        if implementation is None:
            raise self.fail(f"function {function!r} is not supported by the local executor")
        try:
            return implementation(*args)
        except ExprError:
            raise
        except (TypeError, ValueError) as err:
            raise self.fail(f"{function}: {err}") from None

    def postfix(self, value: Any) -> Any:
        while True:
            if self.at_op(".", "?."):
                optional = self.take()[1] == "?."
                kind, key = self.take()
                if kind != "name":
                    raise self.fail("expected a field name after '.'")
                if optional and value is None:
                    continue
                value = self.member(value, key)
            elif self.at_op("["):
                self.take()
                key = self.ternary()
                self.expect("]")
                value = self.member(value, key)
            else:
                return value

    def member(self, value: Any, key: Any) -> Any:
        if isinstance(value, Mapping):
            if key not in value:
                raise MissingVariableError(f"expression {self.text!r}: no field {key!r}")
            return value[key]
        if isinstance(value, list | str) and isinstance(key, int) and not isinstance(key, bool):
            try:
                return value[key]
            except IndexError:
                raise self.fail(f"index {key} out of range") from None
        if value is None:
            raise MissingVariableError(f"expression {self.text!r}: field {key!r} of nil")
        raise self.fail(f"cannot read {key!r} of {type(value).__name__}")


def evaluate(text: str, env: Mapping[str, Any]) -> Any:
    """Evaluate expression ``text`` with variables from ``env`` (nested dicts)."""
    return _Parser(text, env).run()


def render(value: Any) -> str:
    """An expression's result as Argo puts it into a string (strings as they are, other values
    as Go's JSON)."""
    return go_string(value)
