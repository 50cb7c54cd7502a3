"""Flow: Kirchhoff balance, falling pressure, solver agreement, monotone responses, no NaN."""

import numpy as np
import pytest
from helpers import scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.actions import Inject, Navigate, SelectAgent
from sim.engine.procedure import Procedure
from sim.flow.network import Network
from sim.flow.solve import TreeSolver, solve, solve_sparse
from sim.scenario.models import Scenario


def _kirchhoff_residual(c, flow, source):
    net_in = np.zeros(c.n_nodes)
    np.add.at(net_in, c.edge_to, flow)
    np.add.at(net_in, c.edge_from, -flow)
    net_in += source
    through = np.zeros(c.n_nodes)
    np.add.at(through, c.edge_to, np.abs(flow))
    np.add.at(through, c.edge_from, np.abs(flow))
    fixed = np.zeros(c.n_nodes, bool)
    fixed[c.root] = True
    fixed[c.outlet_nodes] = True
    free = ~fixed & (through > 0)
    # relative to the node's throughput, floored at 1e-9 of the network's total flow (an edge
    # occluded to 1e-6 of its conductance carries ~1e-19 m³/s, below round-off of its parent)
    scale = np.maximum(through[free], 1e-9 * np.abs(flow).max())
    return np.abs(net_in[free]) / scale


def test_generated_tree_size_and_kirchhoff_at_baseline():
    p = Procedure(scenario())
    c = p.c
    n_vessels = int((~c.is_bed).sum())
    assert 1500 <= n_vessels <= 4000
    res = _kirchhoff_residual(c, p.flow.baseline_flow, np.zeros(c.n_nodes))
    assert res.max() < 1e-9


def test_kirchhoff_with_catheter_injection_and_occlusion():
    p = Procedure(scenario())
    p.apply(Navigate(target="RHA"))
    p.apply(SelectAgent(agent="bland", size_um=(100, 300)))
    p.apply(Inject(volume_ml=3, rate_ml_min=3))
    p.flow.set_injection(3.0)
    p.flow.solve()
    res = _kirchhoff_residual(p.c, p.flow.flow, p.flow.source())
    assert res.max() < 1e-9
    assert np.isfinite(p.flow.pressure).all() and np.isfinite(p.flow.flow).all()


def test_pressure_falls_along_every_antegrade_path():
    p = Procedure(scenario())
    c, q, pr = p.c, p.flow.flow, p.flow.pressure
    p.apply(Navigate(target="coeliac"))
    assert (q > 0).all(), "every baseline edge flows antegrade"
    assert (pr[c.edge_from] > pr[c.edge_to]).all()


def test_baseline_flows_match_calibration_targets():
    p = Procedure(scenario())
    c = p.c
    q_ml_min = p.flow.baseline_flow[c.bed_edge] * 60e6
    assert np.allclose(q_ml_min, c.bed_flow0_ml_min, rtol=1e-6)


def test_hepatic_flow_per_kg_within_carlisle_band():
    """PHA flow 3.5 mL/min/kg ± 45 % (Carlisle 1992)."""
    sc = scenario()
    p = Procedure(sc)
    e = p.c.vessel_edges("PHA")[0]
    per_kg = p.flow.baseline_flow[e] * 60e6 / sc.patient.weight_kg
    assert 3.5 * 0.55 <= per_kg <= 3.5 * 1.45
    gda = p.flow.baseline_flow[p.c.vessel_edges("GDA")[0]] * 60e6
    assert gda > 0.3 * p.flow.baseline_flow[p.c.vessel_edges("CHA")[0]] * 60e6


def test_occluding_a_bed_lowers_its_flow_and_raises_its_siblings():
    p = Procedure(scenario())
    c = p.c
    b = int(np.flatnonzero(c.bed_tumor == 0)[0])
    e = c.bed_edge[b]
    sib = [k for k in c.children[c.edge_from[e]] if k != e]
    before = p.flow.flow.copy()
    flows = []
    for occ in (0.0, 0.3, 0.6, 0.9):
        p.flow.occlusion[e] = occ
        p.flow.solve()
        flows.append(p.flow.flow[e])
    assert all(a > b_ for a, b_ in zip(flows, flows[1:], strict=False))
    if sib:
        assert p.flow.flow[sib[0]] >= before[sib[0]]


@st.composite
def random_tree(draw):
    n_internal = draw(st.integers(1, 60))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    parent = [-1] + [int(rng.integers(0, i)) for i in range(1, n_internal)]
    has_child = set(parent[1:])
    e_from, e_to = [], []
    for i in range(1, n_internal):
        e_from.append(parent[i])
        e_to.append(i)
    leaves = [i for i in range(n_internal) if i not in has_child]
    n = n_internal
    outlets = []
    for leaf in leaves:
        e_from.append(leaf)
        e_to.append(n)
        outlets.append(n)
        n += 1
    g = 10 ** rng.uniform(-3, 3, len(e_from))
    src = np.zeros(n)
    if draw(st.booleans()) and n_internal > 1:
        src[int(rng.integers(1, n_internal))] = rng.uniform(0, 5)
    net = Network(
        n,
        np.array(e_from),
        np.array(e_to),
        g,
        np.array([0] + outlets),
        np.array([100.0] + list(rng.uniform(0, 20, len(outlets)))),
        src,
    )
    return net


@settings(max_examples=80, deadline=None)
@given(random_tree())
def test_tree_solver_equals_sparse_on_random_trees(net):
    p1, q1 = TreeSolver(net).solve()
    p2, q2 = solve_sparse(net)
    assert np.isfinite(p1).all() and np.isfinite(q1).all()
    scale_p = np.abs(p2).max() + 1e-12
    scale_q = np.abs(q2).max() + 1e-12
    assert np.abs(p1 - p2).max() <= 1e-9 * scale_p
    assert np.abs(q1 - q2).max() <= 1e-8 * scale_q


def _three_nodes(edges: list[tuple[int, int]]) -> Network:
    """Root 0 at 100 Pa, outlet 2 at 0 Pa, unit-conductance ``edges``."""
    return Network(
        n_nodes=3,
        edge_from=np.array([a for a, _ in edges]),
        edge_to=np.array([b for _, b in edges]),
        conductance=np.ones(len(edges)),
        fixed_nodes=np.array([0, 2]),
        fixed_pressure=np.array([100.0, 0.0]),
        source=np.zeros(3),
    )


def test_tree_solver_refuses_a_loop_and_solve_routes_it_to_sparse():
    net = _three_nodes([(0, 1), (0, 1), (1, 2)])  # a parallel path from the root to node 1
    with pytest.raises(ValueError, match="has a loop: 3 edges for 3 nodes"):
        TreeSolver(net)
    with pytest.raises(ValueError, match="has a loop"):
        solve(net, method="tree")
    p, q = solve(net)  # auto: the sparse solver, both parallel edges carry flow
    assert p[1] == pytest.approx(200.0 / 3.0, rel=1e-12)
    assert q == pytest.approx([100.0 / 3.0, 100.0 / 3.0, 200.0 / 3.0], rel=1e-12)
    assert TreeSolver(_three_nodes([(0, 1), (1, 2)])).solve()[0][1] == pytest.approx(50.0)
    with pytest.raises(ValueError, match="not connected"):
        TreeSolver(_three_nodes([(1, 2)]))


def _occlude(p: Procedure, name: str) -> None:
    p.flow.occlusion[p.c.vessel_edges(name)] = 1.0
    p.flow.solve()


@pytest.mark.parametrize("collateral", [False, True])
def test_no_backward_flow_through_beds_after_cha_occlusion(collateral):
    """A closed CHA stagnates its tree: no bed runs backwards (liver beds drain to 8 mmHg,
    extrahepatic to 5 mmHg, so a linear solve emptied the liver into the GDA), mass is conserved,
    and with a collateral from the SMA the liver is still fed forwards through it."""
    extra = (
        [{"kind": "collateral", "name": "COL", "from_vessel": "SMA", "to_vessel": "GDA"}]
        if collateral
        else []
    )
    sc = scenario(michels="VI" if collateral else "I")
    anatomy = {"michels": sc.anatomy.michels, "seed": 3, "extra_vessels": extra}
    p = Procedure(Scenario.model_validate({**sc.model_dump(), "anatomy": anatomy}))
    c = p.c
    q_before = p.flow.flow.copy()
    _occlude(p, "CHA")
    q = p.flow.flow
    assert (q[c.bed_edge] >= 0.0).all(), "no bed carries flow backwards"
    assert _kirchhoff_residual(c, q, np.zeros(c.n_nodes)).max() < 1e-9
    hep = np.isin(c.bed_kind, [0, 1])  # liver and tumour beds
    behind = [c.vessel_edges(n)[0] for n in ("GDA", "PHA", "RHA", "LHA", "cystic")]
    if collateral:  # the SMA feeds the GDA and, reversed, the liver (Michels VI keeps an aRHA)
        assert q[c.vessel_edges("COL")[0]] > 0 and q[c.bed_edge[hep]].sum() > 0
    else:
        assert (q[behind] >= 0.0).all(), "no artery behind the occlusion runs backwards"
        # what still trickles through the closed CHA (1e-6 of its conductance) stays tiny
        assert (q[behind] < 1e-3 * q_before[behind]).all()
        assert q[c.bed_edge[hep]].sum() < 1e-4 * q_before[c.bed_edge[hep]].sum()


def test_valves_reopen_when_the_occlusion_clears():
    p = Procedure(scenario())
    base = p.flow.flow.copy()
    _occlude(p, "CHA")
    p.flow.occlusion[:] = 0.0
    p.flow.solve()
    assert np.allclose(p.flow.flow, base, rtol=1e-9, atol=0.0)
