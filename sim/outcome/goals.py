"""Each learning goal graded on its own, from the outcome and the check the case file gives it.

The checks (``sim/scenario/goals.py``, ``docs/authoring.md``) read only the outcome: tumour
coverage, non-target fractions (``lungs``: embolic particles through shunts), the SACE level at
the end and the agent pushed after stasis, the lung dose, the agents given, normal-liver injury,
the scored complication risks, the Y-90 intent and the Lu-177 kidney, marrow and tumour doses.
A goal without a check is shown, not graded.
"""

from __future__ import annotations

from functools import partial

from sim.labels import label
from sim.outcome.result import GoalResult, Outcome

# Reached through tumour shunts, not by reflux: outside ``any``, checked by name.
LUNG_TERRITORIES = ("lungs", "lungs_oil")


def grade_goals(sc, out: Outcome) -> tuple[GoalResult, ...]:
    """Every learning goal of the case ``sc`` met or not, with the reason, in the case's order."""
    results = []
    for g in sc.learning_goals:
        if g.check is None:
            results.append(GoalResult(g.goal, None, "not graded: the case gives no check"))
            continue
        kind = g.check.kind
        met, reason = _GRADERS[kind](getattr(g.check, kind), out)
        results.append(GoalResult(g.goal, met, reason))
    return tuple(results)


def _coverage(c, out: Outcome) -> tuple[bool, str]:
    want = c.min_percent / 100.0
    tumors = [t for t in out.tumors if (t.target if c.tumor == "all" else t.id == c.tumor)]
    short = [t for t in tumors if t.coverage < want]
    shown = ", ".join(f"{t.id} {100 * t.coverage:.0f} %" for t in tumors)
    if short:
        return (
            False,
            f"coverage {shown}: {', '.join(t.id for t in short)} below {c.min_percent:g} %",
        )
    return True, f"coverage {shown} (≥ {c.min_percent:g} %)"


def _non_target(c, out: Outcome) -> tuple[bool, str]:
    by = {d.territory: d.fraction for d in out.non_target}
    if c.territory == "any":
        frac = sum(v for k, v in by.items() if k not in LUNG_TERRITORIES)
    else:
        frac = by.get(c.territory, 0.0)
    where = "outside the liver" if c.territory == "any" else f"in {label(c.territory)}"
    met = 100 * frac <= c.max_percent
    return (
        met,
        f"{100 * frac:.2f} % of the agent {where} ({'≤' if met else '>'} {c.max_percent:g} %)",
    )


def _endpoint(c, out: Outcome) -> tuple[bool, str]:
    sace = out.sace_level or 0
    late = out.metrics.after_stasis_ml
    if sace < c.min_sace:
        return False, f"ended at SACE {sace or '–'}, short of SACE {c.min_sace}"
    if late > c.max_after_stasis_ml:
        return False, (
            f"{late:.1f} mL pushed after stasis (at most {c.max_after_stasis_ml:g} mL): "
            "stop at the endpoint"
        )
    return True, f"stopped at SACE {sace}, {late:.1f} mL after stasis"


def _lung(c, out: Outcome) -> tuple[bool, str]:
    met = out.lung_dose_gy <= c.max_gy
    return met, f"lung dose {out.lung_dose_gy:.1f} Gy ({'≤' if met else '>'} {c.max_gy:g} Gy)"


def _agent(c, out: Outcome) -> tuple[bool, str]:
    given = [a for a, ml in out.metrics.agents_ml.items() if ml > 0]
    wrong = [a for a in given if a not in c.any_of]
    want = " or ".join(c.any_of)
    if not given:
        return False, f"no agent given (expected {want})"
    if wrong:
        return False, f"{', '.join(wrong)} given (expected {want})"
    return True, f"{', '.join(given)} given"


def _normal_liver(c, out: Outcome) -> tuple[bool, str]:
    d = 100 * out.normal_liver.damage
    met = d <= c.max_damage_percent
    return (
        met,
        f"{d:.1f} % of normal liver injured ({'≤' if met else '>'} {c.max_damage_percent:g} %)",
    )


def _risk(c, out: Outcome) -> tuple[bool, str]:
    scored = [r for r in out.complications if r.scored]
    worst = max(scored, key=lambda r: r.probability, default=None)
    if worst is None:
        return True, "no scored complication risk"
    p = 100 * worst.probability
    met = p <= c.max_percent
    return met, f"{worst.name} risk {p:.0f} % ({'≤' if met else '>'} {c.max_percent:g} %)"


def _organ_limit(organ: str, c, out: Outcome) -> tuple[bool, str]:
    """A Lu-177 organ's course dose (``organ``: kidney or marrow) against the check's limit."""
    lu = out.lu177
    if lu is None:
        return False, "no Lu-177 DOTATATE given"
    per_cycle, course = getattr(lu, f"{organ}_gy"), getattr(lu, f"{organ}_course_gy")
    met = course <= c.max_gy
    said = (
        f"kidney {per_cycle:.2f} Gy per cycle, {course:.1f} Gy"
        if organ == "kidney"
        else f"bone marrow {course:.2f} Gy"
    )
    return met, f"{said} over the course ({'≤' if met else '>'} {c.max_gy:g} Gy)"


def _tumor_dose(c, out: Outcome) -> tuple[bool, str]:
    lu = out.lu177
    if lu is None:
        return False, "no Lu-177 DOTATATE given"
    tumors = [t for t in lu.tumors if (t.target if c.tumor == "all" else t.id == c.tumor)]
    short = [t.id for t in tumors if t.dose_gy < c.min_gy]
    shown = ", ".join(f"{t.id} {t.dose_gy:.0f} Gy" for t in tumors)
    if short:
        return False, f"per cycle {shown}: {', '.join(short)} below {c.min_gy:g} Gy"
    return True, f"per cycle {shown} (≥ {c.min_gy:g} Gy)"


def _intent(_c, out: Outcome) -> tuple[bool, str]:
    it = out.y90_intent
    if it is None:
        return False, "no Y-90 intent to check"
    return it.met, it.reason


_GRADERS = {
    "coverage": _coverage,
    "non_target": _non_target,
    "endpoint": _endpoint,
    "lung_dose": _lung,
    "agent": _agent,
    "normal_liver": _normal_liver,
    "complication_risk": _risk,
    "y90_intent": _intent,
    "kidney_dose": partial(_organ_limit, "kidney"),
    "marrow_dose": partial(_organ_limit, "marrow"),
    "tumor_dose": _tumor_dose,
}
