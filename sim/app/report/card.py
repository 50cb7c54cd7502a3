"""The summary card: one 1600×900 PNG of a case for a slide.

Case title, trainee and date; the score in large type and its six components as bars; the
after-angiogram; and the four figures an attending asks for first — tumour coverage,
normal-liver injury, non-target share and lung dose. Drawn through :mod:`sim.render.canvas` and the
shipped fonts (:mod:`sim.render.text`), headless, and the disclaimer is on it too.
"""

from __future__ import annotations

from sim.app.report.images import thumbnail
from sim.app.report_text import points_text, score_text
from sim.labels import label
from sim.outcome.result import Outcome
from sim.render import canvas
from sim.render.canvas import Rect
from sim.render.text import draw_lines, font, wrap

CARD_SIZE = (1600, 900)
BG, PANEL, INK, MUTED = (21, 27, 38), (33, 42, 56), (236, 240, 246), (150, 164, 184)
ACCENT, TRACK, WARN, GOOD = (86, 180, 233), (52, 63, 80), (235, 120, 90), (90, 200, 150)
AMBER = (240, 190, 80)  # partial results
BAR_COLORS = [
    (0, 114, 178),
    (213, 94, 0),
    (0, 158, 115),
    (204, 121, 167),
    (230, 159, 0),
    (86, 180, 233),
]


def _text(surf, text: str, pos, size: int, color=INK, bold=False, anchor="topleft") -> Rect:
    img = font(size, bold).render(text, True, color)
    r = img.get_rect(**{anchor: pos})
    surf.blit(img, r)
    return r


def _figure(surf, rect: Rect, value: str, label: str, color) -> None:
    canvas.rect(surf, PANEL, rect, border_radius=10)
    _text(surf, value, (rect.centerx, rect.y + 18), 50, color, True, "midtop")
    _text(surf, label, (rect.centerx, rect.bottom - 36), 20, MUTED, anchor="midtop")


def render_card(o: Outcome, meta: dict, title: str, after, size=CARD_SIZE):
    """Draw the card of outcome ``o`` (:func:`sim.outcome.assess.assess`).

    Parameters
    ----------
    o : Outcome
        The outcome.
    meta : dict
        ``trainee``, ``date``, ``record_id`` when known.
    title : str
        The case title.
    after : image, optional
        The after-angiogram; without one the card says there was no contrast run.
    size : tuple of int
        Card size, px (drawn for 1600×900; other sizes scale the finished card).
    """
    w, h = CARD_SIZE
    surf = canvas.image((w, h))
    surf.fill(BG)
    pad = 56
    box = Rect(w - pad - 620, 40, 620, 590)  # the after-angiogram, top right
    col_w = box.x - pad - 40
    _text(surf, "SIPHON · DEBRIEF", (pad, 40), 20, ACCENT, True)
    y = 72
    for line in wrap(title, 40, col_w, True)[:2]:
        _text(surf, line, (pad, y), 40, INK, True)
        y += 50
    who = " · ".join(
        str(x)
        for x in (
            meta.get("trainee") or "trainee not recorded",
            meta.get("date") or "",
            f"record {meta['record_id']}" if meta.get("record_id") else "",
        )
        if x
    )
    _text(surf, who, (pad, y + 4), 22, MUTED)

    # the score and its components
    r = _text(surf, score_text(o.score), (pad - 4, 218), 120, ACCENT, True)
    _text(surf, "/ 100", (r.right + 12, r.bottom - 52), 34, MUTED)
    track_x, track_w = pad + 250, col_w - 250 - 120  # room for "42.8 / 45"
    for i, c in enumerate(o.components[:6]):
        f = c.points / c.max if c.max else 0.0
        yy = 392 + i * 40
        _text(surf, label(c.name, short=True), (pad, yy), 21, INK)
        track = Rect(track_x, yy + 4, track_w, 20)
        canvas.rect(surf, TRACK, track, border_radius=5)
        fill = track.copy()
        fill.width = max(0, int(track.width * min(1.0, max(0.0, f))))
        if fill.width:
            canvas.rect(surf, BAR_COLORS[i % 6], fill, border_radius=5)
        _text(surf, points_text(c.points, c.max), (track.right + 14, yy), 21, MUTED)

    # the after-angiogram
    canvas.rect(surf, PANEL, box, border_radius=10)
    if after is not None:
        th = thumbnail(after, (box.width - 24, box.height - 56))
        r = surf.blit(
            th, th.get_rect(midtop=(box.centerx, box.y + (box.height - 34 - th.get_height()) // 2))
        )
        _text(surf, "After (DSA)", (box.centerx, r.bottom + 8), 20, MUTED, anchor="midtop")
    else:
        lines = wrap("No contrast run in this case: no angiogram to show.", 26, box.width - 120)
        draw_lines(surf, lines, (box.x + 60, box.centery - 30), 26, MUTED)

    _figures(surf, o, w, pad)
    _text(
        surf,
        "Simulation estimates. Siphon is a teaching tool, not a clinical planning device.",
        (w // 2, h - 50),
        20,
        MUTED,
        anchor="midtop",
    )
    if tuple(size) != CARD_SIZE:
        surf = canvas.scale(surf, tuple(size))
    return surf


def _figures(surf, o: Outcome, w: int, pad: int) -> None:
    """The four figures along the bottom: coverage, injury, non-target, lung dose."""
    nt = o.deposition.non_target
    lung = o.lung_dose_gy
    figs = [
        (f"{100 * o.tumor_coverage:.0f} %", "tumour coverage", _coverage_colour(o)),
        (f"{100 * o.normal_liver.damage:.1f} %", "normal liver injured", INK),
        (f"{100 * nt:.2f} %", "agent outside the liver", WARN if nt > 0 else INK),
        (f"{lung:.1f} Gy", "lung dose", INK),
    ]
    fw = (w - 2 * pad - 3 * 24) // 4
    for i, (v, caption, col) in enumerate(figs):
        _figure(surf, Rect(pad + i * (fw + 24), 660, fw, 140), v, caption, col)


def _coverage_colour(o: Outcome):
    """Green for a tumour well covered (≥ 80 %), amber for a partial treatment, else warning."""
    c = o.tumor_coverage
    return GOOD if c >= 0.8 else AMBER if c >= 0.5 else WARN
