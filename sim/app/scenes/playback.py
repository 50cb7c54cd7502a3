"""Playback: a record replayed in the real window, each action at its recorded tick, captioned.

The clock runs freely (``Procedure.step()``) at ``speed`` × real time and every recorded action
is applied when the clock reaches its tick, exactly as :func:`sim.records.replay.replay` does,
so the window ends in the recorded final state (the ``replay --window`` command checks the
digest afterwards). Actions that took time when recorded (a plan's ``inject``, ``navigate``,
``contrast``) play out step by step through :meth:`Procedure.stepwise`, as they happened.
The viewer can change the view (D, R, T, H) and pause (P), not the procedure.
"""

from __future__ import annotations

from pathlib import Path

import pygame

from sim.actions import Finish, SelectAgent, SetInjection, StartContrast
from sim.app.scenes.demo import DemoScene, caption
from sim.engine.navigation import NavigationError
from sim.engine.procedure import DT, Procedure
from sim.records.store import Record
from sim.scenario.load import LoadedCase

VIEW_KEYS = (pygame.K_d, pygame.K_r, pygame.K_t, pygame.K_h, pygame.K_p, pygame.K_ESCAPE)


def playback_caption(action, proc) -> str:
    """What the trainee did, in words (the demo's captions plus the window's own actions)."""
    if isinstance(action, SetInjection):
        if action.rate_ml_min > 0:
            return f"Inject at {action.rate_ml_min:g} mL/min — watch the flow"
        return "Stop injecting"
    if isinstance(action, StartContrast):
        return f"Contrast run: {action.volume_ml:g} mL — look for the tumour blush and any reflux"
    return caption(action, proc)


class PlaybackScene(DemoScene):
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
        super().__init__(app, case, [], speed, screenshot_dir, exit_at_end, record.seed)
        # a fresh procedure: the record holds the session's own opening moves
        self.proc = Procedure(case.scenario, record.seed)
        self.played = record  # (self.record is the live record of ProcedureScene)
        self.timed = actions
        self.j = 0
        who = record.trainee or "anonymous"
        self.caption = f"Replay of record {record.id or ''}: {who}, {record.scenario_id}"
        self.ended = False

    # ------------------------------------------------------------------ playing
    def _apply_due(self) -> bool:
        """Start the actions due by now; True when one of them took this step (a recorded
        inject, navigation or contrast run plays out step by step, as it was recorded)."""
        p = self.proc
        while self.j < len(self.timed) and self.timed[self.j][0] <= p.tick and not self.done:
            _, action = self.timed[self.j]
            self.j += 1
            self.caption = f"{p.t:4.0f} s   {playback_caption(action, p)}"
            if isinstance(action, Finish):
                self.done = True
                self._finish()  # renders the angiograms, applies Finish, opens the debrief
                return True
            self.action = p.stepwise(action)
            if self._advance_action():
                return True
            if isinstance(action, SelectAgent):
                self._build_panel()
        return False

    def _advance_action(self) -> bool:
        """One step of the running recorded action; False when it has ended."""
        try:
            next(self.action)
            return True
        except StopIteration:
            pass
        except NavigationError as exc:  # a record that does not match this engine
            self._say(f"recorded action refused: {exc}")
        self.action = None
        return False

    def _end_unfinished(self) -> None:
        """An abandoned record ends where its last heartbeat was: debrief of the state then."""
        from sim.app.scenes.debrief import DebriefScene

        self.done = True
        self.ended = True
        debrief = DebriefScene(self.app, self.case, self.proc)
        self.app.switch(debrief)
        debrief.exit_after = 2 if self.exit_at_end else None
        debrief.shot_dir = self.shots

    def update(self, dt: float) -> None:
        self.message_t = max(0.0, self.message_t - dt)
        if self.done or self.paused:
            return
        n = max(1, round(min(dt, 0.25) * self.demo_speed / DT))
        for _ in range(n):
            if self.action is not None and self._advance_action():
                continue
            if self._apply_due() or self.done:
                if self.done:
                    return
                continue
            if self.j >= len(self.timed) and (
                self.proc.finished or self.proc.tick >= self.played.last_tick
            ):
                self._end_unfinished()
                return
            self.proc.step()

    # ------------------------------------------------------------------ input
    def handle(self, event) -> None:
        """Only view keys (and leaving): the procedure is the record's, not the viewer's."""
        if self.confirm_leave or (event.type == pygame.KEYDOWN and event.key in VIEW_KEYS):
            super().handle(event)

    def ui_event(self, event) -> None:
        view_buttons = [
            getattr(self, n, None) for n in ("dsa_btn", "road_btn", "teach_btn", "pause_btn")
        ]
        if getattr(event, "ui_element", None) in [b for b in view_buttons if b is not None]:
            super().ui_event(event)
