"""Who acts in a session that nobody steers: a plan (demo, attract loop) or a record (playback).

A driver's :meth:`step` is one fixed step of :meth:`ProcedureSession.run
<sim.app.session.ProcedureSession.run>`: it advances the running action (actions that take time
play out through :meth:`Procedure.stepwise <sim.engine.procedure.Procedure.stepwise>`), starts
the next one when due, or lets the clock run. What the scene shows meanwhile (captions, the
panel, notices, the ending) it learns through its :class:`DriverHost` methods. Headless.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from sim.actions import Finish, SelectAgent
from sim.engine.navigation import NavigationError
from sim.engine.procedure import DT, Procedure


class DriverHost(Protocol):
    """What a driver tells the scene playing it."""

    def action_started(self, action) -> None:
        """``action`` begins (a caption)."""

    def action_done(self, kind: str) -> None:
        """The running action of ``kind`` has played out."""

    def refused(self, message: str) -> None:
        """The engine refused an action."""

    def ended(self, finished: bool) -> None:
        """No action left: ``finished`` when the last was ``Finish`` (else the record stops)."""


def advance(action: Iterator[None]) -> str | None | bool:
    """One step of a running action: True while it runs, False when it has ended, or the
    engine's refusal as text."""
    try:
        next(action)
        return True
    except StopIteration:
        return False
    except NavigationError as exc:
        return str(exc)


class PlanDriver:
    """Play ``actions`` one after another, holding the picture briefly after each.

    The clock runs only inside actions (so the case ends exactly where ``run`` ends it) unless
    ``hold_runs_clock`` (the attract loop lets the blood flow while visitors read).
    """

    HOLD_S = {"navigate": 1.0, "select_agent": 0.5}  # pause after these actions; others 0.3 s

    def __init__(
        self, proc: Procedure, actions: list, host: DriverHost, hold_runs_clock: bool = False
    ) -> None:
        self.proc = proc
        self.actions = actions
        self.host = host
        self.hold_runs_clock = hold_runs_clock
        self.i = -1
        self.kind: str | None = None
        self.action: Iterator[None] | None = None
        self.remaining = 0.0
        self.done = False

    @property
    def ready(self) -> bool:
        """The last action and its hold are over: the next may start."""
        return self.action is None and self.remaining <= 0

    def pick(self):
        """The next action (None past the end); ``done`` when there is none or it is Finish."""
        self.i += 1
        if self.i >= len(self.actions):
            self.done = True
            return None
        a = self.actions[self.i]
        self.kind = a.kind
        self.done = isinstance(a, Finish)
        return a

    def begin(self, action) -> None:
        """Start ``action`` step by step, with its hold after it."""
        self.action = self.proc.stepwise(action)
        self.remaining = self.HOLD_S.get(action.kind, 0.3)

    def step(self) -> bool:
        """One step of the running action, else of the hold; False when both are over."""
        if self.action is not None:
            state = advance(self.action)
            if state is not True:
                if state:
                    self.host.refused(state)
                self.action = None
                self.host.action_done(self.kind)
            return True
        if self.remaining <= 0:
            return False
        if self.hold_runs_clock:
            self.proc.step()
        self.remaining -= DT
        return True


class RecordDriver:
    """Apply recorded ``(tick, action)`` pairs when the free-running clock reaches each tick,
    exactly as :func:`sim.records.replay.replay` does; the record ends at ``last_tick``."""

    def __init__(
        self, proc: Procedure, timed: list[tuple[int, object]], last_tick: int, host: DriverHost
    ) -> None:
        self.proc = proc
        self.timed = timed
        self.last_tick = last_tick
        self.host = host
        self.j = 0
        self.action: Iterator[None] | None = None
        self.done = False

    def _advance(self) -> bool:
        """One step of the running recorded action; False when it has ended."""
        state = advance(self.action)
        if state is True:
            return True
        if state:  # a record that does not match this engine
            self.host.refused(f"recorded action refused: {state}")
        self.action = None
        return False

    def _apply_due(self) -> bool:
        """Start the actions due by now; True when one of them took this step."""
        p = self.proc
        while self.j < len(self.timed) and self.timed[self.j][0] <= p.tick and not self.done:
            _, action = self.timed[self.j]
            self.j += 1
            self.host.action_started(action)
            if isinstance(action, Finish):
                self.done = True
                self.host.ended(True)  # renders the angiograms, applies Finish
                return True
            self.action = p.stepwise(action)
            if self._advance():
                return True
            if isinstance(action, SelectAgent):
                self.host.action_done(action.kind)
        return False

    def step(self) -> bool:
        """One step: the running action, the actions due, or the clock; False at the end."""
        if self.action is not None and self._advance():
            return True
        if self._apply_due() or self.done:
            return not self.done
        if self.j >= len(self.timed) and (self.proc.finished or self.proc.tick >= self.last_tick):
            self.done = True
            self.host.ended(False)
            return False
        self.proc.step()
        return True
