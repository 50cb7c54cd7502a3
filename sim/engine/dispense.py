"""The syringe: what was drawn up for an injection, and a pure dispense step.

A fellow prepares an agent (:class:`sim.actions.SelectAgent`): particles as much as is pushed,
a Y-90 vial of a given activity in its preparation volume, or a cTACE emulsion of a given
volume. Each simulation step pushes a little of it; :func:`dispense` says how much really
leaves the syringe (a vial or an emulsion runs out), with the oil, spheres, drug and vial
activity in it, and what is left. It changes nothing: the procedure keeps the returned
:class:`Syringe`. Volumes in mL, activity in GBq, drug in mg (clinical units, as prepared).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sim.actions import SelectAgent
from sim.agents import (
    AGENTS,
    DEB_LOADING_MG_ML,
    LIPIODOL_DOX_MG_PER_ML_DRUG,
    LIPIODOL_OIL_RATIO,
    LU177_VIAL_GBQ,
    VIAL_VOLUME_ML,
    oil_fraction,
    spheres_per_ml,
)
from sim.units import ml_min_to_ml_s

Y90_VIAL_GBQ = 3.0  # one 3-GBq vial when the activity is not given (sirtex.com; TheraSphere)
DEB_BEADS_ML, DEB_SUSPENSION_ML = 2.0, 17.0  # a DEB vial: 2 mL beads in 17 mL suspension (D)
EMPTY_TOLERANCE = 1e-9  # GBq or mL left that count as nothing


@dataclass(frozen=True)
class Syringe:
    """The agent drawn up and what is left of it.

    ``activity_gbq`` is the Y-90 or Lu-177 vial's activity (0 for other agents); ``emulsion_ml``
    the cTACE emulsion drawn up (None: as much as is pushed, and ``emulsion_left_ml`` is
    infinite); ``route`` where Lu-177 DOTATATE goes in (``ia`` the catheter tip, ``iv`` a vein).
    """

    agent: str = "bland"
    size_um: tuple[float, float] = (100.0, 300.0)
    doxorubicin_mg_ml: float = DEB_LOADING_MG_ML[0]
    activity_gbq: float = 0.0
    activity_left_gbq: float = 0.0
    oil_ratio: float = LIPIODOL_OIL_RATIO
    emulsion_ml: float | None = None
    emulsion_left_ml: float = math.inf
    route: str = "ia"

    @property
    def radioactive(self) -> bool:
        """Whether the agent is drawn up as a vial of limited activity (Y-90, Lu-177)."""
        return self.agent in VIAL_VOLUME_ML

    @property
    def empty(self) -> bool:
        """Whether what was drawn up is used up (a Y-90 vial or a cTACE emulsion)."""
        if self.radioactive:
            return self.activity_left_gbq <= EMPTY_TOLERANCE
        return self.agent == "lipiodol" and self.emulsion_left_ml <= EMPTY_TOLERANCE

    @property
    def drug_mg_per_ml(self) -> float:
        """Doxorubicin per mL pushed: DEB loading × beads per mL, or the emulsion's aqueous
        share (1 part drug to ``oil_ratio`` parts oil)."""
        if self.agent == "deb":
            return self.doxorubicin_mg_ml * DEB_BEADS_ML / DEB_SUSPENSION_ML
        if self.agent == "lipiodol":
            return LIPIODOL_DOX_MG_PER_ML_DRUG / (1.0 + self.oil_ratio)
        return 0.0


@dataclass(frozen=True)
class Dose:
    """What one dispense step pushed out of the syringe."""

    volume_ml: float
    oil_ml: float  # lipiodol (the oil phase of a cTACE emulsion)
    spheres: float
    drug_mg: float
    vial_gbq: float  # activity taken from the Y-90 vial


def prepare(a: SelectAgent) -> Syringe:
    """The syringe a :class:`SelectAgent` action draws up (catalogue defaults where not set)."""
    spec = AGENTS[a.agent]
    st = Syringe(agent=a.agent, size_um=tuple(a.size_um or spec.default_size_um))
    if a.doxorubicin_mg_ml:
        st = replace(st, doxorubicin_mg_ml=a.doxorubicin_mg_ml)
    if a.agent in VIAL_VOLUME_ML:
        default = Y90_VIAL_GBQ if spec.embolic else LU177_VIAL_GBQ
        activity = a.activity_gbq or default
        st = replace(st, activity_gbq=activity, activity_left_gbq=activity, route=a.route or "ia")
    if a.agent == "lipiodol":
        st = replace(
            st,
            oil_ratio=a.oil_ratio or LIPIODOL_OIL_RATIO,
            emulsion_ml=a.emulsion_ml,
            emulsion_left_ml=a.emulsion_ml if a.emulsion_ml else math.inf,
        )
    return st


def pushed_ml(rate_ml_min: float, dt_s: float) -> float:
    """Volume pushed in ``dt_s`` seconds at ``rate_ml_min``, mL."""
    return ml_min_to_ml_s(rate_ml_min) * dt_s


def dispense(s: Syringe, want_ml: float) -> tuple[Syringe, Dose | None]:
    """Push ``want_ml`` from ``s``: the syringe after, and the dose (None if nothing left).

    A Y-90 vial gives at most what its remaining activity stands for in its preparation volume;
    a cTACE emulsion at most what is left of it. Volume and vial activity are conserved: what
    the dose carries is what the syringe loses.
    """
    dv = want_ml
    vial = 0.0
    if s.radioactive:
        prep = VIAL_VOLUME_ML[s.agent]
        dv = min(dv, s.activity_left_gbq / s.activity_gbq * prep) if s.activity_gbq else 0.0
        if dv <= 0:
            return s, None
        vial = s.activity_gbq * dv / prep
        s = replace(s, activity_left_gbq=s.activity_left_gbq - vial)
    oil = 0.0
    if s.agent == "lipiodol":
        dv = min(dv, s.emulsion_left_ml)
        if dv <= 0:
            return s, None
        s = replace(s, emulsion_left_ml=s.emulsion_left_ml - dv)
        oil = dv * oil_fraction(s.oil_ratio)
    spheres = 0.0  # a dissolved agent carries no spheres
    if AGENTS[s.agent].embolic:
        spheres = dv * spheres_per_ml(s.agent, s.size_um, s.activity_gbq, s.oil_ratio)
    return s, Dose(dv, oil, spheres, s.drug_mg_per_ml * dv, vial)
