"""Words for a staged case's visits: the between-visits screen and the report's visit lines.

Read from the ``visits`` list of an outcome's JSON (:func:`sim.engine.visits.visits_json`), so
the window, the report and a stored record say the same thing. Untrusted records: every value
is read defensively (a missing or odd field is left out, never raised on) and printed safe.
"""

from __future__ import annotations

from sim.labels import label
from sim.records.model import printable

MAX_LISTED = 8  # vessels or tumours listed on one line (a forged record may list thousands)


def _num(value: object) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok and value == value and abs(value) < 1e12 else None


def _clock(seconds: float | None) -> str:
    s = int(seconds or 0)
    return f"{s // 60}:{s % 60:02d}"


def _names(items: object) -> str:
    if not isinstance(items, list) or not items:
        return "none"
    shown = [printable(x, 24) for x in items[:MAX_LISTED]]
    return ", ".join(shown) + (f" (+{len(items) - MAX_LISTED})" if len(items) > MAX_LISTED else "")


def visit_label(visit: dict) -> str:
    """'Visit 1 — mapping: <title>'."""
    i = visit.get("index")
    n = int(i) + 1 if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < 10 else "?"
    kind = printable(visit.get("kind", ""), 20)
    title = printable(visit.get("title", ""), 80)
    return f"Visit {n} — {kind}" + (f": {title}" if title else "")


def carry_lines(carry: object) -> list[str]:
    """What a visit handed on: measured shunt and T/N, vessels closed for good, lung dose."""
    if not isinstance(carry, dict):
        return []
    out = []
    lsf = _num(carry.get("lung_shunt_fraction"))
    out.append(
        f"Lung shunt measured: {100 * lsf:.1f} %" if lsf is not None else "Lung shunt: not measured"
    )
    tn = carry.get("tn_ratio")
    if isinstance(tn, dict) and tn:
        pairs = [(printable(k, 16), _num(v)) for k, v in list(tn.items())[:MAX_LISTED]]
        out.append("T/N measured: " + ", ".join(f"{k} {v:.1f}" for k, v in pairs if v is not None))
    out.append(f"Closed for good (coils): {_names(carry.get('closed_vessels'))}")
    lung = _num(carry.get("lung_dose_gy"))
    if lung:
        out.append(f"Lung dose so far: {lung:.1f} Gy (counts towards the 50 Gy cumulative limit)")
    return out


def finished_visit_lines(visit: dict) -> list[str]:
    """A finished visit: its label, where the agent went, its counters, what it handed on."""
    lines = [visit_label(visit)]
    out = visit.get("outcome")
    if isinstance(out, dict):
        maa = out.get("maa")  # the MAA scan's uptake, else what the visit's agents deposited
        where = maa.get("extrahepatic") if isinstance(maa, dict) else out.get("non_target")
        if isinstance(where, dict):
            shown = list(where.items())[:MAX_LISTED]
            fractions = [(label(printable(k, 24)), _num(v)) for k, v in shown]
            spots = [f"{k} {100 * f:.1f} %" for k, f in fractions if f and f > 5e-4]
            head = "Extrahepatic uptake (MAA)" if isinstance(maa, dict) else "Extrahepatic deposits"
            lines.append(f"{head}: " + (", ".join(spots) or "none seen"))
        m = out.get("metrics")
        if isinstance(m, dict):
            contrast = _num(m.get("contrast_ml")) or 0.0
            lines.append(
                f"Time {_clock(_num(m.get('procedure_s')))}, fluoroscopy "
                f"{_clock(_num(m.get('fluoro_s')))}, contrast {contrast:.0f} mL"
            )
    return lines + carry_lines(visit.get("carry"))


def between_visits_lines(visits: list[dict], next_visit: dict, days: int) -> list[str]:
    """The between-visits screen: the visit just finished, then the one about to begin."""
    when = f"{days} days later" if days else "the same day"
    return (
        finished_visit_lines(visits[-1])
        + ["", f"Next: {visit_label(next_visit)} ({when})"]
        + ["The catheter starts again at the aorta; particles of the last visit are gone."]
        + ["Enter or click: begin"]
    )
