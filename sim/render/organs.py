"""Organs and veins as the angiogram draws them: shapes in projection and their path lengths.

Drawing only (U: shapes and positions are teaching choices in the order of adult anatomy on an AP
abdominal film, not the simulation's anatomy). Each organ a non-target bed feeds is a bent,
tapered ellipsoid placed at that bed's end point: a hollow viscus (gallbladder, stomach, bowel)
blushes as its wall, a rim around a clear lumen; solid organs (spleen, pancreatic head) blush
throughout. The kidneys are soft tissue behind the liver and bowel (fluoroscopy only). The veins
that drain the runs (hepatic veins into the IVC; the splenic vein into the portal vein and its
branches) are fixed paths whose path length through the beam is mapped once per window size.

Coordinates are millimetres of the AP image (x to the viewer's right, which is the patient's
left; y down), as :mod:`sim.render.raster`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Shape:
    """A bent, tapered ellipsoid seen from the front.

    Attributes
    ----------
    offset : tuple of float
        Centre relative to the bed's end point, mm.
    a, b : float
        Half length and half width (also the half depth), mm.
    angle : float
        Direction of the long axis, degrees from +x toward +y (down the screen).
    taper : float
        Width grows by this share from the middle to the far end (negative: narrows).
    bend : float
        The centre line bows sideways by ``bend × b`` at the middle (a crescent, a C).
    wall : float or None
        Blushing wall thickness of a hollow viscus, mm (None: solid).
    uptake : float
        Share of the chord that takes up contrast.
    """

    offset: tuple[float, float]
    a: float
    b: float
    angle: float
    taper: float = 0.0
    bend: float = 0.0
    wall: float | None = None
    uptake: float = 0.5


ORGAN_SHAPES: dict[str, Shape] = {
    # fundus low and lateral, neck up toward the porta; the mucosa blushes as a rim
    "gallbladder": Shape((-4.0, 12.0), 36.0, 13.0, 118.0, taper=0.35, bend=0.2, wall=3.0),
    # body and fundus under the left hemidiaphragm, the greater curvature convex laterally
    "stomach": Shape((14.0, 14.0), 55.0, 24.0, 105.0, taper=-0.35, bend=-0.9, wall=5.0),
    "duodenum_pancreas": Shape((4.0, 2.0), 26.0, 15.0, 80.0, taper=-0.25, bend=0.3, uptake=0.2),
    # long axis along the 10th rib, lower pole lateral, convex toward the ribs
    "spleen": Shape((-2.0, -30.0), 58.0, 22.0, 62.0, taper=-0.15, bend=-0.6, uptake=0.6),
    "skin": Shape((0.0, 0.0), 16.0, 6.0, 0.0, uptake=0.3),
    "bowel": Shape((0.0, 0.0), 40.0, 11.0, 20.0, bend=0.6, wall=3.0, uptake=0.4),
    "diaphragm": Shape((0.0, 0.0), 40.0, 5.0, 0.0, bend=1.2, uptake=0.3),
}

# kidneys: (centre mm, half length, half width, axis degrees); upper poles medial, right lower
KIDNEYS = (((84.0, 214.0), 55.0, 27.0, 104.0), ((232.0, 198.0), 55.0, 27.0, 76.0))

# Veins as (polyline mm, diameter mm at its start, at its end); IVC flow is mostly from below
HEPATIC_VEINS = (
    (((40.0, 118.0), (72.0, 80.0), (110.0, 50.0), (141.0, 32.0)), 5.0, 13.0),
    (((98.0, 150.0), (112.0, 102.0), (128.0, 62.0), (142.0, 34.0)), 4.0, 11.0),
    (((214.0, 62.0), (186.0, 50.0), (160.0, 40.0), (146.0, 32.0)), 4.0, 10.0),
)
IVC = (((138.0, 170.0), (139.0, 110.0), (142.0, 60.0), (145.0, 22.0)), 20.0, 22.0)
IVC_SHARE = 0.35  # hepatic venous blood's share of the suprahepatic IVC flow (U)
SPLENIC_VEIN = (((256.0, 148.0), (222.0, 160.0), (188.0, 167.0), (160.0, 168.0)), 8.0, 10.0)
PORTAL_VEINS = (
    (((160.0, 168.0), (146.0, 150.0), (128.0, 132.0)), 12.0, 13.0),
    (((128.0, 132.0), (100.0, 126.0), (72.0, 121.0)), 10.0, 8.0),
    (((72.0, 121.0), (56.0, 106.0), (42.0, 96.0)), 6.0, 4.0),
    (((72.0, 121.0), (56.0, 134.0), (44.0, 146.0)), 6.0, 4.0),
    (((128.0, 132.0), (150.0, 114.0), (172.0, 96.0), (178.0, 80.0)), 8.0, 5.0),
)


def shape_chord(x: np.ndarray, y: np.ndarray, center, sh: Shape) -> np.ndarray:
    """Path length (mm) through ``sh`` centred at ``center`` at each (x, y), 0 outside.

    A hollow shape gives the wall's path length: the outer chord less the lumen's. Only the
    points within the shape's reach are computed (|u| < 1 and |v| < 1 + |taper| + |bend|
    inside it, so it lies within ``a + b (1 + |taper| + |bend|)`` of its centre on each axis).
    """
    dx, dy = x - center[0], y - center[1]
    reach = 1.01 * (sh.a + sh.b * (1.0 + abs(sh.taper) + abs(sh.bend)))
    near = (np.abs(dx) < reach) & (np.abs(dy) < reach)
    out = np.zeros(dx.shape, dx.dtype)
    out[near] = _chord(dx[near], dy[near], sh)
    return out


def _chord(dx: np.ndarray, dy: np.ndarray, sh: Shape) -> np.ndarray:
    """:func:`shape_chord` at offsets ``dx, dy`` (mm) from the shape's centre."""
    th = np.deg2rad(sh.angle)
    u = (dx * np.cos(th) + dy * np.sin(th)) / sh.a
    v = (-dx * np.sin(th) + dy * np.cos(th)) / sh.b
    f = np.clip(1.0 + sh.taper * u, 0.2, None)
    vn = (v - sh.bend * (1.0 - np.clip(u, -1.0, 1.0) ** 2)) / f
    r2 = u * u + vn * vn
    half = sh.b * f
    chord = 2.0 * half * np.sqrt(np.clip(1.0 - r2, 0.0, None))
    if sh.wall is not None:
        k = np.clip(1.0 - sh.wall / half, 0.0, 1.0)
        chord -= 2.0 * half * k * np.sqrt(np.clip(1.0 - r2 / np.maximum(k * k, 1e-9), 0.0, None))
    return chord * sh.uptake


def kidney_density(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Optical density of both kidneys over their perirenal fat (fluoroscopy, U)."""
    out = np.zeros(x.shape, np.float32)
    for center, a, b, ang in KIDNEYS:
        sh = Shape((0.0, 0.0), a, b, ang, bend=-0.25, uptake=1.0)
        body = shape_chord(x, y, center, sh) / (2.0 * b)
        fat = shape_chord(x, y, center, Shape((0.0, 0.0), a + 7, b + 7, ang, bend=-0.25))
        out += 0.07 * body - 0.03 * (fat > 0) * (body <= 0)
    return out


def vein_chords(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Path length (mm) at each (x, y) through the hepatic veins (with the IVC, weighted by
    its hepatic share), the splenic vein and the portal vein with its branches, (3, …)."""
    hep = np.maximum.reduce([_tube(x, y, *v) for v in HEPATIC_VEINS])
    hep = np.maximum(hep, IVC_SHARE * _tube(x, y, *IVC))
    por = np.maximum.reduce([_tube(x, y, *v) for v in PORTAL_VEINS])
    spl = np.clip(_tube(x, y, *SPLENIC_VEIN) - por, 0.0, None)  # not twice at the confluence
    return np.stack([hep, spl, por]).astype(np.float32)


def _tube(x: np.ndarray, y: np.ndarray, pts, d0: float, d1: float) -> np.ndarray:
    """Chord of a tapering cylinder along polyline ``pts`` (diameter d0 → d1), max over parts."""
    p = np.asarray(pts, float)
    seg = np.hypot(*np.diff(p, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)]) / seg.sum()
    out = np.zeros(x.shape)
    half = 0.5 * max(d0, d1)
    xs, ys = x[:, 0], y[0, :]  # the grid is (x, y) indexed: x varies along axis 0
    for i in range(len(p) - 1):
        a, b = p[i], p[i + 1]
        lo, hi = np.minimum(a, b) - half, np.maximum(a, b) + half
        wi = slice(*np.searchsorted(xs, [lo[0], hi[0]]))
        wj = slice(*np.searchsorted(ys, [lo[1], hi[1]]))
        xw, yw = x[wi, wj], y[wi, wj]
        ab = b - a
        t = np.clip(((xw - a[0]) * ab[0] + (yw - a[1]) * ab[1]) / (ab @ ab), 0.0, 1.0)
        dist = np.hypot(xw - a[0] - t * ab[0], yw - a[1] - t * ab[1])
        r = 0.5 * (d0 + (d1 - d0) * (cum[i] + t * (cum[i + 1] - cum[i])))
        chord = 2.0 * np.sqrt(np.clip(r * r - dist * dist, 0.0, None))
        np.maximum(out[wi, wj], chord, out=out[wi, wj])
    return out
