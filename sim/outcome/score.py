"""The score and the patient-specific complication risks of what was done.

Each weight's source or "U" (unsourced, chosen for teaching) stands beside it. The score weighs
tumour coverage, normal-liver injury, non-target agent, lung dose, fluoroscopy time and the
scored complication risks with the case's weights (:class:`sim.scenario.models.Scoring`).
"""

from __future__ import annotations

import numpy as np

from sim.agents import LIPIODOL_MAX_ML as LIPIODOL_CAP_ML
from sim.outcome.result import Complication, ScoreComponent

NORMAL_DAMAGE_ZERO_POINTS = 0.30  # normal-liver damage fraction that scores 0 (U)
# Sparing the patient is earned by treating: the safety components (normal liver, non-target,
# lung, efficiency, complications) count in proportion to tumour coverage up to this much, so
# doing nothing cannot score (U, playability; a teaching choice, not a clinical rule).
SAFETY_FULL_AT_COVERAGE = 0.5
NON_TARGET_SCALE = 0.01  # non-target fraction at which that component falls to 37 % (U)
FLUORO_FULL_MIN, FLUORO_ZERO_MIN = 10.0, 30.0  # TACE fluoroscopy 19 ± 10 min (Choi 2024, R)
ABSCESS_AFTER_TACE_WHIPPLE = 0.85  # 6/7 with prior Whipple (Kim, SCVIR report, R2)
ABSCESS_AFTER_TARE_BILIARY = 0.066  # 1/15 (Agahi 2022, R)
BILOMA_DEB_MULTIFOCAL = 0.54  # 7/13 with multiple small lesions (Bhagat 2013, R)
BILOMA_DEB_OTHER = 0.10  # U: DEB without multifocal small lesions
OIL_EMBOLISM_OVER_CAP = 0.3  # U: risk once the cap is exceeded


def complications(sc, metrics, by_agent: dict, kinds: np.ndarray) -> list[Complication]:
    """Patient-specific complication risks of what was done (scored, or shown for teaching).

    Parameters
    ----------
    sc : Scenario
        The case (its patient and tumours).
    metrics
        What was injected: ``agent_ml`` by agent and ``oil_ml`` (mL).
    by_agent : dict of str to ndarray (B,)
        Spheres of each agent used, per bed.
    kinds : ndarray of str (B,)
        Each bed's kind (``tumor``, ``liver``, an extrahepatic territory kind).
    """
    out = []
    ml = metrics.agent_ml
    embolic_ml = sum(v for a, v in ml.items() if a in ("bland", "pva", "deb", "lipiodol"))
    y90 = any(a.startswith("y90") for a in ml)
    if sc.patient.prior_whipple and (embolic_ml > 0.1 or y90):
        out.append(_abscess(embolic_ml > 0.1))
    if ml.get("deb", 0.0) > 0.1 and "deb" in by_agent:
        out.append(_biloma(sc, by_agent, kinds))
    lip = metrics.oil_ml
    if lip > LIPIODOL_CAP_ML:
        out.append(
            _risk(
                "pulmonary oil embolism",
                OIL_EMBOLISM_OVER_CAP,
                True,
                f"{lip:.1f} mL lipiodol exceeds the 15 mL cap (SmPC)",
            )
        )
    if embolic_ml > 0.1:
        pes = 0.61 if ml.get("deb", 0.0) + ml.get("lipiodol", 0.0) > 0 else 0.41
        out.append(
            _risk(
                "post-embolization syndrome", pes, False, "TAE 41 % vs TACE 61 % (Endocrine 2014)"
            )
        )
    if sc.patient.carcinoid_syndrome and (embolic_ml > 0.1 or y90):
        out.append(
            _risk(
                "carcinoid crisis / haemodynamic instability",
                0.32,
                False,
                "32 % of liver-directed procedures (Kwon 2019): octreotide ready, "
                "vasopressors first-line",
            )
        )
    return out


def _risk(name: str, p: float, scored: bool, source: str) -> Complication:
    return Complication(name, round(float(p), 4), scored, source)


def _abscess(embolized: bool) -> Complication:
    """Liver abscess with a bilio-enteric anastomosis: after embolization, else after TARE."""
    if embolized:
        return _risk(
            "liver abscess",
            ABSCESS_AFTER_TACE_WHIPPLE,
            True,
            "6 of 7 patients with a prior Whipple developed an abscess after "
            "chemoembolization (Kim, SCVIR)",
        )
    return _risk(
        "liver abscess",
        ABSCESS_AFTER_TARE_BILIARY,
        True,
        "abscess 1/15 after TARE with prior biliary intervention (Agahi 2022)",
    )


def _biloma(sc, by_agent: dict, kinds: np.ndarray) -> Complication:
    """Biloma after DEB, scaled by DEB's share of what lodged in the liver."""
    small = [t for t in sc.tumors if t.diameter_mm < 40]
    hep = (kinds == "liver") | (kinds == "tumor")
    total = sum(float(v[hep].sum()) for v in by_agent.values())
    share = float(by_agent["deb"][hep].sum()) / total if total > 0 else 0.0
    base = BILOMA_DEB_MULTIFOCAL if len(small) >= 2 else BILOMA_DEB_OTHER
    return _risk(
        "biloma / bile-duct injury",
        base * share,
        True,
        "bilomas in 7/13 NET patients with multiple small lesions after DEB "
        "(Bhagat 2013); RETNET closed its DEB arm",
    )


def total_score(
    sc, coverage, damage, nt, lung_gy, fluoro_s, risk=0.0, risks=()
) -> tuple[float, list[ScoreComponent]]:
    """The score (0–100) and its components.

    Parameters
    ----------
    sc : Scenario
        The case; its ``scoring`` weights and limits.
    coverage, damage, nt : float
        Tumour coverage, normal-liver injury and non-target agent (fractions).
    lung_gy, fluoro_s : float
        Lung dose (Gy) and fluoroscopy time (s).
    risk : float
        The highest scored complication probability.
    risks : sequence of Complication
        All complication risks (the scored ones are named in the reason).
    """
    w = sc.scoring
    total_w = (
        w.coverage_weight
        + w.normal_liver_weight
        + w.non_target_weight
        + w.lung_weight
        + w.efficiency_weight
        + w.complications_weight
    ) or 1.0
    k = 100.0 / total_w
    parts = _parts(w, coverage, damage, nt, lung_gy, fluoro_s, risk, risks)
    earned = min(1.0, coverage / SAFETY_FULL_AT_COVERAGE)
    if earned < 1.0:
        note = f" (× {earned:.2f}: safety counts with treatment)"
        parts = parts[:1] + [(n, wt, f * earned, r + note) for n, wt, f, r in parts[1:]]
    comps = [ScoreComponent(n, round(k * wt * f, 2), round(k * wt, 2), r) for n, wt, f, r in parts]
    return sum(x.points for x in comps), comps


def _parts(w, coverage, damage, nt, lung_gy, fluoro_s, risk, risks) -> list[tuple]:
    """(name, weight, fraction earned, reason) of each component, before the safety rule."""
    fl_min = fluoro_s / 60.0
    lung_ok = (
        1.0
        if lung_gy <= w.lung_dose_limit_gy
        else max(0.0, 1.0 - (lung_gy - w.lung_dose_limit_gy) / w.lung_dose_limit_gy)
    )
    return [
        (
            "tumor_coverage",
            w.coverage_weight,
            coverage,
            f"{100 * coverage:.0f} % of target tumour mass treated",
        ),
        (
            "normal_liver",
            w.normal_liver_weight,
            max(0.0, 1.0 - damage / NORMAL_DAMAGE_ZERO_POINTS),
            f"{100 * damage:.1f} % of normal liver injured (0 points at "
            f"{100 * NORMAL_DAMAGE_ZERO_POINTS:.0f} %)",
        ),
        (
            "non_target",
            w.non_target_weight,
            float(np.exp(-nt / NON_TARGET_SCALE)),
            f"{100 * nt:.2f} % of the agent outside the liver"
            if nt > 0
            else "no non-target embolization",
        ),
        (
            "lung",
            w.lung_weight,
            lung_ok,
            f"lung dose {lung_gy:.1f} Gy (limit {w.lung_dose_limit_gy:g} Gy)",
        ),
        (
            "efficiency",
            w.efficiency_weight,
            float(np.clip((FLUORO_ZERO_MIN - fl_min) / (FLUORO_ZERO_MIN - FLUORO_FULL_MIN), 0, 1)),
            f"fluoroscopy {fl_min:.1f} min (full points ≤ {FLUORO_FULL_MIN:g} min)",
        ),
        (
            "complications",
            w.complications_weight,
            1.0 - risk,
            "; ".join(f"{r.name} {100 * r.probability:.0f} %" for r in risks if r.scored)
            or "no patient-specific complication risk",
        ),
    ]
