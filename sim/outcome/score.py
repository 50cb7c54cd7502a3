"""The score and the patient-specific complication risks of what was done.

Each weight's source or "U" (unsourced, chosen for teaching) stands beside it. The components
weigh tumour coverage, normal-liver injury, non-target load, lung dose, fluoroscopy time and the
scored complication risks with the case's weights (:class:`sim.scenario.models.Scoring`);
:func:`grade` then takes off the penalties, applies the untreated-target factor and caps a
failing plan (:mod:`sim.outcome.penalties`; ``docs/physics.md`` §8.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents import LIPIODOL_MAX_ML as LIPIODOL_CAP_ML
from sim.outcome import penalties as pen
from sim.outcome.penalties import NonTargetLoad
from sim.outcome.result import Complication, Penalty, ScoreComponent

NORMAL_DAMAGE_ZERO_POINTS = 0.30  # normal-liver damage fraction that scores 0 (U)
# Sparing the patient is earned by treating: the safety components (normal liver, non-target,
# lung, efficiency, complications) count in proportion to tumour coverage up to this much, so
# doing nothing cannot score (U, playability; a teaching choice, not a clinical rule).
SAFETY_FULL_AT_COVERAGE = 0.5
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


@dataclass(frozen=True)
class ScoreCard:
    """The score (0–100), its components, the penalties taken off and why the plan fails."""

    score: float
    components: list[ScoreComponent]
    penalties: list[Penalty]
    failures: list[str]


def grade(sc, coverage, damage, nt: NonTargetLoad, lung_gy, metrics, tumors, risks, intent_res):
    """The whole score: components, then penalties, untreated targets and the failing cap.

    The components (:func:`total_score`) are summed; technique, non-target beyond its component
    and a missed Y-90 intent are taken off (score ≥ 0); each untreated target multiplies what is
    left by :data:`~sim.outcome.penalties.UNTREATED_FACTOR`; a failing plan is capped at
    :data:`~sim.outcome.penalties.FAIL_CAP`. Every step is a :class:`Penalty` with its reason.
    """
    worst = max((r.probability for r in risks if r.scored), default=0.0)
    total, comps = total_score(
        sc, coverage, damage, nt.load, lung_gy, metrics.fluoro_s, worst, risks, nt.reason
    )
    pens = pen.technique(sc, metrics)
    over = max(0.0, nt.load / pen.NON_TARGET_LOAD_ZERO - 1.0)
    if over > 0:
        k = 100.0 / _total_weight(sc.scoring)
        pts = k * sc.scoring.non_target_weight * over
        pens.append(Penalty("non_target", round(pts, 2), f"beyond its component: {nt.reason}"))
    if intent_res is not None and not intent_res.met:
        pens.append(
            Penalty("y90_intent", pen.INTENT_MISSED_POINTS, f"intent not met: {intent_res.reason}")
        )
    score = max(0.0, total - sum(p.points for p in pens))
    missed = pen.untreated(tumors)
    if missed and score > 0:
        kept = score * pen.UNTREATED_FACTOR ** len(missed)
        pens.append(
            Penalty(
                "untreated_target",
                round(score - kept, 2),
                f"target {', '.join(missed)} left untreated (score × "
                f"{pen.UNTREATED_FACTOR:g} per untreated target)",
            )
        )
        score = kept
    fails = pen.failures(sc, lung_gy, dict(metrics.agent_ml), nt, tuple(risks))
    if fails and score > pen.FAIL_CAP:
        pens.append(Penalty("failed", round(score - pen.FAIL_CAP, 2), "failing plan: " + fails[0]))
        score = pen.FAIL_CAP
    return ScoreCard(score, comps, pens, fails)


def _total_weight(w) -> float:
    return (
        w.coverage_weight
        + w.normal_liver_weight
        + w.non_target_weight
        + w.lung_weight
        + w.efficiency_weight
        + w.complications_weight
    ) or 1.0


def total_score(
    sc, coverage, damage, nt, lung_gy, fluoro_s, risk=0.0, risks=(), nt_reason=""
) -> tuple[float, list[ScoreComponent]]:
    """The components' sum (0–100) and the components.

    Parameters
    ----------
    sc : Scenario
        The case; its ``scoring`` weights and limits.
    coverage, damage : float
        Tumour coverage and normal-liver injury (fractions).
    nt : float
        Non-target load: Σ severity × fraction of the agent in each territory
        (:func:`sim.outcome.penalties.non_target_load`); the component is empty at
        :data:`~sim.outcome.penalties.NON_TARGET_LOAD_ZERO`.
    lung_gy, fluoro_s : float
        Lung dose (Gy) and fluoroscopy time (s).
    risk : float
        The highest scored complication probability.
    risks : sequence of Complication
        All complication risks (the scored ones are named in the reason).
    nt_reason : str
        Where the non-target agent went, in words.
    """
    w = sc.scoring
    k = 100.0 / _total_weight(w)
    parts = _parts(w, coverage, damage, nt, lung_gy, fluoro_s, risk, risks, nt_reason)
    earned = min(1.0, coverage / SAFETY_FULL_AT_COVERAGE)
    if earned < 1.0:
        note = f" (× {earned:.2f}: safety counts with treatment)"
        parts = parts[:1] + [(n, wt, f * earned, r + note) for n, wt, f, r in parts[1:]]
    comps = [ScoreComponent(n, round(k * wt * f, 2), round(k * wt, 2), r) for n, wt, f, r in parts]
    return sum(x.points for x in comps), comps


def _parts(w, coverage, damage, nt, lung_gy, fluoro_s, risk, risks, nt_reason) -> list[tuple]:
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
            max(0.0, 1.0 - nt / pen.NON_TARGET_LOAD_ZERO),
            nt_reason if nt > 0 and nt_reason else "no non-target embolization",
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
