"""Declining a treatment: judged from the planner, scored in place of the treatment."""

from __future__ import annotations

import pytest
from helpers import ROOT

from sim.actions import Decline, Inject, Navigate, SelectAgent
from sim.engine.final import assess_procedure
from sim.engine.navigation import NavigationError
from sim.engine.procedure import Procedure
from sim.outcome.decline import (
    DECLINE_RIGHT_POINTS,
    DECLINE_WRONG_POINTS,
    REASON_MISFIT_POINTS,
    judge,
)
from sim.outcome.dosimetry import lung_dose_gy
from sim.outcome.penalties import FAIL_CAP
from sim.scenario.load import load_scenario


def _declined(stem: str, reason: str, *before) -> dict:
    sc, problems = load_scenario(ROOT / "scenarios" / f"{stem}.yaml")
    assert sc is not None, problems
    proc = Procedure(sc, seed=1)
    for action in before:
        proc.apply(action)
    proc.apply(Decline(reason=reason))
    assert proc.finished
    return assess_procedure(proc).to_dict()


def test_declining_resin_at_a_22_percent_shunt_is_right_and_scores_well():
    out = _declined("y90_high_shunt", "lung_shunt")
    assert out["score"] == DECLINE_RIGHT_POINTS and out["failed"] == []
    d = out["decline"]
    assert d["right"] and d["reason_fits"] and d["device"] == "y90_resin"
    assert "22.0 %" in d["why"] and "do not treat" in d["why"]
    assert out["components"][0]["name"] == "decision"
    assert out["metrics"]["agent_ml"] == 0.0
    assert [e["kind"] for e in out["events"]][-2:] == ["decline", "finish"]


def test_declining_a_treatable_patient_fails_with_the_reason():
    out = _declined("y90_resin_lsf12", "lung_shunt")  # 12 %: resin with a reduction
    assert out["score"] == DECLINE_WRONG_POINTS <= FAIL_CAP
    assert not out["decline"]["right"]
    assert out["failed"] and "treatable" in out["failed"][0]
    assert "≤ 30 Gy" in out["failed"][0]


def test_glass_is_judged_on_the_planned_activity_from_the_tip():
    seg = (Navigate(target="S5"), SelectAgent(agent="y90_glass", activity_gbq=1.35))
    wrong = _declined("y90_high_shunt", "lung_dose", *seg)  # ≈ 15 Gy to the lungs
    assert not wrong["decline"]["right"] and wrong["score"] <= FAIL_CAP
    assert wrong["decline"]["predicted_lung_gy"] == pytest.approx(
        lung_dose_gy(1.35 * 0.22), abs=0.01
    )
    lobar = (Navigate(target="RHA"), SelectAgent(agent="y90_glass"))  # planned: ≈ 66 Gy
    right = _declined("y90_high_shunt", "lung_dose", *lobar)
    assert right["decline"]["right"] and right["score"] == DECLINE_RIGHT_POINTS
    assert right["decline"]["predicted_lung_gy"] > 30.0 and "RHA" in right["decline"]["why"]


def test_a_right_decline_for_the_wrong_reason_loses_points():
    out = _declined("y90_high_shunt", "other")
    assert out["decline"]["right"] and not out["decline"]["reason_fits"]
    assert out["score"] == DECLINE_RIGHT_POINTS - REASON_MISFIT_POINTS
    assert out["penalties"][0]["name"] == "decline_reason"


def test_decline_is_refused_once_the_treatment_has_begun():
    sc, _ = load_scenario(ROOT / "scenarios" / "default.yaml")
    proc = Procedure(sc, seed=1)
    proc.apply(Navigate(target="RHA"))
    proc.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    proc.apply(Inject(volume_ml=0.5, rate_ml_min=2.0))
    n = len(proc.log)
    with pytest.raises(NavigationError, match="finish"):
        proc.apply(Decline(reason="other"))
    assert len(proc.log) == n and not proc.finished


def test_the_judgement_follows_the_rules():
    assert judge("lung_shunt", "y90_resin", 0.21, 10.0, 30.0).right
    assert not judge("lung_shunt", "y90_resin", 0.19, 10.0, 30.0).right
    assert judge("lung_dose", "y90_glass", 0.19, 31.0, 30.0).right
    cumulative = judge("lung_dose", "y90_glass", 0.1, 20.0, 30.0, prior_lung_gy=35.0)
    assert cumulative.right and cumulative.reason_fits and "cumulative" in cumulative.why
    assert not judge("other", None, 0.5, None, 30.0).right  # no Y-90: no lung reason


def test_the_window_coils_by_key_and_declines_from_the_panel_menu(tmp_path):
    import pygame
    import pygame_gui
    from helpers import SCENARIOS, frames, open_app

    from sim.app.scenes.debrief import DebriefScene
    from sim.app.scenes.procedure import ProcedureScene
    from sim.scenario.load import LoadedCase

    app = open_app(tmp_path, (1280, 720))
    try:
        path = SCENARIOS / "y90_high_shunt.yaml"
        sc, _ = load_scenario(path)
        app.switch(ProcedureScene(app, LoadedCase(path, sc, [])))
        frames(app, 2)
        scene = app.scene
        x = {"key": pygame.K_x, "mod": 0, "unicode": "x", "scancode": 0}
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, **x))
        frames(app, 1)
        assert not scene.proc.coils.placed
        assert "Coil the CHA?" in scene.session.message  # a stray key asks first
        assert "lost to the catheter" in scene.session.message
        scene.session.navigate("GDA")
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, **x))
        frames(app, 1)
        assert not scene.proc.coils.placed  # asked again: the tip moved
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, **x))
        frames(app, 1)
        assert [k.at for k in scene.proc.coils.placed] == ["GDA"]
        assert scene.proc.breadcrumb()[-1] == "CHA"
        menu = scene.panel.decline_menu
        pygame.event.post(
            pygame.event.Event(
                pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text="shunt > 20 %", ui_element=menu
            )
        )
        frames(app, 2)
        assert isinstance(app.scene, DebriefScene)
        out = app.scene.out
        assert out.decline.right and out.score == DECLINE_RIGHT_POINTS
        assert [k.at for k in out.coils] == ["GDA"]
    finally:
        pygame.display.quit()
