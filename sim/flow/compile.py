"""Compile the anatomy graph once into flat arrays for solving and transport.

Nodes are renumbered breadth-first from the aortic root with children in insertion order, so
the compiled arrays (and everything downstream of them) are identical run to run. Each non-root
node's parent edge has index ``node − 1`` in tree-only anatomies; loops (collaterals) add edges
at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

from sim import physiology as phys
from sim.anatomy.build import Liver
from sim.anatomy.graph import BED_KINDS, Bed
from sim.flow.network import Network
from sim.units import mmhg_to_pa


@dataclass
class Compiled:
    """Flat arrays of the anatomy.

    Attributes (E edges, N nodes, B beds)
    ----------
    node_pos : ndarray (N, 2)
        Node positions, mm on the AP image.
    edge_from, edge_to : ndarray of int (E,)
        Baseline (antegrade) direction.
    is_bed : ndarray of bool (E,)
    radius, length : ndarray (E,)
        Vessel lumen radius and length, m (0 for bed edges).
    names : list of str (E,)
        Vessel name of each edge (``bed:<territory>`` for beds).
    segment : list of (str or None) (E,)
    parent_edge : ndarray of int (N,)
        Edge from each node's parent (−1 at the root).
    children : list of list of int
        Child edges of each node in fixed order.
    bed_edge : ndarray of int (B,)
        Edge index of each bed; ``beds[i]`` is its :class:`Bed`.
    edge_bed : ndarray of int (E,)
        Bed index of each edge (−1 for vessels).
    g_vessel : ndarray (E,)
        Poiseuille conductance π r⁴ / (8 μ L) of vessels; bed conductances are calibrated.
    """

    node_pos: np.ndarray
    edge_from: np.ndarray
    edge_to: np.ndarray
    is_bed: np.ndarray
    radius: np.ndarray
    length: np.ndarray
    names: list[str]
    segment: list[str | None]
    parent_edge: np.ndarray
    children: list[list[int]]
    bed_edge: np.ndarray
    edge_bed: np.ndarray
    beds: list[Bed]
    bed_kind: np.ndarray
    bed_mass_g: np.ndarray
    bed_flow0_ml_min: np.ndarray
    bed_shunt: np.ndarray
    bed_tumor: np.ndarray
    tumor_ids: list[str]
    root: int
    root_pressure: float
    outlet_nodes: np.ndarray
    outlet_pressure: np.ndarray
    g_vessel: np.ndarray
    points: list[np.ndarray]

    @property
    def n_nodes(self) -> int:
        return int(self.node_pos.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_from.shape[0])

    def network(self, conductance: np.ndarray, source: np.ndarray | None = None) -> Network:
        """A :class:`Network` over these arrays with the given conductances."""
        fixed = np.concatenate([[self.root], self.outlet_nodes])
        pfix = np.concatenate([[self.root_pressure], self.outlet_pressure])
        return Network(
            n_nodes=self.n_nodes,
            edge_from=self.edge_from,
            edge_to=self.edge_to,
            conductance=conductance,
            fixed_nodes=fixed,
            fixed_pressure=pfix,
            source=np.zeros(self.n_nodes) if source is None else source,
        )

    def vessel_edges(self, name: str) -> list[int]:
        """Edges carrying a vessel name, proximal first."""
        return [e for e, n in enumerate(self.names) if n == name]

    def path_to(self, node: int) -> list[int]:
        """Edges from the root down to ``node``, proximal first."""
        path = []
        while node != self.root:
            e = int(self.parent_edge[node])
            path.append(e)
            node = int(self.edge_from[e])
        return path[::-1]


def poiseuille(radius_m: np.ndarray, length_m: np.ndarray, mu: float) -> np.ndarray:
    """Hydraulic conductance of cylindrical segments, m³ s⁻¹ Pa⁻¹ (Poiseuille)."""
    return math.pi * radius_m**4 / (8.0 * mu * length_m)


def compile_liver(liver: Liver) -> Compiled:
    """Flatten the anatomy graph (see module docstring for the ordering)."""
    from sim.anatomy.graph import tree_view

    g: nx.DiGraph = liver.graph
    tree_edges = list(nx.bfs_edges(tree_view(g), liver.root))
    order = [liver.root] + [v for _, v in tree_edges]
    index = {n: i for i, n in enumerate(order)}
    n = len(order)
    in_tree = set(tree_edges)
    extra = [(u, v) for u, v in g.edges() if (u, v) not in in_tree]
    edges = tree_edges + extra
    e_from = np.array([index[u] for u, _ in edges], dtype=np.int64)
    e_to = np.array([index[v] for _, v in edges], dtype=np.int64)
    data = [g.edges[u, v] for u, v in edges]
    is_bed = np.array([d["kind"] == "bed" for d in data])
    radius = np.array([d.get("radius_m", 0.0) for d in data])
    length = np.array([d.get("length_m", 1.0) for d in data])
    parent_edge = np.full(n, -1, dtype=np.int64)
    children: list[list[int]] = [[] for _ in range(n)]
    for e in range(len(tree_edges)):
        parent_edge[e_to[e]] = e
        children[e_from[e]].append(e)
    bed_edge = np.flatnonzero(is_bed)
    beds = [data[e]["bed"] for e in bed_edge]
    edge_bed = np.full(len(edges), -1, dtype=np.int64)
    edge_bed[bed_edge] = np.arange(len(bed_edge))
    tumor_ids = [t.spec.id for t in liver.tumors]
    g_vessel = np.zeros(len(edges))
    g_vessel[~is_bed] = poiseuille(radius[~is_bed], length[~is_bed], phys.BLOOD_VISCOSITY_PA_S)
    return Compiled(
        node_pos=np.array([g.nodes[u]["pos"] for u in order]),
        edge_from=e_from,
        edge_to=e_to,
        is_bed=is_bed,
        radius=radius,
        length=length,
        names=[d["name"] for d in data],
        segment=[
            d.get("segment") or (d["bed"].segment if d["kind"] == "bed" else None) for d in data
        ],
        parent_edge=parent_edge,
        children=children,
        bed_edge=bed_edge,
        edge_bed=edge_bed,
        beds=beds,
        bed_kind=np.array([BED_KINDS.index(b.kind) for b in beds], dtype=np.int64),
        bed_mass_g=np.array([b.mass_g for b in beds]),
        bed_flow0_ml_min=np.array([b.flow_ml_min for b in beds]),
        bed_shunt=np.array([b.shunt for b in beds]),
        bed_tumor=np.array([tumor_ids.index(b.tumor) if b.tumor else -1 for b in beds]),
        tumor_ids=tumor_ids,
        root=0,
        root_pressure=mmhg_to_pa(phys.AORTIC_MEAN_PRESSURE_MMHG),
        outlet_nodes=e_to[bed_edge],
        outlet_pressure=np.array([mmhg_to_pa(b.outlet_mmhg) for b in beds]),
        g_vessel=g_vessel,
        points=[d["points"] for d in data],
    )
