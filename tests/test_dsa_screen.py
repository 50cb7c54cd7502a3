"""The angiogram on the composed procedure screen: phases, subtraction, roadmap, cine, panel.

Meanings on pixel regions of the whole window (SDL dummy driver), not pixels: arteries dark at
the arterial peak and light after washout, tumour blush darker than liver, no catheter in DSA,
the roadmap visible in fluoroscopy, the cine loop showing the run's own exposures.
"""

from __future__ import annotations

import os

import numpy as np
import pygame
import pytest
from helpers import SCENARIOS

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from sim.app.scenes.procedure import ProcedureScene  # noqa: E402
from sim.app.session import CONTRAST_ML_SPAN, CONTRAST_RATE_SPAN  # noqa: E402
from sim.app.window import App  # noqa: E402
from sim.engine.procedure import DT  # noqa: E402
from sim.scenario.load import LoadedCase, load_scenario  # noqa: E402
from sim.ui.inputs import WidgetEvent  # noqa: E402


def screen(app) -> np.ndarray:
    """(W, H) brightness of the composed window."""
    return pygame.surfarray.array3d(app.screen).astype(float).mean(axis=2)


def key(k) -> None:
    for kind in (pygame.KEYDOWN, pygame.KEYUP):
        pygame.event.post(pygame.event.Event(kind, key=k, mod=0, unicode="", scancode=0))


def polyline(pts) -> np.ndarray:
    """Integer pixels densely along a polyline."""
    out = [
        np.linspace(a, b, max(2, int(np.hypot(b[0] - a[0], b[1] - a[1])) + 1))
        for a, b in zip(pts[:-1], pts[1:], strict=True)
    ]
    return np.round(np.concatenate(out)).astype(int)


def along(img, pts) -> float:
    s = polyline(pts)
    return float(img[s[:, 0], s[:, 1]].mean())


def disc(img, center, r, stat=np.mean) -> float:
    x, y = np.meshgrid(np.arange(img.shape[0]), np.arange(img.shape[1]), indexing="ij")
    return float(stat(img[(x - center[0]) ** 2 + (y - center[1]) ** 2 <= r * r]))


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The default case in the window, paused (the test sets the clock), catheter in the PHA,
    one contrast run from the panel's settings (C key)."""
    app = App(size=(1280, 800), data=tmp_path_factory.mktemp("data"))
    path = SCENARIOS / "default.yaml"
    sc, _ = load_scenario(path)
    app.switch(ProcedureScene(app, LoadedCase(path, sc, [])))
    app.frame(1 / 60)
    scene = app.scene
    scene.session.paused = True
    scene.session.navigate("PHA")
    key(pygame.K_c)
    app.frame(1 / 60)
    yield app, scene
    pygame.display.quit()


def show(app, scene, t_after_run: float, mode: str = "dsa", roadmap: bool = False):
    """The screen ``t_after_run`` s after the last run started (the clock only moves on)."""
    run = scene.proc.contrast_runs[-1]
    scene.proc.run_to(round((run.t0 + t_after_run) / DT))
    scene.view.mode, scene.view.roadmap = mode, roadmap
    app.frame(1 / 60)
    return screen(app)


def test_arteries_dark_at_peak_light_after_washout_and_tumour_blushes(case):
    app, scene = case
    v, p = scene.view.fluoro, scene.proc
    assert [e.kind for e in p.events].count("contrast") == 1, "C started one run"
    rha = [q for e in p.c.vessel_edges("RHA") for q in v.edge_px(e)]
    liver = v.to_screen(p.liver.territories.centroid("S8"))
    peak = show(app, scene, 1.5)
    assert along(peak, rha) < disc(peak, liver, 25, np.median) - 60.0
    capillary = show(app, scene, 6.0)
    (tc, tr) = v.tumor_px(0)
    assert disc(capillary, tc, 0.6 * tr) < disc(capillary, liver, 25, np.median) - 30.0
    washed = show(app, scene, 16.0)
    assert along(washed, rha) > along(peak, rha) + 60.0
    assert abs(along(washed, rha) - disc(washed, liver, 25, np.median)) < 25.0


def test_the_catheter_is_subtracted_in_dsa_and_seen_in_fluoroscopy(case):
    app, scene = case
    v, p = scene.view.fluoro, scene.proc
    x, y0 = v.to_screen(p.c.node_pos[p.c.root])
    ys = np.arange(y0 + 30, v.size[1] - 60)
    for mode, dark in (("fluoro", True), ("dsa", False)):
        img = show(app, scene, 20.0, mode)
        line = img[x, ys].mean()
        beside = 0.5 * (img[x - 14, ys].mean() + img[x + 14, ys].mean())
        assert (line < beside - 40.0) if dark else abs(line - beside) < 6.0, (mode, line, beside)


def test_roadmap_shows_the_last_run_in_fluoroscopy_at_its_opacity(case):
    app, scene = case
    v, p = scene.view.fluoro, scene.proc
    rha = [q for e in p.c.vessel_edges("RHA") for q in v.edge_px(e)]
    plain = along(show(app, scene, 30.0, "fluoro"), rha)
    scene.session.roadmap_opacity = 0.5
    half = along(show(app, scene, 30.0, "fluoro", roadmap=True), rha)
    key(pygame.K_o)  # 50 % -> 75 %
    app.frame(1 / 60)
    assert scene.session.roadmap_opacity == 0.75
    assert scene.panel.road_label.text == "Roadmap opacity 75 %"
    full = along(show(app, scene, 30.0, "fluoro", roadmap=True), rha)
    assert half > plain + 30.0 and full > half + 10.0, (plain, half, full)


def test_cine_replays_and_scrubs_the_runs_exposures(case):
    app, scene = case
    s, v = scene.session, scene.view.fluoro
    show(app, scene, 30.0, "fluoro")
    key(pygame.K_v)
    app.frame(1 / 60)
    assert s.cine is not None and s.cine.playing
    key(pygame.K_RIGHT)
    app.frame(1 / 60)
    assert not s.cine.playing
    for _ in range(3):
        key(pygame.K_RIGHT)
    key(pygame.K_LEFT)
    app.frame(1 / 60)
    i = s.cine.i
    assert s.cine.time() == pytest.approx(p_t0(scene) + i / s.cine.fps)
    expect = pygame.surfarray.array3d(v.render(s.cine.time(), mode="dsa")).mean(axis=2)
    got = screen(app)[: v.size[0], : v.size[1]]
    inner = (slice(40, v.size[0] - 40), slice(80, v.size[1] - 80))  # under the overlay text
    assert np.abs(got[inner] - expect[inner]).mean() < 1.0
    n = s.cine.available(s.proc.t)
    assert n == s.cine.n > 20, "the whole run, its capillary and venous phases"
    key(pygame.K_RETURN)
    app.frame(1 / 60)
    assert s.cine.playing
    for _ in range(30):
        app.frame(1 / 30)
    assert s.cine.i != i
    key(pygame.K_v)
    app.frame(1 / 60)
    assert s.cine is None


def p_t0(scene) -> float:
    return scene.proc.contrast_runs[-1].t0


def test_contrast_volume_and_rate_set_in_the_panel_within_limits(case):
    app, scene = case
    s, panel = scene.session, scene.panel
    for slider, value in ((panel.cvol_slider, 50.0), (panel.crate_slider, 9.0)):
        panel.ui_event(WidgetEvent("slider_moved", slider, value=value))
    assert (s.contrast_ml, s.contrast_ml_s) == (CONTRAST_ML_SPAN[1], CONTRAST_RATE_SPAN[1])
    assert panel.cvol_label.text == f"Contrast {CONTRAST_ML_SPAN[1]:.1f} mL"
    s.set_contrast(volume_ml=0.0, rate_ml_s=1.04)
    assert (s.contrast_ml, s.contrast_ml_s) == (CONTRAST_ML_SPAN[0], 1.0)
    show(app, scene, 40.0, "fluoro")
    key(pygame.K_c)
    app.frame(1 / 60)
    last = [e for e in scene.proc.events if e.kind == "contrast"][-1]
    assert (last.volume_ml, last.rate_ml_s) == (CONTRAST_ML_SPAN[0], 1.0)
