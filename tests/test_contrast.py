"""Contrast runs: arrival follows the flow, tumours blush first and strongest, stasis holds."""

import numpy as np
from helpers import scenario

from sim.actions import Contrast, Inject, Navigate, SelectAgent
from sim.engine.procedure import Procedure


def _run(target="PHA"):
    p = Procedure(scenario())
    p.apply(Navigate(target=target))
    p.apply(Contrast(volume_ml=4, rate_ml_s=2))
    return p, p.contrast_runs[-1]


def test_arrival_increases_downstream():
    p, run = _run()
    c = p.c
    ok = 0
    for e in np.flatnonzero(~c.is_bed & np.isfinite(run.arrival)):
        pe = c.parent_edge[c.edge_from[e]]
        if pe >= 0 and np.isfinite(run.arrival[pe]) and run.conc[pe] > 0:
            assert run.arrival[e] >= run.arrival[pe]
            ok += 1
    assert ok > 500
    gda = c.vessel_edges("GDA")[0]
    assert run.conc[gda] == 0, "a PHA injection does not opacify the GDA antegrade"


def test_tumour_blushes_stronger_than_normal_liver():
    p, run = _run()
    c = p.c
    t_peak = run.t0 + run.duration + 1.0
    blush = run.bed_blush(t_peak)
    tumor = c.bed_tumor >= 0
    normal = np.array([b.kind == "liver" for b in c.beds])
    assert blush[tumor].mean() > 3.0 * blush[normal].mean()
    late = run.bed_blush(run.t0 + 120.0)
    assert late[tumor].mean() < 0.5 * blush[tumor].mean(), "washout"
    assert run.bed_blush(run.t0 - 1.0).max() == 0.0


def test_vessels_clear_after_the_bolus_unless_flow_stops():
    p, run = _run("RHA")
    c = p.c
    rha = c.vessel_edges("RA")[0]
    during = run.vessel_opacity(run.t0 + 1.0)[rha]
    after = run.vessel_opacity(run.t0 + run.duration + 10.0)[rha]
    assert during > 0.2 and after < 0.05 * during
    # after embolization to stasis the contrast column in the catheterised vessel stays
    q = Procedure(scenario())
    q.apply(Navigate(target="S6"))
    q.apply(SelectAgent(agent="bland", size_um=(100, 300)))
    q.apply(Inject(volume_ml=6, rate_ml_min=2))
    assert any(ev.kind == "stasis" for ev in q.events)
    q.apply(Contrast(volume_ml=2, rate_ml_s=0.2))
    r2 = q.contrast_runs[-1]
    e = q.flow.tip_edge()
    late = r2.vessel_opacity(r2.t0 + r2.duration + 20.0)[e]
    assert late > 0.5 * r2.vessel_opacity(r2.t0 + r2.duration)[e] > 0
    # the same vessel before embolization is clear 20 s after the run
    fresh, run = _run("S6")
    k = fresh.c.children[fresh.c.edge_to[fresh.flow.tip_edge()]][0]
    assert run.vessel_opacity(run.t0 + run.duration + 20.0)[k] < 0.05


def test_a_contrast_push_is_not_an_embolic_event():
    """A routine 3 mL run from a small tumour feeder washes back (contrast reflux, said as
    such) but raises no REFLUX flag and leaves the SACE level and the antegrade flow alone."""
    from sim.actions import StartContrast

    p = Procedure(scenario())
    p.apply(Navigate(target="S6"))
    before = (p.sace_level(), p.residual_antegrade())
    p.apply(StartContrast(volume_ml=3.0, rate_ml_s=1.0))
    st = p.status()
    assert st.contrast_running and st.contrast_reflux, "a 1 mL/s push washes back in S6"
    assert not st.in_reflux
    assert (st.sace_level, st.antegrade) == before
    kinds = [e.kind for e in p.events]
    assert kinds.count("contrast_reflux") == 1 and "reflux" not in kinds
    while p.contrast_m3_s > 0:
        p.step()
    assert not p.status().contrast_reflux and p.sace_level() == before[0]
    # an embolic pushed into the same reversed flow still raises REFLUX
    p.apply(SelectAgent(agent="bland", size_um=(100, 300)))
    p.apply(StartContrast(volume_ml=3.0, rate_ml_s=1.0))
    from sim.actions import SetInjection

    p.apply(SetInjection(rate_ml_min=2.0))
    st = p.status()
    assert st.in_reflux and not st.contrast_reflux, "one flag for one reversal: the embolic's"
