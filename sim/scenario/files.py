"""Case files as read from disk: ``extends:`` chains, confined to known folders, and validation.

:func:`load_with_extends` resolves ``extends: base.yaml`` only to regular files beside the case
or in the case library (:data:`LIBRARY_DIR`); :func:`validate_file` runs the whole chain (read,
strict YAML, ``extends``, model) and never raises for bad input.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sim.scenario.problems import (
    Marks,
    PathKey,
    Problem,
    YamlProblem,
    problems_from_validation_error,
)
from sim.scenario.yaml_strict import load_yaml_file

M = TypeVar("M", bound=BaseModel)
LIBRARY_DIR = Path(__file__).resolve().parents[2] / "scenarios"  # the cases Siphon ships


def _problem(file: str, line: int, col: int, message: str) -> YamlProblem:
    return YamlProblem(Problem(file, line, col, "", message))


def _inside(real: str, roots: tuple[str, ...]) -> bool:
    return any(os.path.commonpath([real, root]) == root for root in roots)


def _base_refusal(value: str, base: str, roots: tuple[str, ...], key: str) -> str | None:
    """Why ``base`` (named ``value`` in the file) may not be extended, or ``None``.

    A base must lie in the folder of the case being loaded or in the library, after symbolic
    links are resolved, and be a regular file: a device or a pipe could block or never end.
    """
    real = os.path.realpath(base)
    if not _inside(real, roots):
        return (
            f"'{value}' is outside the case's folder and the library; {key} names a case "
            f"beside this one or in the library (allowed: {', '.join(roots)})"
        )
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return None  # reported as 'cannot find' / 'cannot read' when it is opened
    if not stat.S_ISREG(mode):
        return f"'{value}' is not a regular file (a device, pipe or folder is not a case)"
    return None


def _copy_marks(value: object, path: PathKey, src: Marks, dst: Marks) -> None:
    """Copy the marks of ``value`` (at ``path``) and everything below it from ``src``."""
    for table_src, table_dst in ((src.values, dst.values), (src.key_marks, dst.key_marks)):
        if path in table_src:
            table_dst[path] = table_src[path]
    if isinstance(value, dict):
        for k, v in value.items():
            _copy_marks(v, (*path, k), src, dst)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _copy_marks(v, (*path, i), src, dst)


def _merge(base: dict, child: dict, path: PathKey, bm: Marks, cm: Marks, out: Marks) -> dict:
    """Deep-merge ``child`` over ``base``: mappings merge, everything else is replaced."""
    merged: dict[str, Any] = {}
    for k in [*base, *(k for k in child if k not in base)]:
        p = (*path, k)
        if k in base and k in child and isinstance(base[k], dict) and isinstance(child[k], dict):
            merged[k] = _merge(base[k], child[k], p, bm, cm, out)
            out.values[p], out.key_marks[p] = cm.values[p], cm.key_marks[p]
        elif k in child:
            merged[k] = child[k]
            _copy_marks(child[k], p, cm, out)
        else:
            merged[k] = base[k]
            _copy_marks(base[k], p, bm, out)
    return merged


def _load_chain(
    path: str, key: str, max_depth: int, chain: list[tuple[str, str]], roots: tuple[str, ...]
) -> tuple[dict[str, Any], Marks]:
    data, marks = load_yaml_file(path)
    if key not in data:
        return data, marks
    value = data.pop(key)
    at = marks.values.pop((key,))
    marks.key_marks.pop((key,), None)

    def refuse(message: str) -> YamlProblem:
        return _problem(at.file, at.line, at.col, message)

    if not isinstance(value, str) or not value.strip():
        raise refuse(f"'{key}' must be the file name of another case, e.g. {key}: base_case.yaml")
    base = os.path.normpath(os.path.join(os.path.dirname(path), value))
    here = [*chain, (os.path.realpath(path), path)]
    if os.path.realpath(base) in {real for real, _ in here}:
        raise refuse(f"{key} cycle: " + " -> ".join([name for _, name in here] + [base]))
    if len(here) > max_depth:
        raise refuse(f"too many levels of '{key}' (the limit is {max_depth})")
    why = _base_refusal(value, base, roots, key)
    if why:
        raise refuse(why)
    try:
        base_data, base_marks = _load_chain(base, key, max_depth, here, roots)
    except FileNotFoundError:
        looked = f" (looked for {base})" if base != value else ""
        raise refuse(f"cannot find the base case '{value}'{looked}") from None
    except OSError as exc:
        raise refuse(f"cannot read the base case '{value}': {exc.strerror or exc}") from None
    out = Marks(marks.file)
    out.values[()] = marks.values[()]
    return _merge(base_data, data, (), base_marks, marks, out), out


def load_with_extends(
    path: str | os.PathLike[str], key: str = "extends", max_depth: int = 8
) -> tuple[dict[str, Any], Marks]:
    """Load a case file, resolving ``extends: base.yaml`` chains.

    The base path is relative to the extending file; it must be a regular file in the folder of
    ``path`` or in :data:`LIBRARY_DIR` (symbolic links resolved). Mappings are merged key by
    key; lists and scalars from the extending file replace the base's. The ``extends`` key is
    removed. Each mark keeps the file its value came from.

    Parameters
    ----------
    path : str or PathLike
        The case file; its name appears in problems as ``str(path)``.
    key : str
        Name of the extends key.
    max_depth : int
        Maximum number of ``extends`` hops.

    Raises
    ------
    YamlProblem
        For refused content, and for a missing or unreadable base, a cycle, a chain deeper than
        ``max_depth``, a non-text ``extends``, or a base outside the allowed folders or not a
        regular file (reported at the ``extends`` value).
    OSError
        If ``path`` itself cannot be read.
    """
    name = os.fspath(path)
    roots = tuple(
        dict.fromkeys(os.path.realpath(p) for p in (os.path.dirname(name) or ".", LIBRARY_DIR))
    )
    return _load_chain(name, key, max_depth, [], roots)


def validate_file(
    path: str | os.PathLike[str], model_cls: type[M], *, use_extends: bool = True
) -> tuple[M | None, list[Problem]]:
    """Read, strictly load (resolving ``extends``) and validate a case file.

    Parameters
    ----------
    path : str or PathLike
        The case file; problems name it ``str(path)``.
    model_cls : type[BaseModel]
        Model to validate against.
    use_extends : bool
        Resolve ``extends:`` chains (otherwise ``extends`` is an ordinary key).

    Returns
    -------
    model : BaseModel or None
        The validated model, or ``None`` if there are problems.
    problems : list of Problem
        Sorted; empty on success.
    """
    name = os.fspath(path)
    try:
        data, marks = load_with_extends(name) if use_extends else load_yaml_file(name)
    except YamlProblem as exc:
        return None, [exc.problem]
    except OSError as exc:
        return None, [Problem(name, 1, 1, "", f"cannot read file: {exc.strerror or exc}")]
    try:
        return model_cls.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from_validation_error(exc, marks, name, model_cls)
