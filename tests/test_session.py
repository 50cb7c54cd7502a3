"""The procedure session and its drivers, headless: no pygame, and a plan or a record played
through the one stepping loop ends exactly where ``run`` and ``replay`` end."""

import subprocess
import sys

import pytest
from helpers import ROOT, SCENARIOS

from sim.actions import Finish
from sim.app.drivers import PlanDriver, RecordDriver
from sim.app.runner import run_recorded
from sim.app.session import AUTOPLAY, MAX_STEPS_PER_FRAME, ProcedureSession, SessionSetup
from sim.engine.procedure import DT
from sim.records.digest import state_digest
from sim.records.replay import parse_actions, replay
from sim.records.store import RecordStore
from sim.scenario.load import LoadedCase, load_scenario
from sim.scenario.plan import load_plan

QUICK = SCENARIOS / "workshop_quick.yaml"


class Host:
    """A scene stand-in: remembers what the driver told it."""

    def __init__(self) -> None:
        self.started, self.done, self.refusals, self.end = [], [], [], None

    def action_started(self, action) -> None:
        self.started.append(action.kind)

    def action_done(self, kind: str) -> None:
        self.done.append(kind)

    def refused(self, message: str) -> None:
        self.refusals.append(message)

    def ended(self, finished: bool) -> None:
        self.end = finished


def quick_case() -> LoadedCase:
    sc, _ = load_scenario(QUICK)
    return LoadedCase(QUICK, sc, [])


def test_session_and_drivers_import_no_pygame():
    code = (
        "import sys\n"
        "import sim.app.session, sim.app.drivers, sim.app.scene\n"
        "assert 'pygame' not in sys.modules and 'pygame_gui' not in sys.modules\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_live_clock_caps_the_steps_and_says_when_it_is_slow():
    session = ProcedureSession(quick_case(), setup=SessionSetup(record_mode=None))
    t0 = session.proc.tick
    session.update(5 * DT)
    assert session.proc.tick - t0 == 5 and not session.clock.slow
    session.speed_i = 2  # 4x: a quarter second of a stalled frame asks for 20 steps
    session.update(10.0)  # capped, flagged, the backlog dropped
    assert session.proc.tick - t0 == 5 + MAX_STEPS_PER_FRAME and session.clock.slow
    assert session.clock.acc == DT
    session.paused = True
    session.update(1.0)
    assert session.proc.tick - t0 == 5 + MAX_STEPS_PER_FRAME


def test_a_case_ended_by_its_time_limit_can_still_be_steered_and_finished():
    """The engine ends a case at its time limit; a player still holding Space who then moves
    the catheter or presses F gets a notice or the debrief, not an error."""
    session = ProcedureSession(quick_case(), setup=SessionSetup(record_mode=None))
    session.start_injection()
    session.proc.apply(Finish())  # what Procedure.step does at the time limit
    session.navigate("RHA")
    assert not session.injecting and session.message
    outcome, _ = session.finish()
    assert 0 <= outcome.score <= 100


@pytest.mark.slow
def test_a_plan_driven_session_ends_where_run_ends(tmp_path):
    store = RecordStore(tmp_path)
    proc, out, rid = run_recorded(store, QUICK)
    steps, _ = load_plan(SCENARIOS / "workshop_quick.plan.yaml")
    session = ProcedureSession(quick_case(), setup=AUTOPLAY)
    host = Host()
    driver = PlanDriver(session.proc, [s.action for s in steps], host)
    frames = 0
    while not driver.done and frames < 100_000:
        if driver.ready:
            a = driver.pick()
            if a is None or driver.done:
                break
            driver.begin(a)
        session.run(session.clock.paced(0.25, 60.0), driver.step)
        frames += 1
    outcome, _ = session.finish()
    assert session.proc.tick == proc.tick and outcome.score == out.score
    assert state_digest(session.proc, outcome.to_dict()) == state_digest(proc, out.to_dict())
    assert host.done and host.done[0] == steps[0].action.kind and not host.refusals
    # a record of that run played by the record driver reaches the same state
    record = store.get(rid)
    played = ProcedureSession(quick_case(), record.seed, AUTOPLAY)
    rdriver = RecordDriver(played.proc, parse_actions(record), record.last_tick, host)
    while not rdriver.done:
        played.run(played.clock.paced(0.25, 60.0), rdriver.step)
    assert host.end is True and host.started[-1] == "finish"
    played_out, _ = played.finish()  # what the scene does when the record's Finish comes
    replayed, replayed_out = replay(record)
    assert played.proc.tick == replayed.tick
    digest = state_digest(played.proc, played_out.to_dict())
    assert digest == state_digest(replayed, replayed_out.to_dict()) == record.digest


@pytest.mark.slow
def test_a_recorded_session_ended_by_the_free_clock_at_the_limit_replays_exactly(tmp_path):
    """No finish is logged when the time limit ends a window or booth case: the replay and a
    what-if of it run the clock to the limit too, and reach the same state."""
    from sim.records.whatif import run_what_if

    with RecordStore(tmp_path) as store:
        session = ProcedureSession(quick_case(), store=store, trainee="T")
        session.navigate("feeder:T1")
        session.start_injection()
        while not session.proc.finished:
            session.update(0.25)
        session.select("bland", (100.0, 300.0))  # after the end: ignored, not an error
        session.set_rate(3.0)
        outcome, rid = session.finish()
        record = store.get(rid)
    assert [e.kind for e in outcome.events][-2:] == ["time_limit", "finish"]
    assert all("finish" not in a for _, a in record.actions)  # the engine ended it, not F
    again, out2 = replay(record)
    assert out2 == outcome and state_digest(again, out2.to_dict()) == record.digest
    actions = parse_actions(record)
    same, out3 = run_what_if(again.scenario, record.seed, actions, 0, actions[0][1])
    assert out3 == outcome
