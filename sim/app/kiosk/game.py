"""The game: the real procedure screen with a countdown, recorded for the leaderboard.

A :class:`~sim.app.scenes.procedure.ProcedureScene` in which pause and time scale are off (the
countdown is the booth's real time), Escape and window-close cannot leave, the countdown sits
large over the angiogram, and the end is the brief debrief: when the countdown reaches zero
the injection stops and the case is finished, exactly as if the player had pressed F. No input
for the playlist's ``idle_reset_s`` abandons the game (its record says so) and the attract
loop returns. The record is ProcedureScene's (``RECORD_MODE = "kiosk"``).
"""

from __future__ import annotations

import pygame

from sim.app.kiosk.i18n import t
from sim.app.kiosk.widgets import AMBER, GREEN, RED, WHITE, clock_text, fit_size, panel, text
from sim.app.scenes.procedure import ProcedureScene
from sim.scenario.load import LoadedCase

BLOCKED_COMMANDS = ("pause", "speed")  # the countdown is real time; nothing may stop it


class GameScene(ProcedureScene):
    """A visitor's game on playlist case ``index``."""

    RECORD_MODE = "kiosk"

    def __init__(self, app, index: int) -> None:
        self.pcase = app.playlist.cases[index]
        self.index = index
        case = LoadedCase(self.pcase.scenario_path, self.pcase.scenario, [])
        super().__init__(app, case)
        self.limit_s = app.playlist.time_limit_s(self.pcase, app.minutes)
        self.left_s = self.limit_s
        self.timed_out = False
        self.abandoned = False
        self.teaching = True  # names, flow and particles drawn: a first-timer sees the vessels

    # ------------------------------------------------------------------ the record
    # ProcedureScene begins ``self.record`` (mode RECORD_MODE, trainee from the settings: the
    # kiosk's are always "???") and syncs it; here it is finished or abandoned.
    def close_record(self) -> None:
        """Abandon the record of a game left unfinished (idle, instructor exit, an error)."""
        if self.record is not None and not self.proc.finished:
            self.abandoned = True
            self._stop_injection()
            self._record("abandon")

    # ------------------------------------------------------------------ rules of the booth
    def request_quit(self) -> bool:
        return False

    def _command(self, name: str) -> None:
        if name not in BLOCKED_COMMANDS:
            super()._command(name)

    def _finish(self) -> None:
        """Finish the case (F, the Finish button or the countdown) and show the brief debrief."""
        self._stop_injection()
        image = self.view.render(self.proc.t, mode="fluoro", teaching=True) if self.view else None
        outcome, record_id = self.finish_case()
        self.app.game_over(
            self, outcome, -1 if record_id is None else record_id, image, self.timed_out
        )

    def update(self, dt: float) -> None:
        if self.proc.finished:
            return
        if self.injecting:
            self.app.note_activity()  # holding Space sends no events, but it is play
        if self.app.idle_s >= self.app.playlist.spec.idle_reset_s:
            self.close_record()
            self.app.idle_reset()
            return
        self.left_s = max(0.0, self.left_s - dt)
        if self.left_s <= 0:
            self.timed_out = True
            self._finish()
            return
        self.paused = False
        super().update(dt)

    # ------------------------------------------------------------------ drawing
    def draw(self, surface) -> None:
        super().draw(surface)
        px, lang = self.app.px, self.app.lang
        vr = self.view_rect
        left = self.left_s
        color = RED if left <= 20 else AMBER if left <= 60 else WHITE
        clock = clock_text(left)
        size = px(96)
        box = pygame.Rect(0, 0, px(300), px(150))
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
        surface.fill((40, 44, 54), pygame.Rect(0, 0, vr.width, px(10)))
        surface.fill(color, pygame.Rect(0, 0, int(vr.width * frac), px(10)))
        status = None
        if self.proc.status().in_reflux:
            status = (t(lang, "reflux"), RED)
        elif self.injecting:
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
            pygame.draw.circle(surface, status[1], (label.left - px(22), label.centery), px(12))
        hint = t(lang, "game_hint")
        hs = fit_size(hint, px(26), vr.width - px(40), True)
        band = pygame.Rect(0, vr.bottom - hs - px(60), vr.width, hs + px(22))
        panel(surface, band, alpha=170)
        text(surface, hint, hs, band.center, WHITE, True, "center")
