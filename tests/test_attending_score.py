"""A score an attending would sign: the issue's example plans, run end to end.

Failing plans are capped at 40 with the reason first; a target left untreated costs at least a
quarter; pushing past stasis costs points and fails the endpoint goal.
"""

import pytest
from helpers import SCENARIOS

from sim.actions import Contrast, Finish, Inject, Navigate, SelectAgent, Wait
from sim.app.runner import run_plan, run_steps
from sim.engine.final import assess_procedure
from sim.engine.procedure import Procedure
from sim.outcome.penalties import FAIL_CAP, non_target_load
from sim.scenario.load import load_scenario
from sim.scenario.models import Shunt
from sim.scenario.plan import load_plan

SEED = 1


def _case(name: str, **update):
    sc, problems = load_scenario(SCENARIOS / f"{name}.yaml")
    assert not problems
    return sc.model_copy(update=update) if update else sc


def _run(sc, actions):
    proc = Procedure(sc, SEED)
    for a in actions:
        if proc.finished:
            break
        proc.apply(a)
    if not proc.finished:
        proc.apply(Finish())
    return assess_procedure(proc)


def _expert(sc, name: str):
    steps, problems = load_plan(SCENARIOS / f"{name}.plan.yaml")
    assert not problems
    proc = Procedure(sc, SEED)
    run_steps(proc, steps)
    return assess_procedure(proc)


def _goal(out, text_start: str):
    return next(g for g in out.goals if g.goal.startswith(text_start))


@pytest.mark.slow
def test_bland_embolization_after_a_whipple_fails_with_the_abscess_risk_first():
    sc = _case("whipple_abscess")
    out = _run(
        sc,
        [
            Navigate(target="RP"),
            SelectAgent(agent="bland", size_um=(100.0, 300.0)),
            Inject(volume_ml=3.0, rate_ml_min=1.0),
        ],
    )
    assert out.score <= FAIL_CAP
    assert out.failures and out.failures[0].startswith("liver abscess risk 85 %")
    assert not _goal(out, "Know the abscess risk").met
    assert not _goal(out, "Prefer radioembolization").met


@pytest.mark.slow
def test_resin_with_a_25_percent_lung_shunt_fails():
    sc = _case("y90_resin_lsf12")
    sc = sc.model_copy(update={"shunt": sc.shunt.model_copy(update={"lung_shunt_fraction": 0.25})})
    out = _expert(sc, "y90_resin_lsf12")
    assert out.score <= FAIL_CAP
    assert any(f.startswith("resin Y-90 given with a 25 % lung shunt") for f in out.failures)
    assert any(p.name == "failed" for p in out.penalties)


@pytest.mark.slow
def test_glass_with_a_lung_dose_over_30_gy_fails_and_the_expert_does_not():
    sc = _case("y90_glass_segmentectomy")
    out = _run(
        sc,
        [
            Navigate(target="S5"),
            SelectAgent(agent="y90_glass", activity_gbq=20.0),
            Inject(volume_ml=20.0, rate_ml_min=5.0),
        ],
    )
    assert out.lung_dose_gy > 30.0
    assert out.score <= FAIL_CAP
    assert out.failures[0].startswith(f"lung dose {out.lung_dose_gy:.0f} Gy is above the 30 Gy")
    assert _goal(out, "Deliver an ablative dose").met  # a lung failure is not an intent failure
    expert = _expert(sc, "y90_glass_segmentectomy")
    assert not expert.failures and expert.score > 80.0
    assert expert.y90_intent is not None and expert.y90_intent.met
    assert expert.y90_intent.dose_gy >= 190.0


@pytest.mark.slow
def test_one_of_two_targets_left_untreated_costs_at_least_a_quarter():
    sc = _case("heterogeneous")
    both = _expert(sc, "heterogeneous")
    one = _run(
        sc,
        [
            Navigate(target="feeder:T1"),
            SelectAgent(agent="bland", size_um=(100.0, 300.0)),
            Inject(volume_ml=4.0, rate_ml_min=1.5),
            Contrast(volume_ml=2.0, rate_ml_s=0.5),
            Inject(volume_ml=3.0, rate_ml_min=1.5),
        ],
    )
    assert {t.id: t.coverage < 0.2 for t in one.tumors} == {"T1": False, "T2": True}
    assert one.score <= 0.75 * both.score
    assert any(p.name == "untreated_target" and "T2" in p.reason for p in one.penalties)
    every = [g for g in one.goals if g.reason.startswith("coverage") and "T2" in g.reason]
    assert every and not any(g.met for g in every)
    # Both targets treated from their own feeders: the expert meets every goal.
    assert any("T2" in g.reason for g in both.goals)
    assert all(g.met for g in both.goals)


@pytest.mark.slow
def test_five_minutes_past_stasis_loses_points_and_fails_the_endpoint_goal():
    sc = _case("default")
    expert = _expert(sc, "default")
    steps, _ = load_plan(SCENARIOS / "default.plan.yaml")
    actions = [s.action for s in steps if not isinstance(s.action, Finish)]
    late = _run(sc, [*actions, Inject(volume_ml=5.0, rate_ml_min=1.0), Wait(seconds=1.0)])
    assert late.metrics.after_stasis_ml > expert.metrics.after_stasis_ml + 4.5
    assert late.score < expert.score - 15.0
    assert any(p.name == "after_stasis" for p in late.penalties)
    assert _goal(expert, "Stop at the endpoint").met
    stop = _goal(late, "Stop at the endpoint")
    assert stop.met is False and "after stasis" in stop.reason


@pytest.mark.slow
def test_large_beads_from_the_cha_fill_the_gda_and_fail():
    """The issue's plan (large beads proximally; from the CHA most of it goes to the GDA)."""
    sc = _case("default")
    out = _run(
        sc,
        [
            Navigate(target="CHA"),
            SelectAgent(agent="bland", size_um=(900.0, 1200.0)),
            Inject(volume_ml=3.0, rate_ml_min=2.0),
        ],
    )
    gda = next(d.fraction for d in out.non_target if d.territory == "gastroduodenal")
    assert gda > 0.5
    assert out.score <= FAIL_CAP
    assert out.failures[0].startswith("major non-target embolization: ")
    assert "gastroduodenal (pancreatitis, duodenal ulcer" in out.failures[0]


def test_every_expert_plan_still_passes_on_seed_1():
    """No expert plan of the library fails its case (the goldens hold all three seeds)."""
    import json

    from golden import GOLDEN, expert_cases

    for case in expert_cases():
        out = json.loads(json.loads((GOLDEN / f"{case.stem}.seed1.json").read_text())["run_json"])
        assert out["failed"] == [], case.stem
        assert out["score"] > FAIL_CAP, case.stem


def test_run_json_has_the_graded_goals():
    _, out = run_plan(SCENARIOS / "workshop_quick.yaml", None, SEED)
    goals = out.to_dict()["goals"]
    assert [g["goal"] for g in goals] == ["Selective beats lobar.", "Stop at the endpoint."]
    assert all(set(g) == {"goal", "met", "reason"} for g in goals)
    assert all(isinstance(g["met"], bool) and g["reason"] for g in goals)


def test_lung_passage_counts_for_particles_and_for_oil():
    particles = non_target_load({"lungs": ("lungs", 0.04)})
    oil = non_target_load({"lungs_oil": ("lungs_oil", 0.04)})
    assert particles.load > 0 and oil.load > 0
    assert "pulmonary embolism" in particles.reason
    assert "pulmonary oil embolism" in oil.reason
    # lighter than reflux into the GDA, and no plateau: more in the lungs costs more
    assert oil.load < non_target_load({"gda": ("duodenum_pancreas", 0.04)}).load
    assert non_target_load({"lungs_oil": ("lungs_oil", 0.08)}).load == pytest.approx(2 * oil.load)


@pytest.mark.slow
def test_lipiodol_through_tumour_shunts_is_scored_as_oil_embolism():
    sc = _case("default", shunt=Shunt(lung_shunt_fraction=0.15))
    out = _run(
        sc,
        [
            Navigate(target="feeder:T1"),
            SelectAgent(agent="lipiodol"),
            Inject(volume_ml=2.0, rate_ml_min=2.0),
        ],
    )
    oil = next(d for d in out.non_target if d.territory == "lungs_oil")
    assert oil.fraction > 0.01 and "oil embolism" in oil.complication
    nt = next(c for c in out.components if c.name == "non_target")
    assert nt.points < nt.max and "pulmonary oil embolism" in nt.reason
