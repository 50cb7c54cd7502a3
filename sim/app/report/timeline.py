"""What happened when: the procedure's actions and the engine's events on one clock.

The engine's events (:mod:`sim.engine.events`) already say where the catheter went, each
contrast run, reflux, stasis, non-target deposits and the finish. What the trainee *did* with
the agent — prepared it, injected it, started and stopped a hand injection, waited — lives in
the action log (``Procedure.log``: ``(tick, {kind: payload})``). The timeline merges the two,
ordered by time (actions first when both fall on the same tick), with one line of text each.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.agents import AGENTS
from sim.engine.procedure import DT
from sim.outcome.result import Outcome

# Events worth a colour in the report (the trainee should have noticed them).
WARNING_KINDS = frozenset(
    {"reflux", "near_stasis", "stasis", "non_target", "lung_dose_over_limit", "wedge"}
)
LOGGED_KINDS = ("select_agent", "inject", "set_injection", "wait")  # the rest are also events


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


def _agent_text(p: dict) -> str:
    a = p.get("agent", "")
    spec = AGENTS.get(a)
    text = f"{spec.name if spec else a} prepared"
    size = p.get("size_um")
    if size:
        text += f", {size[0]:g}–{size[1]:g} µm"
    if p.get("activity_gbq"):
        text += f", {p['activity_gbq']:g} GBq"
    if p.get("doxorubicin_mg_ml"):
        text += f", doxorubicin {p['doxorubicin_mg_ml']:g} mg/mL"
    return text


def _action_row(tick: int, action: dict) -> Row | None:
    kind, p = next(iter(action.items()))
    p = p or {}
    t = tick * DT
    if kind == "select_agent":
        return Row(t, "agent", _agent_text(p))
    if kind == "inject":
        return Row(t, "inject", f"injected {p['volume_ml']:g} mL at {p['rate_ml_min']:g} mL/min")
    if kind == "set_injection":
        rate = p.get("rate_ml_min", 0.0)
        text = f"hand injection started at {rate:g} mL/min" if rate > 0 else "injection stopped"
        return Row(t, "inject", text)
    if kind == "wait":
        return Row(t, "wait", f"waited {p['seconds']:g} s without injecting")
    return None


def timeline(proc, outcome: Outcome) -> list[Row]:
    """The merged timeline of ``proc`` (its action log) and ``outcome.events``.

    Parameters
    ----------
    proc : sim.engine.procedure.Procedure, optional
        Source of the action log; ``None`` gives the events alone.
    outcome : Outcome
        :func:`sim.outcome.assess.assess` of the procedure.
    """
    keyed: list[tuple[float, int, int, Row]] = []
    for i, (tick, action) in enumerate(getattr(proc, "log", []) or []):
        if not action or next(iter(action)) not in LOGGED_KINDS:
            continue
        row = _action_row(tick, action)
        if row is not None:
            keyed.append((row.t, 0, i, row))
    for i, e in enumerate(outcome.events):
        row = Row(float(e.t), str(e.kind), str(e.detail))
        keyed.append((row.t, 1, i, row))
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]
