"""Tumours: placement, mass, rim/core sub-beds and where their feeders arise.

A tumour is a sphere in the liver (projected as a disc) centred at its segment's centroid plus
an offset. It is split into a *rim* (hypervascular shell) and a *core* (inner sphere, necrotic
when configured) so coverage can be partial. Rim feeders are spread around the rim, inside
whichever segments the tumour overlaps: a tumour on a segment boundary gets feeders from both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim import physiology as phys
from sim.anatomy.distal import Leaf
from sim.anatomy.graph import Bed
from sim.anatomy.silhouette import Territories
from sim.scenario.models import SEGMENTS, Tumor

CORE_RADIUS_FRACTION = 0.6  # inner sphere called "core" when not necrotic (U)
MM_PER_RIM_FEEDER = 15.0  # one rim feeder per 15 mm of diameter, 1–4 (U)


@dataclass
class PlacedTumor:
    """A tumour placed in the silhouette."""

    spec: Tumor
    center: np.ndarray
    radius_mm: float
    mass_g: float
    leaves: dict[str, list[Leaf]]
    segment_mass_g: dict[str, float]


def sphere_mass_g(diameter_mm: float) -> float:
    """Mass of a sphere of tissue, g (density 1.03 g/mL, TheraSphere convention)."""
    r_cm = diameter_mm / 20.0
    return 4.0 / 3.0 * math.pi * r_cm**3 * phys.TISSUE_DENSITY_G_ML


def place(
    t: Tumor, terr: Territories, normal_per_g: float, rng: np.random.Generator
) -> PlacedTumor:
    """Place tumour ``t`` and build its feeder leaves, grouped by the segment that feeds them."""
    center = terr.centroid(t.segment) + np.asarray(t.offset_mm, dtype=float)
    r = t.diameter_mm / 2.0
    mass = sphere_mass_g(t.diameter_mm)
    d = np.hypot(*(terr.points - center).T)
    inside = d <= r
    if inside.sum() >= 3:
        labels = terr.label[inside]
        share = {
            s: float((labels == i).mean()) for i, s in enumerate(SEGMENTS) if (labels == i).any()
        }
    else:
        share = {t.segment: 1.0}
    share = {s: v for s, v in share.items() if v >= 0.1}
    tot = sum(share.values())
    share = {s: v / tot for s, v in share.items()}

    core_frac = t.necrotic_core if t.necrotic_core > 0 else CORE_RADIUS_FRACTION
    core_mass = mass * core_frac**3
    rim_mass = mass - core_mass
    core_perf = phys.NECROTIC_CORE_RELATIVE_PERFUSION if t.necrotic_core > 0 else t.tn_ratio
    rim_flow = rim_mass * t.tn_ratio * normal_per_g
    core_flow = core_mass * core_perf * normal_per_g

    n_rim = int(min(4, max(1, round(t.diameter_mm / MM_PER_RIM_FEEDER))))
    leaves: dict[str, list[Leaf]] = {s: [] for s in share}
    segs = sorted(share, key=lambda s: -share[s])
    counts = {s: max(1, round(n_rim * share[s])) for s in segs}
    for s in segs:
        k = counts[s]
        pts = (
            terr.points[inside & (terr.label == SEGMENTS.index(s))]
            if inside.sum() >= 3
            else center[None, :]
        )
        ang0 = rng.uniform(0, 2 * math.pi)
        for j in range(k):
            want = center + 0.75 * r * np.array(
                [math.cos(ang0 + 2 * math.pi * j / k), math.sin(ang0 + 2 * math.pi * j / k)]
            )
            p = pts[np.argmin(np.hypot(*(pts - want).T))] if len(pts) else want
            frac = share[s] / k
            leaves[s].append(
                Leaf(
                    p.astype(float),
                    Bed(
                        "tumor",
                        t.id,
                        rim_mass * frac,
                        rim_flow * frac,
                        phys.LIVER_OUTLET_PRESSURE_MMHG,
                        segment=s,
                        tumor=t.id,
                        region="rim",
                    ),
                )
            )
    core_seg = t.segment if t.segment in leaves else segs[0]
    leaves[core_seg].append(
        Leaf(
            center.copy(),
            Bed(
                "tumor",
                t.id,
                core_mass,
                core_flow,
                phys.LIVER_OUTLET_PRESSURE_MMHG,
                segment=core_seg,
                tumor=t.id,
                region="core",
            ),
        )
    )
    seg_mass = {s: mass * share[s] for s in share}
    return PlacedTumor(t, center, r, mass, leaves, seg_mass)
