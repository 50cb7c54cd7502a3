"""Coils: the tip's vessel closed for good, flow and particles redistributed, access refused."""

from __future__ import annotations

import pytest
from helpers import ROOT

from sim.actions import Coil, Finish, Inject, Navigate, SelectAgent, to_dict
from sim.engine.final import assess_procedure
from sim.engine.navigation import NavigationError
from sim.engine.procedure import Procedure
from sim.scenario.load import load_scenario
from sim.scenario.models import ExtraVessel
from sim.scenario.plan import ActionFormError, action_from_dict
from sim.units import m3_s_to_ml_min


def _case(stem: str):
    sc, problems = load_scenario(ROOT / "scenarios" / f"{stem}.yaml")
    assert sc is not None, problems
    return sc


def _bed_edge(proc: Procedure, territory: str) -> int:
    c = proc.c
    return next(int(c.bed_edge[i]) for i, b in enumerate(c.beds) if b.territory == territory)


def _bland_from_cha(coil_gda: bool) -> dict:
    proc = Procedure(_case("default"), seed=1)
    if coil_gda:
        proc.apply(Navigate(target="GDA"))
        proc.apply(Coil())
    proc.apply(Navigate(target="CHA"))
    proc.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    proc.apply(Inject(volume_ml=2.0, rate_ml_min=2.0))
    proc.apply(Finish())
    return assess_procedure(proc).to_dict()


def test_gda_deposits_from_the_cha_disappear_once_the_gda_is_coiled():
    before = _bland_from_cha(coil_gda=False)
    after = _bland_from_cha(coil_gda=True)
    assert before["non_target"].get("gastroduodenal", 0.0) > 0.05
    assert "gastroduodenal" not in after["non_target"]
    assert "coils" not in before  # a run without coils prints what it always printed
    assert after["coils"] == [{"at": "GDA", "proximal_hepatic": False, "t": pytest.approx(4.0)}]
    assert [e["kind"] for e in after["events"]].count("coil") == 1


def test_a_coil_pulls_the_catheter_back_and_the_cha_then_feeds_only_the_liver():
    proc = Procedure(_case("default"), seed=1)
    cha, gda = proc.c.vessel_edges("CHA")[0], proc.c.vessel_edges("GDA")[0]
    pha = proc.c.vessel_edges("PHA")[0]
    pha_before = float(proc.flow.flow[pha])
    proc.apply(Navigate(target="GDA"))
    proc.apply(Coil())
    assert proc.breadcrumb() == ["coeliac", "CHA"]
    q = proc.flow.flow
    assert m3_s_to_ml_min(abs(float(q[gda]))) < 1e-3
    assert float(q[pha]) > pha_before  # less drop along the CHA: a little more to the liver
    assert float(q[pha]) == pytest.approx(float(q[cha]), rel=1e-6)  # all of the CHA's flow


def test_a_proximal_hepatic_coil_blocks_access_beyond_it_and_is_reported():
    proc = Procedure(_case("default"), seed=1)
    proc.apply(Navigate(target="PHA"))
    proc.apply(Coil())
    with pytest.raises(NavigationError, match="PHA is closed by coils.*RHA"):
        proc.apply(Navigate(target="RHA"))
    with pytest.raises(NavigationError, match="closed by coils"):
        proc.apply(Navigate(target="feeder:T1"))
    proc.apply(Navigate(target="GDA"))  # the CHA's other branch is still open
    proc.apply(Finish())
    out = assess_procedure(proc).to_dict()
    assert out["coils"][0]["at"] == "PHA" and out["coils"][0]["proximal_hepatic"] is True
    coil = next(e for e in out["events"] if e["kind"] == "coil")
    assert "proximal hepatic coil" in coil["detail"]


def test_a_coil_survives_what_reopens_embolic_occlusion():
    proc = Procedure(_case("default"), seed=1)
    proc.apply(Navigate(target="GDA"))
    proc.apply(Coil())
    gda = proc.c.vessel_edges("GDA")[0]
    proc.flow.occlusion[:] = 0.0  # stasis resolved, e.g. between two visits
    proc.flow.solve()
    assert m3_s_to_ml_min(abs(float(proc.flow.flow[gda]))) < 1e-3
    later = Procedure(proc.scenario, seed=2)  # the treatment visit carries the coils over
    later.coils.restore(proc.coils.placed)
    later.flow.solve()
    assert m3_s_to_ml_min(abs(float(later.flow.flow[gda]))) < 1e-3
    with pytest.raises(NavigationError, match="GDA is closed by coils"):
        later.apply(Navigate(target="GDA"))


def test_coils_are_refused_where_they_cannot_go_without_changing_anything():
    proc = Procedure(_case("default"), seed=1)  # the catheter waits in the coeliac trunk
    with pytest.raises(NavigationError, match="coeliac"):
        proc.apply(Coil())
    assert proc.log == [] and not proc.flow.closed.any() and proc.coils.placed == []
    proc.apply(Finish())
    with pytest.raises(NavigationError, match="finished"):
        proc.apply(Coil())


def test_a_collateral_from_the_sma_resupplies_the_coiled_gda_territory():
    sc = _case("replaced_rha_sma")  # Michels III: the SMA is drawn
    arcade = ExtraVessel(
        name="PDA", kind="collateral", from_vessel="SMA", to_vessel="GDA", length_mm=60.0
    )
    with_arcade = sc.model_copy(
        update={"anatomy": sc.anatomy.model_copy(update={"extra_vessels": [arcade]})}
    )
    fed = {}
    for name, case in (("none", sc), ("arcade", with_arcade)):
        proc = Procedure(case, seed=1)
        proc.apply(Navigate(target="GDA"))
        proc.apply(Coil())
        fed[name] = m3_s_to_ml_min(float(proc.flow.flow[_bed_edge(proc, "gastroduodenal")]))
    assert fed["none"] < 1e-3  # no collateral: the coiled artery's bed stagnates
    assert fed["arcade"] > 50.0  # resupplied through the arcade


def test_plan_files_write_and_read_coil_and_decline():
    assert action_from_dict("coil") == Coil()
    d = action_from_dict({"decline": {"reason": "lung_shunt"}})
    assert d.kind == "decline" and d.reason == "lung_shunt"
    assert to_dict(Coil()) == {"coil": None}
    assert to_dict(d) == {"decline": {"reason": "lung_shunt"}}
    with pytest.raises(ActionFormError, match="reason"):
        action_from_dict({"decline": {"reason": "bored"}})


def test_a_record_with_coils_and_a_decline_replays_bit_for_bit(tmp_path):
    from sim.app.runner import run_recorded
    from sim.records.digest import state_digest
    from sim.records.replay import replay
    from sim.records.store import RecordStore

    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "actions:\n  - navigate: GDA\n  - coil\n  - decline: {reason: lung_shunt}\n",
        encoding="utf-8",
    )
    with RecordStore(tmp_path / "db") as store:
        proc, out, rid = run_recorded(store, ROOT / "scenarios" / "y90_high_shunt.yaml", plan)
        rec = store.get(rid)
    assert rec.status == "finished" and out.decline.right and out.coils[0].at == "GDA"
    again, out2 = replay(rec)
    assert out2 == out and again.log == proc.log
    assert state_digest(again, out2.to_dict()) == rec.digest
