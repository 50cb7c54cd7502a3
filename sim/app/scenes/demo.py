"""Autoplay: a plan played in the real window with captions (demos, workshop attract loop,
figures for talks, and the window tests)."""

from __future__ import annotations

from pathlib import Path

from sim.action_text import CAPTION, describe
from sim.actions import Inject
from sim.app.drivers import PlanDriver
from sim.app.scenes.case import CaseScene, open_session
from sim.app.scenes.panel import ControlPanel
from sim.app.scenes.procedure import TraineeControls
from sim.app.session import AUTOPLAY, ProcedureSession
from sim.scenario.load import LoadedCase
from sim.scenario.plan import PlanStep


def caption(action, proc=None) -> str:
    """What an expert would say while doing ``action`` (``""`` for the window's own actions)."""
    return describe(action, CAPTION)


def play_next(driver: PlanDriver, session: ProcedureSession, panel: ControlPanel | None):
    """Start the plan's next action and return it (None past the end); when ``driver.done``
    the plan is over and the caller ends the case. An injection shows its rate as injecting."""
    a = driver.pick()
    if a is None or driver.done:
        return a
    if isinstance(a, Inject):
        session.rate_ml_min = a.rate_ml_min
        if panel is not None:
            panel.show_rate(min(max(a.rate_ml_min, 0.5), 10.0))
        session.injecting = True  # shown while the engine injects
    driver.begin(a)
    return a


def plan_action_done(session: ProcedureSession, panel: ControlPanel | None, kind: str) -> None:
    """After a plan's action: not injecting; a new agent shows in the panel; a wedge is said."""
    session.injecting = False
    if kind in ("select_agent", "next_visit"):  # a next visit has its own shelf
        if panel is not None:
            panel.build()
    elif kind == "navigate" and session.proc.events and session.proc.events[-1].kind == "wedge":
        session.say(session.proc.events[-1].detail)


class DemoScene(CaseScene):
    """Play ``steps`` at ``speed`` × real time, writing a screenshot at each step if asked.

    Each action runs through :meth:`Procedure.stepwise`, a few steps per frame, so the picture
    moves while the case ends exactly where ``python main.py run`` ends it (same plan, same
    seed). Between actions the picture holds briefly and the clock does not run.
    """

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
        super().__init__(app, open_session(app, case, seed, AUTOPLAY))
        self.driver = PlanDriver(self.proc, [s.action for s in steps], self)
        self.controls = TraineeControls(self, self.finish)
        self.demo_speed = speed
        self.shots = screenshot_dir
        self.exit_at_end = exit_at_end
        self.caption = "Ready"
        self.shot_n = 0

    # ------------------------------------------------------------------ driver host
    def action_started(self, action) -> None:
        """Unused: a plan's captions are set as each action starts (:meth:`_next`)."""

    def action_done(self, kind: str) -> None:
        plan_action_done(self.session, self.panel, kind)

    def refused(self, message: str) -> None:
        self.session.say(message)

    def ended(self, finished: bool) -> None:
        self.finish()

    # ------------------------------------------------------------------ playing
    def finish(self) -> None:
        """The debrief (closing the window after two frames when asked)."""
        self.open_debrief(exit_after=2 if self.exit_at_end else None, shot_dir=self.shots)

    def _shot(self, tag: str) -> None:
        if self.shots is not None:
            self.shot_n += 1
            self.app.screenshot(self.shots / f"{self.shot_n:02d}_{tag}.png")

    def _next(self) -> None:
        """Start the next action of the plan (or finish when there is none)."""
        a = play_next(self.driver, self.session, self.panel)
        if a is not None:
            self.caption = caption(a, self.proc)
        if self.driver.done:
            self.finish()

    def update(self, dt: float) -> None:
        d = self.driver
        if d.done:
            return
        if d.i < 0 or d.ready:
            if d.i >= 0:
                self._shot(f"{d.kind}")
            self._next()
            if d.done:
                return
        self.session.run(self.session.clock.paced(dt, self.demo_speed), d.step)

    def handle(self, inp) -> None:
        if not self.leave_prompt(inp):
            self.controls.handle(inp)

    def ui_event(self, event) -> None:
        self.controls.ui_event(event)

    def draw(self, surface) -> None:
        super().draw(surface)
        self.view.draw_caption(surface, self.caption)
