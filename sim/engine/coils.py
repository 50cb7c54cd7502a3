"""Coils: a vessel closed for good at the catheter tip, and the access it takes away.

Before a radioembolization the mapping angiogram coils what must be protected (the GDA when
the tip has to sit proximal to it, a right gastric artery): a coil pack closes the tip's vessel
permanently. The catheter is pulled back behind the pack (its tip at the coil's proximal end)
and can never be navigated through it again. Flow redistributes by physics: the coiled edge
keeps almost no conductance (:data:`sim.flow.model.COILED_CONDUCTANCE`), so the flow that went
into it goes to its siblings, and a territory beyond it is fed only where a collateral joins
it from elsewhere (``anatomy.extra_vessels`` of kind ``collateral``, e.g. SMA → GDA through the
pancreaticoduodenal arcades). Without one, the coiled artery's own beds stagnate; for the GDA
that is the teaching choice of ``docs/physics.md`` §4.5 (the arcades resupply the duodenum and
pancreas, and no ischaemia is scored).

:class:`Coils` is the one place coil state lives in a procedure (``Procedure.coils``): the
packs placed, in order, and the edges they close (mirrored in ``FlowModel.closed``, which the
conductances and :func:`sim.engine.navigation.resolve_target` read). A later visit carries
them over with :meth:`Coils.restore`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from sim.actions import Coil, Decline
from sim.engine.decline import declined
from sim.engine.events import CoilPlaced
from sim.engine.navigation import NavigationError
from sim.flow.compile import Compiled
from sim.flow.model import FlowModel
from sim.outcome.result import CoilReport

# Trunks of the hepatic arterial tree: a coil in one of them closes the way to the liver beyond.
PROXIMAL_HEPATIC = ("CHA", "PHA", "RHA", "LHA")
COIL_DEPLOY_S = 60.0  # fluoroscopy time to deploy and check a coil pack (U, playability)


@dataclass(frozen=True)
class PlacedCoil:
    """A coil pack closing ``edge`` (vessel ``at``) since ``t`` (s)."""

    edge: int
    at: str
    t: float
    proximal_hepatic: bool

    def report(self) -> CoilReport:
        """What the outcome reports of it (``run --json`` ``coils``)."""
        return CoilReport(self.at, self.proximal_hepatic, round(self.t, 3))


class Coils:
    """The coil packs placed in one patient, and the edges they close in ``flow``."""

    def __init__(self, c: Compiled, flow: FlowModel) -> None:
        self.c = c
        self.flow = flow
        self.placed: list[PlacedCoil] = []

    def deploy(self, t: float) -> tuple[list[int], CoilPlaced]:
        """Coil the vessel the tip sits in at time ``t`` (s).

        Returns the catheter path pulled back behind the pack (root → new tip) and the event.
        Raises :class:`NavigationError` (nothing changed) with no catheter in place or with the
        tip in the coeliac trunk, which would cut off the whole hepatic supply.
        """
        path = self.flow.catheter_edges.tolist()
        if not path:
            raise NavigationError("no catheter in place: navigate to the vessel to coil first")
        edge = path[-1]
        name = self.c.names[edge]
        if len(path) < 2:
            raise NavigationError(
                f"coils are not placed in the {name}: it would cut off the liver, stomach and "
                "spleen; navigate into the branch to close"
            )
        coil = self.close(edge, t)
        return path[:-1], CoilPlaced(t, name, coil.proximal_hepatic)

    def close(self, edge: int, t: float) -> PlacedCoil:
        """Close ``edge`` for good (no catheter checks: :meth:`deploy` does those)."""
        name = self.c.names[edge]
        coil = PlacedCoil(edge, name, t, name in PROXIMAL_HEPATIC)
        self.placed.append(coil)
        self.flow.closed[edge] = True
        return coil

    def restore(self, placed: list[PlacedCoil]) -> None:
        """Carry coils over from an earlier visit of the same patient (same anatomy); the
        caller re-solves the flow (``Procedure`` does when it places its catheter)."""
        for coil in placed:
            self.close(coil.edge, coil.t)

    def reports(self) -> tuple[CoilReport, ...]:
        """Every pack, in the order placed, as the outcome reports them."""
        return tuple(k.report() for k in self.placed)


def deploy_coil(proc, action: Coil, dt: float) -> Iterator[None]:
    """Apply a :class:`~sim.actions.Coil` to ``proc``: close the tip's vessel, pull the
    catheter back behind the pack, report it, and spend the deployment's fluoroscopy time
    (in steps of ``dt`` s, the engine's). ``proc`` is the
    :class:`~sim.engine.procedure.Procedure`, not imported here: that module imports this one.

    Raises :class:`NavigationError` before anything changes when it is refused
    (:meth:`Coils.deploy`); otherwise it logs itself, as a navigation does.
    """
    back, placed = proc.coils.deploy(proc.t)
    proc.log.append((proc.tick, action))
    proc._set_catheter(back)  # the engine's own catheter move (re-solves the flow)
    proc._event(placed)
    yield from proc._run(math.ceil(COIL_DEPLOY_S / dt))


def decision_steps(proc, action: Coil | Decline, dt: float) -> Iterator[None]:
    """Apply a coil (:func:`deploy_coil`) or a decline to ``proc``; each logs itself once it
    is not refused. A decline (refused once treatment began, :func:`sim.engine.decline.declined`)
    is recorded with the tip where it was, then ends the case as ``finish`` does; it is judged
    when the case is assessed (:func:`sim.engine.final.decline_verdict`)."""
    if isinstance(action, Coil):
        yield from deploy_coil(proc, action, dt)
        return
    event = declined(proc, action.reason)
    proc.log.append((proc.tick, action))
    proc._event(event)
    yield from proc._finish()
