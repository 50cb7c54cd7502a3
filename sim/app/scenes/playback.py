"""Playback: a record replayed in the real window, each action at its recorded tick, captioned.

The clock runs freely (``Procedure.step()``) at ``speed`` × real time and every recorded action
is applied when the clock reaches its tick, exactly as :func:`sim.records.replay.replay` does
(:class:`~sim.app.drivers.RecordDriver`), so the window ends in the recorded final state (the
``replay --window`` command checks the digest afterwards). Actions that took time when recorded
(a plan's ``inject``, ``navigate``, ``contrast``) play out step by step, as they happened.
The viewer can change the view (D, R, T, H) and pause (P), not the procedure.
"""

from __future__ import annotations

from pathlib import Path

from sim.actions import SetInjection, StartContrast
from sim.app.drivers import RecordDriver
from sim.app.scenes.case import CaseScene, open_session
from sim.app.scenes.demo import caption
from sim.app.scenes.procedure import TraineeControls
from sim.app.session import AUTOPLAY
from sim.records.store import Record
from sim.scenario.load import LoadedCase
from sim.ui.inputs import Input, Key, WidgetEvent

VIEW_KEYS = ("d", "r", "t", "h", "p", "escape")
VIEW_COMMANDS = ("dsa", "roadmap", "teaching", "pause")  # the buttons a viewer may press


def playback_caption(action, proc) -> str:
    """What the trainee did, in words (the demo's captions plus the window's own actions)."""
    if isinstance(action, SetInjection):
        if action.rate_ml_min > 0:
            return f"Inject at {action.rate_ml_min:g} mL/min — watch the flow"
        return "Stop injecting"
    if isinstance(action, StartContrast):
        return f"Contrast run: {action.volume_ml:g} mL — look for the tumour blush and any reflux"
    return caption(action, proc)


class PlaybackScene(CaseScene):
    """Play ``actions`` (``(tick, action)`` of ``record``) at ``speed`` × real time.

    Parameters
    ----------
    app : App
    case : LoadedCase
        The record's scenario (from :func:`sim.records.replay.record_scenario`).
    record : Record
    actions : list of (int, action)
        From :func:`sim.records.replay.parse_actions`.
    speed : float
        Simulated seconds per real second.
    exit_at_end : bool
        Close the window a moment after the debrief opens (tests, demos).
    """

    def __init__(
        self,
        app,
        case: LoadedCase,
        record: Record,
        actions: list[tuple[int, object]],
        speed: float = 4.0,
        exit_at_end: bool = False,
        screenshot_dir: Path | None = None,
    ) -> None:
        # a fresh procedure: the record holds the session's own opening moves
        super().__init__(app, open_session(app, case, record.seed, AUTOPLAY))
        self.driver = RecordDriver(self.proc, actions, record.last_tick, self)
        self.controls = TraineeControls(self, lambda: None)  # the record says when it ends
        self.demo_speed = speed
        self.shots = screenshot_dir
        self.exit_at_end = exit_at_end
        who = record.trainee or "anonymous"
        self.caption = f"Replay of record {record.id or ''}: {who}, {record.scenario_id}"

    @property
    def done(self) -> bool:
        """The record has played to its end (its Finish, or its last heartbeat)."""
        return self.driver.done

    # ------------------------------------------------------------------ driver host
    def action_started(self, action) -> None:
        self.caption = f"{self.proc.t:4.0f} s   {playback_caption(action, self.proc)}"

    def action_done(self, kind: str) -> None:
        if kind == "select_agent":
            self.panel.build()

    def refused(self, message: str) -> None:
        self.session.say(message)

    def ended(self, finished: bool) -> None:
        """The recorded Finish: the debrief with the angiograms; an abandoned record ends
        where its last heartbeat was: the debrief of the state then."""
        extra = {"exit_after": 2 if self.exit_at_end else None, "shot_dir": self.shots}
        if finished:
            self.open_debrief(**extra)
            return
        self.go("debrief", case=self.case, proc=self.proc, **extra)

    # ------------------------------------------------------------------ loop
    def update(self, dt: float) -> None:
        s = self.session
        s.message_t = max(0.0, s.message_t - dt)
        if self.driver.done or s.paused:
            return
        s.run(s.clock.paced(dt, self.demo_speed), self.driver.step)

    # ------------------------------------------------------------------ input
    def handle(self, inp: Input) -> None:
        """Only view keys (and leaving): the procedure is the record's, not the viewer's."""
        if self.leave_prompt(inp):
            return
        if isinstance(inp, Key) and inp.down and inp.name in VIEW_KEYS:
            self.controls.handle(inp)

    def ui_event(self, event: WidgetEvent) -> None:
        if event.kind == "pressed":
            name = self.panel.buttons.get(event.element)
            if name in VIEW_COMMANDS:
                self.controls.command(name)

    def draw(self, surface) -> None:
        super().draw(surface)
        self.view.draw_caption(surface, self.caption)
