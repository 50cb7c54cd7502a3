"""Particle packets: struct-of-arrays advection, branch choice, lodging, lung shunting.

A packet stands for ``count`` spheres (or droplets) of one agent and one diameter. Packets move
along their edge at the local mean velocity Q/A (backwards where the flow is retrograde). At a
node each picks an exit with probability ∝ the flow leaving through it. A packet lodges

- in a vessel whose lumen is narrower than it is (one sphere plugs a vessel of its calibre:
  median one sphere per occluded vessel, Laurent 2004, PubMed 15126660);
- in a terminal bed (the lumped arteriolar bed) — unless it is small enough to pass an
  arteriovenous shunt, with the bed's shunt probability, and goes to the lungs;
- where the flow has stopped (stasis).

Lodged volume occludes: vessel occlusion += spheres / spheres-to-plug; bed occlusion +=
sphere volume × potency / bed embolic capacity. The flow model reads ``occlusion`` back.
"""

from __future__ import annotations

import numpy as np

from sim.agents import AGENTS, sphere_volume_m3
from sim.flow.compile import Compiled
from sim.transport.routing import Incidence, Routing, choose

AGENT_IDS: tuple[str, ...] = tuple(AGENTS)
SPHERES_TO_PLUG_VESSEL = 1.0  # median spheres per occluded vessel = 1 (PubMed 15126660, R)
# Embolic capacity of a bed: packed sphere volume that fully occludes it, per mL/min of its
# baseline flow. 6 µL per mL/min is chosen so a segment with a tumour reaches stasis after
# ~4 mL of bland suspension and whole-liver resin Y-90 rarely does (U, playability).
BED_CAPACITY_M3_PER_ML_MIN = 6e-9
# Small particles pass tumour AV shunts: fully below 60 µm, not at all above 100 µm (U; MAA
# 10–90 µm and Y-90 spheres 20–60 µm define the measured lung shunt fraction, reference §2.4).
SHUNT_FULL_BELOW_M = 60e-6
SHUNT_NONE_ABOVE_M = 100e-6
STASIS_VELOCITY_M_S = 1e-4  # a packet in slower flow than this lodges where it is (U)
MAX_HOPS = 256


class Transport:
    """All packets of a procedure and where they ended up.

    Attributes (P packets in flight, E edges, A agents)
    ----------
    edge, pos, diam, agent, count, activity, drug : ndarray (P,)
        In-flight packets: edge index, distance from the edge's ``edge_from`` end (m),
        diameter (m), agent index, spheres represented, activity (Bq), drug (mg).
    dep_count, dep_volume, dep_activity, dep_drug : ndarray (E,)
        What has lodged at each edge (beds are edges too). ``dep_agent_count`` is (A, E).
    lung_count, lung_activity : ndarray (A,)
        What passed to the lungs, by agent.
    out_count, out_activity : ndarray (A,)
        What refluxed back into the aorta (systemic non-target), by agent.
    delivered_count, delivered_activity : ndarray (A,)
        Everything released at the tip, by agent.
    site_diam_sum, site_weight : ndarray (A,)
        Sphere-weighted sum of the calibre where packets lodged (mean lodging calibre).
    """

    def __init__(self, c: Compiled, rng: np.random.Generator) -> None:
        self.c = c
        self.rng = rng
        self.inc = Incidence(c.n_nodes, c.edge_from, c.edge_to)
        n_a, n_e = len(AGENT_IDS), c.n_edges
        self.edge = np.zeros(0, np.int64)
        self.pos = np.zeros(0)
        self.diam = np.zeros(0)
        self.agent = np.zeros(0, np.int64)
        self.count = np.zeros(0)
        self.activity = np.zeros(0)
        self.drug = np.zeros(0)
        self.dep_count = np.zeros(n_e)
        self.dep_volume = np.zeros(n_e)
        self.dep_activity = np.zeros(n_e)
        self.dep_drug = np.zeros(n_e)
        self.dep_agent_count = np.zeros((n_a, n_e))
        self.lung_count = np.zeros(n_a)
        self.lung_activity = np.zeros(n_a)
        self.out_count = np.zeros(n_a)
        self.out_activity = np.zeros(n_a)
        self.delivered_count = np.zeros(n_a)
        self.delivered_activity = np.zeros(n_a)
        self.delivered_drug = 0.0
        self.site_diam_sum = np.zeros(n_a)
        self.site_weight = np.zeros(n_a)
        self.potency = np.array([AGENTS[a].occlusion_potency for a in AGENT_IDS])
        cap = np.zeros(n_e)
        cap[c.bed_edge] = BED_CAPACITY_M3_PER_ML_MIN * np.maximum(c.bed_flow0_ml_min, 1e-3)
        self.capacity = cap
        self.lumen = 2.0 * c.radius
        self.velocity = np.zeros(n_e)
        self.routing: Routing | None = None
        self.occ_inc = np.zeros(n_e)

    # ------------------------------------------------------------------ flow coupling
    def set_flow(self, flow: np.ndarray, area: np.ndarray) -> None:
        """Take a new flow field: edge flows (m³/s) and open lumen areas (m²), shape (E,)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(area > 0, flow / np.where(area > 0, area, 1.0), 0.0)
        v[self.c.is_bed] = 0.0
        self.velocity = v
        self.routing = self.inc.routing(flow, self.c.root)

    # ------------------------------------------------------------------ release
    def release(
        self, node: int, agent: str, diam: np.ndarray, count: float, activity: float, drug: float
    ) -> None:
        """Release packets of ``diam`` (m) at ``node``, each standing for ``count`` spheres."""
        n = diam.size
        if n == 0:
            return
        a = AGENT_IDS.index(agent)
        self.delivered_count[a] += count * n
        self.delivered_activity[a] += activity * n
        self.delivered_drug += drug * n
        nodes = np.full(n, node, np.int64)
        edge = np.full(n, -1, np.int64)
        pos = np.zeros(n)
        agents = np.full(n, a, np.int64)
        cnt, act, drg = np.full(n, count), np.full(n, activity), np.full(n, drug)
        alive = self._route(nodes, edge, pos, diam, agents, cnt, act, drg, np.zeros(n))
        self._append(
            edge[alive], pos[alive], diam[alive], agents[alive], cnt[alive], act[alive], drg[alive]
        )

    def _append(self, edge, pos, diam, agent, count, activity, drug) -> None:
        self.edge = np.concatenate([self.edge, edge])
        self.pos = np.concatenate([self.pos, pos])
        self.diam = np.concatenate([self.diam, diam])
        self.agent = np.concatenate([self.agent, agent])
        self.count = np.concatenate([self.count, count])
        self.activity = np.concatenate([self.activity, activity])
        self.drug = np.concatenate([self.drug, drug])

    # ------------------------------------------------------------------ step
    def step(self, dt: float) -> None:
        """Advance all packets by ``dt`` seconds (occlusion increments accumulate)."""
        if self.edge.size == 0:
            return
        v = self.velocity[self.edge]
        self.pos += v * dt
        length = self.c.length[self.edge]
        fwd = self.pos >= length
        moved = fwd | (self.pos < 0.0)
        stuck = ~moved & (np.abs(v) < STASIS_VELOCITY_M_S)
        if not (moved.any() or stuck.any()):
            return
        keep = np.ones(self.edge.size, bool)
        s = np.flatnonzero(stuck)
        if s.size:  # stasis: lodge where they are
            self._lodge(
                self.edge[s],
                self.diam[s],
                self.agent[s],
                self.count[s],
                self.activity[s],
                self.drug[s],
                self.lumen[self.edge[s]],
            )
            keep[s] = False
        idx = np.flatnonzero(moved)
        if idx.size:
            e, p, ve, f = self.edge[idx], self.pos[idx], v[idx], fwd[idx]
            t_rem = np.where(f, (p - length[idx]) / ve, p / ve)
            node = np.where(f, self.c.edge_to[e], self.c.edge_from[e])
            ed, ps = e.copy(), p.copy()
            alive = self._route(
                node,
                ed,
                ps,
                self.diam[idx],
                self.agent[idx],
                self.count[idx],
                self.activity[idx],
                self.drug[idx],
                t_rem,
            )
            self.edge[idx], self.pos[idx] = ed, ps
            keep[idx[~alive]] = False
        self._compact(keep)

    def lodge_all(self) -> None:
        """Lodge every packet still in flight where it is (end of the case)."""
        if self.edge.size:
            self._lodge(
                self.edge,
                self.diam,
                self.agent,
                self.count,
                self.activity,
                self.drug,
                self.lumen[self.edge],
            )
            self._compact(np.zeros(self.edge.size, bool))

    def take_occlusion(self) -> np.ndarray:
        """Occlusion added since the last call, per edge (E,); resets the accumulator."""
        out, self.occ_inc = self.occ_inc, np.zeros(self.c.n_edges)
        return out

    def _compact(self, keep: np.ndarray) -> None:
        if keep.all():
            return
        for name in ("edge", "pos", "diam", "agent", "count", "activity", "drug"):
            setattr(self, name, getattr(self, name)[keep])

    def _route(self, node, edge, pos, diam, agent, count, activity, drug, t_rem) -> np.ndarray:
        """Carry packets arriving at ``node`` onward until they settle on an edge or end.

        Arrays are updated in place for surviving packets; returns the survivors' mask.
        """
        c = self.c
        alive = np.ones(node.size, bool)
        todo = np.arange(node.size)
        came = edge.copy()
        for _ in range(MAX_HOPS):
            if todo.size == 0:
                break
            nd = node[todo]
            at_root = nd == c.root
            if at_root.any():  # refluxed back into the aorta: systemic non-target
                r = todo[at_root]
                np.add.at(self.out_count, agent[r], count[r])
                np.add.at(self.out_activity, agent[r], activity[r])
                alive[r] = False
                todo, nd = todo[~at_root], nd[~at_root]
            u = self.rng.random(todo.size)
            ex, fw, ok = choose(self.routing, nd, u)
            if (~ok).any():  # no outflow: stasis at the node
                r = todo[~ok]
                lodge_edge = np.where(came[r] >= 0, came[r], -1)
                has = lodge_edge >= 0
                self._lodge(
                    lodge_edge[has],
                    diam[r][has],
                    agent[r][has],
                    count[r][has],
                    activity[r][has],
                    drug[r][has],
                    self.lumen[lodge_edge[has]],
                )
                alive[r] = False
                todo, ex, fw = todo[ok], ex[ok], fw[ok]
            bed = c.is_bed[ex]
            if bed.any():
                r, eb = todo[bed], ex[bed]
                self._enter_bed(eb, diam[r], agent[r], count[r], activity[r], drug[r])
                alive[r] = False
                todo, ex, fw = todo[~bed], ex[~bed], fw[~bed]
            narrow = diam[todo] >= self.lumen[ex]
            if narrow.any():
                r, en = todo[narrow], ex[narrow]
                self._lodge(en, diam[r], agent[r], count[r], activity[r], drug[r], self.lumen[en])
                alive[r] = False
                todo, ex, fw = todo[~narrow], ex[~narrow], fw[~narrow]
            length = c.length[ex]
            v = self.velocity[ex]
            travel = np.abs(v) * t_rem[todo]
            newpos = np.where(fw, travel, length - travel)
            edge[todo], pos[todo], came[todo] = ex, newpos, ex
            over = travel >= length
            if not over.any():
                break
            r = todo[over]
            with np.errstate(divide="ignore", invalid="ignore"):
                t_rem[r] = t_rem[r] - length[over] / np.abs(v[over])
            node[r] = np.where(fw[over], c.edge_to[ex[over]], c.edge_from[ex[over]])
            todo = r
        return alive

    def _enter_bed(self, e, diam, agent, count, activity, drug) -> None:
        b = self.c.edge_bed[e]
        small = np.clip(
            (SHUNT_NONE_ABOVE_M - diam) / (SHUNT_NONE_ABOVE_M - SHUNT_FULL_BELOW_M), 0.0, 1.0
        )
        lung = self.rng.random(e.size) < self.c.bed_shunt[b] * small
        if lung.any():
            np.add.at(self.lung_count, agent[lung], count[lung])
            np.add.at(self.lung_activity, agent[lung], activity[lung])
        k = ~lung
        # inside the lumped bed a sphere lodges in an arteriole of its own calibre
        self._lodge(e[k], diam[k], agent[k], count[k], activity[k], drug[k], diam[k])

    def _lodge(self, e, diam, agent, count, activity, drug, site) -> None:
        if e.size == 0:
            return
        vol = count * sphere_volume_m3(diam)
        np.add.at(self.dep_count, e, count)
        np.add.at(self.dep_volume, e, vol)
        np.add.at(self.dep_activity, e, activity)
        np.add.at(self.dep_drug, e, drug)
        np.add.at(self.dep_agent_count, (agent, e), count)
        np.add.at(self.site_diam_sum, agent, site * count)
        np.add.at(self.site_weight, agent, count)
        pot = self.potency[agent]
        is_bed = self.c.is_bed[e]
        inc = np.where(
            is_bed,
            vol * pot / np.where(is_bed, self.capacity[e], 1.0),
            count * pot / SPHERES_TO_PLUG_VESSEL,
        )
        np.add.at(self.occ_inc, e, inc)

    # ------------------------------------------------------------------ bookkeeping
    def in_flight_count(self) -> np.ndarray:
        """Spheres in flight by agent, (A,)."""
        return np.bincount(self.agent, weights=self.count, minlength=len(AGENT_IDS))

    def in_flight_activity(self) -> np.ndarray:
        return np.bincount(self.agent, weights=self.activity, minlength=len(AGENT_IDS))
