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
