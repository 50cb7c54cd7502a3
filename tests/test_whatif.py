"""What-if: change one action of a finished case and run on."""

import pytest
from helpers import SCENARIOS

from sim.action_text import MENU, describe
from sim.actions import Finish, Navigate, SelectAgent, to_dict
from sim.app.runner import run_plan
from sim.records.whatif import STOP_HERE, WhatIfError, alternatives, run_what_if
from sim.scenario.plan import action_from_dict


@pytest.fixture(scope="module")
def expert():
    return run_plan(SCENARIOS / "default.yaml")


def test_same_action_reproduces_the_case(expert):
    proc, out = expert
    i = next(k for k, (_, a) in enumerate(proc.log) if isinstance(a, SelectAgent))
    same = action_from_dict(to_dict(proc.log[i][1]))  # through the stored form and back
    p2, out2 = run_what_if(proc.scenario, proc.seed, proc.log, i, same)
    assert out2 == out
    assert p2.tick == proc.tick


def test_catheter_back_in_the_pha_treats_more_normal_liver(expert):
    proc, out = expert
    i = next(k for k, (_, a) in enumerate(proc.log) if a.kind == "navigate")
    alts = alternatives(proc.log[i][1], proc.scenario, set(proc.c.names))
    labels = [a.label for a in alts]
    assert "catheter to PHA instead" in labels
    pha = next(a for a in alts if a.label == "catheter to PHA instead")
    p2, out2 = run_what_if(proc.scenario, proc.seed, proc.log, i, pha.action)
    assert p2.breadcrumb() == [] and p2.finished
    assert out2.normal_liver.damage > out.normal_liver.damage
    assert out2.score < out.score


def test_alternatives_by_kind(expert):
    proc, _ = expert
    sc, names = proc.scenario, set(proc.c.names)
    sel = next(a for _, a in proc.log if a.kind == "select_agent")
    sizes = alternatives(sel, sc, names)
    offered = {a.action.size_um for a in sizes if a.action.agent == "bland"}
    assert (100.0, 300.0) in offered and (40.0, 120.0) not in offered  # not the size it had
    inj = next(a for _, a in proc.log if a.kind == "inject")
    rates = alternatives(inj, sc, names)
    assert rates[0].label == STOP_HERE and isinstance(rates[0].action, Finish)
    offered = {a.action.rate_ml_min for a in rates[1:]}
    assert offered >= {0.5, 4.0} and 1.0 not in offered  # not the rate it already had
    assert alternatives(Finish(), sc, names) == []
    assert describe(inj, MENU).startswith("inject ")


def test_refused_change_says_why(expert):
    proc, _ = expert
    i = next(k for k, (_, a) in enumerate(proc.log) if a.kind == "navigate")
    with pytest.raises(WhatIfError, match="nowhere|unknown|no vessel"):
        run_what_if(proc.scenario, proc.seed, proc.log, i, Navigate(target="S99"))


def test_superseded_moves_are_not_offered():
    from sim.records.whatif import effective

    log = [
        (0, {"select_agent": {"agent": "bland"}}),
        (0, {"navigate": "CHA"}),
        (40, {"navigate": "RHA"}),
        (80, {"select_agent": {"agent": "bland", "size_um": [100, 300]}}),
        (80, {"inject": {"volume_ml": 1, "rate_ml_min": 1}}),
        (900, {"navigate": "PHA"}),
        (960, {"finish": None}),
    ]
    log = [(t, action_from_dict(a)) for t, a in log]
    # the first agent and the CHA are replaced before anything is injected; the last move
    # still counts (a what-if may move the catheter before finishing)
    assert effective(log) == [2, 3, 4, 5, 6]


def test_stop_here_ends_the_injection_at_that_action(expert):
    proc, out = expert
    i = next(k for k, (_, a) in enumerate(proc.log) if a.kind == "inject")
    stop = alternatives(proc.log[i][1], proc.scenario, set(proc.c.names))[0]
    seen = []
    p2, out2 = run_what_if(proc.scenario, proc.seed, proc.log, i, stop.action, seen.append)
    assert p2.finished and p2.metrics.agent_ml.get("bland", 0.0) == 0.0  # nothing injected
    assert out2.tumor_coverage < out.tumor_coverage
    assert seen and seen == sorted(seen) and 0 < seen[-1] < 1  # progress as it went


def test_catheter_moves_named_by_their_vessel(expert):
    from sim.app.scenes.whatif import vessel_label

    proc, _ = expert
    c = proc.c
    e = c.names.index("RHA")
    assert vessel_label(c, f"#{e}") == "RHA"
    assert describe(Navigate(target=f"#{e}"), MENU, vessel_name=lambda t: vessel_label(c, t)) == (
        "catheter to RHA"
    )
    assert describe(Navigate(target="feeder:T1"), MENU) == "catheter to the feeder of T1"
