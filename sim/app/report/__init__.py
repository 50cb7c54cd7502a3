"""The debrief report: one self-contained HTML page and a PNG summary card per case.

``report.html`` carries the case, the score and its components, per-tumour coverage and
dose-volume, normal-liver injury by segment, non-target deposits with the complications they
risk, the timeline and the angiograms before and after — CSS inline, images as ``data:`` URIs,
no script and no external fetch — and prints cleanly to PDF from a browser. ``card.png``
(1600×900) sums the case up for a slide.

Entry points:

- :func:`build_report` — ``(proc, outcome, meta, out_dir) -> report.html path``;
- :func:`report_for_procedure` — the debrief's Report button;
- :func:`report_from_record`, :func:`report_from_plan` — ``python main.py report``.

Modules: :mod:`.build` (assembly), :mod:`.page` (document, case, score), :mod:`.sections`
(results), :mod:`.charts` (inline SVG), :mod:`.images` (angiograms, PNG), :mod:`.timeline`,
:mod:`.card`, :mod:`.command` (the command; record or plan).

The README pictures are the default case's report, rendered by headless Chromium (Debian's
``chromium`` package; not a test dependency), and its card::

    python main.py report --scenario scenarios/default.yaml --trainee "Dr A. Fellow" -o /tmp/report
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \\
        --screenshot=docs/img/report.png --window-size=1280,4300 file:///tmp/report/report.html
    cp /tmp/report/card.png docs/img/report_card.png

(the window is as tall as the whole page; ``--print-to-pdf=report.pdf`` checks the print layout).
"""

from __future__ import annotations

import importlib

# Lazy: the CLI imports :mod:`.command` to build its parser, and headless commands must not
# pull in pygame through this package.
_EXPORTS = {
    "ReportFiles": "build",
    "build_report": "build",
    "report_for_procedure": "build",
    "ReportError": "command",
    "report_from_plan": "command",
    "report_from_record": "command",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"sim.app.report.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
