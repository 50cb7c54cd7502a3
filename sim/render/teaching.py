"""The teaching overlay of the fluoroscopy view (colour, not radiology).

Shown on top of the grey image: flow magnitude as a blue tint of every vessel (brighter = more
flow, read through the edge-id raster), vessels whose flow is reversed against baseline in white
with chevrons pointing the way the blood now goes, particles in flight as dots coloured by agent,
lodged deposits as small marks (brighter = more spheres), tumour outlines and the names of the
named trunk. Colours: Okabe & Ito's colour-blind-safe palette (2008).

Every per-frame element is either a numpy scatter into the frame's pixels or a handful of draw
calls; what only changes with the flow solve, the deposits or the window size is cached.
"""

from __future__ import annotations

import numpy as np
import pygame

from sim.anatomy.trunk import LABELLED_VESSELS as LABELLED
from sim.render.raster import TRACK_POINTS, Maps
from sim.render.text import font
from sim.transport.packets import AGENT_IDS

AGENT_COLORS = {  # Okabe & Ito 2008
    "bland": (230, 159, 0),  # orange
    "pva": (204, 121, 167),  # reddish purple
    "deb": (213, 94, 0),  # vermillion
    "lipiodol": (240, 228, 66),  # yellow
    "y90_resin": (0, 158, 115),  # bluish green
    "y90_glass": (86, 180, 233),  # sky blue
}
FLOW_LO, FLOW_HI = (0, 80, 140), (120, 205, 255)  # blue → light blue with flow
REVERSED = (255, 255, 255)

MAX_CHEVRONS = 400
DOT = ((0, 0), (1, 0), (0, 1), (1, 1))
PLUS = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1))


def agent_palette() -> np.ndarray:
    """Dot colour per agent index (A, 3) uint8."""
    return np.array([AGENT_COLORS.get(a, (255, 255, 255)) for a in AGENT_IDS], np.uint8)


class Teaching:
    """Caches and draws the teaching overlay for one :class:`FluoroView`."""

    def __init__(self, proc) -> None:
        self.proc = proc
        self.c = proc.c
        self.palette = agent_palette()
        ves = ~self.c.is_bed
        q0 = np.abs(proc.flow.baseline_flow[ves])
        q0 = q0[q0 > 0]
        self.q_lo, self.q_hi = float(np.percentile(q0, 2)), float(q0.max())
        self._flow_key = None
        self._dep: np.ndarray | None = None
        self._marks = None
        self._tint: pygame.Surface | None = None
        self._dots_key = None
        self.maps: Maps | None = None

    def resize(self, maps: Maps) -> None:
        """Drop the per-size caches and build the labels for ``maps``' geometry."""
        self.maps = maps
        self._flow_key = None
        self._tint = None
        self._marks = None
        self._dots_key = None
        c, geo = self.c, maps.geo
        f = font(max(11, int(round(geo.s * 3.6))), True)
        self.labels: list[tuple[pygame.Surface, tuple[int, int]]] = []
        placed: list[pygame.Rect] = []
        seen = set(c.names)
        for name in LABELLED:
            if name not in seen:
                continue
            edges = [e for e in c.vessel_edges(name) if not c.is_bed[e]]
            if not edges:
                continue
            mid = maps.tracks[edges[len(edges) // 2], TRACK_POINTS // 2]
            txt = f.render(name, True, (255, 245, 170))
            shadow = f.render(name, True, (0, 0, 0))
            pos = _free_spot(txt.get_size(), (int(mid[0]), int(mid[1])), placed)
            self.labels.append((shadow, (pos[0] + 1, pos[1] + 1)))
            self.labels.append((txt, pos))
        self.tumors = []
        ft = font(max(11, int(round(geo.s * 3.6))))
        for pt in self.proc.liver.tumors:
            ctr = geo.to_px(pt.center)
            r = pt.radius_mm * geo.s
            col = (240, 240, 240) if pt.spec.target else (170, 170, 170)
            lab = ft.render(pt.spec.id, True, col)
            at = (int(ctr[0] + 0.72 * r), int(ctr[1] - 0.72 * r) - lab.get_height())
            self.tumors.append(((int(ctr[0]), int(ctr[1])), int(round(r)), col, lab, at))

    # ------------------------------------------------------------------ flow
    def _flow_lut(self) -> None:
        fl = self.proc.flow
        key = (fl.solves, id(fl.flow))
        if key == self._flow_key:
            return
        self._flow_key = key
        c, m = self.c, self.maps
        q = np.abs(fl.flow)
        qn = np.clip(np.log(np.maximum(q, 1e-30) / self.q_lo) / np.log(self.q_hi / self.q_lo), 0, 1)
        rev = (fl.flow * fl.baseline_flow < 0) & ~c.is_bed
        alpha = np.where(c.is_bed, 0.0, 0.18 + 0.6 * qn)
        alpha[rev] = 0.75
        lo, hi = np.array(FLOW_LO, float), np.array(FLOW_HI, float)
        col = lo[None, :] + qn[:, None] * (hi - lo)[None, :]
        col[rev] = REVERSED
        self.alpha8 = np.zeros(c.n_edges + 1, np.uint8)
        self.alpha8[1:] = np.round(255 * alpha)
        self.col = np.zeros((3, c.n_edges + 1), np.uint8)
        self.col[:, 1:] = np.round(col).T
        self._tint = None
        self.chevrons = self._chevrons(np.flatnonzero(rev), fl.flow, m)

    def _chevrons(self, rev: np.ndarray, flow: np.ndarray, m: Maps) -> list:
        """Chevron polylines (px) at the middle of reversed edges, pointing along the flow."""
        tr = m.tracks[rev]
        if rev.size == 0:
            return []
        length = np.hypot(*(tr[:, -1] - tr[:, 0]).T)
        keep = np.argsort(-length)[:MAX_CHEVRONS]
        keep = keep[length[keep] >= 8.0]
        out = []
        h = TRACK_POINTS // 2
        for k in keep:
            e = rev[k]
            a, b = tr[k, h - 1], tr[k, h]
            d = (b - a) * (1.0 if flow[e] > 0 else -1.0)
            n = float(np.hypot(*d))
            if n < 1e-6:
                continue
            d /= n
            mid = 0.5 * (a + b)
            perp = np.array([-d[1], d[0]])
            pts = (mid - 2.0 * d + 4.0 * perp, mid + 4.0 * d, mid - 2.0 * d - 4.0 * perp)
            out.append([(float(q[0]), float(q[1])) for q in pts])
        return out

    def overlay(self) -> pygame.Surface:
        """The flow tint of every vessel as a reduced-size RGBA surface (cached per solve)."""
        fl = self.proc.flow
        if (fl.solves, id(fl.flow)) != self._flow_key or self._tint is None:
            self._flow_lut()
            ids = self.maps.edge_id
            surf = pygame.Surface(ids.shape, pygame.SRCALPHA, 32)
            rgb = pygame.surfarray.pixels3d(surf)
            for ch in range(3):
                rgb[..., ch] = self.col[ch][ids]
            del rgb
            alpha = pygame.surfarray.pixels_alpha(surf)
            alpha[...] = self.alpha8[ids]
            del alpha
            self._tint = surf
        return self._tint

    # ------------------------------------------------------------------ deposits
    def set_deposits(self, dep: np.ndarray) -> None:
        """Take a copy of the deposit tally (A, E) for the marks."""
        self._dep = dep.copy()
        self._marks = None

    def _deposit_marks(self, out: pygame.Surface):
        """Flat pixel indices and mapped colours of the deposit marks (cached per refresh)."""
        if self._marks is not None or self._dep is None:
            return self._marks
        c, m = self.c, self.maps
        tot = self._dep.sum(axis=0)
        e = np.flatnonzero(tot > 0)
        if e.size == 0:
            self._marks = (np.zeros(0, np.int64), np.zeros(0, np.uint32))
            return self._marks
        at = np.where(c.is_bed[e], 0, TRACK_POINTS - 1)  # beds: the leaf; vessels: where it ends
        xy = m.tracks[e, at]
        agent = np.argmax(self._dep[:, e], axis=0)
        lvl = np.log1p(tot[e])
        inten = 0.35 + 0.5 * lvl / max(float(lvl.max()), 1e-9)
        rgb = (self.palette[agent] * inten[:, None]).astype(np.uint32)
        idx, ok = _flat(xy, out.get_size(), PLUS)
        self._marks = (idx, _mapped(out, rgb[ok]))
        return self._marks

    # ------------------------------------------------------------------ frame
    def draw(self, out: pygame.Surface, positions, key) -> None:
        """Particles, deposits, chevrons, tumour outlines and names onto ``out`` (32-bit)."""
        self._flow_lut()
        w, h = out.get_size()
        px2 = pygame.surfarray.pixels2d(out)
        flat = px2.T.reshape(-1)  # row-major pixels: a view unless rows are padded
        if not np.shares_memory(flat, px2):
            flat = _Rows(px2)
        marks = self._deposit_marks(out)
        if marks is not None and marks[0].size:
            _put(flat, marks[0], marks[1], PLUS, w)
        dots = self._dots(out, positions, key)
        if dots[0].size:
            _put(flat, dots[0], dots[1], DOT, w)
        del flat, px2
        for ch in self.chevrons:
            pygame.draw.lines(out, REVERSED, False, ch, 2)
        for ctr, r, col, lab, at in self.tumors:
            pygame.draw.circle(out, col, ctr, r, 2)
            out.blit(lab, at)
        out.blits(self.labels, doreturn=False)

    def _dots(self, out: pygame.Surface, positions, key):
        """Flat pixel index and mapped colour of each packet in flight (cached per tick)."""
        key = (key, out.get_size())
        if key == self._dots_key:
            return self._dots_val
        e, pos, agent = positions
        if e.size:
            tr = self.maps.tracks
            f = np.clip(pos / np.maximum(self.c.length[e], 1e-12), 0.0, 1.0) * (TRACK_POINTS - 1)
            i0 = np.minimum(f.astype(np.int64), TRACK_POINTS - 2)
            u = (f - i0)[:, None].astype(np.float32)
            xy = tr[e, i0] * (1.0 - u) + tr[e, i0 + 1] * u
            idx, ok = _flat(xy, out.get_size(), DOT)
            col = _mapped(out, self.palette.astype(np.uint32))[agent[ok]]
        else:
            idx, col = np.zeros(0, np.int64), np.zeros(0, np.uint32)
        self._dots_key, self._dots_val = key, (idx, col)
        return self._dots_val


def _flat(xy: np.ndarray, size: tuple[int, int], shape) -> tuple[np.ndarray, np.ndarray]:
    """Row-major pixel index of each point whose whole mark ``shape`` fits in the frame."""
    w, h = size
    lo = -min(min(d) for d in shape)
    hi = max(max(d) for d in shape)
    x = xy[:, 0].astype(np.int64)
    y = xy[:, 1].astype(np.int64)
    ok = (x >= lo) & (x < w - hi) & (y >= lo) & (y < h - hi)
    return y[ok] * w + x[ok], ok


def _mapped(out: pygame.Surface, rgb: np.ndarray) -> np.ndarray:
    """RGB rows → the surface's mapped pixel values (uint32)."""
    rs, gs, bs, _ = out.get_shifts()
    r, g, b = (rgb[:, k].astype(np.uint32) for k in range(3))
    return (r << rs) | (g << gs) | (b << bs)


def _free_spot(size, at: tuple[int, int], placed: list[pygame.Rect]) -> tuple[int, int]:
    """Top-left for a label beside ``at`` that overlaps no label placed so far (else the first)."""
    w, h = size
    x, y = at
    tries = ((x + 5, y - h), (x + 5, y + 2), (x - w - 5, y - h), (x - w - 5, y + 2))
    tries += ((x + 5, y - 2 * h), (x + 5, y + h + 2))
    for tx, ty in tries:
        r = pygame.Rect(tx, ty, w, h)
        if r.collidelist(placed) < 0:
            placed.append(r)
            return tx, ty
    placed.append(pygame.Rect(*tries[0], w, h))
    return tries[0]


class _Rows:
    """Flat-index writes into a (w, h) pixel view whose rows are padded (rare)."""

    def __init__(self, px2: np.ndarray) -> None:
        self.px2 = px2
        self.w = px2.shape[0]

    def __setitem__(self, idx: np.ndarray, col: np.ndarray) -> None:
        self.px2[idx % self.w, idx // self.w] = col


def _put(flat: np.ndarray, idx: np.ndarray, col: np.ndarray, shape, w: int) -> None:
    """Write mapped colours at each index + every (dx, dy) of ``shape``."""
    for dx, dy in shape:
        flat[idx + (dy * w + dx)] = col
