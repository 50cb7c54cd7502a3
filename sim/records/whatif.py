"""What-if: run a case again up to a chosen action, change that one action, and run on.

The debrief's "replay from here with…" — a fellow asks what would have happened with the
catheter one segment further, smaller particles, another agent or a slower rate. The case is
re-run from its scenario and seed with the recorded timed actions; the chosen action is
replaced; the actions after it follow at their recorded ticks where the clock has not passed
them yet (a longer navigation pushes them later), and the case is finished and assessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.action_text import MENU, describe
from sim.actions import Action, Finish, Inject, Navigate, SelectAgent, SetInjection
from sim.agents import AGENTS
from sim.engine.final import assess_procedure
from sim.engine.navigation import NavigationError
from sim.engine.procedure import Procedure
from sim.outcome.result import Outcome
from sim.scenario.models import Scenario

RATES_ML_MIN = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 10.0)
STOP_HERE = "stop here: no more injection from this action, finish the case"
CATHETER_TARGETS = ("CHA", "PHA", "RHA", "LHA", "S4", "RA", "LA", "RPA", "RAA")
SEGMENTS = tuple(f"S{i}" for i in range(1, 9))


class WhatIfError(Exception):
    """The changed action cannot be applied (e.g. the catheter cannot get there)."""


@dataclass(frozen=True)
class Alternative:
    """One change offered for an action: what the menu says and the action that replaces it."""

    label: str
    action: object


def alternatives(action: Action, scenario: Scenario, vessel_names: set[str]) -> list[Alternative]:
    """The one-thing changes offered for a logged action: catheter position, agent, particle
    size or rate, and for an injection "stop here" (the case finishes at that action instead:
    what if the fellow had stopped there). Actions with nothing to change (contrast, waits,
    finish) give ``[]``.

    ``vessel_names`` are the names in the case's tree (``Compiled.names``), so only vessels
    that exist are offered.
    """
    out: list[Alternative] = []
    if isinstance(action, Navigate):
        targets = [v for v in dict.fromkeys(CATHETER_TARGETS + SEGMENTS) if v in vessel_names]
        targets += [f"feeder:{t.id}" for t in scenario.tumors]
        out = [
            Alternative(f"{describe(Navigate(target=t), MENU)} instead", Navigate(target=t))
            for t in targets
            if t != action.target
        ]
    elif isinstance(action, SelectAgent):
        for opt in scenario.agents_available:
            sizes = opt.sizes_um or list(AGENTS[opt.agent].sizes_um)
            if opt.agent != action.agent:
                out.append(
                    Alternative(
                        f"{AGENTS[opt.agent].name} instead",
                        SelectAgent(agent=opt.agent, size_um=tuple(sizes[0]) if sizes else None),
                    )
                )
                continue
            for s in sizes:
                if action.size_um is None or tuple(s) != tuple(action.size_um):
                    changed = action.model_copy(update={"size_um": tuple(s)})
                    out.append(Alternative(f"size {s[0]:g}–{s[1]:g} µm instead", changed))
            if not AGENTS[opt.agent].embolic:  # Lu-177: the other route
                other = "ia" if action.route == "iv" else "iv"
                word = "into a vein" if other == "iv" else "from the catheter tip"
                changed = action.model_copy(update={"route": other})
                out.append(Alternative(f"route {other.upper()} ({word}) instead", changed))
    elif isinstance(action, Inject | SetInjection) and action.rate_ml_min > 0:
        out.append(Alternative(STOP_HERE, Finish()))
        for r in RATES_ML_MIN:
            if abs(r - action.rate_ml_min) > 1e-9:
                changed = action.model_copy(update={"rate_ml_min": r})
                out.append(Alternative(f"rate {r:g} mL/min instead", changed))
    return out


def effective(actions: list[tuple[int, Action]]) -> list[int]:
    """Indices of the actions that mattered: a catheter move or agent choice that was replaced
    by another before anything was injected is left out (changing it would change nothing)."""
    out = []
    for i, (_, action) in enumerate(actions):
        kind = action.kind
        if kind in ("navigate", "select_agent"):
            later = [a.kind for _, a in actions[i + 1 :]]
            nxt = next((k for k in later if k in (kind, "inject", "set_injection")), None)
            if nxt == kind:
                continue
        out.append(i)
    return out


def run_what_if(
    scenario: Scenario,
    seed: int,
    actions: list[tuple[int, Action]],
    index: int,
    replacement,
    progress: Callable[[float], None] | None = None,
) -> tuple[Procedure, Outcome]:
    """Re-run ``actions`` with action ``index`` replaced, then finish and assess.

    Parameters
    ----------
    scenario, seed
        The case and procedure seed of the original run.
    actions : list of (tick, Action)
        The original timed actions (``Procedure.log``, or a record's through
        :func:`sim.records.replay.parse_actions`).
    index : int
        Which action to replace.
    replacement : Action
        What to do instead.
    progress : callable, optional
        Called with the fraction of the original's actions run so far (a window's bar).

    Returns
    -------
    (Procedure, Outcome)
        The what-if procedure (finished) and its outcome.

    Raises
    ------
    WhatIfError
        If the replacement is refused (the message says why, in the engine's words).
    """
    original = actions[index][1]
    delta = _changed_fields(original, replacement)
    proc = Procedure(scenario, seed)
    for i, (tick, logged) in enumerate(actions):
        if proc.finished:
            break
        proc.run_to(tick)
        action = replacement if i == index else logged
        if i > index and delta and isinstance(action, SelectAgent):
            if action.agent == original.agent:  # the case re-prepares the agent it changed
                action = action.model_copy(update=delta)
        try:
            proc.apply(action)
        except NavigationError as exc:
            if i == index:
                raise WhatIfError(f"{describe(action, MENU)}: {exc}") from None
            # a later catheter move the new path makes impossible is skipped, as a fellow would
        if progress is not None:
            progress((i + 1) / (len(actions) + 1))
    if not proc.finished:  # the original ran until the case's time limit ended it
        proc.run_to(proc.limit_tick)
    return proc, assess_procedure(proc)


def _changed_fields(original, replacement) -> dict:
    """Agent and size a changed ``select_agent`` carries into later re-preparations."""
    if not isinstance(original, SelectAgent) or not isinstance(replacement, SelectAgent):
        return {}
    return {
        k: getattr(replacement, k)
        for k in ("agent", "size_um")
        if getattr(replacement, k) != getattr(original, k)
    }
