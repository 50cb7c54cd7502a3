"""The microvasculature below the drawn tree: a calibre ladder per bed, and what lodging there does.

Each bed stands for the arteriolar tree between the last drawn vessel (its *inlet*, the lumen
of the edge that feeds it) and the pre-capillary level (10 µm). The ladder is a symmetric
Murray tree of exponent 3 — the measured exponent of peripheral resistive arteries of radius
4–100 µm (Nakamura & Awa 2014, R): generation *k* has 2ᵏ vessels of calibre
d₀ · 2^(−k/3), each feeding 2⁻ᵏ of the bed. So a sphere that lodges in the vessel of its own
calibre *d* deprives the share (d / d₀)³ of the bed, in proportion to its volume: the share a
bed loses is the sphere volume lodged in it over its embolic capacity (the capacity stands for
the many vessels of each calibre a real, asymmetric tree holds, and the strings of spheres
lodged in series, Högberg 2015; see ``sim.transport.flight.BED_CAPACITY_M3_PER_ML_MIN``).

Tumour beds are dilated (every generation ×1.5, U: the dilated, tortuous vessels of a
hypervascular metastasis), so a sphere lodges deeper in a tumour than in normal liver, and
their arteriovenous shunts pass the smallest particles to the lungs (§3.6 of physics.md,
``sim.transport.flight``).

Depth decides what the deprived tissue does (teaching choice, U, after the source page's
lesson that bland particles under 100 µm treat NET better, 64 % vs 42 %, PubMed 30627774, R):

- at the terminal arteriolar level (≤ 50 µm in normal liver, ≤ 75 µm in a dilated tumour)
  nothing bypasses the plug: necrosis;
- above it, collaterals and the peribiliary plexus reconstitute part of the supply, more the
  larger the vessel: the reconstituted share rises with log calibre to 0.85 at 1 mm and above
  (segmental, sectoral and lobar arteries: largely reconstituted);
- small particles (full below 50 µm, none above 200 µm, log-linear between; U) lodge in the
  arterioles of the peribiliary plexus of normal liver: biliary injury, by the agent's biliary
  factor (DEB strongly, its drug hurts the plexus: bilomas in 54 %, Bhagat 2013, R).
"""

from __future__ import annotations

import math

import numpy as np

from sim.anatomy.graph import BED_KINDS
from sim.flow.compile import Compiled

MURRAY_EXPONENT_ARTERIOLES = 3.0  # r 4–100 µm (Nakamura & Awa 2014, R)
PRECAPILLARY_M = 10e-6  # the ladder ends at the pre-capillary level (issue 11, ~10 µm)
TUMOR_DILATION = 1.5  # tumour microvessels dilated and tortuous (U, teaching choice)
TERMINAL_ARTERIOLE_M = 50e-6  # occlusion at or below: necrosis, no bypass (U)
RECONSTITUTED_AT_M = 0.5e-3  # subsegmental and larger: largely reconstituted (U)
RECONSTITUTED_MAX = 0.85  # share of supply collaterals restore above a large plug (U)
PLEXUS_FULL_BELOW_M = 50e-6  # peribiliary plexus arterioles (U)
PLEXUS_NONE_ABOVE_M = 200e-6  # (U)
# How much a plug in the peribiliary plexus injures bile ducts, by agent (U): DEB adds the
# drug's toxicity (Bhagat 2013; RETNET DEB arm closed, R); bland and PVA plug only; Lipiodol
# droplets are soft and transient; Y-90's biliary harm is counted as radiation.
BILIARY_FACTOR = {"deb": 1.0, "bland": 0.3, "pva": 0.3, "lipiodol": 0.1}


_LOG_PLEXUS_NONE = math.log(PLEXUS_NONE_ABOVE_M)
_LOG_PLEXUS_SPAN = math.log(PLEXUS_NONE_ABOVE_M / PLEXUS_FULL_BELOW_M)


def reconstituted(d_m: np.ndarray, terminal_m: np.ndarray | float) -> np.ndarray:
    """Share of the supply collaterals restore below a plug of calibre ``d_m`` (m), 0–0.85.

    0 at or below the terminal arteriolar level ``terminal_m``, rising with log calibre to
    :data:`RECONSTITUTED_MAX` at :data:`RECONSTITUTED_AT_M` and above.
    """
    d = np.maximum(np.asarray(d_m, float), 1e-9)
    term = np.asarray(terminal_m, float)
    x = np.log(d / term) / np.log(RECONSTITUTED_AT_M / term)
    return RECONSTITUTED_MAX * np.clip(x, 0.0, 1.0)


def plexus_weight(d_m: np.ndarray) -> np.ndarray:
    """How much a sphere lodged at calibre ``d_m`` (m) plugs the peribiliary plexus, 0–1."""
    d = np.maximum(np.asarray(d_m, float), 1e-9)
    x = np.log(PLEXUS_NONE_ABOVE_M / d) / math.log(PLEXUS_NONE_ABOVE_M / PLEXUS_FULL_BELOW_M)
    return np.clip(x, 0.0, 1.0)


class Microvasculature:
    """The calibre ladders of one anatomy's beds, indexed by edge (beds are edges).

    Attributes
    ----------
    inlet : ndarray (E,)
        Calibre of each bed's first generation, m: the lumen of the vessel that feeds it,
        dilated in tumours (0 for vessels).
    terminal : ndarray (E,)
        Terminal arteriolar calibre of each bed, m (dilated in tumours).
    liver : ndarray of bool (E,)
        Normal-liver beds (the ones with a peribiliary plexus counted here).
    bed : ndarray of bool (E,)
    """

    def __init__(self, c: Compiled) -> None:
        n = c.n_edges
        self.bed = c.is_bed.copy()
        self.inlet = np.zeros(n)
        self.terminal = np.full(n, TERMINAL_ARTERIOLE_M)
        self.liver = np.zeros(n, bool)
        kinds = np.array(BED_KINDS)[c.bed_kind]
        dil = np.where(kinds == "tumor", TUMOR_DILATION, 1.0)
        feed = c.parent_edge[c.edge_from[c.bed_edge]]
        self.inlet[c.bed_edge] = 2.0 * c.radius[np.maximum(feed, 0)] * dil
        self.terminal[c.bed_edge] = TERMINAL_ARTERIOLE_M * dil
        self.liver[c.bed_edge] = kinds == "liver"
        # log-space constants for :meth:`lodge`, which runs at every flight's end
        self._log_inlet = np.log(np.maximum(self.inlet, 1e-12))
        steps = MURRAY_EXPONENT_ARTERIOLES * np.log2(np.maximum(self.inlet, 1e-12) / PRECAPILLARY_M)
        self._k_max = np.maximum(np.ceil(steps), 0.0)
        self._log_term = np.log(self.terminal)
        self._inv_span = 1.0 / np.log(RECONSTITUTED_AT_M / self.terminal)

    def generations(self, edge: int) -> np.ndarray:
        """The calibre ladder (m) of the bed at ``edge``: generation 0 (the inlet) down to the
        first generation at or below the pre-capillary level."""
        d0 = self.inlet[edge]
        n = max(1, math.ceil(MURRAY_EXPONENT_ARTERIOLES * math.log2(d0 / PRECAPILLARY_M)) + 1)
        return d0 * 2.0 ** (-np.arange(n) / MURRAY_EXPONENT_ARTERIOLES)

    def lodging_calibre(self, diam: np.ndarray, edge: np.ndarray) -> np.ndarray:
        """Calibre (m) of the generation where spheres of ``diam`` (m) entering the beds at
        ``edge`` lodge: the first one no wider than the sphere (the pre-capillary level for
        spheres smaller than it; the inlet for spheres as wide)."""
        d0 = self.inlet[edge]
        ratio = np.maximum(d0, 1e-12) / np.maximum(diam, 1e-12)
        k = np.ceil(MURRAY_EXPONENT_ARTERIOLES * np.log2(np.maximum(ratio, 1.0)) - 1e-9)
        k_max = np.ceil(
            MURRAY_EXPONENT_ARTERIOLES * np.log2(np.maximum(d0, 1e-12) / PRECAPILLARY_M)
        )
        k = np.minimum(k, np.maximum(k_max, 0.0))
        return d0 * 2.0 ** (-k / MURRAY_EXPONENT_ARTERIOLES)

    def lodge(self, diam: np.ndarray, edge: np.ndarray) -> tuple[np.ndarray, ...]:
        """Where spheres of ``diam`` (m) entering the beds at ``edge`` lodge, and what that
        does: (:meth:`lodging_calibre`, :meth:`kill_weight`, :meth:`biliary_weight`) at once, in
        log space (the same numbers, fewer passes)."""
        l0 = self._log_inlet[edge]
        gen = MURRAY_EXPONENT_ARTERIOLES / math.log(2.0)
        k = np.ceil(np.maximum(gen * (l0 - np.log(np.maximum(diam, 1e-12))), 0.0) - 1e-9)
        log_site = l0 - np.minimum(k, self._k_max[edge]) / gen
        x = (log_site - self._log_term[edge]) * self._inv_span[edge]
        kill = np.where(self.bed[edge], 1.0 - RECONSTITUTED_MAX * np.clip(x, 0.0, 1.0), 0.0)
        p = (_LOG_PLEXUS_NONE - log_site) / _LOG_PLEXUS_SPAN
        bile = np.where(self.liver[edge], np.clip(p, 0.0, 1.0), 0.0)
        return np.exp(log_site), kill, bile

    def downstream_share(self, site: np.ndarray, edge: np.ndarray) -> np.ndarray:
        """Share of the bed downstream of one vessel of calibre ``site`` (m): (d / d₀)³."""
        d0 = np.maximum(self.inlet[edge], 1e-12)
        return np.clip(site / d0, 0.0, 1.0) ** MURRAY_EXPONENT_ARTERIOLES

    def kill_weight(self, site: np.ndarray, edge: np.ndarray) -> np.ndarray:
        """Share of the tissue deprived by a plug at ``site`` (m) in the bed at ``edge`` that
        does not come back: 1 − reconstituted (0 outside beds)."""
        w = 1.0 - reconstituted(site, self.terminal[edge])
        return np.where(self.bed[edge], w, 0.0)

    def biliary_weight(self, site: np.ndarray, edge: np.ndarray) -> np.ndarray:
        """How much a plug at ``site`` (m) in the bed at ``edge`` hits the peribiliary plexus
        (normal-liver beds only)."""
        return np.where(self.liver[edge], plexus_weight(site), 0.0)
