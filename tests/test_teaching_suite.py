"""The teaching suite (``bench/teaching_suite.py``): every case's expert plan holds its own
against the alternatives a fellow or a score-gamer might try.

The quick tests check the suite itself: every case gets the alternatives the issue lists, each
is a legal plan for its case, and the transformations do what their names say. The slow test
runs, per case, the expert plan and the alternatives in :data:`CI_ALTERNATIVES` on one seed and
asserts each one's class (equal: not beating the expert by more than the slack; sub-optimal:
losing by at least the margin; harmful: failing). The full table, on any seeds, is
``python bench/teaching.py --all``; running every alternative here would not fit the CI budget
(a run takes 1–3 s of one core).
"""

from __future__ import annotations

import sys
from functools import cache

import pytest
from helpers import EXPERT_SEED, ROOT, expert_run

sys.path.insert(0, str(ROOT / "bench"))

import teaching_suite as ts  # noqa: E402

from sim.engine.navigation import resolve_target  # noqa: E402
from sim.outcome.dosimetry import lung_dose_gy  # noqa: E402
from sim.scenario.plan import action_from_dict, agent_problem  # noqa: E402

CASES = [p.stem for p in ts.expert_cases()]
SEED = EXPERT_SEED


@cache
def case(stem: str) -> ts.Case:
    return ts.load_case(ts.SCENARIOS / f"{stem}.yaml")


def alts(stem: str) -> dict[str, ts.Alternative]:
    return {a.name: a for a in ts.alternatives(case(stem))}


def test_the_suite_covers_every_case_with_an_expert_plan():
    assert len(CASES) == 16
    assert set(CI_ALTERNATIVES) == set(CASES)
    for stem, names in CI_ALTERNATIVES.items():
        assert set(names) <= set(alts(stem)), stem
    assert {"default", "y90_resin_lsf12", "whipple_abscess"} <= set(CASES)


@pytest.mark.parametrize("stem", CASES)
def test_every_case_gets_the_alternatives_the_issue_lists(stem):
    c = case(stem)
    names = set(alts(stem))
    y90 = any(ts.is_y90(a) for a in c.agents_used)
    what = "activity" if all(ts.by_activity(a) for a in c.agents_used) else "volume"
    need = {"contrast 2× limit", "drip"} | {f"{what} ×{f}" for f in ("1.5", "2", "0.5")}
    lobar = [{"navigate": n} for n in ts.LOBAR]
    navs = [s.navigate for s in c.stops if s.navigate and any("inject" in a for a in s.actions)]
    if any(nav not in lobar for nav in navs):
        need.add("lobar")  # (an expert injecting from a lobar artery already has none)
    need |= {f"agent {a}" for a in c.shelf if a not in c.agents_used}
    if y90:
        need |= {"lung dose 35 Gy", "lung shunt 25%"}
    if any(a in ts.PARTICLES for a in c.shelf):
        need.add("PHA large beads")
    assert need <= names, need - names
    skipped = {t for n in names if n.startswith("skip ") for t in n.split(" ")[1].split(",")}
    targets = {t.id for t in c.scenario.tumors if t.target}
    assert targets <= skipped, f"no alternative skips {targets - skipped}"
    for agent in c.agents_used:
        if agent in ts.PARTICLES:
            menu = c.sizes(agent)
            selects = [a["select_agent"] for a in c.expert if "select_agent" in a]
            first = next(d for d in selects if d["agent"] == agent)
            own = tuple(first.get("size_um") or ts.AGENTS[agent].default_size_um)
            for lo, hi in {menu[0], menu[-1]} - {own}:  # the expert's own size is no alternative
                assert f"{agent} {lo:g}–{hi:g} µm" in names
    assert {a.kind for a in alts(stem).values()} <= {"equal", "suboptimal", "harmful"}


@pytest.mark.parametrize("stem", CASES)
def test_every_alternative_is_a_legal_plan_for_its_case(stem):
    c = case(stem)
    proc = ts.Procedure(c.scenario)
    for alt in alts(stem).values():
        assert alt.actions[-1] == {"finish": None}, alt.name
        visit = 0  # a staged case: each visit has its own shelf
        for item in alt.actions:
            action = action_from_dict(item)
            visit += action.kind == "next_visit"
            if action.kind == "select_agent":
                assert agent_problem(c.scenario, action, visit) is None, (alt.name, item)
            if action.kind == "navigate":
                resolve_target(
                    proc.c, proc.flow, action.target, proc.catheter_radius, proc.liver.tumors
                )


def _injected(plan) -> float:
    return sum(a["inject"]["volume_ml"] for a in plan if "inject" in a)


def _activity(plan) -> float:
    return sum(a["select_agent"].get("activity_gbq") or 0.0 for a in plan if "select_agent" in a)


def test_the_transformations_do_what_their_names_say():
    d = alts("default")
    expert = case("default").expert
    navs = {a["navigate"] for a in d["lobar"].actions if "navigate" in a}
    assert navs == {"RHA"}
    assert _injected(d["volume ×2"].actions) == pytest.approx(2 * _injected(expert))
    assert _injected(d["volume ×0.5"].actions) == pytest.approx(0.5 * _injected(expert))
    drip = d["drip"].actions
    assert sum("inject" in a for a in drip) == ts.DRIP_ALIQUOTS * sum("inject" in a for a in expert)
    assert _injected(drip) == pytest.approx(_injected(expert))
    assert not any("inject" in a for a in d["skip T1"].actions)
    contrast = sum(
        a["contrast"]["volume_ml"] for a in d["contrast 2× limit"].actions if "contrast" in a
    )
    assert contrast >= 2 * case("default").scenario.limits.contrast_ml
    beads = d["PHA large beads"].actions
    assert beads[0] == {"navigate": "PHA"}
    assert beads[1]["select_agent"]["size_um"] == [900.0, 1200.0]


def test_the_y90_alternatives_break_the_rules_they_are_named_for():
    r = alts("y90_resin_lsf12")
    c = case("y90_resin_lsf12")
    lsf = c.scenario.shunt.lung_shunt_fraction
    assert _activity(r["no lung-shunt reduction"].actions) == pytest.approx(
        _activity(c.expert) / 0.8
    )
    assert lung_dose_gy(_activity(r["lung dose 35 Gy"].actions) * lsf) == pytest.approx(
        35.0, rel=0.01
    )
    assert r["lung shunt 25%"].lung_shunt_fraction > 0.20
    g = alts("y90_glass_segmentectomy")["lung dose 35 Gy"].actions
    vials = [a["select_agent"]["activity_gbq"] for a in g if "select_agent" in a]
    assert max(vials) <= ts.VIAL_MAX_GBQ and len(vials) >= 2  # over one vial: given as two
    assert sum("inject" in a for a in g) == len(vials)


def test_a_verdict_names_each_broken_class_and_passes_the_rest():
    assert ts.verdict("equal", 90.0, 90.9) is None
    assert "beats the expert" in ts.verdict("equal", 90.0, 91.5)
    assert ts.verdict("suboptimal", 90.0, 86.9) is None
    assert "loses by 2.0 only" in ts.verdict("suboptimal", 90.0, 88.0)
    assert ts.verdict("harmful", 90.0, 40.0) is None
    assert "should fail" in ts.verdict("harmful", 90.0, 40.5)


# Per case, the alternatives run in CI at SEED (the rest: ``python bench/teaching.py --all``):
# the closest competitor of the expert in the full table and the lesson the case is written
# for; where the expert's particles are the smallest, the next size up (the size lesson:
# 40–120 µm treats at least as well as 100–300 µm). The failing rules have their own tests
# (tests/test_attending_score.py: resin over a 20 % shunt, a lung dose over 30 Gy, bland after a
# Whipple; tests/test_decline.py: declining), so here each runs once, in the case built on it.
CI_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "bilobar_staged": ("volume ×1.5", "skip T2"),
    "caudate_feeders": ("volume ×1.5", "bland 100–300 µm"),
    "ctace_lipiodol": ("volume ×0.5", "bland 900–1200 µm"),
    "deb_multifocal_biloma": ("volume ×1.5", "skip T1,T4,T5"),
    "default": ("agent deb", "volume ×1.5"),
    "heterogeneous": ("skip T2", "volume ×1.5"),
    "lu177_ia_vs_iv": ("IV route", "activity ×2"),
    "replaced_lha_lga": ("volume ×1.5", "bland 100–300 µm"),
    "replaced_rha_sma": ("volume ×1.5", "bland 100–300 µm"),
    "right_gastric_trap": ("volume ×1.5", "lobar"),
    "whipple_abscess": ("activity ×1.5", "agent bland"),
    "workshop_quick": ("volume ×1.5", "bland 100–300 µm"),
    "y90_glass_segmentectomy": ("activity ×0.5", "activity ×2"),
    "y90_high_shunt": ("agent y90_resin", "decline (lung_shunt)"),
    "y90_resin_lsf12": ("activity ×1.5", "no lung-shunt reduction"),
    "y90_two_visit": ("whole liver from the CHA", "whole liver from the PHA", "activity ×1.5"),
}


@pytest.mark.slow
@pytest.mark.parametrize("stem", CASES)
def test_the_expert_plan_holds_against_its_alternatives(stem):
    c = case(stem)
    expert = expert_run(c.path).outcome.score  # ts.run(c, c.expert, SEED), run once
    by_name = alts(stem)
    broken = []
    for name in CI_ALTERNATIVES[stem]:
        alt = by_name[name]
        got = ts.run(c, alt.actions, SEED, alt.lung_shunt_fraction).score
        why = ts.verdict(alt.kind, expert, got)
        if why:
            broken.append(f"{name} ({alt.kind}): {why}")
    assert not broken, f"{stem}: expert {expert:.1f}; " + "; ".join(broken)
