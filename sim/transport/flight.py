"""Flight plans on a frozen flow field, and where and how a packet lodges.

A packet moves along edges at the local mean velocity Q/A (backwards where the flow is
retrograde). At a node it picks an exit with probability ∝ the flow leaving through it. A packet
lodges

- in a vessel whose lumen is narrower than it is (one sphere plugs a vessel of its calibre:
  median one sphere per occluded vessel, Laurent 2004, PubMed 15126660);
- in a terminal bed (the arteriolar tree below the drawn one, :mod:`sim.flow.micro`), at the
  generation of its calibre ladder that its diameter matches — unless it is small enough to
  pass an arteriovenous shunt, with the bed's shunt probability, and goes to the lungs;
- where the flow has stopped (stasis), or back in the aorta (systemic non-target).

Between two flow solves the flow is frozen, so a packet's whole journey is known the moment it
starts: its *flight plan* (the edges it will cross, when it enters each, and where and when it
ends). Lodged volume occludes: vessel occlusion += spheres / spheres-to-plug; bed occlusion +=
sphere volume × potency / bed embolic capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents import AGENTS, sphere_volume_m3
from sim.flow.compile import Compiled
from sim.flow.micro import Microvasculature
from sim.transport.routing import Incidence, Routing, choose

# Agents that transport carries as packets (a dissolved radiopharmaceutical is not one).
AGENT_IDS: tuple[str, ...] = tuple(a for a, spec in AGENTS.items() if spec.embolic)
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

# How a flight ends.
END_VESSEL, END_BED, END_LUNG, END_AORTA, END_STASIS = 0, 1, 2, 3, 4


@dataclass
class FlightPlan:
    """Planned flights of P packets.

    Attributes
    ----------
    hop_edge, hop_t, hop_fwd : ndarray (H,)
        Every hop, packet-major: the edge, when the packet enters it (s) and whether it travels
        from the edge's ``edge_from`` end.
    n_hop : ndarray of int (P,)
        Hops of each packet.
    t_end, end_kind, end_edge, end_site : ndarray (P,)
        When (s) and how (``END_*``) each flight ends, at which edge (−1: none), and the calibre
        (m) it lodges at.
    """

    hop_edge: np.ndarray
    hop_t: np.ndarray
    hop_fwd: np.ndarray
    n_hop: np.ndarray
    t_end: np.ndarray
    end_kind: np.ndarray
    end_edge: np.ndarray
    end_site: np.ndarray


@dataclass
class _Ends:
    """Flight ends filled in while planning (start: stasis, not yet ended)."""

    t_end: np.ndarray
    kind: np.ndarray
    edge: np.ndarray
    site: np.ndarray

    @classmethod
    def open(cls, n: int) -> _Ends:
        return cls(
            np.full(n, np.inf),
            np.full(n, END_STASIS, np.int64),
            np.full(n, -1, np.int64),
            np.zeros(n),
        )

    def set(self, r: np.ndarray, kind, t: np.ndarray, edge: np.ndarray) -> None:
        self.kind[r], self.t_end[r], self.edge[r] = kind, t, edge


class FlightPlanner:
    """The lodging rules of one anatomy and the flow field packets currently fly on.

    Attributes
    ----------
    c : Compiled
        The compiled anatomy.
    lumen : ndarray (E,)
        Lumen diameter of each edge, m: a packet at least this wide lodges there.
    capacity : ndarray (E,)
        Embolic capacity of each bed edge, m³ (0 for vessels).
    potency : ndarray (A,)
        Occlusion potency of each agent.
    velocity, speed : ndarray (E,)
        Signed and absolute mean velocity of the current flow field, m/s (0 in beds).
    routing : Routing or None
        Exit tables of the current flow field (None before the first one).
    micro : Microvasculature
        The calibre ladders of the beds: where in a bed a sphere lodges.
    """

    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.inc = Incidence(c.n_nodes, c.edge_from, c.edge_to)
        self.lumen = 2.0 * c.radius
        cap = np.zeros(c.n_edges)
        cap[c.bed_edge] = BED_CAPACITY_M3_PER_ML_MIN * np.maximum(c.bed_flow0_ml_min, 1e-3)
        self.capacity = cap
        self.potency = np.array([AGENTS[a].occlusion_potency for a in AGENT_IDS])
        self.velocity = np.zeros(c.n_edges)
        self.speed = np.zeros(c.n_edges)
        self.routing: Routing | None = None
        self.micro = Microvasculature(c)

    def set_flow(self, flow: np.ndarray, area: np.ndarray) -> None:
        """Take a new flow field: edge flows (m³/s) and open lumen areas (m²)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(area > 0, flow / np.where(area > 0, area, 1.0), 0.0)
        v[self.c.is_bed] = 0.0
        self.velocity = v
        self.speed = np.abs(v)
        self.routing = self.inc.routing(flow, self.c.root)

    # ------------------------------------------------------------------ planning
    def plan(self, node, t0, diam, came, rng: np.random.Generator, first=None) -> FlightPlan:
        """Plan flights of packets standing at ``node`` at times ``t0`` (s).

        ``diam`` is each packet's diameter (m), ``came`` the edge it arrived by (−1: none).
        ``first`` optionally gives a hop already under way for each packet: (edge, t_enter,
        forward, t_arrive, mask); the masked packets start at the far node at ``t_arrive``.
        """
        c = self.c
        n = node.size
        t = t0.astype(float).copy()
        node = node.copy()
        came = came.copy()
        ends = _Ends.open(n)
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
            todo, ex, fw = self._next_hop(todo, node, t, came, diam, ends, rng)
            hp.append(todo)
            he.append(ex)
            ht.append(t[todo].copy())
            hf.append(fw)
            t[todo] += c.length[ex] / self.speed[ex]
            node[todo] = np.where(fw, c.edge_to[ex], c.edge_from[ex])
            came[todo] = ex
        if todo.size:  # pathological loops: stop them where they are
            ends.set(todo, END_STASIS, t[todo], came[todo])
            ends.site[todo] = self.lumen[np.maximum(came[todo], 0)]
        pid = np.concatenate(hp) if hp else np.zeros(0, np.int64)
        order = np.argsort(pid, kind="stable")
        return FlightPlan(
            hop_edge=np.concatenate(he)[order] if hp else np.zeros(0, np.int64),
            hop_t=np.concatenate(ht)[order] if hp else np.zeros(0),
            hop_fwd=np.concatenate(hf)[order] if hp else np.zeros(0, bool),
            n_hop=np.bincount(pid, minlength=n),
            t_end=ends.t_end,
            end_kind=ends.kind,
            end_edge=ends.edge,
            end_site=ends.site,
        )

    def _next_hop(self, todo, node, t, came, diam, ends: _Ends, rng):
        """End the flights in ``todo`` that end at their node; the exit the others take.

        Returns the packets still flying with their exit edge and direction.
        """
        c = self.c
        nd = node[todo]
        root = nd == c.root
        if root.any():
            r = todo[root]
            ends.set(r, END_AORTA, t[r], came[r])
            todo, nd = todo[~root], nd[~root]
        ex, fw, ok = choose(self.routing, nd, rng.random(todo.size))
        stop = ~ok
        if not stop.all():
            stop[ok] = self.speed[ex[ok]] < STASIS_VELOCITY_M_S
            stop[ok] &= ~c.is_bed[ex[ok]]
        if stop.any():  # nowhere to go: stasis where it came from (or on the way in)
            r = todo[stop]
            back = np.where(came[r] >= 0, came[r], c.parent_edge[nd[stop]])
            where = np.where(ok[stop], ex[stop], back)
            ends.set(r, END_STASIS, t[r], where)
            ends.site[r] = self.lumen[np.maximum(where, 0)]
            todo, ex, fw = todo[~stop], ex[~stop], fw[~stop]
        bed = c.is_bed[ex]
        if bed.any():
            r, eb = todo[bed], ex[bed]
            small = np.clip(
                (SHUNT_NONE_ABOVE_M - diam[r]) / (SHUNT_NONE_ABOVE_M - SHUNT_FULL_BELOW_M),
                0.0,
                1.0,
            )
            lung = rng.random(r.size) < c.bed_shunt[c.edge_bed[eb]] * small
            ends.set(r, np.where(lung, END_LUNG, END_BED), t[r], eb)
            ends.site[r] = diam[r]  # snapped to the bed's ladder in the tallies
            todo, ex, fw = todo[~bed], ex[~bed], fw[~bed]
        narrow = diam[todo] >= self.lumen[ex]
        if narrow.any():
            r, en = todo[narrow], ex[narrow]
            ends.set(r, END_VESSEL, t[r], en)
            ends.site[r] = self.lumen[en]
            todo, ex, fw = todo[~narrow], ex[~narrow], fw[~narrow]
        return todo, ex, fw

    def replan(self, edge, pos, diam, t: float, rng: np.random.Generator) -> FlightPlan:
        """Plans for packets at ``pos`` (m from ``edge_from``) on ``edge`` at time ``t`` (s),
        under the current velocities; a packet in stagnant flow lodges where it is."""
        c = self.c
        v = self.velocity[edge]
        sp = np.abs(v)
        moving = sp >= STASIS_VELOCITY_M_S
        fwd = v > 0
        length = c.length[edge]
        with np.errstate(divide="ignore", invalid="ignore"):
            t_in = t - np.where(fwd, pos, length - pos) / np.where(moving, sp, 1.0)
            t_arr = t + np.where(fwd, length - pos, pos) / np.where(moving, sp, 1.0)
        node = np.where(fwd, c.edge_to[edge], c.edge_from[edge])
        plan = self.plan(
            node, np.full(edge.size, t), diam, edge, rng, first=(edge, t_in, fwd, t_arr, moving)
        )
        stuck = np.flatnonzero(~moving)
        plan.t_end[stuck] = t
        plan.end_kind[stuck] = END_STASIS
        plan.end_edge[stuck] = edge[stuck]
        plan.end_site[stuck] = self.lumen[edge[stuck]]
        return plan

    # ------------------------------------------------------------------ lodging
    def occlusion_weight(self, count, diam, agent, end_edge, end_kind) -> np.ndarray:
        """Occlusion each packet of ``count`` spheres of ``diam`` (m) adds where its flight
        ends (0 for lungs and aorta)."""
        e = np.maximum(end_edge, 0)
        vol = count * sphere_volume_m3(diam)
        pot = self.potency[agent]
        is_bed = self.c.is_bed[e]
        w = np.where(
            is_bed,
            vol * pot / np.where(is_bed, self.capacity[e], 1.0),
            count * pot / SPHERES_TO_PLUG_VESSEL,
        )
        return np.where((end_kind == END_LUNG) | (end_kind == END_AORTA) | (end_edge < 0), 0.0, w)

    def position(self, edge, t_enter, forward, t: float) -> np.ndarray:
        """Distance (m) from ``edge_from`` at time ``t`` of packets that entered ``edge`` at
        ``t_enter`` travelling ``forward`` (clamped to the edge)."""
        length = self.c.length[edge]
        travelled = np.minimum(self.speed[edge] * np.maximum(t - t_enter, 0.0), length)
        return np.where(forward, travelled, length - travelled)
