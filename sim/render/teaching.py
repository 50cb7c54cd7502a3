"""The teaching overlay of the fluoroscopy view (colour, not radiology).

Shown on top of the grey image: flow magnitude as a blue tint of every vessel (brighter = more
flow, read through the edge-id raster), vessels whose flow is reversed against baseline in white
with chevrons pointing the way the blood now goes, particles in flight as dots coloured by agent
(a bright core in a dark rim, sized to the window so a projector shows them), tumour outlines
and the names of the named trunk. Colours: Okabe & Ito's colour-blind-safe palette (2008).

Deposits are drawn where they lodge (the siphon in sight): what lodged in a bed is spread over
that bed's own pixels — a tumour bed's inside the tumour outline, a liver bed's over its
territory — and the share of the bed's pixels marked grows with the embolic load per gram
(:func:`fill_share`), so a tumour that takes several times the liver's flow per gram fills
visibly faster than the liver around it. Spheres that stop in a drawn vessel are marked at the
vessel's end. Which pixels a bed marks first is fixed (the renderer's own generator), so a
deposit grows and never flickers.

Every per-frame element is either a numpy scatter into the frame's pixels or a handful of draw
calls; what only changes with the flow solve, the deposits or the window size is cached.
"""

from __future__ import annotations

import numpy as np
import pygame

from sim.agents import AGENTS, mean_diameter_um, sphere_volume_m3, spheres_per_ml
from sim.anatomy.trunk import LABELLED_VESSELS as LABELLED
from sim.outcome.dosimetry import MIRD_GY_KG_PER_GBQ
from sim.render.backdrop import NOISE_SEED
from sim.render.projection import Projected
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
    "maa": (0, 114, 178),  # blue
}
FLOW_LO, FLOW_HI = (0, 80, 140), (120, 205, 255)  # blue → light blue with flow
REVERSED = (255, 255, 255)

MAX_CHEVRONS = 400
DOT = ((0, 0), (1, 0), (0, 1), (1, 1))
PLUS = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1))
HALO = (12, 12, 14)  # the dark rim around a particle in flight
# Deposit fill: the share of a bed's pixels marked is FILL_MAX (1 − exp(−load / full)), the load
# being the product given per gram for particles and oil and the absorbed dose for Y-90. Linear
# in the load, so a tumour taking five times the liver's share per gram looks five times denser
# until it fills (U: display choices; a selective embolization to stasis, ~0.05 mL/g, fills a
# tumour, and a lobar Y-90 dose of ~40 Gy speckles the liver about a third).
FULL_ML_PER_G = 0.03
FULL_GY = 100.0
FILL_MAX = 0.9  # never mark every pixel: the angiogram stays readable underneath


def fill_share(load: np.ndarray) -> np.ndarray:
    """Share (0…FILL_MAX) of a bed's pixels marked for a load in units of the full load."""
    return FILL_MAX * (1.0 - np.exp(-np.maximum(load, 0.0)))


def product_fraction() -> np.ndarray:
    """Sphere (droplet) volume per mL of each agent as pushed, at its default size (A,); 0 for
    Y-90, whose load is its dose."""
    out = np.zeros(len(AGENT_IDS))
    for i, a in enumerate(AGENT_IDS):
        spec = AGENTS[a]
        if spec.activity_per_sphere_bq > 0:
            continue
        d_m = mean_diameter_um(a, spec.default_size_um) * 1e-6
        out[i] = spheres_per_ml(a, spec.default_size_um) * float(sphere_volume_m3(d_m)) * 1e6
    return out


def square(n: int) -> tuple[tuple[int, int], ...]:
    """Offsets of an n × n pixel square (the top-left pixel at 0, 0 for n ≤ 2, else centred)."""
    a = -((n - 1) // 2)
    return tuple((dx, dy) for dx in range(a, a + n) for dy in range(a, a + n))


def ring(n: int) -> tuple[tuple[int, int], ...]:
    """The offsets of an (n + 2)-square that are not in the centred n-square: a 1-px rim."""
    inner = set(square(n))
    a = -((n - 1) // 2) - 1
    return tuple(
        (dx, dy)
        for dx in range(a, a + n + 2)
        for dy in range(a, a + n + 2)
        if (dx, dy) not in inner
    )


def agent_palette() -> np.ndarray:
    """Dot colour per agent index (A, 3) uint8."""
    return np.array([AGENT_COLORS.get(a, (255, 255, 255)) for a in AGENT_IDS], np.uint8)


class Teaching:
    """Caches and draws the teaching overlay for one :class:`FluoroView`."""

    def __init__(self, proc) -> None:
        self.proc = proc
        self.c = proc.c
        self.palette = agent_palette()
        self._product = product_fraction()
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

    def resize(self, maps: Maps, pr: Projected) -> None:
        """Drop the per-size caches; build the labels, tumour outlines and each bed's pixels for
        ``maps``' geometry and angulation ``pr``."""
        self.maps = maps
        self._flow_key = None
        self._tint = None
        self._marks = None
        self._dots_key = None
        c, geo = self.c, maps.geo
        n = max(2, int(round(geo.s * 0.9)))  # particle core ≈ 0.9 mm: 3 px at 1280×800 (U)
        self.dot, self.halo = square(n), ring(n)
        self._bed_pixels(maps)
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
        for i, pt in enumerate(self.proc.liver.tumors):
            ctr = geo.to_px(pr.tumor_center[i])
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
    def set_deposits(self, dep: np.ndarray, volume_m3: np.ndarray, activity_bq: np.ndarray) -> None:
        """Take copies of the deposit tallies: spheres (A, E), sphere volume (E,) m³ and
        activity (E,) Bq."""
        self._dep = dep.copy()
        self._dep_volume = volume_m3.copy()
        self._dep_activity = activity_bq.copy()
        self._marks = None

    def _bed_pixels(self, m: Maps) -> None:
        """Each bed's pixels of the reduced raster in a fixed random order (grouped by bed).

        Liver beds own their territory outside the tumours; tumour and organ beds own their
        patch pixels. ``_bed_pix[_bed_start[b]:_bed_start[b] + _bed_n[b]]`` are bed b's.
        """
        nb = len(self.c.beds)
        lw, lh = m.geo.low
        ids = m.bed_id.copy()
        for win, pid, _ in m.patches:
            ids[win][pid > 0] = 0  # the tumour (organ) is drawn there, not the liver around it
        flat = [np.flatnonzero(ids.ravel()), []]
        owner = [ids.ravel()[flat[0]] - 1, []]
        for win, pid, _ in m.patches:
            ii, jj = np.nonzero(pid)
            flat[1].append((ii + win[0].start) * lh + jj + win[1].start)
            owner[1].append(pid[ii, jj] - 1)
        pix = np.concatenate([flat[0], *flat[1]]).astype(np.int64)
        bed = np.concatenate([owner[0], *owner[1]]).astype(np.int64)
        rank = np.random.default_rng(NOISE_SEED + 4).random(pix.size)
        order = np.lexsort((rank, bed))
        self._bed_pix, bed = pix[order], bed[order]
        self._bed_n = np.bincount(bed, minlength=nb)
        self._bed_start = np.concatenate([[0], np.cumsum(self._bed_n)[:-1]])
        x, y = np.divmod(self._bed_pix, lh)
        self._bed_xy = np.stack([(x + 0.5) / m.geo.fx, (y + 0.5) / m.geo.fy], 1)

    def bed_fill(self) -> np.ndarray:
        """Share of each bed's pixels its deposits mark now (B,): by the product given per gram
        (the agent that lodged most there), or by the Y-90 dose."""
        c = self.c
        if self._dep is None:
            return np.zeros(len(c.beds))
        e = c.bed_edge
        g = np.maximum(c.bed_mass_g, 1e-6)
        phi = self._product[np.argmax(self._dep[:, e], axis=0)]
        product = self._dep_volume[e] * 1e6 / np.where(phi > 0, phi, 1.0) / g
        dose = MIRD_GY_KG_PER_GBQ * self._dep_activity[e] * 1e-9 / (g * 1e-3)
        return fill_share(np.where(phi > 0, product / FULL_ML_PER_G, dose / FULL_GY))

    def _deposit_marks(self, out: pygame.Surface):
        """Flat pixel indices and mapped colours of the deposit marks (cached per refresh)."""
        if self._marks is not None or self._dep is None:
            return self._marks
        c, m = self.c, self.maps
        tot = self._dep.sum(axis=0)
        # beds: the first share of each bed's pixels, coloured by the agent that lodged most
        fill = self.bed_fill()
        k = np.minimum(np.round(fill * self._bed_n).astype(np.int64), self._bed_n)
        beds = np.flatnonzero(k)
        sel = np.repeat(self._bed_start[beds] - np.cumsum(k[beds]) + k[beds], k[beds])
        sel += np.arange(sel.size)
        agent_b = np.argmax(self._dep[:, c.bed_edge[beds]], axis=0)
        inten_b = 0.6 + 0.4 * fill[beds] / FILL_MAX
        rgb_b = np.repeat((self.palette[agent_b] * inten_b[:, None]).astype(np.uint32), k[beds], 0)
        xy_b = self._bed_xy[sel]
        # drawn vessels: a mark where the vessel ends (brighter = more spheres)
        e = np.flatnonzero((tot > 0) & ~c.is_bed)
        lvl = np.log1p(tot[e])
        inten = 0.35 + 0.5 * lvl / max(float(lvl.max()), 1e-9) if e.size else lvl
        rgb_v = (self.palette[np.argmax(self._dep[:, e], axis=0)] * inten[:, None]).astype(
            np.uint32
        )
        xy_v = m.tracks[e, TRACK_POINTS - 1]
        ib, okb = _flat(xy_b, out.get_size(), DOT)
        iv, okv = _flat(xy_v, out.get_size(), PLUS)
        self._marks = (ib, _mapped(out, rgb_b[okb]), iv, _mapped(out, rgb_v[okv]))
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
        if marks is not None:
            _put(flat, marks[0], marks[1], DOT, w)
            _put(flat, marks[2], marks[3], PLUS, w)
        dots = self._dots(out, positions, key)
        if dots[0].size:
            _put(flat, dots[0], dots[2], self.halo, w)
            _put(flat, dots[0], dots[1], self.dot, w)
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
            idx, ok = _flat(xy, out.get_size(), self.halo)
            col = _mapped(out, self.palette.astype(np.uint32))[agent[ok]]
        else:
            idx, col = np.zeros(0, np.int64), np.zeros(0, np.uint32)
        dark = _mapped(out, np.array([HALO], np.uint32))[0]
        self._dots_key, self._dots_val = key, (idx, col, dark)
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
