"""Where a packet goes at a node: each exit chosen with probability ∝ the flow leaving through it.

Built once per flow solve as small per-node tables. A node has few exits (its incident edges
whose flow leaves it), so every node gets the same number of slots, ``width`` = the largest exit
count: slot ``node·width + j`` holds the node's ``j``-th exit (−1 past its last one), and
``threshold[j, node]`` the cumulative probability of exits ``0..j``. A batch of packets picks its
exits with ``width − 1`` gathers and comparisons — no search, no per-packet loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Routing:
    """Exit tables for one flow field.

    Attributes
    ----------
    width : int
        Slots per node: the largest number of exits of any node (at least 1).
    count : ndarray of int (N,)
        Number of exits of each node; its exits are slots ``node·width .. node·width + count − 1``.
    threshold : ndarray (width − 1, N)
        ``threshold[j, node]``: probability that the exit is one of slots ``0..j``, for
        ``j < count − 1``; ``inf`` from the node's last exit on (the last exit takes the rest).
    exit_edge : ndarray of int (N·width,)
        Edge of each slot; −1 for unused slots (so −1 for every slot of a node without exits).
    exit_forward : ndarray of bool (N·width,)
        True when the exit leaves through the edge's ``edge_from`` end (antegrade direction);
        True for unused slots.
    has_exit : ndarray of bool (N,)
        Nodes with any outflow.
    """

    width: int
    count: np.ndarray
    threshold: np.ndarray
    exit_edge: np.ndarray
    exit_forward: np.ndarray
    has_exit: np.ndarray


class Incidence:
    """Node–edge incidence of a network, sorted by node (built once per topology)."""

    def __init__(self, n_nodes: int, edge_from: np.ndarray, edge_to: np.ndarray) -> None:
        e = np.arange(edge_from.size)
        node = np.concatenate([edge_from, edge_to]).astype(np.intp)
        edge = np.concatenate([e, e])
        forward = np.concatenate([np.ones(e.size, bool), np.zeros(e.size, bool)])
        order = np.lexsort((edge, node))
        self.node, self.edge, self.forward = node[order], edge[order], forward[order]
        self.n_nodes = n_nodes
        self._sign = np.where(self.forward, 1.0, -1.0)
        # index of the first incidence entry of each entry's node
        first = np.searchsorted(self.node, np.arange(n_nodes))
        self._first = first[self.node]

    def routing(self, flow: np.ndarray, root: int, min_flow: float = 0.0) -> Routing:
        """Exit tables for edge flows ``flow`` (m³/s, positive from ``edge_from``).

        A node's exits are its incident edges carrying more than ``min_flow`` away from it, in
        increasing edge order. The root (the aorta) has no exits: a packet that refluxes to it
        leaves the hepatic circulation.
        """
        n = self.n_nodes
        out = flow[self.edge] * self._sign
        is_exit = out > min_flow
        is_exit &= self.node != root
        # rank of each exit among its node's exits
        before = np.cumsum(is_exit) - is_exit
        rank = before - before[self._first]
        count = np.bincount(self.node, weights=is_exit, minlength=n).astype(np.intp)
        width = max(int(count.max(initial=0)), 1)
        # slot node·width + rank; the entries that are not exits all go to a spare last slot
        slot = np.where(is_exit, self.node * width + rank, n * width)
        weight = np.zeros(n * width + 1)
        weight[slot] = out
        table = weight[: n * width].reshape(n, width)
        # cumulative outflow over slots 0..j; slots past the last exit add exact zeros, so
        # "cum < total" holds exactly for the slots before a node's last exit
        cum = table[:, 0].copy()
        running = [cum]
        for j in range(1, width):
            cum = cum + table[:, j]
            running.append(cum)
        total = cum
        threshold = np.full((width - 1, n), np.inf)
        for j in range(width - 1):
            np.divide(running[j], total, out=threshold[j], where=running[j] < total)
        exit_edge = np.full(n * width + 1, -1, dtype=np.int64)
        exit_edge[slot] = self.edge
        exit_forward = np.ones(n * width + 1, dtype=bool)
        exit_forward[slot] = self.forward
        return Routing(width, count, threshold, exit_edge[:-1], exit_forward[:-1], count > 0)


def choose(
    r: Routing, nodes: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick an exit for each (node, uniform draw) pair.

    With ``u`` uniform on [0, 1), exit ``j`` of a node is taken when
    ``threshold[j − 1] <= u < threshold[j]``, i.e. with probability equal to its share of the
    node's outflow. The choice is a deterministic function of (node, u).

    Returns
    -------
    edge : ndarray of int
        Chosen edge (−1 where the node has no exit).
    forward : ndarray of bool
        Direction of travel along the chosen edge.
    ok : ndarray of bool
        Whether an exit was found.
    """
    nodes = np.asarray(nodes, dtype=np.intp)
    slot = nodes * r.width
    for row in r.threshold:
        slot += u >= row[nodes]
    edge = r.exit_edge[slot]
    return edge, r.exit_forward[slot], edge >= 0
