"""The report's result sections as HTML fragments: visits, tumours, normal liver, non-target,
timeline, angiograms.

Each function takes the :class:`~sim.outcome.result.Outcome` and what else it needs
and returns one ``<section id=…>`` with its heading. All text is escaped here, at the point where
it enters the markup; numbers are formatted with their unit. Figures the simulation estimates
say so in a ``<p class="note">`` beneath them.
"""

from __future__ import annotations

import html

from sim.app.report.charts import bar_chart, dvh_chart
from sim.app.report.images import Angiogram
from sim.app.report.timeline import Row, clock
from sim.app.visit_text import finished_visit_lines, visit_label
from sim.labels import deposition_label, label
from sim.outcome.dose_volume import dose_at_volume_gy
from sim.outcome.dosimetry import GLASS_TO_RESIN_EQUIVALENT
from sim.outcome.lu177 import CYCLES, KIDNEY_LIMIT_GY, MARROW_LIMIT_GY, lutia_sentence
from sim.outcome.response import treated_territory_lines
from sim.outcome.result import Outcome

e = html.escape
MAX_VISITS = 3  # the schema's most (a forged outcome may list more)


def pct(x: float, digits: int = 0) -> str:
    """``x`` (a fraction) as per cent text."""
    return f"{100 * float(x):.{digits}f} %"


def section(sid: str, title: str, body: str) -> str:
    """One report section: an anchor id, a heading, the body."""
    return f'<section id="{sid}">\n<h2>{e(title)}</h2>\n{body}\n</section>\n'


def table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A table; ``head`` is escaped, cells are HTML already (escape before passing)."""
    th = "".join(f"<th>{e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>\n" for r in rows)
    c = f' class="{cls}"' if cls else ""
    return f"<table{c}><thead><tr>{th}</tr></thead>\n<tbody>\n{body}</tbody></table>"


def split_source(text: str) -> tuple[str, str]:
    """``"gastric ulcer (left gastric; ref §1.4)"`` → ``("gastric ulcer", "left gastric; …")``."""
    text = text.strip()
    if text.endswith(")") and "(" in text:
        i = text.rindex("(")
        return text[:i].strip(), text[i + 1 : -1].strip()
    return text, ""


def tumors_section(o: Outcome, sc, agents: set[str]) -> str:
    """Per-tumour coverage, rim/core, share of the agent, dose and dose-volume, drug, oil."""
    y90 = any(a.startswith("y90") for a in agents)
    drug = bool(agents & {"deb", "lipiodol"})
    oil = "lipiodol" in agents
    spec = {t.id: t for t in sc.tumors}
    head = ["Tumour", "Segment", "Size", "Mass", "T/N", "Coverage", "Rim", "Core", "Agent share"]
    head += ["Mean dose", "D90"] if y90 else []
    head += ["Doxorubicin"] if drug else []
    head += ["Lipiodol"] if oil else []
    rows = []
    for t in o.tumors:
        s = spec.get(t.id)
        row = [
            f"<b>{e(t.id)}</b>" + ("" if t.target else ' <span class="tag">not a target</span>'),
            e(s.segment) if s else "–",
            f"{s.diameter_mm:g} mm" if s else "–",
            f"{t.mass_g:.0f} g",
            f"{t.tn_ratio:g}",
            f"<b>{pct(t.coverage)}</b>",
            pct(t.rim_coverage),
            pct(t.core_coverage),
            pct(t.deposited_fraction, 1),
        ]
        if y90:
            dv = list(t.dose_volume)
            row += [f"{t.dose_gy:.0f} Gy", f"{dose_at_volume_gy(dv, 0.9):.0f} Gy"]
        if drug:
            row.append(f"{t.doxorubicin_mg_per_g:.2f} mg/g")
        if oil:
            row.append(f"{t.lipiodol_ml:.2f} mL")
        rows.append(row)
    body = table(head, rows, "num")
    body += (
        '<p class="note">Coverage is the simulated fraction of tumour mass treated (ischaemia, '
        "drug and radiation combined as independent kills); rim and core are the tumour's "
        "hypervascular shell and inner sphere. Agent share is the fraction of everything "
        "injected that lodged in the tumour.</p>"
    )
    if y90:
        target = sc.scoring.tumor_target_dose_gy
        series = [(t.id, list(t.dose_volume), True) for t in o.tumors]
        body += '<div class="figure beside">' + dvh_chart(
            series, "Tumour dose-volume histograms", [(f"target {target:g} Gy", target)]
        )
        body += (
            '<p class="caption">Cumulative dose-volume histogram per tumour: the share of '
            "its mass absorbing at least each dose (MIRD, local deposition). D90 is the dose "
            "that 90 % of the tumour receives. A simulation estimate over the tumour's rim and "
            "core compartments (at most five), not voxel dosimetry.</p></div>"
        )
    else:
        body += "<p>No radioactive agent was given, so there is no dose-volume histogram.</p>"
    return section("tumors", "Tumours", body)


def lu177_section(o: Outcome) -> str:
    """Lu-177 DOTATATE: each tumour's dose per cycle and over the course, the intra-arterial
    gain beside LUTIA's, kidneys and marrow against their limits ("" without Lu-177)."""
    lu = o.lu177
    if lu is None:
        return ""
    rows = [
        [e(t.id), f"{t.dose_gy:.1f} Gy", f"{t.dose_gy * CYCLES:.0f} Gy", f"{t.ia_iv_ratio:.2f}×"]
        for t in lu.tumors
    ]
    rows.append(["kidneys", f"{lu.kidney_gy:.2f} Gy", f"{lu.kidney_course_gy:.1f} Gy", ""])
    rows.append(["red marrow", f"{lu.marrow_gy:.3f} Gy", f"{lu.marrow_course_gy:.2f} Gy", ""])
    where = f"from {', '.join(lu.tips)}" if lu.tips else "into a vein"
    body = (
        f"<p>{lu.activity_gbq:.1f} GBq {e(where)} ({e(lu.route)}).</p>\n"
        + table(["", "per cycle", f"{CYCLES} cycles", "uptake vs IV"], rows)
        + f'\n<p class="note">Limits over the course: kidneys {KIDNEY_LIMIT_GY:g} Gy, red '
        f"marrow {MARROW_LIMIT_GY:g} Gy (EANM PRRT guideline). {e(lutia_sentence(lu))} "
        "Doses are the simulation's estimates.</p>"
    )
    return section("lu177", "Lu-177 DOTATATE", body)


def normal_liver_section(o: Outcome, sc, agents: set[str]) -> str:
    """Normal-liver injury by Couinaud segment (table and bars), dose-volume for Y-90."""
    nl = o.normal_liver
    by_seg = nl.damage_by_segment
    lip = o.lipiodol_retained
    facts = [
        f"<b>{pct(nl.damage, 1)}</b> of {nl.mass_g:.0f} g of "
        "normal liver injured (simulation estimate)"
    ]
    if nl.dose_gy > 0:
        facts.append(f"mean normal-liver dose {nl.dose_gy:.1f} Gy")
    facts += [html.escape(x.rstrip(".")) for x in treated_territory_lines(o)]
    if lip.normal_liver > 0:
        facts.append(f"lipiodol retained in normal liver {lip.normal_liver:.2f} mL")
    body = "<p>" + "; ".join(facts) + ".</p>"
    body += table(
        ["Segment", *by_seg], [["Injured", *(pct(v, 1) for v in by_seg.values())]], "num wide"
    )
    dvh = nl.dose_volume_by_segment
    hot = [(s, list(pts), False) for s, pts in dvh.items() if len(pts) > 1]
    body += '<div class="charts">' if hot else ""
    body += '<div class="figure' + ("" if hot else " beside") + '">'
    body += bar_chart(list(by_seg.items()), "Normal-liver injury by segment")
    body += '<p class="caption">Share of each segment\'s normal liver injured.</p></div>'
    if hot:
        tol = sc.scoring.normal_liver_tolerance_gy
        glass = "y90_glass" in agents
        line = tol / GLASS_TO_RESIN_EQUIVALENT if glass else tol
        label = f"tolerance {line:.0f} Gy" + (" (glass)" if glass else "")
        body += '<div class="figure">' + dvh_chart(
            hot, "Normal-liver dose-volume by segment", [(label, line)]
        )
        body += (
            '<p class="caption">Normal-liver dose-volume per treated segment (segments with no '
            f"dose are left out), sampled at {len(hot[0][1])} dose levels. Tolerance "
            f"{tol:g} Gy resin-equivalent (Walrand 2014). A simulation estimate.</p></div></div>"
        )
    body += (
        '<p class="note">Injury combines lost arterial inflow (the portal vein carries most '
        "of the parenchyma), biliary injury from small beads and radiation above tolerance; "
        "several weights are chosen for teaching (see docs/physics.md).</p>"
    )
    return section("normal-liver", "Normal liver by segment", body)


def non_target_section(o: Outcome, scoring) -> str:
    """Where agent went outside the liver, what each deposit risks, with its source."""
    if o.non_target:
        rows = []
        for d in o.non_target:
            what, src = split_source(d.complication)
            terr = e(label(d.territory))
            rows.append([f"<b>{terr}</b>", pct(d.fraction, 2), e(what or "–"), e(src or "–")])
        body = table(
            ["Territory", "Share of agent", "Complication risked", "Vessel / source"], rows, "nt"
        )
    else:
        body = "<p>No agent reached a non-target territory.</p>"
    d = o.deposition.to_dict()
    body += "<p>Where the agent went: " + ", ".join(
        f"{e(deposition_label(k))} {pct(v, 1)}" for k, v in d.items()
    )
    body += (
        f". Lung dose {o.lung_dose_gy:.1f} Gy (limit {scoring.lung_dose_limit_gy:g} Gy per "
        "treatment).</p>"
    )
    risks = o.complications
    if risks:
        body += "<h3>Patient-specific complication risks</h3>"
        rows = [
            [
                e(r.name),
                pct(r.probability),
                "scored" if r.scored else "shown for teaching",
                e(r.source),
            ]
            for r in risks
        ]
        body += table(["Complication", "Estimated risk", "In the score", "Source"], rows)
    else:
        body += "<p>No patient-specific complication risk from what was done.</p>"
    body += (
        '<p class="note">Risks are published rates applied to the simulated procedure, '
        "not a prediction for a patient.</p>"
    )
    return section("non-target", "Non-target deposits and complications", body)


def timeline_section(rows: list[Row]) -> str:
    """The procedure's actions and events in time order."""
    if not rows:
        return section("timeline", "Timeline", "<p>Nothing happened.</p>")
    warn = ' class="warn"'
    trs = "".join(
        f'<tr{warn if r.warning else ""}><td class="t">{clock(r.t)}</td>'
        f"<td>{e(r.label)}</td><td>{e(r.text)}</td></tr>\n"
        for r in rows
    )
    body = (
        '<table class="timeline"><thead><tr><th>Time</th><th>What</th><th>Detail</th></tr>'
        f"</thead>\n<tbody>\n{trs}</tbody></table>"
    )
    body += '<p class="note">Times are simulated time since the case started (m:ss).</p>'
    return section("timeline", "Timeline", body)


def angiograms_section(angios: list[Angiogram], uris: list[str]) -> str:
    """Before/after DSA frames, or a plain statement that there was no contrast run."""
    if not angios:
        body = (
            '<p class="missing">No contrast run was made during this case, so there is no '
            "angiogram before or after. The endpoint is judged on the angiogram: run contrast "
            "before embolizing and again before stopping.</p>"
        )
        return section("angiograms", "Angiograms before and after", body)
    figs = []
    for a, uri in zip(angios, uris, strict=True):
        figs.append(
            f'<figure><img src="{uri}" alt="{e(a.label)} angiogram (DSA)" '
            f'width="{a.surface.get_width()}" height="{a.surface.get_height()}">'
            f"<figcaption><b>{e(a.label)}</b> — DSA at {clock(a.t)}. {e(a.caption)}."
            "</figcaption></figure>"
        )
    body = '<div class="angios">' + "".join(figs) + "</div>"
    body += (
        '<p class="note">Simulated digital subtraction angiography of the generated anatomy, '
        "drawn at each run's arterial peak.</p>"
    )
    return section("angiograms", "Angiograms before and after", body)


def visits_section(o: Outcome) -> str:
    """A staged case's visits: each earlier visit's uptake, counters and what it handed on
    (:mod:`sim.app.visit_text`, the between-visits screen's words); the rest of the report is
    the last visit's. Empty for a one-visit case."""
    if not o.visits:
        return ""
    items = []
    for v in o.visits[:MAX_VISITS]:
        lines = finished_visit_lines(v) if "outcome" in v else [visit_label(v) + " (below)"]
        head, rest = lines[0], lines[1:]
        body = "".join(f"<li>{e(t)}</li>" for t in rest)
        items.append(f"<h3>{e(head)}</h3>\n<ul>{body}</ul>")
    note = (
        '<p class="note">Coils and the measured lung shunt and T/N carry from the mapping into '
        "the treatment; the mapping's particles do not. The sections below are the last "
        "visit's.</p>"
    )
    return section("visits", "Visits", "\n".join(items) + note)
