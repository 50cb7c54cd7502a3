"""An author's preview of a case: anatomy, Couinaud segments, tumours and vessel names, to PNG.

Drawn straight from the compiled anatomy (no physics), so an instructor sees the case without
playing it. Runs headless.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame

from sim.anatomy.build import Liver
from sim.anatomy.silhouette import GRID_MM, LIVER_OUTLINE_MM
from sim.anatomy.trunk import LABELLED_VESSELS as LABELLED
from sim.flow.compile import Compiled
from sim.render.text import font
from sim.scenario.models import SEGMENTS, Scenario

# Colour-blind-safe qualitative palette (Okabe & Ito 2008), softened for segment fills.
SEGMENT_COLORS = [
    (230, 159, 0),
    (86, 180, 233),
    (0, 158, 115),
    (240, 228, 66),
    (0, 114, 178),
    (213, 94, 0),
    (204, 121, 167),
    (150, 150, 150),
]

WORLD = (0.0, 0.0, 275.0, 245.0)  # mm: x0, y0, x1, y1


class View:
    """Millimetres on the AP image → pixels."""

    def __init__(self, size: tuple[int, int], top: int = 60) -> None:
        w, h = size
        sx = w / (WORLD[2] - WORLD[0])
        sy = (h - top) / (WORLD[3] - WORLD[1])
        self.s = min(sx, sy)
        self.ox = (w - self.s * (WORLD[2] - WORLD[0])) / 2
        self.oy = top

    def px(self, xy) -> tuple[int, int]:
        return (
            int(self.ox + self.s * (xy[0] - WORLD[0])),
            int(self.oy + self.s * (xy[1] - WORLD[1])),
        )


def render_preview(sc: Scenario, liver: Liver, c: Compiled, size=(1200, 1000)) -> pygame.Surface:
    """Draw the case onto a new surface."""
    surf = pygame.Surface(size)
    surf.fill((22, 24, 30))
    v = View(size)
    terr = liver.territories
    cell = max(1, int(np.ceil(GRID_MM * v.s)))
    for (x, y), lab in zip(terr.points, terr.label, strict=True):
        col = tuple(int(0.35 * ch + 0.15 * 255) for ch in SEGMENT_COLORS[lab])
        px = v.px((x - GRID_MM / 2, y - GRID_MM / 2))
        surf.fill(col, (px[0], px[1], cell, cell))
    pygame.draw.polygon(surf, (200, 200, 200), [v.px(p) for p in LIVER_OUTLINE_MM], 2)
    for i, s in enumerate(SEGMENTS):
        lab = font(22, True).render(s, True, SEGMENT_COLORS[i])
        cx, cy = v.px(terr.centroid(s))
        surf.blit(lab, (cx - lab.get_width() // 2, cy - lab.get_height() // 2))
    order = np.argsort(c.radius)
    for e in order:
        if c.is_bed[e]:
            continue
        width = max(1, int(round(1.0 + 1.4 * 2e3 * c.radius[e])))  # readable, not to scale
        pts = [v.px(p) for p in c.points[e]]
        pygame.draw.lines(surf, (235, 235, 240), False, pts, width)
    for pt in liver.tumors:
        center = v.px(pt.center)
        r = int(pt.radius_mm * v.s)
        color = (255, 80, 80) if pt.spec.target else (255, 190, 90)
        pygame.draw.circle(surf, color, center, r, 3)
        core = pt.spec.necrotic_core
        if core > 0:
            pygame.draw.circle(surf, (150, 150, 150), center, int(r * core), 1)
        lab = font(20, True).render(
            f"{pt.spec.id}  {pt.spec.diameter_mm:g} mm  T/N {pt.spec.tn_ratio:g}", True, color
        )
        surf.blit(lab, (center[0] + r + 4, center[1] - 10))
    done = set()
    for e, name in enumerate(c.names):
        if name in LABELLED and name not in done and not c.is_bed[e]:
            edges = c.vessel_edges(name)
            mid = c.points[edges[len(edges) // 2]]
            p = v.px(mid[len(mid) // 2])
            lab = font(16).render(name, True, (255, 255, 160))
            surf.blit(lab, (p[0] + 5, p[1] - 8))
            done.add(name)
    for b, bed in enumerate(c.beds):
        if bed.kind in ("liver", "tumor"):
            continue
        p = v.px(c.node_pos[c.edge_to[c.bed_edge[b]]])
        pygame.draw.circle(surf, (120, 200, 255), p, 5)
        lab = font(14).render(bed.territory.replace("_", " "), True, (120, 200, 255))
        surf.blit(lab, (p[0] + 7, p[1] - 7))
    title = font(26, True).render(sc.title, True, (240, 240, 240))
    surf.blit(title, (16, 12))
    n_v = int((~c.is_bed).sum())
    sub = font(16).render(
        f"Michels {sc.anatomy.michels} · {n_v} vessel segments · catheter {sc.catheter.french:g} Fr"
        " · AP view (patient's right on the left) · preview, not a planning image",
        True,
        (180, 180, 190),
    )
    surf.blit(sub, (16, 42))
    return surf


def save_preview(sc: Scenario, out: str | Path) -> Path:
    """Build the case's anatomy and write its preview PNG."""
    from sim.anatomy.build import build_liver
    from sim.flow.compile import compile_liver
    from sim.rng import make_streams

    s = make_streams(sc.anatomy.seed)
    liver = build_liver(sc, s.tree, s.tumors)
    c = compile_liver(liver)
    surf = render_preview(sc, liver, c)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(surf, str(out))
    return out
