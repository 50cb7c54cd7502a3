"""Extra vessels: collaterals make loops (sparse solver), a parasitized phrenic feeds a tumour."""

import numpy as np
import pytest

from sim.actions import Finish, Inject, Navigate, SelectAgent
from sim.engine.final import assess_procedure
from sim.engine.procedure import Procedure
from sim.scenario.models import Scenario, Tumor


def _case(extra, segment="S6"):
    return Scenario(
        title="t",
        tumors=[Tumor(id="T1", segment=segment, diameter_mm=45)],
        anatomy={"extra_vessels": [extra], "seed": 4},
    )


@pytest.mark.parametrize("a, b", [("GDA", "RHA"), ("RHA", "LHA"), ("LGA", "S2")])
def test_collateral_loop_uses_sparse_solver_and_balances(a, b):
    p = Procedure(_case({"kind": "collateral", "name": "COL", "from_vessel": a, "to_vessel": b}))
    c = p.c
    assert p.flow._tree is None, "a loop needs the sparse solver"
    col = c.vessel_edges("COL")[0]
    assert abs(p.flow.baseline_flow[col]) > 0
    got = p.flow.baseline_flow[c.bed_edge] * 60e6
    assert np.allclose(got, c.bed_flow0_ml_min, rtol=1e-6), "calibration converged with a loop"
    net_in = np.zeros(c.n_nodes)
    np.add.at(net_in, c.edge_to, p.flow.flow)
    np.add.at(net_in, c.edge_from, -p.flow.flow)
    free = np.ones(c.n_nodes, bool)
    free[c.root] = False
    free[c.outlet_nodes] = False
    assert np.abs(net_in[free]).max() < 1e-9 * np.abs(p.flow.flow).max()
    p.apply(Navigate(target="RHA"))
    p.apply(SelectAgent(agent="bland", size_um=(100, 300)))
    p.apply(Inject(volume_ml=2, rate_ml_min=2))
    p.apply(Finish())
    o = assess_procedure(p)
    assert abs(sum(o.deposition.to_dict().values()) - 1.0) < 1e-3 and np.isfinite(o.score)


def test_parasitized_phrenic_feeds_its_tumour():
    p = Procedure(_case({"kind": "parasitized_phrenic", "name": "IPA", "to_tumor": "T1"}, "S7"))
    p.apply(Navigate(target="feeder:T1"))
    assert "S7" in p.breadcrumb(), "feeder:T1 stays on the hepatic supply"
    p.apply(Navigate(target="IPA"))
    p.apply(SelectAgent(agent="bland", size_um=(100, 300)))
    p.apply(Inject(volume_ml=0.5, rate_ml_min=1))
    p.apply(Finish())
    o = assess_procedure(p)
    assert o.deposition.tumor > 0.95
    assert 0 < o.tumors[0].coverage < 1.0, "the IPA feeds only part of the rim"


def test_collateral_to_a_vessel_this_variant_lacks_is_a_located_error(tmp_path):
    from helpers import SCENARIOS

    from sim.scenario.load import load_scenario

    src = (SCENARIOS / "default.yaml").read_text()
    src = src.replace(
        "  seed: 7",
        "  seed: 7\n  extra_vessels:\n    - {kind: collateral, name: C, "
        "from_vessel: GDA, to_vessel: SMA}",
    )
    f = tmp_path / "c.yaml"
    f.write_text(src)
    sc, problems = load_scenario(f)
    assert sc is None
    assert str(problems[0]).startswith(f"{f}:25:64: anatomy.extra_vessels[0].to_vessel:")
    assert "'SMA' is not a vessel of Michels type I" in str(problems[0])
