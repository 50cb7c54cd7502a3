"""Steady-state solvers for :class:`~sim.flow.network.Network`.

Two solvers give the same answer:

- :func:`solve_tree` — O(n) on a tree: a leaf-to-root reduction writes the flow entering each
  subtree as an affine function of the pressure above it, ``q = a·p_parent − b``, then a
  root-to-leaf pass recovers pressures and flows. Work is vectorised per depth level.
- :func:`solve_sparse` — Kirchhoff's current law assembled as a sparse Laplacian with Dirichlet
  rows for fixed pressures, solved by SuperLU. Used when the anatomy has loops (collaterals).

:func:`solve` picks one. Quadratic stenosis losses (Δp = Q(R + K|Q|)) are handled by a
fixed-point iteration on the effective resistance around either linear solver.

References
----------
Kirchhoff's laws on resistor networks; svZeroDSolver steady test cases (SimVascular, BSD-3) in
``shared/domain/flow_cases`` validate both solvers to 1e-9 relative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from sim.flow.network import Network, TreePlan, plan_tree


@dataclass
class _Level:
    nodes: np.ndarray  # nodes of this depth, sorted by parent
    parent: np.ndarray
    edge: np.ndarray
    orient: np.ndarray
    fixed: np.ndarray
    fixed_value: np.ndarray
    group_parent: np.ndarray  # unique parents, in order
    group_start: np.ndarray  # reduceat starts into ``nodes``


class TreeSolver:
    """Reusable O(n) solver for one tree topology.

    Parameters
    ----------
    net : Network
        A tree network (``net.is_tree()``).
    plan : TreePlan, optional
        A pre-built plan; built from ``net`` when omitted.
    """

    def __init__(self, net: Network, plan: TreePlan | None = None) -> None:
        self.net = net
        self.plan = plan or plan_tree(net)
        p = self.plan
        self.levels: list[_Level] = []
        for nodes in p.levels[1:]:
            par = p.parent[nodes]
            order = np.argsort(par, kind="stable")
            nodes = nodes[order]
            par = par[order]
            starts = np.flatnonzero(np.r_[True, par[1:] != par[:-1]])
            self.levels.append(
                _Level(
                    nodes=nodes,
                    parent=par,
                    edge=p.parent_edge[nodes],
                    orient=p.orient[nodes],
                    fixed=p.fixed[nodes],
                    fixed_value=p.fixed_value[nodes],
                    group_parent=par[starts],
                    group_start=starts,
                )
            )

    def solve(
        self, conductance: np.ndarray | None = None, source: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Solve for node pressures and edge flows.

        Parameters
        ----------
        conductance : ndarray, shape (E,), optional
            Edge conductances; defaults to ``net.conductance``.
        source : ndarray, shape (N,), optional
            Prescribed nodal inflows; defaults to ``net.source``.

        Returns
        -------
        pressure : ndarray, shape (N,)
        flow : ndarray, shape (E,)
            Positive from ``edge_from`` to ``edge_to``.
        """
        net = self.net
        g_all = net.conductance if conductance is None else conductance
        s_all = net.source if source is None else source
        n = net.n_nodes
        big_a = np.zeros(n)
        big_b = np.zeros(n)
        coef_a: list[np.ndarray] = []
        coef_b: list[np.ndarray] = []
        for lv in reversed(self.levels):
            g = g_all[lv.edge]
            aa = big_a[lv.nodes]
            denom = aa + g
            safe = np.where(denom > 0.0, denom, 1.0)
            a = np.where(lv.fixed, g, g * aa / safe)
            b = np.where(
                lv.fixed, g * lv.fixed_value, g * (s_all[lv.nodes] + big_b[lv.nodes]) / safe
            )
            coef_a.append(a)
            coef_b.append(b)
            big_a[lv.group_parent] += np.add.reduceat(a, lv.group_start)
            big_b[lv.group_parent] += np.add.reduceat(b, lv.group_start)
        pressure = np.empty(n)
        pressure[self.plan.root] = self.plan.fixed_value[self.plan.root]
        flow = np.zeros(net.n_edges)
        for lv, a, b in zip(self.levels, reversed(coef_a), reversed(coef_b), strict=True):
            pp = pressure[lv.parent]
            q = a * pp - b
            g = g_all[lv.edge]
            with np.errstate(divide="ignore", invalid="ignore"):
                drop = np.where(g > 0.0, q / np.where(g > 0.0, g, 1.0), 0.0)
            pressure[lv.nodes] = np.where(lv.fixed, lv.fixed_value, pp - drop)
            flow[lv.edge] = lv.orient * q
        return pressure, flow


def solve_sparse(
    net: Network, conductance: np.ndarray | None = None, source: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Solve any connected network (loops allowed) with a sparse direct solver.

    Parameters and returns as :meth:`TreeSolver.solve`.
    """
    g = net.conductance if conductance is None else conductance
    s = net.source if source is None else source
    n = net.n_nodes
    fixed = np.zeros(n, dtype=bool)
    fixed[net.fixed_nodes] = True
    p_fixed = np.zeros(n)
    p_fixed[net.fixed_nodes] = net.fixed_pressure
    unknown = np.flatnonzero(~fixed)
    index = np.full(n, -1, dtype=np.int64)
    index[unknown] = np.arange(unknown.size)
    a, b = net.edge_from, net.edge_to
    ia, ib = index[a], index[b]
    rows = np.concatenate([ia, ib, ia, ib])
    cols = np.concatenate([ia, ib, ib, ia])
    vals = np.concatenate([g, g, -g, -g])
    keep = (rows >= 0) & (cols >= 0)
    m = unknown.size
    lap = sp.csc_matrix((vals[keep], (rows[keep], cols[keep])), shape=(m, m))
    rhs = s[unknown].astype(float).copy()
    # Known pressures move to the right-hand side: for an edge between unknown u and fixed f,
    # the row of u gets + g·p_f.
    np.add.at(rhs, ia[(ia >= 0) & (ib < 0)], (g * p_fixed[b])[(ia >= 0) & (ib < 0)])
    np.add.at(rhs, ib[(ib >= 0) & (ia < 0)], (g * p_fixed[a])[(ib >= 0) & (ia < 0)])
    pressure = p_fixed.copy()
    if m:
        pressure[unknown] = spla.spsolve(lap, rhs)
    flow = g * (pressure[a] - pressure[b])
    return pressure, flow


def solve(
    net: Network,
    tree: TreeSolver | None = None,
    conductance: np.ndarray | None = None,
    source: np.ndarray | None = None,
    max_iter: int = 200,
    rtol: float = 1e-14,
    method: str = "auto",
) -> tuple[np.ndarray, np.ndarray]:
    """Solve with the tree solver when given one (or when the net is a tree), else sparse.

    ``method`` may force ``"tree"`` or ``"sparse"``; ``"auto"`` chooses as above.

    Quadratic stenosis terms, when ``net.stenosis`` has any non-zero entry, are resolved by
    iterating the effective resistance ``R + K|Q|`` to convergence.
    """
    g0 = net.conductance if conductance is None else conductance
    if method == "sparse":
        tree = None
    elif tree is None and (method == "tree" or net.is_tree()):
        tree = TreeSolver(net)

    def linear(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if tree is not None:
            return tree.solve(g, source)
        return solve_sparse(net, g, source)

    k = net.stenosis
    if k is None or not np.any(k):
        return linear(g0)
    r0 = 1.0 / g0
    p, q = linear(g0)
    for _ in range(max_iter):
        p, q_new = linear(1.0 / (r0 + k * np.abs(q)))
        done = np.all(np.abs(q_new - q) <= rtol * max(np.abs(q_new).max(), 1e-300))
        q = q_new
        if done:
            break
    return p, q
