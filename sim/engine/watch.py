"""What the engine watches for and reports once: reflux, stasis, non-target deposits, lung dose.

:class:`Watch` keeps what has been reported (reflux on or off at the tip, the stasis level
reached, the territories already reached, the lung warning) and turns readings of the flow and
the transport tallies into :mod:`sim.engine.events`. It reads only what it is given.
"""

from __future__ import annotations

import numpy as np

from sim.engine.events import (
    ContrastReflux,
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
        self.contrast_refluxing = False  # a contrast push washes back behind the tip now
        self._contrast_reported = False  # once per contrast run
        self.stasis_level = 0  # 0 none, 1 near stasis (SACE III), 2 stasis (SACE IV)
        self.seen_territories: set[str] = set()
        self.lung_warned = False  # reported once; the lung tally need not be read after

    def new_tip(self) -> None:
        """The catheter moved: reflux and stasis are judged afresh."""
        self.in_reflux = False
        self.contrast_refluxing = False
        self.stasis_level = 0

    def new_contrast_run(self) -> None:
        """A contrast push starts: its reflux is reported afresh."""
        self._contrast_reported = False

    def flow(
        self,
        t: float,
        vessel: str,
        tip_flow_m3_s: float,
        embolic: bool,
        contrast: bool,
        residual: float | None,
    ) -> list[Event]:
        """Reflux and stasis, read from the flow behind the tip after a solve.

        ``embolic``: an agent is being injected; only then does reversed flow raise the REFLUX
        flag (and its end restore it). ``contrast``: a contrast push is running; reversed flow
        then is contrast washing back (:class:`ContrastReflux`, once a run), not an embolic
        event. Stasis levels come from the ``residual`` antegrade flow at the embolic endpoint
        (None while not at one, e.g. during a contrast push).
        """
        out: list[Event] = []
        q = tip_flow_m3_s
        if embolic and q < 0 and not self.in_reflux:
            self.in_reflux = True
            out.append(RefluxStarted(t, vessel, m3_s_to_ml_min(q)))
        elif self.in_reflux and q >= 0 and embolic:
            self.in_reflux = False
            out.append(RefluxStopped(t, vessel))
        self.contrast_refluxing = contrast and q < 0
        if self.contrast_refluxing and not embolic and not self._contrast_reported:
            self._contrast_reported = True
            out.append(ContrastReflux(t, vessel, m3_s_to_ml_min(q)))
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
