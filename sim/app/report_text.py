"""The outcome as readable text for the terminal, and the one rounding rule for scores.

Every screen, the report, its card and the booth show a score through :func:`score_text` and a
component's points through :func:`points_text`, so the same case never reads 93.6 on one and
94 on another.
"""

from __future__ import annotations

from sim.actions import DECLINE_REASON_TEXT
from sim.labels import label
from sim.outcome.lu177 import lu177_lines
from sim.outcome.response import treated_territory_lines
from sim.outcome.result import Outcome


def score_text(score: float) -> str:
    """A score (0–100) as every screen shows it: one decimal."""
    return f"{score:.1f}"


def points_text(points: float, maximum: float) -> str:
    """A score component's points out of its maximum, as every screen shows them."""
    return f"{points:.1f} / {maximum:g}"


def decision_lines(o: Outcome) -> list[str]:
    """The decline (judged) and the coils placed, in words; empty when neither happened."""
    out = []
    d = o.decline
    if d is not None:
        verdict = "right" if d.right else "wrong"
        fits = "" if d.reason_fits or not d.right else " (not for the reason given)"
        out.append(
            f"Declined ({DECLINE_REASON_TEXT.get(d.reason, d.reason)}): {verdict}{fits} — {d.why}"
        )
    if o.coils:
        packs = [
            f"{k.at} at {k.t:.0f} s"
            + (
                " (proximal hepatic: the liver beyond is lost to the catheter)"
                if k.proximal_hepatic
                else ""
            )
            for k in o.coils
        ]
        out.append("Coils: " + "; ".join(packs))
    return out


def render_text(o: Outcome) -> str:
    """Format an outcome (see :func:`sim.outcome.assess.assess`)."""
    lines = [f"{o.scenario} — seed {o.seed}"]
    lines += [f"FAILED: {why}" for why in o.failures]
    lines.append(f"SCORE {score_text(o.score)} / 100")
    for c in o.components:
        lines.append(f"  {c.name:<15} {c.points:6.1f} / {c.max:<5.1f} {c.reason}")
    for p in o.penalties:
        lines.append(f"  − {p.name:<13} {p.points:6.1f}         {p.reason}")
    for g in o.goals:
        mark = {True: "met", False: "NOT MET"}.get(g.met, "not graded")
        lines.append(f"  goal [{mark}] {g.goal} — {g.reason}")
    lines += decision_lines(o)
    d = o.deposition.to_dict()
    lines.append("Where the agent went: " + ", ".join(f"{k} {100 * v:.1f} %" for k, v in d.items()))
    for t in o.tumors:
        lines.append(
            f"  tumour {t.id} ({t.mass_g:.0f} g, T/N {t.tn_ratio:g}"
            f"{', target' if t.target else ''}): coverage {100 * t.coverage:.0f} %, "
            f"{100 * t.deposited_fraction:.1f} % of agent, dose {t.dose_gy:.0f} Gy"
        )
    nl = o.normal_liver
    lines.append(
        f"Normal liver: {100 * nl.damage:.1f} % injured of "
        f"{nl.mass_g:.0f} g; mean dose {nl.dose_gy:.1f} Gy"
    )
    lines += [f"  {x}" for x in treated_territory_lines(o)]
    lines += lu177_lines(o.lu177)
    for d in o.non_target:
        where = label(d.territory)
        lines.append(f"  NON-TARGET {where}: {100 * d.fraction:.2f} % — {d.complication}")
    lines.append(f"Lung dose {o.lung_dose_gy:.1f} Gy; endpoint SACE {o.sace_level or '–'}")
    if o.maa is not None:
        lines += ["MAA mapping:"] + [f"  {line}" for line in o.maa.lines()]
    m = o.metrics
    lines.append(
        f"Procedure {m.procedure_s / 60:.1f} min, fluoroscopy {m.fluoro_s / 60:.1f}"
        f" min, contrast {m.contrast_ml:g} mL, agent {m.agent_ml:g} mL, "
        f"activity {m.activity_gbq:g} GBq"
    )
    lines.append("Events:")
    for e in o.events:
        lines.append(f"  {e.t:7.1f} s  {e.kind:<16} {e.detail}")
    lines.append(o.disclaimer)
    return "\n".join(lines)
