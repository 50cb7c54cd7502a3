"""Strict YAML for teaching cases: a small, predictable subset with exact error positions.

PyYAML composes the node tree; this module builds the Python values itself, so nothing is ever
constructed from a tag and every value's position is remembered in :class:`Marks`.

The subset
----------
* Scalars follow the YAML 1.2 core schema: ``true``/``false`` (three spellings) are booleans,
  ``yes``/``no``/``on``/``off`` stay text; ``null``, ``~`` and empty are ``None``; decimal
  integers are base 10 (``012`` is 12), ``0o17`` is octal and ``0x1F`` is hexadecimal (both
  integers); ``1e-3``, ``.5``, ``-2.5e+3``, ``.inf``, ``.nan`` are floats. Timestamps stay text.
  Quoted and block (``|``, ``>``) scalars are always text.
* Mapping keys are always text (``1:`` gives the key ``"1"``); a key may not be a list or
  mapping, empty, or the merge key ``<<``.
* Refused: duplicate keys, anchors, aliases, merge keys, explicit tags, more than one document,
  nesting deeper than :data:`MAX_NESTING`, files over :data:`MAX_BYTES`, non-UTF-8 bytes,
  control characters and tabs used as indentation. The top level must be a mapping.

Every refusal raises :class:`~sim.scenario.problems.YamlProblem` with a 1-based line and column.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any

import yaml
from yaml.reader import Reader

from sim.scenario.problems import Mark, Marks, PathKey, Problem, YamlProblem

__all__ = ["Mark", "Marks", "YamlProblem", "load_yaml_file", "load_yaml_text"]

MAX_BYTES = 256 * 1024
MAX_NESTING = 64
ANCHOR_MESSAGE = (
    "anchors and aliases are not allowed; use 'extends: other_case.yaml' to reuse a case"
)

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


def _problem(file: str, line: int, col: int, message: str) -> YamlProblem:
    return YamlProblem(Problem(file, line, col, "", message))


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index``, counting line breaks as PyYAML does."""
    line, start = 1, 0
    for m in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, m.end()
    return line, index - start + 1


def _size_text(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1024:.1f} KiB"


def _check_size(n: int, file: str) -> None:
    if n > MAX_BYTES:
        raise _problem(file, 1, 1, f"file is {_size_text(n)}; the limit is {MAX_BYTES // 1024} KiB")


def _decode(data: bytes, file: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8-sig")
        line, col = _line_col(prefix, len(prefix))
        raise _problem(
            file,
            line,
            col,
            f"file is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, column {col})",
        ) from None
    return text.removeprefix("\ufeff")


class _StrictLoader(yaml.SafeLoader):
    """Composer that refuses anchors, aliases and tags as soon as it meets them."""

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self.depth = 0

    def refuse(self, mark: yaml.Mark, message: str) -> YamlProblem:
        return _problem(self.file, mark.line + 1, mark.column + 1, message)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise self.refuse(event.start_mark, ANCHOR_MESSAGE)
        if getattr(event, "tag", None) is not None:
            raise self.refuse(event.start_mark, "tags are not allowed")
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.refuse(event.start_mark, f"nesting is deeper than {MAX_NESTING} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _syntax_message(err: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """Turn a PyYAML error into (line, col, one readable line)."""
    mark = err.problem_mark or err.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem, context = str(err.problem or ""), str(err.context or "")
    lines = _LINE_BREAK.split(text)
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = re.match(r"[ \t]*", src).group()  # type: ignore[union-attr]
    if "\t" in indent:
        return line, indent.index("\t") + 1, "tab character in indentation; indent with spaces"
    if "'\\t'" in problem or "tab character" in problem:
        return line, col, "tab character here; use spaces"
    if "anchor" in context or "alias" in context:
        return (
            line,
            col,
            "anchors and aliases are not allowed; put text that starts with '&' or '*' in quotes",
        )
    if "tag" in context:
        return line, col, "tags are not allowed; put text that starts with '!' in quotes"
    if "single document" in context:
        return line, col, "only one document per file is allowed (found a second '---')"
    found = problem.rpartition("found ")[2]
    known = {
        "mapping values are not allowed here": "unexpected ':' (check the indentation, and quote "
        "text that contains ': ')",
        "could not find expected ':'": "expected 'key: value' (missing ':' or an unclosed "
        "quote or bracket)",
        "but found '-'": "a list item '-' where a 'key: value' was expected (check the "
        "indentation)",
        "but found '?'": "a 'key: value' where a list item '- ...' was expected (check the "
        "indentation)",
        "but found ':'": "unexpected ':' (is the key missing?)",
        "<block end>, but found '<scalar>'": "unexpected text after a value (put the whole "
        "value in quotes)",
        "expected <block end>": "indentation does not line up with the lines above",
        "expected the node content": f"unexpected {found} (put the text in quotes)",
        "found unexpected end of stream": "the file ends inside an unclosed quote",
        "expected ',' or ']'": "expected ',' or ']' in a [...] list",
        "expected ',' or '}'": "expected ',' or '}' in a {...} mapping",
        "cannot start any token": problem.removeprefix("found ").replace(
            "that cannot start any token", "cannot start a value; put the text in quotes"
        ),
    }
    for needle, message in known.items():
        if needle in problem:
            return line, col, message
    detail = f"{problem} ({context})" if context else problem
    return line, col, "invalid YAML: " + " ".join(detail.split())


def _scalar(node: yaml.ScalarNode) -> object:
    """Resolve a scalar with the YAML 1.2 core schema (plain scalars only; others are text)."""
    s = node.value
    if node.style is not None:
        return s
    if _NULL.fullmatch(s):
        return None
    if s in _BOOL:
        return _BOOL[s]
    if _INT10.fullmatch(s):
        return int(s, 10)
    if _INT8.fullmatch(s):
        return int(s[2:], 8)
    if _INT16.fullmatch(s):
        return int(s[2:], 16)
    if _FLOAT.fullmatch(s):
        return float(s)
    if _INF.fullmatch(s):
        return float("-inf") if s.startswith("-") else float("inf")
    if _NAN.fullmatch(s):
        return float("nan")
    return s


class _Builder:
    """Build Python values from composed nodes, recording marks."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.marks = Marks(file)

    def mark(self, node: yaml.Node) -> Mark:
        return Mark(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def refuse(self, node: yaml.Node, message: str) -> YamlProblem:
        m = self.mark(node)
        return _problem(self.file, m.line, m.col, message)

    def build(self, node: yaml.Node, path: PathKey) -> object:
        self.marks.values[path] = self.mark(node)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, object] = {}
            for key_node, value_node in node.value:
                key = self.key(key_node)
                if key in out:
                    first = self.marks.key_marks[(*path, key)].line
                    raise self.refuse(key_node, f"duplicate key '{key}' (first at line {first})")
                self.marks.key_marks[(*path, key)] = self.mark(key_node)
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return _scalar(node)
        except ValueError:  # int() refuses more than sys.get_int_max_str_digits() digits
            raise self.refuse(node, "number has too many digits") from None

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.refuse(node, "a key must be plain text, not a list or mapping")
        if node.style is None and node.value == "<<":
            raise self.refuse(node, ANCHOR_MESSAGE)
        if node.style is None and node.value == "":
            raise self.refuse(node, "empty key before ':'")
        return node.value


def load_yaml_text(text: str | bytes, filename: str) -> tuple[dict[str, Any], Marks]:
    """Load one strict-YAML document that must be a mapping.

    Parameters
    ----------
    text : str or bytes
        File content; bytes must be UTF-8 (a leading BOM is allowed).
    filename : str
        Name used in marks and problems (as given, not resolved).

    Returns
    -------
    data : dict
        The top-level mapping, with plain Python values.
    marks : Marks
        Position of every value and key, each carrying ``filename``.

    Raises
    ------
    YamlProblem
        For every refused input (see the module docstring); never another exception.
    """
    if isinstance(text, bytes):
        _check_size(len(text), filename)
        text = _decode(text, filename)
    else:
        _check_size(len(text.encode("utf-8", "replace")), filename)
        text = text.removeprefix("\ufeff")
    bad = Reader.NON_PRINTABLE.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        raise _problem(filename, line, col, f"character U+{ord(bad.group()):04X} is not allowed")
    loader = _StrictLoader(text, filename)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        raise _problem(filename, *_syntax_message(err, text)) from None
    except yaml.YAMLError as err:  # pragma: no cover - reader errors are pre-checked above
        raise _problem(filename, 1, 1, "invalid YAML: " + " ".join(str(err).split())) from None
    finally:
        loader.dispose()
    if node is None or (
        isinstance(node, yaml.ScalarNode) and node.style is None and not node.value
    ):
        raise _problem(filename, 1, 1, "file is empty")
    builder = _Builder(filename)
    if not isinstance(node, yaml.MappingNode):
        what = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        raise builder.refuse(node, f"the file must be a mapping of fields (key: value), not {what}")
    data = builder.build(node, ())
    assert isinstance(data, dict)
    return data, builder.marks


def load_yaml_file(path: str | os.PathLike[str]) -> tuple[dict[str, Any], Marks]:
    """Read and load a strict-YAML file; the file name in marks is ``str(path)``.

    Raises
    ------
    YamlProblem
        For refused content and for anything but a regular file (both checked before opening).
    OSError
        If the file cannot be read.
    """
    name = str(path)
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):  # a device or a pipe could block or never end
        raise _problem(name, 1, 1, "not a regular file (a device, pipe or folder is not a case)")
    _check_size(info.st_size, name)
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    return load_yaml_text(data, name)
