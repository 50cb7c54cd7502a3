"""A procedure's final state as the outcome reads it, and its assessment.

The outcome layer declares what it needs (:class:`sim.outcome.assess.FinalState`) and cannot
import the engine; this module, in the engine layer, fills that declaration from a
:class:`~sim.engine.procedure.Procedure`. Reading changes nothing: the transport's tallies are
copies, so assessing a running procedure (the attract loop's live score) leaves it as it was.
"""

from __future__ import annotations

import numpy as np

from sim.actions import SelectAgent
from sim.engine.events import Declined
from sim.engine.procedure import Procedure
from sim.engine.visits import EndedVisit, staged_outcome, visits_json
from sim.engine.y90_plan import (
    DEVICES,
    injection_tips,
    inputs_for,
    perfused_territory,
    plan_from_tip,
)
from sim.flow.territory import beds_below
from sim.outcome.assess import FinalState, Y90Tip, assess
from sim.outcome.decline import judge
from sim.outcome.dosimetry import lung_dose_gy
from sim.outcome.result import DeclineVerdict, Outcome


def final_state(p: Procedure | EndedVisit) -> FinalState:
    """What :func:`sim.outcome.assess.assess` needs of ``p``, as it stands now (or of a staged
    case's earlier visit, as it ended)."""
    tr = p.transport
    return FinalState(
        scenario=p.scenario,
        seed=p.seed,
        compiled=p.c,
        baseline_flow=p.flow.baseline_flow,
        flow=np.copy(p.flow.flow),
        tallies=tr.tallies(),
        delivered_count=tr.delivered_count.copy(),
        in_flight_count=tr.in_flight_count(),
        metrics=p.metrics,
        events=tuple(p.events),
        sace_level=p.final_sace,
        y90_tips=tuple(
            Y90Tip(t.at, np.array(beds_below(p.c, t.node), int)) for t in injection_tips(p)
        ),
        peptide=p.peptide.record(),
        coils=p.coils.reports(),
        decline=decline_verdict(p),
    )


def decline_verdict(p: Procedure) -> DeclineVerdict | None:
    """The verdict on ``p``'s decline (None: not declined), judged from the planner.

    The device considered is the Y-90 agent drawn up (the last ``select_agent``), else the
    first Y-90 device the case offers. The planned activity is the one drawn up when the trainee
    gave it (``activity_gbq``), else what :func:`sim.engine.y90_plan.plan_from_tip` plans for the
    territory the tip perfused when the case was declined (the whole liver from the coeliac
    trunk, where the catheter starts). :func:`sim.outcome.decline.judge` decides.
    """
    event = next((e for e in p.events if isinstance(e, Declined)), None)
    if event is None:
        return None
    sc, c = p.scenario, p.c
    chosen = [a for _, a in p.log if isinstance(a, SelectAgent) and a.agent in DEVICES]
    offered = [o.agent for o in sc.agents_available if o.agent in DEVICES]
    device = chosen[-1].agent if chosen else (offered[0] if offered else None)
    lsf, lim = sc.shunt.lung_shunt_fraction, sc.scoring
    if device is None:
        return judge(event.reason, None, lsf, None, lim.lung_dose_limit_gy)
    at, territory = event.at, perfused_territory(c, event.tip, event.at)
    if territory.mass_g <= 0:  # a tip outside the liver: plan the whole liver
        at, territory = "the whole liver", perfused_territory(c, c.root, "the whole liver")
    plan = plan_from_tip(territory, inputs_for(sc, device), sc)
    drawn = chosen[-1].activity_gbq if chosen else None
    lung = None if plan.activity_gbq is None else plan.lung_gy
    if lung is not None and drawn is not None:
        lung = lung_dose_gy(drawn * lsf)
    return judge(
        event.reason,
        device,
        lsf,
        lung,
        lim.lung_dose_limit_gy,
        sc.patient.prior_lung_dose_gy,
        lim.lung_dose_cumulative_limit_gy,
        at,
    )


def visit_outcomes(p: Procedure) -> list[dict]:
    """The outcome of each earlier visit of a staged case (:mod:`sim.engine.visits`), assessed
    from what it left the first time it is asked for, then kept."""
    for v in p.visits.done:
        if v.outcome is None:
            v.outcome = assess(final_state(v.ended)).to_dict()
    return [v.outcome for v in p.visits.done]


def staged_visits(p: Procedure) -> list[dict]:
    """Every visit of a staged case so far, earlier ones with their outcome
    (:func:`sim.engine.visits.visits_json`): the between-visits screen's and the records'."""
    visit_outcomes(p)
    return visits_json(p)


def assess_procedure(p: Procedure) -> Outcome:
    """The outcome of ``p``: :func:`~sim.outcome.assess.assess` of its :func:`final_state`
    (of the current visit; a staged case lists its visits too, :mod:`sim.engine.visits`)."""
    out = assess(final_state(p))
    if not p.case.visits:
        return out
    visit_outcomes(p)
    return staged_outcome(p, out)
