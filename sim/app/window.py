"""The window: one pygame display, a scene at a time, a fixed-rate loop that never crashes.

Scenes (case picker, procedure, debrief) implement :class:`~sim.app.scene.Scene` and name the
next scene with a :class:`~sim.app.scene.Transition`, which :meth:`App.go` builds from the
registry. Raw pygame events become typed inputs (:mod:`sim.ui.inputs`) and scene calls in one
place (:meth:`App.dispatch`); pygame_gui gets each event first and a consumed event never reaches
the scene (so a click on a dropdown does not steer the catheter). Importing this module sets
nothing up: the display, the fonts and the theme are set up when an :class:`App` is made.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pygame

from sim.app.scene import Scene, Transition
from sim.app.settings import Settings, data_dir
from sim.render.headless import use_dummy_video_if_headless
from sim.ui import widgets
from sim.ui.inputs import Key, Quit, Resize, deliver, translate

MIN_SIZE = (1280, 720)
FPS = 60


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
        self.exam = False  # cases open in exam mode (picker toggle, ``window --exam``)
        self.running = True
        self.frames = 0

    def _ui_manager(self):
        self._ui_scale = round(self.scale, 1)
        return widgets.manager(self.size, self._ui_scale)

    def _flags(self) -> int:
        return pygame.FULLSCREEN if self.fullscreen else pygame.RESIZABLE

    def _open(self, size) -> pygame.Surface:
        return pygame.display.set_mode((0, 0) if self.fullscreen else size, self._flags())

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
            self.dispatch(event)
        self.ui.update(dt)
        if self.scene is not None:
            self.scene.update(dt)
            self.screen.fill((12, 13, 16))
            self.scene.draw(self.screen)
        self.ui.draw_ui(self.screen)
        pygame.display.flip()
        self.frames += 1

    def dispatch(self, event) -> None:
        """One pygame event: quit, resize and F11 are the window's; pygame_gui sees the rest
        first; the scene gets widget events, and the typed input of what the UI did not
        consume."""
        inp = translate(event)
        if isinstance(inp, Quit):
            if not inp.window:
                self.request_quit()
            return
        if isinstance(inp, Resize):
            self.resized_window()
            return
        if isinstance(inp, Key) and inp.down and inp.name == "f11":
            self.toggle_fullscreen()
            return
        deliver(self.ui, self.scene, event, inp)

    def resized_window(self) -> None:
        """The window changed size: re-read the display and lay the scene out again."""
        if not self.fullscreen:
            self.screen = pygame.display.get_surface()
        self._resized(self.screen.get_size())

    def set_window_size(self, size: tuple[int, int]) -> None:
        """Resize the window itself (a projector plugged in; tests), then lay out again."""
        self.screen = pygame.display.set_mode(size, self._flags())
        self._resized(self.screen.get_size())

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
