"""A procedure in the window, without the window: the clock, the live record and the controls.

:class:`ProcedureSession` is what every case-playing scene (procedure, demo, playback, attract,
game) composes with a view and a control panel. It holds the :class:`~sim.engine.Procedure`,
turns real time into fixed physics steps (:class:`Clock`, one stepping loop in :meth:`run`),
keeps the live record in step, and offers the trainee's controls as methods (prepare an agent,
move the catheter, inject, contrast, finish). It imports no pygame, so it is testable headless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.actions import Finish, Navigate, NextVisit, SelectAgent, SetInjection, StartContrast
from sim.app.cine import Cine
from sim.app.prepare import (
    Setting,
    parse_target_gy,
    planned_activity,
    setting_value,
    window_settings,
)
from sim.engine.navigation import NavigationError
from sim.engine.procedure import DT, Procedure
from sim.engine.steering import (
    behind_tip,
    crumb_text,
    default_choice,
    down_step,
    up_choices,
    up_step,
)
from sim.engine.visits import has_next_visit
from sim.engine.y90_plan import DEVICES
from sim.outcome.result import Outcome
from sim.scenario.load import LoadedCase

MAX_STEPS_PER_FRAME = 12
SPEEDS = (1.0, 2.0, 4.0)
RATE_SPAN = (0.5, 10.0)  # mL/min, the rate slider
# A hand contrast push through the microcatheter (U): Poiseuille flow of contrast (~10 mPa·s)
# through 150 cm of a 0.53–0.69 mm lumen (reference §5, microcatheter inner lumen) at a
# ~900 psi rating gives ≈ 0.8–2.3 mL/s, so at most 2 mL/s; up to 10 mL a run.
CONTRAST_ML_SPAN = (1.0, 10.0)
CONTRAST_RATE_SPAN = (0.5, 2.0)  # mL/s
ROADMAP_OPACITY_STEPS = (0.25, 0.5, 0.75, 1.0)
MESSAGE_S = 4.0  # a notice stays this long (real seconds)


@dataclass(frozen=True)
class SessionSetup:
    """How a session opens and whether it is recorded.

    Attributes
    ----------
    record_mode : str or None
        The record's ``mode`` ("window", "kiosk"); None: not recorded (autoplay, playback).
    start_at : str or None
        Where the catheter waits when the case opens (None: the aorta, where ``run`` starts).
    prepare_first_agent : bool
        The case's first agent is ready in the panel.
    """

    record_mode: str | None = "window"
    start_at: str | None = "CHA"
    prepare_first_agent: bool = True


LIVE = SessionSetup()
AUTOPLAY = SessionSetup(record_mode=None, start_at=None, prepare_first_agent=False)


class Clock:
    """Real seconds to fixed physics steps of :data:`DT`.

    A live case accumulates real time × the time scale and runs at most
    :data:`MAX_STEPS_PER_FRAME` steps a frame (``slow`` says it could not keep up); an autoplay
    runs a whole number of steps a frame, at least one, so its picture always moves.
    """

    def __init__(self) -> None:
        self.acc = 0.0
        self.slow = False

    def live(self, dt: float, speed: float) -> int:
        """Steps due after ``dt`` real seconds at ``speed`` (capped; the rest is dropped)."""
        self.acc += min(dt, 0.25) * speed
        n = 0
        while self.acc >= DT and n < MAX_STEPS_PER_FRAME:
            self.acc -= DT
            n += 1
        return n

    def settle(self) -> None:
        """After the steps of a live frame: flag and drop a backlog the machine cannot run."""
        self.slow = self.acc >= DT
        if self.slow:
            self.acc = DT

    @staticmethod
    def paced(dt: float, speed: float) -> int:
        """Steps of an autoplay frame: ``speed`` simulated seconds per real second."""
        return max(1, round(min(dt, 0.25) * speed / DT))


class ProcedureSession:
    """A case being played: procedure, clock, live record, injection and notices.

    Parameters
    ----------
    case : LoadedCase
    seed : int, optional
    setup : SessionSetup
    store : RecordStore, optional
        Where the live record goes (None: not recorded).
    trainee : str
    proc : Procedure, optional
        The case already built (the picker builds it on a worker thread, with progress);
        fresh from ``Procedure(case.scenario, seed)``, nothing applied yet.
    """

    def __init__(
        self,
        case: LoadedCase,
        seed: int | None = None,
        setup: SessionSetup = LIVE,
        store=None,
        trainee: str = "",
        proc: Procedure | None = None,
    ) -> None:
        self.case = case
        self.setup = setup
        self.proc = Procedure(case.scenario, seed) if proc is None else proc
        self.record_problem: str | None = None
        self.record = self._begin_record(store, trainee)
        self.clock = Clock()
        self.speed_i = 0
        self.paused = False
        self.injecting = False
        self.rate_ml_min = 2.0
        self.contrast_ml = 3.0
        self.contrast_ml_s = 1.0
        self.roadmap_opacity = 0.75
        self.cine: Cine | None = None  # the last run's loop, while it is open
        self.message = ""
        self.message_t = 0.0
        self.turn_offset = 0  # Left/Right away from Up's default branch at the tip's fork
        self._turn_tip = -1
        self._vial_for_tip = False  # the Y-90 vial was drawn up for the tip, not by the trainee
        self.target_gy: float | None = None  # a target dose typed into the calculator, Gy
        self._open_visit()

    @property
    def agent_ids(self) -> list[str]:
        """The agents on the shelf (of the current visit, in a staged case)."""
        return [o.agent for o in self.proc.scenario.agents_available]

    def _open_visit(self) -> None:
        """The visit's shelf in the panel, its first agent ready and the catheter waiting, as
        the setup says (at the case's start and at each next visit)."""
        opts = self.proc.scenario.agents_available
        if self.setup.prepare_first_agent:
            first = opts[0]
            self.select(first.agent, (first.sizes_um or [None])[0])
        if self.setup.start_at:
            self.proc.apply(Navigate(target=self.setup.start_at))
            self._follow_tip()

    def has_next_visit(self) -> bool:
        """Whether Finish ends only this visit of a staged case (:mod:`sim.engine.visits`)."""
        return not self.proc.finished and has_next_visit(self.proc)

    def next_visit(self) -> None:
        """End this visit and begin the next (the record keeps both, in one action log)."""
        self.stop_injection()
        self.cine = None
        self.proc.apply(NextVisit())
        self._vial_for_tip = False
        self._open_visit()
        self.keep_record("sync")

    # ------------------------------------------------------------------ record
    def _begin_record(self, store, trainee: str):
        """Start the live record (None when not recorded or the store is unavailable)."""
        if store is None or self.setup.record_mode is None:
            return None
        try:
            return store.begin(
                trainee=trainee,
                scenario_path=self.case.path,
                seed=self.proc.seed,
                mode=self.setup.record_mode,
            )
        except Exception as exc:  # never lose the session over the records
            self.record_problem = f"this case is not being saved: {exc}"
            return None

    def keep_record(self, how: str, outcome: Outcome | None = None) -> None:
        """Sync, finish or abandon the live record; a failing disk is reported, not raised."""
        if self.record is None:
            return
        try:
            if how == "sync":
                self.record.sync(self.proc)
            elif how == "finish":
                self.record.finish(self.proc, outcome.to_dict())
                self.record = None
            else:
                self.record.abandon(self.proc)
                self.record = None
        except Exception as exc:
            self.say(f"Could not save the record: {exc}")
            self.record = None

    def abandon(self) -> None:
        """Leave unfinished: the record is kept as abandoned (replayable to where it stopped)."""
        self.stop_injection()
        self.keep_record("abandon")

    # ------------------------------------------------------------------ controls
    def say(self, text: str) -> None:
        """A notice for the trainee (shown for :data:`MESSAGE_S`)."""
        self.message, self.message_t = text, MESSAGE_S

    def select(self, agent: str, size, **settings) -> None:
        """Prepare ``agent`` (the window's defaults for settings not given)."""
        self.stop_injection()
        if self.proc.finished:  # the case's time limit ended it
            return
        window_settings(agent, settings)
        self._vial_for_tip = agent in DEVICES and not settings.get("activity_gbq")
        if planned := planned_activity(self.proc, agent, settings, self.target_gy):
            settings["activity_gbq"] = planned
        self.proc.apply(SelectAgent(agent=agent, size_um=size, **settings))

    def _follow_tip(self) -> None:
        """An untouched Y-90 vial the window drew up follows the tip: drawn up again for the
        plan where the tip now is (an activity the trainee chose stays)."""
        ag = self.proc.agent
        if (
            not self._vial_for_tip
            or ag.agent not in DEVICES
            or ag.activity_left_gbq < ag.activity_gbq
        ):
            return
        planned = planned_activity(self.proc, ag.agent, {}, self.target_gy)
        if planned and planned != ag.activity_gbq:
            self.select(ag.agent, ag.size_um)

    def set_target_gy(self, text: str) -> None:
        """Plan Y-90 for the dose typed into the calculator (``text``, Gy; empty: the case's).

        An untouched vial the window drew up is drawn up again for the new plan; a number out
        of :data:`~sim.app.prepare.TARGET_GY_SPAN` is refused with a message and changes nothing.
        """
        try:
            self.target_gy = parse_target_gy(text)
        except ValueError as exc:
            self.say(str(exc))
            return
        self._follow_tip()  # an untouched vial is drawn up again for the new plan

    def setting_value(self, st: Setting) -> float:
        """The prepared agent's value of setting ``st`` (its window default when unset)."""
        return setting_value(self.proc.agent, st)

    def navigate(self, target: str) -> None:
        """Move the catheter; a wedge or a refused move is said."""
        if self.injecting:
            self.stop_injection()
        try:
            self.proc.apply(Navigate(target=target))
            last = self.proc.events[-1]
            if last.kind == "wedge":
                self.say(last.detail)
            self._follow_tip()
        except NavigationError as exc:
            self.say(str(exc))

    # ------------------------------------------------------------------ arrow keys
    def next_branch(self) -> int | None:
        """The vessel edge Up will take from the tip (None at a dead end or once finished)."""
        proc = self.proc
        if proc.finished:
            return None
        tip = proc.flow.tip
        if tip != self._turn_tip:  # a new position: back to the artery's own continuation
            self._turn_tip, self.turn_offset = tip, 0
        choices = up_choices(proc.c, tip)
        if not choices:
            return None
        i = default_choice(proc.c, tip, choices, proc.flow.baseline_flow) + self.turn_offset
        return choices[min(max(i, 0), len(choices) - 1)]

    def turn(self, direction: int) -> None:
        """Left (−1) / Right (+1): choose the next branch to the left or right of the current
        choice; at the last one, say so."""
        before = self.next_branch()
        if before is None:
            self.say(up_step(self.proc.c, self.proc.flow.tip, None).why)
            return
        self.turn_offset += direction
        after = self.next_branch()
        if after == before:
            self.turn_offset -= direction
            side = "left" if direction < 0 else "right"
            self.say(f"no branch further {side}: Up takes {self.proc.c.names[after]}")

    def advance(self, direction: int) -> None:
        """Up (+1): distally into the chosen branch; Down (−1): back one segment. A move that
        cannot be made is said, with why."""
        c, tip = self.proc.c, self.proc.flow.tip
        step = up_step(c, tip, self.next_branch()) if direction > 0 else down_step(c, tip)
        if step.target is None:
            self.say(step.why)
        else:
            self.navigate(step.target)

    def breadcrumb_text(self) -> str:
        """Vessels along the catheter with the side branches behind the tip."""
        return crumb_text(behind_tip(self.proc.c, self.proc.flow.catheter_edges.tolist()))

    def set_rate(self, rate: float) -> None:
        """The injection rate, snapped to 0.5 mL/min within :data:`RATE_SPAN`."""
        self.rate_ml_min = min(max(round(rate * 2) / 2, RATE_SPAN[0]), RATE_SPAN[1])
        if self.injecting and not self.proc.finished:
            self.proc.apply(SetInjection(rate_ml_min=self.rate_ml_min))

    def start_injection(self) -> None:
        if not self.injecting and not self.proc.finished:
            self.injecting = True
            self.proc.apply(SetInjection(rate_ml_min=self.rate_ml_min))

    def stop_injection(self) -> None:
        if self.injecting:
            self.injecting = False
            if not self.proc.finished:  # a case ended by its time limit injects no more
                self.proc.apply(SetInjection(rate_ml_min=0.0))

    def contrast(self) -> None:
        """A contrast run of the panel's volume and rate (one at a time)."""
        if self.proc.contrast_m3_s == 0 and not self.proc.finished:
            self.proc.apply(StartContrast(volume_ml=self.contrast_ml, rate_ml_s=self.contrast_ml_s))

    def set_contrast(self, volume_ml: float | None = None, rate_ml_s: float | None = None) -> None:
        """The next run's volume (0.5 mL steps) and rate (0.1 mL/s), within the microcatheter's
        limits (:data:`CONTRAST_ML_SPAN`, :data:`CONTRAST_RATE_SPAN`)."""
        if volume_ml is not None:
            v = round(volume_ml * 2) / 2
            self.contrast_ml = min(max(v, CONTRAST_ML_SPAN[0]), CONTRAST_ML_SPAN[1])
        if rate_ml_s is not None:
            r = round(rate_ml_s, 1)
            self.contrast_ml_s = min(max(r, CONTRAST_RATE_SPAN[0]), CONTRAST_RATE_SPAN[1])

    def set_roadmap_opacity(self, value: float) -> None:
        """How strongly the roadmap shows (0.1…1)."""
        self.roadmap_opacity = min(max(float(value), 0.1), 1.0)

    def next_roadmap_opacity(self) -> None:
        """The next of :data:`ROADMAP_OPACITY_STEPS` (the O key)."""
        up = [v for v in ROADMAP_OPACITY_STEPS if v > self.roadmap_opacity + 1e-6]
        self.roadmap_opacity = up[0] if up else ROADMAP_OPACITY_STEPS[0]

    def toggle_cine(self, fps: float) -> bool:
        """Open the loop of the last contrast run (False: no run yet), or close it."""
        if self.cine is not None:
            self.cine = None
            return True
        runs = self.proc.contrast_runs
        if not runs:
            self.say("No contrast run to replay yet (C)")
            return False
        self.cine = Cine(runs[-1].t0, runs[-1].duration, fps)
        return True

    def finish(self) -> tuple[Outcome, int | None]:
        """Stop injecting, finish the case, assess it and close its record.

        Returns the outcome and the record id (None when not recorded).
        """
        from sim.engine.final import assess_procedure

        self.stop_injection()
        if not self.proc.finished:  # (the case's time limit may have finished it already)
            self.proc.apply(Finish())
        outcome = assess_procedure(self.proc)
        record_id = self.record.id if self.record is not None else None
        self.keep_record("finish", outcome)
        return outcome, record_id

    # ------------------------------------------------------------------ time
    def run(self, n: int, step: Callable[[], bool] | None = None) -> None:
        """The stepping loop: ``n`` fixed steps, each one physics step or ``step()`` (a plan or
        record driver), which returns False to end the frame early."""
        for _ in range(n):
            if step is None:
                self.proc.step()
            elif not step():
                return

    def update(self, dt: float) -> None:
        """A live frame: the steps due by real time, the syringe check and the record sync."""
        self.message_t = max(0.0, self.message_t - dt)
        if self.cine is not None:
            self.cine.update(dt, self.proc.t)
        if self.paused or self.proc.finished:
            return
        self.run(self.clock.live(dt, SPEEDS[self.speed_i]))
        self.check_prepared()
        self.keep_record("sync")
        self.clock.settle()

    def check_prepared(self) -> None:
        """Stop the injection when what was drawn up is used up, and say so."""
        if self.injecting and self.proc.status().drawn_up_empty:
            self.stop_injection()
            self.say("All that was drawn up has been given: prepare more (agent panel) or finish")
