"""`python main.py run`: JSON fields, determinism, and clear one-line errors for bad plans."""

import json
import os

import pytest
from helpers import SCENARIOS
from helpers import run_main as run

DEFAULT = str(SCENARIOS / "default.yaml")
NO_DISPLAY_VARS = ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")


@pytest.fixture(scope="module")
def default_json():
    r = run("run", DEFAULT, "--json")
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_json_has_every_field(default_json):
    o = json.loads(default_json)
    for k in (
        "score",
        "tumor_coverage",
        "normal_liver_damage",
        "normal_liver_mass_g",
        "deposition",
        "non_target",
        "tumors",
        "normal_liver_dose_gy",
        "lung_dose_gy",
        "metrics",
        "events",
    ):
        assert k in o, k
    assert set(o["deposition"]) == {"tumor", "normal_liver", "non_target", "lung", "in_flight"}
    assert abs(sum(o["deposition"].values()) - 1.0) < 1e-3
    t = o["tumors"][0]
    for k in ("id", "mass_g", "tn_ratio", "coverage", "deposited_fraction", "dose_gy"):
        assert k in t
    for k in ("procedure_s", "fluoro_s", "contrast_ml", "agent_ml", "activity_gbq"):
        assert k in o["metrics"]
    assert all({"t", "kind", "detail"} <= set(e) for e in o["events"])
    assert 0 <= o["score"] <= 100
    assert o["tumor_coverage"] > 0.5, "the expert plan treats the tumour"


@pytest.mark.slow
def test_same_seed_is_byte_identical_and_other_seed_differs(default_json):
    again = run("run", DEFAULT, "--json")
    assert again.stdout == default_json
    other = run("run", DEFAULT, "--json", "--seed", "12345")
    assert other.returncode == 0
    assert other.stdout != default_json


def test_readable_output_and_disclaimer():
    r = run("run", DEFAULT)
    assert r.returncode == 0
    assert "SCORE" in r.stdout and "not a clinical planning device" in r.stdout


BAD_PLANS = {
    "unknown_vessel": (
        "actions:\n  - navigate: RHAA\n  - finish\n",
        "plan.yaml:2:5: actions[0].navigate: unknown vessel 'RHAA' (did you mean 'RHA'?)",
    ),
    "negative_volume": (
        "actions:\n  - navigate: RHA\n  - inject: {volume_ml: -4, rate_ml_min: 2}\n",
        "plan.yaml:3:25: actions[1].inject.volume_ml: -4 is too small; it must be "
        "more than 0 (allowed: more than 0 and at most 100)",
    ),
    "unknown_agent": (
        "actions:\n  - select_agent: {agent: blandd}\n",
        "plan.yaml:2:27: actions[0].select_agent.agent: 'blandd' is not one of "
        "the allowed values (did you mean 'bland'?)",
    ),
    "unknown_action": (
        "actions:\n  - injec: {volume_ml: 4}\n",
        "plan.yaml:2:5: actions[0]: unknown action 'injec' (did you mean 'inject'?)",
    ),
}


def run_plan_file(folder):
    """Run the default case with ``plan.yaml`` from ``folder`` (paths as a user types them)."""
    return run("run", DEFAULT, "--plan", "plan.yaml", cwd=folder)


@pytest.mark.parametrize("name", sorted(BAD_PLANS))
def test_bad_plan_exits_2_with_one_located_line(tmp_path, name):
    text, expected = BAD_PLANS[name]
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    r = run_plan_file(tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(expected), lines[0]
    assert "Traceback" not in r.stderr


def test_unreachable_vessel_is_refused_with_its_calibre(tmp_path):
    from sim.engine.procedure import Procedure
    from sim.scenario.load import load_scenario

    sc, _ = load_scenario(DEFAULT)
    c = Procedure(sc).c
    e = next(
        e
        for e in range(c.n_edges)
        if not c.is_bed[e]
        and c.names[e].startswith("S6.")
        and c.radius[e] < 0.3e-3
        and c.names[e] != c.names[e - 1]
    )
    name = c.names[e]
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"actions:\n  - navigate: {name}\n  - finish\n")
    r = run_plan_file(tmp_path)
    assert r.returncode == 2
    narrow = next(
        k for k in c.path_to(int(c.edge_to[c.vessel_edges(name)[-1]])) if c.radius[k] <= 0.45e-3
    )
    assert r.stderr.strip() == (
        f"plan.yaml:2:5: actions[0].navigate: the 0.90 mm catheter cannot enter "
        f"{c.names[narrow]} ({2e3 * c.radius[narrow]:.2f} mm)"
    )


@pytest.mark.parametrize(
    "cmd",
    [["window"], ["demo", "scenarios/workshop_quick.yaml"], ["kiosk"]],
)
def test_window_commands_without_a_display_say_so_and_stop(cmd, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NO_DISPLAY_VARS}
    r = run(*cmd, "--data-dir", tmp_path, env=env)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("no display here, so the window cannot open")
    assert "Traceback" not in r.stderr


def test_case_without_an_expert_plan_says_so(tmp_path):
    case = tmp_path / "lonely.yaml"
    case.write_text((SCENARIOS / "workshop_quick.yaml").read_text(encoding="utf-8"), "utf-8")
    r = run("run", str(case))
    assert r.returncode == 2
    assert r.stderr.strip() == (
        f"{case}:1:1: no --plan given and no expert plan beside it (lonely.plan.yaml)"
    )
