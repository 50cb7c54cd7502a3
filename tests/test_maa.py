"""The Tc-99m MAA mapping: what it measures (lung shunt, T/N, extrahepatic uptake), that it does
not occlude or count in the treatment's outcome, its pictures, and ``dosimetry --maa``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import SCENARIOS

from sim.actions import Coil, Finish, Inject, Navigate, SelectAgent
from sim.app.cli import main
from sim.engine.final import assess_procedure
from sim.engine.procedure import Procedure
from sim.engine.scans import studies
from sim.outcome.scintigraphy import MAA, Sources, axes, lung_shunt
from sim.scenario.load import load_scenario

RESIN = SCENARIOS / "y90_resin_lsf12.yaml"


def mapping(tip: str, close: tuple[str, ...] = (), seed: int = 1, y90: bool = False) -> Procedure:
    """MAA (150 MBq, 5 mL) from ``tip`` in the 12 %-shunt resin case, the vessels ``close``
    coiled beforehand (the ``coil`` action); Y-90 after it if asked."""
    sc, _ = load_scenario(RESIN)
    proc = Procedure(sc, seed=seed)
    for name in close:
        proc.apply(Navigate(target=name))
        proc.apply(Coil())
    proc.apply(Navigate(target=tip))  # placing the catheter re-solves the flow
    proc.apply(SelectAgent(agent="maa", activity_mbq=150.0))
    proc.apply(Inject(volume_ml=5.0, rate_ml_min=5.0))
    if y90:
        proc.apply(Navigate(target="RHA", beyond="cystic"))
        proc.apply(SelectAgent(agent="y90_resin", activity_gbq=1.3))
        proc.apply(Inject(volume_ml=6.0, rate_ml_min=6.0))  # a quarter of the vial: enough
    proc.apply(Finish())
    return proc


@pytest.fixture(scope="module")
def from_cha():
    return mapping("CHA")


@pytest.fixture(scope="module")
def from_cha_gda_closed():
    return mapping("CHA", close=("GDA",))


@pytest.mark.parametrize("seed", [1, 2])
def test_whole_liver_maa_measures_the_case_lung_shunt(seed):
    study = assess_procedure(mapping("PHA", seed=seed)).maa
    assert study is not None
    assert study.lung_shunt_fraction == pytest.approx(0.12, rel=0.20)
    # read off the planar views without attenuation correction, the shunt is overestimated
    assert study.lung_shunt_uncorrected > 1.3 * study.lung_shunt_fraction


def test_tn_ratio_per_tumour_is_the_deposited_ratio(from_cha):
    study = assess_procedure(from_cha).maa
    assert [t.id for t in study.tumors] == ["T1", "T2", "T3"]
    # the case's perfusion T/N 4 deposits about 3–3.5 once the tumours' shunts take their share
    assert all(2.5 < t.tn_ratio < 4.5 for t in study.tumors)


def test_maa_does_not_occlude_and_leaves_the_treatment_outcome(from_cha):
    assert not from_cha.flow.occlusion.any()
    out = assess_procedure(from_cha)
    assert out.deposition.tumor == 0.0 and out.deposition.lung == 0.0
    assert out.non_target == () and out.metrics.reflux_ml == 0.0
    d = out.to_dict()
    assert set(d["maa"]) >= {"lung_shunt_fraction", "tumors", "extrahepatic"}
    assert d["maa"]["extrahepatic"]["gastroduodenal"] > 0.1


def _gda_roi(proc: Procedure, img: np.ndarray) -> float:
    """Mean counts of the anterior view in a 7×7-pixel box on the GDA territory's bed."""
    b = next(i for i, bed in enumerate(proc.c.beds) if bed.territory == "gastroduodenal")
    x, y = proc.c.node_pos[proc.c.edge_to[proc.c.bed_edge[b]]]
    ax, ay = axes()
    i, j = int(np.abs(ay - y).argmin()), int(np.abs(ax - x).argmin())
    return float(img[i - 3 : i + 4, j - 3 : j + 4].mean())


def test_gda_uptake_shows_on_the_planar_view_and_goes_when_the_gda_is_coiled(
    from_cha, from_cha_gda_closed
):
    open_scan = studies(from_cha).maa
    closed_scan = studies(from_cha_gda_closed).maa
    hot, cold = _gda_roi(from_cha, open_scan.anterior), _gda_roi(from_cha, closed_scan.anterior)
    liver_mean = float(np.percentile(open_scan.anterior, 90))
    assert hot > liver_mean  # a spot hotter than most of the liver
    assert cold < 0.1 * hot
    closed = assess_procedure(from_cha_gda_closed).maa
    assert closed.extrahepatic.get("gastroduodenal", 0.0) < 0.005


def test_conjugate_view_corrects_depth_for_a_single_source():
    s = Sources(
        x=np.array([100.0, 100.0]),
        y=np.array([-60.0, 80.0]),
        z=np.array([-20.0, 30.0]),
        sigma=np.ones(2),
        sigma_z=np.ones(2),
        amount=np.array([1.0, 3.0]),
        group=np.array(["lung", "hepatic"]),
    )
    corrected, raw = lung_shunt(s, MAA)
    assert corrected == pytest.approx(0.25)
    assert raw > 0.3


def test_post_treatment_scan_beside_the_mapping():
    proc = mapping("PHA", y90=True)
    st = studies(proc)
    assert st.maa is not None and st.y90 is not None
    assert st.maa.slice_y_mm == st.y90.slice_y_mm  # one slice level: compared like for like
    # from the RHA the Y-90 stays in the right lobe; the MAA from the PHA reached both
    ax, _ = axes()
    right_lobe, left_lobe = ax < 120, ax > 170
    rows = slice(40, 90)  # the liver's rows (y ≈ −5 … 170 mm)
    y_img, m_img = st.y90.anterior[rows], st.maa.anterior[rows]
    assert y_img[:, left_lobe].sum() < 0.2 * y_img[:, right_lobe].sum()
    assert m_img[:, left_lobe].sum() > 0.2 * m_img[:, right_lobe].sum()


def test_scan_pictures_are_drawn(tmp_path):
    import pygame

    from sim.render.scintigraphy import draw_studies

    proc = mapping("PHA")
    img = draw_studies(studies(proc), (900, 500))
    assert img.get_size() == (900, 500)
    arr = pygame.surfarray.array3d(img)
    assert arr[..., 0].std() > 20  # something is drawn, not a flat fill


def _plan(tmp_path, tip: str = "PHA") -> str:
    p = tmp_path / "mapping.plan.yaml"
    p.write_text(
        "actions:\n"
        f"  - navigate: {tip}\n"
        "  - select_agent: {agent: maa, activity_mbq: 150}\n"
        "  - inject: {volume_ml: 5, rate_ml_min: 5}\n"
        "  - finish\n",
        encoding="utf-8",
    )
    return str(p)


def test_dosimetry_uses_the_measured_shunt_and_tn(tmp_path, capsys):
    args = ["dosimetry", str(RESIN), "--at", "RHA", "--agent", "y90_resin"]
    args += ["--method", "partition", "--target-gy", "120", "--json"]
    assert main([*args, "--maa", _plan(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["maa"]["lung_shunt_fraction"] == pytest.approx(out["lung_shunt_fraction"], abs=1e-4)
    assert out["lung_shunt_fraction"] != pytest.approx(0.12)  # measured, not declared
    assert out["tn_ratio"] == pytest.approx(out["maa"]["tn_ratio"], abs=1e-3)
    assert out["tn_ratio"] < 4.0
    assert main([*args, "--maa", _plan(tmp_path), "--lsf", "0.12"]) == 0
    assert json.loads(capsys.readouterr().out)["lung_shunt_fraction"] == 0.12  # --lsf wins


@pytest.mark.parametrize(
    "text",
    ["actions: [", "actions:\n  - navigate: S9\n", "actions:\n  - navigate: PHA\n  - finish\n"],
)
def test_dosimetry_maa_bad_file_is_one_line_and_exit_2(tmp_path, capsys, text):
    bad = tmp_path / "bad.plan.yaml"
    bad.write_text(text, encoding="utf-8")
    rc = main(["dosimetry", str(RESIN), "--at", "RHA", "--agent", "y90_resin", "--maa", str(bad)])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("dosimetry: --maa: ") and err.count("\n") == 1


def test_dosimetry_maa_bad_record_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "x.siphon.json"
    bad.write_text('{"format": "siphon-replay"}', encoding="utf-8")
    rc = main(["dosimetry", str(RESIN), "--at", "RHA", "--agent", "y90_resin", "--maa", str(bad)])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("dosimetry: --maa: ") and err.count("\n") == 1


def test_report_has_the_nuclear_section_only_after_a_mapping(tmp_path, from_cha):
    from sim.app.report.build import build_report

    html = build_report(from_cha, assess_procedure(from_cha), {}, tmp_path / "maa").read_text()
    assert '<section id="nuclear">' in html and "Lung shunt" in html
    assert html.count("data:image/png;base64,") >= 1
    sc, _ = load_scenario(RESIN)
    plain = Procedure(sc, seed=1)
    plain.apply(Finish())
    other = build_report(plain, assess_procedure(plain), {}, tmp_path / "none").read_text()
    assert '<section id="nuclear">' not in other


def test_window_n_key_shows_the_scan(tmp_path):
    from helpers import frames, open_app

    from sim.app.scenes.procedure import ProcedureScene
    from sim.scenario.load import LoadedCase
    from sim.ui.inputs import Key

    app = open_app(tmp_path)
    sc, _ = load_scenario(RESIN)
    scene = ProcedureScene(app, LoadedCase(RESIN, sc, []))
    app.switch(scene)
    scene.proc.apply(Navigate(target="PHA"))
    scene.proc.apply(SelectAgent(agent="maa", activity_mbq=150.0))
    scene.proc.apply(Inject(volume_ml=2.0, rate_ml_min=6.0))
    frames(app, 2)
    r = scene.view.rect
    before = app.screen.subsurface(r).copy()
    scene.handle(Key("n", down=True))
    frames(app, 2)
    assert scene.view.show_scan
    import pygame

    shown = pygame.surfarray.array3d(app.screen.subsurface(r))
    # the planar views are printed dark on white: a large bright area the angiogram never has
    assert (shown.min(axis=2) > 230).mean() > 0.1
    assert (pygame.surfarray.array3d(before).min(axis=2) > 230).mean() < 0.05


def test_a_recorded_mapping_replays_to_its_digest_and_plans_the_dose(tmp_path, capsys):
    from sim.app.runner import run_recorded
    from sim.records.exchange import export_record
    from sim.records.replay import replay
    from sim.records.store import RecordStore

    store = RecordStore(tmp_path / "data")
    _, out, rid = run_recorded(store, RESIN, _plan(tmp_path))
    record = store.get(rid)
    _, again = replay(record)  # the digest covers the MAA rows: a changed deposit would fail
    assert again.to_dict()["maa"] == out.to_dict()["maa"]
    path = export_record(record, tmp_path / "mapping.siphon.json")
    args = ["dosimetry", str(RESIN), "--at", "RHA", "--agent", "y90_resin", "--json"]
    assert main([*args, "--maa", str(path)]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["lung_shunt_fraction"] == pytest.approx(out.maa.lung_shunt_fraction, abs=1e-4)


def test_activity_mbq_goes_with_maa_only(tmp_path, capsys):
    bad = tmp_path / "mbq.plan.yaml"
    bad.write_text("actions:\n  - select_agent: {agent: y90_resin, activity_mbq: 150}\n")
    assert main(["run", str(RESIN), "--plan", str(bad)]) == 2
    assert "activity_mbq goes with agent maa" in capsys.readouterr().err


def test_run_prints_the_mapping(tmp_path, capsys):
    assert main(["run", str(RESIN), "--plan", _plan(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "MAA mapping:" in out and "Lung shunt" in out and "Tumour-to-normal (SPECT)" in out
