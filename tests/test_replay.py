"""Replays: every expert plan and a window-style session replay bit for bit; replay files travel;
the commands print what ``run`` printed and fail with one clear line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import ROOT, SCENARIOS

from sim.actions import Finish, Navigate, SelectAgent, SetInjection, StartContrast
from sim.app.cli import main
from sim.app.runner import run_recorded
from sim.engine.final import assess_procedure
from sim.engine.procedure import Procedure
from sim.records import RecordStore
from sim.records.digest import state_digest
from sim.records.exchange import read_replay_file
from sim.records.replay import DigestMismatch, replay
from sim.scenario.load import load_scenario

DEFAULT = SCENARIOS / "default.yaml"
QUICK = SCENARIOS / "workshop_quick.yaml"


def window_session(store: RecordStore) -> tuple[Procedure, dict, int]:
    """Drive a procedure as the window does — non-blocking actions, the clock stepped freely
    between them, a sync every frame — and record it (mode "window")."""
    sc, _ = load_scenario(DEFAULT)
    proc = Procedure(sc)
    live = store.begin(trainee="WIN", scenario_path=DEFAULT, seed=proc.seed, mode="window")

    def frames(n: int) -> None:
        for _ in range(n):
            proc.step()
            live.sync(proc)

    proc.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    proc.apply(Navigate(target="CHA"))
    frames(7)
    proc.apply(Navigate(target="RHA"))
    frames(13)
    proc.apply(SetInjection(rate_ml_min=2.0))
    frames(250)
    proc.apply(StartContrast(volume_ml=3.0, rate_ml_s=1.0))
    frames(37)
    proc.apply(Navigate(target="S6"))  # moved while still injecting
    frames(5)
    proc.apply(SetInjection(rate_ml_min=0.0))
    frames(90)
    proc.apply(Finish())
    out = assess_procedure(proc)
    live.finish(proc, out.to_dict())
    return proc, out, live.id


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    """A data folder with a window-style record (id 1) and a recorded quick plan (id 2)."""
    d = tmp_path_factory.mktemp("records")
    with RecordStore(d) as store:
        window_session(store)
        run_recorded(store, QUICK, trainee="CLI")
    return d


# ---------------------------------------------------------------------- bit for bit
# (record → replay of every expert plan in the library: tests/test_scenario_library.py)


def test_window_session_replays_exactly(tmp_path):
    with RecordStore(tmp_path) as store:
        proc, out, rid = window_session(store)
        rec = store.get(rid)
    kinds = [next(iter(a)) for _, a in rec.actions]
    assert kinds == [
        "select_agent",
        "navigate",
        "navigate",
        "set_injection",
        "start_contrast",
        "navigate",
        "set_injection",
        "finish",
    ]
    assert rec.actions[3][0] == proc.log[3][0] > rec.actions[2][0]  # ticks as the window had them
    again, out2 = replay(rec)
    assert out2 == out and state_digest(again, out2.to_dict()) == rec.digest
    assert again.metrics.fluoro_s == proc.metrics.fluoro_s > 0
    assert again.tick == proc.tick
    # one action a single tick late is a different procedure: the digest notices
    shifted = list(rec.actions)
    t, a = shifted[4]
    shifted[4] = (t + 1, a)
    rec.actions = shifted
    with pytest.raises(DigestMismatch) as err:
        replay(rec)
    assert err.value.outcome is not None and err.value.got != rec.digest


@pytest.mark.slow
# ---------------------------------------------------------------------- commands
def test_run_records_only_with_a_data_dir_and_prints_the_same(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SIPHON_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert main(["run", str(QUICK), "--json"]) == 0
    plain = capsys.readouterr()
    assert not list((tmp_path / "xdg").rglob("*.sqlite3")), "no data dir: nothing recorded"
    data = str(tmp_path / "data")
    assert main(["run", str(QUICK), "--json", "--data-dir", data, "--trainee", "AB"]) == 0
    recorded = capsys.readouterr()
    assert recorded.out == plain.out
    assert recorded.err.strip() == "saved record 1"
    assert main(["replay", "1", "--json", "--data-dir", data]) == 0
    rep = capsys.readouterr()
    assert rep.out == plain.out, "replay --json prints what run --json printed, byte for byte"
    assert rep.err.strip() == "digest ok"
    monkeypatch.setenv("SIPHON_DATA_DIR", data)
    assert main(["run", str(QUICK)]) == 0  # the environment variable records too
    assert "saved record 2" in capsys.readouterr().err
    assert [r.trainee for r in RecordStore(data).list()] == ["", "AB"]


def test_export_then_replay_the_file_and_import_it(store_dir, tmp_path, capsys):
    d = str(store_dir)
    assert main(["replay", "1", "--json", "--data-dir", d]) == 0
    from_store = capsys.readouterr()
    f = tmp_path / "case.siphon.json"
    assert main(["export-replay", "1", "-o", str(f), "--data-dir", d]) == 0
    assert f"wrote {f}" in capsys.readouterr().out
    doc = json.loads(f.read_text(encoding="utf-8"))
    assert doc["format"] == "siphon-replay" and doc["format_version"] == 1
    assert doc["scenario"]["id"] == "default" and doc["scenario"]["title"]
    assert doc["scenario"]["text"] == DEFAULT.read_text(encoding="utf-8")
    assert doc["actions"][0] == {"tick": 0, "action": {"select_agent": {
        "agent": "bland", "size_um": [100.0, 300.0]}}}  # fmt: skip
    assert main(["replay", str(f), "--json"]) == 0  # no store needed
    from_file = capsys.readouterr()
    assert from_file.out == from_store.out and from_file.err.strip() == "digest ok"
    # import: a new record of mode "import", listed in the history, replayable by id
    other = tmp_path / "other"
    assert main(["import-replay", str(f), "--data-dir", str(other)]) == 0
    assert "as record 1" in capsys.readouterr().out
    (rec,) = RecordStore(other).list()
    assert rec.mode == "import" and rec.trainee == "WIN" and rec.status == "finished"
    assert rec.digest == doc["digest"] and rec.outcome == doc["outcome"]
    assert main(["history", "--data-dir", str(other)]) == 0
    assert "import" in capsys.readouterr().out
    assert main(["replay", "1", "--data-dir", str(other)]) == 0
    assert capsys.readouterr().err.strip() == "digest ok"
    # importing the same file again keeps one copy
    assert main(["import-replay", str(f), "--data-dir", str(other)]) == 0
    assert "as record 1" in capsys.readouterr().out
    assert len(RecordStore(other).list()) == 1
    # neither an id nor a file
    assert main(["replay", "abc", "--data-dir", str(other)]) == 2
    assert capsys.readouterr().err.strip() == (
        "abc: not a record id (see 'history') or a replay file"
    )


def test_other_numpy_version_warns_and_still_replays(store_dir, tmp_path, capsys):
    f = tmp_path / "old.siphon.json"
    assert main(["export-replay", "2", "-o", str(f), "--data-dir", str(store_dir)]) == 0
    doc = json.loads(f.read_text(encoding="utf-8"))
    doc["versions"]["numpy"] = "1.0.0"
    f.write_text(json.dumps(doc), encoding="utf-8")
    capsys.readouterr()
    assert main(["replay", str(f)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("warning: recorded with numpy 1.0.0, this is ")
    assert err[0].endswith(": bit-identity is not guaranteed")
    assert err[-1] == "digest ok"


def _broken_files(tmp_path, good: dict) -> dict:
    def edited(fn):
        doc = json.loads(json.dumps(good))
        fn(doc)
        return json.dumps(doc)

    return {
        "garbage": ("\x00\x01 not json", "bad JSON"),
        "not_replay": (json.dumps({"hello": 1}), "not a Siphon replay file"),
        "newer": (
            edited(lambda d: d.update(format_version=9)),
            "written by a newer Siphon (format version 9",
        ),
        "edited_case": (
            edited(lambda d: d["scenario"].update(text=d["scenario"]["text"] + "\n# x")),
            "scenario text does not match its sha256",
        ),
        "bad_action": (
            edited(lambda d: d["actions"].append({"tick": 99999, "action": {"jump": 1}})),
            "unknown action 'jump'",
        ),
        "no_seed": (edited(lambda d: d.pop("seed")), "missing field 'seed'"),
    }


def test_broken_replay_files_give_one_clear_line(store_dir, tmp_path, capsys):
    good = tmp_path / "good.siphon.json"
    assert main(["export-replay", "2", "-o", str(good), "--data-dir", str(store_dir)]) == 0
    doc = json.loads(good.read_text(encoding="utf-8"))
    capsys.readouterr()
    for name, (text, expect) in _broken_files(tmp_path, doc).items():
        f = tmp_path / f"{name}.siphon.json"
        f.write_text(text, encoding="utf-8")
        for cmd in (["replay", str(f)], ["import-replay", str(f), "--data-dir", str(tmp_path)]):
            assert main(cmd) == 2, name
            cap = capsys.readouterr()
            assert cap.out == ""
            lines = cap.err.splitlines()
            assert len(lines) == 1 and lines[0].startswith(str(f)), (name, cap.err)
            assert expect in lines[0], (name, lines[0])
    assert main(["replay", str(tmp_path / "missing.siphon.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["replay", "77", "--data-dir", str(store_dir)]) == 2
    assert capsys.readouterr().err.startswith("no record 77 in ")
    assert main(["export-replay", "77", "-o", str(tmp_path / "x.json"), "--data-dir",
                 str(store_dir)]) == 2  # fmt: skip
    assert RecordStore(tmp_path).list() == [], "nothing broken was imported"


def test_replay_file_reader_rejects_what_the_command_rejects(tmp_path):
    f = tmp_path / "x.siphon.json"
    f.write_text(json.dumps({"format": "siphon-replay", "format_version": 1}), encoding="utf-8")
    with pytest.raises(ValueError, match="missing field 'scenario'"):
        read_replay_file(f)


# ---------------------------------------------------------------------- the window
def test_replay_in_the_window_plays_to_the_debrief(store_dir):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    r = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "replay", "1", "--window", "--data-dir"]
        + [str(store_dir), "--speed", "60", "--exit-at-end", "--frames", "3000"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip().splitlines()[-1] == "digest ok", r.stderr
