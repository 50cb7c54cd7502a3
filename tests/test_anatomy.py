"""Anatomy: named trunk, Michels variants, distal tree statistics, tumours, beds, drawing."""

import networkx as nx
import numpy as np
import pytest
from helpers import scenario

from sim.anatomy.build import build_liver
from sim.anatomy.calibre import implied_exponent
from sim.anatomy.silhouette import DEFAULT_VOLUME_PERCENT, make_territories
from sim.flow.compile import compile_liver
from sim.rng import make_streams
from sim.scenario.models import SEGMENTS

NAMED = [
    "coeliac",
    "CHA",
    "GDA",
    "PHA",
    "RHA",
    "LHA",
    "S4",
    "RGA",
    "cystic",
    "LGA",
    "falciform",
] + list(SEGMENTS)


def _compiled(sc):
    s = make_streams(sc.anatomy.seed)
    liver = build_liver(sc, s.tree, s.tumors)
    return liver, compile_liver(liver)


def _bifurcation_exponents(liver) -> list[tuple[float, float]]:
    """(parent radius m, implied n) at every bifurcation of two derived vessels."""
    g = liver.graph
    out = []
    for u in g.nodes:
        kids = [g.edges[u, v] for v in g.successors(u)]
        parents = list(g.predecessors(u))
        if len(kids) != 2 or not parents or any(k["kind"] != "vessel" for k in kids):
            continue
        if not all(k["derived"] for k in kids):
            continue
        r0 = g.edges[parents[0], u]["radius_m"]
        out.append((r0, implied_exponent(r0, [k["radius_m"] for k in kids])))
    return out


def test_murray_exponent_by_calibre_class():
    """Large arteries (r > 1 mm) branch with a lower exponent than small ones (Nakamura & Awa
    2014; morphometry.yaml's acceptance bands for the median per class)."""
    liver, c = _compiled(scenario())
    pairs = _bifurcation_exponents(liver)
    large = [n for r, n in pairs if r > 1e-3]
    mid = [n for r, n in pairs if 0.1e-3 < r <= 1e-3]
    assert len(large) >= 2 and len(mid) > 100
    assert 2.0 <= np.median(large) <= 2.7
    assert 2.5 <= np.median(mid) <= 3.0
    assert np.median(large) < np.median(mid) - 0.2
    assert np.percentile(mid, 75) - np.percentile(mid, 25) > 0.05  # real trees scatter
    d = {n: c.radius[c.vessel_edges(n)] for n in ("CHA", "PHA", "GDA", "RHA", "LHA")}
    at_pha = implied_exponent(d["PHA"][-1], [d["RHA"][0], d["LHA"][0]])
    at_cha = implied_exponent(d["CHA"][-1], [d["PHA"][0], d["GDA"][0]])
    assert 2.0 <= at_pha <= 2.8 and 2.0 <= at_cha <= 2.8, (at_pha, at_cha)


def _path_names(c, name):
    node = int(c.edge_to[c.vessel_edges(name)[-1]])
    return [c.names[e] for e in c.path_to(node)]


def test_named_trunk_present_with_reference_calibres():
    _, c = _compiled(scenario())
    for n in NAMED:
        assert c.vessel_edges(n), n
    d = {n: 2e3 * c.radius[c.vessel_edges(n)[0]] for n in NAMED}
    assert 4.0 <= d["CHA"] <= 6.0 and 3.0 <= d["PHA"] <= 5.0
    # GDA: cast 4.1 ± 0.8 over-reads the lumen; derived from its flow share it is 3.2–3.4
    assert 3.1 <= d["GDA"] <= 4.9 and 2.0 <= d["LHA"] <= 2.6 and abs(d["RHA"] - 2.9) < 0.2
    assert d["GDA"] < d["PHA"] < d["CHA"]  # the GDA is not the widest artery (issue 13)
    for s in SEGMENTS:
        assert 0.5 <= d[s] <= 2.5, (s, d[s])  # segmental arteries 1–2 mm (reference §1.1, U)


@pytest.mark.parametrize(
    "michels, vessel, via",
    [
        ("I", "RHA", "PHA"),
        ("I", "LHA", "PHA"),
        ("II", "LHA", "LGA"),
        ("III", "RHA", "SMA"),
        ("IV", "LHA", "LGA"),
        ("IV", "RHA", "SMA"),
        ("V", "aLHA", "LGA"),
        ("VI", "aRHA", "SMA"),
    ],
)
def test_michels_variants(michels, vessel, via):
    _, c = _compiled(scenario(michels=michels))
    names = _path_names(c, vessel)
    assert via in names, (michels, vessel, names)
    if michels in ("III", "IV", "VI"):
        assert c.vessel_edges("SMA")


def test_right_gastric_origin_follows_scenario():
    for origin in ("PHA", "LHA", "GDA"):
        sc = scenario()
        sc = sc.model_copy(
            update={"anatomy": sc.anatomy.model_copy(update={"right_gastric_origin": origin})}
        )
        _, c = _compiled(sc)
        assert origin in _path_names(c, "RGA")


def test_distal_tree_size_and_murray_statistics():
    liver, c = _compiled(scenario())
    g = liver.graph
    n_vessels = int((~c.is_bed).sum())
    assert 1500 <= n_vessels <= 4000
    ns = []
    for u in g.nodes:
        kids = [v for v in g.successors(u) if g.edges[u, v]["kind"] == "vessel"]
        par = list(g.predecessors(u))
        if len(kids) != 2 or not par or g.edges[par[0], u].get("segment") is None:
            continue
        r0 = g.edges[par[0], u]["radius_m"]
        r1, r2 = (g.edges[u, v]["radius_m"] for v in kids)
        lo, hi = 1.0, 10.0
        for _ in range(60):  # bisection for n: r0^n = r1^n + r2^n
            mid = 0.5 * (lo + hi)
            if r1**mid + r2**mid > r0**mid:
                lo = mid
            else:
                hi = mid
        ns.append((r0, mid))
    ns = np.array(ns)
    mid_class = ns[(ns[:, 0] > 0.05e-3) & (ns[:, 0] <= 1e-3), 1]
    assert 2.5 <= np.median(mid_class) <= 3.2  # morphometry.yaml: 0.1–1 mm radius class
    q1, q3 = np.percentile(mid_class, [25, 75])
    assert q3 - q1 > 0.05, "real trees scatter"


def test_segment_territories_match_volume_split():
    terr = make_territories(DEFAULT_VOLUME_PERCENT)
    for s, pct in DEFAULT_VOLUME_PERCENT.items():
        assert abs(100 * terr.share[s] - pct) < 0.5


def test_boundary_tumour_has_feeders_from_both_segments():
    sc = scenario(segment="S5", offset_mm=(-28.0, 0.0), diameter_mm=50.0)
    liver, c = _compiled(sc)
    segs = {b.segment for b in c.beds if b.tumor == "T1"}
    assert len(segs) >= 2, segs
    regions = {b.region for b in c.beds if b.tumor == "T1"}
    assert regions == {"rim", "core"}


def test_tumour_mass_and_flow_follow_tn():
    liver, c = _compiled(scenario(tn=5.0))
    m = c.bed_tumor == 0
    mass = c.bed_mass_g[m].sum()
    assert mass == pytest.approx(4 / 3 * np.pi * 2.0**3 * 1.03, rel=1e-9)
    normal = np.array([b.kind == "liver" for b in c.beds])
    per_g_n = c.bed_flow0_ml_min[normal].sum() / c.bed_mass_g[normal].sum()
    rim = m & np.array([b.region == "rim" for b in c.beds])
    per_g_t = c.bed_flow0_ml_min[rim].sum() / c.bed_mass_g[rim].sum()
    assert per_g_t / per_g_n == pytest.approx(5.0, rel=1e-9)


def test_every_node_has_a_position_and_vessels_are_tortuous():
    liver, c = _compiled(scenario())
    assert np.isfinite(c.node_pos).all()
    wiggly = 0
    for e in np.flatnonzero(~c.is_bed):
        pts = c.points[e]
        chord = np.hypot(*(pts[-1] - pts[0]))
        path = np.hypot(*np.diff(pts, axis=0).T).sum()
        wiggly += path > chord * 1.001
    assert wiggly > 0.8 * (~c.is_bed).sum()


def test_anatomy_is_deterministic_per_seed_and_differs_between_seeds():
    a = _compiled(scenario())[1]
    b = _compiled(scenario())[1]
    assert np.array_equal(a.radius, b.radius) and np.array_equal(a.node_pos, b.node_pos)
    sc = scenario()
    sc2 = sc.model_copy(update={"anatomy": sc.anatomy.model_copy(update={"seed": 99})})
    c2 = _compiled(sc2)[1]
    assert a.n_edges != c2.n_edges or not np.array_equal(a.radius, c2.radius)


def test_graph_is_a_tree_rooted_at_the_aorta():
    liver, _ = _compiled(scenario())
    assert nx.is_arborescence(liver.graph)
    kinds = {d["kind"] for *_, d in liver.graph.edges(data=True)}
    assert kinds == {"vessel", "bed"}
