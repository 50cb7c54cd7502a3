"""What happened when: the procedure's actions and the engine's events on one clock.

The engine's events (:mod:`sim.engine.events`) already say where the catheter went, each
contrast run, reflux, stasis, non-target deposits and the finish. What the trainee *did* with
the agent — prepared it, injected it, started and stopped a hand injection, waited — lives in
the action log (``Procedure.log``: ``(tick, action)``). The timeline merges the two,
ordered by time (actions first when both fall on the same tick), with one line of text each.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.action_text import DONE, describe
from sim.engine.procedure import DT
from sim.outcome.result import Outcome

# Events worth a colour in the report (the trainee should have noticed them).
WARNING_KINDS = frozenset(
    {"reflux", "near_stasis", "stasis", "non_target", "lung_dose_over_limit", "wedge"}
)


@dataclass(frozen=True)
class Row:
    """One line of the timeline."""

    t: float
    kind: str
    text: str

    @property
    def label(self) -> str:
        """The kind as a reader says it (``non_target`` → ``non-target``)."""
        return self.kind.replace("non_target", "non-target").replace("_", " ")

    @property
    def warning(self) -> bool:
        """Whether it is something the trainee should have reacted to."""
        return self.kind in WARNING_KINDS


def clock(t: float) -> str:
    """``m:ss`` of simulated seconds."""
    s = max(0, int(round(t)))
    return f"{s // 60}:{s % 60:02d}"


ROW_KIND = {"select_agent": "agent", "inject": "inject", "set_injection": "inject", "wait": "wait"}


def timeline(proc, outcome: Outcome) -> list[Row]:
    """The merged timeline of ``proc`` (its action log) and ``outcome.events``.

    Parameters
    ----------
    proc : sim.engine.procedure.Procedure, optional
        Source of the action log; ``None`` gives the events alone. Of a staged case only the
        last visit's actions (its events are the outcome's); earlier visits have their section.
    outcome : Outcome
        :func:`sim.outcome.assess.assess` of the procedure.
    """
    keyed: list[tuple[float, int, int, Row]] = []
    start = getattr(proc, "visit_tick0", 0)  # a staged case: the last visit's own clock
    for i, (tick, action) in enumerate(getattr(proc, "log", []) or []):
        if action.kind in ROW_KIND and tick >= start:  # the other actions are also events
            row = Row((tick - start) * DT, ROW_KIND[action.kind], describe(action, DONE))
            keyed.append((row.t, 0, i, row))
    for i, e in enumerate(outcome.events):
        row = Row(float(e.t), str(e.kind), str(e.detail))
        keyed.append((row.t, 1, i, row))
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]
