"""Preparing an agent in the window: its settings, their defaults and the Y-90 vial's plan.

The control panel shows each agent's ``SelectAgent`` fields as labelled sliders
(:data:`AGENT_SETTINGS`); the window fills in its own defaults for those the trainee leaves
(:func:`window_settings`); a Y-90 vial not given an activity is drawn up for the calculator's plan
at the catheter tip (:func:`planned_activity`), for the case's target dose or one typed into the
calculator (:func:`parse_target_gy`). :class:`~sim.app.session.ProcedureSession` applies them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.agents import AGENTS
from sim.engine.dispense import Syringe
from sim.engine.procedure import Procedure
from sim.engine.y90_plan import DEVICES, plan_at_tip


@dataclass(frozen=True)
class Setting:
    """One setting of the prepared agent: a ``SelectAgent`` field shown as a labelled slider.

    ``window_default`` is applied when the agent is chosen in the window (None: the engine's).
    """

    field: str
    span: tuple[float, float]
    step: float
    text: Callable[[float], str]
    window_default: float | None = None


# A target dose typed into the Y-90 calculator, Gy: from below the reference's lobar band to
# well above the segmentectomy threshold (190 Gy); wider typing is refused (U, a sanity bound).
TARGET_GY_SPAN = (20.0, 1000.0)
_ACTIVITY = Setting("activity_gbq", (0.2, 6.0), 0.1, lambda v: f"Activity {v:.1f} GBq")
AGENT_SETTINGS: dict[str, tuple[Setting, ...]] = {
    "y90_resin": (_ACTIVITY,),
    "y90_glass": (_ACTIVITY,),
    # one 7.4 GBq Lutathera vial per cycle (SmPC); up to two, to see the kidney limit
    "lu177_dotatate": (
        Setting("activity_gbq", (1.0, 14.8), 0.1, lambda v: f"Activity {v:.1f} GBq", 7.4),
    ),
    "deb": (
        Setting(
            "doxorubicin_mg_ml", (25.0, 37.5), 12.5, lambda v: f"Doxorubicin {v:g} mg/mL beads"
        ),
    ),
    "lipiodol": (
        # 2–20 mL lipiodol per cTACE (protocol example, reference §3.3); 10 mL drawn up (U)
        Setting("emulsion_ml", (2.0, 20.0), 1.0, lambda v: f"Emulsion drawn up {v:g} mL", 10.0),
        Setting("oil_ratio", (1.0, 3.0), 1.0, lambda v: f"Drug : lipiodol  1 : {v:g}"),
    ),
}


def window_settings(agent: str, settings: dict) -> dict:
    """``settings`` with the window's default filled in for each of ``agent``'s settings not
    given (``settings`` is changed in place and returned)."""
    for st in AGENT_SETTINGS.get(agent, ()):
        if st.field not in settings and st.window_default is not None:
            settings[st.field] = st.window_default
    return settings


def setting_value(agent_state: Syringe, st: Setting) -> float:
    """The prepared agent's value of setting ``st`` (its window default when unset)."""
    v = getattr(agent_state, st.field)
    return float(v if v is not None else st.window_default or st.span[0])


def planned_activity(
    proc: Procedure, agent: str, settings: dict, target_gy: float | None
) -> float | None:
    """The activity the calculator plans for the tip (a Y-90 vial drawn up for the plan, GBq,
    within the slider's span), when none is given; None otherwise or off the tree."""
    if agent not in DEVICES or settings.get("activity_gbq"):
        return None
    plan = plan_at_tip(proc, agent, target_gy)
    if plan is None or not plan.activity_gbq:
        return None
    lo, hi = _ACTIVITY.span
    return round(min(max(plan.activity_gbq, lo), hi), 2)


def parse_target_gy(text: str) -> float | None:
    """The target dose typed into the calculator, Gy (None: empty, the case's own).

    Raises
    ------
    ValueError
        With the message for the trainee, when ``text`` is not a number of Gy within
        :data:`TARGET_GY_SPAN`.
    """
    text = text.strip().lower().removesuffix("gy").strip()
    if not text:
        return None
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    lo, hi = TARGET_GY_SPAN
    if not lo <= v <= hi:  # also refuses nan
        raise ValueError(f"target dose: type a number of Gy from {lo:g} to {hi:g}")
    return v


def prepared_text(agent_state: Syringe) -> str:
    """What is left of what was drawn up (Y-90 vial, cTACE emulsion)."""
    ag = agent_state
    if ag.radioactive:
        return f"Vial {ag.activity_left_gbq:.2f} of {ag.activity_gbq:.2f} GBq left"
    if ag.agent == "lipiodol" and ag.emulsion_ml:
        return f"Emulsion {ag.emulsion_left_ml:.1f} of {ag.emulsion_ml:g} mL left"
    return f"{AGENTS[ag.agent].name}"
