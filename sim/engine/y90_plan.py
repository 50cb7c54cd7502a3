"""Y-90 activity planned from the catheter tip: the territory it perfuses and the dose there.

Before a radioembolization the team plans the activity for the territory the tip will perfuse:
the beds downstream of the tip (their tumour and normal-liver masses), the lung shunt fraction
(LSF) and the tumour-to-normal ratio (T/N) from the MAA work-up, the body surface area.
:func:`plan_from_tip` gives the activity by MIRD single-compartment, the partition model or the
resin BSA method, the predicted tumour, normal-liver and lung doses, the vial and the warnings.
The window's calculator and the ``dosimetry`` command both use it. Until the MAA study exists
(issue 14 item 1) the LSF and T/N are the caller's overrides, else what a mapping visit measured
(``Scenario.mapping_result``, :mod:`sim.engine.visits`), else the case's declared values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.actions import Inject, Navigate, SelectAgent, SetInjection
from sim.engine.navigation import NavigationError, resolve_target
from sim.flow.compile import Compiled
from sim.flow.territory import beds_below
from sim.outcome.dosimetry import (
    MIRD_GY_KG_PER_GBQ,
    activity_for_dose_gbq,
    bsa_activity_gbq,
    bsa_m2,
    decay_factor,
    lsf_reduction,
    lung_dose_gy,
    mird_dose_gy,
    partition_activity_gbq,
    partition_doses_gy,
    resin_equivalent_gy,
    tumor_dose_band,
    vial_for,
)
from sim.physiology import LUNG_CUMULATIVE_LIMIT_GY, LUNG_LIMIT_GY, NORMAL_LIVER_TOLERANCE_GY
from sim.scenario.models import Scenario
from sim.units import g_to_kg

if TYPE_CHECKING:
    from sim.engine.procedure import Procedure

DEFAULT_TN_RATIO = 3.0  # when no perfused target tumour states one (Piasecki 2015 MAA 2.7; U)
DEVICES = ("y90_glass", "y90_resin")
METHODS = ("mird", "partition", "bsa")
DEFAULT_METHOD = {"y90_glass": "mird", "y90_resin": "bsa"}  # each device's own convention
HEPATIC = ("liver", "tumor")


@dataclass(frozen=True)
class Territory:
    """What a tip at ``at`` perfuses: hepatic masses (g) and extrahepatic territories."""

    at: str
    tumor_mass_g: float
    normal_mass_g: float
    liver_mass_g: float  # the whole liver, tumours included
    liver_tumor_mass_g: float  # all tumours of the liver
    tumor_ids: tuple[str, ...]
    extrahepatic: tuple[str, ...]

    @property
    def mass_g(self) -> float:
        return self.tumor_mass_g + self.normal_mass_g


def perfused_territory(c: Compiled, node: int, at: str) -> Territory:
    """The territory downstream of tip ``node`` (named ``at``) in compiled case ``c``."""
    below = beds_below(c, node)
    tumor = normal = 0.0
    ids: list[str] = []
    extra: list[str] = []
    for b in below:
        bed = c.beds[b]
        if bed.kind == "tumor":
            tumor += bed.mass_g
            if bed.tumor not in ids:
                ids.append(bed.tumor)
        elif bed.kind == "liver":
            normal += bed.mass_g
        elif bed.territory not in extra:
            extra.append(bed.territory)
    kinds = [b.kind for b in c.beds]
    return Territory(
        at=at,
        tumor_mass_g=tumor,
        normal_mass_g=normal,
        liver_mass_g=float(
            sum(m for m, k in zip(c.bed_mass_g, kinds, strict=True) if k in HEPATIC)
        ),
        liver_tumor_mass_g=float(
            sum(m for m, k in zip(c.bed_mass_g, kinds, strict=True) if k == "tumor")
        ),
        tumor_ids=tuple(ids),
        extrahepatic=tuple(extra),
    )


@dataclass(frozen=True)
class PlanInputs:
    """The prescription: device, method, target (Gy), LSF, T/N (None: from the case), patient
    (kg, cm), hours from vial calibration to treatment, earlier lung dose and limits (Gy)."""

    agent: str
    method: str
    target_gy: float
    lung_shunt_fraction: float
    tn_ratio: float | None
    weight_kg: float
    height_cm: float
    hours_after_calibration: float = 0.0
    prior_lung_gy: float = 0.0
    lung_limit_gy: float = LUNG_LIMIT_GY
    lung_cumulative_limit_gy: float = LUNG_CUMULATIVE_LIMIT_GY
    normal_limit_gy: float = NORMAL_LIVER_TOLERANCE_GY


def inputs_for(
    scenario: Scenario,
    agent: str,
    method: str | None = None,
    target_gy: float | None = None,
    tn_ratio: float | None = None,
    lsf: float | None = None,
    hours: float = 0.0,
    prior_lung_gy: float | None = None,
) -> PlanInputs:
    """The case's prescription with the caller's overrides (None: the case's value; the earlier
    lung dose is ``patient.prior_lung_dose_gy``); ValueError names a bad choice."""
    if agent not in DEVICES:
        raise ValueError(f"--agent: {agent!r} is not a Y-90 device (allowed: {', '.join(DEVICES)})")
    method = method or DEFAULT_METHOD[agent]
    if method not in METHODS:
        raise ValueError(f"--method: {method!r} is not a method (allowed: {', '.join(METHODS)})")
    if method == "bsa" and agent != "y90_resin":
        raise ValueError("--method: the BSA method is for resin spheres (allowed: mird, partition)")
    sc = scenario.scoring
    return PlanInputs(
        agent=agent,
        method=method,
        target_gy=sc.tumor_target_dose_gy if target_gy is None else target_gy,
        lung_shunt_fraction=known_lsf(scenario) if lsf is None else lsf,
        tn_ratio=tn_ratio,
        weight_kg=scenario.patient.weight_kg,
        height_cm=scenario.patient.height_cm,
        hours_after_calibration=hours,
        prior_lung_gy=scenario.patient.prior_lung_dose_gy
        if prior_lung_gy is None
        else prior_lung_gy,
        lung_limit_gy=sc.lung_dose_limit_gy,
        lung_cumulative_limit_gy=sc.lung_dose_cumulative_limit_gy,
        normal_limit_gy=sc.normal_liver_tolerance_gy,
    )


def known_lsf(scenario: Scenario) -> float:
    """The lung shunt fraction the team knows: the mapping's measured one, else the case's."""
    m = scenario.mapping_result
    if m is not None and m.lung_shunt_fraction is not None:
        return m.lung_shunt_fraction
    return scenario.shunt.lung_shunt_fraction


def case_tn_ratio(scenario: Scenario, tumor_ids: tuple[str, ...]) -> float:
    """The highest T/N a perfused target tumour has (measured by the mapping, else declared;
    else any target's, else 3)."""
    measured = scenario.mapping_result.tn_ratio if scenario.mapping_result else {}
    targets = [t for t in scenario.tumors if t.target]
    perfused = [measured.get(t.id, t.tn_ratio) for t in targets if t.id in tumor_ids]
    return max(perfused or [t.tn_ratio for t in targets] or [DEFAULT_TN_RATIO])


@dataclass(frozen=True)
class TipPlan:
    """The plan for one tip: activity (GBq; None = do not treat), predicted doses (Gy), working."""

    territory: Territory
    inputs: PlanInputs
    tn_ratio: float
    bsa_m2: float
    lsf_factor: float | None
    activity_gbq: float | None
    tumor_gy: float
    normal_liver_gy: float
    lung_gy: float
    mean_gy: float
    vial_gbq: float | None
    working: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The ``dosimetry --json`` object."""
        t, i = self.territory, self.inputs
        return {
            "at": t.at,
            "agent": i.agent,
            "method": i.method,
            "target_gy": i.target_gy,
            "perfused_mass_g": round(t.mass_g, 3),
            "perfused_tumor_mass_g": round(t.tumor_mass_g, 3),
            "perfused_normal_mass_g": round(t.normal_mass_g, 3),
            "liver_mass_g": round(t.liver_mass_g, 3),
            "perfused_tumors": list(t.tumor_ids),
            "extrahepatic": list(t.extrahepatic),
            "lung_shunt_fraction": i.lung_shunt_fraction,
            "tn_ratio": self.tn_ratio,
            "bsa_m2": round(self.bsa_m2, 4),
            "lsf_factor": self.lsf_factor,
            "activity_gbq": None if self.activity_gbq is None else round(self.activity_gbq, 4),
            "predicted": {
                "tumor_gy": round(self.tumor_gy, 2),
                "normal_liver_gy": round(self.normal_liver_gy, 2),
                "lung_gy": round(self.lung_gy, 2),
                "perfused_mean_gy": round(self.mean_gy, 2),
            },
            "hours_after_calibration": i.hours_after_calibration,
            "vial_gbq": self.vial_gbq,
            "working": self.working,
            "warnings": self.warnings,
        }


def _activity(t: Territory, i: PlanInputs, tn: float, bsa: float) -> tuple[float | None, list[str]]:
    """Activity by the chosen method and the formula with its numbers (lines)."""
    lsf, k = i.lung_shunt_fraction, MIRD_GY_KG_PER_GBQ
    m_t, m_n = g_to_kg(t.tumor_mass_g), g_to_kg(t.normal_mass_g)
    if i.method == "mird":
        a = activity_for_dose_gbq(i.target_gy, m_t + m_n, lsf)
        return a, [
            f"MIRD: A = D × M / (k (1 − LSF)) = {i.target_gy:g} Gy × {m_t + m_n:.3f} kg / "
            f"({k:g} × {1 - lsf:.3f}) = {a:.3f} GBq"
        ]
    if i.method == "partition":
        a = partition_activity_gbq(i.target_gy, m_t, m_n, tn, lsf)
        return a, [
            f"Partition: A = D_T (T/N M_T + M_N) / (k (1 − LSF) T/N) = {i.target_gy:g} × "
            f"({tn:g} × {m_t:.3f} + {m_n:.3f}) / ({k:g} × {1 - lsf:.3f} × {tn:g}) = {a:.3f} GBq"
        ]
    tf = t.liver_tumor_mass_g / t.liver_mass_g
    share = t.mass_g / t.liver_mass_g
    a = bsa_activity_gbq(bsa, tf, lsf, share)
    red = lsf_reduction(lsf)
    if a is None:
        return None, [f"BSA: LSF {100 * lsf:.1f} % > 20 %: do not treat with resin"]
    return a, [
        f"BSA method (no target dose): LSF {100 * lsf:.1f} % → factor {red:g} "
        "(> 10 %: 0.8, > 15 %: 0.6, > 20 %: do not treat)",
        f"BSA: A = (BSA − 0.2 + V_T/V_L) × LSF factor × perfused share = ({bsa:.3f} − 0.2 + "
        f"{tf:.3f}) × {red:g} × {share:.3f} = {a:.3f} GBq",
    ]


def plan_from_tip(t: Territory, i: PlanInputs, scenario: Scenario | None = None) -> TipPlan:
    """The activity for territory ``t`` under prescription ``i``, with predicted doses.

    Tumour and normal-liver doses follow the partition model at the planned activity (with
    T/N = ``i.tn_ratio`` or the perfused tumours' declared one); the lung dose is k·A·LSF/1 kg.
    """
    tn = i.tn_ratio or (case_tn_ratio(scenario, t.tumor_ids) if scenario else DEFAULT_TN_RATIO)
    bsa = bsa_m2(i.weight_kg, i.height_cm)
    lsf = i.lung_shunt_fraction
    a, formula = _activity(t, i, tn, bsa)
    dose_a = a or 0.0
    m_t, m_n = g_to_kg(t.tumor_mass_g), g_to_kg(t.normal_mass_g)
    d_t, d_n, _ = partition_doses_gy(dose_a, m_t, m_n, tn, lsf) if t.mass_g else (0.0,) * 3
    d_l = lung_dose_gy(dose_a * lsf)
    mean = mird_dose_gy(dose_a, m_t + m_n, lsf) if t.mass_g else 0.0
    vial = vial_for(i.agent, dose_a, i.hours_after_calibration) if a else None
    working = [
        f"Territory from {t.at}: {t.mass_g:.0f} g = tumour {t.tumor_mass_g:.1f} g + normal "
        f"liver {t.normal_mass_g:.0f} g ({100 * t.mass_g / t.liver_mass_g:.0f} % of the "
        f"{t.liver_mass_g:.0f}-g liver)",
        f"LSF {100 * lsf:.1f} %, T/N {tn:g}, BSA (DuBois) {bsa:.2f} m²",
        *formula,
        f"Predicted: tumour {d_t:.0f} Gy ({tumor_dose_band(d_t)}), normal liver {d_n:.0f} Gy, "
        f"territory mean {mean:.0f} Gy, lung {d_l:.1f} Gy",
    ]
    if vial is not None:
        left = vial * decay_factor(i.hours_after_calibration)
        working.append(
            f"Vial {vial:g} GBq at calibration, {left:.2f} GBq after "
            f"{i.hours_after_calibration:g} h (T½ 64.1 h)"
        )
    return TipPlan(
        territory=t,
        inputs=i,
        tn_ratio=tn,
        bsa_m2=bsa,
        lsf_factor=lsf_reduction(lsf) if i.method == "bsa" else None,
        activity_gbq=a,
        tumor_gy=d_t,
        normal_liver_gy=d_n,
        lung_gy=d_l,
        mean_gy=mean,
        vial_gbq=vial,
        working=working,
        warnings=_warnings(t, i, a, d_n, d_l, vial),
    )


def _warnings(
    t: Territory, i: PlanInputs, a: float | None, d_n: float, d_l: float, vial: float | None
) -> list[str]:
    """What the plan must not hide: do-not-treat, lung and normal-liver limits, vial, territory."""
    out = []
    if a is None:
        out.append(f"do not treat: lung shunt {100 * i.lung_shunt_fraction:.1f} % > 20 % (resin)")
    if d_l > i.lung_limit_gy:
        out.append(f"lung dose {d_l:.1f} Gy > {i.lung_limit_gy:g} Gy per treatment")
    if i.prior_lung_gy + d_l > i.lung_cumulative_limit_gy:
        total = i.prior_lung_gy + d_l
        out.append(f"cumulative lung dose {total:.1f} Gy > {i.lung_cumulative_limit_gy:g} Gy")
    if resin_equivalent_gy(d_n, i.agent) > i.normal_limit_gy:
        out.append(
            f"normal liver {d_n:.0f} Gy in the territory (resin-equivalent "
            f"{resin_equivalent_gy(d_n, i.agent):.0f}) > {i.normal_limit_gy:g} Gy: only for a "
            "segmental territory"
        )
    if a is not None and vial is None:
        out.append("no single vial holds this activity at the treatment time")
    if not t.tumor_mass_g:
        out.append(f"no tumour in the territory perfused from {t.at}")
    if t.extrahepatic:
        out.append(f"extrahepatic territory downstream of the tip: {', '.join(t.extrahepatic)}")
    return out


def tip_territory(proc: Procedure) -> Territory | None:
    """The territory the catheter tip perfuses now (None when the tip is off the tree)."""
    edge = proc.flow.tip_edge()
    if edge < 0:
        return None
    c = proc.c
    return perfused_territory(c, int(c.edge_to[edge]), c.names[edge])


def plan_at_tip(proc: Procedure, agent: str, target_gy: float | None = None) -> TipPlan | None:
    """The device's own plan (glass MIRD, resin BSA) for where the tip is now: what the
    window's calculator shows and the vial it draws up; None off the tree. ``target_gy`` is a
    typed target dose, Gy (None: the case's)."""
    t = tip_territory(proc)
    if t is None:
        return None
    return plan_from_tip(t, inputs_for(proc.scenario, agent, target_gy=target_gy), proc.scenario)


@dataclass(frozen=True)
class InjectionTip:
    """A tip Y-90 was injected from: the device, the tip node and the vessel it sits in."""

    agent: str
    node: int
    at: str


def injection_tips(proc: Procedure) -> list[InjectionTip]:
    """Each tip Y-90 was injected from (once per tip and device, in order), from the log (of
    the current visit, in a staged case: :mod:`sim.engine.visits`)."""
    nav, agent = None, None
    seen: set[tuple[str, str]] = set()
    out: list[InjectionTip] = []
    for tick, act in proc.log:
        if tick < proc.visit_tick0:
            continue
        if isinstance(act, Navigate):
            nav = act
        elif isinstance(act, SelectAgent):
            agent = act.agent
        elif isinstance(act, Inject | SetInjection) and agent in DEVICES and nav:
            key = (f"{nav.target} {nav.beyond}", agent)
            if key in seen or (isinstance(act, SetInjection) and act.rate_ml_min <= 0):
                continue
            seen.add(key)
            c = proc.c
            try:
                node, _ = resolve_target(
                    c, proc.flow, nav.target, proc.catheter_radius, proc.liver.tumors, nav.beyond
                )
            except NavigationError:
                continue
            out.append(InjectionTip(agent, node, c.names[int(c.parent_edge[node])]))
    return out


def injection_plans(proc: Procedure) -> list[TipPlan]:
    """The plan for each tip Y-90 was injected from: what the calculator showed there, for the
    debrief."""
    return [
        plan_from_tip(
            perfused_territory(proc.c, tip.node, tip.at),
            inputs_for(proc.scenario, tip.agent),
            proc.scenario,
        )
        for tip in injection_tips(proc)
    ]
