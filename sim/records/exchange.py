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

Reading never trusts the file: every field is checked and the first problem is raised as one
line (:class:`ReplayFileError`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from sim.records.paths import write_atomic
from sim.records.store import STATUSES, Record
from sim.scenario.plan import ActionFormError, action_from_dict

FORMAT = "siphon-replay"
FORMAT_VERSION = 1
SUFFIX = ".siphon.json"
MAX_BYTES = 64 * 1024 * 1024  # a replay file is a few hundred kB; refuse anything absurd


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
            "id": record.scenario_id,
            "title": scenario_title(record.scenario_text),
            "sha256": record.scenario_sha256,
            "text": record.scenario_text,
        },
        "seed": record.seed,
        "trainee": record.trainee,
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


def _need(doc: dict, key: str, types: type | tuple, what: str, optional: bool = False):
    if key not in doc:
        if optional:
            return None
        raise ReplayFileError(f"missing field '{key}'")
    v = doc[key]
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, types):
        raise ReplayFileError(f"field '{key}': expected {what}")
    return v


def from_document(doc: object) -> Record:
    """Check a parsed replay document and turn it into a :class:`Record` (``id`` 0).

    Raises
    ------
    ReplayFileError
        Naming the first field that is missing, of the wrong type or inconsistent.
    """
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ReplayFileError(f'not a Siphon replay file (no "format": "{FORMAT}")')
    version = _need(doc, "format_version", int, "an integer")
    if version > FORMAT_VERSION:
        raise ReplayFileError(
            f"written by a newer Siphon (format version {version}; this one reads {FORMAT_VERSION})"
        )
    if version < 1:
        raise ReplayFileError(f"field 'format_version': {version} is not a valid version")
    sc = _need(doc, "scenario", dict, "an object")
    text = _need(sc, "text", str, "the scenario text")
    sha = _need(sc, "sha256", str, "a hex sha256")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha:
        raise ReplayFileError("scenario text does not match its sha256 (was the file edited?)")
    status = _need(doc, "status", str, "a status")
    if status not in STATUSES:
        raise ReplayFileError(f"field 'status': '{status}' (allowed: {', '.join(STATUSES)})")
    versions = _need(doc, "versions", dict, "an object")
    actions = []
    for i, item in enumerate(_need(doc, "actions", list, "a list")):
        if not isinstance(item, dict) or not isinstance(item.get("tick"), int):
            raise ReplayFileError(f'actions[{i}]: expected {{"tick": int, "action": ...}}')
        try:
            action_from_dict(item.get("action"))
        except ActionFormError as exc:
            raise ReplayFileError(f"actions[{i}]: {exc}") from None
        actions.append((item["tick"], item["action"]))
    outcome = _need(doc, "outcome", dict, "an object or null", optional=True)
    if status == "finished" and outcome is None:
        raise ReplayFileError("a finished record without its outcome")
    return Record(
        id=0,
        trainee=_need(doc, "trainee", str, "a name", optional=True) or "",
        scenario_id=_need(sc, "id", str, "a scenario id", optional=True) or "scenario",
        scenario_sha256=sha,
        scenario_text=text,
        seed=_need(doc, "seed", int, "an integer"),
        app_version=str(versions.get("siphon") or ""),
        numpy_version=str(versions.get("numpy") or ""),
        mode=_need(doc, "mode", str, "a mode", optional=True) or "import",
        status=status,
        started_at=_need(doc, "started_at", str, "a time", optional=True) or "",
        ended_at=_need(doc, "ended_at", str, "a time", optional=True),
        last_tick=_need(doc, "last_tick", int, "an integer", optional=True) or 0,
        actions=actions,
        outcome=outcome,
        digest=_need(doc, "digest", str, "a hex digest", optional=True),
        python_version=str(versions.get("python") or ""),
    )


def read_replay_file(path: str | os.PathLike) -> Record:
    """Read and check a replay file.

    Raises
    ------
    ReplayFileError
        One line: ``<file>: <what is wrong>`` (unreadable, not JSON, not a replay, bad field).
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ReplayFileError(f"{path}: larger than {MAX_BYTES >> 20} MB; not a replay file")
        raw = path.read_bytes()
    except OSError as exc:
        raise ReplayFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ReplayFileError(f"{path}: not a Siphon replay file (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ReplayFileError(
            f"{path}:{exc.lineno}:{exc.colno}: not a Siphon replay file (bad JSON: {exc.msg})"
        ) from None
    try:
        return from_document(doc)
    except ReplayFileError as exc:
        raise ReplayFileError(f"{path}: {exc}") from None
