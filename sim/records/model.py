"""What a record is: the :class:`Record` and :class:`BoardEntry` rows, modes and statuses.

Plain data, no database: :mod:`.store` reads and writes them, :mod:`.exchange` moves them
between machines, :mod:`.history` summarises them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

MODES = ("cli", "window", "kiosk", "replay", "whatif", "import")
STATUSES = ("in_progress", "finished", "abandoned")


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
    its :func:`sim.records.digest.state_digest`. Times are UTC ISO 8601.
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

    @property
    def score(self) -> float | None:
        """The finished record's score (0–100), else ``None``."""
        return None if self.outcome is None else self.outcome.get("score")


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
