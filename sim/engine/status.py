"""What a procedure shows the world: its running totals and a snapshot for screens.

:class:`Metrics` are the totals the outcome scores (time, fluoroscopy, volumes, activity,
drug). :class:`Status` is what the fellow sees on the monitor and the panel; scenes read
:meth:`sim.engine.procedure.Procedure.status` instead of the procedure's private state, and the
snapshot is frozen, so holding one changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.engine.dispense import Syringe


@dataclass
class Metrics:
    """Running totals of the procedure (s, mL, GBq, mg); ``agent_ml`` per agent id."""

    procedure_s: float = 0.0
    fluoro_s: float = 0.0
    contrast_ml: float = 0.0
    agent_ml: dict[str, float] = field(default_factory=dict)
    activity_gbq: float = 0.0
    drug_mg: float = 0.0
    oil_ml: float = 0.0  # lipiodol (the oil phase of cTACE emulsions) pushed, mL
    # agent pushed once stasis was reached at the tip's position, and (before stasis) while the
    # flow behind the tip ran backwards: what technique is graded on, mL
    after_stasis_ml: float = 0.0
    reflux_ml: float = 0.0


@dataclass(frozen=True)
class Status:
    """The procedure at simulated time ``t`` (s).

    Attributes
    ----------
    tip_vessel : str or None
        Vessel the catheter tip sits in; None once the catheter is withdrawn.
    wedged : bool
        The catheter fills the vessel it sits in (antegrade flow stops).
    in_reflux : bool
        Flow reversed behind the tip while an embolic agent is injected (the REFLUX flag).
    contrast_reflux : bool
        A contrast push alone is washing back behind the tip now (not an embolic event; with
        an agent injected the same reversal is ``in_reflux``).
    stasis_level : int
        0 none, 1 near stasis (SACE III), 2 stasis (SACE IV) at this catheter position.
    antegrade : float
        Outflow below the tip over that at placement (0…1+; 1 when withdrawn).
    sace_level : int or None
        SACE I–IV from ``antegrade``; None when withdrawn.
    injecting_ml_min : float
        Current injection rate (0: not injecting), mL/min.
    contrast_running : bool
        A contrast run is being pushed.
    syringe : Syringe
        What is drawn up and what is left of it (vial GBq, emulsion mL).
    drawn_up_empty : bool
        A Y-90 vial or cTACE emulsion is used up: prepare more or finish.
    fluoro_s : float
        Fluoroscopy time so far, s.
    """

    t: float
    finished: bool
    tip_vessel: str | None
    wedged: bool
    in_reflux: bool
    contrast_reflux: bool
    stasis_level: int
    antegrade: float
    sace_level: int | None
    injecting_ml_min: float
    contrast_running: bool
    syringe: Syringe
    drawn_up_empty: bool
    fluoro_s: float
