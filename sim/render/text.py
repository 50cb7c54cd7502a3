"""Text drawing helpers: wrapped paragraphs and simple line lists (labels are cheaper than
pygame_gui text boxes). Wrapping and rendered lines are cached, so live counters and event lists
that change a few times a second cost a blit per line per frame, not a font render."""

from __future__ import annotations

from functools import lru_cache

import pygame

from sim.render.fonts import font


@lru_cache(maxsize=2048)
def rendered(text: str, size: int, color: tuple, bold: bool = False) -> pygame.Surface:
    """One line of text as an antialiased Surface (cached; treat as read-only)."""
    return font(size, bold).render(text, True, color)


@lru_cache(maxsize=1024)
def wrap(text: str, size: int, width: int, bold: bool = False) -> list[str]:
    """Split ``text`` into lines that fit ``width`` pixels (cached: returns a shared list)."""
    f = font(size, bold)
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}".strip()
            if f.size(trial)[0] <= width or not line:
                line = trial
            else:
                out.append(line)
                line = word
        out.append(line)
    return out


def draw_lines(
    surface: pygame.Surface,
    lines,
    pos: tuple[int, int],
    size: int,
    color=(225, 228, 235),
    bold: bool = False,
    spacing: float = 1.25,
    max_y: int | None = None,
) -> int:
    """Draw lines top-down from ``pos``; return the y below the last line."""
    x, y = pos
    color = tuple(color)
    for line in lines:
        if max_y is not None and y + size > max_y:
            break
        surface.blit(rendered(line, size, color, bold), (x, y))
        y += int(size * spacing)
    return y


def draw_paragraph(
    surface: pygame.Surface,
    text: str,
    rect: pygame.Rect,
    size: int,
    color=(225, 228, 235),
    bold: bool = False,
) -> int:
    """Wrap ``text`` into ``rect``; return the y below it."""
    return draw_lines(
        surface,
        wrap(text, size, rect.width, bold),
        rect.topleft,
        size,
        color,
        bold,
        max_y=rect.bottom,
    )
