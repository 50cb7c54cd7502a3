"""Where a packet goes at a node: each exit chosen with probability ∝ the flow leaving through it.

Built once per flow solve as flat arrays: for every node the exits (incident edges whose flow
leaves the node) with cumulative probabilities laid end to end as ``node + cumprob`` keys, so a
batch of packets picks its exits with one ``searchsorted``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Routing:
    """Exit tables for one flow field.

    Attributes
    ----------
    keys : ndarray (X,)
        ``node + cumulative probability`` of each exit, increasing.
    exit_edge : ndarray of int (X,)
        Edge of each exit.
    exit_forward : ndarray of bool (X,)
        True when the exit leaves through the edge's ``edge_from`` end (antegrade direction).
    has_exit : ndarray of bool (N,)
        Nodes with any outflow.
    """

    keys: np.ndarray
    exit_edge: np.ndarray
    exit_forward: np.ndarray
    has_exit: np.ndarray


class Incidence:
    """Node–edge incidence of a network, sorted by node (built once per topology)."""

    def __init__(self, n_nodes: int, edge_from: np.ndarray, edge_to: np.ndarray) -> None:
        e = np.arange(edge_from.size)
        node = np.concatenate([edge_from, edge_to])
        edge = np.concatenate([e, e])
        forward = np.concatenate([np.ones(e.size, bool), np.zeros(e.size, bool)])
        order = np.lexsort((edge, node))
        self.node, self.edge, self.forward = node[order], edge[order], forward[order]
        self.n_nodes = n_nodes

    def routing(self, flow: np.ndarray, root: int, min_flow: float = 0.0) -> Routing:
        """Exit tables for edge flows ``flow`` (m³/s, positive from ``edge_from``).

        The root (the aorta) has no exits: a packet that refluxes to it leaves the hepatic
        circulation.
        """
        out = np.where(self.forward, flow[self.edge], -flow[self.edge])
        keep = (out > min_flow) & (self.node != root)
        node, edge, fwd, w = self.node[keep], self.edge[keep], self.forward[keep], out[keep]
        total = np.bincount(node, weights=w, minlength=self.n_nodes)
        cum = np.cumsum(w)
        start = np.r_[0.0, cum][np.searchsorted(node, np.arange(self.n_nodes))]
        frac = (cum - start[node]) / total[node]
        frac = np.minimum(frac, 1.0)
        # last exit of each node ends exactly at node + 1 - ε so "node + u" with u < 1 finds it
        keys = node + frac * (1.0 - 1e-12)
        return Routing(keys, edge, fwd, total > 0)


def choose(
    r: Routing, nodes: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick an exit for each (node, uniform draw) pair.

    Returns
    -------
    edge : ndarray of int
        Chosen edge (−1 where the node has no exit).
    forward : ndarray of bool
        Direction of travel along the chosen edge.
    ok : ndarray of bool
        Whether an exit was found.
    """
    ok = r.has_exit[nodes]
    idx = np.searchsorted(r.keys, nodes + u * (1.0 - 1e-12), side="left")
    idx = np.minimum(idx, max(r.keys.size - 1, 0))
    edge = np.where(ok, r.exit_edge[idx] if r.keys.size else -1, -1)
    fwd = np.where(ok, r.exit_forward[idx] if r.keys.size else True, True)
    return edge, fwd, ok
