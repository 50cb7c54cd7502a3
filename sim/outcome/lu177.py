"""Lu-177 DOTATATE: receptor uptake, first pass from an intra-arterial tip, recirculation, doses.

Not embolic: the peptide binds somatostatin receptors. The model (``docs/physics.md``, section
"Lu-177 DOTATATE"; each constant's source or "teaching choice" beside it):

- Every tumour bed takes the peptide up with an intrinsic clearance ``PS`` (mL/min) set by its
  receptor density, read from the case's Ga-68 DOTATATE SUVmax: ``PS = SUV × m / BW × CL_sys``,
  so that after an intravenous dose a small tumour holds about the share of the activity its
  Ga-68 SUV says (SUV = uptake per g over activity per g of body). Per pass it extracts
  ``E = 1 − exp(−PS / Q)`` of what flows through it (Q its arterial flow; Renkin–Crone), so its
  clearance is ``Q·E``.
- Intra-arterial: what passes each bed on the first pass is the bed's share of the tip's flow
  (:mod:`sim.engine.peptide`); tumour beds keep ``E`` of it. Everything else (intravenous, and
  what the first pass did not keep) joins the systemic pool.
- The pool is shared among competing clearances, each getting its share: the body's own
  clearance ``CL_sys`` (kidneys, urine, liver, spleen, marrow) and every tumour's ``Q·E``.
  Kidney and marrow doses scale with the pool's share left to ``CL_sys``.

So the intra-arterial gain on a tumour is ``R + ΣCL / Q_tip`` (Collins 1984's regional
advantage; R the share not kept on the first pass): one extra pass against all the passes of
a slowly cleared pool — modest for a lobar tip, as LUTIA measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from sim.flow.compile import Compiled
from sim.outcome.lu177_result import CYCLES, Lu177Result, Lu177Tumor
from sim.outcome.penalties import FAIL_CAP
from sim.outcome.result import Complication, Penalty

LU177_HALF_LIFE_D = 6.647  # Lutathera SmPC (R)
LU177_MEAN_BETA_MEV = 0.13  # mean β energy ≈ 0.13 MeV, local deposition (Lutathera SmPC, R)
# Effective half-life of receptor-bound activity in NET lesions, days (M: reported 177Lu-DOTATATE
# tumour effective half-lives cluster at 3–4 d; not verified against a source — teaching choice).
TUMOR_EFFECTIVE_HALF_LIFE_D = 3.5
MEV_J = 1.602176634e-13
# Absorbed dose per GBq bound per kg, all β energy local: E_β × T_eff / ln 2 (D) ≈ 9.1 Gy·kg/GBq.
GY_KG_PER_GBQ = (
    1e9 * LU177_MEAN_BETA_MEV * MEV_J * TUMOR_EFFECTIVE_HALF_LIFE_D * 86400.0 / math.log(2)
)
# Whole-body clearance of the peptide from blood, mL/min: 4.5 L/h (M: Lutathera prescribing
# information, clinical pharmacology; not verified — teaching choice). With a lobar arterial flow
# of 250–450 mL/min it sets the intra-arterial gain at 1.17–1.3 (LUTIA: 1.17, 95 % CI 1.00–1.37,
# Ebbers 2024, reference §9, R).
SYSTEMIC_CLEARANCE_ML_MIN = 75.0
# Kidney dose per GBq given intravenously: median 0.47 Gy/GBq for 177Lu-DOTATATE (Staanum 2021,
# EJNMMI Phys 8:78, PMC8590641, R; 0.38 ± 0.19 in PMC6300448, R).
KIDNEY_GY_PER_GBQ = 0.47
# Red-marrow dose per GBq intravenously (M: 0.02–0.07 Gy/GBq in 177Lu-DOTATATE dosimetry series,
# the marrow following blood activity — Forrer 2009; not verified: teaching choice 0.035).
MARROW_GY_PER_GBQ = 0.035
# Cumulative limits over a course: kidneys 23 Gy (TD5/5 of external-beam radiotherapy, Emami
# 1991, as used for PRRT in the EANM procedure guideline, Bodei 2013 — M, not verified against
# the sources); red marrow 2 Gy (same guideline, from radioiodine therapy — M).
KIDNEY_LIMIT_GY = 23.0
MARROW_LIMIT_GY = 2.0
# Tumour response to the course's dose: D / (D + D50) (teaching choice: tumour shrinkage rises
# with absorbed dose in PRRT, Ilan 2015 — M; D50 chosen so a standard course on an avid lesion
# gives about half).
RESPONSE_D50_GY = 100.0
LABEL_GBQ = 7.4  # activity per cycle in the label (Lutathera SmPC, R)
# Points off a cycle above the label's activity: more needs individual dosimetry, which this
# case does not give (teaching choice, U).
OVER_LABEL_POINTS = 10.0
HORMONAL_CRISIS = 0.01  # after Lu-177 octreotate: 6 of 479 patients (de Keizer 2008, §3.5, R)
LUTIA_GAIN, LUTIA_CI = 1.17, (1.00, 1.37)  # IA over IV tumour uptake (Ebbers 2024, §9, R)


@dataclass(frozen=True)
class PeptideRecord:
    """What was given, as the engine tallies it (GBq): into a vein, and through each bed (B,)
    on its first pass from the catheter tip; the vessels it was given from."""

    venous_gbq: float
    bed_pass_gbq: np.ndarray
    tips: tuple[str, ...]

    @property
    def arterial_gbq(self) -> float:
        return float(self.bed_pass_gbq.sum())

    @property
    def activity_gbq(self) -> float:
        return self.venous_gbq + self.arterial_gbq


def bed_uptake_clearance(sc, c: Compiled) -> tuple[np.ndarray, np.ndarray]:
    """Per bed (B,): extraction per pass ``E`` and uptake clearance ``Q·E`` (mL/min).

    Tumour beds only (normal liver and extrahepatic beds: 0; their uptake is in ``CL_sys``).
    """
    body_g = sc.patient.weight_kg * 1e3
    by_id = {t.id: t.suv_max for t in sc.tumors}
    suv = np.array([by_id[c.tumor_ids[k]] if k >= 0 else 0.0 for k in c.bed_tumor])
    ps = suv * c.bed_mass_g / body_g * SYSTEMIC_CLEARANCE_ML_MIN
    q = np.maximum(c.bed_flow0_ml_min, 1e-12)
    extraction = np.where(c.bed_tumor >= 0, 1.0 - np.exp(-ps / q), 0.0)
    return extraction, q * extraction


def bound_gbq(rec: PeptideRecord, extraction: np.ndarray, cl: np.ndarray) -> np.ndarray:
    """Activity each bed binds (B,): its first-pass share, then its share of the pool."""
    first = rec.bed_pass_gbq * extraction
    pool = rec.activity_gbq - float(first.sum())
    return first + pool * cl / (SYSTEMIC_CLEARANCE_ML_MIN + float(cl.sum()))


def lu177_outcome(sc, c: Compiled, rec: PeptideRecord | None) -> Lu177Result | None:
    """The cycle's tumour, kidney and marrow doses from what was given, or None."""
    if rec is None:
        return None
    extraction, cl = bed_uptake_clearance(sc, c)
    bound = bound_gbq(rec, extraction, cl)
    iv = bound_gbq(PeptideRecord(rec.activity_gbq, 0.0 * rec.bed_pass_gbq, ()), extraction, cl)
    pool = rec.activity_gbq - float((rec.bed_pass_gbq * extraction).sum())
    sys_share = SYSTEMIC_CLEARANCE_ML_MIN / (SYSTEMIC_CLEARANCE_ML_MIN + float(cl.sum()))
    tumors, got, want = [], 0.0, 0.0
    spec = {t.id: t for t in sc.tumors}
    for k, tid in enumerate(c.tumor_ids):
        t, m = spec[tid], c.bed_tumor == k
        u, u_iv = float(bound[m].sum()), float(iv[m].sum())
        mass_kg = float(c.bed_mass_g[m].sum()) * 1e-3
        tumors.append(Lu177Tumor(t.id, t.target, u, GY_KG_PER_GBQ * u / mass_kg, u / u_iv))
        if t.target:
            got, want = got + u, want + u_iv
    arterial = rec.arterial_gbq > 0
    route = "ia+iv" if arterial and rec.venous_gbq > 0 else "ia" if arterial else "iv"
    return Lu177Result(
        route=route,
        activity_gbq=rec.activity_gbq,
        tips=rec.tips,
        tumors=tuple(tumors),
        kidney_gy=KIDNEY_GY_PER_GBQ * pool * sys_share,
        marrow_gy=MARROW_GY_PER_GBQ * pool * sys_share,
        ia_iv_uptake_ratio=got / want if arterial and want > 0 else None,
    )


def tumor_kill(res: Lu177Result | None, c: Compiled) -> np.ndarray:
    """Response of each bed (B,) to its tumour's course dose: D / (D + D50); 0 outside tumours."""
    out = np.zeros(len(c.beds))
    if res is None:
        return out
    for k, t in enumerate(res.tumors):
        d = t.dose_gy * CYCLES
        out[c.bed_tumor == k] = d / (d + RESPONSE_D50_GY)
    return out


def risks(res: Lu177Result | None) -> list[Complication]:
    """The complication risk of the cycle shown in the debrief (not scored)."""
    if res is None:
        return []
    source = "6 of 479 patients after Lu-177 octreotate (de Keizer 2008): octreotide at hand"
    return [Complication("hormonal (carcinoid) crisis", HORMONAL_CRISIS, False, source)]


def failures(res: Lu177Result | None) -> list[str]:
    """Why the cycle fails the case: a course over the kidney or the marrow limit."""
    if res is None:
        return []
    out = []
    if res.kidney_course_gy > KIDNEY_LIMIT_GY:
        out.append(
            f"kidney dose {res.kidney_course_gy:.1f} Gy over {CYCLES} cycles exceeds the "
            f"{KIDNEY_LIMIT_GY:g} Gy limit (Emami 1991; EANM PRRT guideline)"
        )
    if res.marrow_course_gy > MARROW_LIMIT_GY:
        out.append(
            f"bone-marrow dose {res.marrow_course_gy:.2f} Gy over {CYCLES} cycles exceeds the "
            f"{MARROW_LIMIT_GY:g} Gy limit (EANM PRRT guideline)"
        )
    return out


def with_limits(card, res: Lu177Result | None):
    """The score card with a cycle above the label's activity penalized, the kidney and marrow
    failures added and the failing cap applied (:data:`sim.outcome.penalties.FAIL_CAP`);
    unchanged without Lu-177."""
    if res is None:
        return card
    pens = list(card.penalties)
    score = card.score
    if res.activity_gbq > LABEL_GBQ * 1.01:
        pts = min(OVER_LABEL_POINTS, score)
        why = (
            f"{res.activity_gbq:.1f} GBq in one cycle, above the label's {LABEL_GBQ:g} GBq "
            "(Lutathera SmPC): more needs individual dosimetry"
        )
        pens.append(Penalty("lu177_activity", round(pts, 2), why))
        score -= pts
    fails = failures(res)
    if fails and score > FAIL_CAP:
        pens.append(Penalty("failed", round(score - FAIL_CAP, 2), "failing plan: " + fails[0]))
        score = FAIL_CAP
    return replace(card, score=score, penalties=pens, failures=[*fails, *card.failures])


def lu177_lines(res: Lu177Result | None) -> list[str]:
    """The debrief's Lu-177 rows: the cycle's doses, the course against the limits, and the
    intra-arterial gain beside LUTIA's (empty without Lu-177)."""
    if res is None:
        return []
    where = f"from {', '.join(res.tips)}" if res.tips else "into a vein"
    tumors = ", ".join(
        f"{t.id} {t.dose_gy:.0f} Gy ({t.ia_iv_ratio:.2f}× IV)"
        if res.tips
        else f"{t.id} {t.dose_gy:.0f} Gy"
        for t in res.tumors
    )
    return [
        f"Lu-177 DOTATATE {res.activity_gbq:.1f} GBq {where} ({res.route}); per cycle: {tumors}",
        f"Kidneys {res.kidney_gy:.2f} Gy per cycle, {res.kidney_course_gy:.1f} Gy over "
        f"{CYCLES} cycles (limit {KIDNEY_LIMIT_GY:g} Gy); red marrow {res.marrow_gy:.2f} Gy, "
        f"{res.marrow_course_gy:.2f} Gy over the course (limit {MARROW_LIMIT_GY:g} Gy)",
        lutia_sentence(res),
    ]


def lutia_sentence(res: Lu177Result) -> str:
    """The debrief's line: the case's intra-arterial gain beside LUTIA's."""
    lo, hi = LUTIA_CI
    trial = f"LUTIA measured {LUTIA_GAIN:.2f}× (95 % CI {lo:.2f}–{hi:.2f}; Ebbers 2024)"
    if res.ia_iv_uptake_ratio is None:
        return f"Intravenous: the standard route. Intra-arterial gives little more: {trial}."
    return (
        f"Intra-arterial Lu-177 DOTATATE from {', '.join(res.tips)}: target tumour uptake "
        f"{res.ia_iv_uptake_ratio:.2f}× what the same activity would give intravenously — a "
        f"modest gain; {trial}, not clinically significant."
    )
