"""The Outcome dataclass: its JSON form, and assessing from a declared final state."""

import json

import pytest
from helpers import SCENARIOS

from sim import physiology as phys
from sim.app.runner import run_plan
from sim.engine.final import assess_procedure, final_state
from sim.outcome.assess import assess
from sim.records.digest import state_digest
from sim.scenario.models import Scoring

# The published key order of ``run --json`` (records and digests hash this form).
KEYS = [
    "scenario",
    "seed",
    "score",
    "components",
    "tumor_coverage",
    "normal_liver_damage",
    "normal_liver_damage_by_segment",
    "normal_liver_mass_g",
    "deposition",
    "non_target",
    "non_target_complications",
    "tumors",
    "normal_liver_dose_gy",
    "normal_liver_dose_volume_by_segment",
    "lipiodol_retained_ml",
    "normal_liver_injury",
    "dual_supply",
    "access_lost",
    "lung_dose_gy",
    "sace_level",
    "complications",
    "metrics",
    "events",
    "disclaimer",
    "penalties",
    "failed",
    "goals",
    "y90_intent",
    "perfused_territory",
]


@pytest.fixture(scope="module")
def glass():
    """The Y-90 glass expert plan: dose-volume lists, non-target territories, events."""
    return run_plan(SCENARIOS / "y90_glass_segmentectomy.yaml")


def test_to_dict_round_trips_through_json_in_the_published_order(glass):
    _, out = glass
    d = out.to_dict()
    assert list(d) == KEYS
    assert json.loads(json.dumps(d)) == d, "plain JSON types only"
    assert list(d["tumors"][0]) == [
        "id",
        "target",
        "mass_g",
        "tn_ratio",
        "coverage",
        "deposited_fraction",
        "dose_gy",
        "doxorubicin_mg_per_g",
        "lipiodol_ml",
        "regions",
        "dose_volume",
        "response",
    ]
    t = out.tumors[0]
    assert d["tumors"][0]["regions"] == {"rim": t.rim_coverage, "core": t.core_coverage}
    assert d["tumors"][0]["dose_volume"][1] == {
        "dose_gy": t.dose_volume[1].dose_gy,
        "volume_fraction": t.dose_volume[1].volume_fraction,
    }
    assert d["non_target"] == {n.territory: n.fraction for n in out.non_target}
    assert list(d["non_target"]) == sorted(d["non_target"])
    assert d["events"][-1] == {
        "t": out.events[-1].t,
        "kind": "finish",
        "detail": d["events"][-1]["detail"],
    }
    assert d["score"] == out.score == pytest.approx(sum(c.points for c in out.components))


def test_assessing_reads_the_procedure_and_changes_nothing(glass):
    proc, out = glass
    digest = state_digest(proc, out.to_dict())
    state = final_state(proc)
    assert assess(state) == out == assess_procedure(proc)
    assert state_digest(proc, out.to_dict()) == digest
    assert state.flow is not proc.flow.flow, "the final state is a copy of the flows"


def test_scoring_defaults_are_the_physiology_limits():
    s = Scoring()
    assert s.lung_dose_limit_gy == phys.LUNG_LIMIT_GY
    assert s.normal_liver_tolerance_gy == phys.NORMAL_LIVER_TOLERANCE_GY
