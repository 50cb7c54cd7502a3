"""Events the engine reports: what a fellow should notice, with the time they happened.

One frozen dataclass per kind, carrying numbers and names (vessel names, mL/min, fractions,
Gy), not prose. :meth:`Event.as_dict` gives the record and ``run --json`` form
``{"t", "kind", "detail"}``, whose English ``detail`` is written in one place,
:mod:`sim.engine.event_text`; a screen that words events itself (the kiosk, per language) reads
the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sim.engine.event_text import detail


@dataclass(frozen=True)
class Event:
    """Something that happened at simulated time ``t`` (s); ``kind`` names the subclass."""

    t: float
    kind: ClassVar[str] = ""

    @property
    def detail(self) -> str:
        """The record wording (English) of this event."""
        return detail(self)

    def as_dict(self) -> dict:
        """``{"t", "kind", "detail"}``: how records and ``run --json`` store an event."""
        return {"t": round(self.t, 3), "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class Navigated(Event):
    """The catheter tip now sits at the end of ``vessel``; ``path`` is the breadcrumb."""

    vessel: str
    path: tuple[str, ...]
    kind: ClassVar[str] = "navigate"


@dataclass(frozen=True)
class Wedge(Event):
    """The catheter fills ``vessel`` (diameter mm): ``wedged`` stops antegrade flow, else a
    tight fit that may wedge."""

    vessel: str
    diameter_mm: float
    wedged: bool
    kind: ClassVar[str] = "wedge"


@dataclass(frozen=True)
class RefluxStarted(Event):
    """Flow reversed behind the tip in ``vessel`` while injecting (``flow_ml_min`` < 0)."""

    vessel: str
    flow_ml_min: float
    kind: ClassVar[str] = "reflux"


@dataclass(frozen=True)
class ContrastReflux(Event):
    """A contrast push reversed the flow behind the tip in ``vessel`` (``flow_ml_min`` < 0).

    What the fellow sees is contrast washing back, not embolic reflux: it says the push was too
    fast for the vessel (or the territory has slowed) and where an embolic would go.
    """

    vessel: str
    flow_ml_min: float
    kind: ClassVar[str] = "contrast_reflux"


@dataclass(frozen=True)
class RefluxStopped(Event):
    """Antegrade flow restored in ``vessel`` while still injecting."""

    vessel: str
    kind: ClassVar[str] = "reflux_stopped"


@dataclass(frozen=True)
class NearStasis(Event):
    """Antegrade flow below the tip fell under half (SACE III); ``residual`` is 0…1."""

    residual: float
    kind: ClassVar[str] = "near_stasis"


@dataclass(frozen=True)
class Stasis(Event):
    """Antegrade flow below the tip fell under a tenth (SACE IV); ``residual`` is 0…1."""

    residual: float
    kind: ClassVar[str] = "stasis"


@dataclass(frozen=True)
class NonTargetParticles(Event):
    """First particles in a non-target ``territory`` (bed kind ``bed_kind``), or, with
    ``into_aorta``, the first refluxed into the aorta (territory ``systemic``)."""

    territory: str
    bed_kind: str
    into_aorta: bool = False
    kind: ClassVar[str] = "non_target"


@dataclass(frozen=True)
class LungDoseOverLimit(Event):
    """The lung dose (Gy) passed the scenario's limit (Gy)."""

    dose_gy: float
    limit_gy: float
    kind: ClassVar[str] = "lung_dose_over_limit"


@dataclass(frozen=True)
class ContrastStarted(Event):
    """A contrast run of ``volume_ml`` at ``rate_ml_s`` from the tip in ``vessel``."""

    volume_ml: float
    rate_ml_s: float
    vessel: str
    kind: ClassVar[str] = "contrast"


@dataclass(frozen=True)
class TimeUp(Event):
    """The case's time limit (``limits.time_min``, min) ended the procedure."""

    limit_min: float
    kind: ClassVar[str] = "time_limit"


@dataclass(frozen=True)
class CoilPlaced(Event):
    """Coils closed ``vessel`` for good; ``proximal_hepatic`` when it is a hepatic artery trunk
    (CHA, PHA, RHA, LHA): the liver beyond it is lost to the catheter."""

    vessel: str
    proximal_hepatic: bool
    kind: ClassVar[str] = "coil"


@dataclass(frozen=True)
class Declined(Event):
    """The treatment was declined for ``reason`` (a :data:`sim.actions.DECLINE_REASONS` code)
    with the catheter tip at node ``tip`` in vessel ``at`` (what the verdict plans from)."""

    reason: str
    tip: int = -1
    at: str = ""
    kind: ClassVar[str] = "decline"


@dataclass(frozen=True)
class Finished(Event):
    """The case ended (catheter withdrawn, what was in flight settled)."""

    kind: ClassVar[str] = "finish"


EVENT_TYPES: tuple[type[Event], ...] = (
    Navigated,
    Wedge,
    RefluxStarted,
    RefluxStopped,
    ContrastReflux,
    NearStasis,
    Stasis,
    NonTargetParticles,
    LungDoseOverLimit,
    ContrastStarted,
    TimeUp,
    CoilPlaced,
    Declined,
    Finished,
)
