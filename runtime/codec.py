"""Decode command-line arguments (JSON, base64 protobuf) and serialize messages deterministically.

Any argument value may be ``@path`` to read it from a file, for values too long for a command line
(base64 and JSON never start with ``@``).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, TypeVar

from google.protobuf.message import DecodeError, Message

from fcomp.runtime.errors import StepError

M = TypeVar("M", bound=Message)


def argument_text(value: str, what: str) -> str:
    """The argument itself, the contents of the file when it is ``@path``, or the decoded text
    when it is ``b64:<base64>`` (how a value travels inside a manifest string)."""
    if value.startswith("b64:"):
        try:
            return base64.b64decode(value[4:], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError) as error:
            raise StepError(f"{what}: invalid b64: text: {error}") from error
    if not value.startswith("@"):
        return value
    try:
        with open(value[1:], encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise StepError(f"{what}: cannot read {value[1:]}: {error}") from error


def json_argument(value: str, what: str) -> Any:
    """A JSON argument, parsed."""
    text = argument_text(value, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise StepError(f"{what} is not valid JSON: {error}") from error


def parse_message(data: bytes, message_type: type[M], what: str) -> M:
    """Bytes parsed as ``message_type``, with an error naming ``what`` they are."""
    message = message_type()
    try:
        message.ParseFromString(data)
    except DecodeError as error:
        name = message_type.DESCRIPTOR.full_name
        raise StepError(f"{what} is not a valid {name}: {error}") from error
    return message


def b64_message(value: object, message_type: type[M], what: str) -> M:
    """A base64 protobuf argument (or JSON string value) parsed as ``message_type``."""
    if not isinstance(value, str):
        raise StepError(f"{what} must be a base64 string, got {type(value).__name__}")
    text = argument_text(value, what).strip() if value.startswith("@") else value
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise StepError(f"{what} is not valid base64: {error}") from error
    return parse_message(data, message_type, what)


def serialize(message: Message) -> bytes:
    """Deterministic bytes: map entries sorted, so the same literal always gives the same file."""
    return message.SerializeToString(deterministic=True)


def to_b64(message: Message) -> str:
    """A message as deterministic base64 (what plans and tests pass around)."""
    return base64.b64encode(serialize(message)).decode("ascii")
