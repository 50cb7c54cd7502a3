"""From deposits and flows to coverage, damage, non-target injury, lung dose and the score.

The model (each weight's source or "U" beside it):

- Per bed, *ischaemia* = 1 − Q/Q₀ after the catheter is withdrawn (flow lost to occlusion).
- Tumour sub-beds are almost purely arterial: ischaemic kill = ischaemia × 0.95. Doxorubicin
  kills with 1 − exp(−mg/g ÷ 0.5) (U). Y-90 covers dose/target (capped at 1). Coverage combines
  these as independent kills; the case's coverage is mass-weighted over target tumours.
- Normal liver has a dual supply: bland ischaemia costs only part of its arterial share
  (25 %, ASA; Carlisle 1992) — all of the inflow with portal vein thrombosis (necrosis OR 9.8,
  Joskin 2015). The
  arterial-only peribiliary plexus is hurt by small beads and DEB (bilomas in 54 % of
  multifocal NET livers after DEB, Bhagat 2013; RETNET DEB arm stopped). Radiation injures
  above tolerance (70 Gy resin ≈ 120 Gy glass, Walrand 2014), as a logistic around it (U).
- Dose-volume (Y-90 only; :mod:`sim.outcome.dose_volume`): each tumour's ``dose_volume`` is the
  exact cumulative DVH of its rim and core sub-beds, and ``normal_liver_dose_volume_by_segment``
  samples each segment's normal-liver DVH. Without Y-90 the lists are empty and the dict too, so
  the keys are always there.
"""

from __future__ import annotations

import numpy as np

from sim import physiology as phys
from sim.agents import AGENTS, mean_diameter_um, sphere_volume_m3
from sim.agents import LIPIODOL_MAX_ML as LIPIODOL_CAP_ML
from sim.anatomy.graph import BED_KINDS, NON_TARGET_KINDS
from sim.flow.territory import COMPLICATION, push_down
from sim.outcome.dose_volume import cumulative_dvh, sampled_dvh
from sim.outcome.dosimetry import MIRD_GY_KG_PER_GBQ, lung_dose_gy, resin_equivalent_gy
from sim.transport.packets import AGENT_IDS

DRUG_KILL_MG_PER_G = 0.5  # doxorubicin mg/g giving 63 % kill (U)
NORMAL_DAMAGE_ZERO_POINTS = 0.30  # normal-liver damage fraction that scores 0 (U)
# Sparing the patient is earned by treating: the safety components (normal liver, non-target,
# lung, efficiency, complications) count in proportion to tumour coverage up to this much, so
# doing nothing cannot score (U, playability; a teaching choice, not a clinical rule).
SAFETY_FULL_AT_COVERAGE = 0.5
NON_TARGET_SCALE = 0.01  # non-target fraction at which that component falls to 37 % (U)
# Injury per unit of lost arterial inflow in normal liver. Ischaemic injury: arterial share
# (25 %) × 0.4, because the portal supply carries the parenchyma through (U). Biliary injury of
# the arterial-only peribiliary plexus: DEB strongly (Bhagat 2013), bland and PVA mildly (U).
NORMAL_ISCHEMIA_INJURY = 0.4
BILIARY_WEIGHT = {"deb": 0.5, "bland": 0.05, "pva": 0.05, "lipiodol": 0.03}
FLUORO_FULL_MIN, FLUORO_ZERO_MIN = 10.0, 30.0  # TACE fluoroscopy 19 ± 10 min (Choi 2024, R)
ABSCESS_AFTER_TACE_WHIPPLE = 0.85  # 6/7 with prior Whipple (Kim, SCVIR report, R2)
ABSCESS_AFTER_TARE_BILIARY = 0.066  # 1/15 (Agahi 2022, R)
BILOMA_DEB_MULTIFOCAL = 0.54  # 7/13 with multiple small lesions (Bhagat 2013, R)
BILOMA_DEB_OTHER = 0.10  # U: DEB without multifocal small lesions
OIL_EMBOLISM_OVER_CAP = 0.3  # U: risk once the cap is exceeded


def assess(p) -> dict:
    """The outcome of a finished (or running) procedure as a JSON-friendly dict."""
    c, tr, sc = p.c, p.transport, p.scenario
    flow0 = p.flow.baseline_flow
    kinds = np.array([BED_KINDS[k] for k in c.bed_kind])
    tumor_b = kinds == "tumor"
    liver_b = kinds == "liver"
    nt_b = np.isin(kinds, NON_TARGET_KINDS)

    bed_count = push_down(c, tr.dep_count, flow0)
    bed_act_gbq = push_down(c, tr.dep_activity, flow0) * 1e-9
    bed_drug = push_down(c, tr.dep_drug, flow0)
    used = [i for i in range(len(AGENT_IDS)) if tr.delivered_count[i] > 0]
    by_agent = {AGENT_IDS[i]: push_down(c, tr.dep_agent_count[i], flow0) for i in used}

    delivered = float(tr.delivered_count.sum())
    lung = float(tr.lung_count.sum())
    out = float(tr.out_count.sum())
    flying = float(tr.in_flight_count().sum())
    frac = (lambda x: float(x) / delivered) if delivered > 0 else (lambda x: 0.0)
    nt_terr: dict[str, float] = {}
    for b in np.flatnonzero(nt_b & (bed_count > 0)):
        t = c.beds[b].territory
        nt_terr[t] = nt_terr.get(t, 0.0) + frac(bed_count[b])
    if out > 0:
        nt_terr["systemic"] = frac(out)

    q_now = np.abs(p.flow.flow[c.bed_edge])
    q0 = np.maximum(np.abs(flow0[c.bed_edge]), 1e-30)
    ischemia = 1.0 - np.clip(q_now / q0, 0.0, 1.0)
    mass_kg = c.bed_mass_g * 1e-3
    dose = MIRD_GY_KG_PER_GBQ * bed_act_gbq / mass_kg
    device = next((a for a in ("y90_glass", "y90_resin") if a in by_agent), "y90_resin")
    radioactive = any(a.startswith("y90") for a in by_agent)

    # lipiodol retained per bed, mL: droplets of the emulsion's oil; tumours keep it, normal liver
    # clears it within 7–15 days (SmPC) — the retention factor is the catalogue's (U)
    lip_ml = np.zeros(len(c.beds))
    if "lipiodol" in by_agent:
        drop_ml = (
            float(
                sphere_volume_m3(
                    mean_diameter_um("lipiodol", AGENTS["lipiodol"].default_size_um) * 1e-6
                )
            )
            * 1e6
        )
        keep = np.where(tumor_b, 1.0, AGENTS["lipiodol"].normal_liver_retention)
        lip_ml = by_agent["lipiodol"] * drop_ml * keep

    # tumours
    drug_kill = 1.0 - np.exp(-(bed_drug / c.bed_mass_g) / DRUG_KILL_MG_PER_G)
    rad = np.clip(dose / sc.scoring.tumor_target_dose_gy, 0.0, 1.0)
    cov = 1.0 - (1.0 - ischemia * phys.TUMOR_ARTERIAL_SHARE) * (1.0 - drug_kill) * (1.0 - rad)
    tumors = []
    tmass_tot, tcov_tot = 0.0, 0.0
    for ti, t in enumerate(sc.tumors):
        m = c.bed_tumor == ti
        mass = float(c.bed_mass_g[m].sum())
        tcov = float((cov[m] * c.bed_mass_g[m]).sum() / mass)
        tact = float(bed_act_gbq[m].sum())
        entry = {
            "id": t.id,
            "target": t.target,
            "mass_g": round(mass, 3),
            "tn_ratio": t.tn_ratio,
            "coverage": round(tcov, 4),
            "deposited_fraction": round(frac(bed_count[m].sum()), 5),
            "dose_gy": round(MIRD_GY_KG_PER_GBQ * tact / (mass * 1e-3), 3),
            "doxorubicin_mg_per_g": round(float(bed_drug[m].sum()) / mass, 4),
            "lipiodol_ml": round(float(lip_ml[m].sum()), 4),
            "regions": {
                r: round(
                    float(
                        (cov[m & (_regions(c) == r)] * c.bed_mass_g[m & (_regions(c) == r)]).sum()
                        / max(c.bed_mass_g[m & (_regions(c) == r)].sum(), 1e-12)
                    ),
                    4,
                )
                for r in ("rim", "core")
            },
            "dose_volume": cumulative_dvh(dose[m], c.bed_mass_g[m]) if radioactive else [],
        }
        tumors.append(entry)
        if t.target:
            tmass_tot += mass
            tcov_tot += tcov * mass
    coverage = tcov_tot / tmass_tot if tmass_tot else 0.0

    # normal liver
    w_isch = (1.0 if sc.patient.portal_vein_thrombosis else phys.NORMAL_LIVER_ARTERIAL_SHARE) * (
        NORMAL_ISCHEMIA_INJURY
    )
    bile_w = np.zeros(len(c.beds))
    tot = np.maximum(bed_count, 1e-30)
    for a, cnt in by_agent.items():
        bile_w += BILIARY_WEIGHT.get(a, 0.0) * cnt / tot
    deq = np.array([resin_equivalent_gy(d, device) for d in dose])
    tol = sc.scoring.normal_liver_tolerance_gy
    rad_dmg = 1.0 / (1.0 + np.exp(-(deq - tol) / (0.15 * tol)))
    rad_dmg = np.where(dose > 0, rad_dmg, 0.0)
    dmg = 1.0 - (1.0 - ischemia * w_isch) * (1.0 - ischemia * bile_w) * (1.0 - rad_dmg)
    lm = c.bed_mass_g[liver_b]
    normal_mass = float(lm.sum())
    damage = float((dmg[liver_b] * lm).sum() / normal_mass)
    by_seg, dvh_seg = {}, {}
    for s in sorted({b.segment for b in c.beds if b.kind == "liver"}):
        m = liver_b & np.array([b.segment == s for b in c.beds])
        by_seg[s] = round(float((dmg[m] * c.bed_mass_g[m]).sum() / c.bed_mass_g[m].sum()), 4)
        if radioactive:
            dvh_seg[s] = sampled_dvh(dose[m], c.bed_mass_g[m])
    nl_dose = float((dose[liver_b] * lm).sum() / normal_mass)
    lung_gbq = float(tr.lung_activity.sum()) * 1e-9
    lung_gy = lung_dose_gy(lung_gbq)

    dep = {
        "tumor": round(frac(bed_count[tumor_b].sum()), 5),
        "normal_liver": round(frac(bed_count[liver_b].sum()), 5),
        "non_target": round(frac(bed_count[nt_b].sum() + out), 5),
        "lung": round(frac(lung), 5),
        "in_flight": round(frac(flying), 5),
    }
    m = p.metrics
    metrics = {
        "procedure_s": round(m.procedure_s, 2),
        "fluoro_s": round(m.fluoro_s, 2),
        "contrast_ml": round(m.contrast_ml, 2),
        "agent_ml": round(sum(m.agent_ml.values()), 3),
        "activity_gbq": round(m.activity_gbq, 4),
        "drug_mg": round(m.drug_mg, 2),
        "lipiodol_oil_ml": round(m.oil_ml, 2),
    }
    comps = complications(sc, p.metrics, by_agent, kinds)
    worst = max((c_["probability"] for c_ in comps if c_["scored"]), default=0.0)
    score, components = _score(
        sc, coverage, damage, sum(nt_terr.values()), lung_gy, m.fluoro_s, worst, comps
    )
    return {
        "scenario": sc.title,
        "seed": p.seed,
        "score": round(score, 2),
        "components": components,
        "tumor_coverage": round(coverage, 4),
        "normal_liver_damage": round(damage, 4),
        "normal_liver_damage_by_segment": by_seg,
        "normal_liver_mass_g": round(normal_mass, 2),
        "deposition": dep,
        "non_target": {k: round(v, 5) for k, v in sorted(nt_terr.items())},
        "non_target_complications": {
            k: COMPLICATION.get(_nt_kind(c, k), "") for k in sorted(nt_terr)
        },
        "tumors": tumors,
        "normal_liver_dose_gy": round(nl_dose, 3),
        "normal_liver_dose_volume_by_segment": dvh_seg,
        "lipiodol_retained_ml": {
            "tumor": round(float(lip_ml[tumor_b].sum()), 4),
            "normal_liver": round(float(lip_ml[liver_b].sum()), 4),
        },
        "lung_dose_gy": round(lung_gy, 3),
        "sace_level": p.final_sace,
        "complications": comps,
        "metrics": metrics,
        "events": [e.as_dict() for e in p.events],
        "disclaimer": "Siphon is a teaching tool, not a clinical planning device.",
    }


def _regions(c) -> np.ndarray:
    return np.array([b.region or "" for b in c.beds])


def _nt_kind(c, territory: str) -> str:
    if territory == "systemic":
        return "systemic"
    return next((b.kind for b in c.beds if b.territory == territory), "")


def complications(sc, metrics, by_agent: dict, kinds: np.ndarray) -> list[dict]:
    """Patient-specific complication risks of what was done (scored, or shown for teaching)."""
    out = []
    ml = metrics.agent_ml
    embolic_ml = sum(v for a, v in ml.items() if a in ("bland", "pva", "deb", "lipiodol"))
    y90 = any(a.startswith("y90") for a in ml)
    if sc.patient.prior_whipple and embolic_ml > 0.1:
        out.append(
            _risk(
                "liver abscess",
                ABSCESS_AFTER_TACE_WHIPPLE,
                True,
                "6 of 7 patients with a prior Whipple developed an abscess after "
                "chemoembolization (Kim, SCVIR)",
            )
        )
    elif sc.patient.prior_whipple and y90:
        out.append(
            _risk(
                "liver abscess",
                ABSCESS_AFTER_TARE_BILIARY,
                True,
                "abscess 1/15 after TARE with prior biliary intervention (Agahi 2022)",
            )
        )
    if ml.get("deb", 0.0) > 0.1 and "deb" in by_agent:
        small = [t for t in sc.tumors if t.diameter_mm < 40]
        hep = (kinds == "liver") | (kinds == "tumor")
        total = sum(float(v[hep].sum()) for v in by_agent.values())
        share = float(by_agent["deb"][hep].sum()) / total if total > 0 else 0.0
        base = BILOMA_DEB_MULTIFOCAL if len(small) >= 2 else BILOMA_DEB_OTHER
        out.append(
            _risk(
                "biloma / bile-duct injury",
                base * share,
                True,
                "bilomas in 7/13 NET patients with multiple small lesions after DEB "
                "(Bhagat 2013); RETNET closed its DEB arm",
            )
        )
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


def _risk(name: str, p: float, scored: bool, source: str) -> dict:
    return {"name": name, "probability": round(float(p), 4), "scored": scored, "source": source}


def _score(
    sc, coverage, damage, nt, lung_gy, fluoro_s, risk=0.0, risks=()
) -> tuple[float, list[dict]]:
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
    fl_min = fluoro_s / 60.0
    lung_ok = (
        1.0
        if lung_gy <= w.lung_dose_limit_gy
        else max(0.0, 1.0 - (lung_gy - w.lung_dose_limit_gy) / w.lung_dose_limit_gy)
    )
    parts = [
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
            "; ".join(f"{r['name']} {100 * r['probability']:.0f} %" for r in risks if r["scored"])
            or "no patient-specific complication risk",
        ),
    ]
    earned = min(1.0, coverage / SAFETY_FULL_AT_COVERAGE)
    if earned < 1.0:
        note = f" (× {earned:.2f}: safety counts with treatment)"
        parts = parts[:1] + [(n, wt, f * earned, r + note) for n, wt, f, r in parts[1:]]
    comps = [
        {"name": n, "points": round(k * wt * f, 2), "max": round(k * wt, 2), "reason": r}
        for n, wt, f, r in parts
    ]
    return sum(x["points"] for x in comps), comps
