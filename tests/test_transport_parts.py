"""Transport in parts: the pool, the tallies and the digest's declared list of them."""

from dataclasses import fields

import numpy as np
from helpers import scenario

from sim.actions import Navigate
from sim.engine.procedure import DT, Procedure
from sim.records.digest import TALLY_LABELS
from sim.transport import packets
from sim.transport.pool import Slots
from sim.transport.tallies import Tallies


def test_digest_hashes_every_tally_once():
    declared = [f.name for f in fields(Tallies)]
    hashed = [name for name, _ in TALLY_LABELS]
    assert sorted(hashed) == sorted(declared)
    assert len({label for _, label in TALLY_LABELS}) == len(TALLY_LABELS)


def test_grown_pool_keeps_its_packets_and_adds_free_slots():
    s = Slots().grown(3)
    s.t_end[1], s.agent[1], s.held[2] = 5.0, 2, True
    g = s.grown(4)
    assert g.size == 7 and s.size == 3
    assert g.t_end[1] == 5.0 and g.agent[1] == 2 and g.held[2]
    assert np.isinf(g.t_end[3:]).all() and not g.alive[3:].any()
    assert all(getattr(g, f.name).dtype == getattr(s, f.name).dtype for f in fields(Slots))


def _state(tr) -> bytes:
    t = tr.tallies()
    arrays = [getattr(t, f.name) for f in fields(Tallies)]
    arrays += [getattr(tr.slots, f.name) for f in fields(Slots)]
    arrays += [tr.hops.edge[: tr.hops.used], tr.hops.t[: tr.hops.used], tr.occ_inc]
    return b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)


def test_restore_replays_the_same_flights_bit_for_bit():
    p = Procedure(scenario())
    p.apply(Navigate(target="RHA"))
    tr, tip = p.transport, p.flow.tip

    def run() -> bytes:
        for _ in range(30):  # enough releases that finished slots are folded in and reused
            tr.release(tip, "bland", np.full(500, 40e-6), 2.0, 0.0, 0.0)
            tr.step(DT)
        return _state(tr)

    run()
    snap = tr.snapshot()
    first = run()
    assert tr.stored.dep_count.sum() > 0 and tr.n_in_flight > 0
    tr.restore(snap)
    assert _state(tr) != first
    assert run() == first


def _replans_after_a_resolve(monkeypatch, n_packets: int, steps: int) -> tuple[int, list[int]]:
    """Packets in flight at a re-solve and the size of each re-plan in the next ``steps``."""
    p = Procedure(scenario())
    p.apply(Navigate(target="RHA"))
    tr = p.transport
    tr.release(p.flow.tip, "bland", np.full(n_packets, 40e-6), 1.0, 0.0, 0.0)
    sizes: list[int] = []
    real = tr.flights.replan
    monkeypatch.setattr(
        tr.flights, "replan", lambda edge, *a: sizes.append(edge.size) or real(edge, *a)
    )
    n = tr.n_in_flight
    tr.set_flow(p.flow.flow, p.flow.lumen_area())
    for _ in range(steps):
        tr.step(DT)
    assert not (tr.slots.stale & tr.slots.alive).any()  # every flight met the new flow
    return n, sizes


def test_a_re_solve_re_plans_at_most_a_bounded_share_per_step(monkeypatch):
    monkeypatch.setattr(packets, "REPLAN_MAX_PER_STEP", 100)
    n, sizes = _replans_after_a_resolve(monkeypatch, 2000, 30)
    assert n > 8 * 100  # more than the usual spread would take a step
    assert max(sizes) <= 100 and len(sizes) > packets.REPLAN_SPREAD_STEPS


def test_a_re_solve_of_few_packets_is_spread_over_the_usual_steps(monkeypatch):
    n, sizes = _replans_after_a_resolve(monkeypatch, 2000, packets.REPLAN_SPREAD_STEPS)
    assert len(sizes) <= packets.REPLAN_SPREAD_STEPS and max(sizes) <= -(-n // 8)
