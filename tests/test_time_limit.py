"""The case's time limit ends the procedure wherever it runs: a blocking action stops at it, a
free-running clock (window, replay, kiosk) finishes there, ``procedure_s`` never exceeds it,
an event says so, and a record of such a case replays to the same digest."""

from __future__ import annotations

import math

import pytest
from helpers import SCENARIOS

from sim.actions import Inject, Navigate, SelectAgent, Wait
from sim.app.runner import run_recorded
from sim.engine.final import assess_procedure
from sim.engine.procedure import DT, Procedure
from sim.records import RecordStore
from sim.records.digest import state_digest
from sim.records.replay import replay
from sim.scenario.load import load_scenario

QUICK = SCENARIOS / "workshop_quick.yaml"  # limits: {time_min: 3}


@pytest.fixture(scope="module")
def quick():
    sc, problems = load_scenario(QUICK)
    assert not problems and sc.limits.time_min == 3
    return sc


def kinds(proc: Procedure) -> list[str]:
    return [e.kind for e in proc.events]


def test_a_runaway_injection_stops_at_the_limit_and_the_case_ends(quick):
    proc = Procedure(quick)
    proc.apply(Navigate(target="feeder:T1"))
    proc.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    proc.apply(Inject(volume_ml=20.0, rate_ml_min=0.5))  # 40 min asked for in a 3-min case
    assert proc.finished
    assert proc.tick <= math.ceil(180.0 / DT) + math.ceil(30.0 / DT)  # limit + settling
    assert proc.metrics.procedure_s == pytest.approx(180.0)
    assert kinds(proc)[-2:] == ["time_limit", "finish"]
    out = assess_procedure(proc)
    assert out.metrics.procedure_s <= 180.0
    detail = next(e.detail for e in out.events if e.kind == "time_limit")
    assert detail == "time limit of 3 min reached: the case ends"


def test_the_free_running_clock_finishes_at_the_limit_and_then_stands_still(quick):
    proc = Procedure(quick)
    limit = proc.limit_tick
    assert limit == math.ceil(3 * 60 / DT)
    while not proc.finished:
        assert proc.tick < limit  # it never runs a step past the limit unfinished
        proc.step()
    tick = proc.tick
    proc.step()
    assert proc.tick == tick, "a finished procedure does not step"
    assert kinds(proc).count("time_limit") == 1


def test_a_case_within_its_limit_has_no_time_limit_event(quick):
    proc = Procedure(quick)
    proc.apply(Wait(seconds=170.0))
    assert not proc.finished and "time_limit" not in kinds(proc)


def test_a_run_ended_by_the_limit_replays_to_the_same_digest(tmp_path):
    plan = tmp_path / "slow.plan.yaml"
    plan.write_text(
        "actions:\n"
        "  - navigate: feeder:T1\n"
        "  - select_agent: {agent: bland, size_um: [100, 300]}\n"
        "  - wait: {seconds: 120}\n"
        "  - inject: {volume_ml: 2.5, rate_ml_min: 2}\n"
        "  - finish\n",
        encoding="utf-8",
    )
    with RecordStore(tmp_path / "data") as store:
        proc, out, rid = run_recorded(store, QUICK, plan)
        rec = store.get(rid)
    assert proc.finished and "time_limit" in kinds(proc)
    assert out.metrics.procedure_s <= 180.0
    again, out2 = replay(rec)
    assert out2 == out and state_digest(again, out2.to_dict()) == rec.digest
