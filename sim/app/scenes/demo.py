"""Autoplay: a plan played in the real window with captions (demos, workshop attract loop,
figures for talks, and the window tests)."""

from __future__ import annotations

from pathlib import Path

import pygame

from sim.action_text import CAPTION, describe
from sim.actions import Finish, Inject
from sim.app.scenes.procedure import ProcedureScene
from sim.engine.navigation import NavigationError
from sim.engine.procedure import DT
from sim.render.fonts import font
from sim.scenario.load import LoadedCase
from sim.scenario.plan import PlanStep


def caption(action, proc=None) -> str:
    """What an expert would say while doing ``action`` (``""`` for the window's own actions)."""
    return describe(action, CAPTION)


class DemoScene(ProcedureScene):
    """Play ``steps`` at ``speed`` × real time, writing a screenshot at each step if asked.

    Each action runs through :meth:`Procedure.stepwise`, a few steps per frame, so the picture
    moves while the case ends exactly where ``python main.py run`` ends it (same plan, same
    seed). Between actions the picture holds briefly; the clock does not run meanwhile unless
    ``HOLD_RUNS_CLOCK`` (the attract loop lets the blood flow while visitors read).
    """

    RECORD_MODE = None  # an autoplay is not a trainee's case
    START_AT = None  # a plan starts where `run` starts it, so the demo ends as `run` does
    PREPARE_FIRST_AGENT = False
    HOLD_RUNS_CLOCK = False
    HOLD_S = {"navigate": 1.0, "select_agent": 0.5}  # pause after these actions; others 0.3 s

    def __init__(
        self,
        app,
        case: LoadedCase,
        steps: list[PlanStep],
        speed: float = 4.0,
        screenshot_dir: Path | None = None,
        exit_at_end: bool = False,
        seed: int | None = None,
    ) -> None:
        super().__init__(app, case, seed)
        self.steps = [s.action for s in steps]
        self.demo_speed = speed
        self.shots = screenshot_dir
        self.exit_at_end = exit_at_end
        self.i = -1
        self.caption = "Ready"
        self.remaining = 0.0
        self.kind = None
        self.done = False
        self.shot_n = 0
        self.action = None  # the running action's steps (Procedure.stepwise)

    def _shot(self, tag: str) -> None:
        if self.shots is not None:
            self.shot_n += 1
            self.app.screenshot(self.shots / f"{self.shot_n:02d}_{tag}.png")

    def _next(self) -> None:
        """Start the next action of the plan (or finish when there is none)."""
        self.i += 1
        if self.i >= len(self.steps):
            self.done = True
            self._finish()
            return
        a = self.steps[self.i]
        self.caption = caption(a, self.proc)
        self.kind = a.kind
        if isinstance(a, Finish):
            self.done = True
            self._finish()
            return
        if isinstance(a, Inject):
            self.rate_ml_min = a.rate_ml_min
            self.rate_label.set_text(self._rate_text())
            self.rate_slider.set_current_value(min(max(a.rate_ml_min, 0.5), 10.0))
            self.injecting = True  # shown while the engine injects
        self.action = self.proc.stepwise(a)
        self.remaining = self.HOLD_S.get(a.kind, 0.3)

    def _play(self, n: int) -> None:
        """``n`` steps of the running action, then of the hold after it."""
        for _ in range(n):
            if self.action is not None:
                try:
                    next(self.action)
                except StopIteration:
                    self._action_done()
                except NavigationError as exc:
                    self._say(str(exc))
                    self._action_done()
                continue
            if self.remaining <= 0:
                return
            if self.HOLD_RUNS_CLOCK:
                self.proc.step()
            self.remaining -= DT

    def _action_done(self) -> None:
        self.action = None
        self.injecting = False
        if self.kind == "select_agent":
            self._build_panel()
        elif self.kind == "navigate" and self.proc.events and self.proc.events[-1].kind == "wedge":
            self._say(self.proc.events[-1].detail)

    def update(self, dt: float) -> None:
        if self.done:
            return
        if self.i < 0 or (self.action is None and self.remaining <= 0):
            if self.i >= 0:
                self._shot(f"{self.kind}")
            self._next()
            if self.done:
                return
        self._play(max(1, round(min(dt, 0.25) * self.demo_speed / DT)))

    def _finish(self) -> None:
        from sim.app.scenes.debrief import DebriefScene

        super()._finish()
        if isinstance(self.app.scene, DebriefScene):
            self.app.scene.exit_after = 2 if self.exit_at_end else None
            self.app.scene.shot_dir = self.shots

    def draw(self, surface) -> None:
        super().draw(surface)
        px = self.app.px
        f = font(px(24), True)
        img = f.render(self.caption, True, (255, 255, 255))
        bar = pygame.Surface((self.view_rect.width, img.get_height() + px(20)), pygame.SRCALPHA)
        bar.fill((0, 0, 0, 170))
        y = self.view_rect.bottom - bar.get_height() - px(40)
        surface.blit(bar, (0, y))
        surface.blit(img, ((self.view_rect.width - img.get_width()) // 2, y + px(10)))
