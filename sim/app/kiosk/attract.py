"""The attract loop: the expert plays a playlist case with large captions, then shows the score.

A :class:`~sim.app.scenes.demo.DemoScene` without the control panel: the angiogram (with the
teaching overlay, so vessel names and particles show) fills most of the screen, each plan step
is captioned for long enough to be read (:data:`MIN_CAPTION_S`), and a side column invites the
passer-by to play. Any key or click starts a game.
"""

from __future__ import annotations

import pygame

from sim.actions import Finish
from sim.app.kiosk.app import MODIFIER_KEYS
from sim.app.kiosk.i18n import caption, t
from sim.app.kiosk.widgets import (
    DIM,
    GOLD,
    PANEL,
    RED,
    WHITE,
    call_to_action,
    fit_size,
    panel,
    paragraph,
    q,
    text,
)
from sim.app.scenes.demo import DemoScene
from sim.engine.final import assess_procedure
from sim.engine.procedure import DT
from sim.render.text import wrap
from sim.scenario.load import LoadedCase

ATTRACT_SPEED = 3.0  # simulated seconds per real second while a step runs
MIN_CAPTION_S = 4.5  # every caption stays at least this long (real seconds) to be read
OUTRO_S = 7.0  # the expert's score is shown this long
SIDE_FRACTION = 0.3  # the side column's share of the width
BEST_ROWS = 3  # the board's top rows shown beside the demo (a reason to play)


class _Inert:
    """Stands in for the control panel's widgets, which the attract loop does not show."""

    def set_text(self, *_) -> None:
        pass

    def set_current_value(self, *_) -> None:
        pass


class AttractScene(DemoScene):
    """The expert demo of playlist case ``index``."""

    RECORD_MODE = None  # a demo is not a trainee's procedure: never recorded
    HOLD_RUNS_CLOCK = True  # blood keeps flowing while visitors read the caption

    def __init__(self, app, index: int) -> None:
        self.pcase = app.playlist.cases[index]
        self.index = index
        case = LoadedCase(self.pcase.scenario_path, self.pcase.scenario, [])
        super().__init__(app, case, list(self.pcase.steps), speed=ATTRACT_SPEED)
        self.caption = self.pcase.label
        self.caption_t = 0.0
        self.outro_t: float | None = None
        self.best = app.store.leaderboard(None, board=app.board, limit=BEST_ROWS)

    # ------------------------------------------------------------------ layout
    def resize(self, size) -> None:
        self._layout(size, int(size[0] * SIDE_FRACTION))

    def _build_panel(self) -> None:
        inert = _Inert()
        self.rate_label = self.rate_slider = self.speed_btn = self.setting_label = inert
        self.setting_slider = self.agent_menu = self.size_menu = self.inject_btn = None
        self.setting_ui = []

    # ------------------------------------------------------------------ playing
    def _next(self) -> None:
        super()._next()
        if not self.done and 0 <= self.i < len(self.steps):
            step = self.steps[self.i]
            self.caption = self.pcase.caption_for(self.i) or caption(step, self.app.lang)
        self.caption_t = 0.0

    def _finish(self) -> None:
        """The plan is over: finish the case and show the expert's score for a while."""
        self._stop_injection()
        if not self.proc.finished:
            self.proc.apply(Finish())
        score = assess_procedure(self.proc).score
        self.caption = t(self.app.lang, "expert_result", score=f"{score:.0f}")
        self.caption_t = 0.0
        self.outro_t = OUTRO_S
        self.done = True

    def update(self, dt: float) -> None:
        self.caption_t += dt
        if self.outro_t is not None:
            self.outro_t -= dt
            if self.outro_t <= 0:
                self.app.attract_done(self.index)
            return
        ready = self.action is None and self.remaining <= 0
        if self.i < 0 or (ready and self.caption_t >= MIN_CAPTION_S):
            self._next()
            if self.done:
                return
        n = max(1, round(min(dt, 0.25) * self.demo_speed / DT))
        self._play(n)
        if self.action is None and self.remaining <= 0 and not self.proc.finished:
            self.proc.step()  # the step is over; blood keeps flowing while visitors read

    def handle(self, event) -> None:
        if (event.type == pygame.KEYDOWN and event.key not in MODIFIER_KEYS) or (
            event.type == pygame.MOUSEBUTTONDOWN
        ):
            self.app.start_game(self.index)

    def ui_event(self, event) -> None:
        """No widgets here."""

    # ------------------------------------------------------------------ drawing
    def draw(self, surface) -> None:
        self.frame_i += 1
        img = self.view.render(self.proc.t, mode="fluoro", teaching=True, seed_frame=self.frame_i)
        surface.blit(img, self.view_rect.topleft)
        self._draw_flags(surface)
        self._draw_caption(surface)
        self._draw_side(surface)

    def _draw_flags(self, surface) -> None:
        px, lang = self.app.px, self.app.lang
        n = len(self.app.playlist.cases)
        label = t(lang, "expert_demo", i=self.index + 1, n=n)
        panel(surface, pygame.Rect(0, 0, self.view_rect.width, px(58)), alpha=150)
        text(surface, label, px(26), (px(20), px(12)), DIM, True)
        if self.proc.status().in_reflux:
            text(
                surface,
                t(lang, "reflux"),
                px(44),
                (self.view_rect.right - px(20), px(6)),
                RED,
                True,
                "topright",
            )

    def _draw_caption(self, surface) -> None:
        px, vw = self.app.px, self.view_rect.width
        size = q(px(40))
        lines = wrap(self.caption, size, vw - px(80), True)[:3]
        h = len(lines) * int(size * 1.2) + px(36)
        band = pygame.Rect(0, self.view_rect.bottom - h - px(30), vw, h)
        panel(surface, band, alpha=200)
        surface.fill(GOLD, pygame.Rect(0, band.top, px(10), band.height))
        y = band.top + px(18)
        for line in lines:
            text(surface, line, size, (vw // 2, y), WHITE, True, "midtop")
            y += int(size * 1.2)

    def _draw_side(self, surface) -> None:
        px, lang = self.app.px, self.app.lang
        w, h = self.app.size
        side = pygame.Rect(self.view_rect.right, 0, self.panel_w, h)
        surface.fill(PANEL, side)
        inner = side.inflate(-px(48), 0)

        def para(s: str, size: int, y: int, color=WHITE, bold=False) -> int:
            rect = pygame.Rect(inner.left, y, inner.width, 0)
            return paragraph(surface, s, size, rect, color, bold, center=True, max_lines=3)

        logo = fit_size("SIPHON", px(84), inner.width, True)
        y = text(surface, "SIPHON", logo, (side.centerx, px(30)), GOLD, True, "midtop").bottom
        y = para(t(lang, "tagline"), px(24), y + px(4), DIM) + px(24)
        pygame.draw.line(surface, DIM, (inner.left, y), (inner.right, y), max(1, px(2)))
        y = para(self.pcase.label, px(36), y + px(24), WHITE, True) + px(6)
        minutes = self.app.playlist.time_limit_s(self.pcase, self.app.minutes) / 60
        y = para(t(lang, "try_it", m=f"{minutes:g}"), px(28), y, DIM) + px(28)
        if self.best:
            y = para(t(lang, "best_scores"), px(26), y, GOLD, True) + px(4)
            for rank, e in enumerate(self.best, start=1):
                row = f"{rank}. {e.trainee or '???'}   {e.score:.0f}"
                y = para(row, px(30), y, WHITE, True)
        call_to_action(
            surface,
            self.app,
            t(lang, "press_to_play"),
            (side.centerx, h - px(175)),
            px(32),
            width=inner.width - px(48),
        )
        para(t(lang, "teaching_tool"), px(18), h - px(75), DIM)
