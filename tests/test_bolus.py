"""The bolus trace (sim/transport/bolus.py) visits only the nodes below the tip, a level at a
time, and gives the node-by-node visit's result to the bit: on trees, on collateral loops
(nodes fed by two edges) and with or without an injection. The node-by-node visit is kept here
as the oracle (it was the engine's until the level-wise trace replaced it)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import scenario

from sim.actions import Navigate
from sim.engine.procedure import Procedure
from sim.scenario.models import Scenario, Tumor
from sim.transport import contrast
from sim.transport.bolus import trace


def node_by_node(c, flow, pressure, transit, tip, rate):
    """Contrast fraction and arrival per edge, visiting every node in falling pressure."""
    n = c.n_nodes
    node_conc, node_arr = np.zeros(n), np.full(n, np.inf)
    inflow, cin = np.zeros(n), np.zeros(n)
    fwd = flow >= 0
    up = np.where(fwd, c.edge_from, c.edge_to)
    down = np.where(fwd, c.edge_to, c.edge_from)
    q = np.abs(flow)
    np.add.at(inflow, down, q)
    inflow[tip] += rate
    out_edges: list[list[int]] = [[] for _ in range(n)]
    for e in np.flatnonzero(q > 0):
        out_edges[up[e]].append(int(e))
    edge_conc, edge_arr = np.zeros(c.n_edges), np.full(c.n_edges, np.inf)
    cin[tip] += rate * 1.0
    node_arr[tip] = 0.0
    for u in np.argsort(-pressure, kind="stable"):
        if inflow[u] > 0 and cin[u] > 0:
            node_conc[u] = min(cin[u] / inflow[u], 1.0)
        for e in out_edges[u]:
            edge_conc[e] = node_conc[u]
            if node_conc[u] > 0 and np.isfinite(node_arr[u]):
                edge_arr[e] = node_arr[u]
                cin[down[e]] += q[e] * node_conc[u]
                node_arr[down[e]] = min(node_arr[down[e]], node_arr[u] + transit[e])
    return edge_conc, edge_arr


def collateral(a: str, b: str) -> Scenario:
    extra = {"kind": "collateral", "name": "COL", "from_vessel": a, "to_vessel": b}
    return Scenario(
        title="t",
        tumors=[Tumor(id="T1", segment="S6", diameter_mm=45)],
        anatomy={"extra_vessels": [extra], "seed": 4},
    )


@pytest.mark.parametrize(
    ("sc", "target"),
    [
        (scenario(), "RHA"),
        (scenario(), "PHA"),
        (collateral("GDA", "RHA"), "CHA"),
        (collateral("RHA", "LHA"), "PHA"),
    ],
    ids=["tree-RHA", "tree-PHA", "loop-GDA-RHA", "loop-RHA-LHA"],
)
def test_the_level_trace_equals_the_node_by_node_visit(sc, target):
    p = Procedure(sc)
    p.apply(Navigate(target=target))
    c, fl = p.c, p.flow
    for rate in (0.0, 3.3e-8, 2e-6):  # none, a slow drip, a 2 mL/s push
        fl.set_injection(0.0)
        fl.injection_m3_s += rate
        fl.solve()
        transit = contrast._transit(c, fl.flow, fl.lumen_area(), 0.0)
        transit[c.is_bed] = 0.0
        want = node_by_node(c, fl.flow, fl.pressure, transit, fl.tip, rate)
        got = trace(c, fl.flow, fl.pressure, transit, fl.tip, rate)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        assert (got[0] > 0).any() == (rate > 0)  # the bolus goes somewhere when injected
