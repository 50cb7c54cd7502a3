"""What a record is: the :class:`Record` and :class:`BoardEntry` rows, modes and statuses.

Plain data, no database: :mod:`.store` reads and writes them, :mod:`.exchange` moves them
between machines, :mod:`.history` summarises them.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

MODES = ("cli", "window", "kiosk", "replay", "whatif", "import")
STATUSES = ("in_progress", "finished", "abandoned")
ID_CHARS = "a-z0-9_-"  # a scenario id: lower-case letters, digits, '_' and '-'
MAX_ID_LEN = 64
MAX_SEED = 2**63  # seeds are 0 <= seed < 2**63 (what the store's INTEGER column holds)
_ID = re.compile(f"[{ID_CHARS}]{{1,{MAX_ID_LEN}}}")
_NOT_ID = re.compile(f"[^{ID_CHARS}]+")
# C0 and C1 control characters, DEL, and the bidirectional overrides that reorder a line
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class RecordNotFound(KeyError):
    """No record with that id in this store."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "record not found"


@dataclass
class Record:
    """One stored procedure.

    ``actions`` are ``(tick, action dict)`` pairs in the plan-file form (``{kind: payload}``);
    ``last_tick`` is the latest heartbeat (the clock when the record was last synced);
    ``outcome`` the ``Outcome.to_dict()`` JSON of a finished record; ``digest``
    its :func:`sim.records.digest.state_digest`. Times are UTC ISO 8601. ``damage`` says what
    of a stored row could not be read (empty for a sound row; see :mod:`.rows`).
    """

    id: int
    trainee: str
    scenario_id: str
    scenario_sha256: str
    scenario_text: str
    seed: int
    app_version: str
    numpy_version: str
    mode: str
    status: str
    started_at: str
    ended_at: str | None
    last_tick: int
    actions: list[tuple[int, dict]] = field(default_factory=list)
    outcome: dict | None = None
    digest: str | None = None
    python_version: str = ""
    scenario_path: str | None = None
    host: str = ""
    pid: int | None = None
    heartbeat_at: float | None = None

    damage: str = ""

    @property
    def score(self) -> float | None:
        """The finished record's score (0–100), else ``None`` (also when it is unreadable)."""
        if not isinstance(self.outcome, dict):
            return None
        return score_value(self.outcome.get("score"))


def score_value(value: object) -> float | None:
    """``value`` as a score if it is one (a finite number in 0–100), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) and 0.0 <= value <= 100.0 else None


def is_scenario_id(text: object) -> bool:
    """Whether ``text`` is a scenario id: 1–64 of ``a-z 0-9 _ -`` (never a path)."""
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def slug_id(text: str) -> str:
    """``text`` made a scenario id: lower-cased, other characters as ``-``, cut to 64."""
    return _NOT_ID.sub("-", text.lower()).strip("-")[:MAX_ID_LEN] or "scenario"


def scenario_id_for(path: str | os.PathLike) -> str:
    """The scenario id of a case file: its stem as :func:`slug_id` makes it."""
    return slug_id(Path(path).stem)


def printable(text: object, limit: int | None = None) -> str:
    """``text`` safe to print: control characters (ANSI escapes, bidi overrides) removed.

    ``limit`` cuts it to that many characters (an ellipsis marks the cut).
    """
    s = _CONTROL.sub("", text if isinstance(text, str) else str(text))
    s = s.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate becomes '?'
    return s if limit is None or len(s) <= limit else s[: max(limit - 1, 0)] + "…"


@dataclass(frozen=True)
class BoardEntry:
    """One row of a leaderboard."""

    trainee: str
    score: float
    scenario_id: str
    record_id: int
    ended_at: str


def utc_now() -> str:
    """Now, UTC, ISO 8601 with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def pid_alive(pid: int | None) -> bool:
    """Whether process ``pid`` runs on this host (a zombie counts as gone).

    On Windows ``os.kill(pid, 0)`` would send Ctrl-C, so there every pid counts as alive and
    only the heartbeat's age (``STALE_AFTER_S`` in :mod:`.store`) marks a record abandoned.
    """
    if not pid or pid <= 0:
        return False
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    try:  # Linux: a killed child that was not yet reaped is a zombie
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
