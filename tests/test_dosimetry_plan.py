"""Y-90 planning from the catheter tip (issue 14 item 3): the numbers equal the reference's
formulas and worked examples (reference.md §4.4), the territory is the tip's, the command's
JSON and its exit-2 paths."""

from __future__ import annotations

import json

import pytest
from helpers import SCENARIOS, open_app, scenario

from sim.app.cli import main
from sim.engine.navigation import resolve_target
from sim.engine.procedure import Procedure
from sim.engine.y90_plan import (
    PlanInputs,
    Territory,
    injection_plans,
    inputs_for,
    perfused_territory,
    plan_from_tip,
)
from sim.outcome.dosimetry import (
    bsa_activity_gbq,
    bsa_m2,
    decay_factor,
    lsf_reduction,
    tumor_dose_band,
    vial_for,
)
from sim.scenario.load import load_scenario

K = 49.67  # the reference's constant (§4.1)


def territory(tumor_g: float, normal_g: float, liver_g: float | None = None) -> Territory:
    liver = tumor_g + normal_g if liver_g is None else liver_g
    return Territory("X", tumor_g, normal_g, liver, tumor_g, ("T1",), ())


def inputs(**kw) -> PlanInputs:
    base = dict(
        agent="y90_glass",
        method="mird",
        target_gy=120.0,
        lung_shunt_fraction=0.05,
        tn_ratio=3.0,
        weight_kg=70.0,
        height_cm=170.0,
    )
    return PlanInputs(**(base | kw))


def test_mird_worked_example_5():
    """120 Gy to a 1.03-kg lobe, LSF 5 % → 2.60 GBq and 6.5 Gy lung (k = 50; §4.4 ex. 5)."""
    p = plan_from_tip(territory(0.0, 1030.0), inputs())
    assert p.activity_gbq == pytest.approx(120 * 1.03 / (K * 0.95), rel=1e-12)
    assert p.activity_gbq == pytest.approx(2.60, rel=0.01)
    assert p.lung_gy == pytest.approx(6.5, rel=0.01)
    assert p.mean_gy == pytest.approx(120.0, rel=1e-12)


def test_partition_worked_example_6():
    """M_T 0.3 kg, M_NL 1.2 kg, T/N 3, LSF 10 %, D_T 210 Gy → 3.27 GBq, lung 16.3 Gy (ex. 6)."""
    i = inputs(method="partition", target_gy=210.0, lung_shunt_fraction=0.10)
    p = plan_from_tip(territory(300.0, 1200.0), i)
    assert p.activity_gbq == pytest.approx(210 * 2.1 / (K * 0.9 * 3), rel=1e-12)
    assert p.activity_gbq == pytest.approx(3.27, rel=0.01)
    assert p.lung_gy == pytest.approx(16.3, rel=0.01)
    assert p.tumor_gy == pytest.approx(210.0, rel=1e-9)
    assert p.normal_liver_gy == pytest.approx(70.0, rel=1e-9)


def test_bsa_worked_example_7_and_the_perfused_share():
    """BSA 1.8 m², tumour 25 %, LSF 12 % → 1.48 GBq (ex. 7); a lobe of 40 % gets 40 % of it."""
    assert bsa_activity_gbq(1.8, 0.25, 0.12) == pytest.approx(1.48, abs=0.005)
    i = inputs(agent="y90_resin", method="bsa", lung_shunt_fraction=0.12)
    whole = plan_from_tip(territory(250.0, 750.0), i)
    expected = (bsa_m2(70.0, 170.0) - 0.2 + 0.25) * 0.8
    assert whole.activity_gbq == pytest.approx(expected, rel=1e-12)
    lobe = plan_from_tip(Territory("X", 100.0, 300.0, 1000.0, 250.0, ("T1",), ()), i)
    assert lobe.activity_gbq == pytest.approx(0.4 * expected, rel=1e-12)


def test_dubois_known_value():
    """70 kg, 170 cm: 1.81 m² (DuBois; Mosteller would give 1.818)."""
    assert bsa_m2(70.0, 170.0) == pytest.approx(1.8097, abs=5e-4)


@pytest.mark.parametrize(
    ("lsf", "factor"),
    [(0.10, 1.0), (0.1001, 0.8), (0.15, 0.8), (0.1501, 0.6), (0.20, 0.6), (0.2001, None)],
)
def test_lung_shunt_reductions_at_the_band_edges(lsf, factor):
    assert lsf_reduction(lsf) == factor
    p = plan_from_tip(
        territory(100.0, 900.0),
        inputs(agent="y90_resin", method="bsa", lung_shunt_fraction=lsf),
    )
    assert (p.activity_gbq is None) == (factor is None)
    assert any("do not treat" in w for w in p.warnings) == (factor is None)


def test_lung_limits_per_treatment_and_cumulative():
    p = plan_from_tip(territory(0.0, 1500.0), inputs(lung_shunt_fraction=0.2))
    assert p.lung_gy > 30.0 and any("per treatment" in w for w in p.warnings)
    q = plan_from_tip(territory(0.0, 1030.0), inputs(prior_lung_gy=45.0))
    assert q.lung_gy < 30.0
    assert any("cumulative" in w for w in q.warnings)
    assert not any(
        "cumulative" in w for w in plan_from_tip(territory(0.0, 1030.0), inputs()).warnings
    )
    sc = scenario()
    sc = sc.model_copy(
        update={"patient": sc.patient.model_copy(update={"prior_lung_dose_gy": 45.0})}
    )
    assert inputs_for(sc, "y90_glass").prior_lung_gy == 45.0  # the case's earlier treatments
    assert inputs_for(sc, "y90_glass", prior_lung_gy=0.0).prior_lung_gy == 0.0


def test_decay_vials_and_bands():
    assert decay_factor(64.1) == pytest.approx(0.5, rel=1e-12)
    assert vial_for("y90_glass", 1.4, 64.1) == 3.0  # 3 GBq → 1.5 GBq after one half-life
    assert vial_for("y90_glass", 2.0, 64.1) == 5.0
    assert vial_for("y90_glass", 10.5, 64.1) is None  # a 20-GBq vial holds 10 by then
    assert vial_for("y90_resin", 2.5, 0.0) == 3.0 and vial_for("y90_resin", 2.5, 24.0) is None
    assert "below" in tumor_dose_band(100.0)
    assert "segmentectomy" in tumor_dose_band(190.0) and "D50" in tumor_dose_band(292.0)


@pytest.fixture(scope="module")
def segmentectomy():
    sc, _ = load_scenario(SCENARIOS / "y90_glass_segmentectomy.yaml")
    p = Procedure(sc)

    def plan(at: str, method: str = "mird"):
        node, _ = resolve_target(p.c, p.flow, at, p.catheter_radius, p.liver.tumors)
        return plan_from_tip(
            perfused_territory(p.c, node, at), inputs_for(sc, "y90_glass", method), sc
        )

    return p, plan


def test_segmentectomy_plans_from_the_segment_mass(segmentectomy):
    p, plan = segmentectomy
    s5, pha = plan("S5"), plan("PHA")
    s5_mass = sum(b.mass_g for b in p.c.beds if b.segment == "S5" and b.kind in ("liver", "tumor"))
    assert s5.territory.mass_g == pytest.approx(s5_mass, rel=1e-9)
    assert s5.territory.tumor_ids == ("T1",) and s5.territory.mass_g < 0.2 * pha.territory.mass_g
    assert s5.activity_gbq < 0.2 * pha.activity_gbq
    assert s5.mean_gy == pytest.approx(200.0, rel=1e-9)  # the case's 200 Gy to the segment
    # the measurement: the whole-liver partition plan proposed 1.64 GBq
    assert plan("PHA", "partition").activity_gbq == pytest.approx(1.64, abs=0.01)
    assert plan("S5", "partition").activity_gbq < 0.3


def test_debrief_plans_are_the_injection_tips():
    """One plan per tip and device Y-90 was injected from, as the calculator computed it."""
    from sim.actions import Inject, Navigate, SelectAgent

    sc, _ = load_scenario(SCENARIOS / "y90_glass_segmentectomy.yaml")
    p = Procedure(sc)
    p.apply(Navigate(target="S5"))
    p.apply(SelectAgent(agent="y90_glass", activity_gbq=1.0))
    p.apply(Inject(volume_ml=0.5, rate_ml_min=5.0))
    p.apply(Inject(volume_ml=0.5, rate_ml_min=5.0))
    plans = injection_plans(p)
    assert [x.territory.at for x in plans] == ["S5"]
    assert plans[0].activity_gbq == pytest.approx(0.8746, abs=1e-3)


def test_territory_lists_extrahepatic_beds_below_the_tip():
    sc = scenario()
    p = Procedure(sc)
    node, _ = resolve_target(p.c, p.flow, "CHA", p.catheter_radius, p.liver.tumors)
    t = perfused_territory(p.c, node, "CHA")
    assert "gastroduodenal" in " ".join(t.extrahepatic)
    plan = plan_from_tip(t, inputs_for(sc, "y90_glass"), sc)
    assert any("extrahepatic" in w for w in plan.warnings)


KEYS = {
    "perfused_mass_g",
    "perfused_tumor_mass_g",
    "perfused_normal_mass_g",
    "lung_shunt_fraction",
    "tn_ratio",
    "activity_gbq",
    "predicted",
    "warnings",
}


def test_command_json(capsys):
    case = str(SCENARIOS / "y90_resin_lsf12.yaml")
    rc = main(["dosimetry", case, "--at", "RHA", "--agent", "y90_resin", "--tn", "3", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and KEYS <= set(out)
    assert set(out["predicted"]) >= {"tumor_gy", "normal_liver_gy", "lung_gy"}
    assert out["tn_ratio"] == 3.0 and out["lung_shunt_fraction"] == pytest.approx(0.12)
    assert out["method"] == "bsa" and out["activity_gbq"] > 0


@pytest.mark.parametrize(
    "extra",
    [
        ["--at", "S9", "--agent", "y90_glass"],
        ["--at", "S5", "--agent", "bland"],
        ["--at", "S5", "--agent", "y90_glass", "--method", "bsa"],
        ["--at", "S5", "--agent", "y90_glass", "--method", "voxel"],
        ["--at", "S5", "--agent", "y90_glass", "--tn", "x"],
        ["--at", "S5", "--agent", "y90_glass", "--lsf", "0.9"],
        ["--agent", "y90_glass"],
    ],
)
def test_command_bad_input_is_one_line_and_exit_2(capsys, extra):
    rc = main(["dosimetry", str(SCENARIOS / "y90_glass_segmentectomy.yaml"), *extra])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("dosimetry: ") and err.count("\n") == 1


def test_command_text_shows_the_working(capsys):
    case = str(SCENARIOS / "y90_glass_segmentectomy.yaml")
    assert main(["dosimetry", case, "--at", "S5", "--agent", "y90_glass", "--hours", "24"]) == 0
    out = capsys.readouterr().out
    assert "MIRD: A = D × M / (k (1 − LSF))" in out and "Territory from S5" in out
    assert "after 24 h" in out


def _glass_window(tmp_path):
    """A headless window on the glass segmentectomy case's procedure, one frame drawn."""
    from sim.app.scenes.procedure import ProcedureScene
    from sim.scenario.load import LoadedCase

    app = open_app(tmp_path)
    path = SCENARIOS / "y90_glass_segmentectomy.yaml"
    sc, _ = load_scenario(path)
    app.switch(ProcedureScene(app, LoadedCase(path, sc, [])))
    app.frame(1 / 60)
    return app


def test_window_calculator_plans_from_the_tip(tmp_path):
    """The panel's Y-90 block works out the plan for the tip's territory (S5), not the liver."""
    import pygame

    from sim.actions import Inject
    from sim.app.scenes.debrief import DebriefScene

    app = _glass_window(tmp_path)
    try:
        s = app.scene.session
        s.navigate("S5")
        assert s.proc.agent.activity_gbq == 0.87  # the untouched vial follows the tip's plan
        s.select("y90_glass", None)
        app.frame(1 / 60)
        text = " ".join(app.scene.panel._planning_lines())
        c = s.proc.c
        s5 = sum(b.mass_g for b in c.beds if b.segment == "S5" and b.kind in ("liver", "tumor"))
        assert f"Plan at S5: {s5:.0f} g" in text and "MIRD: 200 ×" in text
        assert "= 0.87 GBq" in text  # 200 Gy × 0.211 kg / (49.67 × 0.97), not 1.64 GBq
        assert s.proc.agent.activity_gbq == 0.87  # the vial is drawn up for the plan, not 3 GBq
        assert "drawn up 0.87 GBq" in text
        s.select("y90_glass", None, activity_gbq=2.0)  # the trainee's own activity stays
        s.navigate("RHA")
        assert s.proc.agent.activity_gbq == 2.0
        s.navigate("S5")
        s.select("y90_glass", None)
        s.proc.apply(Inject(volume_ml=0.5, rate_ml_min=5.0))
        debrief = DebriefScene(app, app.scene.case, s.proc)
        rows = " ".join(r[0] for r in debrief._lines(2000))
        assert (
            "Y-90 plan from the tip" in rows and "S5 (211 g: tumour 15 g), mird: 0.87 GBq" in rows
        )
    finally:
        pygame.display.quit()


def test_window_calculator_takes_a_typed_target_dose(tmp_path):
    """Typing 400 Gy into the calculator (click, keys, Enter) plans and draws up for 400 Gy:
    MIRD activity is proportional to the dose, so twice the 200 Gy vial; a typed 5 Gy is refused
    and changes nothing."""
    import pygame

    app = _glass_window(tmp_path)
    try:
        s = app.scene.session
        s.navigate("S5")
        s.select("y90_glass", None)
        app.frame(1 / 60)
        base = s.proc.agent.activity_gbq
        arm0 = app.scene.view.arm

        def type_target(text: str) -> None:
            entry = app.scene.panel.target_entry
            assert entry is not None  # the box is there for a Y-90 device
            pos = entry.rect.center
            for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
                pygame.event.post(pygame.event.Event(kind, pos=pos, button=1))
            app.frame(1 / 60)
            for key in (pygame.K_END, *[pygame.K_BACKSPACE] * 6):
                pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=""))
            for ch in text:  # a keyboard sends both: the key must not reach the procedure
                key = pygame.event.Event(pygame.KEYDOWN, key=ord(ch), mod=0, unicode=ch)
                pygame.event.post(key)
                pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))
            pygame.event.post(
                pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r")
            )
            app.frame(1 / 60)
            app.frame(1 / 60)

        type_target("400")
        assert s.target_gy == 400.0
        assert s.proc.agent.activity_gbq == pytest.approx(2 * base, abs=0.011)
        text = " ".join(app.scene.panel._planning_lines())
        assert "MIRD: 400 ×" in text and app.scene.panel.target_entry.get_text() == "400 Gy"
        type_target("5")
        assert s.target_gy == 400.0 and "target dose" in s.message
        assert not s.proc.finished and app.scene.view.arm == arm0  # 4, 5 typed, not keys
        assert s.proc.agent.activity_gbq == pytest.approx(2 * base, abs=0.011)
    finally:
        pygame.display.quit()
