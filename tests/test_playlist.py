"""Workshop playlists: the default loads; each kind of mistake gets its exact located message."""

import os
import subprocess
import sys

import pytest
from helpers import ROOT, SCENARIOS

from sim.scenario.playlist import LANGUAGES, is_playlist, load_playlist

WORKSHOP = ROOT / "playlists" / "workshop.yaml"
GOOD = """\
title: "Test booth"
language: de
time_limit_min: 2
cases:
  - scenario: {sc}/workshop_quick.yaml
    captions:
      - "Hier geht es los"
      - ~
  - scenario: {sc}/right_gastric_trap.yaml
    label: "Die Reflux-Falle"
"""


def write(tmp_path, text: str, name: str = "pl.yaml"):
    path = tmp_path / name
    path.write_text(text.format(sc=SCENARIOS), encoding="utf-8")
    return path


def test_workshop_playlist_loads_with_its_cases_plans_and_captions():
    pl, problems = load_playlist(WORKSHOP)
    assert problems == []
    ids = [c.case_id for c in pl.cases]
    assert ids == ["workshop_quick", "right_gastric_trap", "replaced_rha_sma"]
    assert pl.spec.language in LANGUAGES and pl.spec.idle_reset_s == 60
    trap = pl.cases[1]
    assert trap.plan_path.name == "right_gastric_trap.plan.yaml" and len(trap.steps) == 8
    assert "right gastric artery arises here" in trap.caption_for(1)
    assert trap.caption_for(3) is None and trap.caption_for(7) is None  # ~ and past the list
    assert pl.time_limit_s(pl.cases[0]) == 180.0  # 3 min, and the case's own limit is 3
    assert pl.time_limit_s(pl.cases[0], minutes=10) == 180.0  # the case's shorter limit wins
    assert pl.time_limit_s(trap, minutes=1.5) == 90.0


def test_paths_are_relative_to_the_playlist_and_defaults_apply(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    rel = os.path.relpath(SCENARIOS / "default.yaml", folder)
    assert rel.startswith("..")
    pl, problems = load_playlist(write(folder, f"cases:\n  - scenario: {rel}\n"))
    assert problems == []
    assert pl.cases[0].scenario_path == SCENARIOS / "default.yaml"
    assert pl.cases[0].plan_path == SCENARIOS / "default.plan.yaml"
    assert pl.spec.title == "Siphon workshop" and pl.spec.time_limit_min == 3.0
    assert pl.spec.language == "en" and pl.spec.howto_s == 20.0
    assert pl.cases[0].label == pl.cases[0].scenario.title  # no label: the case title


def test_a_good_playlist_in_german(tmp_path):
    pl, problems = load_playlist(write(tmp_path, GOOD))
    assert problems == []
    assert pl.spec.language == "de" and pl.cases[1].label == "Die Reflux-Falle"
    assert pl.cases[0].captions == ("Hier geht es los", None)


BROKEN = {
    "language": (
        GOOD.replace("language: de", "language: es"),
        "{p}:2:11: language: 'es' is not one of the allowed values (allowed: en, de, fr)",
    ),
    "time_limit": (
        GOOD.replace("time_limit_min: 2", "time_limit_min: 45"),
        "{p}:3:17: time_limit_min: 45 is above the maximum 30 (allowed: 0.5–30)",
    ),
    "unknown_key": (
        GOOD.replace("time_limit_min: 2", "time_limit_min: 2\nidel_reset_s: 30"),
        "{p}:4:1: idel_reset_s: unknown field 'idel_reset_s' (did you mean 'idle_reset_s'?)",
    ),
    "entry_key": (
        GOOD.replace("    label:", "    lable:"),
        "{p}:10:5: cases[1].lable: unknown field 'lable' (did you mean 'label'?)",
    ),
    "no_cases": (
        'title: "x"\ncases: []\n',
        "{p}:2:8: cases: needs at least 1 item, got 0",
    ),
    "missing_case": (
        GOOD.replace("{sc}/right_gastric_trap.yaml", "nowhere.yaml"),
        "{p}:9:15: cases[1].scenario: cannot find the case 'nowhere.yaml' (looked for "
        "{d}/nowhere.yaml)",
    ),
    "too_many_captions": (
        GOOD.replace("      - ~\n", "      - ~\n      - a\n      - b\n      - c\n"),
        "{p}:11:9: cases[0].captions[4]: caption 5 has no plan step to go with (the plan has "
        "4 steps)",
    ),
    "long_caption": (
        GOOD.replace("Hier geht es los", "x" * 120),
        "{p}:7:9: cases[0].captions[0]: the caption has 120 characters; at most 110 fit on the "
        "booth screen",
    ),
    "duplicate_case": (
        GOOD.replace("right_gastric_trap.yaml", "workshop_quick.yaml"),
        "{p}:9:15: cases[1].scenario: '{sc}/workshop_quick.yaml' is already cases[0] (a case is "
        "listed once; its leaderboard is one)",
    ),
    "missing_plan": (
        GOOD.replace("    label:", "    plan: none.plan.yaml\n    label:"),
        "{p}:10:11: cases[1].plan: cannot find the expert plan {d}/none.plan.yaml",
    ),
    "duplicate_yaml_key": (
        GOOD.replace("language: de", "language: de\nlanguage: fr"),
        "{p}:3:1: duplicate key 'language' (first at line 2)",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_playlist_gives_the_exact_located_message(tmp_path, name):
    text, expected = BROKEN[name]
    path = write(tmp_path, text, f"{name}.yaml")
    pl, problems = load_playlist(path)
    assert pl is None
    want = expected.format(p=path, d=tmp_path, sc=SCENARIOS)
    assert [str(p) for p in problems] == [want]


def test_a_broken_case_is_reported_at_its_entry_and_in_its_own_file(tmp_path):
    bad = tmp_path / "bad_case.yaml"
    bad.write_text(
        (SCENARIOS / "workshop_quick.yaml").read_text().replace("difficulty: 1", "difficulty: 9")
    )
    path = write(tmp_path, GOOD.replace("{sc}/right_gastric_trap.yaml", "bad_case.yaml"))
    pl, problems = load_playlist(path)
    own = f"{bad}:5:13: difficulty: 9 is above the maximum 5 (allowed: 1–5)"
    assert pl is None
    assert [str(p) for p in problems] == [
        own,
        f"{path}:9:15: cases[1].scenario: 'bad_case.yaml' is not a valid case (1 problem; the "
        f"first: {own})",
    ]


def test_validate_command_understands_playlists(tmp_path):
    broken = write(tmp_path, BROKEN["language"][0], "broken.yaml")
    r = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "validate", str(WORKSHOP), str(broken)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 1
    assert r.stdout.splitlines() == [BROKEN["language"][1].format(p=broken)]
    assert is_playlist(WORKSHOP) and not is_playlist(SCENARIOS / "default.yaml")


def test_kiosk_refuses_a_broken_playlist_without_opening_a_window(tmp_path):
    broken = write(tmp_path, BROKEN["missing_case"][0], "broken.yaml")
    r = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "kiosk", "--playlist", str(broken)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [BROKEN["missing_case"][1].format(p=broken, d=tmp_path)]


def test_the_command_line_builds_without_pygame():
    code = (
        "import sys\n"
        "from sim.app.cli import build_parser\n"
        "args = build_parser().parse_args(['kiosk', '--minutes', '2'])\n"
        "assert args.minutes == 2.0 and args.playlist.endswith('workshop.yaml')\n"
        "assert 'pygame' not in sys.modules, 'pygame was imported'\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
