"""From deposits and flows to coverage, damage, non-target injury, lung dose and the score.

:func:`assess` reads a :class:`FinalState` — what the outcome needs of a procedure, declared
here; the engine builds one (:func:`sim.engine.final.final_state`) — and returns an
:class:`~sim.outcome.result.Outcome`. The score and the complication risks are in
:mod:`sim.outcome.score`.

The model (each weight's source or "U" beside it; the response itself is in
:mod:`sim.outcome.response`):

- Response comes from what reached the tissue: per bed, the arterial supply lost for good to
  the spheres lodged in its microvasculature (depth-weighted) and to plugs in the drawn vessels
  above it (largely reconstituted), the Y-90 absorbed dose and the drug that acts. Tumour
  response combines them as independent kills (embolic × the tumour's arterial share, 0.99); a
  tumour's coverage is its mass-weighted response, the case's is mass-weighted over targets.
- Normal liver has a dual supply: a lost arterial supply injures it by its arterial share
  (0.30, the source page; all of it with portal vein thrombosis, necrosis OR 9.8, Joskin 2015)
  × 0.4 (U). Small particles plug its peribiliary plexus (biliary injury; DEB strongly:
  bilomas in 54 % of multifocal NET livers, Bhagat 2013). Radiation injures above tolerance
  (70 Gy resin ≈ 120 Gy glass, Walrand 2014), as a logistic around it (U).
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
from sim.outcome.decline import decline_card
from sim.outcome.dose_volume import cumulative_dvh, sampled_dvh
from sim.outcome.dosimetry import MIRD_GY_KG_PER_GBQ, lung_dose_gy, resin_equivalent_gy
from sim.outcome.goals import grade_goals
from sim.outcome.lu177 import PeptideRecord, lu177_outcome, risks, tumor_kill, with_limits
from sim.outcome.penalties import intent, non_target_load, perfused_dose_gy
from sim.outcome.response import (
    NORMAL_ISCHEMIA_INJURY,
    Embolic,
    access_lost,
    drug_kill,
    embolic,
    normal_arterial_share,
    radiation_response,
)
from sim.outcome.result import (
    CoilReport,
    DeclineVerdict,
    Deposition,
    DualSupply,
    LipiodolRetained,
    NonTargetDeposit,
    NormalLiver,
    Outcome,
    PerfusedTerritory,
    ProcedureMetrics,
    ReportedEvent,
    TumorOutcome,
)
from sim.outcome.scintigraphy import maa_study, without_diagnostic
from sim.outcome.score import complications, grade
from sim.scenario.models import Scenario
from sim.transport.packets import AGENT_IDS
from sim.transport.tallies import Tallies

LUNG_EMBOLIC = ("bland", "pva", "deb")
LUNG_EMBOLISM = "pulmonary embolism (particles through tumour shunts)"
LUNG_OIL = ("lipiodol",)
LUNG_OIL_EMBOLISM = "pulmonary oil embolism (Lipiodol through tumour shunts; SmPC)"
LUNG_COMPLICATION = {"lungs": LUNG_EMBOLISM, "lungs_oil": LUNG_OIL_EMBOLISM}


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
class Y90Tip:
    """A tip Y-90 was given from: the vessel it sat in and the beds it perfuses (indices)."""

    at: str
    beds: np.ndarray


@dataclass(frozen=True)
class FinalState:
    """What :func:`assess` reads of a procedure: the case, the tree, the flows, the tallies.

    ``baseline_flow`` and ``flow`` are edge flows (m³/s, (E,)) before any embolization and
    now; the baseline splits vessel deposits among the beds below (the response itself comes
    from where the spheres lodged, in the tallies). ``sace_level`` is the angiographic
    endpoint at the tip when the case was finished (None before, or off the tree).
    ``tallies`` are the transport's (:class:`sim.transport.tallies.Tallies`: activity in Bq,
    drug in mg); ``delivered_count`` and ``in_flight_count`` (A,) count spheres per agent in
    :data:`~sim.transport.packets.AGENT_IDS` order, delivered in all and still in flight.
    ``y90_tips`` are the tips Y-90 was given from, in order.
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
    y90_tips: tuple[Y90Tip, ...] = ()
    peptide: PeptideRecord | None = None
    coils: tuple[CoilReport, ...] = ()  # coil packs placed, in order
    decline: DeclineVerdict | None = None  # the case was declined, judged


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
    emb: Embolic  # what lodged did to each bed (sim.outcome.response)
    dose_gy: np.ndarray
    lipiodol_ml: np.ndarray  # retained
    delivered: float  # spheres delivered in all

    def frac(self, x) -> float:
        """``x`` spheres as a fraction of everything delivered (0 when nothing was)."""
        return float(x) / self.delivered if self.delivered > 0 else 0.0


def assess(s: FinalState) -> Outcome:
    """The outcome of a finished (or running) procedure, from its final state."""
    study = maa_study(s.compiled, s.tallies, s.baseline_flow, s.delivered_count)
    tl, dc, fl = without_diagnostic(s.tallies, s.delivered_count, s.in_flight_count)
    s = replace(s, tallies=tl, delivered_count=dc, in_flight_count=fl)
    sc, m = s.scenario, s.metrics
    b = _beds(s)
    lu = lu177_outcome(sc, s.compiled, s.peptide)
    tumors, coverage, tumor_lost = _tumors(s, b, tumor_kill(lu, s.compiled))
    liver, damage, liver_lost = _normal_liver(s, b)
    nt_terr = _non_target(s.compiled, b, float(tl.out_count.sum()))
    lung_gy = lung_dose_gy(float(tl.lung_activity.sum()) * 1e-9)
    comps = complications(sc, m, b.by_agent, b.kinds) + risks(lu)
    deposits = _nt_deposits(s, b, nt_terr)
    nt = non_target_load(deposits)
    hep = b.tumor | b.liver
    dose_pv = perfused_dose_gy(b.activity_gbq[hep], s.compiled.bed_mass_g[hep], MIRD_GY_KG_PER_GBQ)
    intent_res = intent(sc, dose_pv, m.agent_ml)
    if s.decline is not None:  # no treatment: the decision is what is scored
        card = decline_card(s.decline)
    else:
        card = with_limits(
            grade(sc, coverage, damage, nt, lung_gy, m, tumors, comps, intent_res), lu
        )
    out = Outcome(
        scenario=sc.title,
        seed=s.seed,
        score=round(card.score, 2),
        components=tuple(card.components),
        tumor_coverage=round(coverage, 4),
        normal_liver=liver,
        deposition=_deposition(s, b),
        non_target=tuple(
            NonTargetDeposit(k, round(v, 5), COMPLICATION.get(kind) or LUNG_COMPLICATION[kind])
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
        dual_supply=DualSupply(
            tumor_arterial_share=phys.TUMOR_ARTERIAL_SHARE,
            normal_liver_arterial_share=normal_arterial_share(sc.patient.portal_vein_thrombosis),
            tumor_supply_lost=round(tumor_lost, 4),
            tumor_killed=round(tumor_lost * phys.TUMOR_ARTERIAL_SHARE, 4),
            normal_liver_supply_lost=round(liver_lost, 4),
            normal_liver_injured=liver.ischemic,
        ),
        access_lost=tuple(access_lost(s.compiled, b.emb.plug)),
        perfused_territory=tuple(_perfused(s.compiled, b, t) for t in s.y90_tips),
        lu177=lu,
        maa=study,
        coils=s.coils,
        decline=s.decline,
    )
    return replace(out, goals=grade_goals(sc, out))


def _beds(s: FinalState) -> _Beds:
    """Deposits pushed down to the beds, embolic losses, dose and retained oil per bed."""
    c, tl, flow0 = s.compiled, s.tallies, s.baseline_flow
    kinds = np.array([BED_KINDS[k] for k in c.bed_kind])
    tumor_b = kinds == "tumor"
    used = [i for i in range(len(AGENT_IDS)) if s.delivered_count[i] > 0]
    by_agent = {AGENT_IDS[i]: push_down(c, tl.dep_agent_count[i], flow0) for i in used}
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
        emb=embolic(c, tl),
        dose_gy=MIRD_GY_KG_PER_GBQ * act_gbq / (c.bed_mass_g * 1e-3),
        lipiodol_ml=_lipiodol_ml(tumor_b, by_agent),
        delivered=float(s.delivered_count.sum()),
    )


def _perfused(c: Compiled, b: _Beds, tip: Y90Tip) -> PerfusedTerritory:
    """The delivered doses in the hepatic territory below a Y-90 tip: mean, tumour, normal."""
    mask = np.zeros(len(c.beds), bool)
    mask[tip.beds] = True

    def dose(m: np.ndarray) -> float:
        g = float(c.bed_mass_g[m].sum())
        return MIRD_GY_KG_PER_GBQ * float(b.activity_gbq[m].sum()) / (g * 1e-3) if g else 0.0

    hep = mask & (b.tumor | b.liver)
    return PerfusedTerritory(
        at=tip.at,
        mass_g=round(float(c.bed_mass_g[hep].sum()), 2),
        dose_gy=round(dose(hep), 2),
        tumor_gy=round(dose(mask & b.tumor), 2),
        normal_gy=round(dose(mask & b.liver), 2),
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


def _mass_mean(x: np.ndarray, mass: np.ndarray, m: np.ndarray) -> float:
    """Mass-weighted mean of ``x`` over the beds in mask ``m`` (0 for none)."""
    tot = float(mass[m].sum())
    return float((x[m] * mass[m]).sum() / tot) if tot > 0 else 0.0


def _tumors(
    s: FinalState, b: _Beds, lu_kill: np.ndarray
) -> tuple[list[TumorOutcome], float, float]:
    """Each tumour's outcome; the coverage (response) of the target tumours and the arterial
    supply they lost, mass-weighted. ``lu_kill`` (B,) is the response to Lu-177 DOTATATE."""
    c, sc = s.compiled, s.scenario
    mass = c.bed_mass_g
    drug = drug_kill(b.drug_mg, mass, b.by_agent)
    rad = 1.0 - (1.0 - radiation_response(b.dose_gy)) * (1.0 - lu_kill)
    emb = b.emb.embolic
    cov = 1.0 - (1.0 - emb * phys.TUMOR_ARTERIAL_SHARE) * (1.0 - drug) * (1.0 - rad)
    recon = np.clip(b.emb.deprived - emb, 0.0, 1.0)
    regions = np.array([bed.region or "" for bed in c.beds])
    radioactive = _radioactive(b)
    tumors = []
    target = np.zeros(len(c.beds), bool)
    for ti, t in enumerate(sc.tumors):
        m = c.bed_tumor == ti
        tmass = float(mass[m].sum())
        if t.target:
            target |= m
        tumors.append(
            TumorOutcome(
                id=t.id,
                target=t.target,
                mass_g=round(tmass, 3),
                tn_ratio=t.tn_ratio,
                coverage=round(_mass_mean(cov, mass, m), 4),
                deposited_fraction=round(b.frac(b.count[m].sum()), 5),
                dose_gy=round(
                    MIRD_GY_KG_PER_GBQ * float(b.activity_gbq[m].sum()) / (tmass * 1e-3), 3
                ),
                doxorubicin_mg_per_g=round(float(b.drug_mg[m].sum()) / tmass, 4),
                lipiodol_ml=round(float(b.lipiodol_ml[m].sum()), 4),
                rim_coverage=round(_mass_mean(cov, mass, m & (regions == "rim")), 4),
                core_coverage=round(_mass_mean(cov, mass, m & (regions == "core")), 4),
                dose_volume=tuple(cumulative_dvh(b.dose_gy[m], mass[m])) if radioactive else (),
                embolic=round(_mass_mean(emb, mass, m), 4),
                reconstituted=round(_mass_mean(recon, mass, m), 4),
                drug_kill=round(_mass_mean(drug, mass, m), 4),
                radiation_kill=round(_mass_mean(rad, mass, m), 4),
            )
        )
    return tumors, _mass_mean(cov, mass, target), _mass_mean(emb, mass, target)


def _normal_liver(s: FinalState, b: _Beds) -> tuple[NormalLiver, float, float]:
    """Normal-liver injury (ischaemic under the dual supply, biliary, radiation) and dose,
    overall and by segment; the injured fraction unrounded, as the score reads it; and the
    arterial supply it lost."""
    c, sc = s.compiled, s.scenario
    share = normal_arterial_share(sc.patient.portal_vein_thrombosis)
    isch = b.emb.embolic * share * NORMAL_ISCHEMIA_INJURY
    bile = b.emb.biliary
    device = next((a for a in ("y90_glass", "y90_resin") if a in b.by_agent), "y90_resin")
    deq = np.array([resin_equivalent_gy(d, device) for d in b.dose_gy])
    tol = sc.scoring.normal_liver_tolerance_gy
    rad_dmg = 1.0 / (1.0 + np.exp(-(deq - tol) / (0.15 * tol)))
    rad_dmg = np.where(b.dose_gy > 0, rad_dmg, 0.0)
    dmg = 1.0 - (1.0 - isch) * (1.0 - bile) * (1.0 - rad_dmg)
    liver_b, mass = b.liver, c.bed_mass_g
    damage = _mass_mean(dmg, mass, liver_b)
    radioactive = _radioactive(b)
    by_seg, dvh_seg = {}, {}
    for seg in sorted({bed.segment for bed in c.beds if bed.kind == "liver"}):
        m = liver_b & np.array([bed.segment == seg for bed in c.beds])
        by_seg[seg] = round(_mass_mean(dmg, mass, m), 4)
        if radioactive:
            dvh_seg[seg] = tuple(sampled_dvh(b.dose_gy[m], mass[m]))
    liver = NormalLiver(
        damage=round(damage, 4),
        damage_by_segment=by_seg,
        mass_g=round(float(mass[liver_b].sum()), 2),
        dose_gy=round(_mass_mean(b.dose_gy, mass, liver_b), 3),
        dose_volume_by_segment=dvh_seg,
        ischemic=round(_mass_mean(isch, mass, liver_b), 4),
        biliary=round(_mass_mean(bile, mass, liver_b), 4),
        radiation=round(_mass_mean(rad_dmg, mass, liver_b), 4),
    )
    return liver, damage, _mass_mean(b.emb.embolic, mass, liver_b)


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
    """``{territory: (bed kind, fraction)}``, with what reached the lungs: particles (``lungs``,
    pulmonary embolism) and Lipiodol (``lungs_oil``, oil embolism); Y-90 is graded by its lung
    dose instead (issue 14 item 7: every agent's lung passage counts)."""
    out = {k: (_nt_kind(s.compiled, k), v) for k, v in nt_terr.items()}
    lung = s.tallies.lung_count
    for terr, agents in (("lungs", LUNG_EMBOLIC), ("lungs_oil", LUNG_OIL)):
        n = sum(float(lung[i]) for i, a in enumerate(AGENT_IDS) if a in agents)
        if n > 0:
            out[terr] = (terr, b.frac(n))
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
