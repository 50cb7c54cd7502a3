"""Strict JSON for files from elsewhere: bounded, finite, unambiguous.

Python's :func:`json.loads` accepts ``NaN`` and ``Infinity``, turns ``1e400`` into infinity,
keeps the last of two equal keys, parses a 5000-digit integer until a ``ValueError`` that is
not a ``JSONDecodeError``, and recurses into ``[[[[…`` until a ``RecursionError``. :func:`loads`
refuses each of these with one :class:`StrictJsonError`, as well as strings holding a lone
surrogate (``"\\ud800"``, which no UTF-8 file can carry) and nesting deeper than asked.
"""

from __future__ import annotations

import json
import math
import re

MAX_INT_DIGITS = 19  # 2**63 has 19 digits: every integer a record holds fits
_SURROGATE = re.compile("[\ud800-\udfff]")


class StrictJsonError(ValueError):
    """Text that is not strict JSON; ``line`` and ``col`` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, col: int = 0) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def _constant(name: str) -> None:
    raise StrictJsonError(f"{name} is not a number (JSON has no NaN or Infinity)")


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise StrictJsonError(f"an integer of {digits} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _real(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise StrictJsonError(f"{text[:20]} is too large for a number")
    return v


def _object(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise StrictJsonError(f"the key {k[:40]!r} appears twice in one object")
        out[k] = v
    return out


def _check_tree(doc: object, max_depth: int) -> None:
    """Depth and strings of a parsed document, iteratively (no recursion to exhaust)."""
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise StrictJsonError("a string holds a lone surrogate (\\ud800–\\udfff)")
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            raise StrictJsonError(f"nested deeper than {max_depth} levels")
        items = list(node.items()) if isinstance(node, dict) else [(None, v) for v in node]
        for k, v in items:
            if k is not None:
                stack.append((k, depth))
            stack.append((v, depth + 1))


def loads(text: str, max_depth: int) -> object:
    """Parse strict JSON.

    Parameters
    ----------
    text : str
        The document.
    max_depth : int
        Deepest nesting of arrays and objects allowed (the top level is 1).

    Raises
    ------
    StrictJsonError
        For bad JSON (with its line and column), NaN, Infinity, a number too large for a
        float, an integer over :data:`MAX_INT_DIGITS` digits, a duplicate key, a lone
        surrogate, or nesting deeper than ``max_depth``.
    """
    try:
        doc = json.loads(
            text,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_real,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        raise StrictJsonError(f"bad JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise StrictJsonError(f"nested deeper than {max_depth} levels") from None
    _check_tree(doc, max_depth)
    return doc
