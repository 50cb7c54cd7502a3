"""Scoring: coverage against the patient's safety, and no points for doing nothing."""

import pytest
from helpers import SCENARIOS

from sim.actions import Finish
from sim.engine.final import assess_procedure
from sim.engine.procedure import Procedure
from sim.outcome.score import SAFETY_FULL_AT_COVERAGE, total_score
from sim.scenario.load import load_scenario


def test_finishing_without_treating_scores_nothing():
    sc, _ = load_scenario(SCENARIOS / "workshop_quick.yaml")
    p = Procedure(sc)
    p.apply(Finish())
    out = assess_procedure(p)
    assert out.score == 0.0
    assert all(c.points == 0.0 for c in out.components)
    assert "safety counts with treatment" in out.components[1].reason


@pytest.mark.parametrize("coverage", [0.0, 0.1, 0.25, 0.5, 0.8, 1.0])
def test_safety_points_are_earned_in_proportion_to_coverage(coverage):
    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    total, comps = total_score(sc, coverage, 0.0, 0.0, 0.0, 0.0)
    safety = sum(c.max for c in comps[1:])
    earned = min(1.0, coverage / SAFETY_FULL_AT_COVERAGE)
    assert total == pytest.approx(comps[0].max * coverage + safety * earned, abs=0.05)


def test_score_rises_with_coverage_and_falls_with_harm():
    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    by_cov = [total_score(sc, c, 0.05, 0.0, 0.0, 300.0)[0] for c in (0.0, 0.2, 0.4, 0.6, 0.9)]
    assert by_cov == sorted(by_cov) and len(set(by_cov)) == len(by_cov)
    by_harm = [
        total_score(sc, 0.9, d, nt, 0.0, 300.0)[0] for d, nt in ((0, 0), (0.1, 0), (0.1, 0.02))
    ]
    assert by_harm == sorted(by_harm, reverse=True) and len(set(by_harm)) == 3


def _metrics(**kw):
    from types import SimpleNamespace

    base = dict(
        fluoro_s=300.0, contrast_ml=10.0, after_stasis_ml=0.0, reflux_ml=0.0, agent_ml={"bland": 3}
    )
    return SimpleNamespace(**(base | kw))


def _card(sc, gda=0.0, lung_gy=0.0, coverage=0.9, metrics=None, risks=(), tumors=()):
    from sim.outcome.penalties import non_target_load
    from sim.outcome.score import grade

    nt = non_target_load({"gastroduodenal": ("duodenum_pancreas", gda)} if gda else {})
    return grade(sc, coverage, 0.02, nt, lung_gy, metrics or _metrics(), tumors, risks, None)


def test_non_target_penalty_keeps_growing_with_the_amount():
    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    scores = [_card(sc, gda=f).score for f in (0.0, 0.003, 0.01, 0.03, 0.84)]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    three, most = _card(sc, gda=0.03), _card(sc, gda=0.84)
    assert most.score <= 40.0 and most.failures[0].startswith("major non-target embolization")
    assert three.score - most.score >= 30.0
    assert not three.failures
    pen = next(p for p in most.penalties if p.name == "non_target")
    assert pen.points > 10 * next(p for p in three.penalties if p.name == "non_target").points
    assert "pancreatitis, duodenal ulcer" in pen.reason


def test_severity_orders_the_territories():
    from sim.outcome.penalties import non_target_load

    at = {k: non_target_load({k: (kind, 0.01)}).load for k, kind in (
        ("falciform", "skin"), ("cystic", "gallbladder"), ("gastroduodenal", "duodenum_pancreas"),
        ("superior_mesenteric", "bowel"),
    )}  # fmt: skip
    assert at["falciform"] < at["cystic"] < at["gastroduodenal"] < at["superior_mesenteric"]


def test_contrast_and_fluoroscopy_beyond_the_case_limits_cost_points():
    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    ok = _card(sc, metrics=_metrics(contrast_ml=150.0)).score
    over = _card(sc, metrics=_metrics(contrast_ml=200.0))
    assert ok - over.score == pytest.approx(10.0, abs=0.01)  # 50 mL × 0.2 points
    assert "50 mL over the case's 150 mL limit" in over.penalties[0].reason
    slow = _card(sc, metrics=_metrics(fluoro_s=70 * 60.0))
    assert any(p.name == "fluoroscopy" and p.points == 10.0 for p in slow.penalties)


def test_agent_after_stasis_and_in_reflux_cost_in_proportion_to_the_volume():
    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    base = _card(sc).score
    lost = [base - _card(sc, metrics=_metrics(after_stasis_ml=v)).score for v in (0.5, 1.5, 2.5)]
    assert lost[0] == 0.0, "the catheter's dead space is free"
    assert lost[2] == pytest.approx(2 * lost[1]) and lost[1] > 0
    reflux = base - _card(sc, metrics=_metrics(reflux_ml=1.0)).score
    assert reflux == pytest.approx(lost[1])


def test_lung_limits_per_treatment_and_cumulative_fail_the_plan():
    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    assert not _card(sc, lung_gy=29.0).failures
    assert _card(sc, lung_gy=31.0).score <= 40.0
    prior = sc.model_copy(
        update={"patient": sc.patient.model_copy(update={"prior_lung_dose_gy": 30})}
    )
    card = _card(prior, lung_gy=25.0)
    assert card.score <= 40.0 and card.failures[0].startswith("cumulative lung dose 55 Gy")


def test_a_risk_above_the_case_threshold_fails_and_one_below_does_not():
    from sim.outcome.result import Complication

    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    high = Complication("liver abscess", 0.85, True, "Kim")
    low = Complication("liver abscess", 0.066, True, "Agahi")
    shown = Complication("carcinoid crisis", 0.9, False, "Kwon")
    assert _card(sc, risks=(high,)).score <= 40.0
    assert not _card(sc, risks=(low, shown)).failures
