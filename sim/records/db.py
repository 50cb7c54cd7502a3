"""Opening the record database safely: WAL, busy timeout, integrity check, schema, and moving
a damaged or newer file aside instead of ever writing into it.

:func:`open_database` returns a connection in autocommit mode; :func:`transaction` wraps one
write (``BEGIN IMMEDIATE`` takes the write lock up front, so a second process waits up to
:data:`BUSY_TIMEOUT_S` instead of failing halfway).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sim.records import schema

BUSY_TIMEOUT_S = 10.0  # another process holding the write lock is waited for this long
_SQLITE_MAGIC = b"SQLite format 3\x00"
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


class _Unreadable(Exception):
    pass


@contextlib.contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed as a whole, or rolled back on any exception."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _check_header(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:  # SQLite's own empty database
        return
    with open(path, "rb") as f:
        head = f.read(100)
    if len(head) < 100 or not head.startswith(_SQLITE_MAGIC):
        raise _Unreadable("not a SQLite database")


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        rows = con.execute("PRAGMA integrity_check").fetchall()  # before anything is written
        if rows != [("ok",)]:
            raise _Unreadable("integrity check: " + "; ".join(str(r[0]) for r in rows[:3]))
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")  # WAL: durable against process crashes
        con.execute("PRAGMA foreign_keys = ON")
        found = schema.current_version(con)
        if found is not None and found > schema.SCHEMA_VERSION:
            raise schema.NewerSchema(found)
        if found != schema.SCHEMA_VERSION:  # empty or older: create or migrate (checked again)
            with transaction(con):
                schema.prepare(con)
    except sqlite3.DatabaseError as exc:
        con.close()
        if type(exc) is sqlite3.DatabaseError or exc.sqlite_errorcode in _CORRUPT_CODES:
            raise _Unreadable(str(exc)) from None
        raise  # locked, read-only, disk full …: not the file's fault, never moved aside
    except ValueError as exc:  # a meta table that makes no sense
        con.close()
        raise _Unreadable(str(exc)) from None
    except BaseException:
        con.close()
        raise
    return con


def _move_aside(path: Path, tag: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.{tag}-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.{tag}-{stamp}-{n}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):  # a stale log must never be applied to the fresh file
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    return aside


def open_database(path: Path) -> tuple[sqlite3.Connection, str | None]:
    """Open (create, migrate) the database at ``path``.

    Returns
    -------
    (sqlite3.Connection, str or None)
        The connection, and a notice for the user when a damaged or newer file was renamed
        aside (``<name>.corrupt-YYYYmmdd-HHMMSS`` / ``<name>.newer-…``) and a fresh one started.

    Raises
    ------
    sqlite3.Error
        For problems that are not the file's (locked past the timeout, read-only folder).
    """
    notes: list[str] = []
    for _ in range(3):
        try:
            _check_header(path)
            con = _connect(path)
        except _Unreadable as exc:
            why = f"was unreadable ({exc})"
            aside = _move_aside(path, "corrupt")
        except schema.NewerSchema as exc:
            why = f"was written by a newer Siphon ({exc})"
            aside = _move_aside(path, "newer")
        else:
            return con, "\n".join(notes) or None
        notes.append(f"{path.name} {why}; moved to {aside.name}; a fresh one was started")
    raise RuntimeError(f"{path}: cannot start a record database")
