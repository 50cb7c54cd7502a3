"""Problems in scenario files, reported as ``file:line:col: field: message`` for an instructor.

:func:`problems_from_validation_error` turns pydantic's errors into plain-language problems
located with :class:`Marks` (positions recorded by :mod:`sim.scenario.yaml_strict`, which
imports this module; this module imports no other part of the scenario package).
"""

from __future__ import annotations

import difflib
import enum
import math
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

PathKey = tuple[str | int, ...]
_IDENT = re.compile(r"[^\s.\[\]'\"]+")
# Line breaks, escape codes and other control characters a file's text could carry: a problem is
# printed as one line on a terminal, so they are shown escaped, as Python writes them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a file; sorts by (file, line, col). Line and column are 1-based."""

    file: str
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        text = f"{where}: {self.field}: " if self.field else f"{where}: "
        text += self.message
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class YamlProblem(Exception):
    """A file refused before validation (syntax, encoding, size, anchors, ...).

    Parameters
    ----------
    problem : Problem
        The located problem; ``str(exc)`` is ``str(problem)``.
    """

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem

    def __reduce__(self) -> tuple[type, tuple[Problem]]:
        return (type(self), (self.problem,))


class Mark(NamedTuple):
    """Where a value (or key) starts: file name as given by the caller, 1-based line and col."""

    file: str
    line: int
    col: int


class Marks(Mapping[PathKey, Mark]):
    """Positions of every value in a loaded file, keyed by path (str keys, int list indices).

    ``marks[("tumors", 1, "diameter_mm")]`` is where that value starts; :attr:`key_marks` holds
    where each mapping key starts (for unknown-key reports). ``()`` is the top-level mapping.

    Parameters
    ----------
    file : str
        File name used when no mark is found at all.
    values, key_marks : dict, optional
        Initial value and key marks.
    """

    def __init__(
        self,
        file: str = "",
        values: dict[PathKey, Mark] | None = None,
        key_marks: dict[PathKey, Mark] | None = None,
    ) -> None:
        self.file = file
        self.values: dict[PathKey, Mark] = dict(values or {})
        self.key_marks: dict[PathKey, Mark] = dict(key_marks or {})

    def __getitem__(self, path: PathKey) -> Mark:
        return self.values[tuple(path)]

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def locate_mark(self, path: PathKey) -> Mark:
        """Mark of ``path`` or of its nearest marked ancestor (a missing field → its parent)."""
        path = tuple(path)
        for n in range(len(path), -1, -1):
            mark = self.values.get(path[:n])
            if mark is not None:
                return mark
        return Mark(self.file, 1, 1)

    def locate(self, path: PathKey) -> tuple[int, int]:
        """``(line, col)`` of ``path`` or of its nearest marked ancestor."""
        mark = self.locate_mark(path)
        return mark.line, mark.col

    def locate_key(self, path: PathKey) -> Mark:
        """Mark of the key that introduces ``path``; falls back to :meth:`locate_mark`."""
        mark = self.key_marks.get(tuple(path))
        return mark if mark is not None else self.locate_mark(path)


def field_path(path: tuple[str | int, ...]) -> str:
    """``("tumors", 1, "diameter_mm")`` → ``"tumors[1].diameter_mm"``; odd keys are quoted."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


# --- walking the model's types along a data path -------------------------------------------


def _expand(tp: Any, meta: list[Any]) -> list[tuple[Any, list[Any]]]:
    """Strip ``Annotated`` (keeping its metadata) and split unions/Optional into members."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(tp)
        return _expand(base, [*meta, *extra])
    if origin in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(tp) for c in _expand(arg, meta)]
    return [(tp, meta)]


def _step(tp: Any, part: str | int, key: bool) -> list[tuple[Any, list[Any]]]:
    """Types reached from ``tp`` by one path element (``key``: the dict's key type instead)."""
    origin = typing.get_origin(tp) or tp
    args = typing.get_args(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
        for name, info in tp.model_fields.items():
            if part in (name, info.alias):
                return _expand(info.annotation, list(info.metadata))
        return []
    if isinstance(origin, type) and issubclass(origin, Mapping) and len(args) == 2:
        return _expand(args[0] if key else args[1], [])
    if origin is tuple and isinstance(part, int) and args:
        if len(args) == 2 and args[1] is Ellipsis:
            return _expand(args[0], [])
        return _expand(args[part], []) if part < len(args) else []
    if isinstance(origin, type) and issubclass(origin, Sequence | set | frozenset):
        return _expand(args[0], []) if args and isinstance(part, int) else []
    return []


def _types_at(model: Any, path: tuple, key: bool = False) -> list[tuple[Any, list[Any]]]:
    """All candidate (type, metadata) pairs at ``path`` in ``model`` (empty if unknown)."""
    if model is None:
        return []
    cands = _expand(model, [])
    for i, part in enumerate(path):
        last_key = key and i == len(path) - 1
        cands = [c for tp, _ in cands for c in _step(tp, part, last_key)]
    return cands


def _bounds(meta: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in meta:
        inner = getattr(m, "metadata", None)
        if isinstance(inner, list):
            out.update(_bounds(inner))
        for attr in ("gt", "ge", "lt", "le"):
            v = getattr(m, attr, None)
            if isinstance(v, int | float) and not isinstance(v, bool):
                out[attr] = v
    return out


def _choices(cands: list[tuple[Any, list[Any]]]) -> list[Any]:
    out: list[Any] = []
    for tp, _ in cands:
        if typing.get_origin(tp) is typing.Literal:
            out += [a for a in typing.get_args(tp) if a not in out]
        elif isinstance(tp, type) and issubclass(tp, enum.Enum):
            out += [e.value for e in tp if e.value not in out]
    return out


def _field_names(cands: list[tuple[Any, list[Any]]]) -> list[str]:
    out: list[str] = []
    for tp, _ in cands:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            for name, info in tp.model_fields.items():
                shown = info.alias if isinstance(info.alias, str) else name
                if shown not in out:
                    out.append(shown)
    return out


# --- wording ---------------------------------------------------------------------------------


def _num(x: Any) -> str:
    """Compact number: ``200`` not ``200.0``, ``0.5``, ``1e-05``."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float) and math.isfinite(x) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x) if isinstance(x, float) else str(x)


def _show(v: Any) -> str:
    """A value as the instructor wrote it: numbers bare, text in quotes."""
    if isinstance(v, str):
        return repr(v if len(v) <= 60 else v[:57] + "...")
    if isinstance(v, int | float):
        return _num(v)
    return _describe(v)


def _describe(v: Any) -> str:
    if v is None:
        return "an empty value"
    if isinstance(v, bool):
        return f"{_num(v)} (true/false)"
    if isinstance(v, int | float):
        return f"the number {_num(v)}"
    if isinstance(v, str):
        return f"the text {_show(v)}"
    if isinstance(v, list | tuple):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    return type(v).__name__


def _range(b: dict[str, Any]) -> str:
    if "ge" in b and "le" in b:
        return f"{_num(b['ge'])}–{_num(b['le'])}"
    low = f"at least {_num(b['ge'])}" if "ge" in b else f"more than {_num(b['gt'])}"
    high = f"at most {_num(b['le'])}" if "le" in b else f"less than {_num(b['lt'])}"
    return f"{low} and {high}"


def _suggest(word: Any, options: list[Any]) -> str:
    """`` (did you mean 'x'?)`` or ``""``, matching case-insensitively."""
    texts = {str(o).lower(): str(o) for o in options}
    hit = difflib.get_close_matches(str(word).lower(), list(texts), n=1)
    return f" (did you mean '{texts[hit[0]]}'?)" if hit else ""


def _listing(options: list[Any]) -> str:
    return ", ".join(_num(o) if not isinstance(o, str) else o for o in options)


def _message(err: Any, path: tuple, raw: tuple, model: Any) -> str:
    """Plain-language message for one pydantic error dict."""
    kind, ctx, v = err["type"], err.get("ctx") or {}, err.get("input")
    bounded = ("greater_than_equal", "greater_than", "less_than_equal", "less_than")
    if kind in (*bounded, "finite_number"):
        b = {k: ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx}
        for _, meta in _types_at(model, path):
            b = {**_bounds(meta), **b}
        both = any(k in b for k in ("ge", "gt")) and any(k in b for k in ("le", "lt"))
        tail = f" (allowed: {_range(b)})" if both else ""
        if kind == "finite_number" or (isinstance(v, float) and not math.isfinite(v)):
            return f"{_show(v)} is not a finite number{tail or ' (allowed: a finite number)'}"
        text = {
            "greater_than_equal": f"{_show(v)} is below the minimum {_num(ctx.get('ge'))}",
            "greater_than": f"{_show(v)} is too small; it must be more than {_num(ctx.get('gt'))}",
            "less_than_equal": f"{_show(v)} is above the maximum {_num(ctx.get('le'))}",
            "less_than": f"{_show(v)} is too large; it must be less than {_num(ctx.get('lt'))}",
        }[kind]
        return text + tail
    if kind == "extra_forbidden":
        names = _field_names(_types_at(model, path[:-1]))
        hint = _suggest(path[-1], names) if names else ""
        if names and not hint:
            hint = f" (allowed: {', '.join(names)})"
        return f"unknown field '{path[-1] if path else v}'{hint}"
    if kind in ("literal_error", "enum"):
        options = _choices(_types_at(model, path, key=bool(raw) and raw[-1] == "[key]"))
        if not options:
            options = re.findall(r"'((?:[^'\\]|\\.)*)'", str(ctx.get("expected", "")))
        if not options:
            options = re.split(r", | or ", str(ctx.get("expected", "")))
        return (
            f"{_show(v)} is not one of the allowed values{_suggest(v, options)} "
            f"(allowed: {_listing(options)})"
        )
    if kind == "missing":
        if path and isinstance(path[-1], int):
            return f"item {path[-1] + 1} of the list is missing"
        return "required field is missing"
    if kind == "union_tag_not_found":  # path ends with the discriminator field
        return "required field is missing"
    if kind == "union_tag_invalid":
        options = re.findall(r"'((?:[^'\\]|\\.)*)'", str(ctx.get("expected_tags", "")))
        tag = ctx.get("tag")
        return (
            f"{_show(tag)} is not one of the allowed values{_suggest(tag, options)} "
            f"(allowed: {_listing(options)})"
        )
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        what = "a number" if kind.startswith("float") else "a whole number"
        if isinstance(v, str | float) and not isinstance(v, bool):
            return f"{_show(v)} is not {what}"
        return f"expected {what}, got {_describe(v)}"
    if kind in ("bool_parsing", "bool_type"):
        if isinstance(v, str):
            return f"{_show(v)} is not true or false"
        return f"expected true or false, got {_describe(v)}"
    if kind == "string_type":
        quote = " (put it in quotes)" if isinstance(v, int | float) else ""
        return f"expected text, got {_describe(v)}{quote}"
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        return f"expected a list, got {_describe(v)}"
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return f"expected a mapping (key: value), got {_describe(v)}"
    if kind in ("too_short", "too_long"):
        n = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        items = "item" if n == 1 else "items"
        return f"needs {word} {n} {items}, got {ctx.get('actual_length', '?')}"
    msg = str(err.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return " ".join(msg.split())


def _data_path(loc: tuple, kind: str, marks: Marks) -> tuple:
    """Drop loc elements that are not in the data (union member tags, ``[key]``)."""
    path: tuple = ()
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if (*path, part) in marks.values or (last and kind == "missing" and part != "[key]"):
            path = (*path, part)
        elif kind == "extra_forbidden" and last:
            path = (*path, part)
    return path


def problems_from_validation_error(
    exc: ValidationError, marks: Marks, filename: str, model: Any = None
) -> list[Problem]:
    """One located, plain-language :class:`Problem` per pydantic error (sorted, deduplicated).

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error raised by ``model.model_validate(data)``.
    marks : Marks
        Marks of ``data`` from :mod:`sim.scenario.yaml_strict`; each mark's own file is used.
    filename : str
        File name used where no mark exists.
    model : type[BaseModel], optional
        The validated model; used for allowed ranges, field names and choices.
    """
    out: set[Problem] = set()
    for err in exc.errors(include_url=False):
        raw, kind = tuple(err["loc"]), err["type"]
        path = _data_path(raw, kind, marks)
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            path = (*path, str((err.get("ctx") or {}).get("discriminator", "")).strip("'"))
        if kind == "extra_forbidden" or (raw and raw[-1] == "[key]"):
            mark: Mark = marks.locate_key(path)
        else:
            mark = marks.locate_mark(path)
        file = mark.file or filename
        out.add(
            Problem(file, mark.line, mark.col, field_path(path), _message(err, path, raw, model))
        )
    return sorted(out)
