"""Calibres of the derived vessels: Murray's law from flow, with the exponent of the calibre class.

A derived vessel takes r = r_parent · (Q / Q_parent)^(1/n) from the baseline flow Q it carries
(the two daughters of a bifurcation then satisfy Σ rᵢⁿ = r_parentⁿ). The exponent n depends on
the parent's calibre: large arteries are closer to area-preserving than small ones. Least-energy
model against angiographic, cast and in-vivo data (Nakamura & Awa, Physiol Rep 2014;2:e00236,
in ``shared/domain/morphometry.yaml``):

- radius > 1 mm (proximal arteries): n ≈ 2.33 — the hepatic trunk's PHA → RHA + LHA split from
  cohort means gives 2.03 (Bilir 2021 set a, morphometry.yaml, D), CHA → PHA + GDA 2.83;
- 0.1–1 mm (elastic-muscular arteries): 2.7 — measured arterial trees 2.7–2.9 (Marchesi 2026,
  reference §2.3); this class takes the case's ``anatomy.murray_exponent`` (default 2.85);
- below 0.1 mm (resistive arteries): 3.0 (Murray's cube law).

In the distal tree each bifurcation draws its own exponent around its class's (real trees
scatter, morphometry.yaml), shared by its two children.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim.anatomy.graph import subtree_flows, tree_view
from sim.scenario.models import SEGMENTS

# Distal vessels take their physical length from their calibre, not from the drawing (the AP
# projection foreshortens and the bisection tree stretches): L = 10 × diameter, a typical
# length-to-diameter ratio of arterial segments (U; see docs/physics.md). With Murray calibres
# this gives roughly equal pressure drops per generation.
LENGTH_TO_DIAMETER = 10.0

LARGE_RADIUS_M = 1.0e-3  # above: proximal arteries (Nakamura & Awa 2014, R)
SMALL_RADIUS_M = 0.1e-3  # below: peripheral resistive arteries (Nakamura & Awa 2014, R)
LARGE_EXPONENT = 2.33  # Nakamura & Awa 2014 (R)
SMALL_EXPONENT = 3.0  # Nakamura & Awa 2014; Murray 1926 (R)

# ``anatomy.radius_scatter`` σ becomes a per-bifurcation exponent scatter of 3σ (σ 0.08 → 0.24),
# so bifurcations scatter (morphometry.yaml) without radii drifting along a path (U).
EXPONENT_SCATTER = 3.0
EXPONENT_CLIP = (2.0, 3.6)  # bounds of a scattered exponent (U; binds at < 1 % of bifurcations)


def class_exponent(parent_radius_m: float, n_mid: float) -> float:
    """Murray exponent of a bifurcation whose parent has radius ``parent_radius_m`` (m);
    ``n_mid`` is the case's exponent for the 0.1–1 mm class."""
    if parent_radius_m > LARGE_RADIUS_M:
        return LARGE_EXPONENT
    if parent_radius_m <= SMALL_RADIUS_M:
        return SMALL_EXPONENT
    return n_mid


def implied_exponent(r0: float, radii: list[float]) -> float:
    """The n with r0ⁿ = Σ rᵢⁿ (bisection on [1, 10]; morphometry.yaml's acceptance method)."""
    lo, hi = 1.0, 10.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if sum((r / r0) ** mid for r in radii) > 1.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def assign_radii(
    g: nx.DiGraph, root: int, n: float, sigma: float, rng: np.random.Generator, overrides=None
) -> None:
    """Derived calibres by Murray's law from flow, the exponent by calibre class, scattered.

    A scenario's per-vessel override (``anatomy.vessels``) wins over the derived calibre.
    """
    flows = subtree_flows(g, root)
    overrides = overrides or {}
    node_n: dict[int, float] = {}
    for u, v in nx.bfs_edges(tree_view(g), root):
        d = g.edges[u, v]
        if d["kind"] != "vessel" or not d["derived"]:
            continue
        o = overrides.get(d["name"])
        if o is not None and o.diameter_mm:
            d["radius_m"] = o.diameter_mm * 0.5e-3
            if o.length_mm:
                d["length_m"] = o.length_mm * 1e-3
            elif d["segment"] is not None:
                d["length_m"] = LENGTH_TO_DIAMETER * o.diameter_mm * 1e-3
            continue
        parents = list(g.predecessors(u))
        if not parents:
            continue
        pd = g.edges[parents[0], u]
        q, qp = flows[(u, v)], flows[(parents[0], u)]
        nn = class_exponent(pd["radius_m"], n)
        if d["segment"] is not None and d["name"] not in SEGMENTS and d["name"] != "S1L":
            if u not in node_n:  # one exponent per bifurcation: real trees scatter around n
                z = EXPONENT_SCATTER * sigma * rng.standard_normal()
                node_n[u] = float(np.clip(nn + z, *EXPONENT_CLIP))
            nn = node_n[u]
        r = pd["radius_m"] * (max(q, 1e-9) / max(qp, 1e-9)) ** (1.0 / nn)
        d["radius_m"] = min(r, pd["radius_m"])
        if d["segment"] is not None:
            d["length_m"] = LENGTH_TO_DIAMETER * 2.0 * d["radius_m"]
