"""Precomputed maps for the fluoroscopy view, built once per window size.

The fluoroscopy image is composed per frame from a few gathers: a value per vessel edge read
through an *edge-id raster*, a value per bed read through a *bed-id raster* and multiplied by
the tissue thickness there, plus static maps (soft tissue, collimated field, noise). This module
builds those maps at a reduced resolution (:data:`LOW` of the window), with numpy, scipy and a
few pygame draws; nothing here runs per frame.

Coordinates: millimetres on the image (x to the viewer's right, y down, the world box
:data:`WORLD`; at AP the image is the AP picture, at an angulation the anatomy comes projected by
:mod:`sim.render.projection`) and pixels of the window (full resolution) or of the reduced raster.
Maps depend on the window size and the angulation; :mod:`sim.render.maps` builds and keeps them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pygame
from scipy.spatial import cKDTree

from sim.render.backdrop import NOISE_SEED, Backdrop, Geometry
from sim.render.blush import BLEND_BEDS, blend
from sim.render.organs import ORGAN_SHAPES, shape_chord
from sim.render.projection import Projected
from sim.scenario.models import SEGMENTS

TRACK_POINTS = 8  # samples per edge polyline for placing particles


@dataclass
class Maps:
    """Everything the renderer gathers from, for one window size (arrays are (lw, lh)).

    Attributes
    ----------
    geo : Geometry
    edge_id : ndarray of int32
        Vessel edge index + 1 drawn at each pixel (0: none); proximal, wider vessels on top.
    edge_gain : ndarray of float32 (E + 1,)
        Optical density per pixel of each edge when full of undiluted contrast (index 0: 0).
    bed_ids, bed_w : ndarray (BLEND_BEDS, ⌈lw/2⌉, ⌈lh/2⌉) of int32, float32
        The normal-liver beds (index + 1; 0: none) each pixel of a half-resolution grid shows
        (the blush is smooth), and each one's weight × the tissue path length there (mm): a
        frame sums ``density[ids] × w`` and doubles it up (:func:`upsample2`).
    blush_patches : list
        Tumours and non-target organs seen through the liver, each (window, ids, w) as
        ``bed_ids, bed_w`` in the window (the blush).
    bed_id : ndarray of int32
        The nearest normal-liver bed (index + 1; 0: none) of each reduced pixel.
    patches : list
        The same patches as (window, nearest bed index + 1, path length mm): who owns a
        pixel (the teaching overlay's deposits).
    veins : ndarray of float32 (3, lw, lh)
        Path length (mm) through the hepatic veins (and IVC), the splenic and the portal vein.
    tissue : ndarray of float32
        Static optical density of soft tissue, bone and gas (fluoroscopy only; DSA subtracts it).
    field, vignette : ndarray of float32
        Collimated field (0 outside, soft edge) and the image intensifier's fall-off, 0…1.
    noise : ndarray of float32 (K, lw, lh)
        Unit Gaussian noise frames.
    tracks : ndarray of float32 (E, TRACK_POINTS, 2)
        Each edge's polyline resampled by arc length, full-resolution pixels.
    """

    geo: Geometry
    edge_id: np.ndarray
    edge_gain: np.ndarray
    bed_ids: np.ndarray
    bed_w: np.ndarray
    blush_patches: list
    bed_id: np.ndarray
    patches: list
    veins: np.ndarray
    tissue: np.ndarray
    field: np.ndarray
    vignette: np.ndarray
    noise: np.ndarray
    tracks: np.ndarray


def vessel_order(c) -> list[int]:
    """Vessel edges in drawing order: thin first, and at equal calibre the child first."""
    ves = np.flatnonzero(~c.is_bed)
    return ves[np.lexsort((-ves, c.radius[ves]))].tolist()


def edge_raster(c, geo: Geometry, vessel_k: float, points) -> tuple[np.ndarray, np.ndarray]:
    """Draw every vessel edge into an id map; return it and the per-edge density gain.

    A vessel of diameter d drawn w wide (w ≥ 1 px) gets density ``vessel_k`` · d · min(1, d/w)
    per pixel: the iodine across the vessel is spread over the pixels that show it.
    ``points`` are the edges' polylines on the image (mm).
    """
    lw, lh = geo.low
    surf = pygame.Surface((lw, lh), 0, 32)
    surf.fill((0, 0, 0))
    s_low = geo.s * 0.5 * (geo.fx + geo.fy)
    gain = np.zeros(c.n_edges + 1, np.float32)
    for e in vessel_order(c):
        d_mm = 2e3 * float(c.radius[e])
        width = max(1, int(round(d_mm * s_low)))
        gain[e + 1] = vessel_k * d_mm * min(1.0, d_mm * s_low / width)
        k = e + 1
        col = ((k >> 16) & 255, (k >> 8) & 255, k & 255)
        pts = [tuple(p) for p in geo.to_low(points[e]).tolist()]
        pygame.draw.lines(surf, col, False, pts, width)
        if width >= 3:  # round joints on wide vessels (pygame leaves notches)
            for p in pts:
                pygame.draw.circle(surf, col, p, width / 2.0)
    rgb = pygame.surfarray.array3d(surf).astype(np.int32)
    ids = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    return ids.astype(np.int32), gain


def bed_raster(c, liver, bd: Backdrop, x, y, pr: Projected) -> tuple[np.ndarray, np.ndarray, list]:
    """Which normal-liver beds each pixel shows, weighted by path length, plus tumour patches.

    Liver pixels blend the nearest normal-liver beds of their Couinaud segment. A tumour is seen
    through the liver in front of and behind it: a patch whose pixels blend the tumour's nearest
    beds (rim feeders at the rim, the core bed at the centre) with a (lobulated) sphere's chord
    as path length, the liver's path length there reduced by that chord. ``x, y``: the world
    grid (:meth:`Geometry.low_world_grid`).
    """
    inside, wx, wy, tex = bd.inside, bd.wx, bd.wy, bd.tex
    lw, lh = x.shape
    ids = np.zeros((BLEND_BEDS, lw, lh), np.int32)
    wts = np.zeros((BLEND_BEDS, lw, lh), np.float32)
    ii = np.flatnonzero(inside.ravel())
    pts = np.stack([wx.ravel()[ii], wy.ravel()[ii]], 1)
    terr = liver.territories
    _, near = cKDTree(pr.territory).query(pts)
    seg = terr.label[near]
    from_pos = pr.node[c.edge_from[c.bed_edge]]
    kinds = [bd.kind for bd in c.beds]
    flat_ids, flat_w = ids.reshape(BLEND_BEDS, -1), wts.reshape(BLEND_BEDS, -1)
    for k, name in enumerate(SEGMENTS):
        beds = np.array(
            [b for b, bd in enumerate(c.beds) if kinds[b] == "liver" and bd.segment == name], int
        )
        sel = seg == k
        if beds.size and sel.any():
            j, w = blend(pts[sel], from_pos[beds])
            flat_ids[: j.shape[0], ii[sel]] = beds[j] + 1
            flat_w[: j.shape[0], ii[sel]] = w
    thick = bd.thick.copy()  # (the tumours are cut out of it below)
    rng = np.random.default_rng(NOISE_SEED + 2)
    patches = []
    for i, pt in enumerate(liver.tumors):
        beds = np.flatnonzero(c.bed_tumor == i)
        if beds.size == 0:
            continue
        lob = rng.uniform(0.0, 2.0 * np.pi, 2)
        got = _disc(x, y, pr.tumor_center[i], pt.radius_mm, lob)
        if got is None:
            continue
        win, sel, chord = got
        thick[win] = np.maximum(thick[win] - chord, 0.0)
        chord *= np.clip(1.0 + 0.28 * tex[win], 0.4, 1.6)  # heterogeneous enhancement
        j, w = blend(np.stack([wx[win][sel], wy[win][sel]], 1), from_pos[beds])
        p_ids = np.zeros((j.shape[0], *sel.shape), np.int32)
        p_w = np.zeros((j.shape[0], *sel.shape), np.float32)
        p_ids[:, sel] = beds[j] + 1
        p_w[:, sel] = w * chord[sel]
        patches.append((win, p_ids, p_w))
    return ids, wts * thick, patches


def organ_patches(c, x, y, pr: Projected) -> list:
    """Non-target organs as shapes placed at their bed's end point, seen through the liver."""
    out = []
    to_pos = pr.node[c.edge_to[c.bed_edge]]
    for b, bd in enumerate(c.beds):
        sh = ORGAN_SHAPES.get(bd.kind)
        if sh is None:
            continue
        center = to_pos[b] + np.asarray(sh.offset)
        chord = shape_chord(x, y, center, sh)
        ii, jj = np.nonzero(chord > 0)
        if ii.size == 0:
            continue
        win = (slice(ii.min(), ii.max() + 1), slice(jj.min(), jj.max() + 1))
        w = chord[win].astype(np.float32)[None]
        out.append((win, np.where(w > 0, b + 1, 0).astype(np.int32), w))
    return out


def _disc(x, y, center, r, lobes):
    """A (lobulated) sphere's projection: (window, inside mask, chord mm) or None."""
    dx, dy = x - center[0], y - center[1]
    d2 = dx**2 + dy**2
    th = np.arctan2(dy, dx)
    rr = r * (1.0 + 0.05 * np.sin(3 * th + lobes[0]) + 0.03 * np.sin(5 * th + lobes[1]))
    ii, jj = np.nonzero(d2 < rr * rr)
    if ii.size == 0:
        return None
    win = (slice(ii.min(), ii.max() + 1), slice(jj.min(), jj.max() + 1))
    sel = d2[win] < rr[win] ** 2
    chord = np.where(sel, 2.0 * np.sqrt(np.clip(rr[win] ** 2 - d2[win], 0.0, None)), 0.0)
    return win, sel, chord.astype(np.float32)


def edge_tracks(c, geo: Geometry, points) -> np.ndarray:
    """Each edge's polyline resampled to :data:`TRACK_POINTS` points by arc length, full px.

    All edges at once: the polylines are concatenated and each sample is found by a search on
    ``edge index × 2 + arc fraction`` (monotonic over the whole array).
    """
    n = np.array([len(p) for p in points])
    p = geo.to_px(np.concatenate(points))
    edge = np.repeat(np.arange(len(points)), n)
    step = np.hypot(*np.diff(p, axis=0).T)
    step[edge[1:] != edge[:-1]] = 0.0  # no length across two edges
    cum = np.concatenate([[0.0], np.cumsum(step)])
    first = np.concatenate([[0], np.cumsum(n)[:-1]])
    cum -= np.repeat(cum[first], n)
    total = np.repeat(cum[first + n - 1], n)
    f = np.where(total > 0, cum / np.where(total > 0, total, 1.0), 0.0)
    key = 2.0 * edge + f
    want = 2.0 * np.arange(len(points))[:, None] + np.linspace(0.0, 1.0, TRACK_POINTS)[None, :]
    i = np.clip(np.searchsorted(key, want, side="right") - 1, first[:, None], None)
    j = np.minimum(i + 1, (first + n - 1)[:, None])
    span = key[j] - key[i]
    w = np.where(span > 0, (want - key[i]) / np.where(span > 0, span, 1.0), 0.0)
    return (p[i] * (1.0 - w[..., None]) + p[j] * w[..., None]).astype(np.float32)


def box_blur3(a: np.ndarray) -> np.ndarray:
    """Separable [1 2 1]/4 blur in place-free numpy slicing (edges kept)."""
    b = a.copy()
    b[1:-1, :] = 0.5 * a[1:-1, :] + 0.25 * (a[:-2, :] + a[2:, :])
    c = b.copy()
    c[:, 1:-1] = 0.5 * b[:, 1:-1] + 0.25 * (b[:, :-2] + b[:, 2:])
    return c


def nearest_edge(edge_id: np.ndarray, p_low: tuple[float, float], r_low: float) -> int | None:
    """Edge index drawn nearest to a reduced-raster point within ``r_low`` pixels, else None."""
    lw, lh = edge_id.shape
    cx, cy = int(math.floor(p_low[0])), int(math.floor(p_low[1]))
    r = max(1, int(math.ceil(r_low)))
    x0, x1 = max(0, cx - r), min(lw, cx + r + 1)
    y0, y1 = max(0, cy - r), min(lh, cy + r + 1)
    if x0 >= x1 or y0 >= y1:
        return None
    win = edge_id[x0:x1, y0:y1]
    xs, ys = np.nonzero(win)
    if xs.size == 0:
        return None
    d2 = (xs + x0 - cx) ** 2 + (ys + y0 - cy) ** 2
    k = int(np.argmin(d2))
    if d2[k] > r * r:
        return None
    return int(win[xs[k], ys[k]]) - 1
