"""What the maps of every anatomy share at one window size and angulation: the backdrop.

The world grid and its geometry (:class:`Geometry`), the liver's silhouette and path length,
the smooth fields that warp and mottle the blush, the soft tissue, bone and gas, the veins, the
collimated field and the noise: none of it depends on the case's tree or tumours (the spine
sits beside the aorta's root, the same in every case so far, and is keyed by it). Built once per
size and angulation (:func:`build_backdrop`, most of a map's cost) and shared by the maps of
every case seen that way (:mod:`sim.render.maps`). Drawing only (U).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from sim.anatomy.depth import GAS_DEPTH_MM, RIB_DEPTH_MM, SPINE_DEPTH_MM
from sim.anatomy.silhouette import inside_polygon
from sim.render.blush import warped
from sim.render.organs import kidney_density, vein_chords
from sim.render.projection import Projected, swept

WORLD = (0.0, 0.0, 275.0, 245.0)  # mm: x0, y0, x1, y1 (as the author's preview)
LOW = 0.5  # reduced raster / window resolution
NOISE_FRAMES = 8
NOISE_SEED = 20_240_601  # the renderer's own generator: never the simulation's streams
# Path length of one territory along the beam: segments overlap in the AP projection (S7 behind
# S8, S5 in front of S6), so a territory is taken as half the liver's AP depth (U).
LIVER_MAX_THICK_MM = 60.0
LIVER_RAMP_MM = 35.0  # the liver thins to its edge over this distance in projection (U)


class Geometry:
    """World millimetres ↔ window pixels: the world box fitted and centred in ``size``."""

    def __init__(self, size: tuple[int, int], margin: float = 0.03) -> None:
        w, h = int(size[0]), int(size[1])
        self.size = (w, h)
        ww, wh = WORLD[2] - WORLD[0], WORLD[3] - WORLD[1]
        self.s = min(w / ww, h / wh) * (1.0 - margin)  # px per mm
        self.ox = (w - self.s * ww) / 2.0 - self.s * WORLD[0]
        self.oy = (h - self.s * wh) / 2.0 - self.s * WORLD[1]
        self.low = (max(8, round(w * LOW)), max(8, round(h * LOW)))
        self.fx, self.fy = self.low[0] / w, self.low[1] / h  # full px → low px

    def to_px(self, xy: np.ndarray) -> np.ndarray:
        """Array of world points (…, 2) mm → full-resolution pixels (float)."""
        xy = np.asarray(xy, float)
        return np.stack([self.ox + self.s * xy[..., 0], self.oy + self.s * xy[..., 1]], -1)

    def to_low(self, xy: np.ndarray) -> np.ndarray:
        """Array of world points (…, 2) mm → reduced-raster pixels (float)."""
        p = self.to_px(xy)
        return np.stack([p[..., 0] * self.fx, p[..., 1] * self.fy], -1)

    def low_world_grid(self) -> tuple[np.ndarray, np.ndarray]:
        """World coordinates (mm) of every reduced-raster pixel centre, each (lw, lh)."""
        lw, lh = self.low
        px = (np.arange(lw) + 0.5) / self.fx
        py = (np.arange(lh) + 0.5) / self.fy
        x = (px - self.ox) / self.s
        y = (py - self.oy) / self.s
        return np.meshgrid(x, y, indexing="ij")


@dataclass
class Backdrop:
    """The anatomy-free maps at one window size and angulation (arrays are (lw, lh)).

    Attributes
    ----------
    geo : Geometry
    inside : ndarray of bool
        The liver's silhouette.
    thick : ndarray of float32
        The liver's path length (mm), mottled; the tumours are cut out of it per case.
    wx, wy : ndarray
        The world grid warped by a smooth random field (irregular territory edges), mm.
    tex : ndarray of float32
        A smooth unit-variance random field (mottling, heterogeneous enhancement).
    veins, tissue, field, vignette, noise
        As :class:`~sim.render.raster.Maps` has them.
    """

    geo: Geometry
    inside: np.ndarray
    thick: np.ndarray
    wx: np.ndarray
    wy: np.ndarray
    tex: np.ndarray
    veins: np.ndarray
    tissue: np.ndarray
    field: np.ndarray
    vignette: np.ndarray
    noise: np.ndarray


def build_backdrop(
    size: tuple[int, int], pr: Projected, spine_x: float, same_size: Backdrop | None = None
) -> Backdrop:
    """The backdrop at ``size`` seen from ``pr.arm``, the spine's midline at ``spine_x`` mm.
    ``same_size``: a backdrop of the same size, whose field, vignette and noise are shared."""
    geo = Geometry(size)
    x, y, inside = liver_mask(geo, pr)
    mm_per_px = 1.0 / (geo.s * geo.fx)
    dist = ndimage.distance_transform_edt(inside) * mm_per_px  # to the liver's edge
    liver_th = LIVER_MAX_THICK_MM * np.sqrt(np.clip(dist / LIVER_RAMP_MM, 0.0, 1.0))
    tex = texture(geo, 3.0)
    wx, wy = warped(x, y, geo.s * geo.fx, NOISE_SEED + 4)
    if same_size is not None and same_size.geo.low == geo.low:
        field, vignette, noise = same_size.field, same_size.vignette, same_size.noise
    else:
        field, vignette = field_map(geo)
        noise = noise_bank(geo)
    return Backdrop(
        geo=geo,
        inside=inside,
        thick=(liver_th * (1.0 + 0.10 * tex) * inside).astype(np.float32),  # mottled parenchyma
        wx=wx,
        wy=wy,
        tex=tex,
        veins=vein_chords(*pr.grid_at_depth(x, y, 0.0)),
        tissue=tissue_map(spine_x, geo, x, y, inside, dist, pr),
        field=field,
        vignette=vignette,
        noise=noise,
    )


def liver_mask(geo: Geometry, pr: Projected) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """World grid X, Y and the liver silhouette on the reduced raster: the outline swept
    through the liver's depth (``pr.sweep``), one reduced pixel at a time."""
    x, y = geo.low_world_grid()
    pts = np.stack([x.ravel(), y.ravel()], 1)
    base = inside_polygon(pts, pr.outline).reshape(x.shape)
    return x, y, swept(base, pr.sweep * np.array([geo.s * geo.fx, geo.s * geo.fy]))


def texture(geo: Geometry, scale_mm: float) -> np.ndarray:
    """A fixed smooth unit-variance random field (the renderer's own generator)."""
    rng = np.random.default_rng(NOISE_SEED + 3)
    n = ndimage.gaussian_filter(rng.standard_normal(geo.low), scale_mm * geo.s * geo.fx)
    return (n / max(float(n.std()), 1e-9)).astype(np.float32)


def tissue_map(spine_x: float, geo: Geometry, x, y, inside, dist, proj: Projected) -> np.ndarray:
    """Static optical density: liver, lung bases, spine, lower ribs, bowel gas (U: drawing only).

    The spine, the ribs and the gas are drawn at their own depths (:mod:`sim.anatomy.depth`), so
    they turn with the C-arm: each is evaluated on the AP grid seen at its depth. ``spine_x``:
    the aorta's root, mm (the spine's midline is 14 mm to its left); ``dist``: mm from each
    pixel to the liver's edge.
    """
    grid = (x, y)
    dens = 0.30 * np.clip(dist / 12.0, 0.0, 1.0) ** 0.5 + 0.06 * np.clip(dist / 60.0, 0.0, 1.0)
    # lung bases above the diaphragm (the liver's upper border), brighter upward
    top = _upper_border(x[:, 0], proj.outline + proj.sweep.mean(axis=0))
    above = np.clip((top[:, None] - y) / 14.0, 0.0, 1.0) * (~inside)
    dens -= 0.50 * above
    dens += 0.07 * (y > top[:, None]) * (~inside)  # abdominal soft tissue below the diaphragm
    # spine, left of the aorta: vertebral bodies with a denser cortex, pedicles, lighter discs
    xs = spine_x - 14.0
    x, y = proj.grid_at_depth(*grid, SPINE_DEPTH_MM)
    period, half_h, half_w = 33.0, 12.5, 21.0
    vy = np.mod(y + 8.0, period) - period / 2.0
    near = np.abs(x - xs) < half_w  # (elsewhere rho ≥ 1: no body; computed only here)
    rho = (np.abs((x[near] - xs) / half_w) ** 3 + np.abs(vy[near] / half_h) ** 3) ** (1.0 / 3.0)
    body, rim = np.zeros(x.shape, bool), np.zeros(x.shape, bool)
    body[near], rim[near] = rho < 1.0, (rho < 1.0) & (rho > 0.8)
    dens += 0.11 * body + 0.13 * rim + 0.05 * (body & (np.abs(vy) > 0.8 * half_h))
    for side in (-1.0, 1.0):
        pr = np.hypot((x - xs - side * 13.0) / 4.5, (vy + 5.0) / 6.0)
        dens += 0.12 * ((pr < 1.0) & (pr > 0.5))
    spinous = np.hypot((x - xs) / 3.0, (vy - 2.0) / 7.0) < 1.0
    dens += 0.05 * spinous + 0.06 * np.exp(-(((x - xs) / 32.0) ** 2))  # paraspinal muscle
    dens += kidney_density(x, y)  # retroperitoneal, about the spine's depth
    # lower ribs: from the spine outward and down, cortex denser than marrow, fading laterally
    x, y = proj.grid_at_depth(*grid, RIB_DEPTH_MM)
    for k in range(4):
        for side in (-1.0, 1.0):
            lat = side * (x - xs) - 24.0
            cy = -10.0 + 32.0 * k + 0.0042 * np.clip(lat, 0.0, None) ** 2 - 0.1 * lat
            band = np.abs(y - cy)
            fade = np.clip(1.0 - lat / 170.0, 0.0, 1.0) * (lat > 0)
            dens += fade * (0.05 * (band < 4.5) + 0.07 * ((band > 3.0) & (band < 4.5)))
    # bowel gas: a few irregular light pockets low in the field (fixed, U)
    rng = np.random.default_rng(NOISE_SEED + 1)
    x, y = proj.grid_at_depth(*grid, GAS_DEPTH_MM)
    for gx, gy in ((55, 205), (100, 225), (210, 195), (245, 228), (150, 238)):
        for _ in range(4):
            cx, cy = gx + rng.normal(0, 7), gy + rng.normal(0, 4)
            ra, rb = rng.uniform(5, 11), rng.uniform(4, 8)
            g = ((x - cx) / ra) ** 2 + ((y - cy) / rb) ** 2
            pocket = g < 1.0  # (0 outside: computed only inside)
            dens[pocket] -= 0.09 * (1.0 - g[pocket]) ** 0.3
    sigma = 0.8 * geo.s * geo.fx
    return ndimage.gaussian_filter(dens, sigma).astype(np.float32)


def _upper_border(xw: np.ndarray, o: np.ndarray) -> np.ndarray:
    """The upper border of the liver outline ``o`` (the right hemidiaphragm) as y(x), extended
    flat beyond it."""
    top = o[: int(np.argmax(o[:, 0])) + 1]  # outline runs over the top from left to right
    return np.interp(xw, top[:, 0], top[:, 1])


def field_map(geo: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """A soft superelliptic collimated field around the world box, and a radial vignette."""
    lw, lh = geo.low
    c0 = geo.to_low(np.array([(WORLD[0] + WORLD[2]) / 2, (WORLD[1] + WORLD[3]) / 2]))
    half = geo.to_low(np.array([WORLD[2], WORLD[3]])) - c0
    ax, ay = half[0] * 1.06, half[1] * 1.06
    px, py = np.meshgrid(np.arange(lw) + 0.5, np.arange(lh) + 0.5, indexing="ij")
    rho = (np.abs((px - c0[0]) / ax) ** 5 + np.abs((py - c0[1]) / ay) ** 5) ** 0.2
    edge_px = 3.0
    inside = np.clip((1.0 - rho) * min(ax, ay) / edge_px, 0.0, 1.0)
    vignette = 1.0 - 0.30 * np.clip(rho, 0.0, 1.0) ** 2
    return inside.astype(np.float32), vignette.astype(np.float32)


def noise_bank(geo: Geometry) -> np.ndarray:
    """Fixed unit-variance noise frames (the renderer's own seeded generator)."""
    rng = np.random.default_rng(NOISE_SEED)
    n = rng.standard_normal((NOISE_FRAMES, *geo.low)).astype(np.float32)
    n[:, 1:, :] += 0.35 * n[:, :-1, :]  # a touch of spatial correlation (detector blur)
    n[:, :, 1:] += 0.35 * n[:, :, :-1]
    return n / np.float32(n.std())
