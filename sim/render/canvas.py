"""A small drawing facade for the screens: rectangles, shapes, translucent boxes and scaling.

Scenes draw through these functions (and the text helpers of :mod:`sim.render.text`) so that
they never import pygame; the surface they are handed is used only through its own methods
(``blit``, ``fill``, ``get_size``). :data:`Rect` is pygame's rectangle (layout arithmetic,
anchors such as ``midtop``), re-exported so layouts keep pixel-identical results.
"""

from __future__ import annotations

import io

import pygame

Rect = pygame.Rect
Color = tuple[int, ...]


def rect(surface, color: Color, r: Rect, width: int = 0, border_radius: int = 0) -> Rect:
    """A filled (``width`` 0) or outlined rectangle, corners rounded by ``border_radius``."""
    return pygame.draw.rect(surface, color, r, width=width, border_radius=border_radius)


def line(surface, color: Color, start, end, width: int = 1) -> Rect:
    return pygame.draw.line(surface, color, start, end, width)


def circle(surface, color: Color, center, radius: int, width: int = 0) -> Rect:
    return pygame.draw.circle(surface, color, center, radius, width)


def veil(surface, r: Rect, color: Color = (0, 0, 0), alpha: int = 190) -> None:
    """A translucent box over what is drawn (text over the angiogram stays readable)."""
    box = pygame.Surface(r.size, pygame.SRCALPHA)
    box.fill((*color, alpha))
    surface.blit(box, r.topleft)


def image(size: tuple[int, int]):
    """A new opaque image of ``size`` (black), to draw a picture off screen."""
    return pygame.Surface(size)


def scale(img, size: tuple[int, int]):
    """``img`` smooth-scaled to ``size`` (a new image)."""
    return pygame.transform.smoothscale(img, size)


def save(img, path) -> None:
    """Write ``img`` as a PNG (or the format ``path``'s suffix names)."""
    pygame.image.save(img, str(path))


def png_bytes(img) -> bytes:
    """``img`` encoded as PNG."""
    buf = io.BytesIO()
    pygame.image.save(img, buf, "image.png")
    return buf.getvalue()
