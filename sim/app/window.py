"""The window: one pygame display, a scene at a time, a fixed-rate loop that never crashes.

Scenes (case picker, procedure, debrief) implement :class:`~sim.app.scene.Scene` and name the
next scene with a :class:`~sim.app.scene.Transition`, which :meth:`App.go` builds from the
registry. Raw pygame events are turned into scene calls in one place (:meth:`App.frame`);
pygame_gui gets each event first and a consumed event never reaches the scene (so a click on a
dropdown does not steer the catheter). Importing this module sets nothing up: the display, the
fonts and the theme are set up when an :class:`App` is made.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pygame
import pygame_gui

from sim.app.scene import Scene, Transition
from sim.app.settings import Settings, data_dir
from sim.render.headless import use_dummy_video_if_headless
from sim.render.text import ASSETS

MIN_SIZE = (1280, 720)
WIDGET_KINDS = (
    "button",
    "label",
    "drop_down_menu",
    "selection_list",
    "text_entry_line",
    "horizontal_slider",
    "text_box",
    "tool_tip",
)
FPS = 60


def load_theme(scale: float = 1.0) -> dict:
    """The pygame_gui theme with font paths made absolute (fonts ship in ``assets/``) and font
    sizes multiplied by ``scale`` (widgets stay readable on 4K screens and projectors)."""
    theme = json.loads((ASSETS / "theme.json").read_text(encoding="utf-8"))

    def fix(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k.endswith("_path") and isinstance(v, str):
                    node[k] = str(ASSETS.parent / v)
                elif k == "size" and isinstance(v, str) and v.isdigit():
                    node[k] = str(max(8, round(int(v) * scale)))
                else:
                    fix(v)

    fix(theme)
    # pygame_gui reads only colours from "defaults": give every widget kind the shipped font
    default_font = theme["defaults"]["font"]
    for kind in WIDGET_KINDS:
        block = theme.setdefault(kind, {})
        block["font"] = {**default_font, **block.get("font", {})}
    misc = theme["selection_list"].setdefault("misc", {})
    misc["list_item_height"] = str(round(24 * scale))
    theme.setdefault("selection_list.#item_list_item", {}).setdefault("misc", {}).update(
        {"text_horiz_alignment": "left", "text_horiz_alignment_padding": str(round(8 * scale))}
    )
    return theme


class App:
    """The application window and its loop.

    Parameters
    ----------
    size : (int, int)
        Window size in pixels.
    fullscreen : bool
    data : str or Path, optional
        Data directory override (settings, records, reports).
    """

    def __init__(self, size=(1280, 800), fullscreen: bool = False, data=None) -> None:
        use_dummy_video_if_headless()
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption("Siphon — transarterial therapy trainer (teaching tool)")
        self.fullscreen = fullscreen
        self.windowed_size = (max(size[0], 640), max(size[1], 480))
        self.screen = self._open(self.windowed_size)
        self.size = self.screen.get_size()
        self.ui = self._ui_manager()
        self.clock = pygame.time.Clock()
        self.data_dir = data_dir(data)
        self.settings = Settings(self.data_dir)
        self.scene: Scene | None = None
        self.library_folder: Path | None = None  # the picker's folder (None: the shipped one)
        self.records_problem: str | None = None  # why cases are not being saved, if they are not
        self.running = True
        self.frames = 0

    def _ui_manager(self) -> pygame_gui.UIManager:
        self._ui_scale = round(self.scale, 1)
        return pygame_gui.UIManager(
            self.size, load_theme(self._ui_scale), enable_live_theme_updates=False
        )

    def _open(self, size) -> pygame.Surface:
        flags = pygame.FULLSCREEN if self.fullscreen else pygame.RESIZABLE
        return pygame.display.set_mode((0, 0) if self.fullscreen else size, flags)

    @property
    def scale(self) -> float:
        """UI scale: 1 at 1280×800, larger on big screens and projectors."""
        return max(0.8, min(self.size[0] / 1280, self.size[1] / 800, 3.0))

    def px(self, v: float) -> int:
        return int(round(v * self.scale))

    def switch(self, scene: Scene) -> None:
        """Replace the current scene (its UI elements are cleared)."""
        if self.scene is not None:
            self.scene.leave()
        self.ui.clear_and_reset()
        self.scene = scene
        scene.resize(self.size)

    def scene_registry(self) -> dict[str, Callable[..., Scene]]:
        """The scenes a transition may name (:mod:`sim.app.scenes.registry`)."""
        from sim.app.scenes.registry import WINDOW_SCENES

        return WINDOW_SCENES

    def go(self, transition: Transition) -> None:
        """Switch to the scene ``transition`` names, built with its arguments."""
        self.switch(self.scene_registry()[transition.scene](self, **transition.args))

    def toggle_fullscreen(self) -> None:
        self.fullscreen = not self.fullscreen
        self.screen = self._open(self.windowed_size)
        self._resized(self.screen.get_size())

    def _resized(self, size) -> None:
        self.size = (max(size[0], 320), max(size[1], 240))
        if not self.fullscreen:
            self.windowed_size = self.size
        if round(self.scale, 1) != self._ui_scale:
            self.ui = self._ui_manager()  # fonts follow the UI scale
        else:
            self.ui.set_window_resolution(self.size)
            self.ui.clear_and_reset()
        if self.scene is not None:
            self.scene.resize(self.size)

    def frame(self, dt: float | None = None) -> None:
        """One frame: events, update, draw.

        ``dt`` forces the real-time step (tests, benchmarks, screenshots); such frames are not
        paced to :data:`FPS`, so a benchmark times the frame's work, not the pacing sleep.
        """
        real = (self.clock.tick(FPS) if dt is None else self.clock.tick()) / 1000.0
        dt = real if dt is None else dt
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self.request_quit()
                continue
            if event.type in (pygame.VIDEORESIZE, pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
                if not self.fullscreen:
                    self.screen = pygame.display.get_surface()
                self._resized(self.screen.get_size())
                continue
            if event.type == pygame.KEYDOWN and event.key == pygame.K_F11:
                self.toggle_fullscreen()
                continue
            consumed = self.ui.process_events(event)
            if event.type >= pygame.USEREVENT and self.scene is not None:
                self.scene.ui_event(event)
            elif not consumed and self.scene is not None:
                self.scene.handle(event)
        self.ui.update(dt)
        if self.scene is not None:
            self.scene.update(dt)
            self.screen.fill((12, 13, 16))
            self.scene.draw(self.screen)
        self.ui.draw_ui(self.screen)
        pygame.display.flip()
        self.frames += 1

    def request_quit(self) -> None:
        """Window close: scenes may ask first (a case in progress)."""
        if self.scene is None or self.scene.request_quit():
            self.running = False

    def run(self, max_frames: int | None = None) -> None:
        """Run until quit (or ``max_frames``); the last scene is left properly (a case in
        progress is saved as abandoned)."""
        while self.running and (max_frames is None or self.frames < max_frames):
            self.frame()
        if self.scene is not None:
            self.scene.leave()
            self.scene = None
        pygame.display.quit()

    @property
    def records(self):
        """The record store in the data directory (opened on first use), or None if it cannot
        be opened — the window then runs without saving, and says so."""
        if not hasattr(self, "_records"):
            from sim.records.store import RecordStore

            try:
                self._records = RecordStore(self.data_dir)
            except Exception as exc:  # a broken disk must not stop a training session
                self._records = None
                self.records_problem = f"records cannot be saved: {exc}"
        return self._records

    def screenshot(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.screen, str(path))
        return path
