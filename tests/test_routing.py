"""Exit choice at a node: probability ∝ outflow, root closed, dead ends, empty batches."""

import numpy as np

from sim.transport.routing import Incidence, choose

# 0 is the root (aorta). Node 1 takes a catheter injection, so its parent edge 0→1 refluxes
# (negative flow) while its two children take flow: three exits, one of them backwards.
#   e0: 0→1  −1 (reflux into the root)   e1: 1→2  2    e2: 1→3  5
#   e3: 2→4   0 (stagnant dead end)      e4: 2→5  2    e5: 3→6  5    e6: 0→7  3
EDGE_FROM = np.array([0, 1, 1, 2, 2, 3, 0])
EDGE_TO = np.array([1, 2, 3, 4, 5, 6, 7])
FLOW = np.array([-1.0, 2.0, 5.0, 0.0, 2.0, 5.0, 3.0])
N_NODES = 8
ROOT = 0


def _routing(min_flow=0.0):
    return Incidence(N_NODES, EDGE_FROM, EDGE_TO).routing(FLOW, ROOT, min_flow=min_flow)


def test_exit_frequencies_match_flow_shares():
    r = _routing()
    n = 200_000
    u = np.random.default_rng(0).random(n)
    edge, fwd, ok = choose(r, np.full(n, 1), u)
    assert ok.all()
    freq = np.bincount(edge, minlength=3)[:3] / n
    np.testing.assert_allclose(freq, [1 / 8, 2 / 8, 5 / 8], rtol=0.02)
    # the reflux exit runs against the edge's direction, the others with it
    assert not fwd[edge == 0].any()
    assert fwd[edge != 0].all()


def test_choice_is_a_deterministic_function_of_node_and_draw():
    r = _routing()
    u = np.random.default_rng(1).random(1000)
    nodes = np.random.default_rng(2).integers(1, 4, 1000)
    a = choose(r, nodes, u)
    b = choose(r, nodes.copy(), u.copy())
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    # the ends of [0, 1) pick the first and the last exit
    edge, _, _ = choose(r, np.array([1, 1]), np.array([0.0, np.nextafter(1.0, 0.0)]))
    assert edge.tolist() == [0, 2]


def test_root_has_no_exits():
    r = _routing()
    edge, fwd, ok = choose(r, np.full(5, ROOT), np.linspace(0.0, 0.99, 5))
    assert not ok.any()
    assert (edge == -1).all()
    assert fwd.all()
    assert not r.has_exit[ROOT]


def test_node_without_outflow_is_not_ok():
    r = _routing()
    # node 4 only has the stagnant e3; leaves 5, 6, 7 only receive flow
    nodes = np.array([4, 5, 6, 7])
    edge, _, ok = choose(r, nodes, np.full(4, 0.5))
    assert not ok.any()
    assert (edge == -1).all()
    # node 2 sends everything down e4 (e3 carries nothing)
    edge, fwd, ok = choose(r, np.full(3, 2), np.array([0.0, 0.5, 0.999]))
    assert ok.all() and (edge == 4).all() and fwd.all()


def test_min_flow_drops_small_exits():
    r = _routing(min_flow=1.5)  # the reflux (1.0) no longer counts as an exit of node 1
    u = np.random.default_rng(3).random(50_000)
    edge, _, ok = choose(r, np.full(u.size, 1), u)
    assert ok.all() and not (edge == 0).any()
    np.testing.assert_allclose(np.mean(edge == 2), 5 / 7, rtol=0.02)


def test_choose_on_an_empty_batch():
    r = _routing()
    edge, fwd, ok = choose(r, np.zeros(0, dtype=np.int64), np.zeros(0))
    assert edge.shape == fwd.shape == ok.shape == (0,)
    assert ok.dtype == bool and fwd.dtype == bool
