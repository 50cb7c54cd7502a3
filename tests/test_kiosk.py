"""Workshop mode: the real kiosk window driven headless with synthetic events (SDL dummy).

Kiosk time is the sum of the frames' dt; frames of 0.25 s (the procedure screen's own per-frame
clamp, so no physics is skipped) make a minute of booth time 240 frames.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pygame
import pytest
from helpers import ROOT

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from sim.actions import Finish, Inject, Navigate, SelectAgent, Wait  # noqa: E402
from sim.app.kiosk.app import ANONYMOUS, KioskApp  # noqa: E402
from sim.app.kiosk.attract import AttractScene  # noqa: E402
from sim.app.kiosk.board import LeaderboardScene  # noqa: E402
from sim.app.kiosk.choose import ChooseScene, HowToScene  # noqa: E402
from sim.app.kiosk.driver import SIM_DT, run_self_test  # noqa: E402
from sim.app.kiosk.game import GameScene  # noqa: E402
from sim.app.kiosk.i18n import CAPTIONS, TEXT, caption  # noqa: E402
from sim.app.kiosk.results import BriefDebriefScene, InitialsScene  # noqa: E402
from sim.engine.final import assess_procedure  # noqa: E402
from sim.engine.procedure import (
    DT,  # noqa: E402
    Procedure,  # noqa: E402
)
from sim.records.store import RecordStore  # noqa: E402
from sim.scenario.playlist import load_playlist  # noqa: E402

WORKSHOP = ROOT / "playlists" / "workshop.yaml"
CHORD = pygame.KMOD_CTRL | pygame.KMOD_SHIFT


@pytest.fixture(scope="module")
def playlist():
    pl, problems = load_playlist(WORKSHOP)
    assert problems == []
    return pl


@pytest.fixture
def app(playlist, tmp_path):
    a = KioskApp(playlist, size=(1280, 720), data=tmp_path)
    yield a
    a.close()


def frames(app, seconds: float, dt: float = SIM_DT) -> None:
    for _ in range(round(seconds / dt)):
        app.frame(dt)


def key(k, mod=0, up=True):
    ch = chr(k) if 32 <= k < 127 else ""
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=ch, scancode=0))
    if up:
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=mod, unicode=ch, scancode=0))


def finished_record(store, pcase, initials: str, volume_ml: float) -> int:
    """A finished kiosk game written straight into the store (no window)."""
    proc = Procedure(pcase.scenario)
    rec = store.begin(
        trainee=initials, scenario_path=pcase.scenario_path, seed=proc.seed, mode="kiosk"
    )
    for a in (
        Navigate(target="feeder:T1"),
        SelectAgent(agent="bland", size_um=(100.0, 300.0)),
        Inject(volume_ml=volume_ml, rate_ml_min=2.0),
        Finish(),
    ):
        proc.apply(a)
    rec.finish(proc, assess_procedure(proc).to_dict())
    return rec.id


def test_quit_escape_close_and_f11_do_not_leave_only_the_held_chord_does(app):
    app.go_attract(0)
    frames(app, 1)
    size = app.size
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    pygame.event.post(pygame.event.Event(pygame.WINDOWCLOSE))
    pygame.event.post(pygame.event.Event(pygame.QUIT))  # what Alt+F4 sends (the WM eats the key)
    key(pygame.K_ESCAPE)
    key(pygame.K_F11)
    frames(app, 1)
    assert app.running and app.quit_refused == 3
    assert isinstance(app.scene, AttractScene), "Escape and F11 are swallowed, not 'any key'"
    assert app.size == size and not app.fullscreen
    app.play(0)
    game = app.scene
    rid = game.session.record.id
    key(pygame.K_ESCAPE)
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    key(pygame.K_y)  # the window's "leave this case?" would take Y as yes
    frames(app, 1)
    assert app.scene is game and not game.confirm_leave and app.running
    key(pygame.K_q, CHORD)  # a tap of the chord is not the instructor holding it
    frames(app, 3)
    assert app.running and app.scene is game
    key(pygame.K_q, CHORD, up=False)
    frames(app, 1.5)
    assert app.running and app.chord is not None
    frames(app, 0.75)
    assert not app.running, "held for two seconds, the chord leaves"
    assert app.store.get(rid).status == "abandoned", "the game in progress is not lost"


def test_reset_chord_asks_and_empties_the_board_but_keeps_the_records(app, playlist):
    ids = [finished_record(app.store, playlist.cases[0], n, v) for n, v in (("AAA", 2), ("BBB", 3))]
    app.switch(LeaderboardScene(app, hold=True))
    assert {e.record_id for e in app.scene.overall} == set(ids)
    key(pygame.K_r, CHORD, up=False)
    frames(app, 2.25)
    assert app.confirm_reset_t is not None
    key(pygame.K_n)  # anything but Y cancels
    frames(app, 0.5)
    assert app.confirm_reset_t is None and len(app.store.leaderboard()) == 2
    key(pygame.K_r, CHORD, up=False)
    frames(app, 2.25)
    scene = app.scene
    frames(app, 5)
    assert app.scene is scene, "the booth waits while the instructor decides"
    key(pygame.K_y)
    frames(app, 0.5)
    assert app.errors == []
    assert app.store.leaderboard() == [] and app.scene.overall == []
    kept = app.store.list(mode="kiosk")
    assert sorted(r.id for r in kept) == sorted(ids) and {r.status for r in kept} == {"finished"}
    assert app.running


@pytest.mark.slow
def test_idle_game_is_abandoned_and_the_attract_loop_returns(app):
    app.play(0)
    game = app.scene
    rid = game.session.record.id
    key(pygame.K_SPACE, up=False)  # holding Space (injecting) is play, though it sends nothing
    frames(app, 70)
    assert app.scene is game and game.session.injecting
    key(pygame.K_SPACE, up=False)
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_SPACE, mod=0, unicode=" "))
    frames(app, 59)
    assert app.scene is game, "59 s without input is not yet idle"
    frames(app, 1.5)
    assert isinstance(app.scene, AttractScene) and app.idle_resets == 1
    rec = app.store.get(rid)
    assert rec.status == "abandoned" and rec.outcome is None
    assert app.store.leaderboard() == [] and app.games == []


def test_countdown_at_zero_finishes_the_case_and_shows_the_brief_debrief(playlist, tmp_path):
    app = KioskApp(playlist, size=(1280, 720), data=tmp_path, minutes=0.5)
    try:
        app.play(0)
        game = app.scene
        assert game.limit_s == 30.0
        game.session.navigate("feeder:T1")
        key(pygame.K_SPACE, up=False)
        frames(app, 29)
        assert app.scene is game and game.session.injecting and 0 < game.left_s <= 1.0
        frames(app, 1.5)
        brief = app.scene
        assert isinstance(brief, BriefDebriefScene) and brief.timed_out
        assert game.proc.finished and game.proc.injection_ml_min == 0.0
        assert game.proc.metrics.agent_ml["bland"] > 0.5  # ~29 s at 2 mL/min
        rec = app.store.get(app.games[0].record_id)
        assert rec.status == "finished" and rec.score == pytest.approx(brief.out.score)
        assert rec.trainee == ANONYMOUS
    finally:
        app.close()


def test_the_case_time_limit_before_the_countdown_ends_the_game_too(app):
    """Navigation costs simulated seconds, so the case's own limit can come first: the game
    must end on the brief debrief then, not freeze with the countdown standing."""
    app.play(0)
    game = app.scene
    game.session.navigate("feeder:T1")
    game.proc.apply(Wait(seconds=game.proc.limit_tick * DT - game.proc.t - 1.0))
    assert not game.proc.finished
    assert game.left_s > 10.0  # the booth's countdown still has time left
    key(pygame.K_SPACE, up=False)
    frames(app, 3)
    assert game.proc.finished and isinstance(app.scene, BriefDebriefScene)
    assert app.scene.timed_out
    assert app.store.get(app.games[0].record_id).status == "finished"


def test_a_whole_game_by_keys_ends_on_the_board_with_initials(app, playlist):
    app.go_attract(1)
    frames(app, 2)
    key(pygame.K_a)
    frames(app, 0.25)
    choose = app.scene
    assert isinstance(choose, ChooseScene) and choose.indices[0] == 1  # what the demo showed
    key(pygame.K_RIGHT)
    key(pygame.K_RETURN)
    frames(app, 0.25)
    assert isinstance(app.scene, HowToScene) and app.scene.index == 2
    key(pygame.K_RETURN)  # too early: still reading
    frames(app, 1.5)
    assert isinstance(app.scene, HowToScene)
    key(pygame.K_RETURN)
    frames(app, 0.25)
    game = app.scene
    assert isinstance(game, GameScene) and game.pcase.case_id == "replaced_rha_sma"
    key(pygame.K_p)  # pause is off in a booth
    frames(app, 5)
    assert not game.session.paused and game.proc.t > 4
    key(pygame.K_f)
    frames(app, 0.25)
    assert isinstance(app.scene, BriefDebriefScene)
    frames(app, 3)
    key(pygame.K_x)
    frames(app, 0.25)
    assert isinstance(app.scene, InitialsScene)
    frames(app, 2)
    for k in (pygame.K_z, pygame.K_o, pygame.K_e, pygame.K_UP):
        key(k)
    key(pygame.K_RETURN)
    frames(app, 0.25)
    board = app.scene
    assert isinstance(board, LeaderboardScene) and board.highlight == app.games[0].record_id
    top = app.store.leaderboard("replaced_rha_sma")
    assert [(e.trainee, e.record_id) for e in top] == [("ZOF", app.games[0].record_id)]
    assert board.shown_rows() == [("ZOF", round(top[0].score), "replaced_rha_sma")]


@pytest.mark.slow
def test_walking_away_from_the_initials_keeps_the_score_as_question_marks(app):
    app.play(0)
    key(pygame.K_f)
    frames(app, 0.25)
    frames(app, 25)  # the brief debrief moves on by itself
    assert isinstance(app.scene, InitialsScene)
    frames(app, 61)
    assert isinstance(app.scene, AttractScene)
    assert [e.trainee for e in app.store.leaderboard()] == [ANONYMOUS]


def test_an_error_in_a_scene_is_logged_and_the_booth_goes_on(app, monkeypatch):
    app.play(0)
    game = app.scene
    rid = game.session.record.id

    def broken(self, dt):
        raise RuntimeError("boom")

    monkeypatch.setattr(GameScene, "update", broken)
    frames(app, 0.25)
    assert app.running and app.error_count == 1 and "RuntimeError: boom" in app.errors[0]
    assert isinstance(app.scene, AttractScene), "back to the attract loop"
    assert "RuntimeError: boom" in (app.data_dir / "kiosk.log").read_text()
    assert app.store.get(rid).status == "abandoned"
    monkeypatch.setattr(AttractScene, "update", broken)
    frames(app, 0.5)  # errors in a burst: the board, which does not simulate
    board = app.scene
    assert isinstance(board, LeaderboardScene) and board.hold and app.running, app.errors[-1]


@pytest.mark.parametrize(
    "size",
    [(1280, 720), pytest.param((3840, 2160), marks=pytest.mark.slow)],  # 4K: ≈10 s
)
def test_every_screen_draws_from_720p_to_4k(playlist, tmp_path, size):
    app = KioskApp(playlist, size=size, data=tmp_path)
    try:
        finished_record(app.store, playlist.cases[0], "MKR", 2.0)
        for make in (
            lambda: AttractScene(app, 1),
            lambda: ChooseScene(app, 0),
            lambda: HowToScene(app, 0),
            lambda: GameScene(app, 0),
            lambda: LeaderboardScene(app),
        ):
            app.switch(make())
            app.frame(SIM_DT)
            img = pygame.surfarray.array3d(app.screen)
            assert img.std() > 10, f"{type(app.scene).__name__} drew a blank screen"
        assert app.errors == []
    finally:
        app.close()


def test_captions_and_screen_texts_exist_in_every_language():
    actions = [
        Navigate(target="feeder:T1"),
        Navigate(target="RHA"),
        Navigate(target="S6"),
        SelectAgent(agent="bland", size_um=(100.0, 300.0)),
        Inject(volume_ml=2.5, rate_ml_min=2),
        Wait(seconds=10),
        Finish(),
    ]
    assert set(TEXT) == set(CAPTIONS) == {"en", "de", "fr"}
    for lang in ("de", "fr"):
        assert set(TEXT[lang]) == set(TEXT["en"])
        for a in actions:
            assert caption(a, lang) and caption(a, lang) != caption(a, "en")
    assert (
        caption(Navigate(target="RHA")) == "Advance the microcatheter into the right hepatic artery"
    )
    assert "2,5 mL" in caption(actions[4], "de") and "2.5 mL" in caption(actions[4], "en")


@pytest.mark.slow
def test_soak_thirty_booth_minutes_of_random_input(app):
    """Random visitors for 30 minutes of kiosk time: key mashing (Escape, Alt+F4, chord taps),
    clicks anywhere, resizes, quit and close requests, walking away; see the driver."""
    t0 = time.monotonic()
    rep = run_self_test(app, sim_s=30 * 60, seed=3)
    wall = time.monotonic() - t0
    print(
        f"\nsoak: {rep.sim_s / 60:.1f} kiosk minutes in {wall:.0f} s wall, {rep.frames} frames, "
        f"{rep.games} games ({rep.named} named, {rep.abandoned} abandoned, {rep.idle_resets} "
        f"idle resets), "
        f"{rep.quit_refused} quits refused, RSS {rep.rss_warm_mb:.1f} -> {rep.rss_end_mb:.1f} MB "
        f"(growth {rep.rss_growth_mb:.1f} MB)"
    )
    assert rep.problems == [] and app.errors == []
    assert app.running and rep.quit_refused > 20
    assert rep.sim_s >= 1800 and rep.games >= 5 and rep.named >= 2 and rep.idle_resets >= 1
    assert rep.rss_growth_mb < 50
    store_rows = app.store.leaderboard(None, limit=10**6)
    assert sorted(e.record_id for e in store_rows) == sorted(g.record_id for g in app.games)
    app.switch(LeaderboardScene(app))
    assert app.scene.shown_rows() == [
        (e.trainee, round(e.score), e.scenario_id) for e in store_rows[:10]
    ]


@pytest.mark.slow
def test_self_test_command_prints_one_line_and_its_verdict(tmp_path):
    """15 s may be too short for a game on a busy machine: then it fails and says so."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "kiosk",
            "--self-test",
            "15",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )
    lines = r.stdout.splitlines()
    assert len(lines) == 1
    if r.returncode == 1:  # no game completed: the self-test must not pass
        assert re.fullmatch(r"self-test FAILED: no game completed in \d+ kiosk seconds", lines[0])
        with RecordStore(tmp_path) as store:
            assert store.leaderboard(limit=10**6) == []
        return
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    m = re.fullmatch(r"self-test ok seconds=(\d+) games=(\d+) rss_growth_mb=(-?\d+\.\d)", lines[0])
    assert m, lines[0]
    assert 15 <= int(m[1]) <= 60 and float(m[3]) < 50 and int(m[2]) >= 1
    with RecordStore(tmp_path) as store:
        assert len(store.leaderboard(limit=10**6)) == int(m[2])


def _snapshot_if_mid_game(folder):
    """The board and whether a named game exists and a game is in progress (None if locked)."""
    import sqlite3

    try:
        with RecordStore(folder) as store:
            rows = store.leaderboard(limit=10**6)
            newest = store.list(mode="kiosk")[0]
    except sqlite3.OperationalError:  # stopped inside a write: try at the next game
        return None
    ready = newest.status == "in_progress" and any(e.trainee != ANONYMOUS for e in rows)
    return (rows, newest.id) if ready else None


@pytest.mark.slow
def test_killed_mid_game_the_board_survives_a_restart(playlist, tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "kiosk",
            "--self-test",
            "600",
            "--seed",
            "5",
            "--data-dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    watchdog = threading.Timer(300, proc.kill)
    watchdog.start()
    snap = None
    try:
        for line in proc.stderr:
            if "GameScene" not in line:
                continue
            proc.send_signal(signal.SIGSTOP)  # frozen: the board cannot change while we look
            snap = _snapshot_if_mid_game(tmp_path)
            if snap is not None:
                proc.send_signal(signal.SIGKILL)
                break
            proc.send_signal(signal.SIGCONT)
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait(timeout=30)
    assert snap is not None, "no game in progress after a named one within the deadline"
    before, playing = snap
    assert proc.returncode == -signal.SIGKILL
    with RecordStore(tmp_path) as store:
        assert store.leaderboard(limit=10**6) == before
        assert store.get(playing).status == "abandoned"  # the game that was being played
    app = KioskApp(playlist, size=(1280, 720), data=tmp_path)
    try:
        app.switch(LeaderboardScene(app))
        app.frame(SIM_DT)
        assert app.scene.shown_rows() == [
            (e.trainee, round(e.score), e.scenario_id) for e in before[:10]
        ]
    finally:
        app.close()


@pytest.mark.slow
def test_sigterm_closes_the_booth_cleanly(tmp_path):
    """A host's shutdown or service manager (SIGTERM) closes the booth with exit 0, where SDL
    would have turned the signal into a window-close request the booth refuses."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "kiosk", "--data-dir", str(tmp_path)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 60
        while not (tmp_path / "records.sqlite3").exists() and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        assert proc.poll() is None  # the booth is running
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
