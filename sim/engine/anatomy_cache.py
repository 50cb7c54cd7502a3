"""A case's anatomy, built once and shared by every procedure of the case.

The vascular tree (:class:`~sim.anatomy.build.Liver`), its compiled arrays
(:class:`~sim.flow.compile.Compiled`) and the non-target territory each edge feeds are built
from the case file alone — its anatomy, tumours and the anatomy's own seed, never the procedure
seed — and are most of a :class:`~sim.engine.procedure.Procedure`'s construction (0.1–0.3 s).
Nothing changes them once built, so the procedures of one case (a replay, the next seed, the
retry, the booth's next game) share them. They are kept in a small LRU keyed by the case file's
content; the compiled arrays are made read-only, so that a change in place fails loudly instead
of leaking into another procedure.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, fields

import numpy as np

from sim.anatomy.build import Liver, build_liver
from sim.flow.compile import Compiled, compile_liver
from sim.flow.territory import edge_territory
from sim.rng import make_streams
from sim.scenario.models import Scenario

KEPT = 6  # anatomies kept (a few MB each)


@dataclass(frozen=True)
class Anatomy:
    """A case's built anatomy: the tree, its compiled arrays (read-only) and the non-target
    territory each edge feeds exclusively (None for the liver's own)."""

    liver: Liver
    c: Compiled
    territory: list[str | None]


_kept: OrderedDict[str, Anatomy] = OrderedDict()
_lock = threading.Lock()  # a case may be built on a worker thread (the picker's progress)


def build_anatomy(scenario: Scenario) -> Anatomy:
    """The case's tree, compiled, with its edges' territories (built anew, read-only arrays)."""
    streams = make_streams(scenario.anatomy.seed)
    liver = build_liver(scenario, streams.tree, streams.tumors)
    c = compile_liver(liver)
    for f in fields(c):
        value = getattr(c, f.name)
        for a in value if f.name == "points" else [value]:
            if isinstance(a, np.ndarray):
                a.flags.writeable = False
    return Anatomy(liver, c, edge_territory(c))


def case_anatomy(scenario: Scenario) -> Anatomy:
    """The anatomy of ``scenario`` (the case file): kept from an earlier procedure of the same
    case, else built and kept."""
    key = scenario.model_dump_json()
    with _lock:
        hit = _kept.get(key)
        if hit is not None:
            _kept.move_to_end(key)
            return hit
    built = build_anatomy(scenario)
    with _lock:
        _kept[key] = built
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return built


def forget_anatomies() -> None:
    """Drop every kept anatomy (the next procedure of each case builds its own)."""
    with _lock:
        _kept.clear()
