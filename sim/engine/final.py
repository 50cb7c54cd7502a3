"""A procedure's final state as the outcome reads it, and its assessment.

The outcome layer declares what it needs (:class:`sim.outcome.assess.FinalState`) and cannot
import the engine; this module, in the engine layer, fills that declaration from a
:class:`~sim.engine.procedure.Procedure`. Reading changes nothing: the transport's tallies are
copies, so assessing a running procedure (the attract loop's live score) leaves it as it was.
"""

from __future__ import annotations

import numpy as np

from sim.engine.decline import declined_verdict
from sim.engine.procedure import Procedure
from sim.engine.y90_plan import injection_tips
from sim.flow.territory import beds_below
from sim.outcome.assess import FinalState, Y90Tip, assess
from sim.outcome.result import Outcome


def final_state(p: Procedure) -> FinalState:
    """What :func:`sim.outcome.assess.assess` needs of ``p``, as it stands now."""
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
        decline=declined_verdict(p.events),
    )


def assess_procedure(p: Procedure) -> Outcome:
    """The outcome of ``p``: :func:`~sim.outcome.assess.assess` of its :func:`final_state`."""
    return assess(final_state(p))
