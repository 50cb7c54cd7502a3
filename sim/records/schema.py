"""The record database's layout, its version number, and migrations from older layouts.

The version lives in the ``meta`` table (``key = 'schema_version'``). :func:`prepare` runs
inside the opening transaction: it creates an empty database, migrates an older one in place,
one version at a time (``MIGRATIONS[v]`` takes a database from version ``v`` to ``v + 1``), and
refuses a newer one with :class:`NewerSchema` (the store then moves that file aside: an older
Siphon never writes into a newer database).

Version 0 is the prototype layout (one ``records`` table, actions as one JSON column, no
``meta`` table, no scenario text). No release wrote it; it exists so the migration path is real
and tested before the first layout change that matters.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 1

V1_TABLES = (
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS records (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        trainee TEXT NOT NULL DEFAULT '',
        scenario_id TEXT NOT NULL,
        scenario_sha256 TEXT NOT NULL DEFAULT '',
        scenario_text TEXT NOT NULL DEFAULT '',
        scenario_path TEXT,
        seed INTEGER NOT NULL,
        mode TEXT NOT NULL,
        status TEXT NOT NULL,
        app_version TEXT NOT NULL DEFAULT '',
        numpy_version TEXT NOT NULL DEFAULT '',
        python_version TEXT NOT NULL DEFAULT '',
        host TEXT NOT NULL DEFAULT '',
        pid INTEGER,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        last_tick INTEGER NOT NULL DEFAULT 0,
        heartbeat_at REAL,
        score REAL,
        outcome TEXT,
        digest TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS actions (
        record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        tick INTEGER NOT NULL,
        action TEXT NOT NULL,
        PRIMARY KEY (record_id, seq)
    )""",
    """CREATE TABLE IF NOT EXISTS board_resets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        board TEXT NOT NULL,
        reset_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS records_trainee ON records (trainee)",
    "CREATE INDEX IF NOT EXISTS records_board ON records (mode, status, scenario_id, score)",
)


class NewerSchema(Exception):
    """The database was written by a newer Siphon (``version`` > :data:`SCHEMA_VERSION`)."""

    def __init__(self, version: int) -> None:
        super().__init__(f"schema {version}, this Siphon reads up to {SCHEMA_VERSION}")
        self.version = version


def _tables(con: sqlite3.Connection) -> set[str]:
    rows = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def current_version(con: sqlite3.Connection) -> int | None:
    """The schema version of an open database; ``None`` for an empty one.

    Raises
    ------
    ValueError
        If the ``meta`` table holds something that is not a version number.
    """
    tables = _tables(con)
    if "meta" in tables:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            raise ValueError("meta table without schema_version")
        try:
            version = int(str(row[0]).strip())
        except ValueError:
            raise ValueError(f"schema version {str(row[0])[:20]!r} is not a number") from None
        if version < 1:  # 0 is the prototype, which had no meta table: nothing wrote this
            raise ValueError(f"unknown schema version {version}")
        return version
    if "records" in tables:
        return 0
    return None


@functools.cache
def _layout() -> dict[str, frozenset[str]]:
    """The columns of every table of the current layout (read from a scratch database)."""
    con = sqlite3.connect(":memory:")
    try:
        _create_v1(con)
        return {t: _columns(con, t) for t in _tables(con) if not t.startswith("sqlite_")}
    finally:
        con.close()


def _columns(con: sqlite3.Connection, table: str) -> frozenset[str]:
    return frozenset(r[1] for r in con.execute(f"PRAGMA table_info('{table}')"))


def check_layout(con: sqlite3.Connection) -> None:
    """Check that a current-version database has every table and column this Siphon uses.

    Raises
    ------
    ValueError
        Naming the first missing table or column (the store then moves the file aside).
    """
    for table, want in sorted(_layout().items()):
        have = _columns(con, table)
        if not have:
            raise ValueError(f"table '{table}' is missing")
        if missing := sorted(want - have):
            raise ValueError(f"table '{table}' has no column '{missing[0]}'")


def _create_v1(con: sqlite3.Connection) -> None:
    for sql in V1_TABLES:
        con.execute(sql)


def _set_version(con: sqlite3.Connection, version: int) -> None:
    con.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(version),),
    )


def _v0_to_v1(con: sqlite3.Connection) -> None:
    """Prototype → v1: one row per action, explicit status, board resets, a ``meta`` table.

    The prototype kept no scenario text and no versions; migrated rows keep those fields empty
    (replaying them says so) and take mode ``cli``. A finished prototype row has an outcome.
    """
    con.execute("ALTER TABLE records RENAME TO records_v0")
    _create_v1(con)
    rows = con.execute(
        "SELECT id, trainee, scenario, seed, started, finished, actions, outcome FROM records_v0"
    ).fetchall()
    for rid, trainee, scenario, seed, started, finished, actions, outcome in rows:
        acts = json.loads(actions or "[]")
        out = json.loads(outcome) if outcome else None
        con.execute(
            "INSERT INTO records (id, trainee, scenario_id, seed, mode, status, started_at, "
            "ended_at, last_tick, score, outcome) VALUES (?, ?, ?, ?, 'cli', ?, ?, ?, ?, ?, ?)",
            (
                rid,
                trainee or "",
                scenario or "",
                int(seed or 0),
                "finished" if out is not None else "abandoned",
                started or "",
                finished,
                max((int(t) for t, _ in acts), default=0),
                out.get("score") if out else None,
                outcome if out is not None else None,
            ),
        )
        con.executemany(
            "INSERT INTO actions (record_id, seq, tick, action) VALUES (?, ?, ?, ?)",
            [(rid, i, int(t), json.dumps(a)) for i, (t, a) in enumerate(acts)],
        )
    con.execute("DROP TABLE records_v0")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _v0_to_v1}


def prepare(con: sqlite3.Connection) -> int | None:
    """Bring an open database to :data:`SCHEMA_VERSION` (call inside a write transaction).

    Returns
    -------
    int or None
        The version found before (``None``: the database was empty and has been created).

    Raises
    ------
    NewerSchema
        If the database is newer than this Siphon; nothing is written.
    """
    found = current_version(con)
    if found is None:
        _create_v1(con)
        _set_version(con, SCHEMA_VERSION)
        return None
    if found > SCHEMA_VERSION:
        raise NewerSchema(found)
    v = found
    while v < SCHEMA_VERSION:
        MIGRATIONS[v](con)
        v += 1
        _set_version(con, v)
    return found
