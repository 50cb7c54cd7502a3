"""The scene contract: one screen of the window or the booth, and the transitions between them.

A scene never builds another scene. It names the next one with a :class:`Transition` (a
registry name and its arguments) and the app resolves the name through its registry
(:mod:`sim.app.scenes.registry` for the window, :mod:`sim.app.kiosk.registry` for the booth),
so scene modules import none of each other (a scene may switch back to a scene it was handed,
as the what-if screens return to their debrief). Every hook a scene may answer is declared here with
its default; the app calls them directly (no probing with ``getattr``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.ui.inputs import Input, WidgetEvent


@dataclass(frozen=True)
class Transition:
    """The next scene: its registry name and the keyword arguments it is built with."""

    scene: str
    args: dict[str, Any] = field(default_factory=dict)


class Scene:
    """One screen. Subclasses override what they need; ``app`` is the window (an ``App``)."""

    def __init__(self, app) -> None:
        self.app = app

    # ------------------------------------------------------------------ hooks
    def handle(self, inp: Input) -> None:
        """A key, click, motion, wheel or text input the widgets did not consume
        (:mod:`sim.ui.inputs`)."""

    def ui_event(self, event: WidgetEvent) -> None:
        """A widget did something (button pressed, menu changed …)."""

    def update(self, dt: float) -> None:
        """Advance by ``dt`` real seconds."""

    def draw(self, surface) -> None:
        """Draw the scene (the UI is drawn on top by the app)."""

    def resize(self, size: tuple[int, int]) -> None:
        """The window changed size; rebuild layouts."""

    def leave(self) -> None:
        """The scene is being replaced."""

    def request_quit(self) -> bool:
        """The window's close button: True lets the app quit (a case in progress asks first)."""
        return True

    def close_record(self) -> None:
        """Abandon the live record of an unfinished case (the booth's exit and error recovery)."""

    def refresh(self) -> None:
        """Data shown here changed behind the scene's back (the booth's board was reset)."""

    # ------------------------------------------------------------------ helpers
    def go(self, scene: str, **args) -> None:
        """Switch to the registry's scene ``scene`` built with ``args``."""
        self.app.go(Transition(scene, args))

    def scaled(self, img, size: tuple[int, int]):
        """``img`` smooth-scaled to ``size``, cached per scene (scaling a big image every frame
        is not free at 4K)."""
        from sim.render.canvas import scale  # the scene contract itself imports no pygame

        cache = self.__dict__.setdefault("_scaled_cache", {})
        key = (id(img), size)
        if key not in cache:
            if len(cache) > 8:
                cache.clear()
            cache[key] = (img, scale(img, size))  # img kept: id stays its
        return cache[key][1]

    def button_row(self, labels: list[str], width: float = 200, height: float = 48) -> list:
        """Buttons along the bottom right, in the order given (sizes in UI-scaled pixels)."""
        from sim.render.canvas import Rect
        from sim.ui import widgets as gui

        px, (w, h) = self.app.px, self.app.size
        bw, n = px(width), len(labels)
        return [
            gui.button(
                Rect(w - (n - i) * (bw + px(12)), h - px(height + 14), bw, px(height)),
                text,
                self.app.ui,
            )
            for i, text in enumerate(labels)
        ]
