"""Declining the treatment: the numbers the decision is judged on, from the planner.

The device considered is the Y-90 agent drawn up (the last ``select_agent``), else the first
Y-90 device the case offers. The planned activity is the one drawn up when the trainee gave it
(``activity_gbq``), else what :func:`sim.engine.y90_plan.plan_from_tip` plans for the territory
the tip perfuses now (the whole liver from the coeliac trunk, where the catheter starts). The
verdict itself is :func:`sim.outcome.decline.judge`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.actions import SelectAgent
from sim.engine.events import Declined
from sim.engine.navigation import NavigationError
from sim.engine.y90_plan import DEVICES, inputs_for, perfused_territory, plan_from_tip
from sim.outcome.decline import judge
from sim.outcome.dosimetry import lung_dose_gy
from sim.outcome.result import DeclineVerdict

if TYPE_CHECKING:
    from sim.engine.procedure import Procedure


def declined(proc: Procedure, reason: str) -> Declined:
    """The event of declining ``proc``'s case now for ``reason``, carrying the verdict.

    Raises :class:`NavigationError` (nothing changed) once any agent has been given: the
    treatment has begun, and the case is ended with ``finish``.
    """
    return Declined(proc.t, reason, judge_decline(proc, reason))


def declined_verdict(events) -> DeclineVerdict | None:
    """The verdict of the case's decline among ``events`` (None: it was not declined)."""
    return next((e.verdict for e in events if isinstance(e, Declined)), None)


def judge_decline(proc: Procedure, reason: str) -> DeclineVerdict:
    """The verdict on declining ``proc``'s case now, for ``reason`` (see :func:`declined`)."""
    if sum(proc.metrics.agent_ml.values()) > 0:
        raise NavigationError("the treatment has begun: end the case with finish, not decline")
    sc = proc.scenario
    chosen = [a for _, a in proc.log if isinstance(a, SelectAgent) and a.agent in DEVICES]
    offered = [o.agent for o in sc.agents_available if o.agent in DEVICES]
    device = chosen[-1].agent if chosen else (offered[0] if offered else None)
    lsf = sc.shunt.lung_shunt_fraction
    lim = sc.scoring
    if device is None:
        return judge(reason, None, lsf, None, lim.lung_dose_limit_gy)
    c, node = proc.c, proc.flow.tip
    e = proc.flow.tip_edge()
    at = c.names[e] if e >= 0 else "the aorta"
    territory = perfused_territory(c, node, at)
    if territory.mass_g <= 0:  # a tip outside the liver: plan the whole liver
        at = "the whole liver"
        territory = perfused_territory(c, c.root, at)
    plan = plan_from_tip(territory, inputs_for(sc, device), sc)
    drawn = chosen[-1].activity_gbq if chosen else None
    if plan.activity_gbq is None:
        lung = None
    elif drawn is not None:
        lung = lung_dose_gy(drawn * lsf)
    else:
        lung = plan.lung_gy
    return judge(
        reason,
        device,
        lsf,
        lung,
        lim.lung_dose_limit_gy,
        sc.patient.prior_lung_dose_gy,
        lim.lung_dose_cumulative_limit_gy,
        at,
    )
