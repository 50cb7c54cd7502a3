"""The fluoroscopy view: live fluoroscopy, DSA, roadmap and the teaching overlay.

Drawing only reads the procedure (Tuxemon's rule: drawing never changes the game). Per frame
the image is a few numpy gathers on maps precomputed per window size (:mod:`sim.render.raster`):

- vessels: iodine × path length: the contrast fraction per edge (the latest contrast runs'
  ``vessel_opacity``, the max of those still fading) times the edge's calibre, read through
  the edge-id raster, so arteries are darkest at the peak and taper with their calibres; plus a
  faint haze where packets of a radiopaque agent travel while it is injected;
- parenchyma (the capillary phase): each bed's ``bed_blush`` and its lipiodol deposit, blended
  over the nearest beds and multiplied by the path length (liver territories, tumours, organs
  drawn as organs by :mod:`sim.render.organs`); then the veins draining the run (venous phase);
- optical density → X-ray intensity (Beer–Lambert: dense is dark), quantum noise ∝ √signal,
  vignette and collimation. DSA subtracts everything static — soft tissue, bone, gas and the
  catheter — and shows the rest windowed on a clean, light background, one exposure per
  :data:`DSA_FPS` frame of the latest run;
- in fluoroscopy, the roadmap (the last run's vessels at their peak, whitened over the live
  image at the chosen opacity) and the catheter as a thin radiopaque line with its tip marker;
  in teaching mode the particles, deposits, flow and reversed-flow chevrons, tumour outlines
  and vessel names (:mod:`sim.render.teaching`).

The C-arm angulation (:meth:`FluoroView.set_arm`) chooses which projected anatomy
(:mod:`sim.render.projection`) the maps are built from; maps are kept per anatomy, size and
angulation (:mod:`sim.render.maps`), so returning to a preset or a case costs nothing. Picking
reads the same edge raster, so a click selects the vessel drawn under it in every projection.

The densities are chosen for the look (U: display constants, not physics).
"""

from __future__ import annotations

import numpy as np
import pygame

from sim.agents import AGENTS, spheres_per_ml
from sim.flow.territory import push_down
from sim.render.blush import upsample2
from sim.render.maps import maps_for
from sim.render.projection import AP, CArm, Projected, Projector
from sim.render.raster import Maps, box_blur3, nearest_edge
from sim.render.teaching import Teaching
from sim.transport.contrast import DSA_FPS
from sim.transport.packets import AGENT_IDS

VESSEL_K = 1.4  # optical density per mm of vessel filled with undiluted contrast (U)
BLUSH_K = 0.6  # optical density per mm of tissue per unit parenchymal contrast fraction (U)
BLUSH_GAMMA = 0.8  # display curve: lifts the faint normal-liver blush (U)
# Tissue holds contrast only in its blood volume, so the parenchymal density saturates toward
# this optical density (a soft knee): a selectively injected tumour is dark and still mottled
BLUSH_MAX = 0.55  # (U)
MAX_DOTS = 8_000  # the teaching overlay draws an even sample of at most this many packets
# (each a 3-px dot in a dark rim at 1280×800: fewer than the 2-px dots it had, as many pixels)
LIPIODOL_K = 0.045  # optical density per mm of tissue saturated with lipiodol (U)
LIPIODOL_ML_PER_G = 0.03  # lipiodol per gram at which a territory looks ~2/3 saturated (U)
HAZE = 0.10  # contrast fraction shown where radiopaque packets travel while injecting (U)
HAZE_LIPIODOL = 0.35  # lipiodol is oil contrast: denser (U)
ROAD_REF = 0.06  # roadmap: vessel density at which its line is ~2/3 white (U)
ROAD_WHITE = 238.0  # grey the roadmap draws its vessels toward (U)
DSA_GAIN = 3.2  # window of the log-subtracted DSA: optical density × gain (U)
RUNS_SHOWN = 3  # contrast runs still looked at (the latest ones)
DEPOSIT_REFRESH_S = 0.5  # deposits are re-read this often (sim time)
FLUORO_BG, FLUORO_NOISE = 170.0, 6.5  # grey of zero density; noise std there (grey levels)
DSA_BG, DSA_NOISE = 212.0, 1.2
GREY = [(i, i, i) for i in range(256)]


PEAK_S = 2.0  # s after a run starts: its arterial-phase peak (the debrief's and report's frame)


def run_peak(run) -> float:
    """Simulated time of a contrast run's peak (the frame the debrief and the report show)."""
    return run.t0 + min(run.duration, PEAK_S)


class FluoroView:
    """Renders a :class:`~sim.engine.procedure.Procedure` as fluoroscopy or DSA.

    Parameters
    ----------
    proc : Procedure
        Read only.
    size : tuple of int
        Window size of the view, px.
    """

    def __init__(self, proc, size: tuple[int, int]) -> None:
        self.proc = proc
        self.c = proc.c
        self.teach = Teaching(proc)
        li = AGENT_IDS.index("lipiodol")
        self._lip_i = li
        self._lip_spheres_ml = spheres_per_ml("lipiodol", AGENTS["lipiodol"].default_size_um)
        self._radiopaque = np.array([AGENTS[a].radiopaque for a in AGENT_IDS])
        self._dep_t = -np.inf
        self._dep_sum = -1.0
        self._lip_bed = np.zeros(len(self.c.beds), np.float32)
        self._pos_cache: dict = {}  # most -> (plan-state key, positions)
        self._peak_key = None
        self._peak = np.zeros(self.c.n_edges)
        self._cath_key = None
        self._cath_pts: list[tuple[int, int]] = []
        self._frame_key = None  # the last DSA exposure, drawn once
        self._frame: pygame.Surface | None = None
        self._base_key = None  # the state's transmission, composed once per state
        self._base = None
        self.projector = Projector(proc.c, proc.liver)
        self.arm: CArm = AP
        self.resize(size)

    # ------------------------------------------------------------------ geometry
    def resize(self, size: tuple[int, int]) -> None:
        """The maps of the new size (built the first time: a few hundred ms)."""
        self.size = (int(size[0]), int(size[1]))
        self._use_maps()

    def set_arm(self, arm: CArm) -> None:
        """Turn the C-arm (maps built on the first visit to an angulation, then kept)."""
        arm = arm.clamped()
        if arm != self.arm:
            self.arm = arm
            self._use_maps()

    def _use_maps(self) -> None:
        """Make the current angulation's maps and everything drawn from them current."""
        self.proj: Projected = self.projector.at(self.arm)
        self.maps: Maps = maps_for(self.proc, self.size, VESSEL_K, self.proj)
        self.geo = self.maps.geo
        lw, lh = self.geo.low
        self._grey8 = pygame.Surface((lw, lh), 0, 8)
        self._grey8.set_palette(GREY)
        self._low = pygame.Surface((lw, lh), 0, 32)
        self._d_e = np.zeros(self.c.n_edges + 1, np.float32)
        self._d_b = np.zeros(len(self.c.beds) + 1, np.float32)
        self._cath_key = None
        self._base_key = None  # (a map's id may be reused once another is dropped)
        self._frame_key = None
        self.teach.resize(self.maps, self.proj)

    def to_screen(self, xy_mm) -> tuple[int, int]:
        """Image mm (at AP: the AP world) → window pixel."""
        g = self.geo
        return int(round(g.ox + g.s * xy_mm[0])), int(round(g.oy + g.s * xy_mm[1]))

    def to_world(self, px) -> tuple[float, float]:
        """Window pixel → image mm."""
        g = self.geo
        return (px[0] - g.ox) / g.s, (px[1] - g.oy) / g.s

    def pick(self, px: tuple[int, int], radius_px: int = 10) -> int | None:
        """The vessel edge drawn under or nearest the pixel within ``radius_px`` (no beds)."""
        g = self.geo
        return nearest_edge(self.maps.edge_id, (px[0] * g.fx, px[1] * g.fy), radius_px * g.fx)

    def node_px(self, n: int) -> tuple[int, int]:
        """Pixel of tree node ``n`` in the current projection."""
        return self.to_screen(self.proj.node[n])

    def tip_px(self) -> tuple[int, int]:
        """Pixel of the catheter tip."""
        return self.node_px(self.proc.flow.tip)

    def tumor_px(self, i: int) -> tuple[tuple[int, int], int]:
        """Centre pixel and radius (px) of tumour ``i``."""
        t = self.proc.liver.tumors[i]
        return self.to_screen(self.proj.tumor_center[i]), int(round(t.radius_mm * self.geo.s))

    def edge_px(self, e: int) -> list[tuple[int, int]]:
        """Polyline of edge ``e`` in window pixels (current projection)."""
        return [self.to_screen(p) for p in self.proj.points[e]]

    # ------------------------------------------------------------------ state read-outs
    def _runs(self, t: float) -> list:
        runs = [r for r in self.proc.contrast_runs if r.t0 <= t]
        return runs[-RUNS_SHOWN:]

    def dsa_time(self, t: float) -> float:
        """The exposure shown at ``t`` in DSA: the latest frame at :data:`DSA_FPS` of the run."""
        runs = self._runs(t)
        t0 = runs[-1].t0 if runs else 0.0
        return t0 + np.floor((t - t0) * DSA_FPS + 1e-6) / DSA_FPS

    def _opacity(self, t: float, runs) -> tuple[np.ndarray, np.ndarray]:
        op = np.zeros(self.c.n_edges)
        blush = np.zeros(len(self.c.beds))
        for r in runs:
            np.maximum(op, r.vessel_opacity(t), out=op)
            np.maximum(blush, r.bed_blush(t), out=blush)
        return op, blush

    def _roadmap(self, runs) -> np.ndarray:
        """Peak opacity of the latest run, per edge (held)."""
        if not runs:
            return np.zeros(self.c.n_edges)
        r = runs[-1]
        if self._peak_key is not r:
            with np.errstate(divide="ignore", invalid="ignore"):
                full = np.clip(r.duration / np.maximum(r.transit, 1e-3), 0.0, 1.0)
            self._peak = np.nan_to_num(np.where(np.isfinite(r.arrival), r.conc * full, 0.0))
            self._peak_key = r
        return self._peak

    def positions(self, most: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Edge, position (m) and agent index of the packets in flight (cached per plan state).

        With ``most``, an even sample of at most that many (every k-th slot): the teaching
        overlay's dots, which saturate the picture long before 40,000 packets.
        """
        tr = self.proc.transport
        key = (tr.t, tr.n_in_flight, tr.plan_version, most)
        hit = self._pos_cache.get(most)
        if hit is None or hit[0] != key:
            live = np.flatnonzero(tr.slots.alive)
            if most is not None and live.size > most:
                live = live[:: -(-live.size // most)]
            e, pos = tr.positions(slots=live)
            hit = self._pos_cache[most] = (key, (e, pos, tr.slots.agent[live]))
        return hit[1]

    def _haze(self) -> np.ndarray | None:
        """Contrast-like fraction per edge where a radiopaque agent travels while injected."""
        p = self.proc
        if p.injection_ml_min <= 0 or not AGENTS[p.agent.agent].radiopaque:
            return None
        e, _, a = self.positions()
        if e.size == 0:
            return None
        vis = self._radiopaque[a]
        n = np.bincount(e[vis], minlength=self.c.n_edges)
        level = HAZE_LIPIODOL if p.agent.agent == "lipiodol" else HAZE
        return level * np.minimum(n, 3) / 3.0

    def _deposits(self, t: float) -> None:
        """Refresh the lipiodol stain per bed and the teaching deposit marks (every 0.5 s)."""
        if abs(t - self._dep_t) < DEPOSIT_REFRESH_S:
            return
        self._dep_t = t
        tallies = self.proc.transport.tallies()  # reading changes nothing
        dep = tallies.dep_agent_count
        total = float(dep.sum())
        if total == self._dep_sum:
            return
        self._dep_sum = total
        self.teach.set_deposits(dep, tallies.dep_volume, tallies.dep_activity)
        lip = dep[self._lip_i]
        if lip.any():
            per_bed = push_down(self.c, lip, self.proc.flow.baseline_flow)
            ml_g = per_bed / self._lip_spheres_ml / np.maximum(self.c.bed_mass_g, 1e-6)
            self._lip_bed = (LIPIODOL_K * (1.0 - np.exp(-ml_g / LIPIODOL_ML_PER_G))).astype(
                np.float32
            )

    # ------------------------------------------------------------------ frame
    def _state_key(self, t: float, dsa: bool, roadmap: bool, runs) -> tuple:
        """Everything :meth:`_transmission` reads: equal keys give the same image, so between
        two physics steps a frame only adds its noise (the window draws 60 frames a second, the
        physics steps 20 times). Packets count only while a radiopaque agent is injected (the
        haze)."""
        p, tr = self.proc, self.proc.transport
        hazy = p.injection_ml_min > 0 and AGENTS[p.agent.agent].radiopaque
        packets = (tr.t, tr.n_in_flight, tr.plan_version) if hazy else None
        return (t, dsa, roadmap, tuple(map(id, runs)), p.flow.solves, packets, id(self.maps))

    def render(
        self,
        t: float | None = None,
        *,
        mode: str = "fluoro",
        roadmap: bool = False,
        roadmap_opacity: float = 0.6,
        teaching: bool = False,
        seed_frame: int = 0,
    ) -> pygame.Surface:
        """Draw the view at sim time ``t`` (default now) into a Surface of ``size``.

        Parameters
        ----------
        t : float, optional
            Time for the contrast runs (deposits, catheter and particles are the current ones).
        mode : {"fluoro", "dsa"}
            DSA shows the exposure of its frame rate at ``t`` (:meth:`dsa_time`).
        roadmap : bool
            Fluoroscopy over the latest run's vessels at their peak, whitened.
        roadmap_opacity : float
            0…1, how strongly the roadmap whitens its vessels.
        teaching : bool
            Colour overlay: particles, deposits, flow, reversed flow, tumours, names.
        seed_frame : int
            Chooses the fluoroscopy frame's noise (the renderer's own fixed noise bank); a DSA
            exposure keeps the noise of its frame.

        A DSA exposure without the teaching overlay is drawn once and returned again until the
        next one (the same Surface: callers blit it, never draw on it).
        """
        t = self.proc.t if t is None else float(t)
        dsa = mode == "dsa"
        if dsa:
            t = self.dsa_time(t)
            seed_frame = int(round(t * DSA_FPS))
        runs = self._runs(t)
        road_on = roadmap and not dsa and bool(runs)
        key = self._state_key(t, dsa, road_on, runs)
        if dsa and not teaching and key == self._frame_key:
            return self._frame
        if key != self._base_key:  # the state moved on (a physics step, an action, a resize)
            self._base, self._base_key = self._transmission(t, dsa, road_on, runs), key
        trans, road = self._base
        grey = self._expose(trans, dsa, seed_frame)
        if road is not None:
            grey += (np.clip(roadmap_opacity, 0.0, 1.0) * road) * (ROAD_WHITE - grey)
        pygame.surfarray.blit_array(self._grey8, grey.astype(np.uint8))
        self._low.blit(self._grey8, (0, 0))
        if teaching:
            self._low.blit(self.teach.overlay(), (0, 0))
        out = pygame.transform.smoothscale(self._low, self.size)
        if not dsa:  # DSA subtracts the catheter and coils with the rest of the static picture
            self._draw_coils(out)
            self._draw_catheter(out)
        if teaching:
            dots = self.positions(MAX_DOTS)
            self.teach.draw(out, dots, self._pos_cache[MAX_DOTS][0])
        elif dsa:
            self._frame_key, self._frame = key, out
        return out

    def _transmission(self, t: float, dsa: bool, roadmap: bool, runs) -> tuple:
        """X-ray transmission (0…1) of the state at ``t`` on the reduced raster, before the
        detector's gain, noise and field; and the roadmap's strength per pixel (0…1) or None."""
        m = self.maps
        op, blush = self._opacity(t, runs)
        haze = self._haze()
        if haze is not None:
            np.maximum(op, haze, out=op)
        self._deposits(t)
        d_e, d_b = self._d_e, self._d_b
        d_e[1:] = m.edge_gain[1:] * op
        d_b[1:] = BLUSH_K * blush**BLUSH_GAMMA
        if not dsa:
            d_b[1:] += self._lip_bed
        if d_b.any():
            half = d_b[m.bed_ids[0]] * m.bed_w[0]
            for k in range(1, m.bed_ids.shape[0]):
                half += d_b[m.bed_ids[k]] * m.bed_w[k]
            half = box_blur3(box_blur3(half))  # territories meet in gradients
            dens = upsample2(half, m.edge_id.shape)
            for win, ids, w in m.blush_patches:
                dens[win] += (d_b[ids] * w).sum(axis=0)
            dens = box_blur3(dens)  # the parenchyma is soft; vessels stay sharp
            dens = BLUSH_MAX * -np.expm1(dens * (-1.0 / BLUSH_MAX))
        else:
            dens = np.zeros(m.edge_id.shape, np.float32)
        for level, chord in zip(runs[-1].venous(t) if runs else (0.0,) * 3, m.veins, strict=True):
            if level > 1e-4:
                dens += (VESSEL_K * level) * chord
        dens += d_e[m.edge_id]
        road = None
        if roadmap:
            road = 1.0 - np.exp(-self._roadmap(runs)[m.edge_id] / ROAD_REF)
        if dsa:
            return np.exp(-DSA_GAIN * dens), road
        dens += m.tissue
        return np.exp(-dens), road

    def _expose(self, trans: np.ndarray, dsa: bool, seed_frame: int) -> np.ndarray:
        """Grey levels (lw, lh): the detector's gain, the frame's noise and the field."""
        m = self.maps
        img = trans.copy()
        k = seed_frame % (4 * m.noise.shape[0])
        noise = m.noise[k % m.noise.shape[0]]
        if k // m.noise.shape[0] % 2:
            noise = noise[::-1, ::-1]
        sign = -1.0 if k // (2 * m.noise.shape[0]) else 1.0
        if dsa:
            img *= DSA_BG
            img += (sign * DSA_NOISE) * noise
        else:
            img *= FLUORO_BG * m.vignette
            img += (sign * FLUORO_NOISE / np.sqrt(FLUORO_BG)) * np.sqrt(img) * noise
        img *= m.field
        return np.clip(img, 0.0, 255.0, out=img)

    def _draw_coils(self, out: pygame.Surface) -> None:
        """Each coil pack as a dense dark core with loops around it over the distal half of its
        vessel segment (platinum: as radiopaque as the catheter tip)."""
        w = max(2, int(round(0.5 * self.geo.s)))
        for coil in self.proc.coils.placed:
            pts = self.edge_px(coil.edge)
            for q in pts[len(pts) // 2 :]:
                pygame.draw.circle(out, (18, 18, 20), q, w)  # the packed core …
                pygame.draw.circle(out, (18, 18, 20), q, w + 2, 1)  # … and its outer loops

    def _draw_catheter(self, out: pygame.Surface) -> None:
        p = self.proc
        cath = p.flow.catheter_edges
        if cath.size == 0:
            return
        key = tuple(cath.tolist())
        if key != self._cath_key:
            pts: list[tuple[int, int]] = []
            for e in key:
                for q in self.edge_px(e):
                    if not pts or q != pts[-1]:
                        pts.append(q)
            self._cath_pts, self._cath_key = pts, key
        pts = self._cath_pts
        s = self.geo.s
        col = (30, 30, 33)
        w = max(2, int(round(2.0 * p.catheter_radius * 1e3 * s)))
        guide_w = max(w + 1, int(round(1.67 * s)))  # 5 Fr guiding catheter in the aorta (U)
        root = self.node_px(self.c.root)
        pygame.draw.line(out, col, (root[0], self.size[1]), root, guide_w)
        if len(pts) >= 2:
            pygame.draw.lines(out, col, False, pts, w)
        tip = self.tip_px()
        pygame.draw.circle(out, (12, 12, 14), tip, w + 2)
