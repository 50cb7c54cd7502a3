"""The outcome of a procedure as typed data, and its JSON form.

:func:`sim.outcome.assess.assess` returns an :class:`Outcome`; the debrief, report, kiosk and
what-if read its fields. :meth:`Outcome.to_dict` gives the JSON that ``run --json`` prints, that
records store and that the replay digest hashes: its keys, their order and their rounding are a
published format, so a field added here changes nothing there until ``to_dict`` writes it.

Fractions are of everything delivered (0–1); masses in g, doses in Gy, volumes in mL, times in s.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from sim.outcome.dose_volume import DosePoint
from sim.outcome.lu177_result import Lu177Result

if TYPE_CHECKING:
    from sim.outcome.scintigraphy import MaaStudy

DISCLAIMER = "Siphon is a teaching tool, not a clinical planning device."


def _points(points: tuple[DosePoint, ...]) -> list[dict]:
    return [p.to_dict() for p in points]


@dataclass(frozen=True)
class ScoreComponent:
    """One part of the score: ``points`` of ``max``, and why, in words."""

    name: str
    points: float
    max: float
    reason: str


@dataclass(frozen=True)
class Penalty:
    """Points taken off the components' sum (``points`` ≥ 0), and why, in words."""

    name: str
    points: float
    reason: str


@dataclass(frozen=True)
class GoalResult:
    """One learning goal graded: ``met`` True or False, or None when the case gives no check."""

    goal: str
    met: bool | None
    reason: str


@dataclass(frozen=True)
class Y90IntentResult:
    """The case's Y-90 intent checked: the perfused-volume dose (Gy) and whether it was met."""

    kind: str
    dose_gy: float
    met: bool
    reason: str


@dataclass(frozen=True)
class PerfusedTerritory:
    """What Y-90 delivered to the territory a tip it was given from perfuses (Gy, g).

    ``dose_gy`` is the mean over the territory (MIRD: k × activity there / mass), ``tumor_gy``
    and ``normal_gy`` the means over its tumour and its normal liver (the treated normal
    tissue, not the whole liver). All Y-90 counts, from whichever tip it came.
    """

    at: str
    mass_g: float
    dose_gy: float
    tumor_gy: float
    normal_gy: float


@dataclass(frozen=True)
class Complication:
    """A patient-specific complication risk of what was done, with its published source."""

    name: str
    probability: float
    scored: bool  # counted in the score, or shown for teaching only
    source: str


@dataclass(frozen=True)
class TumorOutcome:
    """One tumour: how much of it was treated, and what it received."""

    id: str
    target: bool
    mass_g: float
    tn_ratio: float
    coverage: float  # mass-weighted fraction treated
    deposited_fraction: float  # of everything delivered
    dose_gy: float  # mean absorbed dose (MIRD)
    doxorubicin_mg_per_g: float
    lipiodol_ml: float
    rim_coverage: float
    core_coverage: float
    dose_volume: tuple[DosePoint, ...]  # exact cumulative DVH; empty without Y-90
    # what the response is made of (mass-weighted shares, 0–1; sim.outcome.response)
    embolic: float = 0.0  # arterial supply lost for good to what lodged
    reconstituted: float = 0.0  # supply deprived, then restored by collaterals
    drug_kill: float = 0.0
    radiation_kill: float = 0.0

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "target": self.target,
            "mass_g": self.mass_g,
            "tn_ratio": self.tn_ratio,
            "coverage": self.coverage,
            "deposited_fraction": self.deposited_fraction,
            "dose_gy": self.dose_gy,
            "doxorubicin_mg_per_g": self.doxorubicin_mg_per_g,
            "lipiodol_ml": self.lipiodol_ml,
            "regions": {"rim": self.rim_coverage, "core": self.core_coverage},
            "dose_volume": _points(self.dose_volume),
            "response": {
                "embolic": self.embolic,
                "reconstituted": self.reconstituted,
                "drug": self.drug_kill,
                "radiation": self.radiation_kill,
            },
        }


@dataclass(frozen=True)
class NormalLiver:
    """Injury and dose of the normal (non-tumour) liver, overall and by Couinaud segment."""

    damage: float  # mass-weighted injured fraction
    damage_by_segment: dict[str, float]
    mass_g: float
    dose_gy: float  # mass-weighted mean
    # sampled DVH per segment; empty without Y-90
    dose_volume_by_segment: dict[str, tuple[DosePoint, ...]]
    # the damage's parts, mass-weighted (0–1): ischaemia under the dual supply, peribiliary
    # plexus (biliary injury), radiation
    ischemic: float = 0.0
    biliary: float = 0.0
    radiation: float = 0.0


@dataclass(frozen=True)
class DualSupply:
    """The dual-supply lesson in numbers: arterial shares of the supply, and what losing the
    arterial supply did to target tumours and to normal liver (mass-weighted, 0–1)."""

    tumor_arterial_share: float
    normal_liver_arterial_share: float
    tumor_supply_lost: float  # arterial supply lost for good (embolic)
    tumor_killed: float  # … × the tumour's arterial share
    normal_liver_supply_lost: float
    normal_liver_injured: float  # … × its arterial share × 0.4 (the portal vein carries it)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Deposition:
    """Where everything delivered went (fractions; ``non_target`` includes the aorta)."""

    tumor: float
    normal_liver: float
    non_target: float
    lung: float
    in_flight: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class NonTargetDeposit:
    """Agent in one extrahepatic territory (or ``systemic``) and the complication it risks."""

    territory: str
    fraction: float
    complication: str


@dataclass(frozen=True)
class LipiodolRetained:
    """Lipiodol retained after clearance, mL."""

    tumor: float
    normal_liver: float


@dataclass(frozen=True)
class CoilReport:
    """A coil pack placed (``run --json`` ``coils``): where, whether it closed a hepatic trunk
    (CHA, PHA, RHA, LHA: the liver beyond is lost to the catheter), and when (s)."""

    at: str
    proximal_hepatic: bool
    t: float


@dataclass(frozen=True)
class DeclineVerdict:
    """A declined treatment judged (:mod:`sim.outcome.decline`): ``right`` or not, and why.

    ``device`` is the Y-90 device the decision was about (None: the case offers none),
    ``predicted_lung_gy`` the planner's lung dose for the planned activity (None when the
    device may not be given at all at this shunt).
    """

    reason: str  # the code the trainee gave (sim.actions.DECLINE_REASONS)
    right: bool
    why: str
    device: str | None
    lung_shunt_fraction: float
    predicted_lung_gy: float | None
    reason_fits: bool  # the reason given is the one that makes declining right


@dataclass(frozen=True)
class ProcedureMetrics:
    """What the procedure took: time, radiation, contrast and what was injected."""

    procedure_s: float
    fluoro_s: float
    contrast_ml: float
    agent_ml: float  # all agents together
    activity_gbq: float
    drug_mg: float
    lipiodol_oil_ml: float
    after_stasis_ml: float  # agent pushed after stasis at the tip's position
    reflux_ml: float  # agent pushed, before stasis, while the flow behind the tip ran backwards
    agents_ml: dict[str, float]  # agent given, mL, per agent id


@dataclass(frozen=True)
class ReportedEvent:
    """An event as the outcome reports it: time (s, rounded), kind and a sentence."""

    t: float
    kind: str
    detail: str


@dataclass(frozen=True)
class Outcome:
    """The assessed outcome of a finished (or running) procedure."""

    scenario: str  # the case title
    seed: int
    score: float  # 0–100
    components: tuple[ScoreComponent, ...]
    tumor_coverage: float  # mass-weighted over target tumours
    normal_liver: NormalLiver
    deposition: Deposition
    non_target: tuple[NonTargetDeposit, ...]  # sorted by territory
    tumors: tuple[TumorOutcome, ...]
    lipiodol_retained: LipiodolRetained
    lung_dose_gy: float
    sace_level: int | None  # angiographic endpoint at the tip when the case ended
    complications: tuple[Complication, ...]
    metrics: ProcedureMetrics
    events: tuple[ReportedEvent, ...]
    penalties: tuple[Penalty, ...] = ()  # taken off the components' sum, in order
    failures: tuple[str, ...] = ()  # why the plan fails the case (score capped), most serious first
    goals: tuple[GoalResult, ...] = ()  # each learning goal, graded
    y90_intent: Y90IntentResult | None = None
    disclaimer: str = field(default=DISCLAIMER)
    dual_supply: DualSupply | None = None
    # drawn arteries plugged by spheres: reconstituted, lost for a repeat treatment
    access_lost: tuple[str, ...] = ()
    perfused_territory: tuple[PerfusedTerritory, ...] = ()  # per Y-90 injection position
    lu177: Lu177Result | None = None  # Lu-177 DOTATATE doses (sim.outcome.lu177)
    maa: MaaStudy | None = None  # the Tc-99m MAA mapping's measurements, when MAA was given
    # a staged case's visits (sim.engine.visits): earlier ones with their outcome, then this one
    visits: tuple[dict, ...] = ()
    coils: tuple[CoilReport, ...] = ()  # coil packs placed, in order
    decline: DeclineVerdict | None = None  # the treatment was declined, judged

    @property
    def non_target_fraction(self) -> float:
        """All agent outside the liver, territories and aorta together."""
        return sum(d.fraction for d in self.non_target)

    def to_dict(self) -> dict:
        """The outcome's JSON form (``run --json``, records, digests), keys in their order.

        ``lu177`` is written only when Lu-177 DOTATATE was given (the other cases' JSON, and
        the digests of their records, stay as they were)."""
        nl = self.normal_liver
        out = {
            "scenario": self.scenario,
            "seed": self.seed,
            "score": self.score,
            "components": [asdict(c) for c in self.components],
            "tumor_coverage": self.tumor_coverage,
            "normal_liver_damage": nl.damage,
            "normal_liver_damage_by_segment": dict(nl.damage_by_segment),
            "normal_liver_mass_g": nl.mass_g,
            "deposition": self.deposition.to_dict(),
            "non_target": {d.territory: d.fraction for d in self.non_target},
            "non_target_complications": {d.territory: d.complication for d in self.non_target},
            "tumors": [t.to_dict() for t in self.tumors],
            "normal_liver_dose_gy": nl.dose_gy,
            "normal_liver_dose_volume_by_segment": {
                s: _points(pts) for s, pts in nl.dose_volume_by_segment.items()
            },
            "lipiodol_retained_ml": asdict(self.lipiodol_retained),
            "normal_liver_injury": {
                "ischemic": nl.ischemic,
                "biliary": nl.biliary,
                "radiation": nl.radiation,
            },
            "dual_supply": self.dual_supply.to_dict() if self.dual_supply else None,
            "access_lost": list(self.access_lost),
            "lung_dose_gy": self.lung_dose_gy,
            "sace_level": self.sace_level,
            "complications": [asdict(c) for c in self.complications],
            "metrics": asdict(self.metrics),
            "events": [asdict(e) for e in self.events],
            "disclaimer": self.disclaimer,
            "penalties": [asdict(p) for p in self.penalties],
            "failed": list(self.failures),
            "goals": [asdict(g) for g in self.goals],
            "y90_intent": asdict(self.y90_intent) if self.y90_intent else None,
            "perfused_territory": [asdict(p) for p in self.perfused_territory],
            **self._decision_keys(),
        }
        if self.lu177 is not None:
            out["lu177"] = self.lu177.to_dict()
        if self.maa is not None:
            out["maa"] = self.maa.to_dict()
        if self.visits:
            out["visits"] = [dict(v) for v in self.visits]
        return out

    def _decision_keys(self) -> dict:
        """``coils`` and ``decline``, written only when there is something to say (so the JSON
        of a case without coils or a decline is what it always was)."""
        out: dict = {}
        if self.coils:
            out["coils"] = [asdict(k) for k in self.coils]
        if self.decline is not None:
            out["decline"] = asdict(self.decline)
        return out
