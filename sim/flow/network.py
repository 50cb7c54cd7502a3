"""A resistor network as flat arrays, and its rooted-tree plan.

The anatomy graph (networkx) is for naming and authoring; the solvers work on this flat form:
nodes ``0..n-1``, edges ``(edge_from[e], edge_to[e])`` with conductance ``g[e]`` (m³ s⁻¹ Pa⁻¹),
positive flow from ``edge_from`` to ``edge_to``, fixed-pressure nodes (aorta, venous outlets)
and prescribed inflows per node (the catheter tip, or an inlet).

Preconditions: the network is connected and has at least one fixed-pressure node.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Network:
    """A steady linear (optionally quadratic-stenosis) resistor network.

    Attributes
    ----------
    n_nodes : int
        Number of nodes.
    edge_from, edge_to : ndarray of int, shape (E,)
        End nodes of each edge; positive flow runs from ``edge_from`` to ``edge_to``.
    conductance : ndarray of float, shape (E,)
        Linear conductance 1/R of each edge (m³ s⁻¹ Pa⁻¹ in the simulator).
    fixed_nodes : ndarray of int, shape (F,)
        Nodes with a prescribed pressure.
    fixed_pressure : ndarray of float, shape (F,)
        Their pressures (Pa).
    source : ndarray of float, shape (n_nodes,)
        Prescribed inflow into each node (m³/s); negative for a prescribed outflow.
    stenosis : ndarray of float, shape (E,) or None
        Quadratic loss coefficient K: Δp = Q (R + K |Q|) (svZeroDSolver's BloodVessel).
    """

    n_nodes: int
    edge_from: np.ndarray
    edge_to: np.ndarray
    conductance: np.ndarray
    fixed_nodes: np.ndarray
    fixed_pressure: np.ndarray
    source: np.ndarray
    stenosis: np.ndarray | None = None

    @property
    def n_edges(self) -> int:
        return int(self.edge_from.shape[0])

    def is_tree(self) -> bool:
        """True when the network is connected and has no loop (E = N − 1)."""
        return self.n_edges == self.n_nodes - 1 and _connected(self)


def _connected(net: Network) -> bool:
    adj: list[list[int]] = [[] for _ in range(net.n_nodes)]
    for a, b in zip(net.edge_from.tolist(), net.edge_to.tolist(), strict=True):
        adj[a].append(b)
        adj[b].append(a)
    seen = np.zeros(net.n_nodes, dtype=bool)
    stack = [0]
    seen[0] = True
    while stack:
        n = stack.pop()
        for m in adj[n]:
            if not seen[m]:
                seen[m] = True
                stack.append(m)
    return bool(seen.all())


@dataclass
class TreePlan:
    """A tree network rooted at a fixed-pressure node, grouped into depth levels.

    Built once per topology; conductances and sources may change between solves.

    Attributes
    ----------
    root : int
        The root node (a fixed-pressure node).
    parent : ndarray of int, shape (N,)
        Parent node of each node (−1 for the root).
    parent_edge : ndarray of int, shape (N,)
        Edge joining each node to its parent (−1 for the root).
    orient : ndarray of float, shape (N,)
        +1 where the parent edge runs parent → node, −1 where it runs node → parent.
    levels : list of ndarray of int
        Nodes by depth, root level first.
    fixed : ndarray of bool, shape (N,)
        True for fixed-pressure nodes; ``fixed_value`` holds their pressure.
    """

    root: int
    parent: np.ndarray
    parent_edge: np.ndarray
    orient: np.ndarray
    levels: list[np.ndarray]
    fixed: np.ndarray
    fixed_value: np.ndarray = field(repr=False)


def plan_tree(net: Network, root: int | None = None) -> TreePlan:
    """Root a tree network at a fixed-pressure node and sort its nodes by depth.

    Parameters
    ----------
    net : Network
        Must be a tree (see :meth:`Network.is_tree`).
    root : int, optional
        Fixed-pressure node to root at; default the first fixed node.
    """
    if root is None:
        root = int(net.fixed_nodes[0])
    n = net.n_nodes
    inc: list[list[tuple[int, int, float]]] = [[] for _ in range(n)]
    for e, (a, b) in enumerate(zip(net.edge_from.tolist(), net.edge_to.tolist(), strict=True)):
        inc[a].append((b, e, 1.0))
        inc[b].append((a, e, -1.0))
    parent = np.full(n, -1, dtype=np.int64)
    parent_edge = np.full(n, -1, dtype=np.int64)
    orient = np.zeros(n)
    depth = np.full(n, -1, dtype=np.int64)
    depth[root] = 0
    queue = deque([root])
    while queue:
        u = queue.popleft()
        for v, e, sign in inc[u]:
            if depth[v] < 0:
                depth[v] = depth[u] + 1
                parent[v] = u
                parent_edge[v] = e
                orient[v] = sign
                queue.append(v)
    if (depth < 0).any():
        raise ValueError("network is not connected")
    order = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[order], np.arange(depth.max() + 2))
    levels = [order[bounds[k] : bounds[k + 1]] for k in range(depth.max() + 1)]
    fixed = np.zeros(n, dtype=bool)
    fixed[net.fixed_nodes] = True
    fixed_value = np.zeros(n)
    fixed_value[net.fixed_nodes] = net.fixed_pressure
    return TreePlan(root, parent, parent_edge, orient, levels, fixed, fixed_value)
