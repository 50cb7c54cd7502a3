"""A case's anatomy, built once and shared by every procedure of the case.

The vascular tree (:class:`~sim.anatomy.build.Liver`), its compiled arrays
(:class:`~sim.flow.compile.Compiled`) and the non-target territory each edge feeds are built
from the case file alone — its anatomy, tumours and the anatomy's own seed, never the procedure
seed — and are most of a :class:`~sim.engine.procedure.Procedure`'s construction (0.1–0.3 s).
Nothing changes them once built, so the procedures of one case (a replay, the next seed, the
retry, the booth's next game, a case file changed only in its texts or scoring) share them.
They are kept in a small LRU keyed by the parts of the case file they are built from
(:data:`ANATOMY_INPUTS`); the builder sees only those parts, so reading any other fails
loudly, and the compiled arrays are made read-only, so that a change in place fails instead of
leaking into another procedure.
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
ANATOMY_INPUTS = ("anatomy", "patient", "tumors", "shunt")  # what build_liver reads of a case


@dataclass(frozen=True)
class Anatomy:
    """A case's built anatomy: the tree, its compiled arrays (read-only) and the non-target
    territory each edge feeds exclusively (None for the liver's own)."""

    liver: Liver
    c: Compiled
    territory: list[str | None]


_kept: OrderedDict[str, Anatomy] = OrderedDict()
_lock = threading.Lock()  # a case may be built on a worker thread (the picker's progress)


class _Inputs:
    """The parts of a case file the anatomy is built from, and nothing else (another field read
    by the builder is an AttributeError, not a silently shared tree)."""

    __slots__ = ANATOMY_INPUTS

    def __init__(self, scenario: Scenario) -> None:
        for name in ANATOMY_INPUTS:
            setattr(self, name, getattr(scenario, name))


def build_anatomy(scenario: Scenario) -> Anatomy:
    """The case's tree, compiled, with its edges' territories (built anew, read-only arrays)."""
    streams = make_streams(scenario.anatomy.seed)
    liver = build_liver(_Inputs(scenario), streams.tree, streams.tumors)
    c = compile_liver(liver)
    for f in fields(c):
        value = getattr(c, f.name)
        for a in value if f.name == "points" else [value]:
            if isinstance(a, np.ndarray):
                a.flags.writeable = False
    return Anatomy(liver, c, edge_territory(c))


def anatomy_key(scenario: Scenario) -> str:
    """What identifies a case's anatomy: its :data:`ANATOMY_INPUTS`, as JSON."""
    return scenario.model_dump_json(include=set(ANATOMY_INPUTS))


def case_anatomy(scenario: Scenario) -> Anatomy:
    """The anatomy of ``scenario`` (the case file): kept from an earlier procedure of a case with
    the same :data:`ANATOMY_INPUTS`, else built and kept."""
    key = anatomy_key(scenario)
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
