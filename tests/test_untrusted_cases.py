"""What ``validate`` accepts, ``run`` runs: hostile case, plan and playlist files (issue 12)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.app.check import check_file
from sim.app.cli import main
from sim.scenario.files import LIBRARY_DIR
from sim.scenario.load import load_scenario
from sim.scenario.models import TRUNK_VESSELS

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^[^\n]+:\d+:\d+: [^\s:]+: [^\n]+\(allowed: [^\n]+\)$")

CASE = """\
title: Fuzz base
anatomy:
  seed: 7
  tree_segments: 600
  segment_volume_percent: {S6: 10}
  extra_vessels: []
tumors:
  - {id: T1, segment: S6, diameter_mm: 30, offset_mm: [0, 0]}
agents_available:
  - agent: bland
    sizes_um: [[100, 300]]
limits: {time_min: 10}
"""
PLAN = """\
actions:
  - navigate: feeder:T1
  - select_agent: {agent: bland, size_um: [100, 300]}
  - inject: {volume_ml: 0.3, rate_ml_min: 2}
  - finish
"""


def _write(folder: Path, case: str = CASE, plan: str | None = PLAN, name: str = "c") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(case, encoding="utf-8")
    if plan is not None:
        (folder / f"{name}.plan.yaml").write_text(plan, encoding="utf-8")
    return path


BAD_CASES = {
    "share_negative": (("{S6: 10}", "{S6: -5}"), "5:32: anatomy.segment_volume_percent.S6: -5"),
    "share_nan": (("{S6: 10}", "{S6: .nan}"), "not a finite number (allowed: 1–100)"),
    "share_inf": (("{S6: 10}", "{S6: .inf}"), "not a finite number (allowed: 1–100)"),
    "share_all_zero": (
        ("{S6: 10}", "{S1: 0, S2: 0, S3: 0, S4: 0, S5: 0, S6: 0, S7: 0, S8: 0}"),
        "anatomy.segment_volume_percent.S1: 0 is below the minimum 1 (allowed: 1–100)",
    ),
    "offset_nan": (("[0, 0]", "[.nan, 0]"), "tumors[0].offset_mm[0]: nan is not a finite number"),
    "offset_huge": (("[0, 0]", "[1e308, 0]"), "above the maximum 80 (allowed: -80–80)"),
    "size_reversed": (("[[100, 300]]", "[[300, 100]]"), "300–100 µm is not a bland size"),
    "size_zero": (("[[100, 300]]", "[[0, 0]]"), "0 is too small; it must be more than 0"),
    "size_nan": (("[[100, 300]]", "[[.nan, 300]]"), "nan is not a finite number"),
    "empty_id": (("id: T1", "id: ''"), "tumors[0].id: an empty name is not a valid name"),
    "duplicate_id": (
        ("offset_mm: [0, 0]}", "offset_mm: [0, 0]}\n  - {id: T1, segment: S5, diameter_mm: 10}"),
        "9:10: tumors[1].id: tumour id 'T1' is already used by tumors[0] (allowed: each tumour "
        "id once)",
    ),
    "duplicate_vessel": (
        (
            "extra_vessels: []",
            "extra_vessels:\n    - {kind: collateral, name: C, from_vessel: GDA, to_vessel: RHA}"
            "\n    - {kind: collateral, name: C, from_vessel: LHA, to_vessel: RHA}",
        ),
        "anatomy.extra_vessels[1].name: name 'C' is already used by anatomy.extra_vessels[0]",
    ),
    "self_loop": (
        (
            "extra_vessels: []",
            "extra_vessels:\n    - {kind: collateral, name: C, from_vessel: GDA, to_vessel: GDA}",
        ),
        "anatomy.extra_vessels[0].to_vessel: a collateral joins two different vessels",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_hostile_case_values_are_refused_with_a_located_line(tmp_path, name):
    (old, new), expected = BAD_CASES[name]
    assert old in CASE
    path = _write(tmp_path, CASE.replace(old, new, 1), plan=None)
    sc, problems = load_scenario(path)
    assert sc is None
    lines = [str(p) for p in problems]
    assert any(expected in line for line in lines), lines
    assert all(line.startswith(f"{path}:") and LINE.match(line) for line in lines), lines


def test_the_base_case_and_its_plan_are_accepted(tmp_path):
    assert check_file(_write(tmp_path), set()) == []


def test_validate_resolves_the_plans_vessel_names_on_the_built_case(tmp_path, capsys):
    path = _write(tmp_path, plan=PLAN.replace("feeder:T1", "RHAX"))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{tmp_path / 'c.plan.yaml'}:2:5: actions[0].navigate: unknown vessel 'RHAX' "
        "(did you mean 'RHA'?)"
    ]
    # a folder: the plan is checked once, against the case beside it
    assert main(["validate", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == out
    # and the plan alone finds its case
    assert check_file(tmp_path / "c.plan.yaml", set()) == check_file(path, set())


def test_foreign_agents_are_refused_at_their_step(tmp_path, capsys):
    plan = PLAN.replace("agent: bland", "agent: pva")
    path = _write(tmp_path, CASE, plan=plan)
    assert main(["run", str(path), "--json"]) == 2
    err = capsys.readouterr().err.splitlines()
    plan_file = tmp_path / "c.plan.yaml"
    assert err == [
        f"{plan_file}:3:5: actions[1].select_agent: 'pva' is not offered by this case "
        "(allowed: bland)",
    ]


def test_a_runaway_injection_runs_and_ends_at_the_time_limit(tmp_path, capsys):
    """Asking for 10^4 minutes is not a broken file: the case's time limit ends it, at once."""
    plan = PLAN.replace("rate_ml_min: 2", "rate_ml_min: 0.01").replace(
        "volume_ml: 0.3", "volume_ml: 100"
    )
    path = _write(tmp_path, CASE, plan=plan)
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    t0 = time.monotonic()
    assert main(["run", str(path), "--json"]) == 0
    assert time.monotonic() - t0 < 120.0
    out = json.loads(capsys.readouterr().out)
    assert out["metrics"]["procedure_s"] <= 10 * 60
    assert [e["kind"] for e in out["events"]][-2:] == ["time_limit", "finish"]
    assert 0.0 <= out["score"] <= 100.0


def test_a_case_that_cannot_be_built_is_refused_by_validate_and_run(tmp_path, capsys):
    path = _write(tmp_path, CASE.replace("diameter_mm: 30", "diameter_mm: 150"))
    assert main(["validate", str(path)]) == 1
    line = capsys.readouterr().out.strip()
    assert line == (
        f"{path}:8:3: tumors: this case cannot be built: the tumours cover all of segment S6, "
        "which then has no normal liver to supply; make them smaller or move them"
    )
    assert main(["run", str(path)]) == 2
    assert capsys.readouterr().err.strip() == line


@pytest.mark.parametrize("seed", ["-1", str(2**63), str(2**64), "1e3", "x", "9" * 5000, "²"])
def test_run_refuses_a_seed_out_of_range_in_one_line(seed, capsys):
    assert main(["run", str(LIBRARY_DIR / "workshop_quick.yaml"), "--seed", seed]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"(allowed: 0–{2**63 - 1})" in err and len(err) < 120


@pytest.mark.parametrize("rate", ["5e-324", "1e-310", "0.001"])
def test_a_rate_too_small_to_take_any_time_is_refused_at_its_step(tmp_path, capsys, rate):
    path = _write(tmp_path, plan=PLAN.replace("rate_ml_min: 2", f"rate_ml_min: {rate}"))
    assert main(["validate", str(path)]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert "c.plan.yaml:4:" in line and "rate_ml_min" in line and "0.01" in line, line
    assert main(["run", str(path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_run_takes_the_largest_seed_a_record_can_store(tmp_path, capsys):
    assert main(["run", str(_write(tmp_path)), "--json", "--seed", str(2**63 - 1)]) == 0
    assert json.loads(capsys.readouterr().out)["seed"] == 2**63 - 1


def test_run_json_is_strict_json_with_a_score(tmp_path, capsys):
    path = _write(tmp_path)
    assert main(["run", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(c))
    assert 0 <= out["score"] <= 100


def test_a_playlist_whose_case_cannot_be_built_fails_validate(tmp_path, capsys):
    _write(tmp_path, CASE.replace("diameter_mm: 30", "diameter_mm: 150"))
    playlists = tmp_path / "playlists"
    playlists.mkdir()
    (playlists / "booth.yaml").write_text("cases:\n  - scenario: ../c.yaml\n")
    assert main(["validate", str(playlists)]) == 1
    assert "tumors: this case cannot be built" in capsys.readouterr().out


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/dev/stdin", "is outside the case's folder and the library"),
        ("/dev/zero", "is outside the case's folder and the library"),
        ("{other}/base.yaml", "is outside the case's folder and the library"),
        ("../other/base.yaml", "is outside the case's folder and the library"),
        ("link.yaml", "is outside the case's folder and the library"),
        ("sub", "is not a regular file"),
    ],
)
def test_extends_only_reaches_files_beside_the_case_or_in_the_library(tmp_path, target, expected):
    other, here = tmp_path / "other", tmp_path / "here"
    other.mkdir(), here.mkdir()
    (here / "sub").mkdir()
    _write(other, name="base")
    os.symlink("/dev/stdin", here / "link.yaml")
    path = _write(here, "extends: " + target.format(other=other) + "\n", plan=None)
    sc, problems = load_scenario(path)
    assert sc is None and len(problems) == 1
    assert str(problems[0]).startswith(f"{path}:1:10: ") and expected in str(problems[0])


def test_extends_reaches_the_library_and_files_beside(tmp_path):
    _write(tmp_path, name="base")
    for target in ("base.yaml", str(tmp_path / "base.yaml"), str(LIBRARY_DIR / "default.yaml")):
        path = _write(tmp_path, f"extends: {target}\ntitle: child\n", plan=None)
        sc, problems = load_scenario(path)
        assert problems == [] and sc.title == "child"


def test_a_case_that_is_not_a_regular_file_is_refused():
    sc, problems = load_scenario("/dev/null")
    assert [str(p) for p in problems] == [
        "/dev/null:1:1: not a regular file (a device, pipe or folder is not a case)"
    ]


def test_new_writes_where_the_author_stands_and_never_overwrites(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "hepatic_trap"]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["hepatic_trap.plan.yaml", "hepatic_trap.yaml", "scenario.schema.json"]
    (tmp_path / "hepatic_trap.plan.yaml").write_text("mine")
    assert main(["new", "hepatic_trap"]) == 1
    assert (tmp_path / "hepatic_trap.plan.yaml").read_text() == "mine"
    assert main(["new", "../escape"]) == 2
    assert not (tmp_path.parent / "escape.yaml").exists()
    assert main(["new", "x", "--folder", "cases"]) == 0
    assert (tmp_path / "cases" / "x.yaml").is_file()
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["new", "--help"])
    assert "--folder" in capsys.readouterr().out


def test_scenario_layer_imports_no_higher_layer_and_has_no_cycle():
    code = (
        "import sys, sim.scenario.problems as p; "
        "assert 'sim.scenario.yaml_strict' not in sys.modules; "
        "import sim.scenario.load, sim.scenario.playlist, sim.scenario.files; "
        "bad = [m for m in sys.modules if m.startswith(('sim.anatomy', 'sim.app', 'sim.flow'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_trunk_vessel_names_have_one_table():
    from sim.anatomy.trunk import DIAMETER_MM

    assert tuple(DIAMETER_MM) == TRUNK_VESSELS


def test_a_non_finite_outcome_is_one_line_not_invalid_json(monkeypatch, capsys):
    import sim.app.records_cli as records_cli
    import sim.app.runner as runner

    class Broken:
        def to_dict(self) -> dict:
            return {"score": float("nan")}

    monkeypatch.setattr(runner, "run_plan", lambda *a: (None, Broken()))
    monkeypatch.setattr(records_cli, "recording_dir", lambda args: None)
    assert main(["run", str(LIBRARY_DIR / "workshop_quick.yaml"), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == "run: the outcome holds a number that is not finite (a bug)\n"
