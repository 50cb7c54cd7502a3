"""A case's anatomy is built once and shared by its procedures (sim/engine/anatomy_cache.py):
the same tree for the same case file whatever the procedure seed, its own for another case, read
only, and a procedure on it runs exactly as one on a freshly built tree."""

from __future__ import annotations

import pytest
from helpers import scenario

from sim.actions import Navigate, SelectAgent, SetInjection
from sim.engine import anatomy_cache
from sim.engine.final import assess_procedure
from sim.engine.procedure import Procedure
from sim.records.digest import state_digest


def run(p: Procedure) -> Procedure:
    p.apply(Navigate(target="RHA"))
    p.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    p.apply(SetInjection(rate_ml_min=3.0))
    p.run_to(200)
    return p


def test_procedures_of_one_case_share_its_anatomy_and_others_do_not():
    anatomy_cache.forget_anatomies()
    a, b = Procedure(scenario(), 1), Procedure(scenario(), 9)
    assert b.c is a.c and b.liver is a.liver and b.territory is a.territory
    other = Procedure(scenario(segment="S8"))
    assert other.c is not a.c and other.liver is not a.liver


def test_the_shared_arrays_are_read_only():
    c = Procedure(scenario()).c
    with pytest.raises(ValueError):
        c.radius[0] = 0.0
    with pytest.raises(ValueError):
        c.points[0][0, 0] = 0.0


def test_a_procedure_on_a_kept_anatomy_runs_as_on_a_fresh_one():
    kept = run(Procedure(scenario(), 3))
    anatomy_cache.forget_anatomies()
    fresh = run(Procedure(scenario(), 3))
    assert fresh.c is not kept.c
    assert digest(fresh) == digest(kept)


def digest(p: Procedure) -> str:
    return state_digest(p, assess_procedure(p).to_dict())


def test_the_kept_anatomies_are_bounded():
    anatomy_cache.forget_anatomies()
    for k in range(anatomy_cache.KEPT + 2):
        Procedure(scenario(tn=2.0 + k))
    assert len(anatomy_cache._kept) == anatomy_cache.KEPT


def test_a_case_changed_outside_its_anatomy_inputs_shares_it_and_the_builder_sees_only_them():
    anatomy_cache.forget_anatomies()
    sc = scenario()
    a = Procedure(sc)
    retitled = sc.model_copy(update={"title": "another title", "seed": 11})
    assert Procedure(retitled).c is a.c
    heavier = sc.model_copy(update={"patient": sc.patient.model_copy(update={"weight_kg": 95.0})})
    assert Procedure(heavier).c is not a.c
    with pytest.raises(AttributeError):
        anatomy_cache._Inputs(sc).title  # noqa: B018 - the builder cannot read it
