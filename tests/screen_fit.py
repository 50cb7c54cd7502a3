"""Find text that does not fit on a composed screen: drawn text that runs past its surface (or,
on a case screen, past the viewport into the panel) and widget text wider than its widget.

:func:`clipped_texts` redraws the app's current scene onto a recording surface. Every font is
made through ``pygame.font.Font``, so :func:`recording_fonts` swaps in a subclass whose
``render`` remembers what text each surface shows; the recording surface notes where each such
surface is blitted.
"""

from __future__ import annotations

import contextlib

import pygame

import sim.render.text as text_mod

_TEXTS: dict[int, tuple[str, pygame.Surface]] = {}


class _TaggingFont(pygame.font.Font):
    def render(self, text, *args, **kwargs):
        surf = super().render(text, *args, **kwargs)
        _TEXTS[id(surf)] = (str(text), surf)  # the surface is kept: its id stays its own
        return surf


class _Recorder(pygame.Surface):
    """A screen-sized surface that notes where rendered text lands."""

    def __init__(self, size) -> None:
        super().__init__(size)
        self.texts: list[tuple[str, pygame.Rect]] = []

    def blit(self, source, dest, area=None, special_flags=0):
        tagged = _TEXTS.get(id(source))
        if tagged is not None and tagged[1] is source:
            pos = dest.topleft if isinstance(dest, pygame.Rect) else tuple(dest)[:2]
            self.texts.append((tagged[0], pygame.Rect(pos, source.get_size())))
        return super().blit(source, dest, area, special_flags)


def _clear_caches() -> None:
    text_mod.font.cache_clear()
    text_mod.rendered.cache_clear()
    text_mod.wrap.cache_clear()


@contextlib.contextmanager
def recording_fonts():
    """While open, every font made anew tags the text it renders."""
    original = pygame.font.Font
    pygame.font.Font = _TaggingFont
    _clear_caches()
    try:
        yield
    finally:
        pygame.font.Font = original
        _clear_caches()
        _TEXTS.clear()


def _regions(app) -> list[pygame.Rect]:
    """Where text may run: the viewport and the panel of a case screen, else the screen."""
    screen = pygame.Rect((0, 0), app.size)
    view = getattr(getattr(app.scene, "view", None), "rect", None)
    if view is None or view.width == 0:
        return [screen]
    return [pygame.Rect(view), pygame.Rect(view.right, 0, screen.right - view.right, screen.h)]


def drawn_texts(app) -> list[tuple[str, pygame.Rect]]:
    """(text, rectangle) of every line of text the current scene draws."""
    rec = _Recorder(app.size)
    app.scene.draw(rec)
    return rec.texts


def drawn_text_problems(app) -> list[str]:
    """Text the scene draws past the region it starts in (or below the screen)."""
    texts = drawn_texts(app)
    regions = _regions(app)
    out = []
    for text, r in texts:
        if not text.strip():
            continue
        home = next((g for g in regions if g.collidepoint(r.left, max(r.top, 0))), regions[0])
        if r.left < home.left - 1 or r.right > home.right + 1 or r.bottom > home.bottom + 1:
            out.append(f"drawn {text!r} at {tuple(r)} outside {tuple(home)}")
    return out


def widget_text_problems(app) -> list[str]:
    """Labels and buttons (menus' and lists' items too) whose text is wider than they are."""
    from pygame_gui.elements import UIButton, UILabel

    out = []
    for el in app.ui.get_sprite_group().sprites():
        if not isinstance(el, UIButton | UILabel) or not el.visible:
            continue
        text = getattr(el, "text", "") or ""
        font = getattr(el, "font", None)
        if not text.strip() or font is None or el.rect.width <= 0:
            continue
        width = font.size(text)[0]
        pad = max(int(getattr(el, "text_horiz_alignment_padding", 0) or 0), 2)
        if width + 2 * pad > el.rect.width:
            out.append(f"widget {text!r} is {width} px wide in {el.rect.width} px")
    return out


def clipped_texts(app) -> list[str]:
    """Everything on the app's current screen that does not fit (empty when all fits)."""
    return drawn_text_problems(app) + widget_text_problems(app)
