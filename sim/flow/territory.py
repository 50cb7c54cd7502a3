"""Which territory each edge drains to, for attributing deposits and non-target events."""

from __future__ import annotations

import numpy as np

from sim.anatomy.graph import NON_TARGET_KINDS
from sim.flow.compile import Compiled

COMPLICATION = {
    "duodenum_pancreas": "duodenal ulcer or pancreatitis (GDA; PMC5977140, PubMed 21184228)",
    "stomach": "gastric ulcer or ischaemia (left/right gastric; reference §1.4)",
    "gallbladder": "ischaemic or radiation cholecystitis (cystic; McWilliams 2011)",
    "skin": "supra-umbilical rash or skin necrosis (falciform; Smith 2015)",
    "spleen": "splenic infarct (splenic artery)",
    "bowel": "bowel ischaemia (SMA)",
    "diaphragm": "pleural effusion, diaphragmatic irritation (phrenic; PubMed 21184228)",
    "systemic": "systemic embolization (refluxed into the aorta)",
}


def edge_territory(c: Compiled) -> list[str | None]:
    """The non-target territory name an edge feeds exclusively, else None.

    A vessel counts as non-target when every bed below it is of one extrahepatic territory
    (e.g. the GDA → ``gastroduodenal``).
    """
    out: list[str | None] = [None] * c.n_edges
    below: list[set[str]] = [set() for _ in range(c.n_edges)]
    n_tree = c.n_nodes - 1  # collaterals (loop edges) come after the tree edges: not attributed
    for e in range(n_tree - 1, -1, -1):
        b = c.edge_bed[e]
        if b >= 0:
            bed = c.beds[b]
            below[e] = {bed.territory if bed.kind in NON_TARGET_KINDS else "hepatic"}
        else:
            for ch in c.children[c.edge_to[e]]:
                below[e] |= below[ch]
    for e in range(c.n_edges):
        if len(below[e]) == 1 and "hepatic" not in below[e]:
            out[e] = next(iter(below[e]))
    return out


def push_down(c: Compiled, per_edge: np.ndarray, flow0: np.ndarray) -> np.ndarray:
    """Attribute quantities lodged in vessels to the beds below, by baseline flow share.

    Parameters
    ----------
    per_edge : ndarray (E,)
        Quantity lodged at each edge (beds included).
    flow0 : ndarray (E,)
        Baseline flows used as the split.

    Returns
    -------
    ndarray (B,)
        Quantity per bed.
    """
    acc = per_edge.astype(float).copy()
    for e in range(c.n_nodes - 1, c.n_edges):  # collaterals: hand on to the joined vessel
        ch = c.children[c.edge_to[e]]
        for k in ch:
            acc[k] += acc[e] / len(ch)
        acc[e] = 0.0 if ch else acc[e]
    for e in range(c.n_nodes - 1):
        if c.edge_bed[e] >= 0 or acc[e] == 0.0:
            continue
        ch = c.children[c.edge_to[e]]
        if not ch:
            continue
        w = np.maximum(np.array([flow0[k] for k in ch]), 0.0)
        tot = w.sum()
        share = w / tot if tot > 0 else np.full(len(ch), 1.0 / len(ch))
        for k, s in zip(ch, share, strict=True):
            acc[k] += acc[e] * s
        acc[e] = 0.0
    return acc[c.bed_edge]


def beds_below(c: Compiled, node: int) -> list[int]:
    """Bed indices downstream of ``node`` in the arterial tree: what a tip there perfuses.

    Collaterals (loop edges) are not followed: at baseline they carry little flow.
    """
    out: list[int] = []
    stack = list(c.children[node])
    while stack:
        e = stack.pop()
        b = int(c.edge_bed[e])
        if b >= 0:
            out.append(b)
        else:
            stack.extend(c.children[int(c.edge_to[e])])
    return sorted(out)
