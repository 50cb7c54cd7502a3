"""The record store: every procedure, its timed actions and its outcome, in one SQLite file.

``<data dir>/records.sqlite3`` in WAL mode with a busy timeout, so the window, the command line
and a kiosk can write at the same time. Every write is one transaction. A live procedure is
synced as it runs (:class:`LiveRecord`): new actions are written at once, the heartbeat (tick
and wall time) at most every :data:`SYNC_EVERY_S`, so a crash loses at most the last second;
the record then shows as *abandoned* and still replays up to its heartbeat.

A database that cannot be read (not SQLite, truncated, failing ``PRAGMA integrity_check``) or
that a newer Siphon wrote is never overwritten: it is renamed aside
(``records.sqlite3.corrupt-YYYYmmdd-HHMMSS`` / ``.newer-…``), :attr:`RecordStore.notice` says
so, and a fresh database is started (:mod:`.db`). Older layouts are migrated in place
(:mod:`.schema`). A store that cannot be used — read-only, full, locked, a folder in the file's
place — raises a one-line :class:`~sim.records.db.StoreError` on opening or on the write that
fails; ``read_only=True`` opens an existing store for reading where nothing can be written.
Rows are read without trusting them (:mod:`.rows`).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import socket
import sqlite3
import time
from pathlib import Path

import numpy as np

import sim
from sim.actions import to_dict
from sim.records.db import BUSY_TIMEOUT_S, StoreError, one_line_errors, open_database, writing
from sim.records.model import (
    MODES,
    STATUSES,
    BoardEntry,
    Record,
    RecordNotFound,
    pid_alive,
    scenario_id_for,
    utc_now,
)
from sim.records.paths import data_dir
from sim.records.rows import COLUMNS, action_from_column, record_from_row
from sim.records.schema import SCHEMA_VERSION

__all__ = [
    "BUSY_TIMEOUT_S",
    "DB_NAME",
    "MODES",
    "SCHEMA_VERSION",
    "STALE_AFTER_S",
    "STATUSES",
    "SYNC_EVERY_S",
    "BoardEntry",
    "LiveRecord",
    "Record",
    "RecordNotFound",
    "RecordStore",
    "StoreError",
]

DB_NAME = "records.sqlite3"
SYNC_EVERY_S = 0.5  # heartbeat throttle (wall clock): a crash loses at most ~1 s
STALE_AFTER_S = 30.0  # an in-progress record without a heartbeat for this long is abandoned


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class RecordStore:
    """The records of one data directory.

    Parameters
    ----------
    folder : str or PathLike, optional
        The data directory (``--data-dir``); default ``$SIPHON_DATA_DIR`` or the platform's.
    read_only : bool
        Open an existing store for reading only (nothing created, migrated or moved aside).

    Raises
    ------
    StoreError
        One line, when the store cannot be opened as asked.

    Attributes
    ----------
    path : Path
        The database file.
    notice : str or None
        Set when an unreadable or newer database was moved aside; show it to the user.
    """

    def __init__(self, folder: str | os.PathLike | None = None, read_only: bool = False) -> None:
        self.path = data_dir(folder, create=not read_only) / DB_NAME
        self.host = socket.gethostname()
        self.notice: str | None
        self._con, self.notice = open_database(self.path, read_only)

    def _writing(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction; a failing disk is a one-line :class:`StoreError`."""
        return writing(self._con, self.path)

    def close(self) -> None:
        """Close the database (records still live stay readable by other processes)."""
        self._con.close()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def begin(
        self,
        *,
        trainee: str,
        scenario_path: Path,
        seed: int,
        mode: str = "cli",
        scenario_text: str | None = None,
    ) -> LiveRecord:
        """Start recording a procedure (call before its first action).

        Parameters
        ----------
        trainee : str
            Who plays ('' if not known yet; see :meth:`set_trainee`).
        scenario_path : Path
            The case file; its stem gives the scenario id (:func:`~.model.scenario_id_for`),
            its bytes are hashed and stored.
        seed : int
            The procedure seed (``Procedure.seed``).
        mode : str
            One of :data:`MODES`.
        scenario_text : str, optional
            The case text if it is not (or no longer) the file's content.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (allowed: {', '.join(MODES)})")
        sp = Path(scenario_path)
        data = sp.read_bytes() if scenario_text is None else scenario_text.encode("utf-8")
        text = data.decode("utf-8")
        from hashlib import sha256

        with self._writing() as con:
            cur = con.execute(
                "INSERT INTO records (trainee, scenario_id, scenario_sha256, scenario_text, "
                "scenario_path, seed, mode, status, app_version, numpy_version, python_version, "
                "host, pid, started_at, last_tick, heartbeat_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?, 0, ?)",
                (
                    trainee,
                    scenario_id_for(sp),
                    sha256(data).hexdigest(),
                    text,
                    str(sp.resolve()),
                    int(seed),
                    mode,
                    sim.__version__,
                    np.__version__,
                    platform.python_version(),
                    self.host,
                    os.getpid(),
                    utc_now(),
                    time.time(),
                ),
            )
        return LiveRecord(self, int(cur.lastrowid))

    def add(self, rec: Record, mode: str = "import") -> int:
        """Store a complete record from elsewhere (an imported replay file); returns its id.

        An in-progress record is stored as abandoned (its process is not this one). The same
        record imported again is not stored twice: the id of the earlier copy is returned.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (allowed: {', '.join(MODES)})")
        status = "abandoned" if rec.status == "in_progress" else rec.status
        with one_line_errors(self.path, "read the records"):
            same = self._con.execute(
                "SELECT id FROM records WHERE mode = ? AND scenario_sha256 = ? AND seed = ? "
                "AND started_at = ? AND trainee = ? AND digest IS ?",
                (mode, rec.scenario_sha256, int(rec.seed), rec.started_at, rec.trainee, rec.digest),
            ).fetchone()
        if same is not None:
            return int(same[0])
        with self._writing() as con:
            cur = con.execute(
                "INSERT INTO records (trainee, scenario_id, scenario_sha256, scenario_text, "
                "scenario_path, seed, mode, status, app_version, numpy_version, python_version, "
                "host, pid, started_at, ended_at, last_tick, heartbeat_at, score, outcome, digest)"
                " VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, '', NULL, ?, ?, ?, NULL, ?, ?, ?)",
                (
                    rec.trainee,
                    rec.scenario_id,
                    rec.scenario_sha256,
                    rec.scenario_text,
                    int(rec.seed),
                    mode,
                    status,
                    rec.app_version,
                    rec.numpy_version,
                    rec.python_version,
                    rec.started_at,
                    rec.ended_at,
                    int(rec.last_tick),
                    rec.score,
                    None if rec.outcome is None else json.dumps(rec.outcome, ensure_ascii=False),
                    rec.digest,
                ),
            )
            rid = int(cur.lastrowid)
            con.executemany(
                "INSERT INTO actions (record_id, seq, tick, action) VALUES (?, ?, ?, ?)",
                [(rid, i, int(t), _dumps(a)) for i, (t, a) in enumerate(rec.actions)],
            )
        return rid

    def set_trainee(self, record_id: int, trainee: str) -> None:
        """Name the trainee of a record (a kiosk asks for initials after the game)."""
        with self._writing() as con:
            n = con.execute(
                "UPDATE records SET trainee = ? WHERE id = ?", (trainee, int(record_id))
            ).rowcount
        if n == 0:
            raise RecordNotFound(f"no record {record_id} in {self.path}")

    def reset_leaderboard(self, board: str = "kiosk") -> None:
        """Start ``board`` afresh from now on; the records themselves are kept."""
        with self._writing() as con:
            con.execute(
                "INSERT INTO board_resets (board, reset_at) VALUES (?, ?)", (board, utc_now())
            )

    # ------------------------------------------------------------------ reading
    def _records(self, where: str, params: tuple, actions: bool = True) -> list[Record]:
        with one_line_errors(self.path, "read the records"):
            return self._read(where, params, actions)

    def _read(self, where: str, params: tuple, with_actions: bool) -> list[Record]:
        con = self._con
        rows = con.execute(
            f"SELECT {COLUMNS} FROM records {where} ORDER BY started_at DESC, id DESC", params
        ).fetchall()
        acts: dict[object, list[tuple[int, dict]]] = {r[0]: [] for r in rows}
        broken: dict[object, str] = {}
        if rows and with_actions:
            for rid, tick, text in con.execute(
                f"SELECT record_id, tick, action FROM actions WHERE record_id IN "
                f"(SELECT id FROM records {where}) ORDER BY record_id, seq",
                params,
            ):
                t, action, problem = action_from_column(tick, text)
                if problem and rid not in broken:
                    broken[rid] = f"action {len(acts.get(rid, []))} is {problem}"
                acts.setdefault(rid, []).append((t, action))
        now = time.time()
        out = []
        for r in rows:
            rec = record_from_row(r, acts[r[0]], broken.get(r[0], ""))
            beat = rec.heartbeat_at
            if rec.status == "in_progress" and (
                beat is None
                or now - beat > STALE_AFTER_S
                or (rec.host == self.host and not pid_alive(rec.pid))
            ):
                rec.status = "abandoned"
            out.append(rec)
        return out

    def get(self, record_id: int) -> Record:
        """One record by id.

        Raises
        ------
        RecordNotFound
            (a ``KeyError``) if there is no such record.
        """
        found = self._records("WHERE id = ?", (int(record_id),))
        if not found:
            raise RecordNotFound(f"no record {record_id} in {self.path}")
        return found[0]

    def list(
        self, trainee: str | None = None, mode: str | None = None, actions: bool = True
    ) -> list[Record]:
        """Records, newest first, optionally of one trainee and/or mode.

        In-progress records whose process is gone (not alive on this host, or silent for
        :data:`STALE_AFTER_S`) are reported as ``abandoned``. ``actions=False`` leaves every
        record's actions empty (a listing needs none, and they are most of a store).
        """
        cond, params = [], []
        if trainee is not None:
            cond.append("trainee = ?")
            params.append(trainee)
        if mode is not None:
            cond.append("mode = ?")
            params.append(mode)
        where = ("WHERE " + " AND ".join(cond)) if cond else ""
        return self._records(where, tuple(params), actions)

    def leaderboard(
        self, scenario_id: str | None = None, board: str = "kiosk", limit: int = 10
    ) -> list[BoardEntry]:
        """Best finished scores of records made in mode ``board`` since its last reset.

        One row per record, best first (ties: earlier first); ``scenario_id`` None ranks all
        cases together. A row whose score is not a number in 0–100 is left off.
        """
        with one_line_errors(self.path, "read the leaderboard"):
            rows = self._con.execute(
                "SELECT CAST(trainee AS TEXT), score, CAST(scenario_id AS TEXT), id, "
                "CAST(ended_at AS TEXT) FROM records "
                "WHERE mode = ? AND status = 'finished' AND typeof(score) IN ('real', 'integer') "
                "AND score BETWEEN 0 AND 100 AND typeof(id) = 'integer' "
                "AND (? IS NULL OR scenario_id = ?) AND ended_at > COALESCE("
                "(SELECT MAX(reset_at) FROM board_resets WHERE board = ?), '') "
                "ORDER BY score DESC, ended_at ASC, id ASC LIMIT ?",
                (board, scenario_id, scenario_id, board, int(limit)),
            ).fetchall()
        return [BoardEntry(t or "", float(s), sid or "", i, e or "") for t, s, sid, i, e in rows]


class LiveRecord:
    """The record of a procedure in progress (from :meth:`RecordStore.begin`).

    Call :meth:`sync` as the procedure runs (every frame, or from ``Procedure.observers``),
    then :meth:`finish` or :meth:`abandon`.
    """

    def __init__(self, store: RecordStore, record_id: int) -> None:
        self.store = store
        self.id = record_id
        self._written = 0
        self._last = time.monotonic()

    def _write(self, proc, extra: str = "", params: tuple = ()) -> None:
        log = proc.log
        new = [
            (self.id, seq, int(t), _dumps(to_dict(a)))
            for seq, (t, a) in enumerate(log[self._written :], start=self._written)
        ]
        with self.store._writing() as con:
            if new:
                con.executemany(
                    "INSERT INTO actions (record_id, seq, tick, action) VALUES (?, ?, ?, ?)", new
                )
            con.execute(
                f"UPDATE records SET last_tick = ?, heartbeat_at = ?{extra} WHERE id = ?",
                (int(proc.tick), time.time(), *params, self.id),
            )
        self._written += len(new)
        self._last = time.monotonic()

    def sync(self, proc, force: bool = False) -> None:
        """Write actions not yet written and a heartbeat, in one transaction.

        New actions are written at once; otherwise the heartbeat is throttled to one write per
        :data:`SYNC_EVERY_S` of wall time unless ``force``. Reading ``proc`` changes nothing.
        """
        if force or len(proc.log) > self._written or time.monotonic() - self._last >= SYNC_EVERY_S:
            self._write(proc)

    def finish(self, proc, outcome: dict) -> None:
        """Final sync, outcome, score, digest of the final state; status ``finished``."""
        from sim.records.digest import state_digest

        self._write(
            proc,
            ", status = 'finished', ended_at = ?, outcome = ?, score = ?, digest = ?",
            (
                utc_now(),
                json.dumps(outcome, ensure_ascii=False),
                outcome.get("score"),
                state_digest(proc, outcome),
            ),
        )

    def abandon(self, proc) -> None:
        """Final sync; status ``abandoned`` (the case was left unfinished)."""
        self._write(proc, ", status = 'abandoned', ended_at = ?", (utc_now(),))
