"""Steady-state solvers for :class:`~sim.flow.network.Network`.

Two solvers give the same answer:

- :class:`TreeSolver` — O(n) on a tree: a leaf-to-root reduction writes the flow entering each
  subtree as an affine function of the pressure above it, ``q = a·p_parent − b``, then a
  root-to-leaf pass recovers pressures and flows. Work is vectorised per depth level.
- :func:`solve_sparse` — Kirchhoff's current law assembled as a sparse Laplacian with Dirichlet
  rows for fixed pressures, solved by SuperLU. Used when the anatomy has loops (collaterals).

:func:`solve` picks one. Quadratic stenosis losses (Δp = Q(R + K|Q|)) are handled by a
fixed-point iteration on the effective resistance around either linear solver.

References
----------
Kirchhoff's laws on resistor networks; svZeroDSolver steady test cases (SimVascular, BSD-3) in
``shared/domain/flow_cases`` validate both solvers to 1e-9 relative (1e-8 for the
309-edge network).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from sim.flow.network import Network, TreePlan, plan_tree

# Conductances are floored at this value inside the tree solve so that ``A + g`` is never 0 (a
# dead-end subtree behind a closed edge); it is far below any physical conductance.
_G_FLOOR = 1e-300


@dataclass
class _Level:
    """Views into :class:`TreeSolver`'s work buffers for the free nodes of one depth level."""

    a_sum: np.ndarray  # A: sum of the children's a
    bs: np.ndarray  # B + s: sum of the children's b, plus the prescribed inflow
    g: np.ndarray  # parent-edge conductance
    denom: np.ndarray  # A + g
    f: np.ndarray  # g / (A + g)
    c: np.ndarray  # (B + s) / (A + g)
    a: np.ndarray
    b: np.ndarray
    pressure: np.ndarray
    parent_pressure: np.ndarray
    parent_pos: np.ndarray  # position of each node's parent
    a_up: np.ndarray | None  # a, b of the nodes whose parent is free (a prefix of the level)
    b_up: np.ndarray | None
    bins: np.ndarray | None  # their parents, relative to the parent level's slice
    a_parent: np.ndarray | None  # A, B + s of the parent level
    bs_parent: np.ndarray | None


class TreeSolver:
    """Reusable O(n) solver for one tree topology.

    Parameters
    ----------
    net : Network
        A tree network (``net.is_tree()``): connected, with one edge fewer than nodes.
    plan : TreePlan, optional
        A pre-built plan; built from ``net`` when omitted.

    Raises
    ------
    ValueError
        If ``net`` is not a tree: the reduction would silently drop every edge that closes a
        loop. :func:`solve` sends such networks to :func:`solve_sparse`.

    Notes
    -----
    Affine reduction. Root the tree at a fixed-pressure node; for node ``i`` with parent edge
    conductance ``g_i`` and prescribed inflow ``s_i``, the flow entering ``i``'s subtree from its
    parent is an affine function of the parent's pressure,

        q_i = a_i · p_parent(i) − b_i .

    With ``A_i = Σ_c a_c`` and ``B_i = Σ_c b_c`` over ``i``'s children, Kirchhoff's current
    law at ``i`` (``q_i + s_i = A_i p_i − B_i``) and the edge law (``q_i = g_i (p_parent − p_i)``)
    give

    - fixed node (pressure ``P_i``): ``a_i = g_i``, ``b_i = g_i P_i``;
    - free node: ``a_i = g_i A_i / (A_i + g_i)``, ``b_i = g_i (B_i + s_i) / (A_i + g_i)``,
      and afterwards ``p_i = (g_i p_parent + B_i + s_i) / (A_i + g_i)``.

    A leaf-to-root pass computes ``a, b`` level by level (all nodes of one depth at once); a
    root-to-leaf pass recovers the pressures, then every edge flow is ``q_i = a_i p_parent − b_i``
    in one vectorised step. The pressure update never divides by ``g_i``, so closed or nearly
    closed edges (conductance → 0) give no NaN; conductances are floored at ``1e-300`` so that
    ``A_i + g_i > 0`` even behind an edge of exactly zero conductance.

    Layout. Nodes are renumbered once: the free (not fixed-pressure) nodes level by level, each
    level sorted by its parent's position, then the fixed nodes, the root last. Each level is
    then a contiguous slice of preallocated buffers, its parents a contiguous slice of the level
    above, and the sums over children are two ``np.bincount`` calls per level. Fixed nodes enter
    their parents' ``A, B`` once, up front. ``solve`` reuses these buffers (it is not
    re-entrant across threads) but returns fresh arrays.
    """

    def __init__(self, net: Network, plan: TreePlan | None = None) -> None:
        _require_tree(net)
        self.net = net
        self.plan = plan or plan_tree(net)
        p = self.plan
        n = net.n_nodes
        root = int(p.root)
        fixed = p.fixed.copy()
        fixed[root] = True
        pos = np.full(n, -1, dtype=np.int64)
        blocks: list[tuple[int, int, int, int, int]] = []  # lo, hi, m1, parent lo, parent hi
        free_order: list[np.ndarray] = []
        lo = parent_lo = parent_hi = 0
        for nodes in p.levels[1:]:
            free = nodes[~fixed[nodes]]
            par = p.parent[free]
            key = np.where(fixed[par], n, pos[par])  # children of fixed parents last
            order = np.argsort(key, kind="stable")
            free = free[order]
            hi = lo + free.size
            pos[free] = np.arange(lo, hi)
            blocks.append((lo, hi, int(np.count_nonzero(key < n)), parent_lo, parent_hi))
            free_order.append(free)
            parent_lo, parent_hi = lo, hi
            lo = hi
        nf = lo
        fixed_nodes = np.flatnonzero(fixed)
        fixed_nodes = fixed_nodes[fixed_nodes != root]
        fpar = p.parent[fixed_nodes]
        key = np.where(fixed[fpar], n, pos[fpar])  # fixed nodes under free parents first
        fixed_nodes = fixed_nodes[np.argsort(key, kind="stable")]
        k = int(np.count_nonzero(key < n))
        node_at = np.concatenate([*free_order, fixed_nodes, [root]]).astype(np.int64)
        pos[fixed_nodes] = np.arange(nf, n - 1)
        pos[root] = n - 1
        child = node_at[: n - 1]  # every position but the root's (the last) has a parent edge
        self._nf = nf
        self._pos = pos
        self._node_free = child[:nf]
        self._edge_free = p.parent_edge[child[:nf]]
        self._edge_fixed = p.parent_edge[child[nf:]]
        self._parent_pos = pos[p.parent[child]]
        self._p_fixed = p.fixed_value[child[nf:]]
        self._fixed_up = self._parent_pos[nf : nf + k]  # free parents of fixed nodes
        # edge e is the parent edge of the node at position edge_pos[e]
        self._edge_pos = np.zeros(net.n_edges, dtype=np.int64)
        self._edge_sign = np.zeros(net.n_edges)
        self._edge_pos[p.parent_edge[child]] = np.arange(n - 1)
        self._edge_sign[p.parent_edge[child]] = p.orient[child]

        # work buffers, indexed by position
        self._a_sum = np.zeros(nf)
        self._bs = np.zeros(nf)
        self._g = np.zeros(nf)
        self._denom = np.zeros(nf)
        self._f = np.zeros(nf)
        self._c = np.zeros(nf)
        self._a = np.zeros(n - 1)
        self._b = np.zeros(n - 1)
        self._p = np.zeros(n)
        self._p[nf:] = p.fixed_value[node_at[nf:]]
        self._pp = np.zeros(n - 1)  # parent pressure of every non-root position
        self._q = np.zeros(n - 1)

        self.levels = [self._level(*block) for block in blocks]
        self._work = [lv for lv in self.levels if lv.g.size]

    def _level(self, lo: int, hi: int, m1: int, plo: int, phi: int) -> _Level:
        """Views for the level at positions ``lo:hi``, its first ``m1`` nodes under free
        parents at positions ``plo:phi``."""
        up = m1 > 0
        return _Level(
            a_sum=self._a_sum[lo:hi],
            bs=self._bs[lo:hi],
            g=self._g[lo:hi],
            denom=self._denom[lo:hi],
            f=self._f[lo:hi],
            c=self._c[lo:hi],
            a=self._a[lo:hi],
            b=self._b[lo:hi],
            pressure=self._p[lo:hi],
            parent_pressure=self._pp[lo:hi],
            parent_pos=self._parent_pos[lo:hi],
            a_up=self._a[lo : lo + m1] if up else None,
            b_up=self._b[lo : lo + m1] if up else None,
            bins=self._parent_pos[lo : lo + m1] - plo if up else None,
            a_parent=self._a_sum[plo:phi] if up else None,
            bs_parent=self._bs[plo:phi] if up else None,
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
        g_all = np.asarray(net.conductance if conductance is None else conductance, dtype=float)
        s_all = np.asarray(net.source if source is None else source, dtype=float)
        nf = self._nf
        a, b, p, pp, q = self._a, self._b, self._p, self._pp, self._q
        add, mul, div, take, bincount = np.add, np.multiply, np.divide, np.take, np.bincount

        # fixed nodes: a = g, b = g·P, added to their (free) parents' A, B + s up front
        take(g_all, self._edge_fixed, out=a[nf:])
        mul(a[nf:], self._p_fixed, out=b[nf:])
        if nf:
            k = self._fixed_up.size
            self._a_sum[:] = bincount(self._fixed_up, a[nf : nf + k], minlength=nf)
            add(
                bincount(self._fixed_up, b[nf : nf + k], minlength=nf),
                take(s_all, self._node_free),
                out=self._bs,
            )
            take(g_all, self._edge_free, out=self._g)
            np.maximum(self._g, _G_FLOOR, out=self._g)

        # leaf-to-root: a, b of each level, summed into the parents' A, B + s
        for lv in reversed(self._work):
            add(lv.a_sum, lv.g, out=lv.denom)
            div(lv.g, lv.denom, out=lv.f)
            div(lv.bs, lv.denom, out=lv.c)
            mul(lv.a_sum, lv.f, out=lv.a)
            mul(lv.bs, lv.f, out=lv.b)
            if lv.bins is not None:
                n_par = lv.a_parent.size
                add(lv.a_parent, bincount(lv.bins, lv.a_up, minlength=n_par), out=lv.a_parent)
                add(lv.bs_parent, bincount(lv.bins, lv.b_up, minlength=n_par), out=lv.bs_parent)

        # root-to-leaf: p = f·p_parent + c
        for lv in self._work:
            take(p, lv.parent_pos, out=lv.parent_pressure)
            mul(lv.f, lv.parent_pressure, out=lv.pressure)
            add(lv.pressure, lv.c, out=lv.pressure)

        # every edge at once: q = a·p_parent − b, oriented from edge_from to edge_to
        take(p, self._parent_pos[nf:], out=pp[nf:])
        mul(a, pp, out=q)
        np.subtract(q, b, out=q)
        flow = take(q, self._edge_pos)
        mul(flow, self._edge_sign, out=flow)
        return take(p, self._pos), flow


def _require_tree(net: Network) -> None:
    """Refuse a network that is not a tree (a connected one has a loop when E > N − 1)."""
    n, e = net.n_nodes, net.n_edges
    if e > n - 1:
        raise ValueError(
            f"TreeSolver needs a tree, but the network has a loop: {e} edges for {n} nodes "
            f"(a tree has {n - 1}); solve() or solve_sparse() handle loops"
        )
    if e < n - 1:
        raise ValueError(
            f"TreeSolver needs a tree, but the network is not connected: {e} edges for {n} "
            f"nodes (a tree has {n - 1})"
        )


def reduced_system(
    net: Network, g: np.ndarray, source: np.ndarray
) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """Kirchhoff's law over the unknown nodes as a sparse system ``lap @ p = rhs``.

    Known pressures move to the right-hand side: for an edge between an unknown node u and a
    fixed node f, row u gets + g·p_f.

    Returns
    -------
    lap : scipy.sparse.csc_matrix (M, M)
        Reduced Laplacian.
    rhs : ndarray (M,)
    unknown : ndarray of int (M,)
        Node of each row.
    pressure : ndarray (N,)
        Fixed pressures filled in, zeros elsewhere (to be completed by the caller).
    """
    n = net.n_nodes
    fixed = np.zeros(n, dtype=bool)
    fixed[net.fixed_nodes] = True
    pressure = np.zeros(n)
    pressure[net.fixed_nodes] = net.fixed_pressure
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
    rhs = source[unknown].astype(float).copy()
    ua, ub = (ia >= 0) & (ib < 0), (ib >= 0) & (ia < 0)
    np.add.at(rhs, ia[ua], (g * pressure[b])[ua])
    np.add.at(rhs, ib[ub], (g * pressure[a])[ub])
    return lap, rhs, unknown, pressure


def solve_sparse(
    net: Network, conductance: np.ndarray | None = None, source: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Solve any connected network (loops allowed) with a sparse direct solver.

    Parameters and returns as :meth:`TreeSolver.solve`.
    """
    g = net.conductance if conductance is None else conductance
    s = net.source if source is None else source
    lap, rhs, unknown, pressure = reduced_system(net, g, s)
    if unknown.size:
        pressure[unknown] = spla.spsolve(lap, rhs)
    a, b = net.edge_from, net.edge_to
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

    ``method`` may force ``"tree"`` (a network with a loop then raises ``ValueError``) or
    ``"sparse"``; ``"auto"`` chooses as above.

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
