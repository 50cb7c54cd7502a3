"""Where the packets ended up: deposits per edge and agent, lungs and aorta, as declared fields.

A finished flight is added to the stored tallies only when the engine itself needs its slot
again (:meth:`Transport._free_slots`); until then it is *pending*, and a reading adds the pending
flights on the fly. So the floating-point sums never depend on who read them, and reading
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from sim.agents import sphere_volume_m3
from sim.flow.micro import BILIARY_FACTOR
from sim.transport.flight import AGENT_IDS, END_AORTA, END_LUNG, END_VESSEL, FlightPlanner
from sim.transport.pool import Slots


@dataclass
class Tallies:
    """Every tally of where packets ended (E edges, A agents; beds are edges too).

    Attributes
    ----------
    dep_count, dep_volume, dep_activity, dep_drug : ndarray (E,)
        Spheres, sphere volume (m³), activity (Bq) and drug (mg) lodged at each edge.
    dep_agent_count : ndarray (A, E)
        Spheres lodged at each edge, by agent.
    site_diam_sum, site_weight : ndarray (A,)
        Sphere-weighted sum of the calibre (m) where spheres lodged, and the weight (spheres):
        their ratio is the mean lodging calibre.
    lung_count, lung_activity : ndarray (A,)
        Spheres and activity (Bq) that passed to the lungs, by agent.
    out_count, out_activity : ndarray (A,)
        Spheres and activity (Bq) refluxed into the aorta, by agent.
    dep_plug : ndarray (E,)
        Potency-weighted spheres that lodged in a vessel as wide as they are (plugs; not the
        ones a stagnant column left behind).
    dep_embolic, dep_necrotic, dep_biliary : ndarray (E,)
        In beds: potency-weighted sphere volume lodged (m³); the same weighted by the share of
        the tissue it deprives that is not reconstituted, and by how much it plugs the
        peribiliary plexus × the agent's biliary factor (:mod:`sim.flow.micro`).
    """

    dep_count: np.ndarray
    dep_volume: np.ndarray
    dep_activity: np.ndarray
    dep_drug: np.ndarray
    dep_agent_count: np.ndarray
    site_diam_sum: np.ndarray
    site_weight: np.ndarray
    lung_count: np.ndarray
    lung_activity: np.ndarray
    out_count: np.ndarray
    out_activity: np.ndarray
    dep_plug: np.ndarray
    dep_embolic: np.ndarray
    dep_necrotic: np.ndarray
    dep_biliary: np.ndarray

    @classmethod
    def zeros(cls, n_edges: int) -> Tallies:
        """Empty tallies for ``n_edges`` edges and every agent."""
        n_a = len(AGENT_IDS)
        return cls(
            dep_count=np.zeros(n_edges),
            dep_volume=np.zeros(n_edges),
            dep_activity=np.zeros(n_edges),
            dep_drug=np.zeros(n_edges),
            dep_agent_count=np.zeros((n_a, n_edges)),
            site_diam_sum=np.zeros(n_a),
            site_weight=np.zeros(n_a),
            lung_count=np.zeros(n_a),
            lung_activity=np.zeros(n_a),
            out_count=np.zeros(n_a),
            out_activity=np.zeros(n_a),
            dep_plug=np.zeros(n_edges),
            dep_embolic=np.zeros(n_edges),
            dep_necrotic=np.zeros(n_edges),
            dep_biliary=np.zeros(n_edges),
        )

    def copy(self) -> Tallies:
        return replace(self, **{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def plus(self, other: Tallies) -> Tallies:
        """Field-wise sum, as new arrays."""
        return replace(
            self, **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def add(self, other: Tallies) -> None:
        """Add ``other`` field-wise, in place."""
        for f in fields(self):
            mine = getattr(self, f.name)
            mine += getattr(other, f.name)


_BILIARY = np.array([BILIARY_FACTOR.get(a, 0.0) for a in AGENT_IDS])  # by agent index


def pending(slots: Slots, flights: FlightPlanner) -> Tallies:
    """What the pending (finished, not yet stored) flights of ``slots`` add to each tally;
    ``flights`` gives the edges, the agents' potency and the beds' calibre ladders.

    A sphere that ended in a bed lodges at the generation of the bed's ladder its diameter
    matches (:meth:`sim.flow.micro.Microvasculature.lodge`): its calibre, and how much of what
    it deprives is lost for good and how much it plugs the peribiliary plexus, are worked out
    here, once per reading, rather than in every step."""
    n_edges = flights.c.n_edges
    j = np.flatnonzero(slots.pending)
    n_a = len(AGENT_IDS)
    kind = slots.end_kind[j]
    agent = slots.agent

    def by_agent(end: int) -> tuple[np.ndarray, np.ndarray]:
        a = j[kind == end]
        return (
            np.bincount(agent[a], weights=slots.count[a], minlength=n_a),
            np.bincount(agent[a], weights=slots.activity[a], minlength=n_a),
        )

    lung_count, lung_activity = by_agent(END_LUNG)
    out_count, out_activity = by_agent(END_AORTA)
    j = j[(kind != END_LUNG) & (kind != END_AORTA) & (slots.end_edge[j] >= 0)]
    e, a, count = slots.end_edge[j], agent[j], slots.count[j]
    vol = count * sphere_volume_m3(slots.diam[j])
    pot = flights.potency[a]
    bed = flights.c.is_bed[e]
    site, kill, bile = slots.end_site[j], np.zeros(j.size), np.zeros(j.size)
    if bed.any():
        site = site.copy()
        site[bed], kill[bed], bile[bed] = flights.micro.lodge(slots.diam[j][bed], e[bed])
        bile[bed] *= _BILIARY[a[bed]]
    emb = np.where(bed, vol * pot, 0.0)
    plug = np.where(slots.end_kind[j] == END_VESSEL, count * pot, 0.0)
    return Tallies(
        dep_count=np.bincount(e, weights=count, minlength=n_edges),
        dep_volume=np.bincount(e, weights=vol, minlength=n_edges),
        dep_activity=np.bincount(e, weights=slots.activity[j], minlength=n_edges),
        dep_drug=np.bincount(e, weights=slots.drug[j], minlength=n_edges),
        dep_agent_count=np.bincount(
            a * n_edges + e, weights=count, minlength=n_a * n_edges
        ).reshape(n_a, n_edges),
        site_diam_sum=np.bincount(a, weights=site * count, minlength=n_a),
        site_weight=np.bincount(a, weights=count, minlength=n_a),
        lung_count=lung_count,
        lung_activity=lung_activity,
        out_count=out_count,
        out_activity=out_activity,
        dep_plug=np.bincount(e, weights=plug, minlength=n_edges),
        dep_embolic=np.bincount(e, weights=emb, minlength=n_edges),
        dep_necrotic=np.bincount(e, weights=emb * kill, minlength=n_edges),
        dep_biliary=np.bincount(e, weights=emb * bile, minlength=n_edges),
    )
