"""A procedure's final state as the outcome reads it, and its assessment.

The outcome layer declares what it needs (:class:`sim.outcome.assess.FinalState`) and cannot
import the engine; this module, in the engine layer, fills that declaration from a
:class:`~sim.engine.procedure.Procedure`. Reading changes nothing: the transport's tallies are
copies, so assessing a running procedure (the attract loop's live score) leaves it as it was.
"""

from __future__ import annotations

import numpy as np

from sim.engine.procedure import Procedure
from sim.outcome.assess import FinalState, Tallies, assess
from sim.outcome.result import Outcome


def final_state(p: Procedure) -> FinalState:
    """What :func:`sim.outcome.assess.assess` needs of ``p``, as it stands now."""
    tr = p.transport
    now = tr.tallies()
    tallies = Tallies(
        dep_count=now.dep_count,
        dep_activity_bq=now.dep_activity,
        dep_drug_mg=now.dep_drug,
        dep_agent_count=now.dep_agent_count,
        delivered_count=tr.delivered_count.copy(),
        lung_count=now.lung_count,
        lung_activity_bq=now.lung_activity,
        out_count=now.out_count,
        in_flight_count=tr.in_flight_count(),
    )
    return FinalState(
        scenario=p.scenario,
        seed=p.seed,
        compiled=p.c,
        baseline_flow=p.flow.baseline_flow,
        flow=np.copy(p.flow.flow),
        tallies=tallies,
        metrics=p.metrics,
        events=tuple(p.events),
        sace_level=p.final_sace,
    )


def assess_procedure(p: Procedure) -> Outcome:
    """The outcome of ``p``: :func:`~sim.outcome.assess.assess` of its :func:`final_state`."""
    return assess(final_state(p))
