"""Particle packets: flight plans on the frozen flow, lodging, lung shunting, occlusion.

A packet stands for ``count`` spheres (or droplets) of one agent and one diameter. Packets move
along edges at the local mean velocity Q/A (backwards where the flow is retrograde). At a node
each picks an exit with probability ∝ the flow leaving through it. A packet lodges

- in a vessel whose lumen is narrower than it is (one sphere plugs a vessel of its calibre:
  median one sphere per occluded vessel, Laurent 2004, PubMed 15126660);
- in a terminal bed (the lumped arteriolar bed) — unless it is small enough to pass an
  arteriovenous shunt, with the bed's shunt probability, and goes to the lungs;
- where the flow has stopped (stasis), or back in the aorta (systemic non-target).

Between two flow solves the flow is frozen, so a packet's whole journey is known the moment it
starts: its *flight plan* (the edges it will cross, when it enters each, and where and when it
ends). A step then only settles the packets whose journey ends within it — one comparison per
packet, however many nodes they cross. When the flow is re-solved, every packet in flight is
re-planned from where it is, spread over the next :data:`REPLAN_SPREAD_STEPS` steps in a fixed
round-robin order (so a window never stalls on one 40,000-packet re-plan; a packet meets a new
flow field at most 0.4 s late, and the order depends on nothing but the simulation).
Positions for drawing are recovered from the plan at any time.

Packets live in a pool of slots (struct of arrays); a finished packet's slot is reused by a new
one once its deposit has been tallied, so nothing is copied as packets come and go.

Lodged volume occludes: vessel occlusion += spheres / spheres-to-plug; bed occlusion += sphere
volume × potency / bed embolic capacity. The flow model reads the increments back.
"""

from __future__ import annotations

import numpy as np

from sim.agents import AGENTS, sphere_volume_m3
from sim.flow.compile import Compiled
from sim.transport.routing import Incidence, Routing, choose

AGENT_IDS: tuple[str, ...] = tuple(AGENTS)
SPHERES_TO_PLUG_VESSEL = 1.0  # median spheres per occluded vessel = 1 (PubMed 15126660, R)
# Embolic capacity of a bed: sphere volume that fully occludes it, per mL/min of its baseline
# flow. 6 µL per mL/min is chosen so a segment with a tumour reaches stasis after ~4 mL of
# bland suspension (U, playability).
BED_CAPACITY_M3_PER_ML_MIN = 6e-9
# Small particles pass AV shunts: fully below 60 µm, not at all above 100 µm (U; Y-90 spheres
# of 20–60 µm and MAA define the measured lung shunt fraction, reference §2.4).
SHUNT_FULL_BELOW_M = 60e-6
SHUNT_NONE_ABOVE_M = 100e-6
STASIS_VELOCITY_M_S = 1e-4  # a packet in slower flow than this lodges where it is (U)
MAX_HOPS = 256
REPLAN_SPREAD_STEPS = 8  # a flow change reaches every packet in flight within 8 steps (speed, U)

# How a flight ends.
END_VESSEL, END_BED, END_LUNG, END_AORTA, END_STASIS = 0, 1, 2, 3, 4
# Per-slot arrays of the pool.
SLOT_FIELDS = {
    "diam": float,
    "agent": np.int64,
    "count": float,
    "activity": float,
    "drug": float,
    "t_end": float,
    "end_kind": np.int64,
    "end_edge": np.int64,
    "end_site": float,
    "occ_w": float,
    "hop_off": np.int64,
    "n_hop": np.int64,
    "pending": bool,
    "held": bool,
    "stale": bool,
}
DEPOSITS = (
    "dep_count",
    "dep_volume",
    "dep_activity",
    "dep_drug",
    "dep_agent_count",
    "site_diam_sum",
    "site_weight",
)


class Transport:
    """All packets of a procedure and where they ended up.

    Attributes (S pool slots, H planned hops, E edges, A agents)
    ----------
    diam, agent, count, activity, drug : ndarray (S,)
        Diameter (m), agent index, spheres represented, activity (Bq), drug (mg) per slot.
    t_end, end_kind, end_edge, end_site, occ_w : ndarray (S,)
        When and how each flight ends (``END_*``), at which edge, the lodging calibre (m) and the
        occlusion it will add there. ``t_end`` is inf for free slots.
    pending : ndarray of bool (S,)
        Finished but not yet added to the deposit tallies. A slot is in flight (``alive``)
        exactly when its ``t_end`` is finite.
    hop_off, n_hop : ndarray (S,)
        Each packet's hops in the hop store ``hop_edge``, ``hop_t``, ``hop_fwd`` (H,).
    dep_count, dep_volume, dep_activity, dep_drug : ndarray (E,)
        What has lodged at each edge (beds are edges too). ``dep_agent_count`` is (A, E).
    lung_count, lung_activity, out_count, out_activity : ndarray (A,)
        What passed to the lungs / refluxed into the aorta, by agent.
    delivered_count, delivered_activity : ndarray (A,)
        Everything released at the tip, by agent.
    site_diam_sum, site_weight : ndarray (A,)
        Sphere-weighted sum of the calibre where packets lodged (mean lodging calibre).
    """

    def __init__(self, c: Compiled, rng: np.random.Generator) -> None:
        self.c = c
        self.rng = rng
        self.t = 0.0
        self.inc = Incidence(c.n_nodes, c.edge_from, c.edge_to)
        n_a, n_e = len(AGENT_IDS), c.n_edges
        for k, dt in SLOT_FIELDS.items():
            setattr(self, k, np.zeros(0, dt))
        self._n_alive = 0
        self.hop_edge = np.zeros(0, np.int64)
        self.hop_t = np.zeros(0)
        self.hop_fwd = np.zeros(0, bool)
        self._hop_n = 0  # used length of the hop store (its arrays have spare capacity)
        self.plan_version = 0  # bumped whenever any flight plan changes (drawing caches)
        self._dep = {
            "dep_count": np.zeros(n_e),
            "dep_volume": np.zeros(n_e),
            "dep_activity": np.zeros(n_e),
            "dep_drug": np.zeros(n_e),
            "dep_agent_count": np.zeros((n_a, n_e)),
            "site_diam_sum": np.zeros(n_a),
            "site_weight": np.zeros(n_a),
        }
        self._lung_count = np.zeros(n_a)
        self._lung_activity = np.zeros(n_a)
        self._out_count = np.zeros(n_a)
        self._out_activity = np.zeros(n_a)
        self.delivered_count = np.zeros(n_a)
        self.delivered_activity = np.zeros(n_a)
        self.delivered_drug = 0.0
        self.potency = np.array([AGENTS[a].occlusion_potency for a in AGENT_IDS])
        cap = np.zeros(n_e)
        cap[c.bed_edge] = BED_CAPACITY_M3_PER_ML_MIN * np.maximum(c.bed_flow0_ml_min, 1e-3)
        self.capacity = cap
        self.lumen = 2.0 * c.radius
        self.velocity = np.zeros(n_e)
        self.speed = np.zeros(n_e)
        self.routing: Routing | None = None
        self.occ_inc = np.zeros(n_e)
        self._due = np.zeros(0, bool)
        self._replan_cursor = 0
        self._replan_steps_left = 0

    # ------------------------------------------------------------------ flow coupling
    def set_flow(self, flow: np.ndarray, area: np.ndarray) -> None:
        """Take a new flow field (edge flows m³/s, open lumen areas m²); flights in progress are
        re-planned over the next :data:`REPLAN_SPREAD_STEPS` steps (see :meth:`step`)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(area > 0, flow / np.where(area > 0, area, 1.0), 0.0)
        v[self.c.is_bed] = 0.0
        self.velocity = v
        self.speed = np.abs(v)
        self.routing = self.inc.routing(flow, self.c.root)
        if self._n_alive:
            self.stale |= self.alive
            self._replan_steps_left = REPLAN_SPREAD_STEPS

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
        new = {
            "diam": diam.astype(float),
            "agent": np.full(n, a, np.int64),
            "count": np.broadcast_to(np.asarray(count, float), (n,)).copy(),
            "activity": np.broadcast_to(np.asarray(activity, float), (n,)).copy(),
            "drug": np.broadcast_to(np.asarray(drug, float), (n,)).copy(),
        }
        self.delivered_count[a] += new["count"].sum()
        self.delivered_activity[a] += new["activity"].sum()
        self.delivered_drug += new["drug"].sum()
        start = np.full(n, self.t) if t0 is None else np.asarray(t0, float)
        plan = self._plan(np.full(n, node, np.int64), start, new["diam"], np.full(n, -1, np.int64))
        self._store(self._free_slots(n), new, plan)
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
        self.stale &= self.alive
        stale = np.flatnonzero(self.stale)
        if stale.size == 0:
            self._replan_steps_left = 0
            return
        n = -(-stale.size // self._replan_steps_left)
        start = int(np.searchsorted(stale, self._replan_cursor))
        take = np.roll(stale, -start)[:n]
        self._replan_cursor = int(take[-1]) + 1
        self._replan_steps_left -= 1
        edge, pos = self._positions_of(take, self.t)
        self._replan(take, edge, pos)

    def settle(self) -> None:
        """Apply the end of every flight due by now: occlusion, lung and aorta at once; the
        per-edge deposit tallies when they are next read."""
        if self._due.size != self.t_end.size:
            self._due = np.zeros(self.t_end.size, bool)
        np.less_equal(self.t_end, self.t, out=self._due)
        i = self._due.nonzero()[0]
        if i.size:
            self._finish(i)

    def lodge_all(self) -> None:
        """Lodge every packet still in flight where it is now (end of the case)."""
        if not self._n_alive:
            return
        live = np.flatnonzero(self.alive)
        edge, _ = self._positions_of(live, self.t)
        self.end_edge[live] = edge
        self.end_kind[live] = END_STASIS
        self.end_site[live] = self.lumen[edge]
        self.occ_w[live] = self._occ_weight(live, edge, np.full(live.size, END_STASIS))
        self._finish(live)

    def take_occlusion(self) -> np.ndarray:
        """Occlusion added since the last call, per edge (E,); resets the accumulator."""
        out, self.occ_inc = self.occ_inc, np.zeros(self.c.n_edges)
        return out

    # ------------------------------------------------------------------ positions
    @property
    def alive(self) -> np.ndarray:
        """Slots in flight (finite ``t_end``), (S,)."""
        return np.isfinite(self.t_end)

    @property
    def n_in_flight(self) -> int:
        return self._n_alive

    def positions(
        self, t: float | None = None, slots: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Edge and distance from its ``edge_from`` end (m) of packets in flight at ``t``.

        ``slots`` (slots in flight) picks some packets; default all, in the order of
        ``np.flatnonzero(alive)``. Reading positions changes nothing.

        Returns
        -------
        edge : ndarray of int (P,)
        pos : ndarray (P,)
        """
        live = np.flatnonzero(self.alive) if slots is None else slots
        return self._positions_of(live, self.t if t is None else t)

    def _positions_of(self, live: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        if live.size == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        off, n_hop = self.hop_off[live], self.n_hop[live]
        # the hop under way: the last one entered by ``t`` (hop times rise along a flight), found
        # by bisection in each packet's own hops
        lo = np.zeros(live.size, np.int64)
        hi = np.maximum(n_hop - 1, 0)
        active = lo < hi
        while active.any():
            mid = (lo + hi + 1) >> 1
            ok = self.hop_t[off + mid] <= t
            lo = np.where(active & ok, mid, lo)
            hi = np.where(active & ~ok, mid - 1, hi)
            active = lo < hi
        h = off + lo
        e = self.hop_edge[h]
        travelled = np.minimum(self.speed[e] * np.maximum(t - self.hop_t[h], 0.0), self.c.length[e])
        pos = np.where(self.hop_fwd[h], travelled, self.c.length[e] - travelled)
        return e, pos

    @property
    def edge(self) -> np.ndarray:
        """Current edge of each packet in flight (for drawing)."""
        return self.positions()[0]

    @property
    def pos(self) -> np.ndarray:
        """Current distance along the edge of each packet in flight, m (for drawing)."""
        return self.positions()[1]

    # ------------------------------------------------------------------ planning
    def _plan(self, node, t0, diam, came, first=None) -> dict:
        """Plan flights of packets standing at ``node`` at times ``t0``.

        ``first`` optionally gives a hop already under way for each packet: (edge, t_enter,
        forward, t_arrive); those packets start at the far node at ``t_arrive``.
        Returns hop arrays (packet-major) and the end of each flight.
        """
        c = self.c
        n = node.size
        t = t0.astype(float).copy()
        node = node.copy()
        came = came.copy()
        t_end = np.full(n, np.inf)
        end_kind = np.full(n, END_STASIS, np.int64)
        end_edge = np.full(n, -1, np.int64)
        end_site = np.zeros(n)
        hp, he, ht, hf = [], [], [], []
        todo = np.arange(n)
        if first is not None:
            fe, ft, ff, fa, fmask = first
            sel = np.flatnonzero(fmask)
            hp.append(sel)
            he.append(fe[sel])
            ht.append(ft[sel])
            hf.append(ff[sel])
            t[sel] = fa[sel]
            came[sel] = fe[sel]
        for _ in range(MAX_HOPS):
            if todo.size == 0:
                break
            nd = node[todo]
            root = nd == c.root
            if root.any():
                r = todo[root]
                end_kind[r], t_end[r], end_edge[r] = END_AORTA, t[r], came[r]
                todo, nd = todo[~root], nd[~root]
            ex, fw, ok = choose(self.routing, nd, self.rng.random(todo.size))
            stop = ~ok
            if not stop.all():
                stop[ok] = self.speed[ex[ok]] < STASIS_VELOCITY_M_S
                stop[ok] &= ~c.is_bed[ex[ok]]
            if stop.any():  # nowhere to go: stasis where it came from (or on the way in)
                r = todo[stop]
                back = np.where(came[r] >= 0, came[r], c.parent_edge[nd[stop]])
                where = np.where(ok[stop], ex[stop], back)
                end_kind[r], t_end[r], end_edge[r] = END_STASIS, t[r], where
                end_site[r] = self.lumen[np.maximum(where, 0)]
                todo, ex, fw = todo[~stop], ex[~stop], fw[~stop]
            bed = c.is_bed[ex]
            if bed.any():
                r, eb = todo[bed], ex[bed]
                small = np.clip(
                    (SHUNT_NONE_ABOVE_M - diam[r]) / (SHUNT_NONE_ABOVE_M - SHUNT_FULL_BELOW_M),
                    0.0,
                    1.0,
                )
                lung = self.rng.random(r.size) < c.bed_shunt[c.edge_bed[eb]] * small
                end_kind[r] = np.where(lung, END_LUNG, END_BED)
                t_end[r], end_edge[r] = t[r], eb
                end_site[r] = diam[r]  # inside the bed a sphere lodges at its own calibre
                todo, ex, fw = todo[~bed], ex[~bed], fw[~bed]
            narrow = diam[todo] >= self.lumen[ex]
            if narrow.any():
                r, en = todo[narrow], ex[narrow]
                end_kind[r], t_end[r], end_edge[r] = END_VESSEL, t[r], en
                end_site[r] = self.lumen[en]
                todo, ex, fw = todo[~narrow], ex[~narrow], fw[~narrow]
            hp.append(todo)
            he.append(ex)
            ht.append(t[todo].copy())
            hf.append(fw)
            t[todo] += c.length[ex] / self.speed[ex]
            node[todo] = np.where(fw, c.edge_to[ex], c.edge_from[ex])
            came[todo] = ex
        if todo.size:  # pathological loops: stop them where they are
            end_kind[todo], t_end[todo], end_edge[todo] = END_STASIS, t[todo], came[todo]
            end_site[todo] = self.lumen[np.maximum(came[todo], 0)]
        pid = np.concatenate(hp) if hp else np.zeros(0, np.int64)
        order = np.argsort(pid, kind="stable")
        n_hop = np.bincount(pid, minlength=n)
        return {
            "hop_edge": np.concatenate(he)[order] if hp else np.zeros(0, np.int64),
            "hop_t": np.concatenate(ht)[order] if hp else np.zeros(0),
            "hop_fwd": np.concatenate(hf)[order] if hp else np.zeros(0, bool),
            "n_hop": n_hop,
            "t_end": t_end,
            "end_kind": end_kind,
            "end_edge": end_edge,
            "end_site": end_site,
        }

    def _replan(self, live: np.ndarray, edge: np.ndarray, pos: np.ndarray) -> None:
        """Re-plan every flight in ``live`` from where it is, under the new velocities."""
        c = self.c
        v = self.velocity[edge]
        sp = np.abs(v)
        moving = sp >= STASIS_VELOCITY_M_S
        fwd = v > 0
        length = c.length[edge]
        with np.errstate(divide="ignore", invalid="ignore"):
            t_in = self.t - np.where(fwd, pos, length - pos) / np.where(moving, sp, 1.0)
            t_arr = self.t + np.where(fwd, length - pos, pos) / np.where(moving, sp, 1.0)
        node = np.where(fwd, c.edge_to[edge], c.edge_from[edge])
        plan = self._plan(
            node,
            np.full(edge.size, self.t),
            self.diam[live],
            edge,
            first=(edge, t_in, fwd, t_arr, moving),
        )
        stuck = np.flatnonzero(~moving)
        plan["t_end"][stuck] = self.t
        plan["end_kind"][stuck] = END_STASIS
        plan["end_edge"][stuck] = edge[stuck]
        plan["end_site"][stuck] = self.lumen[edge[stuck]]
        self._store(live, None, plan)  # old hops are left behind until the store compacts
        self.settle()

    # ------------------------------------------------------------------ pool
    def _free_slots(self, n: int) -> np.ndarray:
        """``n`` reusable slots; grows the pool if needed.

        A finished packet's slot is *held* until the engine itself needs slots again, whatever
        reads the tallies in between (a window, a test): slot reuse, and therefore the whole
        simulation, never depends on who looked at it.
        """
        free = np.flatnonzero(~self.alive & ~self.held)
        if free.size < n and self.held.any():
            self._flush()
            self.held[~self.alive] = False
            free = np.flatnonzero(~self.alive)
        if free.size < n:
            old = self.alive.size
            grow = max(n - free.size, old, 1024)
            for k, dt in SLOT_FIELDS.items():
                extra = np.full(grow, np.inf) if k == "t_end" else np.zeros(grow, dt)
                setattr(self, k, np.concatenate([getattr(self, k), extra]))
            free = np.concatenate([free, np.arange(old, old + grow)])
        return free[:n]

    def _store(self, slots: np.ndarray, new: dict | None, plan: dict) -> None:
        """Write packets (``new`` attributes, or keep the slot's) and their plans into ``slots``."""
        if new is not None:
            for k, v in new.items():
                getattr(self, k)[slots] = v
        nh = plan["n_hop"]
        # a re-plan that is no longer than the old plan is written over it, in place
        fits = nh <= self.n_hop[slots] if new is None else np.zeros(slots.size, bool)
        off = np.empty(slots.size, np.int64)
        rest = np.flatnonzero(~fits)
        if rest.size:  # appended first: appending may compact the store and move old plans
            if rest.size == slots.size:
                hops = (plan["hop_edge"], plan["hop_t"], plan["hop_fwd"])
            else:
                src = _ranges(np.cumsum(nh)[rest] - nh[rest], nh[rest])
                hops = (plan["hop_edge"][src], plan["hop_t"][src], plan["hop_fwd"][src])
            off[rest] = self._hop_append(*hops) + np.cumsum(nh[rest]) - nh[rest]
        if fits.any():
            f = np.flatnonzero(fits)
            src = _ranges(np.cumsum(nh)[f] - nh[f], nh[f])
            off[f] = self.hop_off[slots[f]]
            dst = _ranges(off[f], nh[f])
            for k in ("hop_edge", "hop_t", "hop_fwd"):
                getattr(self, k)[dst] = plan[k][src]
        self.hop_off[slots] = off
        self.n_hop[slots] = nh
        self.plan_version += 1
        self.occ_w[slots] = self._occ_weight(slots, plan["end_edge"], plan["end_kind"])
        was_alive = np.isfinite(self.t_end[slots])
        for k in ("t_end", "end_kind", "end_edge", "end_site"):
            getattr(self, k)[slots] = plan[k]
        self._n_alive += int((~was_alive).sum())
        self.pending[slots] = False
        self.held[slots] = False
        self.stale[slots] = False

    def _hop_append(self, edge: np.ndarray, t: np.ndarray, fwd: np.ndarray) -> int:
        """Append hops to the store; returns their start. When the store is full it drops the
        finished flights' hops (if that frees half of it) or doubles — both rare, amortized."""
        k = edge.size
        if self._hop_n + k > self.hop_edge.size:
            live_hops = int(self.n_hop[self.alive].sum())
            if live_hops + k > self.hop_edge.size // 2:
                cap = max(2 * self.hop_edge.size, 2 * (live_hops + k), 65536)
                for name in ("hop_edge", "hop_t", "hop_fwd"):
                    old = getattr(self, name)
                    grown = np.zeros(cap, old.dtype)
                    grown[: self._hop_n] = old[: self._hop_n]
                    setattr(self, name, grown)
            self._compact_hops()
        n = self._hop_n
        self.hop_edge[n : n + k] = edge
        self.hop_t[n : n + k] = t
        self.hop_fwd[n : n + k] = fwd
        self._hop_n = n + k
        return n

    def _occ_weight(self, slots, end_edge, end_kind) -> np.ndarray:
        """Occlusion each packet adds where its flight ends (0 for lungs and aorta)."""
        e = np.maximum(end_edge, 0)
        vol = self.count[slots] * sphere_volume_m3(self.diam[slots])
        pot = self.potency[self.agent[slots]]
        is_bed = self.c.is_bed[e]
        w = np.where(
            is_bed,
            vol * pot / np.where(is_bed, self.capacity[e], 1.0),
            self.count[slots] * pot / SPHERES_TO_PLUG_VESSEL,
        )
        return np.where((end_kind == END_LUNG) | (end_kind == END_AORTA) | (end_edge < 0), 0.0, w)

    def _compact_hops(self) -> None:
        live = np.flatnonzero(self.alive)
        n = self.n_hop[live]
        idx = _ranges(self.hop_off[live], n)
        for name in ("hop_edge", "hop_t", "hop_fwd"):
            arr = getattr(self, name)
            arr[: idx.size] = arr[idx]
        self._hop_n = idx.size
        self.hop_off[live] = np.cumsum(n) - n

    def _finish(self, i: np.ndarray) -> None:
        """End flights ``i``: their occlusion now, everything else when tallies are read."""
        self.occ_inc += np.bincount(
            np.maximum(self.end_edge[i], 0), weights=self.occ_w[i], minlength=self.c.n_edges
        )
        self.pending[i] = True
        self.held[i] = True
        self.t_end[i] = np.inf
        self._n_alive -= i.size

    def _pending_tallies(self) -> dict[str, np.ndarray]:
        """What finished, untallied flights add to each tally (reading it changes nothing)."""
        j = np.flatnonzero(self.pending)
        n_e, n_a = self.c.n_edges, len(AGENT_IDS)
        out: dict[str, np.ndarray] = {}
        kind = self.end_kind[j]
        for k_end, cnt, act in (
            (END_LUNG, "_lung_count", "_lung_activity"),
            (END_AORTA, "_out_count", "_out_activity"),
        ):
            a = j[kind == k_end]
            out[cnt] = np.bincount(self.agent[a], weights=self.count[a], minlength=n_a)
            out[act] = np.bincount(self.agent[a], weights=self.activity[a], minlength=n_a)
        j = j[(kind != END_LUNG) & (kind != END_AORTA) & (self.end_edge[j] >= 0)]
        e, agent, count = self.end_edge[j], self.agent[j], self.count[j]
        out["dep_count"] = np.bincount(e, weights=count, minlength=n_e)
        out["dep_volume"] = np.bincount(
            e, weights=count * sphere_volume_m3(self.diam[j]), minlength=n_e
        )
        out["dep_activity"] = np.bincount(e, weights=self.activity[j], minlength=n_e)
        out["dep_drug"] = np.bincount(e, weights=self.drug[j], minlength=n_e)
        out["dep_agent_count"] = np.bincount(
            agent * n_e + e, weights=count, minlength=n_a * n_e
        ).reshape(n_a, n_e)
        out["site_diam_sum"] = np.bincount(agent, weights=self.end_site[j] * count, minlength=n_a)
        out["site_weight"] = np.bincount(agent, weights=count, minlength=n_a)
        return out

    def _stored(self, name: str) -> np.ndarray:
        return self._dep[name] if name in self._dep else getattr(self, name)

    def _flush(self) -> None:
        """Fold finished flights into the stored tallies — only where the engine itself decides
        (when it needs slots), so the floating-point sums never depend on who read them."""
        if not self.pending.any():
            return
        for name, add in self._pending_tallies().items():
            self._stored(name).__iadd__(add)
        self.pending[:] = False

    def tally(self, name: str) -> np.ndarray:
        """Current value of a tally (stored + pending), without changing any state."""
        if not self.pending.any():
            return self._stored(name).copy()
        return self._stored(name) + self._pending_tallies()[name]

    @property
    def lung_count(self) -> np.ndarray:
        """Spheres that passed to the lungs, by agent (A,)."""
        return self.tally("_lung_count")

    @property
    def lung_activity(self) -> np.ndarray:
        """Activity that passed to the lungs, Bq by agent (A,)."""
        return self.tally("_lung_activity")

    @property
    def out_count(self) -> np.ndarray:
        """Spheres refluxed into the aorta, by agent (A,)."""
        return self.tally("_out_count")

    @property
    def out_activity(self) -> np.ndarray:
        return self.tally("_out_activity")

    # ------------------------------------------------------------------ state
    def snapshot(self) -> dict:
        """A copy of the pool, hop store and clock (for benchmarks and what-ifs)."""
        keys = tuple(SLOT_FIELDS) + ("hop_edge", "hop_t", "hop_fwd")
        snap = {k: np.copy(getattr(self, k)) for k in keys}
        return snap | {
            "t": self.t,
            "rng": self.rng.bit_generator.state,
            "replan": (self._replan_cursor, self._replan_steps_left, self._hop_n),
        }

    def restore(self, snap: dict) -> None:
        """Restore a :meth:`snapshot` (deposit tallies are not part of it)."""
        for k, v in snap.items():
            if k == "rng":
                self.rng.bit_generator.state = v
            elif k == "t":
                self.t = float(v)
            elif k == "replan":
                self._replan_cursor, self._replan_steps_left, self._hop_n = v
            else:
                setattr(self, k, np.copy(v))
        self._n_alive = int(np.isfinite(self.t_end).sum())

    def in_flight_count(self) -> np.ndarray:
        """Spheres in flight by agent, (A,)."""
        return np.bincount(self.agent, weights=self.count * self.alive, minlength=len(AGENT_IDS))

    def in_flight_activity(self) -> np.ndarray:
        return np.bincount(self.agent, weights=self.activity * self.alive, minlength=len(AGENT_IDS))


def _ranges(start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + n)`` for each (s, n) pair, vectorized."""
    return (
        np.repeat(start, length)
        + np.arange(int(length.sum()))
        - np.repeat(np.cumsum(length) - length, length)
    )


def _deposit(name: str) -> property:
    def get(self: Transport) -> np.ndarray:
        return self.tally(name)

    def put(self: Transport, value: np.ndarray) -> None:
        self._dep[name] = value

    return property(
        get,
        put,
        doc=f"Deposit tally ``{name}`` (a copy: finished flights "
        "included, nothing changed by reading it).",
    )


for _name in DEPOSITS:
    setattr(Transport, _name, _deposit(_name))
