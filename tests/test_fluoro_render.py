"""The fluoroscopy view shows what the physics says: meanings on pixel regions, not pixels."""

from __future__ import annotations

from sim.render.headless import use_dummy_video_if_headless

use_dummy_video_if_headless()

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402
from helpers import SCENARIOS  # noqa: E402

from sim.actions import Contrast, Navigate, SelectAgent, SetInjection  # noqa: E402
from sim.engine.procedure import DT, Procedure  # noqa: E402
from sim.render.fluoro import FluoroView  # noqa: E402
from sim.render.teaching import AGENT_COLORS  # noqa: E402
from sim.scenario.load import load_scenario  # noqa: E402

SIZE = (960, 640)


def default_proc() -> Procedure:
    sc, problems = load_scenario(SCENARIOS / "default.yaml")
    assert sc is not None, problems
    return Procedure(sc)


def grey(surf: pygame.Surface) -> np.ndarray:
    """(W, H) brightness."""
    return pygame.surfarray.array3d(surf).astype(float).mean(axis=2)


def disc_mean(img: np.ndarray, center, r: float) -> float:
    x, y = np.meshgrid(np.arange(img.shape[0]), np.arange(img.shape[1]), indexing="ij")
    return float(img[(x - center[0]) ** 2 + (y - center[1]) ** 2 <= r * r].mean())


def line_samples(pts) -> np.ndarray:
    """Integer pixels densely along a polyline."""
    out = []
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        n = max(2, int(np.hypot(b[0] - a[0], b[1] - a[1])) + 1)
        out.append(np.linspace(a, b, n))
    return np.round(np.concatenate(out)).astype(int) if out else np.zeros((0, 2), int)


def line_mean(img: np.ndarray, pts) -> float:
    s = line_samples(pts)
    return float(img[s[:, 0], s[:, 1]].mean())


def vessel_px(view: FluoroView, name: str) -> list[tuple[int, int]]:
    """Polyline of a named vessel (all its edges, proximal first)."""
    pts: list[tuple[int, int]] = []
    for e in view.c.vessel_edges(name):
        pts += view.edge_px(e)
    return pts


@pytest.fixture(scope="module")
def pha_run():
    p = default_proc()
    p.apply(Navigate(target="PHA"))
    v = FluoroView(p, SIZE)
    before = grey(v.render(seed_frame=3))
    p.apply(Contrast(volume_ml=4, rate_ml_s=2))
    return p, v, before


def test_tumour_blushes_more_than_normal_liver(pha_run):
    p, v, before = pha_run
    run = p.contrast_runs[-1]
    after = grey(v.render(t=run.t0 + run.duration + 1.0, seed_frame=3))
    (cx, cy), r = v.tumor_px(0)
    d_tumour = disc_mean(before, (cx, cy), 0.6 * r) - disc_mean(after, (cx, cy), 0.6 * r)
    tumour_seg = p.liver.tumors[0].spec.segment
    normal = "S8" if tumour_seg != "S8" else "S3"
    ctr = v.to_screen(p.liver.territories.centroid(normal))
    d_normal = disc_mean(before, ctr, 0.6 * r) - disc_mean(after, ctr, 0.6 * r)
    assert d_tumour > 15.0, d_tumour
    assert d_tumour > 3.0 * max(d_normal, 0.5), (d_tumour, d_normal)
    assert d_normal > 0.0, "normal liver blushes faintly"


def test_roadmap_holds_the_last_run(pha_run):
    p, v, _ = pha_run
    rha = vessel_px(v, "RHA")
    late = p.contrast_runs[-1].t0 + 30.0
    plain = line_mean(grey(v.render(t=late, seed_frame=1)), rha)
    road = line_mean(grey(v.render(t=late, roadmap=True, seed_frame=1)), rha)
    assert road > plain + 10.0, "the roadmap shows the vessel light on fluoroscopy"


def test_catheter_tip_on_the_selected_vessel():
    p = default_proc()
    p.apply(Navigate(target="RHA"))
    v = FluoroView(p, SIZE)
    tip = v.tip_px()
    e = v.pick(tip)
    assert e is not None
    assert p.c.names[e] == "RHA" or p.c.edge_to[e] == p.flow.tip
    img = grey(v.render())
    assert disc_mean(img, tip, 1.5) < 50.0
    assert disc_mean(img, tip, 1.5) < disc_mean(img, (tip[0] + 25, tip[1] + 25), 4) - 60.0


def test_reflux_opacifies_non_target_vessels():
    p = default_proc()
    p.apply(Navigate(target="RHA", beyond="cystic"))  # the cystic behind the tip, as refluxed
    v = FluoroView(p, SIZE)
    p.apply(Contrast(volume_ml=4, rate_ml_s=2))
    r0 = p.contrast_runs[-1]
    before = grey(v.render(t=r0.t0 + 1.0, seed_frame=2))
    p.apply(SelectAgent(agent="bland", size_um=(100, 300)))
    p.apply(SetInjection(rate_ml_min=4.0))
    while not any(ev.kind == "reflux" for ev in p.events) and p.t < 600:
        p.step()
    assert any(ev.kind == "reflux" for ev in p.events)
    p.apply(SetInjection(rate_ml_min=0.0))
    p.apply(Contrast(volume_ml=4, rate_ml_s=2))
    r1 = p.contrast_runs[-1]
    after = grey(v.render(t=r1.t0 + 1.0, seed_frame=2))
    darker = {
        n: line_mean(before, vessel_px(v, n)) - line_mean(after, vessel_px(v, n))
        for n in ("GDA", "RGA", "cystic")
        if p.c.vessel_edges(n)
    }
    assert max(darker.values()) > 20.0, darker


@pytest.fixture(scope="module")
def packets():
    """≥ a few thousand bland packets in flight below the RHA (as bench_particles builds it)."""
    p = default_proc()
    p.apply(Navigate(target="RHA"))
    tr = p.transport
    for _ in range(6):
        tr.release(p.flow.tip, "bland", np.full(2000, 40e-6), 1.0, 0.0, 0.0)
        tr.step(DT)
        tr.take_occlusion()
    assert tr.n_in_flight > 3000
    return p, FluoroView(p, SIZE)


def test_teaching_shows_particles_that_fluoro_does_not(packets):
    p, v = packets
    col = np.array(AGENT_COLORS["bland"])
    flow0, n0, rng0 = (
        p.flow.flow.copy(),
        p.transport.n_in_flight,
        p.streams.transport.bit_generator.state,
    )

    def dots(surf):
        return int(np.all(pygame.surfarray.array3d(surf) == col, axis=2).sum())

    plain = dots(v.render(mode="fluoro"))
    teach = dots(v.render(mode="fluoro", teaching=True))
    assert plain == 0
    assert teach > 1000, teach
    # drawing never changes the simulation
    assert np.array_equal(p.flow.flow, flow0) and p.transport.n_in_flight == n0
    assert p.streams.transport.bit_generator.state == rng0


def test_dsa_is_light_clean_and_shows_contrast(pha_run):
    p, v, _ = pha_run
    run = p.contrast_runs[-1]
    t = run.t0 + 1.0
    fl = grey(v.render(t=t, mode="fluoro", seed_frame=5))
    ds = grey(v.render(t=t, mode="dsa", seed_frame=5))
    c = v.to_screen((240.0, 205.0))  # low right: no vessel, no liver
    box = (slice(c[0] - 20, c[0] + 20), slice(c[1] - 20, c[1] + 20))
    assert ds[box].mean() > fl[box].mean() + 20.0
    assert ds[box].std() < 0.5 * fl[box].std()
    assert line_mean(ds, vessel_px(v, "RHA")) < ds[box].mean() - 40.0


def test_pick_and_vessels_invisible_without_contrast():
    p = default_proc()
    p.apply(Navigate(target="CHA"))
    v = FluoroView(p, SIZE)
    for name in ("CHA", "GDA", "PHA", "RHA", "LHA"):
        edges = p.c.vessel_edges(name)
        pts = v.edge_px(edges[len(edges) // 2])
        e = v.pick(pts[len(pts) // 2])
        assert e is not None and p.c.names[e] == name, (name, e and p.c.names[e])
    assert v.pick((2, 2)) is None
    img = grey(v.render(seed_frame=7))
    cath = line_mean(img, v.edge_px(p.flow.tip_edge()))
    for name in ("GDA", "RHA", "LHA"):
        assert line_mean(img, vessel_px(v, name)) > cath + 40.0, name
    dsa = grey(v.render(mode="dsa", seed_frame=7))
    c = v.to_screen((240.0, 205.0))
    assert abs(line_mean(dsa, vessel_px(v, "RHA")) - dsa[c[0], c[1]]) < 12.0


def test_render_is_repeatable_and_sized(packets):
    p, v = packets
    a = pygame.surfarray.array3d(v.render(seed_frame=4, teaching=True))
    b = pygame.surfarray.array3d(v.render(seed_frame=4, teaching=True))
    assert np.array_equal(a, b)
    v.resize((400, 300))
    assert v.render().get_size() == (400, 300)
    w = v.to_world(v.to_screen((100.0, 80.0)))
    assert abs(w[0] - 100.0) < 1.0 and abs(w[1] - 80.0) < 1.0
    v.resize(SIZE)


def _embolize(render: bool) -> tuple[bytes, np.ndarray]:
    p = default_proc()
    p.apply(Navigate(target="RHA"))
    v = FluoroView(p, (320, 200)) if render else None
    p.apply(SelectAgent(agent="bland", size_um=(100, 300)))
    p.apply(SetInjection(rate_ml_min=4.0))
    for i in range(600):
        p.step()
        if v is not None and i % 3 == 0:
            v.render(mode=("fluoro", "dsa")[i % 2], teaching=i % 4 == 0, roadmap=True)
    tr = p.transport
    s = tr.slots
    state = b"".join(
        np.ascontiguousarray(a).tobytes()
        for a in (s.t_end, tr.hops.edge, s.end_edge, s.pending, p.flow.flow)
    )
    return state, tr.tallies().dep_count


def test_drawing_never_changes_the_simulation():
    """Same actions with and without a renderer watching: bit-identical transport and flow."""
    plain, dep_plain = _embolize(render=False)
    watched, dep_watched = _embolize(render=True)
    assert plain == watched
    assert np.array_equal(dep_plain, dep_watched)


def test_a_coil_pack_shows_radiopaque_on_fluoroscopy_not_on_dsa():
    from sim.actions import Coil

    p = default_proc()
    p.apply(Navigate(target="CHA"))
    v = FluoroView(p, SIZE)
    pts = v.edge_px(p.c.vessel_edges("GDA")[0])
    spot = pts[3 * len(pts) // 4]  # in the distal half of the GDA, where the pack lies
    before = disc_mean(grey(v.render()), spot, 2.0)
    p.apply(Navigate(target="GDA"))
    p.apply(Coil())  # the catheter is pulled back to the CHA: only the coil is in the GDA
    after = disc_mean(grey(v.render()), spot, 2.0)
    assert after < before - 40.0
    assert disc_mean(grey(v.render(mode="dsa")), spot, 2.0) > after + 40.0
