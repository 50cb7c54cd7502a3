"""Fonts and text: the fonts shipped in ``assets/fonts`` (default fonts go missing on minimal
installs), wrapped paragraphs and simple line lists (labels are cheaper than pygame_gui text
boxes). Fonts, wrapping and rendered lines are cached, so live counters and event lists that
change a few times a second cost a blit per line per frame, not a font render."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import pygame

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@cache
def font(size: int, bold: bool = False) -> pygame.font.Font:
    """DejaVu Sans at ``size`` px (pygame's font module is initialised on first use)."""
    if not pygame.font.get_init():
        pygame.font.init()
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return pygame.font.Font(str(ASSETS / "fonts" / name), size)


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
