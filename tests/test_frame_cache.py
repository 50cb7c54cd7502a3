"""Between two physics steps the fluoroscopy view re-uses the state's transmission image and
only adds the frame's noise: the frames are the ones an uncached view draws, and the image is
composed again as soon as the state moves (a step, an action)."""

from __future__ import annotations

from sim.render.headless import use_dummy_video_if_headless

use_dummy_video_if_headless()

import numpy as np  # noqa: E402
import pygame  # noqa: E402
from helpers import scenario  # noqa: E402

from sim.actions import Navigate, SetInjection, StartContrast  # noqa: E402
from sim.engine.procedure import Procedure  # noqa: E402
from sim.render.fluoro import FluoroView  # noqa: E402

SIZE = (320, 240)


def pixels(surf) -> np.ndarray:
    return pygame.surfarray.array3d(surf).copy()


def test_frames_between_steps_reuse_the_state_and_match_an_uncached_view(monkeypatch):
    p = Procedure(scenario())
    p.apply(Navigate(target="RHA"))
    p.apply(StartContrast(volume_ml=3.0, rate_ml_s=2.0))
    for _ in range(10):
        p.step()
    view = FluoroView(p, SIZE)
    composed = []
    real = view._transmission
    monkeypatch.setattr(view, "_transmission", lambda *a: composed.append(a[0]) or real(*a))
    frames = [pixels(view.render(seed_frame=k)) for k in range(3)]
    assert len(composed) == 1  # one state: composed once, three noise frames
    assert not np.array_equal(frames[0], frames[1])  # the noise still moves every frame
    for k in range(3):
        fresh = FluoroView(p, SIZE).render(seed_frame=k)
        assert np.array_equal(frames[k], pixels(fresh))
    p.step()
    view.render(seed_frame=3)
    p.apply(SetInjection(rate_ml_min=1.0))  # an action between steps moves the state too
    view.render(seed_frame=4)
    view.render(mode="dsa", seed_frame=4)
    assert len(composed) == 4
