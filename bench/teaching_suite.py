"""The teaching suite: alternatives to every expert plan, graded as an attending would.

Every case in ``scenarios/`` with an expert plan (``<case>.plan.yaml``) gets the plans a fellow
or a score-gamer might try instead, generated from the expert plan by named transformations
(:data:`TRANSFORMS`): lobar instead of selective, each other agent on the case's shelf, one size
step smaller and larger and the extremes, 1.5× and 2× the volume (Y-90: the activity) and half
of it, each target skipped, large beads from the proper hepatic artery, contrast far over the
case's limit, a drip of small aliquots; for Y-90 cases no lung-shunt reduction, a lung dose over
30 Gy and the expert plan on a variant of the case with a lung shunt over 20 %; for Lu-177
DOTATATE the intravenous route and the intra-arterial dose from the other lobe's artery; and
declining the treatment outright.

Each alternative carries a class (the default of its transformation, or a case's override in
:data:`KIND_OVERRIDES`, each with its reason):

- ``equal`` — equally good medicine: the expert scores at least as well, less EQUAL_SLACK;
- ``suboptimal`` — worse medicine: it loses by at least SUBOPTIMAL_MARGIN points;
- ``harmful`` — the case fails: the score is at most HARMFUL_MAX.

``python bench/teaching.py`` prints the table; ``tests/test_teaching_suite.py`` asserts it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from teaching_visits import split, staged, with_mapping  # noqa: E402

from sim.actions import Finish, to_dict  # noqa: E402
from sim.agents import AGENTS, VIAL_VOLUME_ML, Y90_PREP_VOLUME_ML  # noqa: E402
from sim.engine.final import assess_procedure  # noqa: E402
from sim.engine.procedure import Procedure  # noqa: E402
from sim.engine.y90_plan import inputs_for, perfused_territory, plan_from_tip  # noqa: E402
from sim.outcome.dosimetry import lsf_reduction, lung_dose_gy, partition_activity_gbq  # noqa: E402
from sim.outcome.result import Outcome  # noqa: E402
from sim.scenario.load import load_scenario  # noqa: E402
from sim.scenario.models import Scenario, Shunt  # noqa: E402
from sim.scenario.plan import action_from_dict, load_plan  # noqa: E402

SCENARIOS = ROOT / "scenarios"
EQUAL_SLACK = 1.0  # points an equally good plan may score above the expert (seed noise)
SUBOPTIMAL_MARGIN = 3.0  # points a worse plan must lose by: a difference a trainee notices
HARMFUL_MAX = 40.0  # a failing plan's score is capped at 40 (issue 11 item 3)
PARTICLES = ("bland", "pva", "deb")  # agents with a size menu, most calibrated first
LOBAR = ("RHA", "LHA")
SHUNT_OVER_LIMIT = 0.25  # the case variant's lung shunt fraction (resin: no treatment > 20 %)
LUNG_DOSE_OVER_GY = 35.0  # above the 30 Gy single-treatment limit
VIAL_MAX_GBQ = 20.0  # the largest activity one select_agent accepts
DRIP_ALIQUOTS = 8  # a drip: each injection in this many aliquots at half the rate …
DRIP_PAUSE_S = 5.0  # … with this pause between them
PARTICLE_ML = 3.0  # bland volume a fellow pushes per stop when swapping from Y-90
Y90_RATE_ML_MIN = 5.0

Plan = tuple[dict, ...]  # actions in plan-file form (:func:`sim.actions.to_dict`)


@dataclass(frozen=True)
class Alternative:
    """One alternative plan for a case, with its class and why."""

    name: str
    kind: str  # equal | suboptimal | harmful
    why: str
    actions: Plan
    lung_shunt_fraction: float | None = None  # run on a variant of the case with this LSF


@dataclass(frozen=True)
class Stop:
    """One catheter position of the expert plan: its navigate and what follows until the next."""

    navigate: dict | None
    actions: Plan
    breadcrumb: tuple[str, ...]
    feeds: tuple[str, ...]  # target tumours with most of their flow downstream of the tip
    agent: str | None  # the agent drawn up when the stop's first injection is given
    y90_gbq: dict[str, float] = field(default_factory=dict)  # planned from the tip, per device


@dataclass
class Case:
    """A case, its expert plan cut into stops, and what the transformations need to know."""

    stem: str
    path: Path
    scenario: Scenario
    expert: Plan
    stops: list[Stop] = field(default_factory=list)
    mapping: Plan = ()  # a staged case: the expert's mapping visit (teaching_visits.split)
    y90_activity_gbq: float = 0.0  # the case's partition-model activity (agent swaps to Y-90)

    @property
    def shelf(self) -> list[str]:
        return [o.agent for o in self.scenario.agents_available]

    def sizes(self, agent: str) -> list[tuple[float, float]]:
        opt = next(o for o in self.scenario.agents_available if o.agent == agent)
        return [tuple(r) for r in (opt.sizes_um or AGENTS[agent].sizes_um)]

    @property
    def agents_used(self) -> list[str]:
        """The agents the expert treats with (a mapping's diagnostic MAA is not one)."""
        used = (a["select_agent"]["agent"] for a in self.expert if _is(a, "select_agent"))
        return [a for a in dict.fromkeys(used) if not AGENTS[a].diagnostic]


def _is(action: dict, kind: str) -> bool:
    return kind in action


def is_y90(agent: str) -> bool:
    return AGENTS[agent].activity_per_sphere_bq > 0


def by_activity(agent: str) -> bool:
    """Dosed as a vial's activity (Y-90, Lu-177 DOTATATE), not as a volume pushed."""
    return agent in VIAL_VOLUME_ML


def expert_cases() -> list[Path]:
    """Every case with an expert plan beside it, sorted by name."""
    return sorted(
        p
        for p in SCENARIOS.glob("*.yaml")
        if not p.name.endswith(".plan.yaml") and p.with_name(p.stem + ".plan.yaml").is_file()
    )


def load_case(path: Path) -> Case:
    """Load a case and its expert plan and find its stops on the built anatomy."""
    sc, problems = load_scenario(path)
    if sc is None:
        raise ValueError("\n".join(map(str, problems)))
    steps, problems = load_plan(path.with_name(path.stem + ".plan.yaml"))
    if problems:
        raise ValueError("\n".join(map(str, problems)))
    expert = tuple(to_dict(s.action) for s in steps)
    case = Case(path.stem, path, sc, expert)
    probe = Procedure(sc)
    case.mapping, treatment = split(expert)
    tumor_g = sum(t.mass_g for t in probe.liver.tumors if t.spec.target)
    tn = max((t.tn_ratio for t in sc.tumors if t.target), default=3.0)
    normal_g = probe.liver.liver_mass_g - tumor_g
    dose, lsf = sc.scoring.tumor_target_dose_gy, sc.shunt.lung_shunt_fraction
    case.y90_activity_gbq = partition_activity_gbq(dose, tumor_g / 1e3, normal_g / 1e3, tn, lsf)
    for a in case.mapping:  # the stops of a staged case are its treatment's
        probe.apply(action_from_dict(a))
    case.stops = list(_stops(probe, treatment))
    return case


def _stops(probe: Procedure, plan: Plan) -> Iterator[Stop]:
    """Cut ``plan`` at its navigates; each stop learns its breadcrumb and the tumours it feeds."""
    cut = [i for i, a in enumerate(plan) if _is(a, "navigate")]
    bounds = [0, *cut] if cut[:1] != [0] else cut
    agent = None
    for k, start in enumerate(bounds):
        end = bounds[k + 1] if k + 1 < len(bounds) else len(plan)
        nav = plan[start] if _is(plan[start], "navigate") else None
        if nav is not None:
            probe.apply(action_from_dict(nav))
        body = plan[start + (nav is not None) : end]
        at_inject = None
        for a in body:
            agent = a["select_agent"]["agent"] if _is(a, "select_agent") else agent
            if _is(a, "inject") and at_inject is None:
                at_inject = agent
        fed = _fed(probe) if nav else ()
        gbq = _tip_activities(probe) if nav else {}
        yield Stop(nav, tuple(body), tuple(probe.breadcrumb()), fed, at_inject, gbq)


def _tip_activities(probe: Procedure) -> dict[str, float]:
    """The activity each Y-90 device's calculator plans for the territory below the tip (its
    own method: glass MIRD, resin BSA), as a fellow swapping to Y-90 there would draw up."""
    edge = probe.flow.tip_edge()
    c, sc = probe.c, probe.scenario
    t = perfused_territory(c, int(c.edge_to[edge]), c.names[edge])
    out = {}
    for agent in ("y90_glass", "y90_resin"):
        a = plan_from_tip(t, inputs_for(sc, agent), sc).activity_gbq
        if a:
            out[agent] = a
    return out


def _fed(probe: Procedure) -> tuple[str, ...]:
    """Target tumours that get more than half their arterial flow from below the tip."""
    c = probe.c
    tip = probe.flow.tip_edge()
    out = []
    for k, tid in enumerate(c.tumor_ids):
        if not probe.scenario.tumors[k].target:
            continue
        total = below = 0.0
        for b in range(len(c.bed_tumor)):
            if c.bed_tumor[b] != k:
                continue
            q = float(c.bed_flow0_ml_min[b])
            total += q
            if tip in c.path_to(int(c.edge_from[c.bed_edge[b]])):
                below += q
        if total > 0 and below > 0.5 * total:
            out.append(tid)
    return tuple(out)


def join(stops: list[tuple[dict | None, list[dict]]]) -> Plan:
    """A plan from (navigate, body) pairs, ending with a finish."""
    out = []
    for nav, body in stops:
        out += ([nav] if nav else []) + [a for a in body if not _is(a, "finish")]
    return tuple(out + [to_dict(Finish())])


def _body(stop: Stop) -> list[dict]:
    return [a for a in stop.actions if not _is(a, "finish")]


def _map_selects(case: Case, fn: Callable[[dict], dict]) -> Plan:
    """The expert plan with every ``select_agent`` payload replaced by ``fn(payload)``."""
    return tuple(
        {"select_agent": fn(a["select_agent"])} if _is(a, "select_agent") else a
        for a in case.expert
    )


# ------------------------------------------------------------------ transformations
# Each takes a case and yields (name, default class, why, actions[, lung shunt fraction]).


def lobar(case: Case) -> Iterator[tuple]:
    """Every injecting stop moved back to its lobar artery."""
    stops, changed = [], False
    for s in case.stops:
        nav = s.navigate
        if nav and any(_is(a, "inject") for a in s.actions):
            lobe = next((n for n in s.breadcrumb if n in LOBAR), None)
            if lobe is None:
                return
            changed |= nav != {"navigate": lobe}
            nav = {"navigate": lobe}
        stops.append((nav, _body(s)))
    if changed:
        why = "a lobar injection treats the tumour less and the normal liver more"
        yield "lobar", "suboptimal", why, join(stops)


def _select(agent: str, size=None, activity=None) -> dict:
    d: dict = {"agent": agent}
    if size is not None:
        d["size_um"] = list(size)
    if activity is not None:
        d["activity_gbq"] = round(min(activity, VIAL_MAX_GBQ), 3)
    return {"select_agent": d}


def swap_agent(case: Case, agent: str) -> Plan:
    """The expert's stops with ``agent`` instead of each agent used.

    To Y-90: one vial per injecting stop, the activity the calculator plans for the territory
    below that tip (:func:`_tip_activities`; else the case's partition-model activity shared
    out), in the product's preparation volume. From Y-90 to particles: PARTICLE_ML at 1 mL/min
    per stop. The expert's size is kept where the new agent offers it, else the catalogue default.
    """
    injecting = [s for s in case.stops if any(_is(a, "inject") for a in s.actions)]
    activity = case.y90_activity_gbq / max(len(injecting), 1)
    stops = []
    for s in case.stops:
        body, given = [], False
        for a in _body(s):
            if _is(a, "select_agent"):
                if not is_y90(agent):
                    size = a["select_agent"].get("size_um")
                    keep = size is not None and tuple(size) in case.sizes(agent)
                    body.append(_select(agent, size if keep else None))
                continue
            if _is(a, "inject") and is_y90(agent):
                if not given:
                    prep = Y90_PREP_VOLUME_ML[agent]
                    act = _stop_activity(s) or s.y90_gbq.get(agent) or activity
                    body += [_select(agent, activity=act), _inject(prep, Y90_RATE_ML_MIN)]
                given = True
                continue
            if _is(a, "inject") and s.agent and is_y90(s.agent):
                a = _inject(PARTICLE_ML, 1.0)
            body.append(a)
        stops.append((s.navigate, body))
    return join(stops)


def _stop_activity(s: Stop) -> float | None:
    acts = [a["select_agent"].get("activity_gbq") for a in s.actions if _is(a, "select_agent")]
    return next((x for x in acts if x), None)


def _inject(volume_ml: float, rate_ml_min: float) -> dict:
    return {"inject": {"volume_ml": round(volume_ml, 4), "rate_ml_min": round(rate_ml_min, 4)}}


def agents(case: Case) -> Iterator[tuple]:
    """Each other agent on the case's shelf instead of the expert's."""
    for agent in case.shelf:
        if agent in case.agents_used:
            continue
        if AGENTS[agent].diagnostic:
            why = "the mapping agent given instead of the treatment: it images, it treats nothing"
            yield f"agent {agent}", "suboptimal", why, swap_agent(case, agent)
        else:
            yield f"agent {agent}", "equal", "another agent on the shelf", swap_agent(case, agent)


def sizes(case: Case) -> Iterator[tuple]:
    """One size step smaller and larger than the expert's, and the smallest and largest."""
    for agent in case.agents_used:
        if agent not in PARTICLES:
            continue
        menu = case.sizes(agent)
        first = next(
            a for a in case.expert if _is(a, "select_agent") and a["select_agent"]["agent"] == agent
        )
        cur = tuple(first["select_agent"].get("size_um") or AGENTS[agent].default_size_um)
        i = menu.index(cur)
        for j in sorted({i - 1, i + 1, 0, len(menu) - 1} - {i}):
            if not 0 <= j < len(menu):
                continue
            size = menu[j]

            def resize(d: dict, agent=agent, size=size) -> dict:
                return {**d, "size_um": list(size)} if d["agent"] == agent else d

            kind = "suboptimal" if j == len(menu) - 1 and j - i >= 2 else "equal"
            why = (
                "large beads occlude upstream: the tumour is reconstituted by collaterals"
                if kind == "suboptimal"
                else "a neighbouring size: the same medicine"
            )
            yield f"{agent} {size[0]:g}–{size[1]:g} µm", kind, why, _map_selects(case, resize)


def _scaled(case: Case, factor: float) -> Plan:
    """Particle and oil volumes times ``factor``; Y-90 activities times ``factor``."""
    out, agent = [], None
    for a in case.expert:
        if _is(a, "select_agent"):
            agent = a["select_agent"]["agent"]
            act = a["select_agent"].get("activity_gbq")
            if act:
                a = {
                    "select_agent": {
                        **a["select_agent"],
                        "activity_gbq": round(min(act * factor, VIAL_MAX_GBQ), 3),
                    }
                }
        elif _is(a, "inject") and agent and not by_activity(agent):
            a = _inject(a["inject"]["volume_ml"] * factor, a["inject"].get("rate_ml_min", 2.0))
        out.append(a)
    return tuple(out)


def volumes(case: Case) -> Iterator[tuple]:
    """1.5× and 2× the expert's volume to the endpoint (Y-90: activity), and half of it."""
    what = "activity" if all(by_activity(a) for a in case.agents_used) else "volume"
    for factor, why in (
        (1.5, "agent pushed past the endpoint refluxes out of the target"),
        (2.0, "agent pushed far past the endpoint refluxes out of the target"),
        (0.5, "stopping at half the endpoint undertreats the tumour"),
    ):
        yield f"{what} ×{factor:g}", "suboptimal", why, _scaled(case, factor)


def skips(case: Case) -> Iterator[tuple]:
    """Each injecting stop left out: ``skip T2`` names the targets it feeds (``stop k`` if
    none; ``(stop k)`` added when two stops feed the same targets)."""
    seen = set()
    for k, s in enumerate(case.stops, start=1):
        if not any(_is(a, "inject") for a in s.actions):
            continue
        stops = [
            (t.navigate, [a for a in _body(t) if not (t is s and _is(a, "inject"))])
            for t in case.stops
        ]
        name = f"skip {','.join(s.feeds)}" if s.feeds else f"skip stop {k}"
        name += f" (stop {k})" if name in seen else ""
        seen.add(name)
        yield name, "suboptimal", "a target tumour left untreated", join(stops)


def proximal_large_beads(case: Case) -> Iterator[tuple]:
    """The largest particles on the shelf from the proper hepatic artery."""
    agent = next((a for a in PARTICLES if a in case.shelf), None)
    if agent is None:
        return
    vol = sum(a["inject"]["volume_ml"] for a in _particle_injects(case)) or PARTICLE_ML
    plan = join([({"navigate": "PHA"}, [_select(agent, case.sizes(agent)[-1]), _inject(vol, 1.0)])])
    yield "PHA large beads", "harmful", "large beads from the PHA reflux into the GDA", plan


def _particle_injects(case: Case) -> list[dict]:
    out, agent = [], None
    for a in case.expert:
        if _is(a, "select_agent"):
            agent = a["select_agent"]["agent"]
        elif _is(a, "inject") and agent in PARTICLES:
            out.append(a)
    return out


def contrast_over(case: Case) -> Iterator[tuple]:
    """Contrast runs after the first navigate until twice the case's limit."""
    limit = case.scenario.limits.contrast_ml
    runs = [{"contrast": {"volume_ml": 30.0, "rate_ml_s": 3.0}}] * int(-(-2 * limit // 30))
    k = next(i for i, a in enumerate(case.expert) if _is(a, "navigate")) + 1
    plan = case.expert[:k] + tuple(runs) + case.expert[k:]
    yield "contrast 2× limit", "suboptimal", "contrast far over the case's limit", plan


def drip(case: Case) -> Iterator[tuple]:
    """Each injection in small aliquots at half the rate, with pauses between."""
    out = []
    for a in case.expert:
        if not _is(a, "inject"):
            out.append(a)
            continue
        v, r = a["inject"]["volume_ml"], a["inject"].get("rate_ml_min", 2.0)
        for n in range(DRIP_ALIQUOTS):
            out += [{"wait": {"seconds": DRIP_PAUSE_S}}] if n else []
            out.append(_inject(v / DRIP_ALIQUOTS, r / 2))
    yield "drip", "equal", "the same agent to the same endpoint, slower", tuple(out)


def y90_rules(case: Case) -> Iterator[tuple]:
    """Y-90: no lung-shunt reduction, a lung dose over 30 Gy, the plan on a > 20 % shunt."""
    used = [a for a in case.agents_used if is_y90(a)]
    if not used:
        return
    lsf = case.scenario.shunt.lung_shunt_fraction
    red = lsf_reduction(lsf)
    if "y90_resin" in used and red is not None and red < 1.0:
        why = "resin activity not reduced for the lung shunt"
        yield "no lung-shunt reduction", "suboptimal", why, _scaled(case, 1.0 / red)
    total = sum(
        a["select_agent"].get("activity_gbq") or 0.0 for a in case.expert if _is(a, "select_agent")
    )
    if total > 0 and lsf > 0:
        factor = LUNG_DOSE_OVER_GY / lung_dose_gy(total * lsf)
        why = f"lung dose {LUNG_DOSE_OVER_GY:g} Gy, over the 30 Gy limit"
        yield (
            f"lung dose {LUNG_DOSE_OVER_GY:g} Gy",
            "harmful",
            why,
            _split_vials(_scaled_activity(case, factor)),
        )
    why = f"the expert plan with a {SHUNT_OVER_LIMIT:.0%} lung shunt (case variant)"
    kind = "harmful"
    lung = lung_dose_gy(total * SHUNT_OVER_LIMIT)
    if "y90_resin" not in used and lung <= case.scenario.scoring.lung_dose_limit_gy:
        # glass may be given over a 20 % shunt within the lung limit, but the activity planned
        # for the case's shunt loses a quarter of it to the lungs: the liver is under-dosed
        kind, why = "suboptimal", why + f": glass within the lung limit ({lung:.0f} Gy)"
    yield f"lung shunt {SHUNT_OVER_LIMIT:.0%}", kind, why, case.expert, SHUNT_OVER_LIMIT


def _scaled_activity(case: Case, factor: float) -> Plan:
    return tuple(
        {
            "select_agent": {
                **a["select_agent"],
                "activity_gbq": a["select_agent"]["activity_gbq"] * factor,
            }
        }
        if _is(a, "select_agent") and a["select_agent"].get("activity_gbq")
        else a
        for a in case.expert
    )


def _split_vials(plan: Plan) -> Plan:
    """Activities over one vial's maximum given as several vials, each with its injection."""
    out: list[dict] = []
    for i, a in enumerate(plan):
        act = a["select_agent"].get("activity_gbq") if _is(a, "select_agent") else None
        if act and act > VIAL_MAX_GBQ:
            n = int(-(-act // VIAL_MAX_GBQ))
            inj = next(b for b in plan[i + 1 :] if _is(b, "inject"))
            for k in range(n):
                out.append(_select(a["select_agent"]["agent"], activity=act / n))
                if k < n - 1:
                    out.append(inj)
        else:
            out.append(_select(a["select_agent"]["agent"], activity=act) if act else a)
    return tuple(out)


def lu177_routes(case: Case) -> Iterator[tuple]:
    """Lu-177 DOTATATE: every dose into a vein instead, and the intra-arterial dose from the
    other lobe's artery."""
    if "lu177_dotatate" not in case.agents_used:
        return

    def vein(d: dict) -> dict:
        return {**d, "route": "iv"} if d["agent"] == "lu177_dotatate" else d

    why = "LUTIA: intra-arterial adds 1.17× (95 % CI 1.00–1.37), not clinically significant"
    yield "IV route", "equal", why, _map_selects(case, vein)
    stops = []
    for s in case.stops:
        nav = s.navigate
        if nav and any(_is(a, "inject") for a in s.actions):
            lobe = next((n for n in s.breadcrumb if n in LOBAR), None)
            nav = {"navigate": "LHA" if lobe == "RHA" else "RHA"}
        stops.append((nav, _body(s)))
    why = "the other lobe's artery gives the targets what a vein would (LUTIA's control lobe)"
    yield "IA wrong lobe", "equal", why, join(stops)


def decline(case: Case) -> Iterator[tuple]:
    """Declining the treatment at once (for the lung shunt where the shelf holds Y-90): wrong,
    and failing, wherever the case can be treated within its limits."""
    reason = "lung_shunt" if any(is_y90(a) for a in case.shelf) else "other"
    plan = ({"decline": {"reason": reason}}, to_dict(Finish()))
    yield f"decline ({reason})", "harmful", "a treatable patient declined", plan


TRANSFORMS: tuple[Callable[[Case], Iterator[tuple]], ...] = (
    lobar,
    agents,
    sizes,
    volumes,
    skips,
    proximal_large_beads,
    contrast_over,
    drip,
    y90_rules,
    lu177_routes,
    decline,
)


# ------------------------------------------------------------------ classes and runs
# Where an attending grades an alternative otherwise than its transformation's default:
# (case, alternative) -> (class, why).
_RIGHT_LOBE = "tumours in both right sectors: a right-lobar injection is the same treatment"
_SEGMENT_ABLATED = (
    "a radiation segmentectomy ablates the segment at any dose over 190 Gy (delivered 163–1303 "
    "Gy, median 293, NKI 2021; reference §4.2) and the 3 % shunt keeps the lung under 4 Gy"
)
KIND_OVERRIDES: dict[tuple[str, str], tuple[str, str]] = {
    ("bilobar_staged", "lobar"): ("equal", _RIGHT_LOBE),
    ("ctace_lipiodol", "bland 900–1200 µm"): (
        "equal",
        "after the emulsion fills the tumour the embolic only holds it there: conventional TACE "
        "ends with gelatin sponge, coarser still (reference §6, cTACE endpoint, R2)",
    ),
    ("deb_multifocal_biloma", "agent deb"): (
        "harmful",
        "DEB in a liver with several small NET metastases: bilomas in 7 of 13 (Bhagat 2013); "
        "the case fails it",
    ),
    ("deb_multifocal_biloma", "lobar"): ("equal", _RIGHT_LOBE),
    ("lu177_ia_vs_iv", "activity ×2"): (
        "harmful",
        "two vials in one cycle: over the course the kidneys get more than 23 Gy",
    ),
    ("lu177_ia_vs_iv", "activity ×1.5"): (
        "suboptimal",
        "above the label's 7.4 GBq per cycle without individual dosimetry",
    ),
    ("lu177_ia_vs_iv", "activity ×0.5"): ("suboptimal", "half a vial undertreats the tumours"),
    ("whipple_abscess", "agent bland"): (
        "harmful",
        "embolization after a Whipple: liver abscess in 6 of 7 (Kim, SCVIR); the case fails it",
    ),
    ("y90_glass_segmentectomy", "activity ×1.5"): ("equal", _SEGMENT_ABLATED),
    ("y90_glass_segmentectomy", "activity ×2"): ("equal", _SEGMENT_ABLATED),
    ("y90_high_shunt", "agent y90_resin"): (
        "harmful",
        "resin with a 22 % lung shunt: above 20 % resin is not given (van Roekel)",
    ),
    ("y90_high_shunt", "decline (lung_shunt)"): (
        "suboptimal",
        "declining resin is right at a 22 % shunt, but glass to the tumour's segment treats it "
        "within the lung limit",
    ),
    ("y90_high_shunt", "lung shunt 25%"): (
        "equal",
        "the 20 % rule is resin's: glass to one segment keeps the lungs under 30 Gy at 25 % too",
    ),
}


def _staged(case: Case) -> Iterator[tuple]:
    return staged(case.stem, case.expert)


def alternatives(case: Case) -> list[Alternative]:
    """Every alternative of ``case``, classed (names are unique within a case); a staged
    case's treatment-only alternatives follow the expert's mapping."""
    out: dict[str, Alternative] = {}
    for transform in (*TRANSFORMS, _staged):
        for name, kind, why, treatment, *variant in transform(case):
            actions = with_mapping(case.mapping, tuple(treatment))
            kind, why = KIND_OVERRIDES.get((case.stem, name), (kind, why))
            lsf = variant[0] if variant else None
            out.setdefault(name, Alternative(name, kind, why, tuple(actions), lsf))
    return list(out.values())


def run(case: Case, actions: Plan, seed: int, lung_shunt_fraction: float | None = None) -> Outcome:
    """Run ``actions`` on ``case`` (or its variant with another lung shunt) at ``seed``."""
    sc = case.scenario
    if lung_shunt_fraction is not None:
        sc = sc.model_copy(update={"shunt": Shunt(lung_shunt_fraction=lung_shunt_fraction)})
    proc = Procedure(sc, seed)
    for a in actions:
        if proc.finished:
            break
        proc.apply(action_from_dict(a))
    if not proc.finished:
        proc.apply(Finish())
    return assess_procedure(proc)


def verdict(kind: str, expert: float, alt: float) -> str | None:
    """Why ``alt`` (of class ``kind``) breaks the suite against ``expert``, or None."""
    if kind == "equal" and alt > expert + EQUAL_SLACK:
        return f"beats the expert by {alt - expert:.1f} (> {EQUAL_SLACK:g})"
    if kind == "suboptimal" and alt > expert - SUBOPTIMAL_MARGIN:
        return f"loses by {expert - alt:.1f} only (< {SUBOPTIMAL_MARGIN:g})"
    if kind == "harmful" and alt > HARMFUL_MAX:
        return f"scores {alt:.1f} (> {HARMFUL_MAX:g}: should fail)"
    return None


def selective_vs_lobar(case: Case, seeds: list[int]) -> tuple[float, float] | None:
    """Share of the agent lodged in tumour: the expert plan and its lobar alternative, mean over
    ``seeds`` (what a case's text quotes beside the literature), or None without a lobar one."""
    lob = next((a for a in alternatives(case) if a.name == "lobar"), None)
    if lob is None:
        return None
    sel = sum(run(case, case.expert, s).deposition.tumor for s in seeds) / len(seeds)
    return sel, sum(run(case, lob.actions, s).deposition.tumor for s in seeds) / len(seeds)
