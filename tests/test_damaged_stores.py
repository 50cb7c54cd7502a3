"""Damaged and unusual data folders: one clear line (exit 2 on the command line), never a
traceback, never a write into a damaged store, never a stored byte lost.

The tests run as root on the build machine, where ``chmod`` cannot make a file read-only, so a
read-only file or folder is given to SQLite the way SQLite itself meets one: the file opened
``mode=ro`` (writes then fail with SQLITE_READONLY), a folder where nothing can be created
(SQLITE_CANTOPEN). A full disk is SQLite's own: ``PRAGMA max_page_count`` at the current size.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from helpers import SCENARIOS

from sim.app.cli import main
from sim.records import DB_NAME, Record, RecordStore
from sim.records import db as dbmod
from sim.records.db import StoreError

QUICK = SCENARIOS / "workshop_quick.yaml"
ANSI = "\x1b[31mEVIL\x1b[0m\x07"


def _record(trainee: str = "AB", score: float = 70.0, case: str = "workshop_quick") -> Record:
    return Record(
        id=0,
        trainee=trainee,
        scenario_id=case,
        scenario_sha256="",
        scenario_text="title: A case\n",
        seed=1,
        app_version="",
        numpy_version="",
        mode="cli",
        status="finished",
        started_at="2026-01-01T10:00:00+00:00",
        ended_at="2026-01-01T10:05:00+00:00",
        last_tick=0,
        actions=[(0, {"navigate": "RHA"})],
        outcome={"score": score, "non_target": {}},
    )


def _store_with_records(folder: Path) -> bytes:
    with RecordStore(folder) as store:
        store.add(_record("AB", 70.0))
        store.add(_record("CD", 90.0))
    return (folder / DB_NAME).read_bytes()


def _one_line(capsys, *needles: str) -> str:
    cap = capsys.readouterr()
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1, cap.err
    assert "Traceback" not in cap.err and "\x1b" not in cap.err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------- rows a store can hold
def _poke(folder: Path, sql: str, params: tuple = ()) -> None:
    con = sqlite3.connect(folder / DB_NAME)
    with con:
        con.execute(sql, params)
    con.close()


BAD_ROWS = {
    "text score": ("'import'", '\'{"score": "high"}\'', "'high'"),
    "NaN score": ("'import'", "'{\"score\": NaN}'", "NULL"),
    "huge score": ("'import'", "'{\"score\": 1e308}'", "1e308"),
    "garbage outcome": ("'import'", "'{garbage'", "NULL"),
    "outcome not an object": ("'import'", "'[1, 2]'", "NULL"),
    "bit-rot in a text column": ("CAST(x'6b696fff' AS TEXT)", "NULL", "NULL"),
}


@pytest.mark.parametrize("name", sorted(BAD_ROWS))
def test_history_survives_any_row_a_store_can_hold(tmp_path, capsys, name):
    _store_with_records(tmp_path)
    mode, outcome, score = BAD_ROWS[name]
    _poke(
        tmp_path,
        "INSERT INTO records (trainee, scenario_id, seed, mode, status, started_at, score, "
        f"outcome) VALUES ('EF', 'rotten', 99999999999, {mode}, 'finished', "
        f"'2026-02-01T00:00:00+00:00', {score}, {outcome})",
    )
    with sqlite3.connect(tmp_path / DB_NAME) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()
    assert main(["history", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    (row,) = [line for line in out.splitlines() if "rotten" in line and "finished" in line]
    assert row.rstrip().endswith("unreadable"), row
    assert "best  90.0" in out and "best  70.0" in out  # the sound rows are untouched
    assert main(["history", "--json", "--data-dir", str(tmp_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    (bad,) = [r for r in doc["records"] if r["case"] == "rotten"]
    assert bad["score"] is None and bad["problem"]
    assert all("problem" not in r for r in doc["records"] if r["case"] != "rotten")
    ef = [t for t in doc["trainees"] if t["trainee"] == "EF"][0]
    assert ef["cases"][0]["best"] is None and ef["cases"][0]["finished"] == 0
    # a damaged row is not replayed, and it never reaches a leaderboard
    assert main(["replay", str(bad["id"]), "--data-dir", str(tmp_path)]) == 2
    _one_line(capsys, f"record {bad['id']} is damaged in the store (")
    out = tmp_path / "x.siphon.json"
    assert main(["export-replay", str(bad["id"]), "-o", str(out), "--data-dir", str(tmp_path)]) == 2
    _one_line(capsys, "is damaged in the store (", "not exported")
    assert not out.exists()
    with RecordStore(tmp_path) as store:
        assert [e.score for e in store.leaderboard(board="import")] == [90.0, 70.0]


def test_damaged_actions_and_numbers_are_named_not_fatal(tmp_path, capsys):
    _store_with_records(tmp_path)
    _poke(tmp_path, "UPDATE actions SET action = '{not json' WHERE record_id = 1")
    _poke(tmp_path, "UPDATE records SET last_tick = 'soon', pid = 'x' WHERE id = 2")
    with RecordStore(tmp_path) as store:
        one, two = store.get(1), store.get(2)
    assert "action 0 is an action that is not JSON" in one.damage
    assert "last_tick is not an integer" in two.damage and "pid is not an integer" in two.damage
    assert main(["replay", "1", "--data-dir", str(tmp_path)]) == 2
    _one_line(capsys, "record 1 is damaged in the store (action 0")


def test_control_characters_never_reach_the_terminal(tmp_path, capsys):
    with RecordStore(tmp_path) as store:
        store.add(_record(ANSI + "\u202eevil", 80.0))
    for args in (["history"], ["history", "--json"]):
        assert main([*args, "--data-dir", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert "EVIL" in out
        assert not any(c in out for c in ("\x1b", "\x07", "\u202e")), repr(out)


# ---------------------------------------------------------------------- damaged layouts
@pytest.mark.parametrize("version", ["0", "-1", "one", ""])
def test_unknown_schema_version_is_moved_aside_like_a_corrupt_file(tmp_path, version):
    _store_with_records(tmp_path)
    _poke(tmp_path, "UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    before = (tmp_path / DB_NAME).read_bytes()
    store = RecordStore(tmp_path)
    assert store.notice and "was unreadable (" in store.notice
    (aside,) = tmp_path.glob(f"{DB_NAME}.corrupt-*")
    assert aside.read_bytes() == before, "kept byte for byte"
    assert store.list() == []
    store.close()


@pytest.mark.parametrize(
    "damage, why",
    [
        ("DROP TABLE actions", "table 'actions' is missing"),
        ("DROP TABLE board_resets", "table 'board_resets' is missing"),
        ("ALTER TABLE records DROP COLUMN score", "table 'records' has no column 'score'"),
    ],
)
def test_missing_table_or_column_is_moved_aside_before_any_write(tmp_path, capsys, damage, why):
    _store_with_records(tmp_path)
    _poke(tmp_path, "DROP INDEX IF EXISTS records_board")
    _poke(tmp_path, damage)
    before = (tmp_path / DB_NAME).read_bytes()
    assert main(["run", str(QUICK), "--data-dir", str(tmp_path), "--trainee", "GH"]) == 0
    err = capsys.readouterr().err
    assert why in err and "a fresh one was started" in err and "saved record 1" in err
    (aside,) = tmp_path.glob(f"{DB_NAME}.corrupt-*")
    assert aside.read_bytes() == before, "nothing, not even an in-progress row, was written"
    with RecordStore(tmp_path) as store:
        assert [(r.trainee, r.status) for r in store.list()] == [("GH", "finished")]


def test_a_damaged_store_that_cannot_be_moved_aside_is_one_line(tmp_path, capsys, monkeypatch):
    _store_with_records(tmp_path)
    _poke(tmp_path, "DROP TABLE actions")
    before = _sha(tmp_path / DB_NAME)

    def refuse(path, tag):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(dbmod, "_move_aside", refuse)
    assert main(["history", "--data-dir", str(tmp_path)]) == 2
    _one_line(capsys, "table 'actions' is missing", "cannot be moved aside: Permission denied")
    assert _sha(tmp_path / DB_NAME) == before


# ---------------------------------------------------------------------- odd places
def test_a_folder_in_the_database_place_is_one_line_and_left_alone(tmp_path, capsys):
    (tmp_path / DB_NAME).mkdir()
    (tmp_path / DB_NAME / "keep.txt").write_text("mine")
    for cmd in (["history"], ["run", str(QUICK)], ["replay", "1"]):
        assert main([*cmd, "--data-dir", str(tmp_path)]) == 2
        _one_line(capsys, DB_NAME, "is a folder, not a record database")
    assert (tmp_path / DB_NAME / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME]


def test_a_dangling_link_in_the_database_place_is_one_line_and_not_followed(tmp_path, capsys):
    target = tmp_path / "elsewhere" / "db.sqlite3"
    (tmp_path / DB_NAME).symlink_to(target)
    for cmd in (["history"], ["run", str(QUICK)], ["import-replay", str(QUICK)]):
        assert main([*cmd, "--data-dir", str(tmp_path)]) == 2
        capsys.readouterr()
    assert main(["history", "--data-dir", str(tmp_path)]) == 2
    _one_line(capsys, "is a link to", "which does not exist")
    assert not target.parent.exists(), "nothing created where the link points"


# ---------------------------------------------------------------------- read-only, full
@pytest.fixture
def read_only_file(tmp_path, monkeypatch) -> str:
    """A store with two records, which SQLite then meets as a file it may not write: every
    read-write open is made ``mode=ro``. Returns the file's sha256."""
    _store_with_records(tmp_path)
    real = sqlite3.connect

    def connect(database, *args, **kw):
        if isinstance(database, Path):
            return real(f"{database.resolve().as_uri()}?mode=ro", *args, uri=True, **kw)
        return real(database, *args, **kw)

    monkeypatch.setattr(dbmod.sqlite3, "connect", connect)
    return _sha(tmp_path / DB_NAME)


@pytest.fixture
def read_only_folder(tmp_path, monkeypatch) -> str:
    """A store with two records in a folder where SQLite can create nothing: a read-write
    open cannot open. Returns the file's sha256."""
    _store_with_records(tmp_path)
    real = sqlite3.connect

    def connect(database, *args, **kw):
        if isinstance(database, Path):
            exc = sqlite3.OperationalError("unable to open database file")
            exc.sqlite_errorcode, exc.sqlite_errorname = 14, "SQLITE_CANTOPEN"
            raise exc
        return real(database, *args, **kw)

    monkeypatch.setattr(dbmod.sqlite3, "connect", connect)
    return _sha(tmp_path / DB_NAME)


def test_read_only_file_history_reads_and_run_says_one_line(tmp_path, capsys, read_only_file):
    assert main(["history", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "AB" in out and "CD" in out
    assert main(["run", str(QUICK), "--data-dir", str(tmp_path)]) == 2
    _one_line(capsys, DB_NAME, "cannot write the records: attempt to write a readonly database")
    assert _sha(tmp_path / DB_NAME) == read_only_file


def test_read_only_folder_history_reads_read_only_and_writes_say_one_line(
    tmp_path, capsys, read_only_folder
):
    assert main(["history", "--data-dir", str(tmp_path)]) == 0
    cap = capsys.readouterr()
    assert "AB" in cap.out and "CD" in cap.out
    assert cap.err.startswith("notice: reading the records read-only (")
    assert main(["history", "--json", "--data-dir", str(tmp_path)]) == 0
    assert len(json.loads(capsys.readouterr().out)["records"]) == 2  # stdout stays JSON
    assert main(["run", str(QUICK), "--data-dir", str(tmp_path)]) == 2
    _one_line(capsys, "cannot open the record database: unable to open database file")
    assert _sha(tmp_path / DB_NAME) == read_only_folder
    names = {p.name for p in tmp_path.iterdir()}  # (a real read-only folder: not even -shm)
    assert names <= {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"}


def test_read_only_open_refuses_what_it_would_have_to_write(tmp_path):
    with pytest.raises(StoreError, match="no record database here yet"):
        RecordStore(tmp_path / "none", read_only=True)
    assert not (tmp_path / "none").exists(), "a reader creates no folder"
    _store_with_records(tmp_path)
    _poke(tmp_path, "DROP TABLE actions")
    with pytest.raises(StoreError, match="table 'actions' is missing"):
        RecordStore(tmp_path, read_only=True)
    assert not list(tmp_path.glob("*.corrupt-*")), "a reader moves nothing aside"


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """A store with two records; every open of it finds it as full as SQLite lets it be
    (``max_page_count`` = its size in pages)."""
    _store_with_records(tmp_path)
    real = dbmod._prepare

    def prepare(con, path, read_only):
        real(con, path, read_only)
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(dbmod, "_prepare", prepare)


def test_full_disk_is_a_one_line_store_error_and_loses_nothing(tmp_path, full_disk):
    with RecordStore(tmp_path) as store:
        with pytest.raises(StoreError, match="cannot write the records: database or disk is full"):
            for i in range(20):  # 20 kB each: the first needs pages there is no room for
                store.add(_filler(i))
        assert sorted(r.trainee for r in store.list()) == ["AB", "CD"]


def test_full_disk_on_the_command_line_is_one_line_exit_2(tmp_path, capsys, monkeypatch):
    before = _store_with_records(tmp_path)

    @contextlib.contextmanager
    def full(con):
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode, exc.sqlite_errorname = 13, "SQLITE_FULL"
        raise exc
        yield con  # pragma: no cover

    monkeypatch.setattr(dbmod, "transaction", full)
    assert main(["run", str(QUICK), "--data-dir", str(tmp_path), "--trainee", "GH"]) == 2
    _one_line(capsys, "cannot write the records: database or disk is full")
    assert capsys.readouterr().out == ""
    assert (tmp_path / DB_NAME).read_bytes() == before


def _filler(i: int) -> Record:
    rec = _record(f"X{i}", 50.0)
    rec.scenario_text = "x" * 20000 + str(i)
    rec.started_at = f"2026-03-01T00:00:{i:02d}+00:00"
    return rec


def test_the_window_plays_on_without_records_when_the_store_is_broken(tmp_path):
    import pygame

    from sim.app.window import App

    (tmp_path / DB_NAME).mkdir()
    app = App(size=(800, 600), data=tmp_path)
    try:
        assert app.records is None
        assert app.records_problem.startswith("records cannot be saved: ")
        assert "is a folder, not a record database" in app.records_problem
        assert "\n" not in app.records_problem
    finally:
        pygame.display.quit()


def test_a_data_folder_that_is_a_dangling_link_is_one_line(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.symlink_to(tmp_path / "gone")
    for cmd in (["history"], ["run", str(QUICK)]):
        assert main([*cmd, "--data-dir", str(folder)]) == 2
        _one_line(capsys, f"{folder}: is a link to", "which does not exist")
    assert not (tmp_path / "gone").exists()
