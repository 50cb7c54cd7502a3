"""The game: the real procedure screen with a countdown, recorded for the leaderboard.

The procedure's parts (a session recorded in mode "kiosk", its view, the control panel and the
trainee's controls) in exam mode (what a real room shows: no teaching overlay, no live
non-target), with pause and time scale off and without their buttons (the countdown is the
booth's real time);
Escape and window-close cannot leave, the countdown sits large over the angiogram, and the end
is the brief debrief: when the countdown reaches zero the injection stops and the case is
finished, exactly as if the player had pressed F. No input for the playlist's
``idle_reset_s`` abandons the game (its record says so) and the attract loop returns.
"""

from __future__ import annotations

from sim.app.kiosk.i18n import t
from sim.app.kiosk.widgets import AMBER, GREEN, RED, WHITE, clock_text, fit_size, panel, text
from sim.app.scenes.case import CaseScene, open_session
from sim.app.scenes.procedure import TraineeControls
from sim.app.session import SessionSetup
from sim.render import canvas
from sim.render.canvas import Rect
from sim.scenario.load import LoadedCase

BLOCKED_COMMANDS = ("pause", "speed")  # the countdown is real time; nothing may stop it
KIOSK = SessionSetup(record_mode="kiosk")


class GameScene(CaseScene):
    """A visitor's game on playlist case ``index``."""

    def __init__(self, app, index: int) -> None:
        self.pcase = app.playlist.cases[index]
        self.index = index
        case = LoadedCase(self.pcase.scenario_path, self.pcase.scenario, [])
        super().__init__(app, open_session(app, case, None, KIOSK), exam=True)
        self.panel.omit += BLOCKED_COMMANDS  # no pause or speed buttons either
        self.controls = TraineeControls(self, self.finish, BLOCKED_COMMANDS)
        self.limit_s = app.playlist.time_limit_s(self.pcase, app.minutes)
        self.left_s = self.limit_s
        self.timed_out = False
        self.abandoned = False

    # ------------------------------------------------------------------ the record
    # The session begins the record (mode "kiosk", trainee from the settings: the kiosk's are
    # always "???") and syncs it; here it is finished or abandoned.
    def close_record(self) -> None:
        """Abandon the record of a game left unfinished (idle, instructor exit, an error)."""
        if self.session.record is not None and not self.proc.finished:
            self.abandoned = True
            self.session.abandon()

    # ------------------------------------------------------------------ rules of the booth
    def request_quit(self) -> bool:
        return False

    def finish(self) -> None:
        """Finish the case (F, the Finish button or the countdown) and show the brief debrief."""
        self.session.stop_injection()
        fluoro = self.view.fluoro
        image = fluoro.render(self.proc.t, mode="fluoro", teaching=True) if fluoro else None
        outcome, record_id = self.session.finish()
        self.app.game_over(
            self, outcome, -1 if record_id is None else record_id, image, self.timed_out
        )

    def handle(self, event) -> None:
        self.controls.handle(event)

    def ui_event(self, event) -> None:
        self.controls.ui_event(event)

    def update(self, dt: float) -> None:
        if self.proc.finished:  # the case's own time limit ended it before the countdown did
            self.timed_out = True
            self.finish()
            return
        if self.session.injecting:
            self.app.note_activity()  # holding Space sends no events, but it is play
        if self.app.idle_s >= self.app.playlist.spec.idle_reset_s:
            self.close_record()
            self.app.idle_reset()
            return
        self.left_s = max(0.0, self.left_s - dt)
        if self.left_s <= 0:
            self.timed_out = True
            self.finish()
            return
        self.session.paused = False
        self.session.update(dt)

    # ------------------------------------------------------------------ drawing
    def draw(self, surface) -> None:
        super().draw(surface)
        px, lang = self.app.px, self.app.lang
        vr = self.view.rect
        left = self.left_s
        color = RED if left <= 20 else AMBER if left <= 60 else WHITE
        clock = clock_text(left)
        size = px(96)
        box = Rect(0, 0, px(300), px(150))
        box.topright = (vr.right - px(16), px(16))
        panel(surface, box, alpha=190)
        text(surface, clock, size, (box.centerx, box.top + px(4)), color, True, "midtop")
        text(
            surface,
            t(lang, "time_left"),
            px(24),
            (box.centerx, box.bottom - px(8)),
            color,
            False,
            "midbottom",
        )
        frac = left / self.limit_s if self.limit_s > 0 else 0.0
        surface.fill((40, 44, 54), Rect(0, 0, vr.width, px(10)))
        surface.fill(color, Rect(0, 0, int(vr.width * frac), px(10)))
        status = None
        if self.proc.status().in_reflux:
            status = (t(lang, "reflux"), RED)
        elif self.session.injecting:
            status = (t(lang, "injecting"), GREEN)
        if status is not None:
            label = text(
                surface,
                status[0],
                px(44),
                (box.centerx, box.bottom + px(12)),
                status[1],
                True,
                "midtop",
            )
            canvas.circle(surface, status[1], (label.left - px(22), label.centery), px(12))
        hint = t(lang, "game_hint")
        hs = fit_size(hint, px(26), vr.width - px(40), True)
        band = Rect(0, vr.bottom - hs - px(60), vr.width, hs + px(22))
        panel(surface, band, alpha=170)
        text(surface, hint, hs, band.center, WHITE, True, "center")
