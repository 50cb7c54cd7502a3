"""C-arm angulation: the one place where the 3-D anatomy becomes the 2-D image.

The anatomy lives on the AP image (x to the patient's left, y caudal, mm) plus a depth ``z``
(mm, positive anterior; :mod:`sim.anatomy.depth`). Turning the C-arm rotates the beam about the
isocentre :data:`ISO`; the image keeps the AP frame's units so every drawer maps image mm to
pixels as before (:class:`sim.render.raster.Geometry`).

Conventions (the operator's, as on the C-arm display): **LAO** positive (the detector to the
patient's left; the spine moves to the viewer's right, anterior vessels to the left), RAO
negative; **cranial** positive (the detector toward the head; anterior structures move down the
image, posterior ones up), caudal negative. Parallel projection (the source–image distance is
large against the liver's depth; magnification ignored). With the rotation θ (LAO) then φ
(cranial), for a point relative to the isocentre::

    u = x cos θ − z sin θ
    z' = x sin θ + z cos θ
    v = y cos φ + z' sin φ

At AP (θ = φ = 0) the image is the AP picture itself, to the last pixel. Drawers never project on
their own: :class:`Projected` holds everything the renderer and picking need for one
angulation (cached per angle by :class:`Projector`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.anatomy.depth import (
    LIVER_DEPTH_RANGE_MM,
    ORGAN_DEPTH_MM,
    node_depths,
    segment_depth,
)
from sim.anatomy.silhouette import LIVER_OUTLINE_MM
from sim.scenario.models import SEGMENTS

ISO = (137.5, 122.5, 0.0)  # isocentre, mm: the middle of the AP world box, on the hilum plane
LAO_LIMIT_DEG = 45.0
CRAN_LIMIT_DEG = 30.0
STEP_DEG = 5.0  # one key press turns the C-arm this far
CACHE_ANGLES = 8  # projected geometry kept for this many angulations


@dataclass(frozen=True)
class CArm:
    """An angulation: ``lao_deg`` (+ LAO, − RAO) and ``cran_deg`` (+ cranial, − caudal)."""

    lao_deg: float = 0.0
    cran_deg: float = 0.0

    def clamped(self) -> CArm:
        """Within the C-arm's range (LAO/RAO 45°, cranial/caudal 30°), rounded to 0.1°."""
        a = max(-LAO_LIMIT_DEG, min(LAO_LIMIT_DEG, float(self.lao_deg)))
        b = max(-CRAN_LIMIT_DEG, min(CRAN_LIMIT_DEG, float(self.cran_deg)))
        return CArm(round(a, 1) + 0.0, round(b, 1) + 0.0)

    def turned(self, d_lao: float = 0.0, d_cran: float = 0.0) -> CArm:
        """This angulation turned by the given degrees (clamped)."""
        return CArm(self.lao_deg + d_lao, self.cran_deg + d_cran).clamped()

    @property
    def label(self) -> str:
        """As on the C-arm display: ``AP``, ``LAO 20``, ``RAO 20 CAUD 15`` …"""
        parts = []
        if self.lao_deg:
            parts.append(f"{'LAO' if self.lao_deg > 0 else 'RAO'} {abs(self.lao_deg):g}")
        if self.cran_deg:
            parts.append(f"{'CRAN' if self.cran_deg > 0 else 'CAUD'} {abs(self.cran_deg):g}")
        return " ".join(parts) or "AP"


AP = CArm()
PRESETS = (AP, CArm(-20.0, 0.0), CArm(20.0, 0.0), CArm(0.0, -15.0))  # AP, RAO 20, LAO 20, CAUD 15


def project(arm: CArm, xy: np.ndarray, z: np.ndarray | float) -> np.ndarray:
    """Points ``xy`` (…, 2) mm at depths ``z`` (…) mm → image points (…, 2) mm."""
    xy = np.asarray(xy, float)
    if arm.lao_deg == 0.0 and arm.cran_deg == 0.0:
        return xy.copy()
    th, ph = math.radians(arm.lao_deg), math.radians(arm.cran_deg)
    x, y, zz = xy[..., 0] - ISO[0], xy[..., 1] - ISO[1], np.asarray(z, float) - ISO[2]
    u = x * math.cos(th) - zz * math.sin(th)
    z1 = x * math.sin(th) + zz * math.cos(th)
    v = y * math.cos(ph) + z1 * math.sin(ph)
    return np.stack([u + ISO[0], v + ISO[1]], -1)


def unproject(arm: CArm, uv: np.ndarray, z: np.ndarray | float) -> np.ndarray:
    """Image points (…, 2) mm → the AP points (…, 2) mm that lie there at depth ``z`` mm."""
    uv = np.asarray(uv, float)
    if arm.lao_deg == 0.0 and arm.cran_deg == 0.0:
        return uv.copy()
    th, ph = math.radians(arm.lao_deg), math.radians(arm.cran_deg)
    u, v, zz = uv[..., 0] - ISO[0], uv[..., 1] - ISO[1], np.asarray(z, float) - ISO[2]
    x = (u + zz * math.sin(th)) / math.cos(th)
    z1 = x * math.sin(th) + zz * math.cos(th)
    y = (v - z1 * math.sin(ph)) / math.cos(ph)
    return np.stack([x + ISO[0], y + ISO[1]], -1)


@dataclass
class Projected:
    """The anatomy seen at one angulation, image mm (what every drawer and picking read).

    Attributes
    ----------
    arm : CArm
    node : ndarray (N, 2)
        Every node of the tree.
    points : list of ndarray (k, 2)
        Every edge's drawing polyline.
    tumor_center : ndarray (T, 2)
        Tumour centres (a sphere projects to a disc of the same radius).
    territory : ndarray (P, 2)
        The Couinaud territory sample points (labels as ``liver.territories.label``).
    outline : ndarray (k, 2)
        The liver outline on the hilum plane (z = 0).
    sweep : ndarray (2, 2)
        Where the outline moves (image mm) at the liver's posterior and anterior surfaces: the
        silhouette is the outline swept between them (a slab seen obliquely is wider than seen
        face on; at one depth the projection is the same for every point, so outlines at other
        depths are translations).
    """

    arm: CArm
    node: np.ndarray
    points: list[np.ndarray]
    tumor_center: np.ndarray
    territory: np.ndarray
    outline: np.ndarray
    sweep: np.ndarray

    def at_depth(self, xy: np.ndarray, z: float) -> np.ndarray:
        """AP points at one depth (spine, ribs, gas, organs) → image mm."""
        return project(self.arm, xy, z)

    def grid_at_depth(self, u: np.ndarray, v: np.ndarray, z: float):
        """Image grids ``u, v`` (mm) → the AP grids x, y seen there at depth ``z``."""
        if self.arm == AP:
            return u, v
        # one depth: an affine map, solved on two points and applied to the grids
        o, ex, ey = unproject(self.arm, np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), z)
        ex, ey = ex - o, ey - o
        return o[0] + ex[0] * u + ey[0] * v, o[1] + ex[1] * u + ey[1] * v


def swept(mask: np.ndarray, sweep_px: np.ndarray) -> np.ndarray:
    """A boolean raster swept from offset ``sweep_px[0]`` to ``sweep_px[1]`` (pixels), one
    pixel at a time: the silhouette of a slab whose outline is ``mask`` at depth 0."""
    a, b = sweep_px
    n = int(np.ceil(np.abs(b - a).max()))
    out = mask.copy()
    w, h = mask.shape
    for k in range(n + 1) if n else ():
        dx, dy = np.round(a + (b - a) * k / n).astype(int)
        if abs(dx) < w and abs(dy) < h:
            out[max(dx, 0) : w + min(dx, 0), max(dy, 0) : h + min(dy, 0)] |= mask[
                max(-dx, 0) : w + min(-dx, 0), max(-dy, 0) : h + min(-dy, 0)
            ]
    return out


class Projector:
    """Depths of one procedure's anatomy, and its :class:`Projected` per angulation (cached)."""

    def __init__(self, c, liver) -> None:
        self.c = c
        self.liver = liver
        kinds = [None] * c.n_edges
        for b, e in enumerate(c.bed_edge):
            kinds[e] = c.beds[b].kind
        self.node_z = node_depths(
            c.node_pos, c.edge_from, c.edge_to, c.names, c.segment, kinds, c.root
        )
        self._all_points = np.concatenate(c.points)
        self.point_z = self._points_z()
        self._splits = np.cumsum([len(p) for p in c.points])[:-1]
        self.tumor_z = np.array(
            [float(segment_depth(t.spec.segment, t.center)) for t in liver.tumors]
        )
        terr = liver.territories
        self.territory_z = np.zeros(len(terr.points))
        for k, name in enumerate(SEGMENTS):
            sel = terr.label == k
            self.territory_z[sel] = segment_depth(name, terr.points[sel])
        self._cache: dict[CArm, Projected] = {}

    def _points_z(self) -> np.ndarray:
        """Depth of every polyline point (all edges concatenated): from each edge's proximal to
        its distal node by arc length."""
        c = self.c
        n = np.array([len(p) for p in c.points])
        edge = np.repeat(np.arange(len(n)), n)
        step = np.hypot(*np.diff(self._all_points, axis=0).T)
        step[edge[1:] != edge[:-1]] = 0.0  # no length across two edges
        cum = np.concatenate([[0.0], np.cumsum(step)])
        first = np.concatenate([[0], np.cumsum(n)[:-1]])
        cum -= np.repeat(cum[first], n)
        total = np.repeat(cum[first + n - 1], n)
        f = np.where(total > 0, cum / np.where(total > 0, total, 1.0), 0.0)
        z0, z1 = self.node_z[c.edge_from], self.node_z[c.edge_to]
        return z0[edge] + f * (z1 - z0)[edge]

    def organ_z(self, kind: str) -> float:
        """Depth (mm) of a non-target organ's centre."""
        return ORGAN_DEPTH_MM.get(kind, 0.0)

    def at(self, arm: CArm) -> Projected:
        """The anatomy projected at ``arm`` (built once per angulation, a few ms)."""
        arm = arm.clamped()
        hit = self._cache.get(arm)
        if hit is not None:
            return hit
        c, liver = self.c, self.liver
        base = project(arm, LIVER_OUTLINE_MM, 0.0)
        got = Projected(
            arm=arm,
            node=project(arm, c.node_pos, self.node_z),
            points=np.split(project(arm, self._all_points, self.point_z), self._splits),
            tumor_center=project(
                arm, np.array([t.center for t in liver.tumors]).reshape(-1, 2), self.tumor_z
            ),
            territory=project(arm, liver.territories.points, self.territory_z),
            outline=base,
            sweep=np.array(
                [project(arm, LIVER_OUTLINE_MM[:1], z)[0] - base[0] for z in LIVER_DEPTH_RANGE_MM]
            ),
        )
        if len(self._cache) >= CACHE_ANGLES:
            self._cache.pop(next(iter(self._cache)))
        self._cache[arm] = got
        return got


NEAR_DEG = 7.5  # a run within this of the case's view (on both axes) counts as taken in it


def projection_note(run_arms: list[CArm], case_arm: CArm | None, opens: str = "") -> list[str]:
    """The debrief's comment on the angulations the contrast runs were taken in.

    Parameters
    ----------
    run_arms : list of CArm
        The angulation of each contrast run, in order.
    case_arm : CArm or None
        The case's ``key_projection``, if it names one; ``opens`` says what it opens.
    """
    if not run_arms:
        return []
    counts: dict[str, int] = {}
    for a in run_arms:
        counts[a.label] = counts.get(a.label, 0) + 1
    out = ["Runs taken in " + ", ".join(f"{k} ×{n}" for k, n in counts.items()) + "."]
    if case_arm is not None:
        what = opens or "the key origin"
        near = [
            a
            for a in run_arms
            if abs(a.lao_deg - case_arm.lao_deg) <= NEAR_DEG
            and abs(a.cran_deg - case_arm.cran_deg) <= NEAR_DEG
        ]
        if near:
            out.append(f"{near[0].label} opened {what} (this case's view: {case_arm.label}).")
        else:
            out.append(f"No run near {case_arm.label}, the view that opens {what} in this case.")
    elif all(a == AP for a in run_arms):
        out.append(
            "Every run was AP: overlapping origins (GDA and RHA, the cystic, the right gastric) "
            "open with an oblique (RAO or LAO 20) or a caudal view."
        )
    return out
