"""Reading stored rows without trusting them: a damaged row becomes a :class:`Record` that says so.

SQLite stores whatever a column is given (a text score, a float seed, garbage JSON in
``outcome``); a bit flipped on disk can do the same without failing ``PRAGMA integrity_check``.
:func:`record_from_row` turns any row into a record: what cannot be read takes a neutral value
(``''``, ``0``, ``None``) and :attr:`Record.damage` names it, so ``history`` lists the row as
unreadable and a replay refuses it, instead of either crashing.
"""

from __future__ import annotations

import json
import math

from sim.records.model import MODES, STATUSES, Record, printable, score_value

COLUMNS = (
    "id, trainee, scenario_id, scenario_sha256, scenario_text, seed, app_version, "
    "numpy_version, mode, status, started_at, ended_at, last_tick, outcome, digest, "
    "python_version, scenario_path, host, pid, heartbeat_at"
)
_NAMES = tuple(c.strip() for c in COLUMNS.split(","))
_TEXT = {
    "trainee",
    "scenario_id",
    "scenario_sha256",
    "scenario_text",
    "app_version",
    "numpy_version",
    "mode",
    "status",
    "started_at",
    "python_version",
    "host",
}
_OPTIONAL_TEXT = {"ended_at", "digest", "scenario_path"}
_INT = {"id", "seed", "last_tick"}
_MAX_INT = 2**63  # what SQLite's INTEGER holds


class _Reader:
    """Collects what could not be read while converting one row."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def bad(self, what: str) -> None:
        self.problems.append(what)

    def text(self, name: str, v: object, optional: bool = False) -> str | None:
        if isinstance(v, str):
            return v
        if v is None and optional:
            return None
        self.bad(f"{name} is not text")
        return None if optional else ""

    def integer(self, name: str, v: object, optional: bool = False) -> int | None:
        if isinstance(v, int) and not isinstance(v, bool) and -_MAX_INT <= v < _MAX_INT:
            return v
        if v is None and optional:
            return None
        self.bad(f"{name} is not an integer")
        return None if optional else 0

    def real(self, name: str, v: object) -> float | None:
        if v is None:
            return None
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
            return float(v)
        self.bad(f"{name} is not a number")
        return None

    def outcome(self, v: object) -> dict | None:
        if v is None:
            return None
        try:
            out = json.loads(v) if isinstance(v, str) else None
        except (ValueError, RecursionError):
            out = None
        if not isinstance(out, dict):
            self.bad("outcome is not a JSON object")
            return None
        if score_value(out.get("score")) is None:
            self.bad(f"score {printable(repr(out.get('score')), 20)} is not a number in 0–100")
        return out


def action_from_column(tick: object, text: object) -> tuple[int, dict | None, str]:
    """One stored action as ``(tick, action dict or None, problem or '')``."""
    if not isinstance(tick, int) or isinstance(tick, bool) or not 0 <= tick < _MAX_INT:
        return 0, None, "a tick that is not an integer"
    try:
        action = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        action = None
    if not isinstance(action, dict | str):
        return tick, None, "an action that is not JSON"
    return tick, action, ""


def record_from_row(row: tuple, actions: list[tuple[int, dict]], action_problem: str) -> Record:
    """A :class:`Record` from one ``SELECT {COLUMNS}`` row, its actions and their problem."""
    r = _Reader()
    v = dict(zip(_NAMES, row, strict=True))
    values = {}
    for name in _NAMES:
        if name in _TEXT:
            values[name] = r.text(name, v[name])
        elif name in _OPTIONAL_TEXT:
            values[name] = r.text(name, v[name], optional=True)
        elif name in _INT:
            values[name] = r.integer(name, v[name])
    if values["status"] not in STATUSES:
        r.bad(f"status {printable(values['status'], 20)!r} is unknown")
    if values["mode"] not in MODES:
        r.bad(f"mode {printable(values['mode'], 20)!r} is unknown")
    outcome = r.outcome(v["outcome"])
    if action_problem:
        r.bad(action_problem)
    return Record(
        **{k: values[k] for k in _NAMES if k in values},
        actions=actions,
        outcome=outcome,
        pid=r.integer("pid", v["pid"], optional=True),
        heartbeat_at=r.real("heartbeat_at", v["heartbeat_at"]),
        damage="; ".join(r.problems),
    )
