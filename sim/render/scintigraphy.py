"""Drawing the nuclear-medicine studies: planar views and an axial slice, predicted and delivered.

The pictures are computed in the core (:mod:`sim.outcome.scintigraphy`, numpy arrays of counts);
this module only maps counts to colours and lays them out: planar views as nuclear medicine
prints them (dark counts on white, a gamma to lift the faint lung fields), the tomographic slice
in a hot-iron scale. The same function draws the MAA mapping and the post-treatment Y-90 scan,
one row each, so predicted and delivered sit one above the other on the same scale of layout.
"""

from __future__ import annotations

import numpy as np
import pygame

from sim.outcome.scintigraphy import (
    BODY_BACK_MM,
    BODY_FRONT_MM,
    BODY_HALF_WIDTH_MM,
    Scan,
    axes,
    depth_axis,
)
from sim.render.text import draw_lines, rendered, wrap

BG = (18, 20, 26)
INK = (225, 228, 235)
DIM = (150, 156, 170)
DISPLAY_PERCENTILE = 99.7  # the brightest 0.3 % of pixels saturate (a display window, U)
PLANAR_GAMMA = 0.55
TOMO_GAMMA = 0.75
NOTE_LINES = 4  # room kept under every row, so both rows' pictures have one size


def _norm(img: np.ndarray) -> np.ndarray:
    top = float(np.percentile(img, DISPLAY_PERCENTILE)) if img.size else 0.0
    return np.clip(img / top, 0.0, 1.0) if top > 0 else np.zeros_like(img)


def planar_rgb(img: np.ndarray) -> np.ndarray:
    """Counts → (rows, cols, 3) uint8: dark on white, gamma-lifted."""
    v = 1.0 - _norm(img) ** PLANAR_GAMMA
    g = (255.0 * v).astype(np.uint8)
    return np.stack([g, g, g], -1)


def hot_rgb(img: np.ndarray) -> np.ndarray:
    """Counts → (rows, cols, 3) uint8 in a hot-iron scale (black, red, yellow, white)."""
    v = _norm(img) ** TOMO_GAMMA
    rgb = np.stack([np.clip(3 * v, 0, 1), np.clip(3 * v - 1, 0, 1), np.clip(3 * v - 2, 0, 1)], -1)
    return (255.0 * rgb).astype(np.uint8)


def _surface(rgb: np.ndarray, size: tuple[int, int]) -> pygame.Surface:
    surf = pygame.surfarray.make_surface(np.ascontiguousarray(rgb.transpose(1, 0, 2)))
    return pygame.transform.smoothscale(surf, size)


def _body_outline(surf: pygame.Surface, r: pygame.Rect, depth: np.ndarray) -> None:
    """The body's outline on the axial slice (an ellipse from the skin depths, U)."""
    ax, _ = axes()
    px_x = r.width / ax.size
    px_z = r.height / depth.size
    cx = r.left + (137.5 - ax[0]) / (ax[1] - ax[0]) * px_x
    top = r.top + (depth[0] - BODY_FRONT_MM) / (depth[0] - depth[1]) * px_z
    bot = r.top + (depth[0] - BODY_BACK_MM) / (depth[0] - depth[1]) * px_z
    half = BODY_HALF_WIDTH_MM / (ax[1] - ax[0]) * px_x
    box = pygame.Rect(int(cx - half), int(top), int(2 * half), int(bot - top))
    pygame.draw.ellipse(surf, (90, 96, 110), box, 1)


def draw_row(surf: pygame.Surface, s: Scan, title: str, r: pygame.Rect) -> None:
    """One study in ``r``: its title, ANT and POST views, the axial slice and its notes."""
    fs = max(12, min(r.height // 24, r.width // 42, 36))  # type grows with the window
    pad = max(8, fs // 2)
    head = rendered(title, fs + 2, INK, True)
    surf.blit(head, (r.left + pad, r.top + pad))
    kind = f"  {s.modality.planar} · {s.modality.tomo}"
    surf.blit(rendered(kind, fs - 2, DIM), (r.left + pad + head.get_width(), r.top + pad + 4))
    notes_h = int(fs * 1.25) * NOTE_LINES + pad
    top = r.top + pad + fs + 10
    p = max(40, min((r.width - 4 * pad) // 3, r.bottom - top - notes_h - fs - 2 * pad))
    x = r.left + pad
    planar = ((s.anterior, "ANT", "R", "L"), (s.posterior, "POST", "L", "R"))
    for img, name, left, right in planar:
        box = pygame.Rect(x, top, p, p)
        surf.blit(_surface(planar_rgb(img), box.size), box.topleft)
        surf.blit(rendered(name, fs - 2, DIM), (x, box.bottom + 3))
        surf.blit(rendered(left, fs - 2, (60, 60, 60), True), (x + 4, top + 4))
        surf.blit(rendered(right, fs - 2, (60, 60, 60), True), (box.right - fs, top + 4))
        x += p + pad
    depth_px = max(20, int(p * s.axial.shape[0] / s.axial.shape[1]))
    box = pygame.Rect(x, top + (p - depth_px) // 2, p, depth_px)
    pygame.draw.rect(surf, (0, 0, 0), pygame.Rect(x, top, p, p))
    surf.blit(_surface(hot_rgb(s.axial), box.size), box.topleft)
    _body_outline(surf, box, depth_axis())
    surf.blit(rendered("ANT", fs - 3, DIM), (box.centerx - fs, box.top + 2))
    caption = f"axial slice at {s.slice_y_mm:.0f} mm"
    surf.blit(rendered(caption, fs - 2, DIM), (x, top + p + 3))
    lines = [part for n in s.notes for part in wrap(n, fs - 1, r.width - 2 * pad)]
    draw_lines(surf, lines, (r.left + pad, top + p + fs + 8), fs - 1, INK, max_y=r.bottom)


def draw_studies(studies, size: tuple[int, int], surf: pygame.Surface | None = None):
    """The MAA row (predicted) above the Y-90 row (delivered), whichever exist, on ``surf``
    (a new image of ``size`` when None); says so when there is neither."""
    surf = surf or pygame.Surface(size)
    surf.fill(BG)
    rows = [
        (s, t)
        for s, t in (
            (studies.maa, "Predicted: Tc-99m MAA mapping"),
            (studies.y90, "Delivered: post-treatment Y-90"),
        )
        if s is not None
    ]
    w, h = surf.get_size()
    if not rows:
        msg = "No nuclear-medicine study: inject MAA (mapping) or Y-90 to see one."
        surf.blit(rendered(msg, 18, INK), (16, h // 2 - 9))
        return surf
    rh = h // len(rows)
    for i, (s, title) in enumerate(rows):
        draw_row(surf, s, title, pygame.Rect(0, i * rh, w, rh))
    return surf
