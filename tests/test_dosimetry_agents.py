"""Dosimetry worked examples (reference.md §4.4) and the agent catalogue."""

import numpy as np
import pytest

from sim.agents import AGENTS, draw_diameters_m, mean_diameter_um, n_spheres, spheres_per_ml
from sim.outcome.dosimetry import (
    activity_for_dose_gbq,
    bsa_activity_gbq,
    lsf_reduction,
    lung_dose_gy,
    mird_dose_gy,
    partition_activity_gbq,
    partition_doses_gy,
    resin_equivalent_gy,
)


def test_glass_lung_limit_example():
    assert lung_dose_gy(0.61, 1.0) == pytest.approx(30.0, rel=0.02)
    assert lung_dose_gy(0.61, 1.2) == pytest.approx(25.4, rel=0.01)


def test_mird_constant_within_one_percent_of_50():
    assert mird_dose_gy(1.0, 1.0) == pytest.approx(50.0, rel=0.01)


def test_sphere_counts():
    assert n_spheres("y90_glass", 3.0) == pytest.approx(1.2e6, rel=0.10)
    assert 40e6 <= n_spheres("y90_resin", 3.0) <= 80e6
    with pytest.raises(ValueError):
        n_spheres("bland", 1.0)


def test_bsa_cohort_range():
    """Grosser 2015: BSA 1.40–2.52 m², involvement 0–50 % → ≈ 1.0–2.8 GBq."""
    for bsa in np.linspace(1.40, 2.52, 8):
        for tf in (0.0, 0.25, 0.5):
            for lsf in (0.0, 0.12, 0.17):
                a = bsa_activity_gbq(bsa, tf, lsf)
                assert 0.7 <= a <= 2.85, (bsa, tf, lsf, a)


def test_lsf_rules():
    assert lsf_reduction(0.05) == 1.0 and lsf_reduction(0.12) == 0.8
    assert lsf_reduction(0.17) == 0.6 and lsf_reduction(0.25) is None
    assert bsa_activity_gbq(1.8, 0.25, 0.12) == pytest.approx(1.48, abs=0.01)


def test_self_consistency_examples():
    a = activity_for_dose_gbq(120.0, 1.03, 0.05)
    assert a == pytest.approx(2.60, abs=0.02)
    assert lung_dose_gy(a * 0.05) == pytest.approx(6.5, abs=0.1)
    a6 = partition_activity_gbq(210.0, 0.3, 1.2, 3.0, 0.10)
    assert a6 == pytest.approx(3.27, abs=0.03)
    d_t, d_n, d_l = partition_doses_gy(a6, 0.3, 1.2, 3.0, 0.10)
    assert d_t == pytest.approx(210.0, rel=1e-9) and d_n == pytest.approx(70.0, rel=1e-9)
    assert d_l == pytest.approx(16.3, abs=0.2)


def test_device_equivalence():
    assert resin_equivalent_gy(120.0, "y90_glass") == pytest.approx(70.0)
    assert resin_equivalent_gy(70.0, "y90_resin") == 70.0


@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_size_draws_follow_the_product(agent):
    spec = AGENTS[agent]
    rng = np.random.default_rng(0)
    for lo, hi in spec.sizes_um:
        d = draw_diameters_m(agent, (lo, hi), 4000, rng) * 1e6
        base = d if spec.clump_probability == 0 else np.sort(d)[: int(0.8 * d.size)]
        mid = np.median(base)
        assert abs(mid - mean_diameter_um(agent, (lo, hi))) < 0.1 * (hi - lo) * spec.size_factor + 2
        assert d.min() > 0


def test_y90_spheres_are_drawn_around_the_published_means_within_their_ranges():
    rng = np.random.default_rng(2)
    resin = draw_diameters_m("y90_resin", (20, 60), 20000, rng) * 1e6
    glass = draw_diameters_m("y90_glass", (20, 30), 20000, rng) * 1e6
    assert np.median(resin) == pytest.approx(32.5, abs=0.5)  # not the range's middle, 40
    assert resin.std() == pytest.approx(10.0, rel=0.2)
    assert resin.min() >= 20 and resin.max() <= 60
    assert np.median(glass) == pytest.approx(25.0, abs=0.3)
    assert glass.min() >= 20 and glass.max() <= 30


def test_deb_shrinks_and_pva_runs_larger():
    rng = np.random.default_rng(1)
    deb = draw_diameters_m("deb", (100, 300), 5000, rng).mean()
    bland = draw_diameters_m("bland", (100, 300), 5000, rng).mean()
    pva = draw_diameters_m("pva", (150, 250), 5000, rng).mean()
    assert deb == pytest.approx(0.8 * bland, rel=0.05)
    assert pva > 200e-6 * 1.2


def test_smaller_spheres_mean_more_per_ml():
    assert spheres_per_ml("bland", (40, 120)) > 50 * spheres_per_ml("bland", (300, 500))
    assert spheres_per_ml("y90_resin", (20, 60), 2.5) == pytest.approx(
        n_spheres("y90_resin", 2.5) / 25.0
    )


def _ctace(oil_ratio: float, emulsion_ml: float | None = None, volume_ml: float = 3.0):
    from helpers import SCENARIOS

    from sim.actions import Finish, Inject, Navigate, SelectAgent
    from sim.engine.final import assess_procedure
    from sim.engine.procedure import Procedure
    from sim.scenario.load import load_scenario

    sc, _ = load_scenario(SCENARIOS / "ctace_lipiodol.yaml")
    p = Procedure(sc)
    p.apply(Navigate(target="feeder:T1"))
    p.apply(SelectAgent(agent="lipiodol", oil_ratio=oil_ratio, emulsion_ml=emulsion_ml))
    p.apply(Inject(volume_ml=volume_ml, rate_ml_min=2.0))
    p.apply(Finish())
    return p, assess_procedure(p)


def test_lipiodol_ratio_sets_oil_and_drug_and_the_drawn_volume_limits_delivery():
    lean, out_lean = _ctace(1.0)
    rich, out_rich = _ctace(3.0)
    # 1:1 is half oil, 1:3 three quarters; drug is the aqueous share
    assert lean.metrics.oil_ml == pytest.approx(1.5, rel=1e-6)
    assert rich.metrics.oil_ml == pytest.approx(2.25, rel=1e-6)
    assert rich.metrics.drug_mg < lean.metrics.drug_mg
    t_lean = out_lean.tumors[0].lipiodol_ml
    t_rich = out_rich.tumors[0].lipiodol_ml
    assert t_rich > 1.2 * t_lean > 0
    drawn, _ = _ctace(2.0, emulsion_ml=1.0)
    assert drawn.metrics.agent_ml["lipiodol"] == pytest.approx(1.0, rel=1e-6)
