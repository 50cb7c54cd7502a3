"""Self-contained replay files (``case.siphon.json``): a record that travels without the store.

The file holds everything a replay needs on another machine — the scenario text with its
sha256, the seed, the versions it was made with, the timed actions — plus the outcome and the
final-state digest to check against. Layout (format version 1)::

    {"format": "siphon-replay", "format_version": 1,
     "scenario": {"id": "default", "title": "...", "sha256": "...", "text": "..."},
     "seed": 7, "trainee": "AB", "mode": "window", "status": "finished",
     "started_at": "...", "ended_at": "...", "last_tick": 5123,
     "versions": {"siphon": "0.1.0", "numpy": "2.1.3", "python": "3.11.9"},
     "actions": [{"tick": 0, "action": {"navigate": "CHA"}}, ...],
     "outcome": {...}, "digest": "..."}

Reading never trusts the file (the trust model is in ``docs/records.md``): its size is checked
before it is read, the JSON is strict (:mod:`.strict_json`), every field is checked for type,
form and range — ids are ``[a-z0-9_-]{1,64}`` and never become a path, ticks and the seed are
bounded, names carry no control characters — and the first problem is raised as one line
(:class:`ReplayFileError`). The outcome and digest in the file are only claims: import replays
the record and keeps what the replay gives (:func:`sim.records.replay.verified`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from datetime import datetime
from pathlib import Path

from sim.records.model import (
    ID_CHARS,
    MAX_ID_LEN,
    MAX_SEED,
    MODES,
    STATUSES,
    Record,
    is_scenario_id,
    printable,
    slug_id,
)
from sim.records.paths import write_atomic
from sim.records.strict_json import StrictJsonError, loads
from sim.scenario.plan import ActionFormError, action_from_dict
from sim.scenario.yaml_strict import MAX_BYTES as MAX_SCENARIO_BYTES

FORMAT = "siphon-replay"
FORMAT_VERSION = 1
SUFFIX = ".siphon.json"
MAX_BYTES = 4 * 1024 * 1024  # refused by its size before it is read (a real one: ~10–200 kB)
MAX_DEPTH = 16  # nesting of arrays and objects (a real file: 6)
MAX_ACTIONS = 10_000  # a real session: tens to a few hundred
MAX_TICK = 240 * 60 * 20  # the longest time limit a case may set (240 min) at 20 steps/s
MAX_NAME = 64  # characters of a trainee name
MAX_SHORT = 64  # characters of a version or time
TOP_FIELDS = (
    "format", "format_version", "scenario", "seed", "trainee", "mode", "status", "started_at",
    "ended_at", "last_tick", "versions", "actions", "outcome", "digest",
)  # fmt: skip
SCENARIO_FIELDS = ("id", "title", "sha256", "text")
_HEX64 = re.compile("[0-9a-f]{64}")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class ReplayFileError(ValueError):
    """A file that is not a readable Siphon replay; the message is one line."""


def scenario_title(text: str) -> str:
    """The ``title`` of a scenario text ('' if it has none or does not parse)."""
    from sim.scenario.problems import YamlProblem
    from sim.scenario.yaml_strict import load_yaml_text

    try:
        data, _ = load_yaml_text(text, "scenario")
    except (YamlProblem, ValueError):
        return ""
    title = data.get("title") if isinstance(data, dict) else None
    return title if isinstance(title, str) else ""


def to_document(record: Record) -> dict:
    """The JSON document of a record (see the module docstring)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "scenario": {
            "id": record.scenario_id
            if is_scenario_id(record.scenario_id)
            else slug_id(record.scenario_id),
            "title": scenario_title(record.scenario_text),
            "sha256": record.scenario_sha256,
            "text": record.scenario_text,
        },
        "seed": record.seed,
        "trainee": printable(record.trainee, MAX_NAME),
        "mode": record.mode,
        "status": "abandoned" if record.status == "in_progress" else record.status,
        "started_at": record.started_at,
        "ended_at": record.ended_at,
        "last_tick": record.last_tick,
        "versions": {
            "siphon": record.app_version,
            "numpy": record.numpy_version,
            "python": record.python_version,
        },
        "actions": [{"tick": t, "action": a} for t, a in record.actions],
        "outcome": record.outcome,
        "digest": record.digest,
    }


def export_record(record: Record, path: str | os.PathLike) -> Path:
    """Write ``record`` to a replay file (atomically); returns the path."""
    path = Path(path)
    write_atomic(path, json.dumps(to_document(record), ensure_ascii=False, indent=1) + "\n")
    return path


class _Doc:
    """Typed, bounded reads of one JSON object; each failure is a :class:`ReplayFileError`."""

    def __init__(self, obj: object, where: str, allowed: tuple[str, ...]) -> None:
        if not isinstance(obj, dict):
            raise ReplayFileError(f"{where or 'the file'}: expected an object")
        unknown = [k for k in obj if k not in allowed]
        if unknown:
            raise ReplayFileError(
                f"{where}{printable(unknown[0], 40)}: unknown field (allowed: {', '.join(allowed)})"
            )
        self.obj, self.where = obj, where

    def fail(self, key: str, problem: str) -> ReplayFileError:
        return ReplayFileError(f"{self.where}{key}: {problem}")

    def get(self, key: str, types: type | tuple, what: str, optional: bool = False):
        v = self.obj.get(key)
        if v is None:
            if optional:
                return None
            if key not in self.obj:
                raise ReplayFileError(f"missing field '{self.where}{key}'")
            raise self.fail(key, f"expected {what}")
        if isinstance(v, bool) or not isinstance(v, types):
            raise self.fail(key, f"expected {what}")
        return v

    def integer(self, key: str, lo: int, hi: int, optional: bool = False) -> int | None:
        v = self.get(key, int, "an integer", optional)
        if v is not None and not lo <= v < hi:
            raise self.fail(key, f"{v} is out of range (allowed: {lo} to {hi - 1})")
        return v

    def text(self, key: str, limit: int, what: str, optional: bool = False) -> str | None:
        v = self.get(key, str, what, optional)
        if v is not None and (len(v) > limit or _CONTROL.search(v)):
            raise self.fail(key, f"expected {what} (at most {limit} printable characters)")
        return v

    def choice(self, key: str, allowed: tuple[str, ...], optional: bool = False) -> str | None:
        v = self.get(key, str, "text", optional)
        if v is not None and v not in allowed:
            raise self.fail(key, f"{printable(v, 20)!r} (allowed: {', '.join(allowed)})")
        return v

    def time(self, key: str, optional: bool = False) -> str | None:
        v = self.text(key, MAX_SHORT, "an ISO 8601 time", optional)
        try:
            if v is not None:
                datetime.fromisoformat(v)
        except ValueError:
            raise self.fail(key, f"{printable(v, 30)!r} is not an ISO 8601 time") from None
        return v

    def hex64(self, key: str, what: str, optional: bool = False) -> str | None:
        v = self.get(key, str, what, optional)
        if v is not None and not _HEX64.fullmatch(v):
            raise self.fail(key, f"expected {what} (64 hex digits)")
        return v


def _scenario(doc: _Doc) -> tuple[str, str, str]:
    """``(id, sha256, text)`` of the document's scenario."""
    sc = _Doc(doc.get("scenario", dict, "an object"), "scenario.", SCENARIO_FIELDS)
    sid = sc.get("id", str, "a scenario id")
    if not is_scenario_id(sid):
        raise sc.fail(
            "id", f"{printable(sid, 40)!r} is not a scenario id "
            f"(allowed: 1 to {MAX_ID_LEN} of {ID_CHARS})"
        )  # fmt: skip
    text = sc.get("text", str, "the scenario text")
    if not text or len(text) > MAX_SCENARIO_BYTES:
        raise sc.fail("text", f"expected the scenario text (1 to {MAX_SCENARIO_BYTES} characters)")
    sha = sc.hex64("sha256", "a hex sha256")
    sc.get("title", str, "a title", optional=True)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha:
        raise ReplayFileError("scenario text does not match its sha256 (was the file edited?)")
    return sid, sha, text


def _actions(doc: _Doc) -> list[tuple[int, object]]:
    """The timed actions, each parsed as the engine will (ticks bounded, never decreasing)."""
    items = doc.get("actions", list, "a list")
    if len(items) > MAX_ACTIONS:
        raise doc.fail("actions", f"{len(items)} actions (at most {MAX_ACTIONS})")
    out, last = [], 0
    for i, item in enumerate(items):
        it = _Doc(item, f"actions[{i}].", ("tick", "action"))
        tick = it.integer("tick", 0, MAX_TICK + 1)
        if tick < last:
            raise it.fail("tick", f"{tick} goes back in time (the action before is at {last})")
        try:
            action_from_dict(item.get("action"))
        except ActionFormError as exc:
            raise ReplayFileError(f"actions[{i}]: {exc}") from None
        out.append((tick, item["action"]))
        last = tick
    return out


def from_document(doc: object) -> Record:
    """Check a parsed replay document and turn it into a :class:`Record` (``id`` 0).

    Raises
    ------
    ReplayFileError
        Naming the first field that is missing, of the wrong type, out of range or
        inconsistent.
    """
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ReplayFileError(f'not a Siphon replay file (no "format": "{FORMAT}")')
    d = _Doc(doc, "", TOP_FIELDS)
    version = d.get("format_version", int, "an integer")
    if version > FORMAT_VERSION:
        raise ReplayFileError(
            f"written by a newer Siphon (format version {version}; this one reads {FORMAT_VERSION})"
        )
    if version < 1:
        raise ReplayFileError(f"format_version: {version} is not a valid version")
    sid, sha, text = _scenario(d)
    status = d.choice("status", STATUSES)
    v = _Doc(d.get("versions", dict, "an object"), "versions.", ("siphon", "numpy", "python"))
    actions = _actions(d)
    outcome = d.get("outcome", dict, "an object or null", optional=True)
    if (status == "finished") != (outcome is not None):
        raise d.fail("outcome", "a finished record has one; another record has none (null)")
    return Record(
        id=0,
        trainee=d.text("trainee", MAX_NAME, "a name", optional=True) or "",
        scenario_id=sid,
        scenario_sha256=sha,
        scenario_text=text,
        seed=d.integer("seed", 0, MAX_SEED),
        app_version=v.text("siphon", MAX_SHORT, "a version", optional=True) or "",
        numpy_version=v.text("numpy", MAX_SHORT, "a version", optional=True) or "",
        mode=d.choice("mode", MODES, optional=True) or "import",
        status=status,
        started_at=d.time("started_at", optional=True) or "",
        ended_at=d.time("ended_at", optional=True),
        last_tick=d.integer("last_tick", 0, MAX_TICK + 1, optional=True) or 0,
        actions=actions,
        outcome=outcome,
        digest=d.hex64("digest", "a hex digest", optional=True),
        python_version=v.text("python", MAX_SHORT, "a version", optional=True) or "",
    )


def read_replay_file(path: str | os.PathLike) -> Record:
    """Read and check a replay file.

    Raises
    ------
    ReplayFileError
        One line: ``<file>[:line:col]: <what is wrong>`` (unreadable, too large, not strict
        JSON, not a replay, a bad field), control characters removed.
    """
    path = Path(path)
    try:
        return _read(path)
    except ReplayFileError as exc:
        raise ReplayFileError(printable(f"{path}: {exc}", 400)) from None


def _read(path: Path) -> Record:
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ReplayFileError("not a regular file; not a replay file")
            if st.st_size > MAX_BYTES:
                raise ReplayFileError(
                    f"{st.st_size >> 20} MB, larger than {MAX_BYTES >> 20} MB; not a replay file"
                )
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ReplayFileError(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise ReplayFileError(f"larger than {MAX_BYTES >> 20} MB; not a replay file")
    try:
        doc = loads(raw.decode("utf-8"), MAX_DEPTH)
    except UnicodeDecodeError:
        raise ReplayFileError("not a Siphon replay file (not UTF-8 text)") from None
    except StrictJsonError as exc:
        at = f"{exc.line}:{exc.col}: " if exc.line else ""
        raise ReplayFileError(f"{at}not a Siphon replay file ({exc.message})") from None
    return from_document(doc)
