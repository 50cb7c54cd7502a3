"""The anatomy graph: a networkx DiGraph with named vessels and terminal beds.

Nodes carry ``pos`` (mm on the AP image) and ``kind`` (``root``, ``junction``, ``outlet``).
Edges point downstream at baseline and carry ``kind`` (``vessel`` or ``bed``), ``name``,
``radius_m``, ``length_m``, ``segment``, and for beds a :class:`Bed`.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

BED_KINDS = (
    "liver",
    "tumor",
    "duodenum_pancreas",
    "stomach",
    "gallbladder",
    "skin",
    "spleen",
    "bowel",
    "diaphragm",
)
NON_TARGET_KINDS = BED_KINDS[2:]  # everything outside the liver and its tumours


@dataclass
class Bed:
    """A terminal territory lumped as a resistor to venous pressure.

    Attributes
    ----------
    kind : str
        One of :data:`BED_KINDS`.
    territory : str
        Reporting name: a segment (``S6``), a tumour id, or an extrahepatic territory
        (``gastroduodenal``, ``right_gastric``, ``cystic`` …).
    mass_g : float
        Tissue mass, g.
    flow_ml_min : float
        Baseline arterial flow the bed is calibrated to, mL/min.
    outlet_mmhg : float
        Pressure it drains to, mmHg.
    segment : str or None
        Couinaud segment for liver and tumour beds.
    tumor : str or None
        Tumour id for tumour beds; ``region`` is ``rim`` or ``core``.
    shunt : float
        Probability that a particle small enough passes to the lungs.
    """

    kind: str
    territory: str
    mass_g: float
    flow_ml_min: float
    outlet_mmhg: float
    segment: str | None = None
    tumor: str | None = None
    region: str | None = None
    shunt: float = 0.0


class GraphBuilder:
    """Adds vessels and beds to a DiGraph with stable, insertion-ordered ids."""

    def __init__(self) -> None:
        self.g = nx.DiGraph()
        self._n = 0

    def node(self, pos: tuple[float, float] | np.ndarray, kind: str = "junction") -> int:
        nid = self._n
        self._n += 1
        self.g.add_node(nid, pos=np.asarray(pos, dtype=float), kind=kind)
        return nid

    def vessel(
        self,
        parent: int,
        pos: tuple[float, float] | np.ndarray,
        name: str,
        diameter_mm: float | None = None,
        length_mm: float | None = None,
        segment: str | None = None,
        derived: bool = False,
    ) -> int:
        """Add a vessel from ``parent`` to a new node at ``pos``; return the new node.

        ``derived`` vessels get their calibre later from Murray's law and their flow share.
        """
        child = self.node(pos)
        p0 = self.g.nodes[parent]["pos"]
        drawn = float(np.hypot(*(np.asarray(pos) - p0)))
        length = length_mm if length_mm is not None else max(drawn, 1.0)
        self.g.add_edge(
            parent,
            child,
            kind="vessel",
            name=name,
            radius_m=(diameter_mm or 0.0) * 0.5e-3,
            length_m=length * 1e-3,
            segment=segment,
            derived=derived or diameter_mm is None,
        )
        return child

    def bed(self, parent: int, pos: tuple[float, float] | np.ndarray, bed: Bed) -> int:
        """Attach a terminal bed to ``parent``; the bed's outlet node is returned."""
        out = self.node(pos, kind="outlet")
        self.g.add_edge(parent, out, kind="bed", name=f"bed:{bed.territory}", bed=bed)
        return out


def tree_view(g: nx.DiGraph) -> nx.DiGraph:
    """The graph without its collateral (loop) edges: the arterial tree proper."""
    return nx.subgraph_view(g, filter_edge=lambda u, v: not g.edges[u, v].get("collateral"))


def subtree_flows(g: nx.DiGraph, root: int) -> dict[tuple[int, int], float]:
    """Baseline flow of every edge, mL/min: the sum of bed flows below it."""
    flows: dict[tuple[int, int], float] = {}
    g = tree_view(g)
    for u in reversed(list(nx.dfs_preorder_nodes(g, root))):
        for v in g.successors(u):
            d = g.edges[u, v]
            if d["kind"] == "bed":
                flows[(u, v)] = d["bed"].flow_ml_min
            elif d.get("collateral"):
                flows[(u, v)] = 0.0
            else:
                flows[(u, v)] = sum(
                    flows[(v, w)] for w in g.successors(v) if not g.edges[v, w].get("collateral")
                )
    return flows
