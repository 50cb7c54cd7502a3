"""Opening the record database safely: WAL, busy timeout, integrity check, schema and layout,
and moving a damaged or newer file aside instead of ever writing into it.

:func:`open_database` returns a connection in autocommit mode; :func:`transaction` wraps one
write (``BEGIN IMMEDIATE`` takes the write lock up front, so a second process waits up to
:data:`BUSY_TIMEOUT_S` instead of failing halfway). Whatever is not the file's fault — a
read-only folder or file, a full disk, a lock held too long, a folder or a dangling link where
the file should be — is a one-line :class:`StoreError`; nothing is moved or written then.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sim.records import schema
from sim.records.paths import DataDirError

BUSY_TIMEOUT_S = 10.0  # another process holding the write lock is waited for this long
_SQLITE_MAGIC = b"SQLite format 3\x00"
# Errors that are the machine's, not the file's: PERM, BUSY, LOCKED, NOMEM, READONLY, IOERR,
# FULL, CANTOPEN, PROTOCOL, AUTH. Any other error while opening (SQLITE_CORRUPT, NOTADB, or
# our own queries failing: "no such column") means the file is not what its version promises.
_NOT_THE_FILE = {3, 5, 6, 7, 8, 10, 13, 14, 15, 23}


class _Unreadable(Exception):
    pass


class StoreError(DataDirError, sqlite3.OperationalError):
    """The record database cannot be used as asked, through no fault of its content; one line.

    A read-only folder or file, a full disk, a lock held past the timeout, a folder or a
    dangling link in the file's place, a damaged file that cannot be moved aside. It is a
    :class:`~sim.records.paths.DataDirError` (the command line prints it and exits 2) and a
    ``sqlite3.OperationalError`` (what callers caught before it existed).
    """


@contextlib.contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed as a whole, or rolled back on any exception."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise


@contextlib.contextmanager
def one_line_errors(path: Path, doing: str) -> Iterator[None]:
    """Turn a database error inside the block into a :class:`StoreError` naming ``path``."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"{path}: cannot {doing}: {exc}") from None


@contextlib.contextmanager
def writing(con: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    """:func:`transaction`, its failures (full disk, read-only file …) as a :class:`StoreError`."""
    with one_line_errors(path, "write the records"), transaction(con):
        yield con


def _text(raw: bytes) -> str:
    """A TEXT value; bytes that are not UTF-8 (bit-rot) read as U+FFFD instead of failing."""
    return raw.decode("utf-8", "replace")


def _check_place(path: Path) -> None:
    """Refuse what is not a regular file (or nothing) where the database should be."""
    if path.is_symlink() and not path.exists():
        raise StoreError(
            f"{path}: is a link to {os.readlink(path)}, which does not exist; "
            "remove the link or give another --data-dir"
        )
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a record database; move it away")
    if path.exists() and not path.is_file():
        raise StoreError(f"{path}: is not a regular file; move it away")


def _check_header(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:  # SQLite's own empty database
        return
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(head) < 100 or not head.startswith(_SQLITE_MAGIC):
        raise _Unreadable("not a SQLite database")


def _open(path: Path, read_only: bool) -> sqlite3.Connection:
    if not read_only:
        return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    if not path.exists():
        raise StoreError(f"{path}: no record database here yet")
    uri = path.resolve().as_uri()
    con = sqlite3.connect(f"{uri}?mode=ro", BUSY_TIMEOUT_S, uri=True, isolation_level=None)
    try:  # a WAL file needs its -shm beside it, or an immutable open in a read-only folder
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con
    except sqlite3.OperationalError:
        con.close()
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)


def _prepare(con: sqlite3.Connection, path: Path, read_only: bool) -> None:
    """Check, then set up, create or migrate an open database (nothing written if damaged)."""
    con.text_factory = _text
    con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    rows = con.execute("PRAGMA integrity_check").fetchall()  # before anything is written
    if rows != [("ok",)]:
        raise _Unreadable("integrity check: " + "; ".join(str(r[0]) for r in rows[:3]))
    if not read_only:
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")  # WAL: durable against process crashes
        con.execute("PRAGMA foreign_keys = ON")
    found = schema.current_version(con)
    if found is not None and found > schema.SCHEMA_VERSION:
        raise schema.NewerSchema(found)
    if found != schema.SCHEMA_VERSION:  # empty or older: create or migrate (checked again)
        if read_only:
            raise StoreError(
                f"{path}: needs to be set up or migrated (layout "
                f"{'none' if found is None else found}), which a read-only store cannot do"
            )
        with transaction(con):
            schema.prepare(con)
    schema.check_layout(con)


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    try:
        con = _open(path, read_only)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open the record database: {exc}") from None
    try:
        _prepare(con, path, read_only)
    except sqlite3.DatabaseError as exc:
        con.close()
        if isinstance(exc, StoreError):
            raise
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None or (code & 0xFF) not in _NOT_THE_FILE:
            raise _Unreadable(str(exc)) from None
        # locked, read-only, disk full …: not the file's fault, never moved aside
        raise StoreError(f"{path}: cannot open the record database: {exc}") from None
    except (ValueError, TypeError) as exc:  # a meta table, a layout or rows that make no sense
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


def open_database(path: Path, read_only: bool = False) -> tuple[sqlite3.Connection, str | None]:
    """Open (create, migrate) the database at ``path``.

    ``read_only`` opens an existing, current database for reading only: nothing is created,
    migrated or moved aside (a damaged, older or newer file is a :class:`StoreError` then).

    Returns
    -------
    (sqlite3.Connection, str or None)
        The connection, and a notice for the user when a damaged or newer file was renamed
        aside (``<name>.corrupt-YYYYmmdd-HHMMSS`` / ``<name>.newer-…``) and a fresh one started.

    Raises
    ------
    StoreError
        For problems that are not the file's (locked past the timeout, read-only folder or
        file, full disk, a folder or dangling link in its place), and for a damaged file that
        cannot be moved aside (or may not be: ``read_only``).
    """
    notes: list[str] = []
    for _ in range(3):
        try:
            _check_place(path)
            _check_header(path)
            con = _connect(path, read_only)
        except _Unreadable as exc:
            why, tag = f"unreadable ({exc})", "corrupt"
        except schema.NewerSchema as exc:
            why, tag = f"written by a newer Siphon ({exc})", "newer"
        else:
            return con, "\n".join(notes) or None
        if read_only:
            raise StoreError(f"{path}: is {why}")
        try:
            aside = _move_aside(path, tag)
        except OSError as exc:
            raise StoreError(
                f"{path}: is {why} and cannot be moved aside: {exc.strerror or exc}"
            ) from None
        notes.append(f"{path.name} was {why}; moved to {aside.name}; a fresh one was started")
    raise StoreError(f"{path}: cannot start a record database")
