"""What the engine watches for and reports once: reflux, stasis, non-target deposits, lung dose.

:class:`Watch` keeps what has been reported (reflux on or off at the tip, the stasis level
reached, the territories already reached, the lung warning) and turns readings of the flow and
the transport tallies into :mod:`sim.engine.events`. It reads only what it is given.
"""

from __future__ import annotations

import numpy as np

from sim.engine.events import (
    Event,
    LungDoseOverLimit,
    NearStasis,
    NonTargetParticles,
    RefluxStarted,
    RefluxStopped,
    Stasis,
)
from sim.flow.compile import Compiled
from sim.outcome.dosimetry import lung_dose_gy
from sim.units import bq_to_gbq, m3_s_to_ml_min

STASIS_RESIDUAL = 0.10  # SACE IV: 0–10 % residual antegrade flow (reference §6, U)
NEAR_STASIS_RESIDUAL = 0.50  # SACE III below 50 % (U)


class Watch:
    """Alarms raised once each (reflux and stasis once per catheter position).

    Parameters
    ----------
    c : Compiled
        The case's tree (names, beds).
    territory : list of str or None
        Non-target territory each edge feeds exclusively (:func:`edge_territory`).
    lung_limit_gy : float
        The scenario's lung dose limit, Gy.
    """

    def __init__(self, c: Compiled, territory: list[str | None], lung_limit_gy: float) -> None:
        self.c = c
        self.territory = territory
        self.lung_limit_gy = lung_limit_gy
        self.in_reflux = False
        self.stasis_level = 0  # 0 none, 1 near stasis (SACE III), 2 stasis (SACE IV)
        self.seen_territories: set[str] = set()
        self.lung_warned = False  # reported once; the lung tally need not be read after

    def new_tip(self) -> None:
        """The catheter moved: reflux and stasis are judged afresh."""
        self.in_reflux = False
        self.stasis_level = 0

    def flow(
        self, t: float, vessel: str, tip_flow_m3_s: float, injecting: bool, residual: float | None
    ) -> list[Event]:
        """Reflux (flow reversed behind the tip while injecting) and its end; stasis levels from
        the ``residual`` antegrade flow (None while not at an endpoint, e.g. during contrast)."""
        out: list[Event] = []
        q = tip_flow_m3_s
        if injecting and q < 0 and not self.in_reflux:
            self.in_reflux = True
            out.append(RefluxStarted(t, vessel, m3_s_to_ml_min(q)))
        elif self.in_reflux and q >= 0 and injecting:
            self.in_reflux = False
            out.append(RefluxStopped(t, vessel))
        if residual is None:
            return out
        if residual < STASIS_RESIDUAL and self.stasis_level < 2:
            self.stasis_level = 2
            out.append(Stasis(t, residual))
        elif residual < NEAR_STASIS_RESIDUAL and self.stasis_level < 1:
            self.stasis_level = 1
            out.append(NearStasis(t, residual))
        return out

    def deposits(self, t: float, occlusion_increase: np.ndarray) -> list[Event]:
        """The first particles lodged in each non-target territory."""
        out: list[Event] = []
        for e in np.flatnonzero(occlusion_increase).tolist():
            terr = self.territory[e]
            if terr and terr not in self.seen_territories:
                self.seen_territories.add(terr)
                b = self.c.edge_bed[e]
                kind = self.c.beds[b].kind if b >= 0 else _kind_below(self.c, e)
                out.append(NonTargetParticles(t, terr, kind))
        return out

    @property
    def aorta_reached(self) -> bool:
        """Particles refluxed into the aorta have been reported (the tally need not be read)."""
        return "systemic" in self.seen_territories

    def systemic(self, t: float, out_count: float) -> list[Event]:
        """The first particles refluxed into the aorta (``out_count`` packets so far)."""
        if self.aorta_reached or out_count <= 0:
            return []
        self.seen_territories.add("systemic")
        return [NonTargetParticles(t, "systemic", "systemic", into_aorta=True)]

    def lung(self, t: float, lung_activity_bq: float) -> list[Event]:
        """The lung dose passing the limit (``lung_activity_bq`` that reached the lungs)."""
        if self.lung_warned:
            return []
        a = bq_to_gbq(lung_activity_bq)
        if a > 0 and lung_dose_gy(a) > self.lung_limit_gy:
            self.lung_warned = True
            return [LungDoseOverLimit(t, lung_dose_gy(a), self.lung_limit_gy)]
        return []


def _kind_below(c: Compiled, e: int) -> str:
    while c.edge_bed[e] < 0:
        ch = c.children[c.edge_to[e]]
        if not ch:
            return "systemic"
        e = ch[0]
    return c.beds[c.edge_bed[e]].kind
