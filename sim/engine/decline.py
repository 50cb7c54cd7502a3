"""Declining the treatment: refused once it has begun, recorded with where the tip was.

The decision is judged when the case is assessed (:func:`sim.engine.final.decline_verdict`,
from the planner) on what the event keeps: the reason, and the tip node and vessel at the
moment of declining (the catheter is withdrawn afterwards).
"""

from __future__ import annotations

from sim.engine.events import Declined
from sim.engine.navigation import NavigationError


def declined(proc, reason: str) -> Declined:
    """The event of declining ``proc``'s case now for ``reason``.

    ``proc`` is the :class:`~sim.engine.procedure.Procedure` (not imported here: that module
    imports this one). Raises :class:`NavigationError` (nothing changed) once any agent has been
    given: the treatment has begun, and the case is ended with ``finish``.
    """
    if sum(proc.metrics.agent_ml.values()) > 0:
        raise NavigationError("the treatment has begun: end the case with finish, not decline")
    e = proc.flow.tip_edge()
    return Declined(proc.t, reason, proc.flow.tip, proc.c.names[e] if e >= 0 else "the aorta")
