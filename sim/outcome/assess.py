"""From deposits and flows to coverage, damage, non-target injury, lung dose and the score.

:func:`assess` reads a :class:`FinalState` — what the outcome needs of a procedure, declared
here; the engine builds one (:func:`sim.engine.final.final_state`) — and returns an
:class:`~sim.outcome.result.Outcome`. The score and the complication risks are in
:mod:`sim.outcome.score`.

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
  exact cumulative DVH of its rim and core sub-beds, and the normal liver's
  ``dose_volume_by_segment`` samples each segment's DVH. Without Y-90 the lists are empty and the
  dict too, so the JSON keys are always there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from sim import physiology as phys
from sim.agents import AGENTS, mean_diameter_um, sphere_volume_m3
from sim.anatomy.graph import BED_KINDS, NON_TARGET_KINDS
from sim.flow.compile import Compiled
from sim.flow.territory import COMPLICATION, push_down
from sim.outcome.dose_volume import cumulative_dvh, sampled_dvh
from sim.outcome.dosimetry import MIRD_GY_KG_PER_GBQ, lung_dose_gy, resin_equivalent_gy
from sim.outcome.goals import grade_goals
from sim.outcome.penalties import intent, non_target_load, perfused_dose_gy
from sim.outcome.result import (
    Deposition,
    LipiodolRetained,
    NonTargetDeposit,
    NormalLiver,
    Outcome,
    ProcedureMetrics,
    ReportedEvent,
    TumorOutcome,
)
from sim.outcome.score import complications, grade
from sim.scenario.models import Scenario
from sim.transport.packets import AGENT_IDS
from sim.transport.tallies import Tallies

DRUG_KILL_MG_PER_G = 0.5  # doxorubicin mg/g giving 63 % kill (U)
# Injury per unit of lost arterial inflow in normal liver. Ischaemic injury: arterial share
# (25 %) × 0.4, because the portal supply carries the parenchyma through (U). Biliary injury of
# the arterial-only peribiliary plexus: DEB strongly (Bhagat 2013), bland and PVA mildly (U).
NORMAL_ISCHEMIA_INJURY = 0.4
LUNG_EMBOLIC = ("bland", "pva", "deb")
LUNG_EMBOLISM = "pulmonary embolism (particles through tumour shunts)"
BILIARY_WEIGHT = {"deb": 0.5, "bland": 0.05, "pva": 0.05, "lipiodol": 0.03}


class Usage(Protocol):
    """What was used, as the engine counts it (times s, volumes mL, activity GBq, drug mg)."""

    procedure_s: float
    fluoro_s: float
    contrast_ml: float
    agent_ml: dict[str, float]
    activity_gbq: float
    drug_mg: float
    oil_ml: float
    after_stasis_ml: float  # agent pushed after stasis at the tip's position
    reflux_ml: float  # agent pushed (before stasis) while the flow behind the tip ran backwards


class Reportable(Protocol):
    """An engine event: ``as_dict()`` gives its ``{"t", "kind", "detail"}``."""

    def as_dict(self) -> dict: ...


@dataclass(frozen=True)
class FinalState:
    """What :func:`assess` reads of a procedure: the case, the tree, the flows, the tallies.

    ``baseline_flow`` and ``flow`` are edge flows (m³/s, (E,)) before any embolization and
    now; ischaemia is read from their ratio at each bed. ``sace_level`` is the angiographic
    endpoint at the tip when the case was finished (None before, or off the tree).
    ``tallies`` are the transport's (:class:`sim.transport.tallies.Tallies`: activity in Bq,
    drug in mg); ``delivered_count`` and ``in_flight_count`` (A,) count spheres per agent in
    :data:`~sim.transport.packets.AGENT_IDS` order, delivered in all and still in flight.
    """

    scenario: Scenario
    seed: int
    compiled: Compiled
    baseline_flow: np.ndarray
    flow: np.ndarray
    tallies: Tallies
    delivered_count: np.ndarray
    in_flight_count: np.ndarray
    metrics: Usage
    events: Sequence[Reportable]
    sace_level: int | None


@dataclass(frozen=True)
class _Beds:
    """Per-bed quantities (B,) that every part of the outcome reads."""

    kinds: np.ndarray  # bed kind names
    tumor: np.ndarray  # masks
    liver: np.ndarray
    non_target: np.ndarray
    count: np.ndarray  # spheres
    activity_gbq: np.ndarray
    drug_mg: np.ndarray
    by_agent: dict[str, np.ndarray]  # spheres of each agent used
    ischemia: np.ndarray  # 1 − Q/Q₀
    dose_gy: np.ndarray
    lipiodol_ml: np.ndarray  # retained
    delivered: float  # spheres delivered in all

    def frac(self, x) -> float:
        """``x`` spheres as a fraction of everything delivered (0 when nothing was)."""
        return float(x) / self.delivered if self.delivered > 0 else 0.0


def assess(s: FinalState) -> Outcome:
    """The outcome of a finished (or running) procedure, from its final state."""
    sc, tl, m = s.scenario, s.tallies, s.metrics
    b = _beds(s)
    tumors, coverage = _tumors(s, b)
    liver, damage = _normal_liver(s, b)
    nt_terr = _non_target(s.compiled, b, float(tl.out_count.sum()))
    lung_gy = lung_dose_gy(float(tl.lung_activity.sum()) * 1e-9)
    comps = complications(sc, m, b.by_agent, b.kinds)
    deposits = _nt_deposits(s, b, nt_terr)
    nt = non_target_load(deposits)
    hep = b.tumor | b.liver
    dose_pv = perfused_dose_gy(b.activity_gbq[hep], s.compiled.bed_mass_g[hep], MIRD_GY_KG_PER_GBQ)
    intent_res = intent(sc, dose_pv, m.agent_ml)
    card = grade(sc, coverage, damage, nt, lung_gy, m, tumors, comps, intent_res)
    out = Outcome(
        scenario=sc.title,
        seed=s.seed,
        score=round(card.score, 2),
        components=tuple(card.components),
        tumor_coverage=round(coverage, 4),
        normal_liver=liver,
        deposition=_deposition(s, b),
        non_target=tuple(
            NonTargetDeposit(k, round(v, 5), COMPLICATION.get(kind, LUNG_EMBOLISM))
            for k, (kind, v) in sorted(deposits.items())
        ),
        tumors=tuple(tumors),
        lipiodol_retained=LipiodolRetained(
            tumor=round(float(b.lipiodol_ml[b.tumor].sum()), 4),
            normal_liver=round(float(b.lipiodol_ml[b.liver].sum()), 4),
        ),
        lung_dose_gy=round(lung_gy, 3),
        sace_level=s.sace_level,
        complications=tuple(comps),
        metrics=ProcedureMetrics(
            procedure_s=round(m.procedure_s, 2),
            fluoro_s=round(m.fluoro_s, 2),
            contrast_ml=round(m.contrast_ml, 2),
            agent_ml=round(sum(m.agent_ml.values()), 3),
            activity_gbq=round(m.activity_gbq, 4),
            drug_mg=round(m.drug_mg, 2),
            lipiodol_oil_ml=round(m.oil_ml, 2),
            after_stasis_ml=round(m.after_stasis_ml, 3),
            reflux_ml=round(m.reflux_ml, 3),
            agents_ml={a: round(v, 3) for a, v in sorted(m.agent_ml.items())},
        ),
        events=tuple(ReportedEvent(**e.as_dict()) for e in s.events),
        penalties=tuple(card.penalties),
        failures=tuple(card.failures),
        y90_intent=intent_res,
    )
    return replace(out, goals=grade_goals(sc, out))


def _beds(s: FinalState) -> _Beds:
    """Deposits pushed down to the beds, ischaemia, dose and retained oil per bed."""
    c, tl, flow0 = s.compiled, s.tallies, s.baseline_flow
    kinds = np.array([BED_KINDS[k] for k in c.bed_kind])
    tumor_b = kinds == "tumor"
    used = [i for i in range(len(AGENT_IDS)) if s.delivered_count[i] > 0]
    by_agent = {AGENT_IDS[i]: push_down(c, tl.dep_agent_count[i], flow0) for i in used}
    q_now = np.abs(s.flow[c.bed_edge])
    q0 = np.maximum(np.abs(flow0[c.bed_edge]), 1e-30)
    act_gbq = push_down(c, tl.dep_activity, flow0) * 1e-9
    return _Beds(
        kinds=kinds,
        tumor=tumor_b,
        liver=kinds == "liver",
        non_target=np.isin(kinds, NON_TARGET_KINDS),
        count=push_down(c, tl.dep_count, flow0),
        activity_gbq=act_gbq,
        drug_mg=push_down(c, tl.dep_drug, flow0),
        by_agent=by_agent,
        ischemia=1.0 - np.clip(q_now / q0, 0.0, 1.0),
        dose_gy=MIRD_GY_KG_PER_GBQ * act_gbq / (c.bed_mass_g * 1e-3),
        lipiodol_ml=_lipiodol_ml(tumor_b, by_agent),
        delivered=float(s.delivered_count.sum()),
    )


def _lipiodol_ml(tumor_b: np.ndarray, by_agent: dict[str, np.ndarray]) -> np.ndarray:
    """Lipiodol retained per bed, mL: droplets of the emulsion's oil; tumours keep it, normal
    liver clears it within 7–15 days (SmPC) — the retention factor is the catalogue's (U)."""
    if "lipiodol" not in by_agent:
        return np.zeros(len(tumor_b))
    size_um = AGENTS["lipiodol"].default_size_um
    drop_ml = float(sphere_volume_m3(mean_diameter_um("lipiodol", size_um) * 1e-6)) * 1e6
    keep = np.where(tumor_b, 1.0, AGENTS["lipiodol"].normal_liver_retention)
    return by_agent["lipiodol"] * drop_ml * keep


def _radioactive(b: _Beds) -> bool:
    return any(a.startswith("y90") for a in b.by_agent)


def _tumors(s: FinalState, b: _Beds) -> tuple[list[TumorOutcome], float]:
    """Each tumour's outcome, and the coverage of the target tumours (mass-weighted)."""
    c, sc = s.compiled, s.scenario
    drug_kill = 1.0 - np.exp(-(b.drug_mg / c.bed_mass_g) / DRUG_KILL_MG_PER_G)
    rad = np.clip(b.dose_gy / sc.scoring.tumor_target_dose_gy, 0.0, 1.0)
    cov = 1.0 - (1.0 - b.ischemia * phys.TUMOR_ARTERIAL_SHARE) * (1.0 - drug_kill) * (1.0 - rad)
    regions = np.array([bed.region or "" for bed in c.beds])
    radioactive = _radioactive(b)

    def region_coverage(m: np.ndarray, r: str) -> float:
        mr = m & (regions == r)
        return round(
            float((cov[mr] * c.bed_mass_g[mr]).sum() / max(c.bed_mass_g[mr].sum(), 1e-12)), 4
        )

    tumors = []
    tmass_tot, tcov_tot = 0.0, 0.0
    for ti, t in enumerate(sc.tumors):
        m = c.bed_tumor == ti
        mass = float(c.bed_mass_g[m].sum())
        tcov = float((cov[m] * c.bed_mass_g[m]).sum() / mass)
        tact = float(b.activity_gbq[m].sum())
        tumors.append(
            TumorOutcome(
                id=t.id,
                target=t.target,
                mass_g=round(mass, 3),
                tn_ratio=t.tn_ratio,
                coverage=round(tcov, 4),
                deposited_fraction=round(b.frac(b.count[m].sum()), 5),
                dose_gy=round(MIRD_GY_KG_PER_GBQ * tact / (mass * 1e-3), 3),
                doxorubicin_mg_per_g=round(float(b.drug_mg[m].sum()) / mass, 4),
                lipiodol_ml=round(float(b.lipiodol_ml[m].sum()), 4),
                rim_coverage=region_coverage(m, "rim"),
                core_coverage=region_coverage(m, "core"),
                dose_volume=tuple(cumulative_dvh(b.dose_gy[m], c.bed_mass_g[m]))
                if radioactive
                else (),
            )
        )
        if t.target:
            tmass_tot += mass
            tcov_tot += tcov * mass
    return tumors, (tcov_tot / tmass_tot if tmass_tot else 0.0)


def _normal_liver(s: FinalState, b: _Beds) -> tuple[NormalLiver, float]:
    """Normal-liver injury (ischaemic, biliary, radiation) and dose, overall and by segment;
    and the injured fraction unrounded, as the score reads it."""
    c, sc = s.compiled, s.scenario
    w_isch = (1.0 if sc.patient.portal_vein_thrombosis else phys.NORMAL_LIVER_ARTERIAL_SHARE) * (
        NORMAL_ISCHEMIA_INJURY
    )
    bile_w = np.zeros(len(c.beds))
    tot = np.maximum(b.count, 1e-30)
    for a, cnt in b.by_agent.items():
        bile_w += BILIARY_WEIGHT.get(a, 0.0) * cnt / tot
    device = next((a for a in ("y90_glass", "y90_resin") if a in b.by_agent), "y90_resin")
    deq = np.array([resin_equivalent_gy(d, device) for d in b.dose_gy])
    tol = sc.scoring.normal_liver_tolerance_gy
    rad_dmg = 1.0 / (1.0 + np.exp(-(deq - tol) / (0.15 * tol)))
    rad_dmg = np.where(b.dose_gy > 0, rad_dmg, 0.0)
    dmg = 1.0 - (1.0 - b.ischemia * w_isch) * (1.0 - b.ischemia * bile_w) * (1.0 - rad_dmg)
    liver_b = b.liver
    lm = c.bed_mass_g[liver_b]
    normal_mass = float(lm.sum())
    damage = float((dmg[liver_b] * lm).sum() / normal_mass)
    radioactive = _radioactive(b)
    by_seg, dvh_seg = {}, {}
    for seg in sorted({bed.segment for bed in c.beds if bed.kind == "liver"}):
        m = liver_b & np.array([bed.segment == seg for bed in c.beds])
        by_seg[seg] = round(float((dmg[m] * c.bed_mass_g[m]).sum() / c.bed_mass_g[m].sum()), 4)
        if radioactive:
            dvh_seg[seg] = tuple(sampled_dvh(b.dose_gy[m], c.bed_mass_g[m]))
    liver = NormalLiver(
        damage=round(damage, 4),
        damage_by_segment=by_seg,
        mass_g=round(normal_mass, 2),
        dose_gy=round(float((b.dose_gy[liver_b] * lm).sum() / normal_mass), 3),
        dose_volume_by_segment=dvh_seg,
    )
    return liver, damage


def _non_target(c: Compiled, b: _Beds, out: float) -> dict[str, float]:
    """Fraction of everything delivered in each non-target territory (and ``systemic``, the
    aorta), in bed order: the score sums them in this order."""
    nt_terr: dict[str, float] = {}
    for i in np.flatnonzero(b.non_target & (b.count > 0)):
        t = c.beds[i].territory
        nt_terr[t] = nt_terr.get(t, 0.0) + b.frac(b.count[i])
    if out > 0:
        nt_terr["systemic"] = b.frac(out)
    return nt_terr


def _nt_deposits(s: FinalState, b: _Beds, nt_terr: dict) -> dict[str, tuple[str, float]]:
    """``{territory: (bed kind, fraction)}``, with particles in the lungs: Y-90 is graded by lung
    dose and lipiodol by its oil cap, so only bland, PVA and DEB count there."""
    out = {k: (_nt_kind(s.compiled, k), v) for k, v in nt_terr.items()}
    lung = s.tallies.lung_count
    embolic = sum(float(lung[i]) for i, a in enumerate(AGENT_IDS) if a in LUNG_EMBOLIC)
    if embolic > 0:
        out["lungs"] = ("lungs", b.frac(embolic))
    return out


def _deposition(s: FinalState, b: _Beds) -> Deposition:
    tl = s.tallies
    out = float(tl.out_count.sum())
    return Deposition(
        tumor=round(b.frac(b.count[b.tumor].sum()), 5),
        normal_liver=round(b.frac(b.count[b.liver].sum()), 5),
        non_target=round(b.frac(b.count[b.non_target].sum() + out), 5),
        lung=round(b.frac(float(tl.lung_count.sum())), 5),
        in_flight=round(b.frac(float(s.in_flight_count.sum())), 5),
    )


def _nt_kind(c: Compiled, territory: str) -> str:
    if territory == "systemic":
        return "systemic"
    return next((bed.kind for bed in c.beds if bed.territory == territory), "")
