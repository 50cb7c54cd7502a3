"""The flow model of a procedure: calibrated beds, catheter, occlusion, re-solves.

Bed conductances are calibrated once so that, with no catheter in place, every bed receives its
baseline flow (normal liver per gram, tumour T/N × normal, extrahepatic territories; see
:mod:`sim.physiology`). During a procedure, lodged particles lower conductances (``occlusion``
per edge, 0…1), the catheter narrows the vessels on its path, and its tip injects flow. Beds are
check valves: an artery closed upstream stagnates rather than filling backwards from the veins
(:mod:`sim.flow.valves`). Reflux is not scripted: when the subtree below the tip cannot take the
injection, the solve returns a negative flow in the edge behind the tip.
"""

from __future__ import annotations

import numpy as np

from sim.flow.catheter import WEDGE_FACTOR, annulus_factor
from sim.flow.compile import Compiled
from sim.flow.solve import TreeSolver, solve_sparse
from sim.flow.valves import solve_with_valves
from sim.units import ml_min_to_m3_s

RESIDUAL_CONDUCTANCE = 1e-6  # fully occluded edges keep this fraction (keeps the solve regular)
# A coiled vessel keeps this fraction: a coil pack is a complete, permanent closure, tighter than
# a "full" particle occlusion, so that not one packet in ~10⁵ is routed into it (U).
COILED_CONDUCTANCE = 1e-9


class FlowModel:
    """Steady flow on the compiled anatomy, re-solved as the state changes.

    Attributes
    ----------
    occlusion : ndarray (E,)
        Occluded fraction of each edge's conductance, 0…1.
    closed : ndarray of bool (E,)
        Edges closed for good by coils (:mod:`sim.engine.coils` sets them); nothing that
        clears ``occlusion`` re-opens them.
    pressure, flow : ndarray (N,), (E,)
        Latest solution (Pa, m³/s).
    """

    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.occlusion = np.zeros(c.n_edges)
        self.closed = np.zeros(c.n_edges, dtype=bool)
        self.catheter_edges = np.zeros(0, dtype=np.int64)
        self.catheter_radius = 0.0
        self.tip = c.root
        self.injection_m3_s = 0.0
        net = c.network(c.g_vessel.copy())
        self._tree = TreeSolver(net) if net.is_tree() else None
        self.g0 = self._calibrate()
        self.pressure, self.flow = self._solve(self.g0, np.zeros(c.n_nodes))
        self.baseline_flow = self.flow.copy()
        self.solves = 0

    def _solve(self, g: np.ndarray, source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pressures and flows with every bed a check valve (:mod:`sim.flow.valves`)."""
        c = self.c
        return solve_with_valves(
            self._linear, g, source, c.bed_edge, c.edge_from[c.bed_edge], c.outlet_pressure
        )

    def _linear(self, g: np.ndarray, source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._tree is not None:
            return self._tree.solve(g, source)
        return solve_sparse(self.c.network(g, source))

    def _calibrate(self, iterations: int = 200, rtol: float = 1e-10) -> np.ndarray:
        """Bed conductances giving each bed its baseline flow at baseline pressures.

        On a tree this is exact in one pass: every vessel's flow is the sum of the bed flows
        below it, so pressures follow from the root down (p_child = p_parent − Q/g) and each
        bed's conductance is its flow over its pressure drop. With loops (collaterals) that
        answer seeds a fixed-point iteration g_bed ← Q_target / (p_terminal − p_outlet).
        """
        c = self.c
        target = np.array([ml_min_to_m3_s(q) for q in c.bed_flow0_ml_min])
        g = c.g_vessel.copy()
        q = np.zeros(c.n_edges)
        q[c.bed_edge] = target
        n_tree = c.n_nodes - 1
        for e in range(n_tree - 1, -1, -1):
            pe = c.parent_edge[c.edge_from[e]]
            if pe >= 0:
                q[pe] += q[e]
        p = np.zeros(c.n_nodes)
        p[c.root] = c.root_pressure
        for e in range(n_tree):
            if not c.is_bed[e]:
                p[c.edge_to[e]] = p[c.edge_from[e]] - q[e] / g[e]
        p_out = c.outlet_pressure
        drop = p[c.edge_from[c.bed_edge]] - p_out
        if (drop <= 0).any():
            raise ValueError("the arterial tree is too resistive to carry the baseline flows")
        g[c.bed_edge] = target / drop
        if self._tree is not None:
            return g
        for _ in range(iterations):
            p, q = self._solve(g, np.zeros(c.n_nodes))
            got = q[c.bed_edge]
            if np.all(np.abs(got - target) <= rtol * target):
                break
            drop = p[c.edge_from[c.bed_edge]] - p_out
            g[c.bed_edge] = target / np.maximum(drop, 1.0)
        return g

    def conductance(self) -> np.ndarray:
        """Current conductances: baseline × (1 − occlusion) × catheter annulus factor; a vessel
        the catheter wedges in (factor below ``WEDGE_FACTOR``) is closed around it; a coiled
        vessel (``closed``) keeps only ``COILED_CONDUCTANCE`` whatever its occlusion."""
        g = self.g0 * np.maximum(1.0 - self.occlusion, RESIDUAL_CONDUCTANCE)
        g[self.closed] = self.g0[self.closed] * COILED_CONDUCTANCE
        if self.catheter_edges.size:
            e = self.catheter_edges
            f = annulus_factor(self.c.radius[e], self.catheter_radius)
            g[e] *= np.maximum(np.where(f < WEDGE_FACTOR, 0.0, f), RESIDUAL_CONDUCTANCE)
        return g

    def place_catheter(self, path_edges: list[int], catheter_radius: float) -> None:
        """Lay the catheter along ``path_edges`` (root → tip); the tip is the last edge's end."""
        self.catheter_edges = np.asarray(path_edges, dtype=np.int64)
        self.catheter_radius = catheter_radius
        self.tip = int(self.c.edge_to[path_edges[-1]]) if path_edges else self.c.root

    def set_injection(self, rate_ml_min: float) -> None:
        self.injection_m3_s = ml_min_to_m3_s(rate_ml_min)

    def source(self) -> np.ndarray:
        s = np.zeros(self.c.n_nodes)
        if self.injection_m3_s > 0 and self.tip != self.c.root:
            s[self.tip] = self.injection_m3_s
        return s

    def solve(self) -> None:
        """Re-solve pressures and flows for the current state."""
        self.pressure, self.flow = self._solve(self.conductance(), self.source())
        self.solves += 1

    def lumen_area(self) -> np.ndarray:
        """Open cross-section of each edge, m² (the annulus where the catheter lies)."""
        a = np.pi * self.c.radius**2
        if self.catheter_edges.size:
            e = self.catheter_edges
            a[e] = np.maximum(a[e] - np.pi * self.catheter_radius**2, 0.0)
        return a

    def free_tip_flow(self) -> float:
        """Flow into the tip's vessel (m³/s, no injection) were the catheter not filling it: the
        reference a wedge's residual antegrade flow is measured against."""
        e = self.tip_edge()
        if e < 0:
            return 0.0
        g = self.conductance()
        g[e] = self.g0[e] * max(1.0 - self.occlusion[e], RESIDUAL_CONDUCTANCE)
        return float(self._solve(g, np.zeros(self.c.n_nodes))[1][e])

    def tip_edge(self) -> int:
        """The edge the catheter tip sits at the end of (−1 when not catheterised)."""
        return int(self.catheter_edges[-1]) if self.catheter_edges.size else -1
