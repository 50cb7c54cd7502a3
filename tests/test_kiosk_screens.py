"""The booth's screens: a game shows what a real room shows (no pause or speed buttons, no
teaching overlay, no live non-target), the choose screen highlights the case the expert just
demonstrated, and the board ranks each difficulty apart with the expert's score as a row."""

import os

import pygame
import pytest
from helpers import ROOT
from test_kiosk import finished_record

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from sim.app.kiosk import expert  # noqa: E402
from sim.app.kiosk.app import KioskApp  # noqa: E402
from sim.app.kiosk.board import LeaderboardScene  # noqa: E402
from sim.app.kiosk.choose import ChooseScene  # noqa: E402
from sim.app.kiosk.game import GameScene  # noqa: E402
from sim.scenario.playlist import load_playlist  # noqa: E402


@pytest.fixture(scope="module")
def playlist():
    pl, problems = load_playlist(ROOT / "playlists" / "workshop.yaml")
    assert problems == []
    return pl


@pytest.fixture
def app(playlist, tmp_path):
    a = KioskApp(playlist, size=(1280, 720), data=tmp_path)
    yield a
    a.close()


def test_a_game_has_no_pause_speed_or_teaching(app):
    app.play(0)
    app.frame(0.05)
    game = app.scene
    assert isinstance(game, GameScene) and game.exam and game.panel.exam
    commands = set(game.panel.buttons.values())
    assert not commands & {"pause", "speed", "teaching"}
    assert {"dsa", "roadmap", "help", "finish"} <= commands
    game.controls.command("teaching")
    assert not game.view.teaching


def test_choose_highlights_the_case_just_demonstrated(app):
    app.go_attract(1)
    app.frame(0.05)
    app.attract_done(1)  # the demo ended: the board, the rotation moves on to case 2
    app.frame(0.05)
    assert isinstance(app.scene, LeaderboardScene) and app.rotation == 2
    app.start_game()  # a key on the board
    choose = app.scene
    assert isinstance(choose, ChooseScene)
    assert choose.indices[choose.sel] == 1


def test_boards_per_difficulty_with_the_expert_row(app, playlist):
    for k, pcase in enumerate(playlist.cases):
        expert.note(pcase, 50.0 + k)
        finished_record(app.store, pcase, f"P{k}", 1.0 + k)
    board = LeaderboardScene(app, hold=True)
    boards = board.difficulty_boards()
    levels = sorted({c.scenario.difficulty for c in playlist.cases})
    assert [d for d, _ in boards] == levels and len(levels) > 1
    by_id = {c.case_id: c.scenario.difficulty for c in playlist.cases}
    for d, rows in boards:
        assert {by_id[r[2]] for r in rows} == {d}, "no case of another difficulty"
        experts = [r for r in rows if r[3] is None]
        cases_here = [c for c in playlist.cases if c.scenario.difficulty == d]
        assert len(experts) == len(cases_here) and experts[0][0] == "EXPERT"
        assert [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True)
    app.switch(board)
    app.frame(0.05)
    assert pygame.surfarray.array3d(app.screen).std() > 10
