"""Where `navigate` puts the tip: a named artery's origin, `beyond` a side branch, the caudate's
feeders, and the forms plan files and records store."""

import re

import numpy as np
import pytest
from helpers import SCENARIOS, scenario

from sim.actions import Navigate, to_dict
from sim.engine.navigation import NavigationError
from sim.engine.procedure import Procedure
from sim.scenario.load import load_scenario
from sim.scenario.plan import action_from_dict


def _branch_node(p: Procedure, name: str) -> int:
    return int(p.c.edge_from[p.c.vessel_edges(name)[0]])


@pytest.fixture(scope="module")
def trap():
    sc, _ = load_scenario(SCENARIOS / "right_gastric_trap.yaml")
    return sc


def test_named_artery_tip_sits_proximal_to_its_side_branches(trap):
    p = Procedure(trap)
    p.apply(Navigate(target="RHA"))
    assert p.flow.tip == _branch_node(p, "cystic"), "the cystic artery is downstream of the tip"
    p.apply(Navigate(target="LHA"))
    assert p.flow.tip == _branch_node(p, "RGA"), "a right gastric from the LHA is downstream"


def test_beyond_puts_the_side_branch_behind_the_tip(trap):
    p = Procedure(trap)
    for vessel, branch in (("RHA", "cystic"), ("LHA", "RGA"), ("S4", "falciform")):
        p.apply(Navigate(target=vessel, beyond=branch))
        path = set(p.c.path_to(p.flow.tip))
        origin = _branch_node(p, branch)
        assert p.c.parent_edge[origin] in path and p.flow.tip != origin
        assert p.c.names[p.flow.tip_edge()] == vessel


@pytest.mark.parametrize(
    "vessel, beyond, why",
    [
        ("RHA", "S3", "'S3' is not a side branch of RHA (allowed: cystic, S1)"),
        ("CHA", "GDA", "GDA leaves CHA at its end"),
        ("RHX", "cystic", "unknown vessel 'RHX' (did you mean 'RHA'?)"),
    ],
)
def test_refused_beyond_says_why(vessel, beyond, why):
    p = Procedure(scenario())
    with pytest.raises(NavigationError, match=re.escape(why)):
        p.apply(Navigate(target=vessel, beyond=beyond))


def test_plan_dict_form_round_trips():
    a = action_from_dict({"navigate": {"vessel": "RHA", "beyond": "cystic"}})
    assert (a.target, a.beyond) == ("RHA", "cystic")
    assert to_dict(a) == {"navigate": {"vessel": "RHA", "beyond": "cystic"}}
    assert to_dict(action_from_dict({"navigate": "RHA"})) == {"navigate": "RHA"}
    with pytest.raises(ValueError, match="beyond goes with a vessel name"):
        action_from_dict({"navigate": {"vessel": "feeder:T1", "beyond": "cystic"}})


def test_caudate_tumor_fed_by_both_caudate_arteries():
    sc, _ = load_scenario(SCENARIOS / "caudate_feeders.yaml")
    p = Procedure(sc)
    c = p.c
    share = {}
    for root in ("S1", "S1L"):
        p.apply(Navigate(target=root))
        below = np.zeros(c.n_nodes, bool)
        stack = [p.flow.tip]
        while stack:
            n = stack.pop()
            below[n] = True
            stack.extend(int(c.edge_to[e]) for e in c.children[n])
        tumor_beds = c.bed_tumor >= 0
        share[root] = c.bed_flow0_ml_min[tumor_beds & below[c.edge_from[c.bed_edge]]].sum()
    total = c.bed_flow0_ml_min[c.bed_tumor >= 0].sum()
    assert share["S1"] > 0.2 * total and share["S1L"] > 0.2 * total
    assert share["S1"] + share["S1L"] == pytest.approx(total)


def test_a_wedge_shows_no_antegrade_flow():
    """'wedged' and the panel's antegrade flow agree (it read 100 % against the wedge itself)."""
    from sim.flow.catheter import WEDGE_FACTOR, annulus_factor

    p = Procedure(scenario())
    c = p.c
    f = annulus_factor(c.radius, p.catheter_radius)
    tight = [
        e
        for e in range(c.n_edges)
        if not c.is_bed[e] and c.radius[e] > p.catheter_radius and f[e] < WEDGE_FACTOR
    ]
    assert tight, "the default tree has vessels the catheter wedges in"
    p.apply(Navigate(target=f"#{tight[0]}"))
    st = p.status()
    assert st.wedged and st.antegrade < 0.1 and st.sace_level == 4
    p.apply(Navigate(target="RHA"))
    st = p.status()
    assert not st.wedged and st.antegrade == pytest.approx(1.0)
