"""Both solvers against svZeroDSolver's steady cases (shared/domain/flow_cases)."""

import numpy as np
import pytest
from flow_cases import case_files, load_case

from sim.flow.solve import TreeSolver, solve, solve_sparse


def _check(case, node_ids, edge_ids, p, q):
    tol = case["tolerance"]["relative"]
    exp_q = case["expected"]["edge_flows"]
    exp_p = case["expected"]["node_pressures"]
    scale_q = max(abs(v) for v in exp_q.values())
    scale_p = max(abs(v) for v in exp_p.values())
    for i, eid in enumerate(edge_ids):
        want = exp_q[eid]
        assert abs(q[i] - want) <= tol * max(abs(want), 1e-12 * scale_q), (eid, q[i], want)
    for i, nid in enumerate(node_ids):
        want = exp_p[nid]
        assert abs(p[i] - want) <= tol * max(abs(want), 1e-12 * scale_p), (nid, p[i], want)


CASES = case_files()


def test_cases_present():
    assert len(CASES) == 8


@pytest.mark.parametrize("path", CASES, ids=[c.stem for c in CASES])
def test_tree_solver_matches_case(path):
    net, case, node_ids, edge_ids = load_case(path)
    assert net.is_tree()
    p, q = solve(net, tree=TreeSolver(net))
    _check(case, node_ids, edge_ids, p, q)


@pytest.mark.parametrize("path", CASES, ids=[c.stem for c in CASES])
def test_sparse_solver_matches_case(path):
    net, case, node_ids, edge_ids = load_case(path)
    p, q = solve(net, method="sparse")
    _check(case, node_ids, edge_ids, p, q)


def test_sparse_and_tree_agree_on_plain_linear_case():
    net, case, node_ids, edge_ids = load_case(CASES[-1])
    p1, q1 = solve_sparse(net)
    p2, q2 = TreeSolver(net).solve()
    assert np.allclose(p1, p2, rtol=1e-10) and np.allclose(q1, q2, rtol=1e-10, atol=1e-12)
