"""The record store: live recording, crash safety, two writers, damaged files, migration,
leaderboards, and the history summary."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import ROOT, SCENARIOS

from sim.actions import Finish, Wait, to_dict
from sim.app.cli import main
from sim.records import DB_NAME, SCHEMA_VERSION, Record, RecordNotFound, RecordStore
from sim.records.history import GOAL_SCORE, format_history, goal_met, summarize
from sim.records.replay import ReplayError, replay

DEFAULT = SCENARIOS / "default.yaml"
QUICK = SCENARIOS / "workshop_quick.yaml"


def fake_proc(n_actions: int, tick: int) -> SimpleNamespace:
    """What LiveRecord.sync reads of a procedure: its log and clock."""
    return SimpleNamespace(
        log=[(10 * i, Wait(seconds=float(i + 1))) for i in range(n_actions)], tick=tick
    )


def crafted(
    rid: int,
    trainee: str,
    case: str,
    score: float | None,
    started: str,
    non_target: dict | None = None,
    status: str = "finished",
    mode: str = "cli",
) -> Record:
    outcome = None if score is None else {"score": score, "non_target": non_target or {}}
    return Record(
        id=rid,
        trainee=trainee,
        scenario_id=case,
        scenario_sha256="",
        scenario_text="title: A case\nlearning_goals:\n  - Goal one.\n  - Goal two.\n",
        seed=1,
        app_version="0.1.0",
        numpy_version="",
        mode=mode,
        status=status if score is not None or status != "finished" else "abandoned",
        started_at=started,
        ended_at=started,
        last_tick=0,
        actions=[(0, {"navigate": "RHA"})],
        outcome=outcome,
        digest=None,
    )


# ---------------------------------------------------------------------- basic API
def test_begin_sync_finish_get_list(tmp_path):
    store = RecordStore(tmp_path)
    assert store.path == tmp_path / DB_NAME and store.notice is None
    live = store.begin(trainee="AB", scenario_path=DEFAULT, seed=42, mode="window")
    p = fake_proc(2, 25)
    live.sync(p)
    p.log.append((30, Finish()))
    p.tick = 30
    live.sync(p)  # a new action is written at once, unthrottled
    rec = store.get(live.id)
    assert rec.status == "in_progress" and rec.last_tick == 30 and len(rec.actions) == 3
    assert rec.actions[0] == (0, {"wait": {"seconds": 1.0}}) and rec.actions[2][1] == {
        "finish": None
    }
    assert rec.scenario_id == "default" and rec.seed == 42 and rec.mode == "window"
    assert rec.scenario_text == DEFAULT.read_text(encoding="utf-8")
    import hashlib

    import numpy as np

    assert rec.scenario_sha256 == hashlib.sha256(DEFAULT.read_bytes()).hexdigest()
    assert rec.numpy_version == np.__version__ and rec.python_version
    assert rec.started_at.endswith("+00:00")
    live.abandon(p)
    assert store.get(live.id).status == "abandoned" and store.get(live.id).ended_at
    other = store.begin(trainee="CD", scenario_path=QUICK, seed=1, mode="kiosk")
    assert [r.id for r in store.list()] == [other.id, live.id]  # newest first
    assert [r.id for r in store.list(trainee="AB")] == [live.id]
    assert [r.id for r in store.list(mode="kiosk")] == [other.id]
    store.set_trainee(other.id, "XY")
    assert store.get(other.id).trainee == "XY"
    with pytest.raises(RecordNotFound, match="no record 999"):
        store.get(999)
    with pytest.raises(KeyError):
        store.set_trainee(999, "Z")
    with pytest.raises(ValueError, match="unknown mode"):
        store.begin(trainee="", scenario_path=DEFAULT, seed=1, mode="arcade")


def test_heartbeat_is_throttled_but_forced_syncs_write(tmp_path):
    store = RecordStore(tmp_path)
    live = store.begin(trainee="", scenario_path=DEFAULT, seed=1)
    p = fake_proc(0, 100)
    live.sync(p)  # nothing new, last write just now: throttled
    assert store.get(live.id).last_tick == 0
    live.sync(p, force=True)
    assert store.get(live.id).last_tick == 100
    p.tick = 200
    live._last -= 1.0  # as if a second of wall time had passed
    live.sync(p)
    assert store.get(live.id).last_tick == 200


def test_stale_in_progress_records_are_reported_abandoned(tmp_path):
    store = RecordStore(tmp_path)
    live = store.begin(trainee="", scenario_path=DEFAULT, seed=1)
    assert store.get(live.id).status == "in_progress"  # this process is alive
    with sqlite3.connect(store.path) as con:  # a process on another host, silent for a minute
        con.execute(
            "UPDATE records SET host = 'elsewhere', heartbeat_at = ? WHERE id = ?",
            (time.time() - 60, live.id),
        )
    assert store.get(live.id).status == "abandoned"
    with sqlite3.connect(store.path) as con:  # recent heartbeat but a pid that is gone
        con.execute(
            "UPDATE records SET host = ?, heartbeat_at = ?, pid = 2147483000 WHERE id = ?",
            (store.host, time.time(), live.id),
        )
    assert store.get(live.id).status == "abandoned"


# ---------------------------------------------------------------------- leaderboard
def test_leaderboard_best_first_per_board_and_reset(tmp_path):
    store = RecordStore(tmp_path)
    now = "2020-01-01T00:00:00.000000+00:00"  # ended before the reset below
    for trainee, case, score, mode in (
        ("AA", "default", 70.0, "kiosk"),
        ("BB", "default", 90.0, "kiosk"),
        ("CC", "workshop_quick", 80.0, "kiosk"),
        ("DD", "default", 99.0, "cli"),  # another board
        ("EE", "default", None, "kiosk"),  # abandoned: no score
    ):
        store.add(crafted(0, trainee, case, score, now), mode=mode)
    board = store.leaderboard()
    assert [(e.trainee, e.score) for e in board] == [("BB", 90.0), ("CC", 80.0), ("AA", 70.0)]
    assert [e.trainee for e in store.leaderboard("default")] == ["BB", "AA"]
    assert [e.trainee for e in store.leaderboard(board="cli")] == ["DD"]
    assert len(store.leaderboard(limit=1)) == 1
    e = board[0]
    assert e.scenario_id == "default" and store.get(e.record_id).trainee == "BB"
    store.reset_leaderboard()
    assert store.leaderboard() == [] and len(store.list()) == 5  # records kept
    assert [e.trainee for e in store.leaderboard(board="cli")] == ["DD"]  # other board untouched
    later = "2999-01-01T00:00:00.000000+00:00"
    store.add(crafted(0, "FF", "default", 50.0, later), mode="kiosk")
    assert [e.trainee for e in store.leaderboard()] == ["FF"]


# ---------------------------------------------------------------------- crash safety
CRASH_PLAN = """actions:
  - navigate: RHA
  - select_agent: {agent: bland, size_um: [100, 300]}
  - inject: {volume_ml: 4, rate_ml_min: 1}
  - finish
"""


@pytest.mark.slow
def test_sigkill_during_an_injection_leaves_an_abandoned_replayable_record(tmp_path):
    plan = tmp_path / "long.plan.yaml"
    plan.write_text(CRASH_PLAN, encoding="utf-8")
    data = tmp_path / "data"
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "run", str(DEFAULT), "--plan", str(plan)]
        + ["--data-dir", str(data), "--trainee", "KILLED"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 120
        seen = None
        while time.time() < deadline and child.poll() is None:
            if (data / DB_NAME).exists():
                store = RecordStore(data)
                recs = store.list()
                store.close()
                inject = [t for r in recs for t, a in r.actions if "inject" in a]
                if inject and recs[0].last_tick > inject[0] + 200:  # 10 s into the injection
                    seen = recs[0]
                    break
            time.sleep(0.05)
        assert seen is not None, "the injection never showed in the heartbeat"
        assert seen.status == "in_progress"
        os.kill(child.pid, signal.SIGKILL)
        killed_at = time.time()
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    store = RecordStore(data)
    (rec,) = store.list()
    assert store.notice is None
    assert rec.status == "abandoned" and rec.trainee == "KILLED" and rec.outcome is None
    kinds = [next(iter(a)) for _, a in rec.actions]
    assert kinds == ["navigate", "select_agent", "inject"]
    assert rec.last_tick >= seen.last_tick
    assert killed_at - rec.heartbeat_at < 3.0, "a crash loses at most about a second"
    proc, out = replay(rec)
    assert out is None and not proc.finished
    assert proc.tick >= rec.last_tick and proc.tick >= rec.actions[-1][0]
    stored = json.loads(json.dumps([[t, to_dict(a)] for t, a in proc.log]))
    assert stored == [[t, a] for t, a in rec.actions]
    assert proc.metrics.agent_ml["bland"] == pytest.approx(4.0)  # the logged injection, whole


# ---------------------------------------------------------------------- two writers
WRITER = """
import sys, time
from pathlib import Path
from types import SimpleNamespace
from sim.actions import Wait
from sim.records import RecordStore
data, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.005)
store = RecordStore(data)
for i in range(20):
    live = store.begin(trainee=name, scenario_path=Path(sys.argv[4]), seed=i)
    p = SimpleNamespace(log=[], tick=0)
    for k in range(5):
        p.log.append((p.tick, Wait(seconds=float(k + 1))))
        p.tick += 20 * (k + 1)
        live.sync(p, force=True)
        time.sleep(0.002)  # real writers pause between syncs (SQLite does not queue fairly)
    live.abandon(p)
    store.set_trainee(live.id, name)
print("done")
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), name, str(go), str(DEFAULT)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("P1", "P2")
    ]
    time.sleep(0.3)
    go.write_text("go")
    for w in writers:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0 and out.strip() == "done", err
    store = RecordStore(tmp_path)
    recs = store.list()
    assert len(recs) == 40
    owners = [r.trainee for r in sorted(recs, key=lambda r: r.id)]
    switches = sum(a != b for a, b in zip(owners, owners[1:], strict=False))
    assert switches >= 2, "the two writers really wrote at the same time"
    for name in ("P1", "P2"):
        mine = store.list(trainee=name)
        assert sorted(r.seed for r in mine) == list(range(20))
        for r in mine:
            assert r.status == "abandoned" and r.last_tick == 300
            assert [t for t, _ in r.actions] == [0, 20, 60, 120, 200]
            assert [a["wait"]["seconds"] for _, a in r.actions] == [1.0, 2.0, 3.0, 4.0, 5.0]


# ---------------------------------------------------------------------- damaged files
def _filled_store(folder: Path) -> bytes:
    store = RecordStore(folder)
    for i in range(10):
        store.begin(trainee=f"T{i}", scenario_path=DEFAULT, seed=i).abandon(fake_proc(8, 100))
    store.close()  # checkpoints the log into the main file
    return (folder / DB_NAME).read_bytes()


def _assert_moved_aside(folder: Path, original: bytes, tag: str, why: str) -> None:
    store = RecordStore(folder)
    assert store.notice is not None
    assert store.notice.startswith(f"{DB_NAME} {why}")
    assert "a fresh one was started" in store.notice
    (aside,) = folder.glob(f"{DB_NAME}.{tag}-*")
    assert aside.name in store.notice
    assert aside.read_bytes() == original, "the damaged file is kept byte for byte"
    assert store.list() == []
    live = store.begin(trainee="new", scenario_path=DEFAULT, seed=1)
    assert [r.id for r in store.list()] == [live.id]
    store.close()
    again = RecordStore(folder)  # the fresh file is healthy: no second notice
    assert again.notice is None and len(again.list()) == 1


def test_truncated_database_is_moved_aside(tmp_path):
    full = _filled_store(tmp_path)
    cut = full[: len(full) // 2]
    (tmp_path / DB_NAME).write_bytes(cut)
    _assert_moved_aside(tmp_path, cut, "corrupt", "was unreadable (")


def test_garbage_file_is_moved_aside(tmp_path):
    junk = b"this is not a database\n" * 50
    (tmp_path / DB_NAME).write_bytes(junk)
    _assert_moved_aside(tmp_path, junk, "corrupt", "was unreadable (not a SQLite database)")


def test_newer_schema_is_moved_aside_not_overwritten(tmp_path):
    _filled_store(tmp_path)
    with sqlite3.connect(tmp_path / DB_NAME) as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    newer = (tmp_path / DB_NAME).read_bytes()
    _assert_moved_aside(tmp_path, newer, "newer", "was written by a newer Siphon (schema 99")


def test_prototype_layout_is_migrated_with_its_rows(tmp_path):
    db = tmp_path / DB_NAME
    with sqlite3.connect(db) as con:  # version 0: no meta table, actions as one JSON column
        con.execute(
            "CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT, trainee TEXT, "
            "scenario TEXT, seed INTEGER, started TEXT, finished TEXT, actions TEXT, "
            "outcome TEXT)"
        )
        con.execute(
            "INSERT INTO records VALUES (7, 'AB', 'default', 5, '2024-01-01T10:00:00', "
            "'2024-01-01T10:05:00', ?, ?)",
            (
                json.dumps([[0, {"navigate": "RHA"}], [200, {"finish": None}]]),
                json.dumps({"score": 88.5, "non_target": {}}),
            ),
        )
        con.execute(
            "INSERT INTO records VALUES (8, 'CD', 'caudate_feeders', 6, "
            "'2024-01-02T10:00:00', NULL, ?, NULL)",
            (json.dumps([[0, {"navigate": "LHA"}]]),),
        )
    con.close()
    store = RecordStore(tmp_path)
    assert store.notice is None
    a, b = store.get(7), store.get(8)
    assert (a.trainee, a.scenario_id, a.seed, a.status, a.score) == (
        "AB",
        "default",
        5,
        "finished",
        88.5,
    )
    assert a.actions == [(0, {"navigate": "RHA"}), (200, {"finish": None})]
    assert (b.status, b.outcome, b.actions, b.last_tick) == (
        "abandoned",
        None,
        [(0, {"navigate": "LHA"})],
        0,
    )
    assert store.get(7).mode == "cli"
    with sqlite3.connect(db) as con:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    con.close()
    assert int(version[0]) == SCHEMA_VERSION
    new = store.begin(trainee="EF", scenario_path=DEFAULT, seed=1)
    assert new.id == 9  # ids continue after the migrated rows
    with pytest.raises(ReplayError, match="holds no scenario text"):
        replay(a)


# ---------------------------------------------------------------------- history
def test_history_best_trend_and_goals_on_crafted_records():
    recs = [
        crafted(1, "AB", "default", 60.0, "2024-01-01T10:00:00+00:00"),
        crafted(2, "AB", "default", 85.0, "2024-01-02T10:00:00+00:00", {"GDA": 0.01}),
        crafted(3, "AB", "default", 75.0, "2024-01-03T10:00:00+00:00"),
        crafted(4, "AB", "caudate", GOAL_SCORE, "2024-01-01T11:00:00+00:00"),
        crafted(5, "AB", "caudate", None, "2024-01-04T11:00:00+00:00", status="abandoned"),
        crafted(6, "CD", "default", 95.0, "2024-01-01T09:00:00+00:00"),
    ]
    summaries = summarize(list(reversed(recs)))  # the store lists newest first
    assert [s.trainee for s in summaries] == ["AB", "CD"]
    ab = summaries[0]
    assert ab.records == 5
    caudate, default = ab.cases
    assert (default.played, default.finished, default.best) == (3, 3, 85.0)
    assert (default.first, default.last, default.trend) == (60.0, 75.0, 15.0)
    assert not default.goals_met, "85 had a non-target deposit; 60 and 75 are below the bar"
    assert (caudate.played, caudate.finished, caudate.trend) == (2, 1, None)
    assert caudate.goals_met and caudate.goals == ["Goal one.", "Goal two."]
    assert ab.goals_met == ["caudate: Goal one.", "caudate: Goal two."]
    assert summaries[1].cases[0].goals_met and summaries[1].cases[0].trend is None
    assert not goal_met(None) and not goal_met({"score": GOAL_SCORE - 0.01, "non_target": {}})
    text = format_history(recs)
    assert "AB: 5 record(s), 2 case(s)" in text and "+15.0" in text and "not yet" in text


def test_history_command_lists_records_and_prints_json(tmp_path, capsys):
    store = RecordStore(tmp_path)
    ids = [
        store.add(crafted(0, "AB", "default", 70.0, "2024-01-01T10:00:00+00:00")),
        store.add(crafted(0, "AB", "default", 90.0, "2024-01-02T10:00:00+00:00")),
        store.add(crafted(0, "ZZ", "default", 40.0, "2024-01-03T10:00:00+00:00")),
    ]
    store.close()
    assert main(["history", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert [int(ln.split()[0]) for ln in lines[1:4]] == ids[::-1]
    assert "import" in lines[1] and "finished" in lines[1]
    assert main(["history", "AB", "--data-dir", str(tmp_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in doc["records"]] == ids[1::-1]
    (ab,) = doc["trainees"]
    assert ab["trainee"] == "AB" and ab["cases"][0]["best"] == 90.0
    assert ab["cases"][0]["trend"] == 20.0 and ab["goals_met"] == [
        "default: Goal one.",
        "default: Goal two.",
    ]


def test_history_shows_each_graded_goal_and_needs_all_met():
    """A record's graded goals decide (all must be met), and the listing shows each with why."""
    text = (
        "title: A case\nlearning_goals:\n"
        "  - {goal: Goal one., check: {agent: {any_of: [bland]}}}\n  - Goal two.\n"
    )

    def rec(rid, met_first, started):
        r = crafted(rid, "EF", "graded", 50.0, started)
        goals = [
            {"goal": "Goal one.", "met": met_first, "reason": "bland given"},
            {"goal": "Goal two.", "met": None, "reason": "not graded: the case gives no check"},
        ]
        return dataclasses.replace(r, scenario_text=text, outcome=r.outcome | {"goals": goals})

    missed = rec(1, False, "2024-01-01T10:00:00+00:00")
    (case,) = summarize([missed])[0].cases
    assert case.goals == ["Goal one.", "Goal two."] and not case.goals_met
    (case,) = summarize([missed, rec(2, True, "2024-01-02T10:00:00+00:00")])[0].cases
    assert case.goals_met, "score 50 but every graded goal met"
    assert [g["met"] for g in case.goal_results] == [True, None]
    lines = format_history([missed, rec(2, True, "2024-01-02T10:00:00+00:00")]).splitlines()
    assert "      ✓ Goal one. — bland given" in lines
    assert "      – Goal two. — not graded: the case gives no check" in lines
