"""The report's pictures: before/after angiograms and PNG encoding for ``data:`` URIs.

The angiograms are drawn exactly as the procedure screen draws them for the debrief
(:meth:`sim.app.scenes.caseview.CaseView.angiograms`, both through
:func:`sim.render.fluoro.run_peak`): DSA at the peak of the first contrast
run (before) and of the last one (after), ``min(duration, 2 s)`` after each run starts. Drawing
only reads the procedure, so a report never changes the case it describes. A case without a
contrast run has no angiogram: the report says so instead of showing an empty frame.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sim.app.report.timeline import clock
from sim.render import canvas
from sim.render.fluoro import FluoroView, run_peak

ANGIO_SIZE = (720, 600)  # px: the DSA frames in the report (≈ the window's view aspect)


@dataclass
class Angiogram:
    """One DSA frame with what it shows."""

    label: str
    t: float
    surface: object  # the frame as drawn (sim.render)
    caption: str


def angiograms(
    proc,
    size: tuple[int, int] = ANGIO_SIZE,
    before=None,
    after=None,
) -> list[Angiogram]:
    """Before and after DSA frames of ``proc``; empty when the case had no contrast run.

    Parameters
    ----------
    proc : sim.engine.procedure.Procedure
        Read only.
    size : tuple of int
        Frame size, px, when the frames are drawn here.
    before, after : image, optional
        Frames already drawn (the debrief's, taken before the catheter was withdrawn); used as
        they are instead of drawing new ones.
    """
    runs = list(proc.contrast_runs)
    if not runs:
        return []
    first, last = runs[0], runs[-1]
    view = None
    if before is None or after is None:
        view = FluoroView(proc, size)
    if before is None:
        before = view.render(run_peak(first), mode="dsa")
    if after is None:
        after = view.render(run_peak(last), mode="dsa")
    one = len(runs) == 1
    return [
        Angiogram(
            "Before",
            run_peak(first),
            before,
            f"First contrast run, started at {clock(first.t0)}"
            + (" (the only run: before and after are the same frame)" if one else ""),
        ),
        Angiogram(
            "After",
            run_peak(last),
            after,
            f"Last contrast run, started at {clock(last.t0)}"
            + (" (the only run)" if one else f"; {len(runs)} runs in all"),
        ),
    ]


def png_bytes(surface) -> bytes:
    """``surface`` encoded as PNG."""
    return canvas.png_bytes(surface)


def data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,…`` URI: the page carries its images in itself."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def thumbnail(surface, box: tuple[int, int]):
    """``surface`` scaled to fit ``box`` with its aspect kept."""
    w, h = surface.get_size()
    k = min(box[0] / w, box[1] / h)
    return canvas.scale(surface, (max(1, int(w * k)), max(1, int(h * k))))
