"""What an attending takes points off for, and what fails a plan outright.

Each constant's source, or "U" (a teaching choice, unsourced), stands beside it; ``docs/physics.md``
(§8, score) lists them for authors and for the alternative-plan suite.

- **Non-target by severity.** Each territory has its complication and a severity weight; the
  *non-target load* is Σ severity × fraction of the delivered agent there. It empties the
  non-target component at :data:`NON_TARGET_LOAD_ZERO` and keeps costing points beyond it, in
  proportion, without a plateau (:func:`non_target_load`).
- **Technique.** Agent pushed after stasis (beyond a catheter's dead space) or carried by
  reflux, contrast beyond the case's limit, fluoroscopy beyond its limit: points per mL or
  minute (:func:`technique`).
- **Failing plans** (:func:`failures`): score capped at :data:`FAIL_CAP`, the reasons first.
- **Every target counts**: each target tumour left untreated multiplies the score by
  :data:`UNTREATED_FACTOR`.
- **Y-90 intent** (:func:`intent`): the perfused-volume dose against the case's intent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.labels import label
from sim.outcome.result import Complication, Penalty, Y90IntentResult

# Severity of agent in each territory (by bed kind), with its complication (U: teaching choice,
# ordered by how bad the complication is; reference §1.4 for the complications).
SEVERITY: dict[str, tuple[float, str]] = {
    "duodenum_pancreas": (3.0, "pancreatitis, duodenal ulcer"),
    "stomach": (3.0, "gastric ulcer"),
    "bowel": (4.0, "bowel ischaemia"),
    "systemic": (4.0, "systemic embolization"),
    "gallbladder": (1.5, "cholecystitis"),
    "spleen": (1.0, "splenic infarct"),
    "skin": (1.0, "skin necrosis"),
    "diaphragm": (1.0, "pleural effusion"),
    # Through tumour shunts (Y-90 is graded by its lung dose). A few per cent of 40–120 µm
    # particles are microscopic pulmonary emboli, mostly subclinical; the amount still counts
    # with no plateau, and about 30 % of the agent in the lungs fails the plan (U: teaching
    # choice, so that the smallest size stays a reasonable choice at a 3 % shunt).
    "lungs": (0.5, "pulmonary embolism"),
    # Lipiodol through the same shunts: pulmonary oil embolism, the reason for the SmPC's
    # 15 mL cap "to prevent pulmonary embolism" (reference §3.3, R); weighted as the particles
    # (U: teaching choice; symptomatic oil embolism is rare below the cap).
    "lungs_oil": (0.5, "pulmonary oil embolism"),
}
NON_TARGET_LOAD_ZERO = 0.05  # load that empties the component: 1.7 % in the GDA (U)
MAJOR_NON_TARGET_LOAD = 0.15  # load that fails the plan: 5 % in the GDA or stomach (U)
AFTER_STASIS_GRACE_ML = 0.5  # about a microcatheter's dead space, delivered anyway (U)
TECHNIQUE_POINTS_PER_ML = 4.0  # per mL pushed after stasis or into reflux (U)
CONTRAST_POINTS_PER_ML = 0.2  # per mL of contrast beyond the case's limit (U)
FLUORO_POINTS_PER_MIN = 1.0  # per minute of fluoroscopy beyond the case's limit (U)
RESIN_LSF_LIMIT = 0.20  # resin: do not treat above 20 % lung shunt (van Roekel p.41, R)
FAIL_CAP = 40.0  # a failing plan scores at most this (U)
UNTREATED_BELOW = 0.2  # a target tumour with less coverage than this is untreated (U)
UNTREATED_FACTOR = 0.75  # the score is multiplied by this per untreated target (U)
INTENT_MISSED_POINTS = 10.0  # a Y-90 intent not met (U)
PERFUSED_ACTIVITY_SHARE = 0.95  # the perfused volume holds 95 % of the hepatic activity (U)


@dataclass(frozen=True)
class NonTargetLoad:
    """Σ severity × fraction, the largest part first in ``reason``, and whether it is major."""

    load: float
    reason: str
    major: bool


def non_target_load(deposits: dict[str, tuple[str, float]]) -> NonTargetLoad:
    """The severity-weighted non-target load of ``{territory: (bed kind, fraction)}``."""
    parts = []
    for terr, (kind, frac) in deposits.items():
        sev, what = SEVERITY.get(kind, (1.0, "non-target embolization"))
        if frac > 0:
            parts.append((sev * frac, terr, frac, what, sev))
    parts.sort(reverse=True)
    load = sum(p[0] for p in parts)
    reason = "; ".join(
        f"{100 * frac:.2f} % {label(terr)} ({what}, severity {sev:g})"
        for _, terr, frac, what, sev in parts
    )
    return NonTargetLoad(
        load, reason or "no non-target embolization", load >= MAJOR_NON_TARGET_LOAD
    )


def technique(sc, metrics) -> list[Penalty]:
    """Points off for agent after stasis or into reflux, and contrast or fluoroscopy over limits.

    ``metrics`` has ``after_stasis_ml``, ``reflux_ml``, ``contrast_ml`` (mL), ``fluoro_s`` (s).
    """
    out = []
    late = max(0.0, metrics.after_stasis_ml - AFTER_STASIS_GRACE_ML)
    if late > 0:
        out.append(
            Penalty(
                "after_stasis",
                round(TECHNIQUE_POINTS_PER_ML * late, 2),
                f"{metrics.after_stasis_ml:.1f} mL of agent pushed after stasis "
                f"({TECHNIQUE_POINTS_PER_ML:g} points per mL beyond the "
                f"{AFTER_STASIS_GRACE_ML:g} mL in the catheter)",
            )
        )
    if metrics.reflux_ml > 0.05:
        out.append(
            Penalty(
                "reflux",
                round(TECHNIQUE_POINTS_PER_ML * metrics.reflux_ml, 2),
                f"{metrics.reflux_ml:.1f} mL of agent pushed while it refluxed "
                f"({TECHNIQUE_POINTS_PER_ML:g} points per mL)",
            )
        )
    over = metrics.contrast_ml - sc.limits.contrast_ml
    if over > 0:
        out.append(
            Penalty(
                "contrast",
                round(CONTRAST_POINTS_PER_ML * over, 2),
                f"contrast {metrics.contrast_ml:.0f} mL, {over:.0f} mL over the case's "
                f"{sc.limits.contrast_ml:g} mL limit ({CONTRAST_POINTS_PER_ML:g} points per mL)",
            )
        )
    over_min = metrics.fluoro_s / 60.0 - sc.limits.fluoro_min
    if over_min > 0:
        out.append(
            Penalty(
                "fluoroscopy",
                round(FLUORO_POINTS_PER_MIN * over_min, 2),
                f"fluoroscopy {over_min:.1f} min over the case's {sc.limits.fluoro_min:g} min "
                f"limit ({FLUORO_POINTS_PER_MIN:g} point per minute)",
            )
        )
    return out


def failures(
    sc, lung_gy: float, agent_ml: dict, nt: NonTargetLoad, risks: tuple[Complication, ...]
) -> list[str]:
    """Why the plan fails the case (empty: it does not), most serious first."""
    out = []
    w = sc.scoring
    if lung_gy > w.lung_dose_limit_gy:
        out.append(
            f"lung dose {lung_gy:.0f} Gy is above the {w.lung_dose_limit_gy:g} Gy limit for one "
            "treatment: radiation pneumonitis (van Roekel)"
        )
    total = lung_gy + sc.patient.prior_lung_dose_gy
    if sc.patient.prior_lung_dose_gy > 0 and total > w.lung_dose_cumulative_limit_gy:
        out.append(
            f"cumulative lung dose {total:.0f} Gy is above the "
            f"{w.lung_dose_cumulative_limit_gy:g} Gy limit (van Roekel)"
        )
    lsf = sc.shunt.lung_shunt_fraction
    if agent_ml.get("y90_resin", 0.0) > 0 and lsf > RESIN_LSF_LIMIT:
        out.append(
            f"resin Y-90 given with a {100 * lsf:.0f} % lung shunt: above "
            f"{100 * RESIN_LSF_LIMIT:.0f} % resin is not given (van Roekel)"
        )
    if nt.major:
        out.append(f"major non-target embolization: {nt.reason}")
    for r in risks:
        if r.scored and r.probability > w.complication_risk_limit:
            out.append(
                f"{r.name} risk {100 * r.probability:.0f} % is above the case's "
                f"{100 * w.complication_risk_limit:.0f} % threshold: {r.source}"
            )
    return out


def untreated(tumors) -> list[str]:
    """Ids of the target tumours left untreated (coverage below :data:`UNTREATED_BELOW`)."""
    return [t.id for t in tumors if t.target and t.coverage < UNTREATED_BELOW]


def perfused_dose_gy(activity_gbq: np.ndarray, mass_g: np.ndarray, k_gy_kg: float) -> float:
    """MIRD dose to the perfused volume: the hottest beds holding 95 % of the activity, Gy."""
    total = float(activity_gbq.sum())
    if total <= 0:
        return 0.0
    order = np.argsort(-activity_gbq / mass_g)
    cum = np.cumsum(activity_gbq[order])
    n = int(np.searchsorted(cum, PERFUSED_ACTIVITY_SHARE * total)) + 1
    held = order[:n]
    return k_gy_kg * float(activity_gbq[held].sum()) / (float(mass_g[held].sum()) * 1e-3)


def intent(sc, dose_gy: float, agent_ml: dict) -> Y90IntentResult | None:
    """The case's Y-90 intent checked against the perfused-volume dose; None without one."""
    it = sc.y90_intent
    if it is None:
        return None
    low, high = it.band_gy
    band = f"≥ {low:g} Gy" if high == float("inf") else f"{low:g}–{high:g} Gy"
    glass = agent_ml.get("y90_glass", 0.0) > 0
    if it.kind == "segmentectomy" and not glass:
        met, why = False, "radiation segmentectomy is done with glass spheres; none were given"
    else:
        met = low <= dose_gy <= high
        why = f"{dose_gy:.0f} Gy to the perfused volume ({it.kind}: {band})"
    return Y90IntentResult(it.kind, round(dose_gy, 2), met, why)
