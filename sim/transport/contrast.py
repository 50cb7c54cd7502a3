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

Timing of the phases (what a DSA run shows at 1x): the bolus front and tail are smeared by
dispersion (:data:`BOLUS_RISE_S`, :data:`BOLUS_WASHOUT_S`), so the arteries stay dark for the
injection and clear over about a second after it; the parenchyma blushes after the
arteriolar-capillary transit (:data:`CAPILLARY_DELAY_S`) and washes out through its whole
(arterial + portal) inflow; the veins draining it (hepatic veins; the portal vein from spleen and
gut) fill :data:`VENOUS_DELAY_S` later, as the flow-weighted mean of their beds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import physiology as phys
from sim.flow.compile import Compiled
from sim.transport.bolus import trace as _trace
from sim.units import ml_min_to_m3_s

DSA_FPS = 3.0  # DSA exposures per second (U: hepatic runs are acquired at about 2-4 fps)
BED_BLOOD_ML_PER_G = 0.25  # hepatic blood volume ≈ 25 mL/100 g (U: textbook order)
# Phase timing (U: teaching choices of the order seen on hepatic DSA; docs/physics.md "DSA")
BOLUS_RISE_S = 0.3  # the bolus front fills a vessel over at least this (dispersion)
BOLUS_WASHOUT_S = 0.8  # the tail clears a vessel with this time constant once the push ends
CAPILLARY_DELAY_S = 1.5  # arteriolar-capillary transit before the parenchyma blushes
VENOUS_DELAY_S = 2.0  # from the sinusoids to the hepatic veins
PORTAL_DELAY_S = 4.0  # from the spleen and gut through the splenic vein / SMV to the portal vein
PORTAL_KINDS = ("spleen", "stomach", "duodenum_pancreas", "bowel")  # drain to the portal vein
# Portal vein flow ≈ 75 % of ~1.5 L/min total hepatic flow (U: textbook order); most of it
# comes from the superior mesenteric vein, unopacified on a coeliac run
PORTAL_FLOW_ML_MIN = 1000.0


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
    hepatic_w: np.ndarray | None = None
    splenic_w: np.ndarray | None = None
    portal_w: np.ndarray | None = None

    def vessel_opacity(self, t: float) -> np.ndarray:
        """Contrast fraction in each edge at time ``t`` (E,).

        While the bolus passes, an edge fills from its upstream end over its transit time; once
        the injection has passed it drains at the resting flow (never, where flow has stopped).
        """
        s = t - self.t0 - self.arrival
        rise = np.maximum(self.transit, BOLUS_RISE_S)
        after = np.clip(s - self.duration, 0.0, None)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            fill = np.clip(s / rise, 0.0, 1.0)
            full = np.clip(self.duration / rise, 0.0, 1.0)
            wash = np.exp(-after / (BOLUS_WASHOUT_S + self.transit_after))
        drain = np.where(np.isfinite(self.transit_after), wash, 1.0)
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

    def venous(self, t: float) -> tuple[float, float, float]:
        """Contrast fraction in the hepatic, the splenic and the portal veins at ``t``.

        Each is the flow-weighted mean of the parenchymal contrast of the beds draining into it
        (liver and tumours :data:`VENOUS_DELAY_S` earlier; spleen, and spleen and gut,
        :data:`PORTAL_DELAY_S` earlier).
        """
        if self.hepatic_w is None or self.splenic_w is None or self.portal_w is None:
            return 0.0, 0.0, 0.0
        hep = float(self.bed_blush(t - VENOUS_DELAY_S) @ self.hepatic_w)
        gut = self.bed_blush(t - PORTAL_DELAY_S)
        return hep, float(gut @ self.splenic_w), float(gut @ self.portal_w)


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
    arterial = arterial_share(c)
    total_q = bq / arterial  # the sinusoids are flushed by the whole inflow, portal included
    with np.errstate(divide="ignore"):
        tau = np.where(bq > 0, vol / np.maximum(total_q, 1e-30), np.inf)
    tau = np.clip(tau, 0.5, 600.0)
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
        bed_arrival=edge_arr[beds] + CAPILLARY_DELAY_S,
        hepatic_w=_drain_weights(c, total_q, arterial, ("liver", "tumor")),
        splenic_w=_drain_weights(c, total_q, arterial, ("spleen",)),
        portal_w=_drain_weights(c, total_q, arterial, PORTAL_KINDS, PORTAL_FLOW_ML_MIN),
    )


def arterial_share(c: Compiled) -> np.ndarray:
    """Arterial share of each bed's total inflow (normal liver is mostly portal)."""
    share = {"tumor": phys.TUMOR_ARTERIAL_SHARE, "liver": phys.NORMAL_LIVER_ARTERIAL_SHARE}
    return np.array([share.get(b.kind, 1.0) for b in c.beds])


def _drain_weights(
    c: Compiled, total_q, arterial, kinds: tuple[str, ...], at_least_ml_min: float = 0.0
) -> np.ndarray:
    """Per bed, its weight in the venous outflow of the beds of ``kinds`` (0 for the others).

    Normalised by those beds' baseline total flow (at least ``at_least_ml_min``), so a vein is
    diluted by the unopacified blood of the beds the run does not reach.
    """
    sel = np.array([b.kind in kinds for b in c.beds])
    base = float((ml_min_to_m3_s(c.bed_flow0_ml_min) / arterial)[sel].sum())
    denom = max(base, ml_min_to_m3_s(at_least_ml_min))
    if denom <= 0:
        return np.zeros(len(c.beds))
    return np.where(sel, np.nan_to_num(total_q), 0.0) / denom


def _transit(c: Compiled, flow: np.ndarray, area: np.ndarray, min_speed: float) -> np.ndarray:
    """Transit time of each edge, s (inf where the speed is not above ``min_speed`` m/s)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(area > 0, np.abs(flow) / np.where(area > 0, area, 1.0), 0.0)
        return np.where(speed > min_speed, c.length / speed, np.inf)
