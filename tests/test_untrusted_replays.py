"""Replay files from elsewhere: nothing written outside the data folder, bounded in size, depth,
ticks and time, strict JSON, and an outcome that is never taken from the file.

Every refused file gives one line on stderr, led by its name, exit 2, and leaves the store as
it was. The base file is a recorded and exported run of the workshop case (time limit 3 min).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pytest
from helpers import SCENARIOS

from sim.app.cli import main
from sim.app.runner import run_recorded
from sim.records import DB_NAME, RecordStore
from sim.records.exchange import MAX_ACTIONS, export_record
from sim.records.replay import case_file_name, keep_scenario, scenario_file

QUICK = SCENARIOS / "workshop_quick.yaml"
LIMIT_TICK = 3 * 60 * 20  # the workshop case: 3 minutes at 20 steps/s


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, dict]:
    """A data folder holding the workshop plan's record (id 1), and its replay document."""
    d = tmp_path_factory.mktemp("base")
    with RecordStore(d) as store:
        _, out, rid = run_recorded(store, QUICK, trainee="AB")
        f = export_record(store.get(rid), d / "base.siphon.json")
    doc = json.loads(f.read_text(encoding="utf-8"))
    assert doc["outcome"]["score"] == out.score
    return d, doc


def _write(folder: Path, name: str, content: dict | str | bytes) -> Path:
    f = folder / f"{name}.siphon.json"
    if isinstance(content, dict):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode("utf-8")
    f.write_bytes(content)
    return f


def _edited(doc: dict, fn) -> dict:
    new = json.loads(json.dumps(doc))
    fn(new)
    return new


def _refused(capsys, tmp_path: Path, f: Path, *needles: str, seconds: float = 20.0) -> str:
    """Both ``replay`` and ``import-replay`` refuse ``f`` at once: one line, exit 2."""
    store = tmp_path / "store"
    line = ""
    for cmd in (["replay", str(f)], ["import-replay", str(f), "--data-dir", str(store)]):
        t0 = time.monotonic()
        assert main(cmd) == 2, cmd
        assert time.monotonic() - t0 < seconds, f"{cmd[0]} took too long"
        cap = capsys.readouterr()
        lines = cap.err.splitlines()
        assert cap.out == "" and len(lines) == 1, cap.err
        line = lines[0]
        assert line.startswith(str(f)), line
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in line), repr(line)
        for n in needles:
            assert n in line, line
    assert not (store / DB_NAME).exists() or RecordStore(store).list() == []
    return line


# ---------------------------------------------------------------------- no path from content
EVIL_IDS = {
    "climbs out": "../../victim",
    "absolute": "/ABS/victim",
    "NUL": "a\x00b",
    "slash": "cases/victim",
    "400 characters": "x" * 400,
    "dot-dot": "..",
    "upper case": "Victim",
    "empty": "",
    "space": "a b",
    "ANSI": "\x1b[2Jvictim",
}


@pytest.mark.parametrize("name", sorted(EVIL_IDS))
def test_a_scenario_id_never_becomes_a_path(exported, tmp_path, capsys, monkeypatch, name):
    _, doc = exported
    tmp = tmp_path / "tmp" / "deeper"
    tmp.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    victim = tmp_path / "victim.yaml"
    victim.write_text("precious", encoding="utf-8")
    evil = EVIL_IDS[name].replace("/ABS/", f"{tmp_path}/")
    f = _write(tmp_path, "evil", _edited(doc, lambda d: d["scenario"].update(id=evil)))
    line = _refused(capsys, tmp_path, f, "scenario.id: ", "is not a scenario id (allowed: 1 to 64")
    assert len(line) < 400 + len(str(f))
    assert victim.read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.siphon.json", "tmp", "victim.yaml"]
    assert list(tmp.iterdir()) == [], "no temporary file is left behind"


def test_a_stored_id_that_climbs_out_replays_without_writing_outside(
    exported, tmp_path, capsys, monkeypatch
):
    """A store row is not a file, but its id is not trusted either: the scenario text goes to a
    generated name in a fresh private folder, or to the data folder's ``cases``."""
    _, doc = exported
    tmp = tmp_path / "tmp" / "deeper"
    tmp.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    victim = tmp_path / "victim.yaml"
    victim.write_text("precious", encoding="utf-8")
    f = _write(tmp_path, "good", doc)
    data = tmp_path / "data"
    assert main(["import-replay", str(f), "--data-dir", str(data)]) == 0
    with RecordStore(data) as store:
        store._con.execute("UPDATE records SET scenario_id = '../../../victim' WHERE id = 1")
        rec = store.get(1)
    capsys.readouterr()
    assert main(["replay", "1", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().err.strip() == "digest ok"
    with scenario_file(rec) as path:
        assert path.parent.parent == tmp and path.name == case_file_name(rec)
        assert path.name.startswith("case-") and "victim" not in str(path)
    kept = keep_scenario(rec, data)
    assert kept.parent == data / "cases" and kept.name == case_file_name(rec)
    assert keep_scenario(rec, data) == kept, "the same text is reused"
    kept.write_text("someone else's", encoding="utf-8")
    second = keep_scenario(rec, data)
    assert second.name == kept.name.replace(".yaml", "-2.yaml")
    assert kept.read_text(encoding="utf-8") == "someone else's", "never overwritten"
    assert victim.read_text(encoding="utf-8") == "precious"
    assert list(tmp.iterdir()) == []


# ---------------------------------------------------------------------- bounded
def test_a_50_mb_file_is_refused_by_its_size_at_once(tmp_path, capsys):
    f = tmp_path / "huge.siphon.json"
    with open(f, "wb") as out:
        out.truncate(50 * 1024 * 1024)  # sparse: if it were read, it would say "not UTF-8"
    _refused(capsys, tmp_path, f, "50 MB, larger than 4 MB; not a replay file", seconds=2.0)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _deep_dict(depth: int) -> dict:
    d: dict = {"score": 1.0}
    for _ in range(depth):
        d = {"x": d}
    return d


def _text(doc: dict, old: str, new: str) -> str:
    text = json.dumps(doc)
    assert old in text
    return text.replace(old, new, 1)


STRICT = {
    "NaN score": (
        lambda d: json.dumps(_edited(d, lambda x: x["outcome"].update(score=float("nan")))),
        "NaN is not a number",
    ),
    "Infinity": (lambda d: _text(d, '"seed": 15', '"seed": Infinity'), "Infinity is not a number"),
    "1e400": (lambda d: _text(d, '"seed": 15', '"seed": 1e400'), "too large for a number"),
    "5000-digit version": (
        lambda d: _text(d, '"format_version": 1', '"format_version": ' + "9" * 5000),
        "an integer of 5000 digits",
    ),
    "lone surrogate": (lambda d: _text(d, '"text": "', '"text": "\\ud800'), "lone surrogate"),
    "a million brackets": (
        lambda d: _text(d, '"digest": ', '"x": ' + _nested(10**6) + ', "digest": '),
        "nested deeper than",
    ),
    "nested 20 deep": (
        lambda d: json.dumps(_edited(d, lambda x: x.update(outcome=_deep_dict(20)))),
        "nested deeper than 16 levels",
    ),
    "duplicate key": (
        lambda d: _text(d, '"seed": 15', '"seed": 15, "seed": 16'),
        "the key 'seed' appears twice",
    ),
    "not UTF-8": (lambda d: json.dumps(d).encode() + b"\xff", "not UTF-8"),
    "not an object": (lambda d: "[1, 2]", "not a Siphon replay file"),
}


@pytest.mark.parametrize("name", sorted(STRICT))
def test_json_is_strict(exported, tmp_path, capsys, name):
    make, needle = STRICT[name]
    f = _write(tmp_path, "strict", make(exported[1]))
    _refused(capsys, tmp_path, f, needle, seconds=5.0)


EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _action(d: dict, i: int, **kw) -> None:
    d["actions"][i].update(kw)


FIELDS = {
    "seed -1": (lambda d: d.update(seed=-1), "seed: -1 is out of range (allowed: 0 to"),
    "seed 2**63": (lambda d: d.update(seed=2**63), "seed: 9223372036854775808 is out of range"),
    "seed 2**64": (lambda d: d.update(seed=2**64), "an integer of 20 digits"),
    "tick 10**12": (
        lambda d: _action(d, 1, tick=10**12),
        "actions[1].tick: 1000000000000 is out of range",
    ),
    "tick -1": (lambda d: _action(d, 0, tick=-1), "actions[0].tick: -1 is out of range"),
    "tick back in time": (
        lambda d: _action(d, 0, tick=10**5),
        "goes back in time (the action before is at 100000)",
    ),
    "last_tick 10**12": (
        lambda d: d.update(last_tick=10**12),
        "last_tick: 1000000000000 is out of range",
    ),
    "too many actions": (
        lambda d: d.update(actions=[d["actions"][0]] * (MAX_ACTIONS + 1)),
        f"{MAX_ACTIONS + 1} actions (at most {MAX_ACTIONS})",
    ),
    "unknown field": (lambda d: d.update(extra=1), "extra: unknown field (allowed: format,"),
    "unknown action field": (lambda d: _action(d, 0, when=1), "actions[0].when: unknown field"),
    "ANSI in the name": (
        lambda d: d.update(trainee="\x1b[31mAB"),
        "trainee: expected a name (at most 64 printable",
    ),
    "a 400-character name": (lambda d: d.update(trainee="A" * 400), "trainee: expected a name"),
    "unknown mode": (lambda d: d.update(mode="root"), "mode: 'root' (allowed: cli, window"),
    "a time that is not one": (
        lambda d: d.update(started_at="yesterday"),
        "started_at: 'yesterday' is not an ISO 8601 time",
    ),
    "a digest that is not hex": (
        lambda d: d.update(digest="zz"),
        "digest: expected a hex digest (64 hex digits)",
    ),
    "no scenario text": (
        lambda d: d["scenario"].update(text="", sha256=EMPTY_SHA),
        "scenario.text: expected the scenario text",
    ),
    "a long version": (
        lambda d: d["versions"].update(numpy="1" * 1000),
        "versions.numpy: expected a version",
    ),
    "a boolean seed": (lambda d: d.update(seed=True), "seed: expected an integer"),
    "an abandoned record with an outcome": (
        lambda d: d.update(status="abandoned"),
        "outcome: a finished record has one",
    ),
    "an unknown action": (
        lambda d: _action(d, 0, action={"jump": 1}),
        "actions[0]: unknown action 'jump'",
    ),
    "an action out of its range": (
        lambda d: _action(d, 2, action={"inject": {"volume_ml": 1e300}}),
        "actions[2]: inject.volume_ml",
    ),
}


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_every_field_is_checked(exported, tmp_path, capsys, name):
    fn, needle = FIELDS[name]
    f = _write(tmp_path, "field", _edited(exported[1], fn))
    _refused(capsys, tmp_path, f, needle, seconds=5.0)


# ---------------------------------------------------------------------- the case's time limit
def test_an_action_past_the_time_limit_is_refused_before_anything_runs(exported, tmp_path, capsys):
    doc = _edited(exported[1], lambda d: _action(d, 3, tick=LIMIT_TICK + 1))
    f = _write(tmp_path, "late", doc)
    _refused(
        capsys, tmp_path, f, f"action 3 at tick {LIMIT_TICK + 1} is past the case's time limit "
        f"(3 min = tick {LIMIT_TICK})", seconds=15.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    "runaway",
    [{"inject": {"volume_ml": 100.0, "rate_ml_min": 0.01}}, {"wait": {"seconds": 3600.0}}],
    ids=["inject of 10^4 minutes", "wait of an hour"],
)
def test_a_runaway_action_ends_at_the_time_limit(exported, tmp_path, capsys, runaway):
    """The engine ends the case at its time limit, so the replay is short; what it reaches is
    not what the file claims: replay says so (exit 1), import refuses it (exit 2)."""

    def add(d: dict) -> None:
        fin = d["actions"][-1]
        d["actions"].insert(-1, {"tick": fin["tick"], "action": runaway})

    f = _write(tmp_path, "runaway", _edited(exported[1], add))
    t0 = time.monotonic()
    assert main(["replay", str(f)]) == 1
    assert time.monotonic() - t0 < 60.0, "the replay ran past the case's time limit"
    assert "DIGEST MISMATCH" in capsys.readouterr().err
    store = tmp_path / "store"
    assert main(["import-replay", str(f), "--data-dir", str(store)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(str(f)), lines
    assert not (store / DB_NAME).exists() or RecordStore(store).list() == []


SHELF = {
    "an agent the case does not offer": (
        {"select_agent": {"agent": "y90_glass", "activity_gbq": 2.0}},
        "'y90_glass' is not offered by this case",
    ),
    "a size off the case's menu": (
        {"select_agent": {"agent": "bland", "size_um": [110.0, 290.0]}},
        "is not a bland size of this case",
    ),
    "a reversed size": (
        {"select_agent": {"agent": "bland", "size_um": [300.0, 100.0]}},
        "size_um must be ordered",
    ),
}


@pytest.mark.parametrize("name", sorted(SHELF))
def test_a_replay_is_held_to_the_case_shelf_like_a_plan(exported, tmp_path, capsys, name):
    action, needle = SHELF[name]

    def swap(d: dict) -> None:
        i = next(k for k, a in enumerate(d["actions"]) if "select_agent" in a["action"])
        d["actions"][i]["action"] = action

    f = _write(tmp_path, "shelf", _edited(exported[1], swap))
    _refused(capsys, tmp_path, f, needle)


# ---------------------------------------------------------------------- recomputed, not trusted
def _score(d: dict, value) -> None:
    d["outcome"]["score"] = value


FORGED = {
    "score 1e9": (lambda d: _score(d, 1e9), "score 1000000000.0 claimed, {replayed} replayed"),
    "text score": (lambda d: _score(d, "high"), "score 'high' claimed"),
    "score 99 without a digest": (
        lambda d: (_score(d, 99.0), d.update(digest=None)),
        "score 99.0 claimed",
    ),
    "a digest of another state": (
        lambda d: d.update(digest="ab" * 32),
        "another final state than it claims",
    ),
    "finished without a finish": (lambda d: d["actions"].pop(), "another final state"),
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_a_forged_outcome_never_reaches_the_history(exported, tmp_path, capsys, name):
    fn, needle = FORGED[name]
    f = _write(tmp_path, "forged", _edited(exported[1], fn))
    data = tmp_path / "data"
    assert main(["import-replay", str(f), "--data-dir", str(data)]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and len(cap.err.splitlines()) == 1, cap.err
    needle = needle.format(replayed=exported[1]["outcome"]["score"])  # what replaying gives
    assert cap.err.startswith(f"{f}: ") and needle in cap.err, cap.err
    assert not (data / DB_NAME).exists() or RecordStore(data).list() == []


def test_replay_shows_the_replayed_outcome_never_the_claimed_one(exported, tmp_path, capsys):
    f = _write(tmp_path, "forged", _edited(exported[1], lambda d: _score(d, 1e9)))
    assert main(["replay", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["score"] == exported[1]["outcome"]["score"] != 1e9


def test_import_keeps_what_the_replay_gives(exported, tmp_path, capsys):
    _, doc = exported
    f = _write(tmp_path, "no_digest", _edited(doc, lambda d: d.update(digest=None)))
    data = tmp_path / "data"
    assert main(["import-replay", str(f), "--data-dir", str(data)]) == 0
    assert "as record 1" in capsys.readouterr().out
    (rec,) = RecordStore(data).list()
    assert rec.digest == doc["digest"], "the digest is recomputed by replaying"
    assert rec.outcome == doc["outcome"] and rec.score == doc["outcome"]["score"]
    assert main(["history", "--data-dir", str(data)]) == 0
    assert f"best  {doc['outcome']['score']:.1f}" in capsys.readouterr().out


def test_a_case_file_whose_name_is_no_id_records_an_id_that_exports(tmp_path):
    case = tmp_path / "My Case (v2)!.yaml"
    case.write_bytes(QUICK.read_bytes())
    with RecordStore(tmp_path / "data") as store:
        live = store.begin(trainee="\x1b[1mAB", scenario_path=case, seed=1)
        rec = store.get(live.id)
    assert rec.scenario_id == "my-case-v2"
    doc = json.loads(export_record(rec, tmp_path / "x.siphon.json").read_text(encoding="utf-8"))
    assert doc["scenario"]["id"] == "my-case-v2" and doc["trainee"] == "[1mAB"
