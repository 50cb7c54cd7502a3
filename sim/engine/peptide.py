"""Where a dissolved radiopharmaceutical (Lu-177 DOTATATE) goes as it is pushed.

It is not embolic: transport carries no packets of it. Each step's activity goes either into a
peripheral vein (route ``iv``, wherever the catheter is) or out of the catheter tip (route
``ia``), where the flow solution splits it: the activity that passes each bed on its first pass
is the bed's share of the flow leaving the tip (the beds downstream of the tip, by their
flows). What each bed extracts of it, and what recirculates, is the outcome's business
(:mod:`sim.outcome.lu177`); this module only keeps the tally, in GBq.
"""

from __future__ import annotations

import numpy as np

from sim.agents import AGENTS
from sim.engine.dispense import Syringe
from sim.flow.compile import Compiled
from sim.flow.territory import beds_below
from sim.outcome.lu177 import PeptideRecord


def is_peptide(s: Syringe) -> bool:
    """Whether the syringe holds a dissolved (non-embolic) agent."""
    return not AGENTS[s.agent].embolic


def tip_rate_ml_min(s: Syringe, rate_ml_min: float) -> float:
    """The injection the catheter tip adds to the flow: none when the dose goes into a vein."""
    return 0.0 if is_peptide(s) and s.route == "iv" else rate_ml_min


def first_pass_shares(c: Compiled, flow: np.ndarray, tip: int) -> np.ndarray:
    """Share of what leaves tip node ``tip`` that passes each bed on its first pass (B,).

    The beds downstream of the tip, each by its flow (m³/s, ``flow`` (E,)) over theirs
    together; zeros when nothing flows below the tip (all of it then recirculates).
    """
    out = np.zeros(len(c.beds))
    if tip == c.root:
        return out
    below = np.array(beds_below(c, tip), dtype=int)
    if below.size == 0:
        return out
    q = np.maximum(flow[c.bed_edge[below]], 0.0)
    if q.sum() > 0:
        out[below] = q / q.sum()
    return out


class PeptideTally:
    """Activity given so far: into a vein, and through each bed from the catheter tip (GBq)."""

    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.venous_gbq = 0.0
        self.bed_pass_gbq = np.zeros(len(c.beds))
        self.tips: list[str] = []

    def add(self, s: Syringe, gbq: float, flow: np.ndarray, tip: int, vessel: str) -> None:
        """``gbq`` pushed from syringe ``s``, the catheter tip at node ``tip`` in ``vessel``."""
        shares = first_pass_shares(self.c, flow, tip) if s.route == "ia" else None
        if shares is None or shares.sum() <= 0:
            self.venous_gbq += gbq
            return
        self.bed_pass_gbq += gbq * shares
        if vessel not in self.tips:
            self.tips.append(vessel)

    def record(self) -> PeptideRecord | None:
        """What the outcome reads, or None if none was given."""
        if self.venous_gbq <= 0 and self.bed_pass_gbq.sum() <= 0:
            return None
        return PeptideRecord(self.venous_gbq, self.bed_pass_gbq.copy(), tuple(self.tips))
