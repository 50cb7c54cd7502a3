"""The nuclear-medicine studies of a procedure: the MAA mapping and the post-treatment Y-90 scan.

Both are drawn by :func:`sim.outcome.scintigraphy.scan` from what the procedure deposited —
MAA particles and Y-90 activity — at one axial slice level, so the predicted (MAA) and the
delivered (Y-90) pictures are compared like for like. Reading changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.actions import SelectAgent
from sim.agents import MAA_DEFAULT_MBQ
from sim.outcome.scintigraphy import (
    MAA,
    Y90,
    Scan,
    activity_deposit,
    agent_deposit,
    bed_depths,
    measure,
    scan,
    sources,
)
from sim.rng import make_streams
from sim.transport.flight import AGENT_IDS

if TYPE_CHECKING:
    from sim.engine.procedure import Procedure

LIVER_MID_Y_MM = 90.0  # the slice level when no tumour took anything up (mid-liver, U)


@dataclass(frozen=True)
class Studies:
    """The MAA scan (None: no MAA given) and the Y-90 scan (None: no Y-90 delivered)."""

    maa: Scan | None
    y90: Scan | None


def maa_activity_mbq(proc: Procedure) -> float:
    """The MAA activity drawn up in the procedure, MBq (the default dose where not given)."""
    doses = [
        a.activity_mbq or MAA_DEFAULT_MBQ
        for _, a in proc.log
        if isinstance(a, SelectAgent) and a.agent == "maa"
    ]
    return float(sum(doses))


def _slice_y(proc: Procedure, bed_amount: np.ndarray) -> float:
    """The axial slice level: through the centre of the tumour with the most uptake per gram."""
    c = proc.c
    best, y = 0.0, LIVER_MID_Y_MM
    for ti, t in enumerate(proc.liver.tumors):
        sel = c.bed_tumor == ti
        conc = float(bed_amount[sel].sum()) / max(float(c.bed_mass_g[sel].sum()), 1e-9)
        if conc > best:
            best, y = conc, float(t.center[1])
    return y


def studies(proc: Procedure) -> Studies:
    """The MAA and Y-90 scans of ``proc`` as it stands (noise from a fresh copy of its seed's
    noise stream: the same procedure always gives the same pictures)."""
    c, tl, flow0 = proc.c, proc.transport.tallies(), proc.flow.baseline_flow
    radius = {t.id: t.diameter_mm / 2.0 for t in proc.scenario.tumors}
    given = proc.transport.delivered_count
    maa_bed = y90_bed = None
    if given[AGENT_IDS.index("maa")] > 0:
        maa_bed, maa_lung, _ = agent_deposit(c, tl, flow0, "maa")
    y90_mbq = float(proc.transport.delivered_activity.sum()) * 1e-6  # only Y-90 packets carry it
    if y90_mbq > 0:
        y90_bed, y90_lung = activity_deposit(c, tl, flow0)
    ref = maa_bed if maa_bed is not None else y90_bed
    if ref is None:
        return Studies(None, None)
    rng = make_streams(proc.seed).noise
    z = bed_depths(c)
    y0 = _slice_y(proc, ref)
    maa = y90 = None
    if maa_bed is not None:
        s = sources(c, maa_bed, maa_lung, radius, z)
        maa = scan(s, MAA, maa_activity_mbq(proc), y0, rng)
        maa.notes.extend(measure(c, maa_bed, maa_lung, bed_z=z).lines())
    if y90_bed is not None:
        s = sources(c, y90_bed, y90_lung, radius, z)
        y90 = scan(s, Y90, y90_mbq, y0, rng)
        y90.notes.extend(delivered_lines(proc, y90_bed, y90_lung, z))
    return Studies(maa, y90)


def delivered_lines(proc: Procedure, bed: np.ndarray, lung: float, z: np.ndarray) -> list[str]:
    """What the Y-90 scan shows, in words: activity given and where it went, and the T/N the
    PET reads — measured by the same code as the MAA's, so the two compare line by line."""
    total = float(bed.sum()) + lung
    share = lambda m: 100 * float(bed[m].sum()) / total if total > 0 else 0.0  # noqa: E731
    kinds = np.array([b.kind for b in proc.c.beds])
    hepatic = np.isin(kinds, ("liver", "tumor"))
    m = measure(proc.c, bed, lung, bed_z=z)
    tn = ", ".join(f"{t.id} {t.tn_ratio:.1f}" for t in m.tumors)
    return [
        f"{proc.metrics.activity_gbq:.2f} GBq delivered: tumours {share(kinds == 'tumor'):.1f} %"
        f", normal liver {share(kinds == 'liver'):.1f} %, lungs "
        f"{100 * lung / total if total > 0 else 0.0:.1f} %, elsewhere {share(~hepatic):.1f} %",
        f"Tumour-to-normal (PET): {tn or 'no tumour'}",
    ]
