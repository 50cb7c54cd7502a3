"""KioskApp: the booth's window. Fullscreen without decorations, it refuses to close, recovers
from any error by going back to the attract loop, and runs the booth's flow.

The flow (each step a scene; the methods below switch between them)::

    attract (expert demo, captions) ─► leaderboard ─► attract (next case) ─► …
        │ any key or click
        ▼
    choose a case ─► how-to (20 s) ─► game (countdown) ─► brief debrief ─► initials ─► leaderboard
        idle for ``idle_reset_s`` anywhere in a game: back to attract (the game is abandoned)

Only the instructor leaves: hold Ctrl+Shift+Q for two seconds. Hold Ctrl+Shift+R for two
seconds, then press Y, to reset the leaderboard (the records stay). Window-close requests,
Alt+F4's quit event, Escape and F11 do nothing. Time here is *kiosk time*, the sum of the
frames' ``dt`` (real time in a booth; a test may feed larger steps), so idle and countdowns are
the same in a test as at a booth.
"""

from __future__ import annotations

import ctypes
import gc
import sys
import time
import traceback
from dataclasses import dataclass

import pygame

from sim.app.scene import Transition
from sim.app.settings import Settings
from sim.app.window import FPS, App
from sim.outcome.result import Outcome
from sim.scenario.playlist import LoadedPlaylist
from sim.ui.inputs import (
    Click,
    Key,
    Motion,
    Quit,
    Resize,
    Touch,
    Wheel,
    deliver,
    translate,
)

ANONYMOUS = "???"  # the board's name for a game whose player left before typing initials
MAX_DT = 1.0  # a frame never advances kiosk time more than this (a stalled machine, a suspend)
CURSOR_HIDE_S = 3.0
CONFIRM_TIMEOUT_S = 15.0
TOAST_S = 4.0
RECOVERY_BURST = 3  # this many errors within RECOVERY_WINDOW_S: stop simulating, show the board
RECOVERY_WINDOW_S = 10.0
RETRY_S = 30.0  # with no scene left at all, the attract loop is tried again this often
SWALLOWED_KEYS = ("escape", "f11")
CHORD_KEYS = ("q", "r")  # with Ctrl+Shift held: leave / reset the board


def is_activity(inp) -> bool:
    """Someone at the booth: a key pressed, a click, the pointer moved, the wheel, a touch."""
    if isinstance(inp, Key):
        return inp.down
    if isinstance(inp, Click):
        return inp.down
    return isinstance(inp, Motion | Wheel | Touch)


def release_memory() -> None:
    """Collect garbage and return freed heap pages to the OS (glibc ``malloc_trim``), so the
    resident size follows what is live rather than the day's high-water mark."""
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        lib = ctypes.CDLL("libc.so.6")
        lib.malloc_trim  # noqa: B018 - glibc only (not musl)
    except (OSError, AttributeError):
        return None
    return lib


_LIBC = _libc()


@dataclass
class GameResult:
    """A finished game of this session (what the board should show)."""

    record_id: int
    case_id: str
    score: float
    initials: str = ANONYMOUS


class _KioskSettings(Settings):
    """The data dir's settings, except that the trainee is always anonymous in a booth."""

    def get(self, key: str, default=None):
        return ANONYMOUS if key == "trainee" else super().get(key, default)


class KioskApp(App):
    """The booth.

    Parameters
    ----------
    playlist : LoadedPlaylist
        Cases, captions, language, time limit, idle reset.
    size : (int, int), optional
        A borderless window of this size; default fullscreen at the desktop's resolution.
    data : str or Path, optional
        Data directory (records with the leaderboard, settings, ``kiosk.log``).
    minutes : float, optional
        Game countdown (overrides the playlist's).
    """

    CHORD_HOLD_S = 2.0

    def __init__(
        self, playlist: LoadedPlaylist, size=None, data=None, minutes: float | None = None
    ) -> None:
        super().__init__(size or (1280, 720), fullscreen=size is None, data=data)
        pygame.display.set_caption("Siphon — workshop kiosk")
        self.settings = _KioskSettings(self.data_dir)
        self.playlist = playlist
        self.lang = playlist.spec.language
        self.minutes = minutes
        self.store = self.records  # App's store: the one ProcedureScene records games into
        if self.store is None:
            raise RuntimeError(self.records_problem or "records cannot be opened")
        self.board = "kiosk"
        self.log_path = self.data_dir / "kiosk.log"
        self.clock_s = 0.0
        self.idle_s = 0.0
        self.pointer_idle_s = 0.0
        self.cursor_visible = True
        self.chord: tuple[str, float] | None = None  # (key name, kiosk time pressed)
        self.confirm_reset_t: float | None = None
        self.toast: tuple[str, float] = ("", 0.0)
        self.quit_refused = 0
        self.errors: list[str] = []  # tracebacks recovered from (the last few)
        self.error_count = 0
        self._error_times: list[float] = []
        self.rotation = 0  # the attract loop's next case
        self.demonstrated: int | None = None  # the case the expert demonstrated last
        self.games: list[GameResult] = []
        self.games_started = 0
        self.idle_resets = 0
        self._retry_at = 0.0

    # ------------------------------------------------------------------ window
    def switch(self, scene) -> None:
        """Replace the scene, then give the old one's memory back (the booth runs all day)."""
        super().switch(scene)
        release_memory()

    def _flags(self) -> int:
        return pygame.FULLSCREEN | pygame.NOFRAME if self.fullscreen else pygame.NOFRAME

    def toggle_fullscreen(self) -> None:
        """F11 does nothing in a booth."""

    def request_quit(self) -> None:
        """Window close and Alt+F4 are refused (counted, for the self-test)."""
        self.quit_refused += 1

    # ------------------------------------------------------------------ loop
    def frame(self, dt: float | None = None) -> None:
        """One frame: events (chords, idle, modal overlays first), update, draw; never raises
        for an error in a scene (it is logged and the attract loop restarts)."""
        real = (self.clock.tick(FPS) if dt is None else self.clock.tick()) / 1000.0
        dt = min(real if dt is None else dt, MAX_DT)
        self.clock_s += dt
        self.idle_s += dt
        self.pointer_idle_s += dt
        for event in pygame.event.get():
            self._guarded(self._dispatch, event)
        self._guarded(self._tick, dt)
        self._update_cursor()
        self._guarded(self._draw)
        pygame.display.flip()
        self.frames += 1

    def _guarded(self, fn, *args) -> None:
        try:
            fn(*args)
        except Exception:
            self._recover(traceback.format_exc())

    def _dispatch(self, event) -> None:
        inp = translate(event)
        if isinstance(inp, Quit):
            self.request_quit()
            return
        if isinstance(inp, Resize):
            self.resized_window()
            return
        if is_activity(inp):
            self.note_activity()
            if isinstance(inp, Motion):
                self.pointer_idle_s = 0.0
        if isinstance(inp, Key) and self._chord_key(inp):
            return
        if self.confirm_reset_t is not None:
            if isinstance(inp, Key) and inp.down and not inp.is_modifier:
                self._confirm_reset(inp.name == "y")
            return
        if isinstance(inp, Key) and inp.down and inp.name in SWALLOWED_KEYS:
            return
        deliver(self.ui, self.scene, event, inp)

    def _chord_key(self, k: Key) -> bool:
        """Track Ctrl+Shift+Q / Ctrl+Shift+R being held; True if the key belongs to a chord."""
        if k.down:
            if k.name in CHORD_KEYS and {"ctrl", "shift"} <= k.mods:
                if self.chord is None or self.chord[0] != k.name:
                    self.chord = (k.name, self.clock_s)
                return True
            if self.chord is not None and not k.is_modifier:
                self.chord = None  # another key: not the instructor's chord
            return False
        if self.chord is not None and (k.name == self.chord[0] or k.is_modifier):
            held = k.name == self.chord[0]
            self.chord = None
            return held
        return False

    def _tick(self, dt: float) -> None:
        if self.chord is not None and self.clock_s - self.chord[1] >= self.CHORD_HOLD_S:
            key, self.chord = self.chord[0], None
            if key == "q":
                self.leave_kiosk()
            else:
                self.confirm_reset_t = self.clock_s
        if self.confirm_reset_t is not None:
            if self.clock_s - self.confirm_reset_t > CONFIRM_TIMEOUT_S:
                self.confirm_reset_t = None
            return  # the booth waits while the instructor decides
        self.ui.update(dt)
        if self.scene is not None:
            self.scene.update(dt)
        elif self.clock_s >= self._retry_at:  # out of order: try the attract loop again
            self._retry_at = self.clock_s + RETRY_S
            self.go_attract()

    def _draw(self) -> None:
        from sim.app.kiosk.widgets import BG, draw_overlays

        self.screen.fill(BG)
        if self.scene is not None:
            self.scene.draw(self.screen)
        else:
            from sim.app.kiosk.widgets import DIM, text

            w, h = self.size
            text(self.screen, "Siphon", self.px(80), (w // 2, h // 2), DIM, True, "midbottom")
            text(self.screen, "…", self.px(60), (w // 2, h // 2), DIM, True, "midtop")
        self.ui.draw_ui(self.screen)
        draw_overlays(self, self.screen)

    def _update_cursor(self) -> None:
        visible = self.pointer_idle_s < CURSOR_HIDE_S
        if visible != self.cursor_visible:
            pygame.mouse.set_visible(visible)
            self.cursor_visible = visible

    def note_activity(self) -> None:
        """Someone is using the booth (resets the idle timer)."""
        self.idle_s = 0.0

    def say(self, message: str) -> None:
        """A short confirmation at the bottom of the screen."""
        self.toast = (message, self.clock_s + TOAST_S)

    # ------------------------------------------------------------------ instructor
    def leave_kiosk(self) -> None:
        """The instructor's exit: abandon a game in progress, stop the loop."""
        if self.scene is not None:
            self.scene.close_record()
        self.running = False

    def _confirm_reset(self, yes: bool) -> None:
        from sim.app.kiosk.i18n import t

        self.confirm_reset_t = None
        if yes:
            self.store.reset_leaderboard(self.board)
            self.say(t(self.lang, "reset_done"))
            if self.scene is not None:
                self.scene.refresh()

    # ------------------------------------------------------------------ errors
    def _recover(self, tb: str) -> None:
        """Log an error and restart the attract loop (or, if errors come in a burst, show only
        the leaderboard, which does not simulate)."""
        self.error_count += 1
        self.errors = [*self.errors[-9:], tb]
        now = time.monotonic()
        self._error_times = [t for t in self._error_times if now - t < RECOVERY_WINDOW_S] + [now]
        try:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} recovered from:\n{tb}\n")
        except OSError:
            pass
        try:
            if self.scene is not None:
                self.scene.close_record()
        except Exception:
            self.errors = [*self.errors[-9:], traceback.format_exc()]
        try:
            if len(self._error_times) >= RECOVERY_BURST:
                self.go(Transition("board", {"hold": True}))
            else:
                self.go_attract()
        except Exception:  # not even the board: a quiet screen, and a retry now and then
            self.errors = [*self.errors[-9:], traceback.format_exc()]
            self.ui.clear_and_reset()
            self.scene = None
            self._retry_at = self.clock_s + RETRY_S

    # ------------------------------------------------------------------ flow
    def scene_registry(self) -> dict:
        """The booth's scenes by name (:mod:`sim.app.kiosk.registry`)."""
        from sim.app.kiosk.registry import KIOSK_SCENES

        return KIOSK_SCENES

    def go_attract(self, index: int | None = None) -> None:
        """The attract loop: the expert plays case ``index`` (default: the rotation's next)."""
        n = len(self.playlist.cases)
        i = self.rotation % n if index is None else index % n
        self.demonstrated = i
        self.go(Transition("attract", {"index": i}))

    def idle_reset(self) -> None:
        """Nobody at the booth for ``idle_reset_s``: back to the attract loop (counted)."""
        self.idle_resets += 1
        self.go_attract()

    def attract_done(self, index: int) -> None:
        """A demo ended: the leaderboard, then the next case."""
        self.rotation = (index + 1) % len(self.playlist.cases)
        self.go(Transition("board"))

    def start_game(self, index: int | None = None) -> None:
        """Someone pressed a key: choose a case, ``index`` highlighted (default: the case the
        expert just demonstrated, also when the key came on the board after the demo)."""
        last = self.demonstrated
        i = (self.rotation if last is None else last) if index is None else index
        if len(self.playlist.cases) == 1:
            self.how_to(0)
        else:
            self.go(Transition("choose", {"index": i % len(self.playlist.cases)}))

    def how_to(self, index: int) -> None:
        self.go(Transition("how_to", {"index": index}))

    def play(self, index: int) -> None:
        """The game itself."""
        self.games_started += 1
        self.go(Transition("game", {"index": index}))

    def game_over(self, scene, outcome: Outcome, record_id: int, image, timed_out: bool) -> None:
        """A finished game: remember it, show the brief debrief."""
        result = GameResult(record_id, scene.pcase.case_id, outcome.score)
        self.games.append(result)
        args = {"pcase": scene.pcase, "outcome": outcome, "result": result}
        self.go(Transition("brief_debrief", {**args, "image": image, "timed_out": timed_out}))

    def ask_initials(self, pcase, result: GameResult) -> None:
        self.go(Transition("initials", {"pcase": pcase, "result": result}))

    def save_initials(self, result: GameResult, initials: str) -> None:
        """Name the game's record on the board, then show the board with it highlighted."""
        self.store.set_trainee(result.record_id, initials)
        result.initials = initials
        self.go(Transition("board", {"highlight": result.record_id}))

    def close(self) -> None:
        """Close the record store and the display (after :meth:`run` or a test)."""
        self.store.close()
        pygame.display.quit()
