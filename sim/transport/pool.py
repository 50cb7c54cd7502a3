"""The packet pool: per-packet slots (struct of arrays) and the store of their planned hops.

A finished packet's slot is reused by a new one once its deposit has been tallied, so nothing is
copied as packets come and go. The hops of every flight plan live in one growing store; a
packet's plan is the run ``hop_off .. hop_off + n_hop`` of it. A re-plan no longer than the old
plan is written over it; a longer one is appended, and the store drops finished flights' hops
(or doubles) when it is full.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from sim.transport.flight import FlightPlan


def _empty(dtype):
    """Dataclass field defaulting to an empty array of ``dtype`` (a new one per instance)."""
    return field(default_factory=lambda: np.zeros(0, dtype))


@dataclass
class Slots:
    """Per-slot arrays of the pool, all (S,).

    Attributes
    ----------
    diam, agent, count, activity, drug : ndarray
        Diameter (m), agent index, spheres represented, activity (Bq), drug (mg).
    t_end, end_kind, end_edge, end_site, occ_w : ndarray
        When (s) and how (``END_*``) the flight ends, at which edge, the lodging calibre (m) and
        the occlusion it will add there. ``t_end`` is inf for a slot not in flight.
    hop_off, n_hop : ndarray of int
        The flight's hops in the :class:`Hops` store.
    pending : ndarray of bool
        Finished but not yet added to the stored deposit tallies.
    held : ndarray of bool
        Finished and not yet free for reuse (see :meth:`Transport._free_slots`).
    stale : ndarray of bool
        In flight on a plan made for an older flow field, waiting to be re-planned.
    """

    diam: np.ndarray = _empty(float)
    agent: np.ndarray = _empty(np.int64)
    count: np.ndarray = _empty(float)
    activity: np.ndarray = _empty(float)
    drug: np.ndarray = _empty(float)
    t_end: np.ndarray = _empty(float)
    end_kind: np.ndarray = _empty(np.int64)
    end_edge: np.ndarray = _empty(np.int64)
    end_site: np.ndarray = _empty(float)
    occ_w: np.ndarray = _empty(float)
    hop_off: np.ndarray = _empty(np.int64)
    n_hop: np.ndarray = _empty(np.int64)
    pending: np.ndarray = _empty(bool)
    held: np.ndarray = _empty(bool)
    stale: np.ndarray = _empty(bool)

    @property
    def alive(self) -> np.ndarray:
        """Slots in flight (finite ``t_end``), (S,)."""
        return np.isfinite(self.t_end)

    @property
    def size(self) -> int:
        return self.t_end.size

    def grown(self, n: int) -> Slots:
        """The pool with ``n`` free slots added at the end."""

        def more(name: str, a: np.ndarray) -> np.ndarray:
            extra = np.full(n, np.inf) if name == "t_end" else np.zeros(n, a.dtype)
            return np.concatenate([a, extra])

        return replace(self, **{f.name: more(f.name, getattr(self, f.name)) for f in fields(self)})

    def copy(self) -> Slots:
        return replace(self, **{f.name: getattr(self, f.name).copy() for f in fields(self)})


@dataclass
class Hops:
    """The hop store: every planned hop, ``used`` of them valid (the arrays have spare room).

    Attributes
    ----------
    edge, t, fwd : ndarray (H,)
        Edge of each hop, when the packet enters it (s), and whether it travels from the
        edge's ``edge_from`` end.
    used : int
        Length in use.
    """

    edge: np.ndarray = _empty(np.int64)
    t: np.ndarray = _empty(float)
    fwd: np.ndarray = _empty(bool)
    used: int = 0

    def copy(self) -> Hops:
        return Hops(self.edge.copy(), self.t.copy(), self.fwd.copy(), self.used)

    def append(self, slots: Slots, edge: np.ndarray, t: np.ndarray, fwd: np.ndarray) -> int:
        """Append hops; returns their start. When the store is full it drops the finished
        flights' hops (if that frees half of it) or doubles — both rare, amortized."""
        k = edge.size
        if self.used + k > self.edge.size:
            live_hops = int(slots.n_hop[slots.alive].sum())
            if live_hops + k > self.edge.size // 2:
                cap = max(2 * self.edge.size, 2 * (live_hops + k), 65536)
                self.edge = _grow(self.edge, cap, self.used)
                self.t = _grow(self.t, cap, self.used)
                self.fwd = _grow(self.fwd, cap, self.used)
            self._compact(slots)
        n = self.used
        self.edge[n : n + k] = edge
        self.t[n : n + k] = t
        self.fwd[n : n + k] = fwd
        self.used = n + k
        return n

    def _compact(self, slots: Slots) -> None:
        """Move the hops of the flights in progress to the front, in slot order."""
        live = np.flatnonzero(slots.alive)
        n = slots.n_hop[live]
        idx = ranges(slots.hop_off[live], n)
        for arr in (self.edge, self.t, self.fwd):
            arr[: idx.size] = arr[idx]
        self.used = idx.size
        slots.hop_off[live] = np.cumsum(n) - n

    def under_way(self, off: np.ndarray, n_hop: np.ndarray, t: float) -> np.ndarray:
        """Index of each flight's hop under way at ``t``: the last one entered by then (hop
        times rise along a flight), by bisection in each flight's own hops."""
        lo = np.zeros(off.size, np.int64)
        hi = np.maximum(n_hop - 1, 0)
        active = lo < hi
        while active.any():
            mid = (lo + hi + 1) >> 1
            ok = self.t[off + mid] <= t
            lo = np.where(active & ok, mid, lo)
            hi = np.where(active & ~ok, mid - 1, hi)
            active = lo < hi
        return off + lo


def store_plan(slots: Slots, hops: Hops, idx: np.ndarray, plan: FlightPlan, in_place: bool) -> int:
    """Write flight ``plan`` (one per slot of ``idx``) into the pool; returns how many of the
    slots were not in flight before. With ``in_place`` (a re-plan) a plan that is no longer
    than the slot's old one is written over it."""
    nh = plan.n_hop
    fits = nh <= slots.n_hop[idx] if in_place else np.zeros(idx.size, bool)
    off = np.empty(idx.size, np.int64)
    rest = np.flatnonzero(~fits)
    if rest.size:  # appended first: appending may compact the store and move old plans
        if rest.size == idx.size:
            src = slice(None)
        else:
            src = ranges(np.cumsum(nh)[rest] - nh[rest], nh[rest])
        start = hops.append(slots, plan.hop_edge[src], plan.hop_t[src], plan.hop_fwd[src])
        off[rest] = start + np.cumsum(nh[rest]) - nh[rest]
    if fits.any():
        f = np.flatnonzero(fits)
        src = ranges(np.cumsum(nh)[f] - nh[f], nh[f])
        off[f] = slots.hop_off[idx[f]]
        dst = ranges(off[f], nh[f])
        hops.edge[dst] = plan.hop_edge[src]
        hops.t[dst] = plan.hop_t[src]
        hops.fwd[dst] = plan.hop_fwd[src]
    slots.hop_off[idx] = off
    slots.n_hop[idx] = nh
    was_alive = np.isfinite(slots.t_end[idx])
    slots.t_end[idx] = plan.t_end
    slots.end_kind[idx] = plan.end_kind
    slots.end_edge[idx] = plan.end_edge
    slots.end_site[idx] = plan.end_site
    slots.pending[idx] = False
    slots.held[idx] = False
    slots.stale[idx] = False
    return int((~was_alive).sum())


def ranges(start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + n)`` for each (s, n) pair, vectorized."""
    return (
        np.repeat(start, length)
        + np.arange(int(length.sum()))
        - np.repeat(np.cumsum(length) - length, length)
    )


def _grow(a: np.ndarray, cap: int, used: int) -> np.ndarray:
    grown = np.zeros(cap, a.dtype)
    grown[:used] = a[:used]
    return grown
