"""The fluoroscopy maps are kept across views and procedures (sim/render/maps.py): a second
procedure of the same case draws from the same maps and the same pixels as maps built afresh;
another angulation, size or anatomy gets its own, another case seen the same way shares only the
backdrop (and still draws its own pixels); the kept maps stay within their bounds."""

from __future__ import annotations

from sim.render.headless import use_dummy_video_if_headless

use_dummy_video_if_headless()

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402
from helpers import scenario  # noqa: E402

from sim.actions import Navigate, StartContrast  # noqa: E402
from sim.engine.anatomy_cache import forget_anatomies  # noqa: E402
from sim.engine.procedure import Procedure  # noqa: E402
from sim.render import maps as maps_mod  # noqa: E402
from sim.render.fluoro import FluoroView  # noqa: E402
from sim.render.projection import CArm  # noqa: E402

SIZE = (320, 240)


@pytest.fixture(autouse=True)
def empty_cache():
    maps_mod.forget_maps()
    yield
    maps_mod.forget_maps()


def contrast_case(sc=None, seed: int = 1) -> Procedure:
    p = Procedure(sc or scenario(), seed)
    p.apply(Navigate(target="RHA"))
    p.apply(StartContrast(volume_ml=3.0, rate_ml_s=2.0))
    for _ in range(10):
        p.step()
    return p


def frame(view: FluoroView, mode: str = "fluoro") -> np.ndarray:
    return pygame.surfarray.array3d(view.render(seed_frame=2, mode=mode)).copy()


def test_two_procedures_of_one_case_share_the_maps_and_draw_the_same_pixels(monkeypatch):
    built = []
    real = maps_mod.build_maps
    monkeypatch.setattr(maps_mod, "build_maps", lambda *a: built.append(a[3].geo.size) or real(*a))
    first = FluoroView(contrast_case(), SIZE)
    forget_anatomies()
    again = contrast_case()  # the same case, a new procedure (its own tree, built again)
    assert again.c is not first.proc.c
    shared = FluoroView(again, SIZE)
    assert shared.maps is first.maps and built == [SIZE]
    drawn = {mode: frame(shared, mode) for mode in ("fluoro", "dsa")}
    maps_mod.forget_maps()
    fresh = FluoroView(again, SIZE)
    assert fresh.maps is not first.maps and built == [SIZE, SIZE]
    for mode, pixels in drawn.items():
        assert np.array_equal(pixels, frame(fresh, mode)), mode


def test_another_angulation_size_or_anatomy_gets_its_own_maps():
    view = FluoroView(contrast_case(), SIZE)
    ap = view.maps
    view.set_arm(CArm(20.0, 0.0))
    lao = view.maps
    assert lao is not ap and not np.array_equal(lao.edge_id, ap.edge_id)
    other = FluoroView(contrast_case(), SIZE)
    other.set_arm(CArm(20.0, 10.0))
    assert other.maps is not lao and other.maps is not ap
    other.set_arm(CArm(20.0, 0.0))
    assert other.maps is lao  # back at an angulation seen before: kept
    assert FluoroView(contrast_case(), (336, 240)).maps is not ap
    moved = scenario(segment="S8")  # another case: the tumour elsewhere
    assert FluoroView(contrast_case(moved), SIZE).maps is not ap
    assert FluoroView(contrast_case(seed=7), SIZE).maps is ap  # the seed is not the anatomy's


def test_another_case_seen_the_same_way_shares_the_backdrop_and_draws_its_own_pixels():
    first = FluoroView(contrast_case(), SIZE)
    moved = contrast_case(scenario(segment="S8", diameter_mm=30.0))
    view = FluoroView(moved, SIZE)
    assert view.maps is not first.maps
    assert view.maps.tissue is first.maps.tissue and view.maps.noise is first.maps.noise
    assert not np.array_equal(view.maps.bed_w, first.maps.bed_w)  # its own tumour and beds
    drawn = frame(view)
    maps_mod.forget_maps()
    assert np.array_equal(drawn, frame(FluoroView(moved, SIZE)))


def test_the_kept_maps_stay_within_their_count_and_memory(monkeypatch):
    kept = maps_mod.MAPS
    view = FluoroView(contrast_case(), SIZE)
    for k in range(kept.count + 2):
        view.resize((200 + 8 * k, 150))
    assert len(kept.entries) == kept.count
    assert len(maps_mod.BACKDROPS.entries) == maps_mod.BACKDROPS.count
    assert view.maps is next(reversed(kept.entries.values()))  # the newest stays
    budget = kept.megabytes() / 2
    monkeypatch.setattr(kept, "mb", budget)
    view.resize((400, 150))
    assert kept.megabytes() <= budget and 1 < len(kept.entries) < kept.count
    monkeypatch.setattr(kept, "mb", 0.0)
    view.resize((408, 150))
    assert list(kept.entries.values()) == [view.maps]  # at least the one in use
