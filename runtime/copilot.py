"""Runtime commands for plugin task types that run in the runtime's own image.

- ``copilot-download`` / ``copilot-upload``: Flyte's copilot for raw containers
  (``flytecopilot/data/download.go``, ``upload.go``): a container with no flytekit reads its
  inputs as files from a directory and writes its outputs as files to another. ``download``
  writes each input to ``<dir>/<name>`` (primitives as text, blobs and schemas downloaded,
  collections as ``<name>/<i>``, maps as ``<name>/<key>``), plus ``inputs.pb`` (with local paths)
  and ``inputs.json`` / ``inputs.yaml`` per the format. It can also render the container's
  command with its ``{{.inputs.x}}`` values (Flyte's template rendering) into a shell script the
  container then runs. ``upload`` turns ``<dir>/<name>`` files back into the output literals
  (``outputs.pb``), or an ``_ERROR`` file into ``error.pb`` and a failure.
- ``echo``: the outputs are the inputs (Flyte's ``echo`` plugin).
- ``sleep``: wait for the task's single duration input (Flyte's ``core-sleep`` plugin).

Paths are full URIs (``{{.input}}``, ``{{.outputPrefix}}``), as Flyte's copilot takes them, so
these commands need no ``--prefix``/``--exec``. Only argparse and the standard library load before
a command runs (:func:`add_parsers`); each command imports what it needs.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import re
import shlex
from collections.abc import Callable
from typing import Any

#: Flyte's ``{{.inputs.x}}`` syntax (``template.go``: case-insensitive, ``.`` or ``$``).
INPUT_VAR = re.compile(r"(?i)\{\{\s*[.$]inputs\.([A-Za-z0-9_]+)\s*\}\}")
ERROR_FILE = "_ERROR"
#: Flyte's limit on a primitive output file.
MAX_PRIMITIVE_SIZE = 1024


def add_parsers(commands: Any, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """Add this module's subcommands to the runtime's subparsers."""

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(
            name, parents=parents or [], help=help_text, description=help_text
        )
        return sub

    down = command("copilot-download", "write a raw container's inputs as files")
    down.add_argument("--inputs", required=True, help="URI of the node's inputs.pb")
    down.add_argument("--dir", required=True, help="local input directory")
    down.add_argument("--format", default="JSON", choices=["JSON", "YAML", "PROTO"])
    down.add_argument("--command-file", default="", help="write the rendered command here")
    down.add_argument("argv", nargs="*", help="after --: the command with {{.inputs.x}}")

    up = command("copilot-upload", "turn a raw container's output files into outputs.pb")
    up.add_argument("--dir", required=True, help="local output directory")
    up.add_argument("--output-prefix", required=True, help="URI where outputs.pb goes")
    up.add_argument("--raw-output-prefix", required=True, help="URI for file outputs")
    up.add_argument("--task-template", required=True, help="URI of the task's task.pb")

    echo = command("echo", "write a node's inputs as its outputs")
    echo.add_argument("--inputs", required=True, help="URI of the node's inputs.pb")
    echo.add_argument("--output-prefix", required=True, help="URI where outputs.pb goes")

    sleep = command("sleep", "wait for the duration given as the node's single input")
    sleep.add_argument("--inputs", required=True, help="URI of the node's inputs.pb")


# --- values as text (Flyte's template rendering and copilot files) ---------------------------


def go_float(value: float) -> str:
    """Go's ``%v`` of a float64 (``strconv.FormatFloat(v, 'g', -1, 64)``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    digits, exponent = _shortest(value)
    sign = "-" if value < 0 else ""
    exp = exponent + len(digits) - 1
    # Go uses %e when the exponent is below -4 or at least 6 (the shortest form's precision).
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    return sign + _plain(digits, exponent)


def _shortest(value: float) -> tuple[str, int]:
    """Shortest round-trip digits and exponent: ``value == int(digits) * 10**exponent``."""
    mantissa, _, exp = repr(abs(value)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    exponent = (int(exp) if exp else 0) - len(frac)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    return stripped or "0", exponent


def _plain(digits: str, exponent: int) -> str:
    if exponent >= 0:
        return digits + "0" * exponent
    point = len(digits) + exponent
    if point > 0:
        return digits[:point] + "." + digits[point:]
    return "0." + "0" * (-point) + digits


def go_float_f(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'f', -1, 64)`` (copilot's float input files)."""
    if math.isnan(value) or math.isinf(value):
        return go_float(value)
    if value == 0:
        return "0"
    digits, exponent = _shortest(value)
    return ("-" if value < 0 else "") + _plain(digits, exponent)


def timestamp_text(ts: Any) -> str:
    """``ptypes.TimestampString``: RFC 3339 in UTC, with only the fraction digits needed."""
    from datetime import UTC, datetime

    base = datetime.fromtimestamp(ts.seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if ts.nanos:
        frac = f"{ts.nanos:09d}"
        for size in (3, 6, 9):
            if frac[size:].strip("0") == "":
                frac = frac[:size]
                break
        base += "." + frac
    return base + "Z"


def go_duration(seconds: int, nanos: int) -> str:
    """Go's ``time.Duration.String()`` (``1h2m3.5s``, ``150ms``, ``0s``)."""
    total = seconds * 10**9 + nanos
    if total == 0:
        return "0s"
    sign = "-" if total < 0 else ""
    total = abs(total)
    if total < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if total >= size:
                return sign + _trim(total, size) + unit
    hours, rest = divmod(total, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    out = sign
    if hours:
        out += f"{hours}h"
    if hours or minutes:
        out += f"{minutes}m"
    return out + _trim(rest, 10**9) + "s"


def _trim(value: int, size: int) -> str:
    whole, frac = divmod(value, size)
    if not frac:
        return str(whole)
    width = len(str(size)) - 1
    return f"{whole}.{frac:0{width}d}".rstrip("0")


def template_value(literal: Any) -> str:
    """A literal as Flyte renders ``{{.inputs.x}}`` (``serializeLiteral``)."""
    from fcomp.runtime.errors import StepError

    kind = literal.WhichOneof("value")
    if kind == "collection":
        return "[" + ",".join(template_value(x) for x in literal.collection.literals) + "]"
    if kind != "scalar":
        raise StepError(f"an input of kind '{kind}' cannot be rendered as text")
    scalar = literal.scalar
    which = scalar.WhichOneof("value")
    if which == "blob":
        return str(scalar.blob.uri)
    if which == "schema":
        return str(scalar.schema.uri)
    if which != "primitive":
        raise StepError(f"an input of kind '{which}' cannot be rendered as text")
    p = scalar.primitive
    field = p.WhichOneof("value")
    renders: dict[str, Callable[[], str]] = {
        "integer": lambda: str(p.integer),
        "boolean": lambda: "true" if p.boolean else "false",
        "datetime": lambda: timestamp_text(p.datetime),
        # Flyte prints the protobuf Duration message itself (its text form).
        "duration": lambda: _proto_text(p.duration),
        "float_value": lambda: go_float(p.float_value),
        "string_value": lambda: str(p.string_value),
    }
    if field not in renders:
        raise StepError("an empty primitive cannot be rendered as text")
    return renders[field]()


def _proto_text(message: Any) -> str:
    parts = []
    if message.seconds:
        parts.append(f"seconds:{message.seconds}")
    if message.nanos:
        parts.append(f"nanos:{message.nanos}")
    return " ".join(parts)


def render_command(argv: list[str], inputs: Any) -> list[str]:
    """The command with every ``{{.inputs.x}}`` replaced by the input's text."""
    from fcomp.runtime.errors import StepError

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in inputs.literals:
            raise StepError(f"requested input is not found [{name}]")
        return template_value(inputs.literals[name])

    return [INPUT_VAR.sub(value, arg) for arg in argv]


def command_script(argv: list[str]) -> str:
    """A POSIX shell script that runs ``argv`` as the container's process."""
    return "exec " + " ".join(shlex.quote(a) for a in argv) + "\n"


# --- storage helpers -----------------------------------------------------------------------


def _read(uri: str, what: str) -> bytes:
    from fcomp.runtime.storage import read_uri

    return read_uri(uri, what)


def _write(uri: str, data: bytes) -> None:
    from fcomp.runtime.storage import open_url

    backend, path = open_url(uri)
    backend.write(path, data)


def _join(prefix: str, name: str) -> str:
    return prefix.rstrip("/") + "/" + name


def _copy_from(uri: str, local: str, multipart: bool) -> None:
    """Download a blob (a file, or every file under a prefix) to ``local``."""
    from fcomp.runtime.storage import LocalBackend, open_url

    backend, path = open_url(uri)
    if isinstance(backend, LocalBackend):
        import shutil

        if multipart:
            shutil.copytree(path, local, dirs_exist_ok=True)
        else:
            os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
            shutil.copyfile(path, local)
        return
    fs = backend.fs  # type: ignore[attr-defined]
    fs.get(path, local, recursive=multipart)


def _copy_to(local: str, uri: str) -> None:
    """Upload a file, or a directory's files, to ``uri``."""
    from fcomp.runtime.storage import open_url

    backend, path = open_url(uri)
    if os.path.isdir(local):
        for name in sorted(os.listdir(local)):
            child = os.path.join(local, name)
            if os.path.isfile(child):
                with open(child, "rb") as handle:
                    backend.write(_join(path, name), handle.read())
        return
    with open(local, "rb") as handle:
        backend.write(path, handle.read())


# --- download --------------------------------------------------------------------------------


def _go_json(value: Any) -> Any:
    """Floats with no fraction as Go's encoder writes them (``2`` not ``2.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, list):
        return [_go_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _go_json(v) for k, v in value.items()}
    return value


def _download_literal(literal: Any, path: str) -> tuple[Any, Any]:
    """Write one input under ``path``; its JSON value and the literal with local paths."""
    from flyteidl.core import literals_pb2
    from google.protobuf import json_format

    from fcomp.runtime.errors import StepError

    kind = literal.WhichOneof("value")
    out = literals_pb2.Literal()
    out.CopyFrom(literal)
    if kind == "collection":
        os.makedirs(path, exist_ok=True)
        values = []
        for i, item in enumerate(literal.collection.literals):
            item_value, local = _download_literal(item, os.path.join(path, str(i)))
            values.append(item_value)
            out.collection.literals[i].CopyFrom(local)
        return values, out
    if kind == "map":
        os.makedirs(path, exist_ok=True)
        mapping = {}
        for key in sorted(literal.map.literals):
            entry, local = _download_literal(literal.map.literals[key], os.path.join(path, key))
            mapping[key] = entry
            out.map.literals[key].CopyFrom(local)
        return mapping, out
    if kind != "scalar":
        raise StepError(f"unsupported literal type [{kind}]")
    scalar = literal.scalar
    which = scalar.WhichOneof("value")
    text: str | bytes
    value: Any
    if which == "primitive":
        p = scalar.primitive
        field = p.WhichOneof("value")
        if field == "string_value":
            value = text = p.string_value
        elif field == "boolean":
            value, text = p.boolean, "true" if p.boolean else "false"
        elif field == "integer":
            value, text = p.integer, str(p.integer)
        elif field == "float_value":
            value, text = p.float_value, go_float_f(p.float_value)
        elif field == "datetime":
            value = text = timestamp_text(p.datetime)
        elif field == "duration":
            value = p.duration.seconds * 10**9 + p.duration.nanos
            text = go_duration(p.duration.seconds, p.duration.nanos)
        else:
            value, text = None, "null"
    elif which in ("blob", "schema"):
        uri = scalar.blob.uri if which == "blob" else scalar.schema.uri
        multipart = which == "schema" or scalar.blob.metadata.type.dimensionality == 1
        _copy_from(uri, path, multipart)
        if which == "blob":
            out.scalar.blob.uri = path
        else:
            out.scalar.schema.uri = path
        return path, out
    elif which == "binary":
        raw: bytes = scalar.binary.value
        text, value = raw, base64.b64encode(raw).decode()
    elif which == "error":
        value = text = scalar.error.message
    elif which == "generic":
        value = json_format.MessageToDict(scalar.generic)
        text = json_format.MessageToJson(scalar.generic, indent=None)
    elif which == "none_type":
        value, text = None, "null"
    else:
        raise StepError(f"unsupported scalar type [{which}]")
    with open(path, "wb") as handle:
        handle.write(text.encode() if isinstance(text, str) else text)
    return value, out


def download(args: Any) -> str | None:
    """Write the node's inputs into ``--dir`` as copilot does; render the command if asked."""
    from flyteidl.core import literals_pb2

    from fcomp.runtime.codec import parse_message, serialize

    data = _read(args.inputs, "the node's inputs")
    inputs = parse_message(data, literals_pb2.LiteralMap, f"inputs {args.inputs}")
    os.makedirs(args.dir, exist_ok=True)
    local = literals_pb2.LiteralMap()
    values: dict[str, Any] = {}
    for name in sorted(inputs.literals):
        value, literal = _download_literal(inputs.literals[name], os.path.join(args.dir, name))
        values[name] = value
        local.literals[name].CopyFrom(literal)
    with open(os.path.join(args.dir, "inputs.pb"), "wb") as handle:
        handle.write(serialize(local))
    if args.format == "JSON":
        with open(os.path.join(args.dir, "inputs.json"), "w", encoding="utf-8") as handle:
            json.dump(_go_json(values), handle, sort_keys=True, separators=(",", ":"))
    elif args.format == "YAML":
        import yaml

        with open(os.path.join(args.dir, "inputs.yaml"), "w", encoding="utf-8") as handle:
            yaml.safe_dump(_go_json(values), handle, sort_keys=True)
    if args.command_file:
        script = command_script(render_command(list(args.argv), inputs))
        os.makedirs(os.path.dirname(args.command_file) or ".", exist_ok=True)
        with open(args.command_file, "w", encoding="utf-8") as handle:
            handle.write(script)
    return None


# --- upload ----------------------------------------------------------------------------------


def _simple_literal(simple: int, text: str, name: str) -> Any:
    """``coreutils.MakeLiteralForSimpleType``: the file's text (trimmed) as a literal."""
    from flyteidl.core import literals_pb2, types_pb2
    from google.protobuf import json_format

    from fcomp.runtime.errors import StepError

    text = text.strip(" \n\t")
    literal = literals_pb2.Literal()
    scalar = literal.scalar
    simple_type = types_pb2.SimpleType
    try:
        if simple == simple_type.INTEGER:
            if not re.fullmatch(r"[+-]?[0-9]+", text):
                raise ValueError("not an integer")
            scalar.primitive.integer = int(text)
        elif simple == simple_type.FLOAT:
            scalar.primitive.float_value = float(text)
        elif simple == simple_type.BOOLEAN:
            truth = {
                "1": True,
                "t": True,
                "T": True,
                "TRUE": True,
                "true": True,
                "True": True,
                "0": False,
                "f": False,
                "F": False,
                "FALSE": False,
                "false": False,
                "False": False,
            }
            if text not in truth:
                raise ValueError("not a boolean")
            scalar.primitive.boolean = truth[text]
        elif simple == simple_type.STRING:
            scalar.primitive.string_value = text
        elif simple == simple_type.DATETIME:
            from datetime import datetime

            scalar.primitive.datetime.FromDatetime(
                datetime.fromisoformat(text.replace("Z", "+00:00"))
            )
        elif simple == simple_type.DURATION:
            scalar.primitive.duration.FromNanoseconds(_parse_go_duration(text))
        elif simple == simple_type.STRUCT:
            json_format.Parse(text, scalar.generic)
        elif simple == simple_type.BINARY:
            scalar.binary.value = text.encode()
        elif simple == simple_type.NONE:
            scalar.none_type.SetInParent()
        else:
            raise ValueError(f"unsupported type {simple_type.Name(simple)}")
    except (ValueError, json_format.ParseError) as error:
        raise StepError(f"output '{name}': cannot read {text!r}: {error}") from error
    return literal


_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1,
    "us": 10**3,
    "µs": 10**3,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}


def _parse_go_duration(text: str) -> int:
    """Go's ``time.ParseDuration`` (``1h30m``, ``1.5s``, ``300ms``) in nanoseconds."""
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body == "0":
        return 0
    parts = _DURATION_PART.findall(body)
    if not parts or "".join(n + u for n, u in parts) != body:
        raise ValueError("not a duration (e.g. 300ms, -1.5h, 2h45m)")
    from decimal import Decimal

    return sign * int(sum(Decimal(n) * _DURATION_UNITS[u] for n, u in parts))


def _error_document(message: str) -> bytes:
    from flyteidl.core import errors_pb2

    from fcomp.runtime.codec import serialize

    doc = errors_pb2.ErrorDocument()
    doc.error.code = "OutputUploadFailed"
    doc.error.message = message
    doc.error.kind = errors_pb2.ContainerError.NON_RECOVERABLE
    return serialize(doc)


def upload(args: Any) -> str | None:
    """Read ``--dir``'s files as the task's outputs, write ``outputs.pb`` (or ``error.pb``)."""
    from flyteidl.core import literals_pb2, tasks_pb2

    from fcomp.runtime.codec import parse_message, serialize
    from fcomp.runtime.errors import StepError

    error_file = os.path.join(args.dir, ERROR_FILE)
    if os.path.isfile(error_file):
        with open(error_file, encoding="utf-8", errors="replace") as handle:
            message = f"User Error: {handle.read(1024 * 1024)}"
        _write(_join(args.output_prefix, "error.pb"), _error_document(message))
        raise StepError(message)
    template = parse_message(
        _read(args.task_template, "the task template"), tasks_pb2.TaskTemplate, "task.pb"
    )
    outputs = literals_pb2.LiteralMap()
    variables = template.interface.outputs.variables
    for name in sorted(variables):
        var_type = variables[name].type
        local = os.path.join(args.dir, name)
        kind = var_type.WhichOneof("type")
        if not os.path.exists(local):
            message = f"output '{name}' was not written: {local} does not exist"
            _write(_join(args.output_prefix, "error.pb"), _error_document(message))
            raise StepError(message)
        if kind == "simple":
            if os.path.isdir(local) or os.path.getsize(local) > MAX_PRIMITIVE_SIZE:
                raise StepError(f"output '{name}': {local} must be a file of at most 1024 bytes")
            with open(local, encoding="utf-8") as handle:
                outputs.literals[name].CopyFrom(
                    _simple_literal(var_type.simple, handle.read(), name)
                )
        elif kind == "blob":
            uri = _join(args.raw_output_prefix, name)
            _copy_to(local, uri)
            blob = outputs.literals[name].scalar.blob
            blob.uri = uri
            blob.metadata.type.dimensionality = 1 if os.path.isdir(local) else 0
        else:
            raise StepError(
                f"currently CoPilot uploader does not support [{kind}] (output '{name}')"
            )
    _write(_join(args.output_prefix, "outputs.pb"), serialize(outputs))
    return None


# --- echo and sleep --------------------------------------------------------------------------


def echo(args: Any) -> str | None:
    """Flyte's ``echo`` plugin: the task's outputs are its inputs."""
    from flyteidl.core import literals_pb2

    from fcomp.runtime.codec import parse_message, serialize

    inputs = parse_message(
        _read(args.inputs, "the node's inputs"), literals_pb2.LiteralMap, "inputs"
    )
    _write(_join(args.output_prefix, "outputs.pb"), serialize(inputs))
    return None


def sleep(args: Any) -> str | None:
    """Flyte's ``core-sleep`` plugin: wait for the single duration input."""
    import time

    from flyteidl.core import literals_pb2

    from fcomp.runtime.codec import parse_message
    from fcomp.runtime.errors import StepError

    inputs = parse_message(
        _read(args.inputs, "the node's inputs"), literals_pb2.LiteralMap, "inputs"
    )
    if len(inputs.literals) != 1:
        raise StepError("task type [core-sleep] requires exactly one duration input")
    ((name, literal),) = inputs.literals.items()
    primitive = literal.scalar.primitive
    if primitive.WhichOneof("value") != "duration":
        raise StepError(f"duration input [{name}] must be a duration literal")
    seconds = primitive.duration.seconds + primitive.duration.nanos / 1e9
    if seconds < 0:
        raise StepError(f"duration input [{name}] must be non-negative")
    time.sleep(seconds)
    return None


#: Command handlers by command name (merge into the runtime's ``COMMANDS``).
COMMANDS: dict[str, Callable[[Any], str | None]] = {
    "copilot-download": download,
    "copilot-upload": upload,
    "echo": echo,
    "sleep": sleep,
}
