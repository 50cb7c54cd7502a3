"""Actions a trainee (or a plan) can take. The UI and plan files produce exactly these.

Below the scenario and the engine (it imports only pydantic and the agent ids): plan files are
parsed into these models (:mod:`sim.scenario.plan`) and the engine applies them.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.agents import AgentId

# Lower bounds that keep an action's duration finite (a rate that underflows to nothing would
# divide by zero); far below anything a microcatheter is pushed at (U).
MIN_RATE_ML_MIN = 0.01
MIN_RATE_ML_S = 0.01
MAX_SIZE_UM = 2000.0  # the largest particle any catalogue lists is 1200 µm


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Navigate(_Action):
    """Advance or pull back the microcatheter to a place along a vessel.

    ``target`` is a vessel name (``RHA``, ``S6``, ``S6.01``): the tip sits at the artery's
    origin, proximal to its side branches; or ``feeder:T1`` — the most distal vessel the catheter
    can enter that feeds all of tumour T1; or ``#33``, an edge picked in the window. ``beyond``
    (with a vessel name only) names a side branch of that artery: the tip goes just past its
    origin. In plan files the second form is ``navigate: {vessel: RHA, beyond: cystic}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: Literal["navigate"] = "navigate"
    target: str = Field(min_length=1, max_length=64, alias="vessel")
    beyond: str | None = Field(None, min_length=1, max_length=64)

    @field_validator("beyond")
    @classmethod
    def _beyond_vessel_only(cls, v: str | None, info) -> str | None:
        target = info.data.get("target", "")
        if v is not None and (target.startswith("feeder:") or target.startswith("#")):
            raise ValueError("beyond goes with a vessel name, not feeder: or # targets")
        return v


class SelectAgent(_Action):
    """Choose the agent to inject next and how it is prepared."""

    kind: Literal["select_agent"] = "select_agent"
    agent: AgentId
    size_um: tuple[float, float] | None = Field(None, description="Nominal size range, µm.")

    @field_validator("size_um")
    @classmethod
    def _ordered_size(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not (0.0 < v[0] <= v[1] <= MAX_SIZE_UM):
            raise ValueError(f"size_um must be ordered, above 0 and at most {MAX_SIZE_UM:g} µm")
        return v

    doxorubicin_mg_ml: float | None = Field(
        None, ge=25.0, le=37.5, description="DEB loading, mg per mL beads (IFU 25–37.5)."
    )
    activity_gbq: float | None = Field(
        None,
        gt=0.0,
        le=20.0,
        description="Y-90 or Lu-177 activity drawn up for this injection, GBq (Lu-177: one "
        "7.4 GBq vial by default).",
    )
    route: Literal["ia", "iv"] | None = Field(
        None,
        description="Lu-177 DOTATATE only: ia (from the catheter tip, default) or iv (into a "
        "peripheral vein, wherever the catheter is).",
    )
    activity_mbq: float | None = Field(
        None,
        gt=0.0,
        le=400.0,
        description="Tc-99m MAA activity drawn up for the mapping, MBq (about 150–185).",
    )

    @field_validator("activity_mbq")
    @classmethod
    def _mbq_for_maa(cls, v: float | None, info) -> float | None:
        if v is not None and info.data.get("agent") != "maa":
            raise ValueError("activity_mbq goes with agent maa (Y-90 takes activity_gbq)")
        return v

    oil_ratio: float | None = Field(
        None,
        ge=1.0,
        le=4.0,
        description="cTACE emulsion: parts lipiodol per part aqueous drug (1:2 usual; "
        "JVIR 2017, PMID 28501268). Default 2.",
    )
    emulsion_ml: float | None = Field(
        None,
        gt=0.0,
        le=30.0,
        description="cTACE emulsion drawn up, mL; the injection stops delivering when it is "
        "used up (default: as much as is pushed).",
    )


class Inject(_Action):
    """Push ``volume_ml`` of the prepared agent at ``rate_ml_min`` (blocks for its duration)."""

    kind: Literal["inject"] = "inject"
    volume_ml: float = Field(gt=0.0, le=100.0)
    rate_ml_min: float = Field(2.0, ge=MIN_RATE_ML_MIN, le=60.0)


class Contrast(_Action):
    """A contrast run: ``volume_ml`` by hand at ``rate_ml_s`` (≈1 mL/s via a microcatheter)."""

    kind: Literal["contrast"] = "contrast"
    volume_ml: float = Field(3.0, gt=0.0, le=30.0)
    rate_ml_s: float = Field(1.0, ge=MIN_RATE_ML_S, le=5.0)


class Wait(_Action):
    """Let time pass with no injection (no fluoroscopy)."""

    kind: Literal["wait"] = "wait"
    seconds: float = Field(gt=0.0, le=3600.0)


class Finish(_Action):
    """End the case: the catheter is withdrawn and the outcome computed."""

    kind: Literal["finish"] = "finish"


class NextVisit(_Action):
    """End this visit of a staged case and begin the next (the catheter is withdrawn; coils
    and the mapping's measurements carry over, see :mod:`sim.engine.visits`)."""

    kind: Literal["next_visit"] = "next_visit"


class Coil(_Action):
    """Deploy coils at the catheter tip: the tip's vessel is closed for good.

    Flow redistributes around it (through collaterals where the anatomy has them); the
    catheter is pulled back behind the coil pack and nothing can be navigated through it.
    """

    kind: Literal["coil"] = "coil"


DeclineReason = Literal["lung_shunt", "lung_dose", "extrahepatic_uptake", "other"]
DECLINE_REASONS: tuple[str, ...] = get_args(DeclineReason)
DECLINE_REASON_TEXT = {  # each reason in words (records, menus, the window's choice)
    "lung_shunt": "lung shunt too high",
    "lung_dose": "predicted lung dose over the limit",
    "extrahepatic_uptake": "extrahepatic uptake",
    "other": "other reason",
}


class Decline(_Action):
    """End the case without treatment, for ``reason``; the score judges whether that was right."""

    kind: Literal["decline"] = "decline"
    reason: DeclineReason = Field(
        description="Why the treatment is declined: lung_shunt (resin with a shunt above 20 %), "
        "lung_dose (predicted lung dose over the limit), extrahepatic_uptake, other."
    )


class SetInjection(_Action):
    """Start (rate > 0) or stop (0) a continuous injection — the window's hold-to-inject.

    Unlike :class:`Inject` it does not block: the clock runs on with :meth:`Procedure.step`.
    """

    kind: Literal["set_injection"] = "set_injection"
    rate_ml_min: float = Field(ge=0.0, le=60.0)


class StartContrast(_Action):
    """Start a contrast run without waiting for it (the window's C key)."""

    kind: Literal["start_contrast"] = "start_contrast"
    volume_ml: float = Field(3.0, gt=0.0, le=30.0)
    rate_ml_s: float = Field(1.0, ge=MIN_RATE_ML_S, le=5.0)


Action = (
    Navigate
    | SelectAgent
    | Inject
    | Contrast
    | Wait
    | Finish
    | NextVisit
    | SetInjection
    | StartContrast
    | Coil
    | Decline
)
ACTION_TYPES: dict[str, type[_Action]] = {
    "navigate": Navigate,
    "select_agent": SelectAgent,
    "inject": Inject,
    "contrast": Contrast,
    "wait": Wait,
    "finish": Finish,
    "next_visit": NextVisit,
    "set_injection": SetInjection,
    "start_contrast": StartContrast,
    "coil": Coil,
    "decline": Decline,
}


def to_dict(a: _Action) -> dict:
    """Plan-file form of an action (``{kind: {...}}``), JSON-friendly."""
    d = a.model_dump(exclude_none=True)
    kind = d.pop("kind")
    if kind == "navigate":
        if "beyond" in d:
            return {kind: {"vessel": d["target"], "beyond": d["beyond"]}}
        return {kind: d["target"]}
    return {kind: d} if d else {kind: None}
