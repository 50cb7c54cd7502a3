"""Booth-size drawing helpers: big centred text, translucent panels, the clock, the overlays.

Everything is sized through ``app.px`` so a screen laid out at 1280×720 grows with a 1080p
projector or a 4K panel; the sizes here are chosen to be read from three metres on a 1080p
projector (body text ≥ 30 px, headings ≥ 50 px). Drawing never changes the game.
"""

from __future__ import annotations

import math

from sim.render import canvas
from sim.render.canvas import Rect
from sim.render.text import font, wrap

WHITE = (245, 247, 250)
DIM = (170, 180, 195)
GOLD = (255, 214, 102)
RED = (255, 92, 92)
AMBER = (255, 170, 60)
GREEN = (120, 230, 150)
BLUE = (120, 190, 255)
BG = (14, 16, 22)
PANEL = (26, 30, 40)


# Font sizes are drawn from this ladder (6 % steps): every distinct size is a cached font, so
# text fitted to arbitrary widths must not mint a new size each time (the booth runs all day).
LADDER = tuple(sorted({round(8 * 1.06**k) for k in range(70)}))


def q(size: float) -> int:
    """The ladder size nearest below ``size`` (at least the smallest)."""
    best = LADDER[0]
    for step in LADDER:
        if step > size:
            break
        best = step
    return best


def text(
    surface,
    s: str,
    size: int,
    pos: tuple[int, int],
    color=WHITE,
    bold: bool = False,
    anchor: str = "topleft",
) -> Rect:
    """Draw one line of ``s`` with its ``anchor`` (a :data:`Rect` attribute) at ``pos``."""
    img = font(q(size), bold).render(s, True, color)
    rect = img.get_rect(**{anchor: pos})
    surface.blit(img, rect)
    return rect


def heading(surface, app, s: str, size: float, y: float) -> Rect:
    """A screen's gold title, centred at ``y`` (UI px), shrunk to fit the window's width."""
    px, w = app.px, app.size[0]
    return text(surface, s, fit_size(s, px(size), w - px(80), True), (w // 2, px(y)), GOLD, True,
                "midtop")  # fmt: skip


def fit_size(s: str, size: int, width: int, bold: bool = False) -> int:
    """The largest font size ≤ ``size`` at which ``s`` fits ``width`` pixels on one line."""
    size = q(size)
    w = font(size, bold).size(s)[0]
    if w <= width or w == 0:
        return size
    return q(size * width / w)


def paragraph(
    surface,
    s: str,
    size: int,
    rect: Rect,
    color=WHITE,
    bold: bool = False,
    center: bool = False,
    spacing: float = 1.2,
    max_lines: int | None = None,
) -> int:
    """Wrap ``s`` into ``rect`` (centred lines if ``center``); return the y below the text."""
    size = q(size)
    lines = wrap(s, size, rect.width, bold)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(" .,;:") + "…"
    y = rect.top
    for line in lines:
        if center:
            text(surface, line, size, (rect.centerx, y), color, bold, "midtop")
        else:
            text(surface, line, size, (rect.left, y), color, bold)
        y += int(size * spacing)
    return y


def panel(surface, rect: Rect, color=(0, 0, 0), alpha: int = 190) -> None:
    """A translucent box (text over the angiogram stays readable)."""
    canvas.veil(surface, rect, color, alpha)


def clock_text(seconds: float) -> str:
    """``161.2`` → ``"2:42"`` (rounded up, so 0:00 means time is up)."""
    s = max(0, math.ceil(seconds))
    return f"{s // 60}:{s % 60:02d}"


def pulse(t: float, period: float = 1.6) -> float:
    """0.55–1 brightness factor for a gently pulsing call to action."""
    return 0.775 + 0.225 * math.sin(2 * math.pi * t / period)


def shade(color: tuple[int, ...], f: float) -> tuple[int, ...]:
    """``color`` scaled by ``f`` (0–1)."""
    return tuple(max(0, min(255, int(c * f))) for c in color)


def call_to_action(
    surface, app, s: str, center: tuple[int, int], size: int | None = None, width: int = 0
) -> None:
    """The pulsing "press any key" line in a gold-framed box (wrapped to ``width`` if given)."""
    px = app.px
    size = q(size or px(34))
    f = pulse(app.clock_s)
    lines = wrap(s, size, width, True) if width else [s]
    line_h = font(size, True).get_linesize()
    w = max(font(size, True).size(line)[0] for line in lines)
    box = Rect(0, 0, w + px(48), line_h * len(lines) + px(26))
    box.center = center
    canvas.rect(surface, shade(GOLD, 0.25 * f), box, border_radius=px(14))
    canvas.rect(surface, shade(GOLD, f), box, width=max(2, px(3)), border_radius=px(14))
    y = box.top + px(13)
    for line in lines:
        text(surface, line, size, (box.centerx, y), shade(WHITE, 0.8 + 0.2 * f), True, "midtop")
        y += line_h


def draw_overlays(app, surface) -> None:
    """The instructor's overlays on top of everything: a chord being held, the reset question,
    a short confirmation toast."""
    from sim.app.kiosk.i18n import t

    px, (w, h) = app.px, app.size
    if app.chord is not None:
        key, since = app.chord
        frac = min(1.0, (app.clock_s - since) / app.CHORD_HOLD_S)
        msg = t(app.lang, "hold_exit" if key == "q" else "hold_reset")
        size = fit_size(msg, px(26), w - px(80), True)
        rect = Rect(0, 0, w, size + px(40))
        panel(surface, rect, alpha=220)
        text(surface, msg, size, (w // 2, px(12)), AMBER, True, "midtop")
        bar = Rect(0, rect.bottom - px(8), int(w * frac), px(8))
        surface.fill(AMBER, bar)
    if app.confirm_reset_t is not None:
        box = Rect(0, 0, min(w - px(80), px(1000)), px(220))
        box.center = (w // 2, h // 2)
        panel(surface, box, alpha=235)
        canvas.rect(surface, AMBER, box, width=max(2, px(3)), border_radius=px(8))
        question = t(app.lang, "confirm_reset")
        keys = t(app.lang, "confirm_keys")
        inner = box.inflate(-px(40), 0)
        qs = fit_size(question, px(32), inner.width, True)
        text(surface, question, qs, (box.centerx, box.top + px(40)), WHITE, True, "midtop")
        text(
            surface,
            keys,
            fit_size(keys, px(28), inner.width),
            (box.centerx, box.top + px(130)),
            AMBER,
            False,
            "midtop",
        )
    msg, until = app.toast
    if msg and app.clock_s < until:
        size = q(px(30))
        tw, th = font(size, True).size(msg)
        box = Rect(0, 0, tw + px(40), th + px(24))
        box.midbottom = (w // 2, h - px(30))
        panel(surface, box, alpha=230)
        text(surface, msg, size, box.center, GREEN, True, "center")
