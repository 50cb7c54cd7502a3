"""The attract loop: the expert plays a playlist case with large captions, then shows the score.

A plan played like the demo (an unrecorded session driven by a
:class:`~sim.app.drivers.PlanDriver`) without the control panel: the angiogram (with the
teaching overlay, so vessel names and particles show) fills most of the screen, each plan step
is captioned for long enough to be read (:data:`MIN_CAPTION_S`), the blood keeps flowing
between steps, and a side column invites the passer-by to play. Any key or click starts a game.
"""

from __future__ import annotations

from sim.actions import Finish
from sim.app.drivers import PlanDriver
from sim.app.kiosk import expert
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
from sim.app.report_text import score_text
from sim.app.scenes.case import CaseScene, open_session
from sim.app.scenes.demo import plan_action_done, play_next
from sim.app.session import AUTOPLAY
from sim.engine.final import assess_procedure
from sim.render import canvas
from sim.render.canvas import Rect
from sim.render.text import wrap
from sim.scenario.load import LoadedCase
from sim.ui.inputs import Input, is_any_key

ATTRACT_SPEED = 3.0  # simulated seconds per real second while a step runs
MIN_CAPTION_S = 4.5  # every caption stays at least this long (real seconds) to be read
OUTRO_S = 7.0  # the expert's score is shown this long
SIDE_FRACTION = 0.3  # the side column's share of the width
BEST_ROWS = 3  # the board's top rows shown beside the demo (a reason to play)


class AttractScene(CaseScene):
    """The expert demo of playlist case ``index`` (never recorded)."""

    def __init__(self, app, index: int) -> None:
        self.pcase = app.playlist.cases[index]
        self.index = index
        case = LoadedCase(self.pcase.scenario_path, self.pcase.scenario, [])
        super().__init__(app, open_session(app, case, None, AUTOPLAY), panel=False)
        steps = [s.action for s in self.pcase.steps]
        self.driver = PlanDriver(self.proc, steps, self, hold_runs_clock=True)
        self.demo_speed = ATTRACT_SPEED
        self.caption = self.pcase.label
        self.caption_t = 0.0
        self.outro_t: float | None = None
        self.best = app.store.leaderboard(None, board=app.board, limit=BEST_ROWS)

    # ------------------------------------------------------------------ layout
    def resize(self, size) -> None:
        self.layout(size, int(size[0] * SIDE_FRACTION))

    # ------------------------------------------------------------------ driver host
    def action_started(self, action) -> None:
        """Unused: captions are set as each step starts (:meth:`_next`)."""

    def action_done(self, kind: str) -> None:
        plan_action_done(self.session, None, kind)

    def refused(self, message: str) -> None:
        self.session.say(message)

    def ended(self, finished: bool) -> None:
        self.finish()

    # ------------------------------------------------------------------ playing
    def _next(self) -> None:
        d = self.driver
        a = play_next(d, self.session, None)
        if a is not None:
            self.caption = caption(a, self.app.lang)
        if d.done:
            self.finish()
        else:
            self.caption = self.pcase.caption_for(d.i) or self.caption
        self.caption_t = 0.0

    def finish(self) -> None:
        """The plan is over: finish the case and show the expert's score for a while."""
        self.session.stop_injection()
        if not self.proc.finished:
            self.proc.apply(Finish())
        score = assess_procedure(self.proc).score
        expert.note(self.pcase, score)  # the board's expert row
        self.caption = t(self.app.lang, "expert_result", score=score_text(score))
        self.caption_t = 0.0
        self.outro_t = OUTRO_S
        self.driver.done = True

    def update(self, dt: float) -> None:
        self.caption_t += dt
        if self.outro_t is not None:
            self.outro_t -= dt
            if self.outro_t <= 0:
                self.app.attract_done(self.index)
            return
        d = self.driver
        if d.i < 0 or (d.ready and self.caption_t >= MIN_CAPTION_S):
            self._next()
            if d.done:
                return
        self.session.run(self.session.clock.paced(dt, self.demo_speed), d.step)
        if d.ready and not self.proc.finished:
            self.session.run(1)  # the step is over; blood keeps flowing while visitors read

    def handle(self, inp: Input) -> None:
        if is_any_key(inp):
            self.app.start_game(self.index)

    def ui_event(self, event) -> None:
        """No widgets here."""

    # ------------------------------------------------------------------ drawing
    def draw(self, surface) -> None:
        self.view.draw_image(surface, mode="fluoro", teaching=True)
        self._draw_flags(surface)
        self._draw_caption(surface)
        self._draw_side(surface)

    def _draw_flags(self, surface) -> None:
        px, lang = self.app.px, self.app.lang
        n = len(self.app.playlist.cases)
        label = t(lang, "expert_demo", i=self.index + 1, n=n)
        panel(surface, Rect(0, 0, self.view.rect.width, px(58)), alpha=150)
        text(surface, label, px(26), (px(20), px(12)), DIM, True)
        if self.proc.status().in_reflux:
            text(
                surface,
                t(lang, "reflux"),
                px(44),
                (self.view.rect.right - px(20), px(6)),
                RED,
                True,
                "topright",
            )

    def _draw_caption(self, surface) -> None:
        px, vw = self.app.px, self.view.rect.width
        size = q(px(40))
        lines = wrap(self.caption, size, vw - px(80), True)[:3]
        h = len(lines) * int(size * 1.2) + px(36)
        band = Rect(0, self.view.rect.bottom - h - px(30), vw, h)
        panel(surface, band, alpha=200)
        surface.fill(GOLD, Rect(0, band.top, px(10), band.height))
        y = band.top + px(18)
        for line in lines:
            text(surface, line, size, (vw // 2, y), WHITE, True, "midtop")
            y += int(size * 1.2)

    def _draw_side(self, surface) -> None:
        px, lang = self.app.px, self.app.lang
        w, h = self.app.size
        side = Rect(self.view.rect.right, 0, self.side_w, h)
        surface.fill(PANEL, side)
        inner = side.inflate(-px(48), 0)

        def para(s: str, size: int, y: int, color=WHITE, bold=False) -> int:
            rect = Rect(inner.left, y, inner.width, 0)
            return paragraph(surface, s, size, rect, color, bold, center=True, max_lines=3)

        logo = fit_size("SIPHON", px(84), inner.width, True)
        y = text(surface, "SIPHON", logo, (side.centerx, px(30)), GOLD, True, "midtop").bottom
        y = para(t(lang, "tagline"), px(24), y + px(4), DIM) + px(24)
        canvas.line(surface, DIM, (inner.left, y), (inner.right, y), max(1, px(2)))
        y = para(self.pcase.label, px(36), y + px(24), WHITE, True) + px(6)
        minutes = self.app.playlist.time_limit_s(self.pcase, self.app.minutes) / 60
        y = para(t(lang, "try_it", m=f"{minutes:g}"), px(28), y, DIM) + px(28)
        if self.best:
            y = para(t(lang, "best_scores"), px(26), y, GOLD, True) + px(4)
            for rank, e in enumerate(self.best, start=1):
                row = f"{rank}. {e.trainee or '???'}   {score_text(e.score)}"
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
