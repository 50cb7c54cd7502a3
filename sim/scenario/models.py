"""The scenario format: pydantic models an instructor's YAML file is validated against.

Every field carries a description for a clinician (meaning, unit, default, source). Units sit in
field names. Models forbid unknown keys so a misspelt field is reported, not ignored.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from sim.agents import AgentId
from sim.physiology import LUNG_LIMIT_GY, NORMAL_LIVER_TOLERANCE_GY
from sim.scenario.goals import LearningGoal, Y90Intent, as_goal

SegmentName = Literal["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"]
SEGMENTS: tuple[str, ...] = ("S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8")
# Named trunk vessels, in the order of sim.anatomy.trunk.DIAMETER_MM (which checks it): the
# scenario layer names what an author may override without importing the anatomy.
TRUNK_VESSELS: tuple[str, ...] = (
    "coeliac",
    "splenic",
    "LGA",
    "CHA",
    "GDA",
    "PHA",
    "RHA",
    "LHA",
    "RGA",
    "cystic",
    "falciform",
    "SMA",
    "IPA",
)


SEED_MAX = 2**31 - 1  # seeds written in a case file: 0 … SEED_MAX (`run --seed`: records.MAX_SEED)
NAME_MAX_CHARS = 16
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def _name(text: str) -> str:
    """A tumour id or vessel name: plans and the debrief print it, so it is short and plain."""
    if not _NAME.fullmatch(text) or len(text) > NAME_MAX_CHARS:
        shown = "an empty name" if not text else repr(text[:40])
        raise ValueError(
            f"{shown} is not a valid name (allowed: 1–{NAME_MAX_CHARS} letters, digits, "
            "'_', '-' or '.')"
        )
    return text


Name = Annotated[str, AfterValidator(_name)]
OffsetMm = Annotated[float, Field(ge=-80.0, le=80.0)]
SharePercent = Annotated[float, Field(ge=1.0, le=100.0)]
SizeUm = Annotated[float, Field(gt=0.0, le=2000.0)]


class Strict(BaseModel):
    """Base of every model: unknown keys, NaN and infinities are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Briefing(Strict):
    history: str = Field("", description="Clinical history as told to the fellow.")
    ct: str = Field("", description="CT / MRI findings (multiphase; arterial enhancement).")
    pet: str = Field("", description="Ga-68 DOTATATE PET uptake (Krenning-like grade, SUVmax).")
    biopsy: str = Field("", description="Histology: WHO grade and Ki-67 index.")
    mapping: str = Field(
        "", description="Tc-99m MAA mapping result (lung shunt, extrahepatic uptake), if done."
    )


class Patient(Strict):
    age_y: int = Field(60, ge=18, le=100, description="Age in years.")
    sex: Literal["male", "female"] = Field("male", description="Sets the reference liver mass.")
    weight_kg: float = Field(
        70.0, ge=30, le=250, description="Body weight in kg; scales hepatic and GDA flows."
    )
    height_cm: float = Field(
        175.0, ge=120, le=220, description="Height in cm; with weight gives the BSA."
    )
    liver_mass_g: float | None = Field(
        None,
        ge=600,
        le=4000,
        description="Liver mass in g including tumour. Default: ICRP 89 reference adult "
        "(1800 g man, 1400 g woman) scaled by weight.",
    )
    bilirubin_mg_dl: float = Field(0.8, ge=0.1, le=20, description="Total bilirubin, mg/dL.")
    albumin_g_dl: float = Field(4.0, ge=1.0, le=6.0, description="Serum albumin, g/dL.")
    prior_whipple: bool = Field(
        False, description="Prior Whipple / bilio-enteric anastomosis (abscess risk after TACE)."
    )
    portal_vein_thrombosis: bool = Field(
        False, description="Portal vein thrombosis: raises arterial dependence of normal liver."
    )
    prior_lung_dose_gy: float = Field(
        0.0,
        ge=0,
        le=100,
        description="Lung dose from earlier radioembolizations, Gy: counts towards the 50 Gy "
        "cumulative limit (van Roekel thesis p.41).",
    )
    prior_treatments: list[str] = Field(default_factory=list, description="E.g. PRRT, SSA.")
    carcinoid_syndrome: bool = Field(False, description="Functioning tumour (crisis risk).")


class VesselOverride(Strict):
    diameter_mm: float | None = Field(None, ge=0.3, le=12, description="Lumen diameter, mm.")
    length_mm: float | None = Field(None, ge=2, le=200, description="Length, mm.")


class ExtraVessel(Strict):
    name: Name = Field(description="Name of the new vessel (e.g. IPA for an inferior phrenic).")
    kind: Literal["parasitized_phrenic", "collateral"] = Field(
        description="parasitized_phrenic: a new root from the aorta feeding a tumour; "
        "collateral: joins two named vessels (makes a loop)."
    )
    from_vessel: str | None = Field(None, description="Collateral: vessel it starts from.")
    to_vessel: str | None = Field(None, description="Collateral: vessel it joins.")
    to_tumor: str | None = Field(None, description="Parasitized phrenic: tumour id it feeds.")
    diameter_mm: float = Field(1.5, ge=0.3, le=6, description="Lumen diameter, mm.")
    length_mm: float = Field(40.0, ge=5, le=200, description="Length, mm.")


class Anatomy(Strict):
    michels: Literal["I", "II", "III", "IV", "V", "VI"] = Field(
        "I",
        description="Michels type: I standard; II replaced LHA from left gastric; III replaced "
        "RHA from SMA; IV both; V accessory LHA from left gastric; VI accessory RHA from SMA "
        "(Michels 1966; reference §1.2).",
    )
    seed: int = Field(1, ge=0, le=SEED_MAX, description="Generator seed for the distal tree.")
    tree_segments: int = Field(
        2400, ge=300, le=16000, description="Approximate number of vessel segments in the tree."
    )
    murray_exponent: float = Field(
        2.85,
        ge=2.0,
        le=3.5,
        description="Murray exponent n, r0^n = Σ ri^n, of arteries of radius 0.1–1 mm "
        "(2.7–3.0, §2.3); larger ones branch with 2.33, smaller with 3.0 (Nakamura & Awa 2014).",
    )
    radius_scatter: float = Field(
        0.08,
        ge=0.0,
        le=0.3,
        description="Scatter σ of the branching law: each bifurcation's Murray exponent is drawn "
        "around n with standard deviation 3σ (real trees scatter, morphometry.yaml).",
    )
    segment_volume_percent: dict[SegmentName, SharePercent] = Field(
        default_factory=dict,
        description="Per-segment share of liver volume, % (default I 3, II 8, III 9, IV 15, "
        "V 13.5, VI 8.5, VII 17, VIII 26; reference §1.3, U). Missing segments keep defaults; "
        "shares are renormalised. Each 1–100.",
    )
    right_gastric_origin: Literal["PHA", "LHA", "GDA"] = Field(
        "PHA", description="Right gastric artery origin: PHA 31 %, LHA 22 %, GDA 25 % (§1.2)."
    )
    segment4_origin: Literal["LHA", "RHA"] = Field(
        "LHA", description="Segment-4 (middle hepatic) artery origin: LHA 57 %, RHA 32 % (§1.2)."
    )
    vessels: dict[str, VesselOverride] = Field(
        default_factory=dict, description="Per-vessel calibre/length overrides by name."
    )
    extra_vessels: list[ExtraVessel] = Field(
        default_factory=list,
        max_length=8,
        description="Vessels beyond the standard tree: a parasitized inferior phrenic artery "
        "feeding a tumour, or a collateral joining two vessels.",
    )


class Tumor(Strict):
    id: Name = Field(description="Short id used in plans and the debrief, e.g. T1.")
    segment: SegmentName = Field(description="Couinaud segment of the tumour centre.")
    offset_mm: tuple[OffsetMm, OffsetMm] = Field(
        (0.0, 0.0),
        description="Offset of the centre from the segment centre, mm (x, y on the AP image; "
        "each -80–80).",
    )
    diameter_mm: float = Field(ge=5, le=150, description="Tumour diameter, mm.")
    tn_ratio: float = Field(
        4.0,
        ge=0.5,
        le=12,
        description="Tumour-to-normal arterial perfusion per gram (T/N). Patient MAA T/N 2.3–3.6 "
        "(Piasecki 2015), tumour ≥ 50 vs 30 mL/min/100 g (Meijerink 2009); default 4.",
    )
    necrotic_core: float = Field(
        0.0, ge=0.0, le=0.9, description="Necrotic core diameter as a fraction of the tumour's."
    )
    suv_max: float = Field(
        20.0,
        ge=1.0,
        le=150.0,
        description="Ga-68 DOTATATE SUVmax of this tumour (its somatostatin-receptor density, as "
        "the briefing's PET reports it): sets its Lu-177 DOTATATE uptake (docs/physics.md, "
        "Lu-177). Default 20 (avid, Krenning 3–4; teaching choice).",
    )
    target: bool = Field(True, description="Whether the fellow should treat this tumour.")


class Shunt(Strict):
    lung_shunt_fraction: float = Field(
        0.03,
        ge=0.0,
        le=0.6,
        description="Fraction of small particles injected into the hepatic artery that reach the "
        "lungs (NET median 3 %, reference §2.4).",
    )


class AgentOption(Strict):
    agent: AgentId = Field(
        description="bland (tris-acryl gelatin microspheres), pva, deb (drug-eluting beads), "
        "lipiodol (cTACE emulsion), y90_resin, y90_glass, lu177_dotatate (peptide receptor "
        "radionuclide therapy, intra-arterial or intravenous), maa (Tc-99m MAA, mapping)."
    )
    sizes_um: list[tuple[SizeUm, SizeUm]] | None = Field(
        None, description="Allowed size ranges, µm (default: the product's catalogue)."
    )


class Catheter(Strict):
    french: float = Field(2.7, ge=1.7, le=3.8, description="Microcatheter outer size, Fr.")


class Limits(Strict):
    time_min: float = Field(60.0, ge=1, le=240, description="Procedure time limit, minutes.")
    contrast_ml: float = Field(
        150.0,
        ge=5,
        le=500,
        description="Contrast limit, mL: each mL beyond it costs points (technique).",
    )
    fluoro_min: float = Field(
        60.0,
        ge=1,
        le=240,
        description="Fluoroscopy-time limit, minutes: each minute beyond it costs points.",
    )


class KeyProjection(Strict):
    lao_deg: float = Field(
        0.0, ge=-45, le=45, description="C-arm: + LAO, − RAO, degrees (the view that opens it)."
    )
    cran_deg: float = Field(0.0, ge=-30, le=30, description="C-arm: + cranial, − caudal, degrees.")
    opens: str = Field(
        "",
        max_length=120,
        description="What this view opens, for the help and the debrief (e.g. 'the GDA and RHA "
        "origins').",
    )


class Scoring(Strict):
    coverage_weight: float = Field(
        45.0, ge=0, le=100, description="Points for treated target-tumour mass (U)."
    )
    normal_liver_weight: float = Field(
        15.0, ge=0, le=100, description="Points for sparing normal liver (U)."
    )
    non_target_weight: float = Field(
        20.0,
        ge=0,
        le=100,
        description="Points for keeping the agent out of GDA, gastric, "
        "cystic, falciform and other territories (U).",
    )
    lung_weight: float = Field(5.0, ge=0, le=100, description="Points for lung dose ≤ limit (U).")
    efficiency_weight: float = Field(
        5.0,
        ge=0,
        le=100,
        description="Points for fluoroscopy time (full ≤ 10 min; TACE "
        "benchmark 19 ± 10 min, Choi 2024).",
    )
    complications_weight: float = Field(
        10.0,
        ge=0,
        le=100,
        description="Weight of patient-specific complication risk (abscess "
        "after embolization with a bilio-enteric anastomosis, oil embolism over the lipiodol cap).",
    )
    lung_dose_limit_gy: float = Field(
        LUNG_LIMIT_GY, ge=1, le=100, description="Per treatment (§4.1)."
    )
    normal_liver_tolerance_gy: float = Field(
        NORMAL_LIVER_TOLERANCE_GY,
        ge=10,
        le=200,
        description="Resin-equivalent, non-cirrhotic (§4.2).",
    )
    tumor_target_dose_gy: float = Field(
        120.0, ge=20, le=600, description="NET TARE median ≈ 113 Gy (§4.2)."
    )
    lung_dose_cumulative_limit_gy: float = Field(
        50.0,
        ge=1,
        le=200,
        description="Cumulative lung dose limit with patient.prior_lung_dose_gy (§4.1): above it "
        "the plan fails.",
    )
    complication_risk_limit: float = Field(
        0.5,
        ge=0.01,
        le=1.0,
        description="A scored patient-specific complication risk above this probability fails "
        "the plan (e.g. embolization after a Whipple, 85 %; teaching choice).",
    )


class Visit(Strict):
    kind: Literal["mapping", "treatment"] = Field(
        description="mapping: the Tc-99m MAA angiogram (measure the lung shunt, find and coil "
        "extrahepatic feeders); treatment: the radioembolization, 1–2 weeks later."
    )
    title: str = Field("", max_length=80, description="Shown on the visit's screens.")
    days_after: int = Field(
        0, ge=0, le=90, description="Days after the previous visit (mapping to treatment 7–14)."
    )
    briefing: Briefing | None = Field(None, description="This visit's briefing (default: case's).")
    limits: Limits | None = Field(None, description="This visit's limits (default: the case's).")
    agents_available: list[AgentOption] | None = Field(
        None, min_length=1, description="This visit's shelf (default: the case's)."
    )


class MappingResult(Strict):
    lung_shunt_fraction: float | None = Field(
        None, ge=0.0, le=1.0, description="Measured lung shunt fraction (MAA planar views)."
    )
    tn_ratio: dict[Name, Annotated[float, Field(gt=0, le=100)]] = Field(
        default_factory=dict, description="Measured tumour-to-normal ratio by tumour id (SPECT)."
    )


class Scenario(Strict):
    schema_version: Literal[1] = Field(1, description="Format version.")
    title: str = Field(description="Case title shown in the library.")
    summary: str = Field("", description="One-line summary.")
    difficulty: int = Field(1, ge=1, le=5, description="1 first case … 5 expert.")
    learning_goals: list[
        Annotated[LearningGoal, BeforeValidator(as_goal, json_schema_input_type=str | LearningGoal)]
    ] = Field(
        default_factory=list,
        description="What the fellow should learn, each with the check that grades it after the "
        "case (`goal` and `check`); a plain sentence is shown but not graded.",
    )
    y90_intent: Y90Intent | None = Field(
        None,
        description="What a Y-90 treatment should achieve: radiation segmentectomy (≥ 190 Gy "
        "to the perfused volume with glass) or a lobar or sectoral dose band; the score checks it.",
    )
    briefing: Briefing = Field(
        default_factory=Briefing, description="What the fellow is told before the case."
    )
    patient: Patient = Field(
        default_factory=Patient, description="The patient: size, labs, history and risk factors."
    )
    anatomy: Anatomy = Field(
        default_factory=Anatomy, description="Arterial anatomy: variant, tree and overrides."
    )
    tumors: list[Tumor] = Field(
        min_length=1, max_length=12, description="The metastases (at least one, at most 12)."
    )
    shunt: Shunt = Field(default_factory=Shunt, description="Hepatopulmonary shunting.")
    agents_available: list[AgentOption] = Field(
        description="Agents (and sizes) the fellow may choose; the first is what a naive plan "
        "uses.",
        default_factory=lambda: [
            AgentOption(agent=a)
            for a in ("bland", "pva", "deb", "lipiodol", "y90_resin", "y90_glass")
        ],
    )
    catheter: Catheter = Field(default_factory=Catheter, description="The microcatheter.")
    limits: Limits = Field(default_factory=Limits, description="Time and contrast limits.")
    scoring: Scoring = Field(
        default_factory=Scoring, description="Score weights (points out of 100) and thresholds."
    )
    key_projection: KeyProjection | None = Field(
        None,
        description="The C-arm angulation that opens the case's key origin (key 5 in the window; "
        "the debrief says whether a run was taken near it).",
    )
    debrief_notes: list[str] = Field(
        default_factory=list, description="Teaching text shown after the case, with sources."
    )
    hints: list[str] = Field(default_factory=list, description="Hints the fellow can ask for.")
    seed: int = Field(0, ge=0, le=SEED_MAX, description="Seed of the procedure (transport).")
    visits: list[Visit] = Field(
        default_factory=list,
        max_length=3,
        description="Visits of a staged case, in order (none: one visit). The `next_visit` "
        "action ends one and starts the next: coils and the measured shunt and T/N carry "
        "over, particles' stasis does not; the catheter starts again at the aorta.",
    )
    mapping_result: MappingResult | None = Field(
        None,
        description="What the MAA work-up measured, when it was done: the Y-90 planner uses it "
        "instead of the case's true shunt and T/N (filled by a mapping visit).",
    )

    @field_validator("visits")
    @classmethod
    def _two_visits_or_none(cls, v: list[Visit]) -> list[Visit]:
        if len(v) == 1:
            raise ValueError("list two or three visits, or none (allowed: 0, 2 or 3 visits)")
        return v
