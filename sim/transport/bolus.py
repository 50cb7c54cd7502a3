"""The contrast bolus traced through a frozen flow field, level by level with numpy.

Contrast mixes at every node by flow (``c = Σ q_in c_in / Σ q_in``, the tip's injection a
pure-contrast inflow) and reaches each edge after the transit times of the edges before it.
Nodes are taken in falling pressure, a topological order of the flow: a node's concentration is
fixed by the nodes above it, so an edge carries contrast on only from a higher-pressure node to
a lower one. Only the nodes below the tip can take contrast, so only those are visited, a whole
level at a time (every node whose feeders are all done), instead of one node at a time over the
whole tree (the difference between ~1 ms and ~100 ms on a 16,000-segment tree, a frame's worth
when the trainee presses C). The sums are taken in the same order as the node-by-node visit, so
the result is the same to the bit.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from sim.flow.compile import Compiled


def trace(
    c: Compiled,
    flow: np.ndarray,
    pressure: np.ndarray,
    transit: np.ndarray,
    tip: int,
    rate_m3_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Contrast fraction and arrival time (s) of each edge (E,) for an injection of
    ``rate_m3_s`` at node ``tip`` into ``flow`` (m³/s per edge) at ``pressure`` (per node)."""
    n = c.n_nodes
    fwd = flow >= 0
    up = np.where(fwd, c.edge_from, c.edge_to)
    down = np.where(fwd, c.edge_to, c.edge_from)
    q = np.abs(flow)
    inflow = np.zeros(n)
    np.add.at(inflow, down, q)
    inflow[tip] += rate_m3_s
    rank = np.empty(n, np.int64)
    rank[np.argsort(-pressure, kind="stable")] = np.arange(n)
    carry = np.flatnonzero(q > 0)  # ascending: the order a node's out-edges are visited in
    passes = np.zeros(c.n_edges, bool)  # carries contrast on: higher to lower pressure
    passes[carry] = rank[up[carry]] < rank[down[carry]]
    out = _OutEdges(carry, up, n)
    reach = _below(tip, np.flatnonzero(passes), up, down, n)
    feeders = np.zeros(n, np.int64)  # edges that can bring contrast into each node
    np.add.at(feeders, down[np.flatnonzero(passes & reach[up])], 1)
    pending = feeders.copy()  # ... not yet done

    node_conc = np.zeros(n)
    node_arr = np.full(n, np.inf)
    cin = np.zeros(n)
    cin[tip] += rate_m3_s * 1.0
    node_arr[tip] = 0.0
    edge_conc = np.zeros(c.n_edges)
    edge_arr = np.full(c.n_edges, np.inf)
    shares: dict[int, list[tuple[int, int, float]]] = {}  # nodes fed by several edges
    level = np.array([tip], np.int64)
    while level.size:
        for v in level[feeders[level] > 1]:  # added as the node-by-node visit adds them:
            for _, _, x in sorted(shares.pop(int(v), ())):  # by falling pressure, then edge
                cin[v] += x
        ok = level[(inflow[level] > 0) & (cin[level] > 0)]
        node_conc[ok] = np.minimum(cin[ok] / inflow[ok], 1.0)
        e = out.of(level)
        u = up[e]
        edge_conc[e] = node_conc[u]
        live = e[(node_conc[u] > 0) & np.isfinite(node_arr[u])]
        edge_arr[live] = node_arr[up[live]]
        live = live[passes[live]]
        if live.size:
            u, v = up[live], down[live]
            x = q[live] * node_conc[u]
            np.minimum.at(node_arr, v, node_arr[u] + transit[live])
            single = feeders[v] == 1
            cin[v[single]] += x[single]  # one feeder each: distinct nodes
            for k in np.flatnonzero(~single):
                shares.setdefault(int(v[k]), []).append((int(rank[u[k]]), int(live[k]), x[k]))
        nxt = down[e[passes[e]]]
        np.subtract.at(pending, nxt, 1)
        nxt = np.unique(nxt)
        level = nxt[pending[nxt] == 0]
    return edge_conc, edge_arr


class _OutEdges:
    """The flow-carrying edges leaving each node, in ascending edge order."""

    def __init__(self, carry: np.ndarray, up: np.ndarray, n: int) -> None:
        self.edges = carry[np.argsort(up[carry], kind="stable")]
        self.start = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(up[carry], minlength=n), out=self.start[1:])

    def of(self, nodes: np.ndarray) -> np.ndarray:
        s = self.start[nodes]
        cnt = self.start[nodes + 1] - s
        total = int(cnt.sum())
        if total == 0:
            return np.zeros(0, np.int64)
        offsets = np.repeat(s - np.cumsum(cnt) + cnt, cnt)
        return self.edges[offsets + np.arange(total)]


def _below(tip: int, edges: np.ndarray, up: np.ndarray, down: np.ndarray, n: int) -> np.ndarray:
    """Nodes reachable from ``tip`` along ``edges`` (a boolean mask)."""
    graph = csr_matrix((np.ones(edges.size), (up[edges], down[edges])), shape=(n, n))
    mask = np.zeros(n, bool)
    mask[breadth_first_order(graph, tip, directed=True, return_predecessors=False)] = True
    return mask
