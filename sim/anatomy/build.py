"""Build the whole anatomy graph for a scenario: trunk, variants, distal trees, tumours, beds."""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

from sim import physiology as phys
from sim.anatomy.calibre import assign_radii
from sim.anatomy.distal import Leaf, grow, sample_leaves
from sim.anatomy.graph import Bed
from sim.anatomy.silhouette import DEFAULT_VOLUME_PERCENT, GRID_MM, Territories, make_territories
from sim.anatomy.trunk import attach_falciform, build_trunk
from sim.anatomy.tumors import PlacedTumor, place
from sim.scenario.models import SEGMENTS, Scenario


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
        if not len(pts):
            raise ValueError(
                f"the tumours cover all of segment {seg}, which then has no normal liver to "
                "supply; make them smaller or move them"
            )
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
            right, left = _caudate_halves(leaves, tumors)
            roots = [
                ("S1", trunk.segment_roots["S1"], right),
                ("S1L", trunk.segment_roots["S1L"], left),
            ]
        for name, parent, lv in roots:
            centroid = np.mean([lf.pos for lf in lv], axis=0)
            ppos = b.g.nodes[parent]["pos"]
            root_pos = ppos + 0.4 * (centroid - ppos)
            if name == "S4":  # the falciform artery leaves the middle hepatic artery midway
                mid = b.vessel(parent, 0.5 * (ppos + root_pos), name, segment=seg, derived=True)
                attach_falciform(b, mid, anat)
                parent = mid
            seg_root = b.vessel(parent, root_pos, name, segment=seg, derived=True)
            grow(b, seg_root, lv, name, seg, rng_tree)
    _add_extra_vessels(b, trunk.root, sc, tumors)
    assign_radii(b.g, trunk.root, anat.murray_exponent, anat.radius_scatter, rng_tree, anat.vessels)
    _add_polylines(b.g, rng_tree)
    _assign_shunts(b.g, sc.shunt.lung_shunt_fraction)
    return Liver(b.g, trunk.root, terr, tumors, total_mass, anat.murray_exponent)


def _caudate_halves(leaves: list[Leaf], tumors: list[PlacedTumor]) -> tuple[list, list]:
    """Split the caudate's leaves between its right artery (from the RHA) and its left one
    (from the LHA) at the median x of its normal-liver leaves (the patient's right is the
    viewer's left, smaller x).

    A tumour's feeders follow the anatomy: each goes with the half it lies in, and a tumour
    that straddles the line is fed by both arteries (its rim feeders nearest each side go to
    that side), as a caudate lesion is fed by the caudate branches that reach it.
    """
    normal = [lf.pos[0] for lf in leaves if lf.bed.tumor is None]
    mid = float(np.median(normal if normal else [lf.pos[0] for lf in leaves]))
    side = {id(lf): lf.pos[0] <= mid for lf in leaves}
    for pt in tumors:
        rims = [lf for lf in leaves if lf.bed.tumor == pt.spec.id and lf.bed.region == "rim"]
        if abs(pt.center[0] - mid) < pt.radius_mm and len(rims) >= 2:
            rims.sort(key=lambda lf: lf.pos[0])
            side[id(rims[0])], side[id(rims[-1])] = True, False
    right = [lf for lf in leaves if side[id(lf)]]
    left = [lf for lf in leaves if not side[id(lf)]]
    return right, left


TUMOR_SHUNT_RATIO = 3.0  # tumour vs normal-liver shunting per unit flow (U)
PHRENIC_SHARE_OF_RIM = 0.25  # share of a tumour rim a parasitized phrenic artery takes over (U)


def _add_extra_vessels(b, root: int, sc: Scenario, tumors: list[PlacedTumor]) -> None:
    """Parasitized inferior phrenic arteries (new roots feeding a tumour) and collaterals."""
    g = b.g
    for ev in sc.anatomy.extra_vessels:
        if ev.kind == "parasitized_phrenic":
            pt = next(t for t in tumors if t.spec.id == ev.to_tumor)
            rims = [
                d["bed"]
                for *_, d in g.edges(data=True)
                if d["kind"] == "bed" and d["bed"].tumor == ev.to_tumor and d["bed"].region == "rim"
            ]
            mass = sum(bd.mass_g for bd in rims) * PHRENIC_SHARE_OF_RIM
            flow = sum(bd.flow_ml_min for bd in rims) * PHRENIC_SHARE_OF_RIM
            for bd in rims:
                bd.mass_g *= 1.0 - PHRENIC_SHARE_OF_RIM
                bd.flow_ml_min *= 1.0 - PHRENIC_SHARE_OF_RIM
            top = pt.center + np.array([0.0, -0.8 * pt.radius_mm])
            mid = b.vessel(root, (top[0] + 30.0, 20.0), ev.name, ev.diameter_mm, ev.length_mm * 0.7)
            end = b.vessel(mid, top, ev.name, ev.diameter_mm, ev.length_mm * 0.3)
            seg = pt.spec.segment
            b.bed(
                end,
                top + np.array([0.0, 0.8]),
                Bed(
                    "tumor",
                    ev.to_tumor,
                    mass,
                    flow,
                    phys.LIVER_OUTLET_PRESSURE_MMHG,
                    segment=seg,
                    tumor=ev.to_tumor,
                    region="rim",
                ),
            )
        else:
            ends = {}
            for _u, v, d in g.edges(data=True):
                if d["kind"] == "vessel" and d["name"] in (ev.from_vessel, ev.to_vessel):
                    ends[d["name"]] = v  # last (most distal) edge of that name wins
            u, v = ends[ev.from_vessel], ends[ev.to_vessel]
            g.add_edge(
                u,
                v,
                kind="vessel",
                name=ev.name,
                radius_m=ev.diameter_mm * 0.5e-3,
                length_m=ev.length_mm * 1e-3,
                segment=None,
                derived=False,
                collateral=True,
            )


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
    """Spread the lung shunt fraction over liver and tumour beds, tumours shunting more.

    Hepatopulmonary shunting is partly tumoural (AV shunts) and partly diffuse; we let tumour
    beds shunt 3× more per unit flow (U) so a whole-liver injection of small particles sends
    ``lsf`` of them to the lungs.
    """
    beds = [d["bed"] for _, _, d in g.edges(data=True) if d["kind"] == "bed"]
    hep = [bd for bd in beds if bd.kind in ("liver", "tumor")]
    q_hep = sum(bd.flow_ml_min for bd in hep)
    q_t = sum(bd.flow_ml_min for bd in hep if bd.kind == "tumor")
    f_t = q_t / q_hep if q_hep else 0.0
    # tumours shunt TUMOR_SHUNT_RATIO × more per unit flow than normal liver:
    # p_n (1 − f_t) + k p_n f_t = LSF
    k = TUMOR_SHUNT_RATIO
    p_n = lsf / (1.0 + (k - 1.0) * f_t)
    p_t = min(k * p_n, 0.95)
    for bd in hep:
        bd.shunt = p_t if bd.kind == "tumor" else p_n
