"""Staged cases: a mapping visit's coils and measurements carry into the treatment visit, its
stasis does not; the records keep both visits and a replay reproduces both."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import run_main

from sim.actions import Coil, Finish, Inject, Navigate, NextVisit, SelectAgent, Wait
from sim.app.report.sections import visits_section
from sim.app.report.timeline import timeline
from sim.app.runner import RunError, run_plan, run_recorded
from sim.engine.final import assess_procedure, final_state, visit_outcomes
from sim.engine.navigation import NavigationError
from sim.engine.procedure import Procedure
from sim.engine.y90_plan import case_tn_ratio, inputs_for
from sim.outcome.assess import assess
from sim.records import RecordStore
from sim.records.exchange import export_record, read_replay_file
from sim.records.history import format_history, history_json
from sim.records.replay import ReplayError, parse_actions, replay, verified
from sim.scenario.load import load_scenario

CASE = """\
schema_version: 1
title: "Two visits"
anatomy: {seed: 3, tree_segments: 600}
patient: {prior_lung_dose_gy: 2}
tumors:
  - {id: T1, segment: S6, diameter_mm: 40, tn_ratio: 4}
shunt: {lung_shunt_fraction: 0.12}
agents_available: [{agent: y90_resin}]
visits:
  - kind: mapping
    title: "Mapping"
    limits: {time_min: 20, contrast_ml: 10}
    agents_available: [{agent: maa}, {agent: bland}, {agent: y90_resin}]
  - kind: treatment
    title: "Treatment"
    days_after: 10
    limits: {time_min: 30}
seed: 5
"""

PLAN = """\
actions:
  - navigate: PHA
  - select_agent: {agent: maa, activity_mbq: 150}
  - inject: {volume_ml: 2, rate_ml_min: 5}
  - next_visit
  - navigate: RHA
  - select_agent: {agent: y90_resin, activity_gbq: 1.0}
  - inject: {volume_ml: 3, rate_ml_min: 5}
  - finish
"""


@pytest.fixture(scope="module")
def case_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("visits")
    (folder / "two.yaml").write_text(CASE, encoding="utf-8")
    (folder / "two.plan.yaml").write_text(PLAN, encoding="utf-8")
    return folder / "two.yaml"


@pytest.fixture(scope="module")
def case(case_file):
    sc, problems = load_scenario(case_file)
    assert sc is not None, problems
    return sc


def _mapping(proc: Procedure) -> None:
    proc.apply(Navigate(target="PHA"))
    proc.apply(SelectAgent(agent="maa", activity_mbq=150.0))
    proc.apply(Inject(volume_ml=2.0, rate_ml_min=5.0))


def test_coil_carries_into_the_treatment_visit(case):
    proc = Procedure(case)
    gda = proc.c.vessel_edges("GDA")[0]
    open_flow = float(proc.flow.flow[gda])
    proc.apply(Navigate(target="GDA"))
    proc.apply(Coil())
    proc.apply(NextVisit())
    assert proc.visits.index == 1 and not proc.finished
    assert proc.flow.closed[gda] and [k.at for k in proc.coils.placed] == ["GDA"]
    assert proc.visits.carry.to_dict()["closed_vessels"] == ["GDA"]
    assert float(proc.flow.flow[gda]) < 0.01 * open_flow  # the coiled GDA has no flow
    again = Procedure(case)
    again.apply(NextVisit())  # no coil: the GDA is open in the treatment visit
    assert float(again.flow.flow[gda]) == pytest.approx(open_flow, rel=1e-6)


def test_stasis_of_the_mapping_does_not_carry(case):
    proc = Procedure(case)
    proc.apply(Navigate(target="S6"))
    proc.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    proc.apply(Inject(volume_ml=4.0, rate_ml_min=2.0))
    assert proc.flow.occlusion.max() > 0.5  # the mapping visit did embolize
    proc.apply(NextVisit())
    assert not proc.flow.occlusion.any()
    np.testing.assert_allclose(proc.flow.flow, Procedure(case).flow.flow, rtol=1e-9)
    assert proc.t == 0.0 and proc.events == [] and proc.watch.stasis_level == 0
    assert proc.breadcrumb() == ["coeliac"]  # the catheter starts again at the case start


def test_treatment_planner_sees_the_mapping_measurement(case):
    proc = Procedure(case)
    assert inputs_for(proc.scenario, "y90_resin").lung_shunt_fraction == 0.12  # not measured
    _mapping(proc)
    proc.apply(NextVisit())
    carry = proc.visits.carry
    maa = visit_outcomes(proc)[0]["maa"]  # the mapping visit's MAA study
    assert carry.lung_shunt_fraction == pytest.approx(maa["lung_shunt_fraction"], abs=1e-4)
    assert carry.lung_shunt_fraction != 0.12
    assert inputs_for(proc.scenario, "y90_resin").lung_shunt_fraction == carry.lung_shunt_fraction
    assert proc.scenario.shunt.lung_shunt_fraction == 0.12  # the patient's truth is unchanged
    assert dict(carry.tn_ratio) == proc.scenario.mapping_result.tn_ratio
    assert carry.tn_ratio[0] == ("T1", pytest.approx(maa["tumors"][0]["tn_ratio"], abs=1e-3))
    assert case_tn_ratio(proc.scenario, ("T1",)) == carry.tn_ratio[0][1]  # not the declared 4
    assert proc.scenario.patient.prior_lung_dose_gy == 2.0  # MAA gives the lungs no dose


def test_lung_dose_of_earlier_visits_counts_towards_the_cumulative_limit(case):
    proc = Procedure(case)
    proc.apply(Navigate(target="PHA"))
    proc.apply(SelectAgent(agent="y90_resin", activity_gbq=0.2))
    proc.apply(Inject(volume_ml=5.0, rate_ml_min=5.0))
    proc.apply(NextVisit())
    lung = visit_outcomes(proc)[0]["lung_dose_gy"]
    assert lung > 0 and proc.visits.carry.lung_dose_gy == pytest.approx(lung, abs=1e-3)
    assert proc.scenario.patient.prior_lung_dose_gy == pytest.approx(2.0 + lung, abs=1e-3)
    planned = inputs_for(proc.scenario, "y90_resin")  # what the planner checks
    assert planned.prior_lung_gy == pytest.approx(2.0 + lung, abs=1e-3)


def test_each_visit_has_its_own_limits_and_counters(case):
    proc = Procedure(case)
    _mapping(proc)
    first = proc.metrics.procedure_s
    proc.apply(NextVisit())
    assert proc.metrics.procedure_s == 0.0 and first > 0
    assert proc.limit_tick - proc.visit_tick0 == 30 * 60 * 20  # 30 min of 0.05 s steps
    assert proc.scenario.limits.time_min == 30
    with pytest.raises(NavigationError, match="no next visit"):
        proc.apply(NextVisit())
    assert sum(isinstance(a, NextVisit) for _, a in proc.log) == 1  # a refused one is not logged


def test_next_visit_refused_in_a_one_visit_case_and_in_a_plan(case_file, tmp_path):
    plain = load_scenario(case_file)[0].model_copy(update={"visits": []})
    proc = Procedure(plain)
    with pytest.raises(NavigationError):
        proc.apply(NextVisit())
    plan = tmp_path / "bad.plan.yaml"
    plan.write_text("actions:\n  - next_visit\n  - next_visit\n  - select_agent: {agent: bland}\n")
    with pytest.raises(RunError) as err:
        run_plan(case_file, plan)
    text = str(err.value)
    assert ":3:5: actions[1].next_visit: this case has 2 visits" in text
    assert "actions[2].select_agent: 'bland' is not offered" in text  # not on the treatment shelf
    forged = SimpleNamespace(id=7, actions=[(0, {"next_visit": None})] * 3)
    with pytest.raises(ReplayError) as err:  # a record's next_visit must fit its case too
        parse_actions(forged, plain)
    assert "\n" not in str(err.value) and "action 0" in str(err.value)
    two = load_scenario(case_file)[0]
    with pytest.raises(ReplayError, match="action 1: this case has 2 visits"):
        parse_actions(forged, two)


def test_one_visit_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "one.yaml"
    bad.write_text(CASE.split("visits:")[0] + "visits:\n  - {kind: mapping}\n")
    r = run_main("validate", bad)
    assert r.returncode != 0 and "Traceback" not in r.stderr + r.stdout
    lines = [ln for ln in (r.stdout + r.stderr).splitlines() if "visits" in ln]
    assert lines and lines[0].startswith(f"{bad}:10:") and "allowed: 0, 2 or 3 visits" in lines[0]


@pytest.mark.slow
def test_records_keep_both_visits_and_replay_reproduces_them(case_file, tmp_path):
    with RecordStore(tmp_path) as store:
        proc, out, rid = run_recorded(store, case_file)
        rec = store.get(rid)
    kinds = [v["kind"] for v in rec.outcome["visits"]]
    assert kinds == ["mapping", "treatment"]
    assert rec.outcome["visits"][0]["outcome"]["maa"]["lung_shunt_fraction"] > 0
    assert {"next_visit": None} in [a for _, a in rec.actions]
    again, replayed = replay(rec)  # raises DigestMismatch if either visit differs
    assert replayed.to_dict() == rec.outcome
    assert again.visits.done[0].outcome == proc.visits.done[0].outcome
    cut = [(t, a) for t, a in rec.actions if a != {"next_visit": None}]
    with pytest.raises(ReplayError):  # one visit played as both: another final state
        replay(dataclasses.replace(rec, actions=cut))
    listing = format_history([rec])
    assert "2 visits: mapping → treatment" in listing
    assert history_json([rec])["records"][0]["visits"] == ["mapping", "treatment"]
    path = export_record(rec, tmp_path / "two.siphon.json")
    back = verified(read_replay_file(path))  # the file travels; importing replays both visits
    assert back.digest == rec.digest and back.outcome["visits"] == rec.outcome["visits"]
    html = visits_section(out)
    assert "Visit 1 — mapping" in html and "Lung shunt measured" in html
    rows = timeline(proc, out)
    assert [r.kind for r in rows].count("agent") == 1  # the treatment visit's actions only
    assert max(r.t for r in rows) <= proc.t + 1e-9  # on the treatment's own clock


def test_run_json_lists_both_visits(case_file):
    r = run_main("run", case_file, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    visits = out["visits"]
    assert [v["index"] for v in visits] == [0, 1]
    assert "outcome" in visits[0] and "outcome" not in visits[1]
    assert visits[1]["carry"]["lung_shunt_fraction"] == visits[0]["carry"]["lung_shunt_fraction"]
    assert out["metrics"]["agent_ml"] == 3.0  # the top level is the treatment visit


def test_finish_in_the_mapping_ends_the_case(case):
    proc = Procedure(case)
    proc.apply(Wait(seconds=1.0))
    proc.apply(Finish())
    assert proc.finished and proc.visits.index == 0
    assert [v["kind"] for v in assess_procedure(proc).to_dict()["visits"]] == ["mapping"]


@pytest.mark.slow
def test_window_goes_from_the_mapping_to_the_treatment_visit(case_file, tmp_path):
    import pygame
    from helpers import frames, open_app

    from sim.app.scenes.debrief import DebriefScene
    from sim.app.scenes.procedure import ProcedureScene
    from sim.records.replay import replay
    from sim.scenario.load import LoadedCase

    app = open_app(tmp_path)
    try:
        sc, _ = load_scenario(case_file)
        app.switch(ProcedureScene(app, LoadedCase(case_file, sc, [])))
        frames(app, 2)
        scene = app.scene
        scene.session.select("maa", None, activity_mbq=150.0)
        scene.session.navigate("PHA")
        scene.proc.apply(Inject(volume_ml=2.0, rate_ml_min=5.0))

        def press(k):
            for kind in (pygame.KEYDOWN, pygame.KEYUP):
                pygame.event.post(pygame.event.Event(kind, key=k, mod=0, unicode="", scancode=0))
            frames(app, 2)

        press(pygame.K_f)
        assert app.scene is scene and scene.between is not None  # the between-visits screen
        text = "\n".join(scene.between)
        assert "Visit 1 — mapping" in text and "Lung shunt measured:" in text
        assert "Next: Visit 2 — treatment: Treatment (10 days later)" in text
        tick = scene.proc.tick
        frames(app, 30, dt=0.1)
        assert scene.proc.tick == tick  # the clock waits between the visits
        press(pygame.K_RETURN)
        assert scene.between is None and scene.proc.visits.index == 1
        assert scene.proc.breadcrumb()[-1] == "CHA"  # the window's start, again
        assert scene.session.agent_ids == ["y90_resin"]  # the treatment visit's shelf
        press(pygame.K_f)
        assert isinstance(app.scene, DebriefScene)
        with RecordStore(app.data_dir) as store:
            rec = store.list()[0]
        assert rec.status == "finished" and len(rec.outcome["visits"]) == 2
        replay(rec)  # both visits reproduced (the digest is checked)
    finally:
        pygame.display.quit()


def test_the_mapping_visits_own_limits_count_in_the_case_score(case):
    from sim.actions import Contrast

    proc = Procedure(case)
    proc.apply(Navigate(target="CHA"))
    for _ in range(2):
        proc.apply(Contrast(volume_ml=8.0))  # 16 mL: 6 mL over the mapping's 10 mL
    proc.apply(NextVisit())
    assert proc.metrics.contrast_ml == 0.0  # the treatment visit's own count starts again
    proc.apply(Navigate(target="RHA"))
    proc.apply(SelectAgent(agent="y90_resin", activity_gbq=1.0))
    proc.apply(Inject(volume_ml=25.0, rate_ml_min=10.0))
    proc.apply(Finish())
    out = assess_procedure(proc)
    mine = [p for p in out.penalties if p.name == "mapping: contrast"]
    assert len(mine) == 1 and "16 mL, 6 mL over the case's 10 mL" in mine[0].reason
    plain = assess(final_state(proc))  # the treatment visit alone
    assert plain.score > mine[0].points > 0
    assert out.score == pytest.approx(plain.score - mine[0].points, abs=0.01)
