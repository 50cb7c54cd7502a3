"""Write a case's report (``report.html``) and summary card (``card.png``) into a folder.

:func:`build_report` is the one place that assembles them; :func:`report_for_procedure` is
what the debrief's Report button calls (it fills in what the window knows and may pass the
angiograms the trainee already saw). The command line reaches both through
:mod:`sim.app.report.command`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import sim
from sim.action_text import describe
from sim.agents import AGENTS
from sim.app.report.card import render_card
from sim.app.report.images import angiograms, data_uri, png_bytes
from sim.app.report.nuclear import nuclear_section
from sim.app.report.page import render_page
from sim.app.report.timeline import timeline
from sim.outcome.result import Outcome
from sim.render import canvas

HTML_NAME, CARD_NAME = "report.html", "card.png"


@dataclass(frozen=True)
class ReportFiles:
    """Where a report was written."""

    html: Path
    card: Path


def app_version() -> str:
    """Siphon's version; also when ``sim`` was imported as a namespace package (an editable
    install used from outside the repository does that, and ``sim/__init__.py`` never runs)."""
    found = getattr(sim, "__version__", "")
    if not found:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("siphon")
        except PackageNotFoundError:
            found = ""
    return found


def complete_meta(proc, meta: dict | None) -> dict:
    """``meta`` with what the procedure itself knows filled in (the given values win).

    Keys: ``trainee``, ``date``, ``record_id``, ``scenario_id``, ``scenario_title``, ``seed``,
    ``app_version``; any may be missing from ``meta``.
    """
    out = {
        "trainee": "",
        "date": _dt.date.today().isoformat(),
        "record_id": None,
        "scenario_id": "",
        "scenario_title": proc.scenario.title,
        "seed": proc.seed,
        "app_version": app_version(),
    }
    out.update({k: v for k, v in (meta or {}).items() if v not in (None, "")})
    out["date"] = readable_date(out["date"])
    return out


def readable_date(text) -> str:
    """``20261127-024500`` (a file-name stamp) → ``2026-11-27 02:45``; other text unchanged."""
    try:
        return _dt.datetime.strptime(str(text), "%Y%m%d-%H%M%S").strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(text)


PREPARATION = {  # how an agent was prepared, for the agents table (sim.action_text wording)
    "select_agent": "{size}{activity}{mbq}{doxorubicin}",
    "size": ", {lo}–{hi} µm",
    "activity": ", {activity_gbq} GBq drawn up",
    "mbq": ", {activity_mbq} MBq Tc-99m",
    "doxorubicin": ", doxorubicin {doxorubicin_mg_ml} mg/mL",
}


def agents_used(proc) -> list[dict]:
    """Each agent injected: id, name, volume (mL) and how it was prepared (from the log)."""
    prep: dict[str, list[str]] = {}
    for _, action in getattr(proc, "log", []):
        if action.kind != "select_agent":
            continue
        text = describe(action, PREPARATION).removeprefix(", ")
        if text and text not in prep.setdefault(action.agent, []):
            prep[action.agent].append(text)
    out = []
    for a, ml in proc.metrics.agent_ml.items():
        if ml <= 0:
            continue
        spec = AGENTS.get(a)
        out.append(
            {
                "id": a,
                "name": spec.name if spec else a,
                "volume_ml": float(ml),
                "detail": "; ".join(prep.get(a, [])),
            }
        )
    return out


def build_report(
    proc,
    outcome: Outcome,
    meta: dict,
    out_dir: Path,
    *,
    before=None,
    after=None,
) -> Path:
    """Write ``report.html`` and ``card.png`` for a finished procedure into ``out_dir``.

    Parameters
    ----------
    proc : sim.engine.procedure.Procedure
        The procedure (read only): scenario, action log, contrast runs for the angiograms.
    outcome : Outcome
        Its :func:`sim.outcome.assess.assess`.
    meta : dict
        Trainee, date, record id, scenario id/title, seed, app version — whatever is known.
    out_dir : Path
        Created if missing; the two files in it are replaced.
    before, after : image, optional
        Angiograms already drawn (the debrief's); drawn here when not given.

    Returns
    -------
    Path
        The HTML file.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = complete_meta(proc, meta)
    angios = angiograms(proc, before=before, after=after)
    uris = [data_uri(png_bytes(a.surface)) for a in angios]
    page = render_page(
        proc.scenario,
        outcome,
        meta,
        agents_used(proc),
        timeline(proc, outcome),
        angios,
        uris,
        nuclear_section(proc),
    )
    html_path = out_dir / HTML_NAME
    html_path.write_text(page, encoding="utf-8")
    card = render_card(outcome, meta, proc.scenario.title, angios[-1].surface if angios else None)
    canvas.save(card, out_dir / CARD_NAME)
    return html_path


def report_for_procedure(
    proc,
    outcome: Outcome | None,
    meta: dict | None,
    out_dir: Path,
    *,
    before=None,
    after=None,
) -> ReportFiles:
    """The debrief's Report button: write the report and card, return both paths.

    ``outcome`` defaults to :func:`sim.engine.final.assess_procedure` of ``proc``; ``before`` and
    ``after`` are the debrief's angiograms when it has them (they show the catheter, as the
    trainee saw them).
    """
    if outcome is None:
        from sim.engine.final import assess_procedure

        outcome = assess_procedure(proc)
    html_path = build_report(proc, outcome, meta or {}, Path(out_dir), before=before, after=after)
    return ReportFiles(html_path, html_path.with_name(CARD_NAME))
