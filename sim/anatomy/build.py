"""Build the whole anatomy graph for a scenario: trunk, variants, distal trees, tumours, beds."""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

from sim import physiology as phys
from sim.anatomy.distal import Leaf, grow, sample_leaves
from sim.anatomy.graph import Bed
from sim.anatomy.silhouette import DEFAULT_VOLUME_PERCENT, GRID_MM, Territories, make_territories
from sim.anatomy.trunk import attach_falciform, build_trunk, segment_root_position
from sim.anatomy.tumors import PlacedTumor, place
from sim.scenario.models import SEGMENTS, Scenario

# Distal vessels take their physical length from their calibre, not from the drawing (the AP
# projection foreshortens and the bisection tree stretches): L = 10 × diameter, a typical
# length-to-diameter ratio of arterial segments (U; see docs/physics.md). With Murray calibres
# this gives roughly equal pressure drops per generation.
LENGTH_TO_DIAMETER = 10.0


@dataclass
class Liver:
    """The built anatomy.

    Attributes
    ----------
    graph : networkx.DiGraph
        Nodes with ``pos``/``kind``; edges with ``kind``, ``name``, ``radius_m``, ``length_m``,
        ``segment``, ``points`` (drawing polyline, mm) and, for beds, ``bed``.
    root : int
        The aortic node (fixed pressure).
    territories : Territories
    tumors : list of PlacedTumor
    liver_mass_g : float
        Total liver mass including tumours.
    """

    graph: nx.DiGraph
    root: int
    territories: Territories
    tumors: list[PlacedTumor]
    liver_mass_g: float
    murray_exponent: float


def liver_mass_g(sc: Scenario) -> float:
    """Liver mass: the scenario's, or ICRP 89's reference adult scaled by body weight."""
    p = sc.patient
    if p.liver_mass_g:
        return p.liver_mass_g
    scale = min(1.4, max(0.7, p.weight_kg / phys.REFERENCE_WEIGHT_KG[p.sex]))
    return phys.LIVER_MASS_G[p.sex] * scale


def build_liver(
    sc: Scenario, rng_tree: np.random.Generator, rng_tumors: np.random.Generator
) -> Liver:
    """Build the anatomy described by scenario ``sc``.

    Parameters
    ----------
    sc : Scenario
    rng_tree, rng_tumors : numpy.random.Generator
        Independent streams for the distal tree and the tumours (DESIGN.md, determinism).
    """
    anat = sc.anatomy
    vol = dict(DEFAULT_VOLUME_PERCENT)
    vol.update(anat.segment_volume_percent)
    terr = make_territories(vol)
    total_mass = liver_mass_g(sc)
    normal_per_g = phys.NORMAL_LIVER_ARTERIAL_ML_MIN_PER_G
    if sc.patient.portal_vein_thrombosis:
        normal_per_g *= phys.PORTAL_THROMBOSIS_ARTERIAL_FACTOR

    tumors = [place(t, terr, normal_per_g, rng_tumors) for t in sc.tumors]
    trunk = build_trunk(anat, terr, sc.patient.weight_kg)
    b = trunk.builder

    n_leaves_total = max(len(SEGMENTS) * 4, anat.tree_segments // 2)
    for seg in SEGMENTS:
        pts = terr.points_of(seg)
        seg_mass = terr.share[seg] * total_mass - sum(
            pt.segment_mass_g.get(seg, 0.0) for pt in tumors
        )
        seg_mass = max(seg_mass, 0.05 * terr.share[seg] * total_mass)
        for pt in tumors:
            pts = pts[np.hypot(*(pts - pt.center).T) > pt.radius_mm]
        n = max(4, round(n_leaves_total * terr.share[seg]))
        leaf_pos = sample_leaves(pts, n, rng_tree, GRID_MM)
        m = seg_mass / len(leaf_pos)
        leaves = [
            Leaf(
                p,
                Bed(
                    "liver", seg, m, m * normal_per_g, phys.LIVER_OUTLET_PRESSURE_MMHG, segment=seg
                ),
            )
            for p in leaf_pos
        ]
        for pt in tumors:
            leaves.extend(pt.leaves.get(seg, []))
        roots = [(seg, trunk.segment_roots[seg], leaves)]
        if seg == "S1":  # the caudate has a right and a left artery (usually 2; van Roekel)
            mid = np.median([lf.pos[0] for lf in leaves])
            right = [lf for lf in leaves if lf.pos[0] <= mid]
            left = [lf for lf in leaves if lf.pos[0] > mid]
            roots = [
                ("S1", trunk.segment_roots["S1"], right),
                ("S1L", trunk.segment_roots["S1L"], left),
            ]
        for name, parent, lv in roots:
            centroid = np.mean([lf.pos for lf in lv], axis=0)
            ppos = b.g.nodes[parent]["pos"]
            root_pos = ppos + 0.4 * (centroid - ppos)
            seg_root = b.vessel(parent, root_pos, name, segment=seg, derived=True)
            grow(b, seg_root, lv, name, seg, rng_tree)
            if name == "S4":
                attach_falciform(b, seg_root, anat)
    _ = segment_root_position  # kept for authoring tools that place segment roots
    _assign_radii(b.g, trunk.root, anat.murray_exponent, anat.radius_scatter, rng_tree)
    _add_polylines(b.g, rng_tree)
    _assign_shunts(b.g, sc.shunt.lung_shunt_fraction)
    return Liver(b.g, trunk.root, terr, tumors, total_mass, anat.murray_exponent)


def subtree_flows(g: nx.DiGraph, root: int) -> dict[tuple[int, int], float]:
    """Baseline flow of every edge, mL/min: the sum of bed flows below it."""
    flows: dict[tuple[int, int], float] = {}
    for u in reversed(list(nx.dfs_preorder_nodes(g, root))):
        for v in g.successors(u):
            d = g.edges[u, v]
            if d["kind"] == "bed":
                flows[(u, v)] = d["bed"].flow_ml_min
            else:
                flows[(u, v)] = sum(flows[(v, w)] for w in g.successors(v))
    return flows


def _assign_radii(
    g: nx.DiGraph, root: int, n: float, sigma: float, rng: np.random.Generator
) -> None:
    """Derived calibres by Murray's law from flow: r = r_parent (Q/Q_parent)^(1/n), scattered."""
    flows = subtree_flows(g, root)
    for u, v in nx.bfs_edges(g, root):
        d = g.edges[u, v]
        if d["kind"] != "vessel" or not d["derived"]:
            continue
        parents = list(g.predecessors(u))
        if not parents:
            continue
        pd = g.edges[parents[0], u]
        q, qp = flows[(u, v)], flows[(parents[0], u)]
        r = pd["radius_m"] * (max(q, 1e-9) / max(qp, 1e-9)) ** (1.0 / n)
        if d["segment"] is not None and d["name"] not in SEGMENTS and d["name"] != "S1L":
            r *= math.exp(sigma * rng.standard_normal())
        d["radius_m"] = min(r, pd["radius_m"])
        if d["segment"] is not None:
            d["length_m"] = LENGTH_TO_DIAMETER * 2.0 * d["radius_m"]


def _add_polylines(g: nx.DiGraph, rng: np.random.Generator) -> None:
    """Give every vessel a gently tortuous drawing path (mm), so the image reads as an angiogram."""
    for u, v, d in g.edges(data=True):
        p0, p1 = g.nodes[u]["pos"], g.nodes[v]["pos"]
        seg = p1 - p0
        length = float(np.hypot(*seg))
        k = max(4, int(length / 2.0))
        t = np.linspace(0.0, 1.0, k + 1)
        if d["kind"] != "vessel" or length < 1e-9:
            d["points"] = np.vstack([p0, p1])
            continue
        normal = np.array([-seg[1], seg[0]]) / length
        amp = 0.06 * length * rng.uniform(0.5, 1.0)
        phase = rng.uniform(0, 2 * math.pi)
        waves = rng.uniform(1.0, 2.5)
        off = amp * np.sin(2 * math.pi * waves * t + phase) * np.sin(math.pi * t)
        d["points"] = p0 + np.outer(t, seg) + np.outer(off, normal)


def _assign_shunts(g: nx.DiGraph, lsf: float) -> None:
    """Spread the lung shunt fraction over tumour beds first (tumour AV shunting), then liver."""
    beds = [d["bed"] for _, _, d in g.edges(data=True) if d["kind"] == "bed"]
    hep = [bd for bd in beds if bd.kind in ("liver", "tumor")]
    q_hep = sum(bd.flow_ml_min for bd in hep)
    q_t = sum(bd.flow_ml_min for bd in hep if bd.kind == "tumor")
    f_t = q_t / q_hep if q_hep else 0.0
    cap = 0.9
    if f_t > 0 and lsf <= cap * f_t:
        p_t, p_n = lsf / f_t, 0.0
    else:
        p_t = cap if f_t > 0 else 0.0
        p_n = (lsf - p_t * f_t) / max(1.0 - f_t, 1e-9)
    for bd in hep:
        bd.shunt = p_t if bd.kind == "tumor" else p_n
