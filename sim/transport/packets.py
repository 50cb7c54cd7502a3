"""Particle packets of a procedure: released at the tip, flown on flight plans, tallied.

A packet stands for ``count`` spheres (or droplets) of one agent and one diameter. Between two
flow solves the flow is frozen, so a packet's whole journey is planned the moment it starts
(:mod:`sim.transport.flight`, which also holds the lodging rules). A step then only settles the
packets whose journey ends within it — one comparison per packet, however many nodes they
cross. When the flow is re-solved, every packet in flight is re-planned from where it is, spread
over the next :data:`REPLAN_SPREAD_STEPS` steps in a fixed round-robin order, and over more steps
when that would re-plan more than :data:`REPLAN_MAX_PER_STEP` packets in one (so a window never
stalls on one 100,000-packet re-plan; a packet meets a new flow field at most 0.4 s late up to
~33,000 packets in flight, 1.5 s late at 120,000, and the order depends on nothing but the
simulation). Positions for drawing are recovered from the plan
at any time.

Packets live in a pool of slots (:mod:`sim.transport.pool`); where they ended up is kept in
:class:`~sim.transport.tallies.Tallies`. The flow model reads the occlusion they add back
through :meth:`Transport.take_occlusion`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.flow.compile import Compiled
from sim.transport.flight import (
    AGENT_IDS,
    END_STASIS,
    FlightPlan,
    FlightPlanner,
)
from sim.transport.pool import Hops, Slots, store_plan
from sim.transport.tallies import Tallies, pending

__all__ = ["AGENT_IDS", "REPLAN_MAX_PER_STEP", "REPLAN_SPREAD_STEPS", "Snapshot", "Transport"]

REPLAN_SPREAD_STEPS = 8  # a flow change reaches every packet in flight within 8 steps (speed, U)
REPLAN_MAX_PER_STEP = 4096  # ... unless that is more than this many a step (~3 ms; speed, U)


@dataclass
class Snapshot:
    """A copy of the whole transport state but the flow field (for benchmarks and what-ifs)."""

    slots: Slots
    hops: Hops
    stored: Tallies
    occ_inc: np.ndarray
    delivered_count: np.ndarray
    delivered_activity: np.ndarray
    t: float
    rng_state: dict
    replan_cursor: int
    replan_steps_left: int


class Transport:
    """All packets of a procedure and where they ended up.

    Attributes (A agents, E edges)
    ----------
    t : float
        Clock, s.
    flights : FlightPlanner
        Lodging rules and the current flow field.
    slots : Slots
        The packet pool; ``hops`` holds their flight plans.
    stored : Tallies
        Tallies of the finished flights already folded in (read :meth:`tallies` instead: it
        adds the pending ones).
    delivered_count, delivered_activity : ndarray (A,)
        Everything released at the tip, by agent (spheres, Bq).
    occ_inc : ndarray (E,)
        Occlusion added since the last :meth:`take_occlusion`.
    plan_version : int
        Bumped whenever any flight plan changes (drawing caches).
    """

    def __init__(self, c: Compiled, rng: np.random.Generator) -> None:
        self.c = c
        self.rng = rng
        self.t = 0.0
        self.flights = FlightPlanner(c)
        self.slots = Slots()
        self.hops = Hops()
        self.stored = Tallies.zeros(c.n_edges)
        self.delivered_count = np.zeros(len(AGENT_IDS))
        self.delivered_activity = np.zeros(len(AGENT_IDS))
        self.occ_inc = np.zeros(c.n_edges)
        self.plan_version = 0
        self._n_alive = 0
        self._due = np.zeros(0, bool)
        self._replan_cursor = 0
        self._replan_steps_left = 0

    # ------------------------------------------------------------------ flow coupling
    def set_flow(self, flow: np.ndarray, area: np.ndarray) -> None:
        """Take a new flow field (edge flows m³/s, open lumen areas m²); flights in progress are
        re-planned over the next :data:`REPLAN_SPREAD_STEPS` steps, or more so that no step
        re-plans more than :data:`REPLAN_MAX_PER_STEP` (see :meth:`step`)."""
        self.flights.set_flow(flow, area)
        if self._n_alive:
            self.slots.stale |= self.slots.alive
            bounded = -(-self._n_alive // REPLAN_MAX_PER_STEP)
            self._replan_steps_left = max(REPLAN_SPREAD_STEPS, bounded)

    def take_occlusion(self) -> np.ndarray:
        """Occlusion added since the last call, per edge (E,); resets the accumulator."""
        out, self.occ_inc = self.occ_inc, np.zeros(self.c.n_edges)
        return out

    # ------------------------------------------------------------------ release
    def release(
        self,
        node: int,
        agent: str,
        diam: np.ndarray,
        count,
        activity,
        drug,
        t0: np.ndarray | None = None,
    ) -> None:
        """Release packets of ``diam`` (m) at ``node``, each standing for ``count`` spheres.

        ``count``, ``activity`` (Bq) and ``drug`` (mg) are per packet (scalars or arrays);
        ``t0`` gives each packet's release time (default now; earlier times are allowed, for
        packets released during the last few steps under the same flow).
        """
        n = diam.size
        if n == 0:
            return
        a = AGENT_IDS.index(agent)
        diam = diam.astype(float)
        count = np.broadcast_to(np.asarray(count, float), (n,)).copy()
        activity = np.broadcast_to(np.asarray(activity, float), (n,)).copy()
        self.delivered_count[a] += count.sum()
        self.delivered_activity[a] += activity.sum()
        start = np.full(n, self.t) if t0 is None else np.asarray(t0, float)
        plan = self.flights.plan(
            np.full(n, node, np.int64), start, diam, np.full(n, -1, np.int64), self.rng
        )
        idx = self._free_slots(n)
        s = self.slots
        s.diam[idx] = diam
        s.agent[idx] = a
        s.count[idx] = count
        s.activity[idx] = activity
        s.drug[idx] = np.broadcast_to(np.asarray(drug, float), (n,))
        self._store(idx, plan, in_place=False)
        self.settle()  # flights that have already ended (e.g. straight into a wedged branch)

    # ------------------------------------------------------------------ step
    def step(self, dt: float) -> None:
        """Advance the clock by ``dt`` seconds, settle every flight that has ended, and re-plan
        the next share of the flights still planned on an older flow field."""
        self.t += dt
        if self._n_alive:
            self.settle()
        if self._replan_steps_left > 0:
            self._replan_share()

    def _replan_share(self) -> None:
        """Re-plan ``1/steps_left`` of the stale flights, round-robin from a cursor over slots."""
        s = self.slots
        s.stale &= s.alive
        stale = np.flatnonzero(s.stale)
        if stale.size == 0:
            self._replan_steps_left = 0
            return
        n = -(-stale.size // self._replan_steps_left)
        start = int(np.searchsorted(stale, self._replan_cursor))
        take = np.roll(stale, -start)[:n]
        self._replan_cursor = int(take[-1]) + 1
        self._replan_steps_left -= 1
        edge, pos = self._positions_of(take, self.t)
        plan = self.flights.replan(edge, pos, s.diam[take], self.t, self.rng)
        self._store(take, plan, in_place=True)  # old hops are left behind until the store compacts
        self.settle()

    def settle(self) -> None:
        """Apply the end of every flight due by now: occlusion, lung and aorta at once; the
        per-edge deposit tallies when they are next read."""
        t_end = self.slots.t_end
        if self._due.size != t_end.size:
            self._due = np.zeros(t_end.size, bool)
        np.less_equal(t_end, self.t, out=self._due)
        i = self._due.nonzero()[0]
        if i.size:
            self._finish(i)

    def lodge_all(self) -> None:
        """Lodge every packet still in flight where it is now (end of the case)."""
        if not self._n_alive:
            return
        s = self.slots
        live = np.flatnonzero(s.alive)
        edge, _ = self._positions_of(live, self.t)
        s.end_edge[live] = edge
        s.end_kind[live] = END_STASIS
        s.end_site[live] = self.flights.lumen[edge]
        s.occ_w[live] = self._occlusion_weight(live, edge, np.full(live.size, END_STASIS))
        self._finish(live)

    # ------------------------------------------------------------------ positions
    @property
    def n_in_flight(self) -> int:
        return self._n_alive

    def positions(
        self, t: float | None = None, slots: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Edge and distance from its ``edge_from`` end (m) of packets in flight at ``t``.

        ``slots`` (slots in flight) picks some packets; default all, in the order of
        ``np.flatnonzero(self.slots.alive)``. Reading positions changes nothing.

        Returns
        -------
        edge : ndarray of int (P,)
        pos : ndarray (P,)
        """
        live = np.flatnonzero(self.slots.alive) if slots is None else slots
        return self._positions_of(live, self.t if t is None else t)

    def _positions_of(self, live: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        if live.size == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        h = self.hops.under_way(self.slots.hop_off[live], self.slots.n_hop[live], t)
        e = self.hops.edge[h]
        return e, self.flights.position(e, self.hops.t[h], self.hops.fwd[h], t)

    # ------------------------------------------------------------------ pool
    def _free_slots(self, n: int) -> np.ndarray:
        """``n`` reusable slots; grows the pool if needed.

        A finished packet's slot is *held* until the engine itself needs slots again, whatever
        reads the tallies in between (a window, a test): slot reuse, and therefore the whole
        simulation, never depends on who looked at it.
        """
        s = self.slots
        free = np.flatnonzero(~s.alive & ~s.held)
        if free.size < n and s.held.any():
            self._flush()
            s.held[~s.alive] = False
            free = np.flatnonzero(~s.alive)
        if free.size < n:
            old = s.size
            self.slots = s.grown(max(n - free.size, old, 1024))
            free = np.concatenate([free, np.arange(old, self.slots.size)])
        return free[:n]

    def _store(self, idx: np.ndarray, plan: FlightPlan, in_place: bool) -> None:
        """Write flight plans into slots ``idx`` (their packets already written)."""
        self.slots.occ_w[idx] = self._occlusion_weight(idx, plan.end_edge, plan.end_kind)
        self._n_alive += store_plan(self.slots, self.hops, idx, plan, in_place)
        self.plan_version += 1

    def _occlusion_weight(self, idx, end_edge, end_kind) -> np.ndarray:
        s = self.slots
        return self.flights.occlusion_weight(
            s.count[idx], s.diam[idx], s.agent[idx], end_edge, end_kind
        )

    def _finish(self, i: np.ndarray) -> None:
        """End flights ``i``: their occlusion now, everything else when tallies are read."""
        s = self.slots
        self.occ_inc += np.bincount(
            np.maximum(s.end_edge[i], 0), weights=s.occ_w[i], minlength=self.c.n_edges
        )
        s.pending[i] = True
        s.held[i] = True
        s.t_end[i] = np.inf
        self._n_alive -= i.size

    # ------------------------------------------------------------------ tallies
    def _flush(self) -> None:
        """Fold finished flights into the stored tallies — only where the engine itself decides
        (when it needs slots), so the floating-point sums never depend on who read them."""
        if not self.slots.pending.any():
            return
        self.stored.add(pending(self.slots, self.flights))
        self.slots.pending[:] = False

    def tallies(self) -> Tallies:
        """Current tallies (stored + pending), as copies, without changing any state."""
        if not self.slots.pending.any():
            return self.stored.copy()
        return self.stored.plus(pending(self.slots, self.flights))

    def in_flight_count(self) -> np.ndarray:
        """Spheres in flight by agent, (A,)."""
        s = self.slots
        return np.bincount(s.agent, weights=s.count * s.alive, minlength=len(AGENT_IDS))

    # ------------------------------------------------------------------ state
    def snapshot(self) -> Snapshot:
        """A copy of the state (pool, hops, tallies, clock, generator; not the flow field)."""
        return Snapshot(
            slots=self.slots.copy(),
            hops=self.hops.copy(),
            stored=self.stored.copy(),
            occ_inc=self.occ_inc.copy(),
            delivered_count=self.delivered_count.copy(),
            delivered_activity=self.delivered_activity.copy(),
            t=self.t,
            rng_state=self.rng.bit_generator.state,
            replan_cursor=self._replan_cursor,
            replan_steps_left=self._replan_steps_left,
        )

    def restore(self, snap: Snapshot) -> None:
        """Restore a :meth:`snapshot` (the snapshot stays reusable)."""
        self.slots = snap.slots.copy()
        self.hops = snap.hops.copy()
        self.stored = snap.stored.copy()
        self.occ_inc = snap.occ_inc.copy()
        self.delivered_count = snap.delivered_count.copy()
        self.delivered_activity = snap.delivered_activity.copy()
        self.t = float(snap.t)
        self.rng.bit_generator.state = snap.rng_state
        self._replan_cursor = snap.replan_cursor
        self._replan_steps_left = snap.replan_steps_left
        self._n_alive = int(np.isfinite(self.slots.t_end).sum())
