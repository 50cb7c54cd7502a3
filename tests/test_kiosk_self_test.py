"""``kiosk --self-test`` fails when no game completed (it used to report ok after zero games)."""

import os

import pytest
from helpers import ROOT

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from sim.app.kiosk.app import KioskApp  # noqa: E402
from sim.app.kiosk.driver import run_self_test  # noqa: E402
from sim.scenario.playlist import load_playlist  # noqa: E402


@pytest.fixture
def app(tmp_path):
    playlist, problems = load_playlist(ROOT / "playlists" / "workshop.yaml")
    assert problems == []
    a = KioskApp(playlist, size=(1280, 720), data=tmp_path)
    yield a
    a.close()


def test_a_self_test_in_which_no_game_completed_fails_and_says_why(app):
    rep = run_self_test(app, sim_s=20.0, seed=1)  # far too short for a game
    assert rep.games == 0 and not rep.ok
    assert rep.problems[0] == f"no game completed in {rep.sim_s:.0f} kiosk seconds"
    assert rep.line().startswith("self-test FAILED: no game completed in ")
