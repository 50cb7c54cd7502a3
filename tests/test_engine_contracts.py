"""The engine's contracts at its seams: typed events with today's record wording, one renderer
for actions, a pure dispense step, the status snapshot and the Y-90 planner."""

from __future__ import annotations

import math

import pytest
from helpers import scenario

import sim.engine.events as events_module
from sim.action_text import CAPTION, DONE, MENU, describe
from sim.actions import (
    Contrast,
    Finish,
    Inject,
    Navigate,
    SelectAgent,
    SetInjection,
    StartContrast,
    Wait,
)
from sim.agents import AGENTS, Y90_PREP_VOLUME_ML, oil_fraction
from sim.engine.dispense import Syringe, dispense, prepare, pushed_ml
from sim.engine.events import (
    EVENT_TYPES,
    CoilPlaced,
    ContrastReflux,
    ContrastStarted,
    Declined,
    Finished,
    LungDoseOverLimit,
    Navigated,
    NearStasis,
    NonTargetParticles,
    RefluxStarted,
    RefluxStopped,
    Stasis,
    TimeUp,
    Wedge,
)
from sim.engine.procedure import Procedure

# Each event with the record text the engine wrote before events were typed.
RECORDED = [
    (
        Navigated(0.0, "S6", ("coeliac", "CHA", "PHA", "RHA", "RP", "S6")),
        "navigate",
        "tip in S6 (coeliac › CHA › PHA › RHA › RP › S6)",
    ),
    (
        Wedge(64.05, "S1L", 1.1, wedged=False),
        "wedge",
        "tight fit in S1L (1.10 mm): the catheter may wedge",
    ),
    (
        Wedge(3.0, "S6.01", 0.7349, wedged=True),
        "wedge",
        "catheter wedged in S6.01 (0.73 mm): antegrade flow stops",
    ),
    (
        RefluxStarted(132.0, "RA", -23.94),
        "reflux",
        "flow reversed behind the tip in RA (-23.9 mL/min)",
    ),
    (
        RefluxStarted(61.05, "S1", -0.0004),
        "reflux",
        "flow reversed behind the tip in S1 (-0.1 mL/min)",
    ),
    (RefluxStopped(70.0, "S1"), "reflux_stopped", "antegrade flow restored in S1"),
    (
        ContrastReflux(24.0, "S6", -19.46),
        "contrast_reflux",
        "contrast refluxing behind the tip in S6 (-19.5 mL/min): slower push, or the territory "
        "is filling up",
    ),
    (NearStasis(59.3, 0.4987), "near_stasis", "antegrade flow below the tip 50 % (SACE III)"),
    (Stasis(117.25, 0.0951), "stasis", "antegrade flow below the tip 10 % (SACE IV)"),
    (
        NonTargetParticles(210.2, "falciform", "skin"),
        "non_target",
        "particles in the falciform territory: supra-umbilical rash or skin necrosis "
        "(falciform; Smith 2015)",
    ),
    (
        NonTargetParticles(9.0, "odd", "no_such_kind"),
        "non_target",
        "particles in the odd territory: non-target embolization",
    ),
    (
        NonTargetParticles(12.0, "systemic", "systemic", into_aorta=True),
        "non_target",
        "particles refluxed into the aorta: systemic embolization (refluxed into the aorta)",
    ),
    (
        LungDoseOverLimit(80.0, 31.62, 30.0),
        "lung_dose_over_limit",
        "lung dose 32 Gy exceeds 30 Gy",
    ),
    (ContrastStarted(14.0, 2.0, 0.5, "S5"), "contrast", "2 mL at 0.5 mL/s from S5"),
    (TimeUp(180.0, 3.0), "time_limit", "time limit of 3 min reached: the case ends"),
    (
        CoilPlaced(30.0, "GDA", proximal_hepatic=False),
        "coil",
        "coils closed the GDA for good: flow redistributes around it",
    ),
    (
        CoilPlaced(31.0, "PHA", proximal_hepatic=True),
        "coil",
        "coils closed the PHA for good: a proximal hepatic coil, the liver beyond it can no "
        "longer be reached by catheter",
    ),
    (Declined(0.0, "lung_shunt"), "decline", "treatment declined (lung shunt too high)"),
    (Finished(262.5), "finish", "case ended at 262 s"),
]


def test_every_event_kind_gives_todays_record_dict():
    for event, kind, text in RECORDED:
        assert event.as_dict() == {"t": round(event.t, 3), "kind": kind, "detail": text}
    assert {type(e) for e, _, _ in RECORDED} == set(EVENT_TYPES)
    assert len({cls.kind for cls in EVENT_TYPES}) == len(EVENT_TYPES)  # one class per kind
    assert Finished(1.23456).as_dict()["t"] == 1.235
    assert not hasattr(events_module, "EVENT_KINDS")
    with pytest.raises(AttributeError):
        Stasis(1.0, 0.05).residual = 0.5  # frozen


def test_one_renderer_words_actions_everywhere():
    import sim.app.kiosk.i18n as kiosk
    import sim.app.report.build as report_build
    import sim.app.report.timeline as timeline
    import sim.app.scenes.demo as demo
    import sim.app.scenes.whatif as whatif_scene
    import sim.records.whatif as whatif

    for module in (kiosk, report_build, timeline, demo, whatif_scene, whatif):
        assert module.describe is describe, module.__name__
    assert not hasattr(timeline, "_agent_text") and not hasattr(timeline, "_action_row")

    inj = Inject(volume_ml=4)  # the rate's default comes from the action model, nowhere else
    assert describe(inj, MENU) == "inject 4 mL at 2 mL/min"
    assert describe(inj, DONE) == "injected 4 mL at 2 mL/min"
    assert describe(inj, CAPTION) == "Inject 4 mL slowly at 2 mL/min — watch the flow"
    assert kiosk.caption(Inject(volume_ml=2.5), "de").startswith("2,5 mL langsam injizieren, 2 ")
    y90 = SelectAgent(agent="y90_glass", size_um=(20, 30), activity_gbq=3)
    assert describe(y90, MENU) == f"agent: {AGENTS['y90_glass'].name} 20–30 µm"
    assert describe(y90, DONE) == f"{AGENTS['y90_glass'].name} prepared, 20–30 µm, 3 GBq"
    assert describe(y90, CAPTION).endswith(" 20–30 µm, 3 GBq")
    assert kiosk.caption(y90, "fr") == "Préparer : microsphères de verre Y-90, 20–30 µm, 3 GBq"
    assert report_build.describe(SelectAgent(agent="bland"), report_build.PREPARATION) == ""
    assert describe(Navigate(target="feeder:T2"), CAPTION).endswith("vessel feeding T2")
    assert describe(SetInjection(rate_ml_min=0), MENU) == "stop injecting"
    assert describe(SetInjection(rate_ml_min=3), DONE) == "hand injection started at 3 mL/min"
    assert describe(StartContrast(), MENU) == describe(Contrast(), MENU) == "contrast 3 mL"
    assert describe(Wait(seconds=10), DONE) == "waited 10 s without injecting"
    assert describe(Finish(), MENU) == "finish" and describe(Finish(), DONE) == ""


def _drain(s: Syringe, want_ml: float) -> tuple[Syringe, list]:
    doses = []
    while True:
        s, dose = dispense(s, want_ml)
        if dose is None:
            return s, doses
        doses.append(dose)
        assert len(doses) < 10_000


def test_dispense_is_pure_and_conserves_the_vial():
    full = prepare(SelectAgent(agent="y90_resin", activity_gbq=2.0))
    again = dispense(full, 0.7)
    assert dispense(full, 0.7) == again and full.activity_left_gbq == 2.0  # no side effect
    left, doses = _drain(full, 0.7)
    prep = Y90_PREP_VOLUME_ML["y90_resin"]
    assert sum(d.volume_ml for d in doses) == pytest.approx(prep, rel=1e-12)
    assert sum(d.vial_gbq for d in doses) + left.activity_left_gbq == pytest.approx(2.0, 1e-12)
    assert left.empty and not full.empty and doses[-1].volume_ml < 0.7


def test_dispense_uses_up_an_emulsion_and_keeps_its_oil():
    full = prepare(SelectAgent(agent="lipiodol", oil_ratio=1.0, emulsion_ml=3.0))
    left, doses = _drain(full, pushed_ml(2.0, 0.05))
    assert sum(d.volume_ml for d in doses) == pytest.approx(3.0, rel=1e-12)
    assert sum(d.oil_ml for d in doses) == pytest.approx(3.0 * oil_fraction(1.0), rel=1e-12)
    assert left.empty and all(d.drug_mg > 0 and d.vial_gbq == 0 for d in doses)
    bland = prepare(SelectAgent(agent="bland"))
    after, dose = dispense(bland, 0.25)
    assert after == bland and dose.volume_ml == 0.25 and not bland.empty
    assert math.isinf(bland.emulsion_left_ml)


def test_status_follows_stasis_reflux_and_the_catheter():
    p = Procedure(scenario())
    st = p.status()
    assert st.tip_vessel == "coeliac" and not st.in_reflux and st.stasis_level == 0
    p.apply(Navigate(target="S6"))
    p.apply(SelectAgent(agent="bland", size_um=(100, 300)))
    p.apply(SetInjection(rate_ml_min=2.0))
    assert p.status().injecting_ml_min == 2.0
    while not any(e.kind == "stasis" for e in p.events) and p.t < 300:
        p.step()
    st = p.status()
    assert st.stasis_level == 2 and st.sace_level == 4 and st.antegrade < 0.10
    while not any(e.kind == "reflux" for e in p.events) and p.t < 400:
        p.step()
    assert p.status().in_reflux and p.status().fluoro_s == p.metrics.fluoro_s > 0
    p.apply(SetInjection(rate_ml_min=0.0))
    p.apply(Navigate(target="RHA"))
    st = p.status()
    assert st.tip_vessel == "RHA" and not st.in_reflux and st.stasis_level == 0
    p.apply(Finish())
    st = p.status()
    assert st.finished and st.tip_vessel is None and st.sace_level is None


def test_status_says_when_the_vial_is_used_up():
    p = Procedure(scenario())
    p.apply(Navigate(target="RHA"))
    p.apply(SelectAgent(agent="y90_glass", activity_gbq=0.5))
    assert not p.status().drawn_up_empty
    p.apply(Inject(volume_ml=Y90_PREP_VOLUME_ML["y90_glass"] + 1.0, rate_ml_min=10.0))
    st = p.status()
    assert st.drawn_up_empty and st.syringe.activity_left_gbq <= 1e-9
    assert p.metrics.agent_ml["y90_glass"] == pytest.approx(Y90_PREP_VOLUME_ML["y90_glass"])
