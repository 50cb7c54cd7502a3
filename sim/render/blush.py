"""How the capillary blush is spread over the picture: territories that meet in gradients.

A pixel's blush blends its nearest beds (Gaussian weights in distance), so territories meet in
smooth gradients rather than the straight edges of a nearest-bed map; the query point is warped
by a smooth random field so a territory's edge is irregular, as a real segmental blush is. The
blush is smooth, so it is computed at half the reduced resolution and doubled up
(:func:`upsample2`). Drawing only (U).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

# A pixel's blush blends its nearest beds (Gaussian in distance): territories meet in smooth
# gradients, not the straight edges of a nearest-bed map; the query point is warped by a smooth
# random field so a territory's edge is irregular as in a real segmental blush (U: drawing).
BLEND_BEDS = 4
BLEND_MM = 3.0
WARP_MM, WARP_SCALE_MM = 5.0, 10.0


def blend(pts: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices (k, n) of the nearest ``sites`` to each point and their Gaussian weights (sum 1)."""
    k = min(BLEND_BEDS, len(sites))
    d, j = cKDTree(sites).query(pts, k=k)
    d, j = d.reshape(len(pts), k), j.reshape(len(pts), k)
    w = np.exp(-(d**2 - d[:, :1] ** 2) / (2.0 * BLEND_MM**2))
    w /= w.sum(axis=1, keepdims=True)
    return j.T, w.T.astype(np.float32)


def warped(x: np.ndarray, y: np.ndarray, px_per_mm: float, seed: int):
    """World coordinates (mm) displaced by a smooth random field (irregular territory edges),
    on a grid of ``px_per_mm`` pixels per mm (the renderer's own generator, ``seed``)."""
    rng = np.random.default_rng(seed)
    out = []
    for a in (x, y):
        n = ndimage.gaussian_filter(rng.standard_normal(x.shape), WARP_SCALE_MM * px_per_mm)
        out.append(a + WARP_MM * n / max(float(n.std()), 1e-9))
    return out[0], out[1]


def upsample2(a: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A half-resolution map doubled up to ``shape`` by linear interpolation."""
    out = np.empty((2 * a.shape[0], 2 * a.shape[1]), a.dtype)
    rows = np.empty((2 * a.shape[0], a.shape[1]), a.dtype)
    rows[0::2] = a
    rows[1:-1:2] = 0.5 * (a[:-1] + a[1:])
    rows[-1] = a[-1]
    out[:, 0::2] = rows
    out[:, 1:-1:2] = 0.5 * (rows[:, :-1] + rows[:, 1:])
    out[:, -1] = rows[:, -1]
    return out[: shape[0], : shape[1]]
