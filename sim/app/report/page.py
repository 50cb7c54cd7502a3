"""The report page: one self-contained HTML document (inline CSS, ``data:`` images, no script).

Sections, in order, each a ``<section id=…>`` with an ``<h2>``: ``case``, ``score``, ``tumors``,
``normal-liver``, ``non-target``, ``timeline``, ``angiograms``, (``nuclear`` after an MAA
mapping or a Y-90 treatment), ``notes`` (the case's teaching
points) and ``disclaimer``. :data:`SECTION_IDS` lists them for tests and links.

The print stylesheet (``@media print``) gives a white, compact document: sections follow one
another (no section forces a new page), table rows, figures and charts are kept whole, headings
stay with what follows and the images are bounded in height, so "Print → Save as PDF" gives a
few full pages (three for the default case) instead of one mostly blank page per section.
"""

from __future__ import annotations

import html

from sim.app.report.charts import PALETTE, meter
from sim.app.report.sections import (
    angiograms_section,
    lu177_section,
    non_target_section,
    normal_liver_section,
    pct,
    section,
    table,
    timeline_section,
    tumors_section,
    visits_section,
)
from sim.app.report_text import decision_lines, points_text, score_text
from sim.labels import label
from sim.outcome.result import Outcome

e = html.escape
SECTION_IDS = (
    "case",
    "score",
    "tumors",
    "normal-liver",
    "non-target",
    "timeline",
    "angiograms",
    "notes",
    "disclaimer",
)
CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #d8dce3; --accent: #0072B2; --warn: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f5; color: var(--ink);
  font: 15px/1.45 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 32px; }
header { background: #17202e; color: #fff; padding: 22px 28px; }
header .kicker { font-size: 12px; letter-spacing: .12em; text-transform: uppercase;
  color: #9fb3c8; }
header h1 { margin: 4px 0 6px; font-size: 28px; }
header .who { color: #d5dde8; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  margin: 18px 0; padding: 18px 24px; }
h2 { margin: 0 0 12px; font-size: 20px; border-bottom: 2px solid var(--accent);
  padding-bottom: 4px; }
h3 { font-size: 16px; margin: 16px 0 6px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left;
  vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; }
table.num td { font-variant-numeric: tabular-nums; }
tr.warn td { color: var(--warn); font-weight: 600; }
table.nt td:first-child { color: var(--warn); }
table.components td:nth-child(3) { white-space: nowrap; }
td.t { font-variant-numeric: tabular-nums; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 6px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 32px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; align-items: start; }
.beside { display: grid; grid-template-columns: 540px 1fr; gap: 24px; align-items: center; }
dl.meta { grid-template-columns: repeat(3, max-content 1fr); }
table.wide th:first-child, table.wide td:first-child { color: var(--muted); }
.score { display: flex; align-items: baseline; gap: 12px; margin: 4px 0 10px; }
.score .big { font-size: 56px; font-weight: 700; color: var(--accent); line-height: 1; }
.score .of { font-size: 22px; color: var(--muted); }
.tag { font-size: 11px; background: #eceff3; border-radius: 3px; padding: 1px 5px;
  font-weight: normal; }
.note, .caption { color: var(--muted); font-size: 13px; }
.missing { background: #fff6e0; border-left: 4px solid #E69F00; padding: 10px 14px; }
.figure { margin: 10px 0; }
svg.chart { max-width: 100%; height: auto; }
.angios { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
figure { margin: 0; }
figure img { width: 100%; height: auto; border: 1px solid var(--line); display: block; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
#disclaimer { border-left: 6px solid var(--warn); }
#disclaimer p.strong { font-weight: 700; font-size: 16px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 9.5pt; line-height: 1.35; }
  header { background: #fff; color: #000; border-bottom: 2px solid #000; padding: 0 0 6px; }
  header h1 { font-size: 18pt; margin: 2px 0 4px; }
  header .kicker, header .who { color: #333; }
  main { max-width: none; padding: 0; }
  section { border: none; border-radius: 0; margin: 0; padding: 6px 0; }
  h2 { font-size: 13pt; margin: 4px 0 6px; }
  h3 { font-size: 11pt; margin: 8px 0 4px; }
  table { font-size: 8.5pt; margin: 4px 0 6px; }
  th, td { padding: 2px 6px; }
  .score .big { font-size: 36pt; }
  tr, figure, .figure, svg, img, dl, #disclaimer { break-inside: avoid;
    page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  img { max-width: 100%; max-height: 55mm; }
  svg.chart { max-width: 100%; max-height: 38mm; }
  figure img { width: auto; }
  .angios, .charts { grid-template-columns: 1fr 1fr; gap: 10px; }
  .beside { grid-template-columns: 1fr 1fr; gap: 12px; }
  dl.meta { grid-template-columns: repeat(3, max-content 1fr); }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def facts(pairs: list[tuple[str, str]], cls: str = "") -> str:
    """A definition list of ``(label, value)``; empty values are left out; both escaped."""
    items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in pairs if v not in ("", None))
    return f'<dl class="facts {cls}">{items}</dl>' if items else ""


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def case_section(sc, meta: dict, agents_used: list[dict]) -> str:
    """Who, when, which case; briefing, goals, patient and the agents actually given."""
    body = ""
    if meta.get("notice"):
        body += f'<p class="missing">{e(meta["notice"])}</p>'
    if sc.summary:
        body += f"<p>{e(sc.summary)}</p>"
    body += facts(
        [
            ("Trainee", meta.get("trainee") or "not recorded"),
            ("Date", meta.get("date", "")),
            ("Record", str(meta.get("record_id") or "not stored (run from a plan)")),
            ("Case", str(meta.get("scenario_id", ""))),
            ("Difficulty", f"{sc.difficulty} of 5"),
            ("Seed", str(meta.get("seed", ""))),
            ("Siphon", str(meta.get("app_version", ""))),
        ],
        "meta",
    )
    b = sc.briefing
    body += '<div class="cols"><div><h3>Briefing</h3>'
    body += (
        facts(
            [
                ("History", b.history),
                ("CT / MRI", b.ct),
                ("PET", b.pet),
                ("Biopsy", b.biopsy),
                ("Mapping", b.mapping),
            ]
        )
        or "<p>No briefing.</p>"
    )
    goals = "".join(f"<li>{e(g.goal)}</li>" for g in sc.learning_goals)
    body += f"<h3>Learning goals</h3><ul>{goals}</ul>" if goals else ""
    p = sc.patient
    body += "</div><div><h3>Patient</h3>"
    body += facts(
        [
            ("Age, sex", f"{p.age_y} y, {p.sex}"),
            ("Weight, height", f"{p.weight_kg:g} kg, {p.height_cm:g} cm"),
            ("Liver mass", f"{p.liver_mass_g:g} g" if p.liver_mass_g else ""),
            ("Bilirubin", f"{p.bilirubin_mg_dl:g} mg/dL"),
            ("Albumin", f"{p.albumin_g_dl:g} g/dL"),
            ("Prior Whipple", _yes(p.prior_whipple)),
            ("Portal vein thrombosis", _yes(p.portal_vein_thrombosis)),
            ("Carcinoid syndrome", _yes(p.carcinoid_syndrome)),
            ("Prior treatments", ", ".join(p.prior_treatments)),
            ("Arterial anatomy", f"Michels type {sc.anatomy.michels}"),
            ("Lung shunt fraction", pct(sc.shunt.lung_shunt_fraction, 1)),
        ]
    )
    body += "</div></div><h3>Agent used</h3>"
    if agents_used:
        rows = [
            [e(a["name"]), f"{a['volume_ml']:.2f} mL", e(a["detail"]) or "–"] for a in agents_used
        ]
        body += table(["Agent", "Volume injected", "Preparation"], rows)
    else:
        body += "<p>No agent was injected.</p>"
    return section("case", "The case", body)


def score_section(o: Outcome) -> str:
    """The total and each component with its points, maximum and reason."""
    rows = []
    for i, c in enumerate(o.components):
        frac = c.points / c.max if c.max else 0.0
        rows.append(
            [
                e(label(c.name)),
                meter(frac, color=PALETTE[i % len(PALETTE)]),
                points_text(c.points, c.max),
                e(c.reason),
            ]
        )
    for p in o.penalties:
        rows.append([e(label(p.name)), "", f"− {p.points:.1f}", e(p.reason)])
    m = o.metrics
    body = "".join(f'<p class="failed"><b>Failed:</b> {e(why)}</p>' for why in o.failures)
    body += (
        f'<div class="score"><span class="big">{score_text(o.score)}</span>'
        '<span class="of">/ 100</span></div>'
    )
    body += table(["Component", "", "Points", "Why"], rows, "num components")
    goals = [
        [{True: "✓ met", False: "✗ not met"}.get(g.met, "– not graded"), e(g.goal), e(g.reason)]
        for g in o.goals
    ]
    body += table(["", "Learning goal", "Why"], goals) if goals else ""
    body += "".join(f"<p><b>{e(line)}</b></p>" for line in decision_lines(o))
    body += (
        f"<p>Procedure {m.procedure_s / 60:.1f} min · fluoroscopy {m.fluoro_s / 60:.1f} min"
        f" · contrast {m.contrast_ml:g} mL · agent {m.agent_ml:g} mL"
        + (f" · activity {m.activity_gbq:g} GBq" if m.activity_gbq else "")
        + (f" · doxorubicin {m.drug_mg:g} mg" if m.drug_mg else "")
        + f" · endpoint SACE {o.sace_level or '–'}.</p>"
    )
    body += (
        '<p class="note">The score weighs simulated outcomes with the case\'s weights; the '
        "scales are chosen for teaching (marked U in docs/physics.md), not clinical "
        "thresholds.</p>"
    )
    return section("score", "Score", body)


def notes_section(sc) -> str:
    """The case's debrief notes: what the instructor wants remembered, with sources."""
    items = "".join(f"<li>{e(n)}</li>" for n in sc.debrief_notes)
    body = f"<ul>{items}</ul>" if items else "<p>This case has no debrief notes.</p>"
    return section("notes", "Teaching points", body)


def disclaimer_section(o: Outcome) -> str:
    """The disclaimer, always last and always shown."""
    text = o.disclaimer
    body = (
        f'<p class="strong">{e(text)}</p><p>Its anatomy is generated, its physics simplified '
        "and its numbers calibrated from published ranges; every figure in this report is a "
        "simulation estimate for teaching. Never use it to choose a treatment, an activity or "
        "a dose for a patient.</p>"
    )
    return section("disclaimer", "Disclaimer", body)


def render_page(
    sc,
    o: Outcome,
    meta: dict,
    agents_used: list[dict],
    rows,
    angios,
    uris: list[str],
    nuclear: str = "",
) -> str:
    """The whole document as a string (see the module docstring for its sections);
    ``nuclear``: the nuclear-medicine section's HTML, when the case had one."""
    agents = {a["id"] for a in agents_used}
    who = " · ".join(
        x
        for x in (
            meta.get("trainee") or "",
            meta.get("date") or "",
            f"record {meta['record_id']}" if meta.get("record_id") else "",
        )
        if x
    )
    parts = [
        case_section(sc, meta, agents_used),
        visits_section(o),
        score_section(o),
        tumors_section(o, sc, agents),
        lu177_section(o),
        normal_liver_section(o, sc, agents),
        non_target_section(o, sc.scoring),
        timeline_section(rows),
        angiograms_section(angios, uris),
        nuclear,
        notes_section(sc),
        disclaimer_section(o),
    ]
    title = f"Siphon debrief — {sc.title}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header><div class="kicker">Siphon · debrief report · score {score_text(o.score)} / 100'
        f'</div><h1>{e(sc.title)}</h1><div class="who">{e(who)}</div></header>\n'
        "<main>\n" + "".join(parts) + "</main>\n</body>\n</html>\n"
    )
