"""A contrast run carried by the solved flow field: arrival, dilution, blush and washout.

At the start of a run the flow (with the contrast injection as a source at the tip) is frozen.
Contrast concentration mixes at every node by flow (``c = Σ q_in c_in / Σ q_in``), visiting
nodes in falling pressure, which is a topological order of the flow. The bolus reaches each
edge after the transit times L/v of the edges before it; an edge fills from its upstream end over
its own transit time while the bolus passes (the injection's duration), then drains at the
*resting* flow, i.e. the flow once the injection stops: where flow has stopped the column
stays. Beds fill at their inflow of contrast and wash out with time constant
V/Q (blood volume over flow); normal liver's blush is diluted by its unopacified portal inflow
(arterial share ≈ 25 %, reference §2.1), tumours are almost purely arterial, so tumours blush
first and strongest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import physiology as phys
from sim.flow.compile import Compiled
from sim.transport.bolus import trace as _trace
from sim.units import ml_min_to_m3_s

BED_BLOOD_ML_PER_G = 0.25  # hepatic blood volume ≈ 25 mL/100 g (U: textbook order)


@dataclass
class ContrastRun:
    """One contrast injection, queryable at any time.

    Attributes
    ----------
    t0, duration : float
        Start and injection duration, s.
    conc : ndarray (E,)
        Contrast fraction in each edge while the bolus passes (0…1).
    arrival : ndarray (E,)
        Time after ``t0`` at which contrast starts entering each edge, s (inf if never).
    transit : ndarray (E,)
        Time for blood to cross each edge during the injection, s (inf where it does not move).
    transit_after : ndarray (E,)
        The same once the injection stops (inf where flow has stopped: the column stays).
    bed_conc_in, bed_tau : ndarray (B,)
        Inflow concentration and washout time constant of each bed (s).
    bed_arterial : ndarray (B,)
        Arterial share of each bed's total inflow (dilutes the parenchymal blush).
    """

    t0: float
    duration: float
    conc: np.ndarray
    arrival: np.ndarray
    transit: np.ndarray
    transit_after: np.ndarray
    bed_conc_in: np.ndarray
    bed_tau: np.ndarray
    bed_arterial: np.ndarray
    bed_arrival: np.ndarray

    def vessel_opacity(self, t: float) -> np.ndarray:
        """Contrast fraction in each edge at time ``t`` (E,).

        While the bolus passes, an edge fills from its upstream end over its transit time; once
        the injection has passed it drains at the resting flow (never, where flow has stopped).
        """
        s = t - self.t0 - self.arrival
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            fill = np.clip(s / np.maximum(self.transit, 1e-3), 0.0, 1.0)
            full = np.clip(self.duration / np.maximum(self.transit, 1e-3), 0.0, 1.0)
            drain = np.clip(
                1.0 - (s - self.duration) / np.maximum(self.transit_after, 1e-3), 0.0, 1.0
            )
        level = np.where(s <= self.duration, fill, full * drain)
        return np.nan_to_num(np.where(s >= 0, self.conc * level, 0.0))

    def bed_blush(self, t: float) -> np.ndarray:
        """Parenchymal contrast per bed at ``t`` (B,): filling then exponential washout.

        A rectangular input of height c from arrival for ``duration`` through a first-order
        compartment of time constant τ, scaled by the bed's arterial share.
        """
        s = t - self.t0 - self.bed_arrival
        tau = self.bed_tau
        d = self.duration
        with np.errstate(over="ignore", invalid="ignore"):
            rise = 1.0 - np.exp(-np.clip(s, 0, None) / tau)
            fall = (1.0 - np.exp(-d / tau)) * np.exp(-np.clip(s - d, 0, None) / tau)
        level = np.where(s <= 0, 0.0, np.where(s <= d, rise, fall))
        return np.nan_to_num(level * self.bed_conc_in * self.bed_arterial)


def start_run(
    c: Compiled,
    flow: np.ndarray,
    pressure: np.ndarray,
    area: np.ndarray,
    tip: int,
    rate_m3_s: float,
    t0: float,
    duration: float,
    flow_after: np.ndarray | None = None,
) -> ContrastRun:
    """Freeze the flow (which includes the contrast source at ``tip``) and trace the bolus.

    ``flow_after`` is the flow once the injection stops (for draining); default ``flow``.
    """
    transit = _transit(c, flow, area, 0.0)
    transit[c.is_bed] = 0.0
    transit_after = _transit(c, flow if flow_after is None else flow_after, area, 1e-4)
    edge_conc, edge_arr = _trace(c, flow, pressure, transit, tip, rate_m3_s)
    beds = c.bed_edge
    bq = np.abs(flow[beds])
    vol = BED_BLOOD_ML_PER_G * c.bed_mass_g * 1e-6
    with np.errstate(divide="ignore"):
        tau = np.where(bq > 0, vol / np.maximum(bq, 1e-30), np.inf)
    tau = np.clip(tau, 0.5, 600.0)
    arterial = np.array(
        [
            phys.TUMOR_ARTERIAL_SHARE
            if b.kind == "tumor"
            else phys.NORMAL_LIVER_ARTERIAL_SHARE
            if b.kind == "liver"
            else 1.0
            for b in c.beds
        ]
    )
    # flow relative to baseline also scales how much contrast a bed receives per gram
    rel = np.clip(bq / np.maximum(ml_min_to_m3_s(c.bed_flow0_ml_min), 1e-30), 0.0, 3.0)
    perf = c.bed_flow0_ml_min / np.maximum(c.bed_mass_g, 1e-9)
    perf_rel = perf / phys.NORMAL_LIVER_ARTERIAL_ML_MIN_PER_G
    return ContrastRun(
        t0=t0,
        duration=duration,
        conc=edge_conc,
        arrival=edge_arr,
        transit=transit,
        transit_after=transit_after,
        bed_conc_in=edge_conc[beds] * np.minimum(rel * perf_rel, 8.0) / 8.0,
        bed_tau=tau,
        bed_arterial=arterial,
        bed_arrival=edge_arr[beds],
    )


def _transit(c: Compiled, flow: np.ndarray, area: np.ndarray, min_speed: float) -> np.ndarray:
    """Transit time of each edge, s (inf where the speed is not above ``min_speed`` m/s)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(area > 0, np.abs(flow) / np.where(area > 0, area, 1.0), 0.0)
        return np.where(speed > min_speed, c.length / speed, np.inf)
