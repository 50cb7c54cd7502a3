"""Staged cases: a mapping visit whose coils and measurements carry into the treatment visit.

A radioembolization takes two visits (reference §2.4): a mapping angiogram with Tc-99m MAA,
which measures the lung shunt fraction and the tumour-to-normal ratio and shows the
extrahepatic uptake that coils must protect, and one to two weeks later the treatment, planned
with what the mapping measured. A case lists its visits (``visits:`` in the scenario) and the
``next_visit`` action ends one and begins the next, inside one :class:`~sim.engine.procedure.
Procedure`: one clock (ticks count on, so a record's timed actions replay both visits), one
seeded generator, one action log.

What crosses the gap lives in one frozen :class:`VisitCarry`:

- the coil packs placed (:class:`sim.engine.coils.Coils`): placed again in each later visit's
  fresh flow, so their vessels stay closed;
- the lung shunt (and T/N) a mapping visit measured: the Y-90 planner of later visits uses
  them (:attr:`Scenario.mapping_result`) instead of the case's true values: the MAA study's
  when MAA was given, else a count of the visit's particles (:func:`measured`);
- the lung dose of earlier visits, counted towards the cumulative limit (as
  ``patient.prior_lung_dose_gy``).

What does not cross: the particles of the mapping (MAA is broken down within hours; their
stasis is not an occlusion a week later), contrast runs, the syringe, the catheter (it starts
again at the aorta) and the time, contrast and fluoroscopy counters (each visit has its own
limits). Each finished visit is kept as a :class:`VisitSummary` with its assessed outcome; the
case's outcome is the last visit's, with the earlier visits' technique penalties (contrast and
fluoroscopy over each visit's own limits, agent after stasis or into reflux) taken off too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.actions import NextVisit
from sim.engine.coils import PlacedCoil
from sim.engine.events import Event
from sim.engine.navigation import NavigationError
from sim.engine.status import Metrics
from sim.outcome.dosimetry import lung_dose_gy
from sim.outcome.result import Outcome, Penalty
from sim.outcome.scintigraphy import maa_study
from sim.scenario.models import MappingResult, Scenario, Visit

# This module is imported by sim.engine.procedure and so never imports it (nor sim.engine.final,
# which does): it reads the procedure it is handed by duck typing (``proc``: a Procedure).
Proc = Any


@dataclass(frozen=True)
class VisitCarry:
    """What one visit of a case hands to the next.

    Attributes
    ----------
    coils : tuple of PlacedCoil
        Coil packs placed so far (:mod:`sim.engine.coils`), in order: their vessels stay closed.
    lung_shunt_fraction : float or None
        Lung shunt fraction measured by a mapping visit (None: not measured).
    tn_ratio : tuple of (str, float)
        Tumour-to-normal ratio measured per tumour id.
    lung_dose_gy : float
        Lung dose delivered by the earlier visits of this case, Gy.
    """

    coils: tuple[PlacedCoil, ...] = ()
    lung_shunt_fraction: float | None = None
    tn_ratio: tuple[tuple[str, float], ...] = ()
    lung_dose_gy: float = 0.0

    def to_dict(self) -> dict:
        return {
            "closed_vessels": [k.at for k in self.coils],
            "lung_shunt_fraction": self.lung_shunt_fraction,
            "tn_ratio": dict(self.tn_ratio),
            "lung_dose_gy": self.lung_dose_gy,
        }


@dataclass(frozen=True)
class EndedVisit:
    """What a finished visit left, as :func:`sim.engine.final.final_state` reads a procedure:
    the visit's own flow, transport, counters and events (the next visit makes new ones, so
    these stay as they were) and the case-wide parts they refer to."""

    scenario: Scenario
    seed: int
    c: Any  # sim.flow.compile.Compiled
    liver: Any  # sim.anatomy.build.Liver
    catheter_radius: float
    flow: Any  # sim.flow.model.FlowModel
    transport: Any  # sim.transport.packets.Transport
    metrics: Metrics
    events: tuple[Event, ...]
    peptide: Any  # sim.engine.peptide.PeptideTally
    final_sace: int | None
    log: tuple  # the actions up to the end of this visit
    visit_tick0: int
    coils: Any  # sim.engine.coils.Coils: the packs in place when it ended


@dataclass
class VisitSummary:
    """A finished visit: its place, what it left (:class:`EndedVisit`), the carry it handed to
    the next visit, and its assessed outcome (``Outcome.to_dict()``, filled in when first
    asked for by :func:`sim.engine.final.visit_outcomes`)."""

    index: int
    kind: str
    title: str
    ended: EndedVisit
    carry: VisitCarry
    outcome: dict | None = None

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "kind": self.kind,
            "title": self.title,
            "carry": self.carry.to_dict(),
            "outcome": self.outcome,
        }


@dataclass
class VisitLedger:
    """Where a procedure is in its case: the current visit, its carry, the visits done."""

    index: int = 0
    carry: VisitCarry = field(default_factory=VisitCarry)
    done: list[VisitSummary] = field(default_factory=list)


def visit_count(case: Scenario) -> int:
    """How many visits ``case`` has (1 for a case without ``visits:``)."""
    return max(1, len(case.visits))


def visit_of(case: Scenario, index: int) -> Visit | None:
    """The ``index``-th visit's entry (None for a one-visit case)."""
    return case.visits[index] if case.visits else None


def visit_scenario(case: Scenario, index: int, carry: VisitCarry | None = None) -> Scenario:
    """The scenario visit ``index`` of ``case`` is played under.

    The visit's briefing, limits and shelf replace the case's where it gives them; with a
    ``carry`` the earlier visits' lung dose joins ``patient.prior_lung_dose_gy`` and a measured
    shunt or T/N becomes ``mapping_result``. The anatomy, tumours and true shunt stay the
    case's (the patient is the same). A one-visit case is returned as it is.
    """
    v = visit_of(case, index)
    if v is None:
        return case
    update: dict = {}
    for name in ("briefing", "limits", "agents_available"):
        if getattr(v, name) is not None:
            update[name] = getattr(v, name)
    if carry is not None and carry.lung_dose_gy > 0:
        prior = case.patient.prior_lung_dose_gy + carry.lung_dose_gy
        update["patient"] = case.patient.model_copy(update={"prior_lung_dose_gy": prior})
    if carry is not None and (carry.lung_shunt_fraction is not None or carry.tn_ratio):
        update["mapping_result"] = MappingResult(
            lung_shunt_fraction=carry.lung_shunt_fraction, tn_ratio=dict(carry.tn_ratio)
        )
    return case.model_copy(update=update)


def visit_scenarios(case: Scenario) -> list[Scenario]:
    """Every visit's scenario without carry (their limits and shelves, for checks)."""
    return [visit_scenario(case, i) for i in range(visit_count(case))]


def has_next_visit(proc: Proc) -> bool:
    """Whether ``proc``'s case has a visit after the current one."""
    return proc.visits.index + 1 < visit_count(proc.case)


def apply_closures(proc: Proc) -> None:
    """Place again, in ``proc``'s new flow, the coils of the earlier visits (at a visit's start;
    the catheter placement that follows solves the flow with them closed)."""
    proc.coils.restore(list(proc.visits.carry.coils))


def measured(proc: Proc) -> tuple[float | None, tuple[tuple[str, float], ...]]:
    """Lung shunt fraction and T/N per tumour as the visit just ended measured them.

    With MAA given, what its study measured (:func:`sim.outcome.scintigraphy.maa_study`:
    conjugate planar views, SPECT T/N; a tumour that took up none has no T/N). Otherwise the
    shunt is counted from the visit's particles, lung / (lung + liver), without a T/N (what
    lodged in vessels feeding only an extrahepatic territory is left out). None and no T/N when
    nothing reached the liver or the lungs.
    """
    tl = proc.transport.tallies()
    study = maa_study(proc.c, tl, proc.flow.baseline_flow, proc.transport.delivered_count)
    if study is not None:
        tn = tuple((t.id, round(t.tn_ratio, 3)) for t in study.tumors if t.tn_ratio > 0)
        return round(study.lung_shunt_fraction, 4), tn
    lung = float(tl.lung_count.sum())
    hepatic = np.array([t is None for t in proc.territory], bool)
    liver = float(tl.dep_count[hepatic].sum())
    if lung + liver <= 0:
        return None, ()
    return round(lung / (lung + liver), 4), ()


def carry_after(proc: Proc, kind: str) -> VisitCarry:
    """The carry the visit of ``kind`` that ``proc`` just ended hands on: its lung dose added,
    and what a mapping visit measured (a treatment visit measures nothing new)."""
    carry = proc.visits.carry
    visit_lung = lung_dose_gy(float(proc.transport.tallies().lung_activity.sum()) * 1e-9)
    carry = dataclasses.replace(
        carry, coils=tuple(proc.coils.placed), lung_dose_gy=carry.lung_dose_gy + visit_lung
    )
    if kind != "mapping":
        return carry
    lsf, tn = measured(proc)
    if lsf is None:
        return carry
    return dataclasses.replace(carry, lung_shunt_fraction=lsf, tn_ratio=tn)


def ended_visit(proc: Proc) -> EndedVisit:
    """What the visit ``proc`` has just finished left (read before the next one begins)."""
    return EndedVisit(
        proc.scenario,
        proc.seed,
        proc.c,
        proc.liver,
        proc.catheter_radius,
        proc.flow,
        proc.transport,
        proc.metrics,
        tuple(proc.events),
        proc.peptide,
        proc.final_sace,
        tuple(proc.log),
        proc.visit_tick0,
        proc.coils,
    )


def next_visit(proc: Proc, action: NextVisit) -> Iterator[None]:
    """End the current visit and begin the next (the ``next_visit`` action).

    The visit ends as ``finish`` ends a case (the catheter is withdrawn, what is in flight
    lodges) and is kept (:class:`EndedVisit`); then the next visit begins from a fresh flow and
    transport with the carry's closures, the catheter at the aorta, and the visit's own limits.

    Raises
    ------
    NavigationError
        If the case has no next visit (before anything is logged).
    """
    if not has_next_visit(proc):
        raise NavigationError("this case has no next visit (allowed: finish)")
    proc.log.append((proc.tick, action))
    yield from proc._finish()
    ledger = proc.visits
    v = visit_of(proc.case, ledger.index)
    carry = carry_after(proc, v.kind)
    ledger.done.append(VisitSummary(ledger.index, v.kind, v.title, ended_visit(proc), carry))
    ledger.index += 1
    ledger.carry = carry
    proc._begin_visit(visit_scenario(proc.case, ledger.index, carry))


# The technique penalties of sim.outcome.penalties.technique: what an earlier visit's own limits
# and technique take off, and the case's score takes off too.
TECHNIQUE_PENALTIES = ("after_stasis", "reflux", "contrast", "fluoroscopy")


def earlier_penalties(proc: Proc) -> tuple[Penalty, ...]:
    """The technique penalties of the visits before the current one, each named by its visit
    (``mapping: contrast``): contrast and fluoroscopy count against each visit's own limits."""
    return tuple(
        Penalty(f"{v.kind}: {p['name']}", p["points"], f"{v.title or v.kind}: {p['reason']}")
        for v in proc.visits.done
        for p in (v.outcome or {}).get("penalties", [])
        if p.get("name") in TECHNIQUE_PENALTIES
    )


def staged_outcome(proc: Proc, out: Outcome) -> Outcome:
    """A staged case's outcome: the current visit's, its visits listed (:func:`visits_json`)
    and the earlier visits' technique penalties taken off its score as well."""
    carried = earlier_penalties(proc)
    score = round(max(0.0, out.score - sum(p.points for p in carried)), 2)
    return dataclasses.replace(
        out, visits=tuple(visits_json(proc)), penalties=out.penalties + carried, score=score
    )


def visits_json(proc: Proc) -> list[dict]:
    """Every visit of ``proc``'s case so far, for ``run --json`` and the records: the finished
    ones with their outcome and the carry they handed on, then the current one with the carry
    it began with (its outcome is the case's)."""
    now = proc.visits
    v = visit_of(proc.case, now.index)
    current = {"index": now.index, "kind": v.kind, "title": v.title, "carry": now.carry.to_dict()}
    return [d.to_dict() for d in now.done] + [current]
