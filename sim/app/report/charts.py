"""Small charts as inline SVG: crisp at any zoom, printed as drawn, no script, no image file.

- :func:`meter` — one horizontal bar (a score component, a fraction);
- :func:`bar_chart` — labelled horizontal bars (normal-liver damage by segment);
- :func:`dvh_chart` — cumulative dose-volume curves with reference doses.

Every label goes through :func:`html.escape`. Colours are the Okabe & Ito (2008) palette,
readable with the common colour-vision deficiencies and in greyscale print.
"""

from __future__ import annotations

import html
import math

from sim.outcome.dose_volume import DosePoint

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#777")
INK, GRID, TRACK = "#222", "#d8dce3", "#eceff3"


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def meter(fraction: float, width: int = 160, height: int = 12, color: str = PALETTE[0]) -> str:
    """An SVG bar ``fraction`` (0–1) full: a score component beside its points."""
    f = min(1.0, max(0.0, float(fraction)))
    return (
        f'<svg class="meter" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{100 * f:.0f} %">'
        f'<rect width="{width}" height="{height}" rx="3" fill="{TRACK}"/>'
        f'<rect width="{_num(width * f)}" height="{height}" rx="3" fill="{color}"/></svg>'
    )


def bar_chart(
    items: list[tuple[str, float]],
    title: str,
    width: int = 520,
    bar_h: int = 20,
    color: str = PALETTE[1],
) -> str:
    """Horizontal bars of fractions (0–1), one per ``(label, value)``, labelled in per cent."""
    left, right, top = 44, 64, 8
    h = top + len(items) * (bar_h + 6) + 22
    span = width - left - right
    out = [
        f'<svg class="chart" width="{width}" height="{h}" viewBox="0 0 {width} {h}" '
        f'role="img" aria-label="{html.escape(title)}">'
    ]
    for k in range(5):
        x = left + span * k / 4
        out.append(
            f'<line x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{h - 20}" stroke="{GRID}"/>'
            f'<text x="{_num(x)}" y="{h - 6}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{25 * k} %</text>'
        )
    for i, (label, v) in enumerate(items):
        y = top + i * (bar_h + 6)
        f = min(1.0, max(0.0, float(v)))
        out.append(
            f'<text x="{left - 6}" y="{y + bar_h * 0.72:.1f}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{html.escape(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{_num(span * f)}" height="{bar_h}" fill="{color}"/>'
            f'<text x="{_num(left + span * f + 5)}" y="{y + bar_h * 0.72:.1f}" font-size="12" '
            f'fill="{INK}">{100 * f:.1f} %</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _ticks(top: float) -> list[float]:
    """Round axis ticks from 0 to at least ``top``."""
    raw = top / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [step * k for k in range(int(math.ceil(top / step - 1e-9)) + 1)]


def _curve(points: list[DosePoint], step: bool, sx, sy) -> str:
    """SVG path of one DVH: steps for the exact form, a line through samples otherwise."""
    if not points:
        return ""
    d = f"M{sx(0):.1f},{sy(1.0):.1f}"
    prev_v = 1.0
    for p in points:
        x, v = p.dose_gy, p.volume_fraction
        if step:  # V holds at V(d_i) on (d_{i-1}, d_i], so drop first, then run level
            d += f" V{sy(v):.1f} H{sx(x):.1f}"
        else:
            d += f" L{sx(x):.1f},{sy(v):.1f}"
        prev_v = v
    if step and prev_v > 0:  # nothing absorbs more than the hottest bed
        d += f" V{sy(0.0):.1f}"
    return d


def dvh_chart(
    series: list[tuple[str, list[DosePoint], bool]],
    title: str,
    references: list[tuple[str, float]] = (),
    width: int = 520,
    height: int = 260,
) -> str:
    """Cumulative DVH curves: volume fraction (%) against dose (Gy).

    Parameters
    ----------
    series : list of (label, points, step)
        ``points`` as in :mod:`sim.outcome.dose_volume`; ``step`` draws the exact step form.
    title : str
        Accessible name of the chart.
    references : list of (label, dose_gy)
        Dashed vertical lines (target dose, tolerance).
    """
    left, right, top, bottom = 48, 84, 12, 40  # the legend stands right of the plot
    pw, ph = width - left - right, height - top - bottom
    doses = [p.dose_gy for _, pts, _ in series for p in pts] + [d for _, d in references]
    x_max = max([1.0, *doses]) * 1.08
    ticks = _ticks(x_max)
    x_max = ticks[-1]

    def sx(d: float) -> float:
        return left + pw * d / x_max

    def sy(v: float) -> float:
        return top + ph * (1.0 - v)

    out = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(title)}">'
    ]
    for k in range(5):
        y = sy(k / 4)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{INK}">{25 * k} %</text>'
        )
    for tk in ticks:
        out.append(
            f'<line x1="{sx(tk):.1f}" y1="{top + ph}" x2="{sx(tk):.1f}" y2="{top + ph + 4}" '
            f'stroke="{INK}"/><text x="{sx(tk):.1f}" y="{top + ph + 16}" font-size="11" '
            f'text-anchor="middle" fill="{INK}">{tk:g}</text>'
        )
    out.append(
        f'<text x="{left + pw / 2:.1f}" y="{height - 4}" font-size="11" text-anchor="middle" '
        f'fill="{INK}">dose, Gy (volume receiving at least this dose)</text>'
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="{INK}"/>'
    )
    for label, d in references:
        right = sx(d) > left + 0.6 * pw  # label on the line's left, inside the plot
        tx, anchor = (sx(d) - 3, "end") if right else (sx(d) + 3, "start")
        out.append(
            f'<line x1="{sx(d):.1f}" y1="{top}" x2="{sx(d):.1f}" y2="{top + ph}" stroke="#555" '
            f'stroke-dasharray="4 3"/><text x="{tx:.1f}" y="{top + 24}" font-size="10" '
            f'text-anchor="{anchor}" fill="#555">{html.escape(label)}</text>'
        )
    for i, (label, pts, step) in enumerate(series):
        col = PALETTE[i % len(PALETTE)]
        out.append(
            f'<path d="{_curve(pts, step, sx, sy)}" fill="none" stroke="{col}" stroke-width="2.2"/>'
        )
        ly = top + 12 + 16 * i
        out.append(
            f'<line x1="{left + pw + 8}" y1="{ly - 4}" x2="{left + pw + 26}" y2="{ly - 4}" '
            f'stroke="{col}" stroke-width="3"/><text x="{left + pw + 30}" y="{ly}" '
            f'font-size="11" fill="{INK}">{html.escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
