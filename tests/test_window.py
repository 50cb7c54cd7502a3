"""The real window, driven headless with synthetic pygame events (SDL dummy driver)."""

import os

import numpy as np
import pygame
import pygame_gui
import pytest
from helpers import SCENARIOS, frames, open_app

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from sim.app.scenes.debrief import DebriefScene  # noqa: E402
from sim.app.scenes.picker import PickerScene  # noqa: E402
from sim.app.scenes.procedure import ProcedureScene  # noqa: E402
from sim.app.window import App  # noqa: E402


@pytest.fixture
def app(tmp_path):
    yield open_app(tmp_path, (1280, 800))
    pygame.display.quit()


def key(app, k, up=False):
    pygame.event.post(
        pygame.event.Event(
            pygame.KEYUP if up else pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0
        )
    )


def click(app, pos, button=1):
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))


def built(app, limit_s: float = 60.0) -> None:
    """Frames until the picker has built the case it is starting (a worker thread)."""
    import time

    end = time.monotonic() + limit_s
    while isinstance(app.scene, PickerScene) and app.scene.building is not None:
        assert time.monotonic() < end, "the case never finished building"
        frames(app, 1)
        time.sleep(0.01)
    frames(app, 1)


def open_case(app, name: str) -> ProcedureScene:
    """Start ``scenarios/<name>`` in the window and return its procedure scene."""
    from sim.scenario.load import LoadedCase, load_scenario

    path = SCENARIOS / name
    sc, _ = load_scenario(path)
    app.switch(ProcedureScene(app, LoadedCase(path, sc, [])))
    frames(app, 2)
    return app.scene


def finish_case(app, name: str, *actions) -> DebriefScene:
    """Play ``actions`` from the tumour's feeder in ``name`` and finish: the debrief."""
    scene = open_case(app, name)
    scene.session.navigate("feeder:T1")
    for a in actions:
        scene.proc.apply(a)
    key(app, pygame.K_f)
    frames(app, 2)
    assert isinstance(app.scene, DebriefScene)
    return app.scene


def test_whole_case_by_events(app):
    app.switch(PickerScene(app))
    frames(app, 3)
    picker = app.scene
    names = [c.path.name for c in picker.cases]
    picker.index = names.index("default.yaml")
    key(app, pygame.K_RETURN)
    frames(app, 2)
    built(app)
    scene = app.scene
    assert isinstance(scene, ProcedureScene)
    proc = scene.proc
    # navigate by clicking the RHA on the image
    c = proc.c
    e = c.vessel_edges("RHA")[-1]
    pts = scene.view.fluoro.edge_px(e)
    target = pts[len(pts) // 2]
    click(app, (target[0] + scene.view.rect.x, target[1] + scene.view.rect.y))
    frames(app, 2)
    assert "RHA" in proc.breadcrumb()
    # choose the agent and size through the panel's dropdown events
    pygame.event.post(
        pygame.event.Event(
            pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text="bland", ui_element=scene.panel.agent_menu
        )
    )
    frames(app, 1)
    assert proc.agent.agent == "bland"
    # inject by holding space for ~3 s of simulated time
    key(app, pygame.K_SPACE)
    frames(app, 90, dt=1 / 30)
    key(app, pygame.K_SPACE, up=True)
    frames(app, 2)
    assert proc.metrics.agent_ml.get("bland", 0) > 0.05
    assert proc.transport.delivered_count.sum() > 0
    # contrast run
    key(app, pygame.K_c)
    frames(app, 30, dt=1 / 30)
    assert proc.contrast_runs and proc.metrics.contrast_ml == 3.0
    # teaching overlay and DSA toggle do not change the physics
    t_before = proc.tick
    key(app, pygame.K_t)
    key(app, pygame.K_d)
    frames(app, 1, dt=0.0)
    assert proc.tick == t_before and scene.view.teaching and scene.view.mode == "dsa"
    # finish → debrief → retry
    key(app, pygame.K_f)
    frames(app, 2)
    assert isinstance(app.scene, DebriefScene)
    assert proc.finished and app.scene.out.metrics.agent_ml > 0
    kinds = [ev.kind for ev in app.scene.out.events]
    assert "navigate" in kinds and "contrast" in kinds
    key(app, pygame.K_r)
    frames(app, 2)
    assert isinstance(app.scene, ProcedureScene) and app.scene.proc is not proc


def test_escape_asks_before_leaving(app):
    from sim.scenario.load import load_library

    case = next(c for c in load_library(SCENARIOS) if c.path.name == "default.yaml")
    app.switch(ProcedureScene(app, case))
    frames(app, 2)
    key(app, pygame.K_ESCAPE)
    frames(app, 1)
    assert isinstance(app.scene, ProcedureScene) and app.scene.confirm_leave
    key(app, pygame.K_n)
    frames(app, 1)
    assert isinstance(app.scene, ProcedureScene) and not app.scene.confirm_leave
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    frames(app, 1)
    assert app.running and app.scene.confirm_leave
    key(app, pygame.K_y)
    frames(app, 1)
    assert isinstance(app.scene, PickerScene)


def test_broken_case_is_listed_not_fatal(app, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "a.yaml").write_text((SCENARIOS / "default.yaml").read_text())
    (lib / "b.yaml").write_text("title: [\n")
    app.switch(PickerScene(app, lib))
    app.scene.index = 1
    frames(app, 2)
    key(app, pygame.K_RETURN)
    frames(app, 2)
    assert isinstance(app.scene, PickerScene), "a broken case cannot be started"
    assert app.scene.cases[1].problems


@pytest.mark.slow
def test_monkey(app):
    rng = np.random.default_rng(7)
    app.switch(PickerScene(app))
    keys = [
        pygame.K_UP,
        pygame.K_DOWN,
        pygame.K_LEFT,
        pygame.K_RIGHT,
        pygame.K_SPACE,
        pygame.K_c,
        pygame.K_d,
        pygame.K_r,
        pygame.K_t,
        pygame.K_p,
        pygame.K_s,
        pygame.K_h,
        pygame.K_f,
        pygame.K_n,
        pygame.K_l,
        pygame.K_y,
        pygame.K_ESCAPE,
        pygame.K_RETURN,
        pygame.K_a,
        pygame.K_PAGEDOWN,
    ]
    for _ in range(1500):
        r = rng.random()
        if r < 0.6:
            key(app, int(rng.choice(keys)), up=bool(rng.random() < 0.3))
        elif r < 0.9:
            click(app, (int(rng.integers(0, app.size[0])), int(rng.integers(0, app.size[1]))))
        elif r < 0.93:
            size = (int(rng.integers(640, 1600)), int(rng.integers(480, 1000)))
            pygame.event.post(
                pygame.event.Event(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1])
            )
        else:
            pygame.event.post(pygame.event.Event(pygame.QUIT))
        frames(app, 1, dt=float(rng.choice([0.0, 1 / 60, 0.2])))
        if not app.running:
            app.running = True
    assert app.frames >= 1500


@pytest.mark.slow
def test_demo_command_plays_the_expert_plan_with_screenshots(tmp_path):
    import subprocess
    import sys

    from helpers import ROOT

    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "demo",
            str(SCENARIOS / "workshop_quick.yaml"),
            "--speed",
            "40",
            "--screenshot-dir",
            str(tmp_path / "shots"),
            "--exit-at-end",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    shots = sorted((tmp_path / "shots").glob("*.png"))
    names = [p.name for p in shots]
    assert names[-1] == "99_debrief.png" and any("inject" in n for n in names)
    img = pygame.image.load(str(shots[-2]))
    arr = pygame.surfarray.array3d(img)
    assert arr.std() > 10, "a real picture, not a blank frame"


def test_agent_panel_by_keyboard(app):
    scene = open_case(app, "ctace_lipiodol.yaml")
    ag = scene.proc.agent
    assert ag.agent == "lipiodol" and ag.emulsion_ml == 10.0 and ag.oil_ratio == 2.0
    key(app, pygame.K_PERIOD)  # emulsion drawn up +1 mL
    key(app, pygame.K_SEMICOLON)  # drug:oil 1:2 -> 1:1
    key(app, pygame.K_RIGHTBRACKET)  # rate 2.0 -> 2.5 mL/min
    frames(app, 2)
    ag = scene.proc.agent
    assert (ag.emulsion_ml, ag.oil_ratio, scene.session.rate_ml_min) == (11.0, 1.0, 2.5)
    assert scene.panel.rate_slider.get_current_value() == pytest.approx(2.5)
    t0 = scene.proc.t
    key(app, pygame.K_SPACE)
    frames(app, 30, dt=0.1)
    key(app, pygame.K_SPACE, up=True)
    frames(app, 1)
    given = scene.proc.metrics.agent_ml["lipiodol"]
    assert given == pytest.approx(2.5 / 60 * (scene.proc.t - t0), rel=0.1)
    assert scene.proc.metrics.oil_ml == pytest.approx(given / 2, rel=1e-6)  # 1:1 is half oil
    key(app, pygame.K_a)  # next agent: bland
    frames(app, 2)
    assert scene.proc.agent.agent == "bland"
    before = scene.proc.agent.size_um
    key(app, pygame.K_z)
    frames(app, 2)
    assert scene.proc.agent.size_um != before
    logged = [a for _, a in scene.proc.log if a.kind == "select_agent"]
    assert logged[-1].agent == "bland"


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (3840, 2160)])
def test_procedure_layout_fits_and_text_scales(tmp_path, size):
    from sim.scenario.load import LoadedCase, load_scenario

    a = App(size=size, data=tmp_path)
    try:
        path = SCENARIOS / "y90_resin_lsf12.yaml"
        sc, _ = load_scenario(path)
        a.switch(ProcedureScene(a, LoadedCase(path, sc, [])))
        frames(a, 2)
        screen = pygame.Rect((0, 0), a.size)
        rects = [
            el.get_abs_rect()
            for el in a.ui.get_root_container().elements
            if el.visible and el.get_abs_rect().width > 0
        ]
        # widgets, not their parts (a slider's buttons, a menu's selected-option button)
        rects = [r for r in rects if not any(q != r and q.contains(r) for q in rects)]
        assert len(rects) >= 10
        for i, r in enumerate(rects):
            assert screen.contains(r), (r, size)
            for q in rects[i + 1 :]:
                assert not r.inflate(-2, -2).colliderect(q.inflate(-2, -2)), (r, q, size)
        # the counters start below the last widget and above the bottom of the window
        scene = a.scene
        assert max(r.bottom for r in rects) <= scene.panel.counters_y < size[1] - a.px(120)
        # widget text grows with the screen: about 1/50 of the height on every size
        h = a.ui.get_theme().get_font(["button"]).get_rect("Finish").height
        assert 0.014 * size[1] <= h <= 0.03 * size[1], (h, size)
    finally:
        pygame.display.quit()


def test_window_records_finished_and_abandoned_cases(app):
    from sim.records.replay import replay
    from sim.records.store import RecordStore

    app.settings.set("trainee", "Dr Test")
    open_case(app, "workshop_quick.yaml")
    key(app, pygame.K_UP)
    key(app, pygame.K_SPACE)
    frames(app, 40, dt=0.1)
    key(app, pygame.K_SPACE, up=True)
    key(app, pygame.K_c)
    frames(app, 20, dt=0.1)
    key(app, pygame.K_f)
    frames(app, 2)
    assert isinstance(app.scene, DebriefScene)
    finished_proc = app.scene.proc
    key(app, pygame.K_r)  # retry, then leave the case unfinished
    frames(app, 2)
    key(app, pygame.K_SPACE)
    frames(app, 10, dt=0.1)
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_y)
    frames(app, 2)
    assert isinstance(app.scene, PickerScene)
    recs = RecordStore(app.data_dir).list()
    assert [r.status for r in recs] == ["abandoned", "finished"]
    assert all(r.trainee == "Dr Test" and r.mode == "window" for r in recs)
    # the finished window session replays to the same digest as the window's own run
    done = recs[1]
    proc, outcome = replay(done)
    assert outcome.score == done.outcome["score"]
    assert proc.tick == finished_proc.tick
    np.testing.assert_array_equal(proc.flow.occlusion, finished_proc.flow.occlusion)
    assert any("set_injection" in a for _, a in recs[0].actions)


def test_what_if_from_the_debrief_by_keyboard(app):
    from sim.actions import Inject, Navigate, SelectAgent
    from sim.app.scenes.whatif import CompareScene, WhatIfScene

    debrief = finish_case(
        app,
        "workshop_quick.yaml",
        SelectAgent(agent="bland", size_um=(100, 300)),
        Inject(volume_ml=2.0, rate_ml_min=2.0),
    )
    key(app, pygame.K_w)
    frames(app, 2)
    chooser = app.scene
    assert isinstance(chooser, WhatIfScene)
    # the second action with something to change is the move to the tumour's feeder
    nav = next(
        k
        for k, (i, _) in enumerate(chooser.rows)
        if chooser.log[i][1] == Navigate(target="feeder:T1")
    )
    for _ in range(nav):
        key(app, pygame.K_DOWN)
    key(app, pygame.K_TAB)
    frames(app, 2)
    labels = [a.label for a in chooser.rows[chooser.row][1]]
    for _ in range(labels.index("catheter to PHA instead")):
        key(app, pygame.K_DOWN)
    key(app, pygame.K_RETURN)
    frames(app, 2)
    assert app.scene.pending, "the what-if runs on a worker thread, with progress shown"
    app.scene.wait()
    frames(app, 2)
    cmp_ = app.scene
    assert isinstance(cmp_, CompareScene)
    assert cmp_.choice.label == "catheter to PHA instead"
    assert cmp_.right.normal_liver.damage > cmp_.left.normal_liver.damage
    assert cmp_.left is debrief.out
    key(app, pygame.K_ESCAPE)
    frames(app, 2)
    assert app.scene is debrief


def test_history_screen_lists_and_replays_the_case(app):
    from sim.actions import Inject, SelectAgent
    from sim.app.scenes.history import HistoryScene
    from sim.app.scenes.playback import PlaybackScene

    app.settings.set("trainee", "Fellow A")
    debrief = finish_case(
        app,
        "workshop_quick.yaml",
        SelectAgent(agent="bland", size_um=(100, 300)),
        Inject(volume_ml=1.5, rate_ml_min=2.0),
    )
    score = debrief.out.score
    key(app, pygame.K_l)
    frames(app, 2)
    key(app, pygame.K_F2)
    frames(app, 2)
    hist = app.scene
    assert isinstance(hist, HistoryScene)
    (summary,) = hist.summaries
    (case,) = summary.cases
    assert (summary.trainee, case.scenario_id, case.played, case.best) == (
        "Fellow A",
        "workshop_quick",
        1,
        score,
    )
    seen = []
    switch = app.switch
    app.switch = lambda scene: (seen.append(type(scene)), switch(scene))
    key(app, pygame.K_RETURN)
    frames(app, 2)
    assert seen[0] is PlaybackScene
    for _ in range(3000):
        frames(app, 1, dt=0.25)
        if isinstance(app.scene, DebriefScene):
            break
    assert isinstance(app.scene, DebriefScene)
    assert app.scene.out.score == score


def test_debrief_report_button_writes_the_report(app):
    from sim.actions import Inject, SelectAgent

    debrief = finish_case(
        app,
        "y90_glass_segmentectomy.yaml",
        SelectAgent(agent="y90_glass", activity_gbq=1.0),
        Inject(volume_ml=20.0, rate_ml_min=5.0),
    )
    rows = [r[0] for r in debrief._lines(800)]
    assert any("dose-volume:" in r for r in rows)
    key(app, pygame.K_e)
    frames(app, 2)
    html = debrief.report_path
    assert html is not None and html.is_file() and html.parent.parent.name == "reports"
    text = html.read_text(encoding="utf-8")
    assert f"{debrief.out.score:.1f}" in text or f"{debrief.out.score:.0f}" in text
    assert (html.parent / "card.png").is_file()


def test_demo_ends_exactly_where_run_ends(app):
    from sim.app.runner import run_plan
    from sim.app.scenes.demo import DemoScene
    from sim.scenario.load import LoadedCase, load_scenario
    from sim.scenario.plan import load_plan

    path = SCENARIOS / "workshop_quick.yaml"
    sc, _ = load_scenario(path)
    steps, _ = load_plan(SCENARIOS / "workshop_quick.plan.yaml")
    app.switch(DemoScene(app, LoadedCase(path, sc, []), steps, speed=60.0))
    for _ in range(5000):
        frames(app, 1, dt=0.25)
        if isinstance(app.scene, DebriefScene):
            break
    assert isinstance(app.scene, DebriefScene)
    _, out = run_plan(path)
    assert app.scene.out.score == out.score
    assert app.scene.out.metrics.procedure_s == out.metrics.procedure_s


def test_the_time_limit_ends_the_case_and_opens_the_debrief(app):
    from sim.actions import Wait

    scene = open_case(app, "workshop_quick.yaml")  # limits: {time_min: 3}
    scene.session.navigate("feeder:T1")
    scene.proc.apply(Wait(seconds=179.0 - scene.proc.t))
    assert isinstance(app.scene, ProcedureScene)
    frames(app, 12, dt=0.25)  # the free-running clock crosses 180 s
    assert isinstance(app.scene, DebriefScene)
    kinds = [e.kind for e in app.scene.out.events]
    assert kinds[-2:] == ["time_limit", "finish"]
    assert app.scene.out.metrics.procedure_s <= 180.0


def test_arrow_keys_steer_along_the_artery_with_the_next_branch_highlighted(app):
    """Up follows the artery (from the CHA into the PHA, not down the screen into the GDA), the
    branch it will take is drawn on screen, Left/Right change it, and refusals say why."""
    from sim.app.scenes.caseview import NEXT_BRANCH_COLOR

    scene = open_case(app, "default.yaml")
    s, c = scene.session, scene.proc.c
    assert c.names[s.next_branch()] == "PHA"
    frames(app)
    pts = scene.view.next_branch_px()
    mid = pts[len(pts) // 2]
    assert tuple(app.screen.get_at(mid))[:3] == NEXT_BRANCH_COLOR
    key(app, pygame.K_LEFT)
    key(app, pygame.K_RIGHT)
    frames(app)
    assert c.names[s.next_branch()] == "PHA"
    names = set()
    for k in (pygame.K_LEFT, pygame.K_LEFT, pygame.K_RIGHT, pygame.K_RIGHT, pygame.K_RIGHT):
        key(app, k)
        frames(app)
        names.add(c.names[s.next_branch()])
    assert names == {"PHA", "GDA"}
    assert s.message.startswith("no branch further"), s.message
    while c.names[s.next_branch()] != "PHA":
        key(app, pygame.K_LEFT)
        frames(app)
    for _ in range(3):  # PHA's two segments, then its fork: the RHA (more flow)
        key(app, pygame.K_UP)
        frames(app)
    assert scene.proc.breadcrumb()[-1] == "RHA"
    assert "CHA (GDA)" in s.breadcrumb_text() and "PHA (RGA, LHA)" in s.breadcrumb_text()
    for _ in range(30):  # on along the largest branches until the catheter no longer fits
        key(app, pygame.K_UP)
        frames(app)
        if "cannot enter" in s.message:
            break
    assert "catheter cannot enter" in s.message, s.message
    s.navigate("cystic")  # it ends in the gallbladder
    assert s.next_branch() is None
    key(app, pygame.K_UP)
    frames(app)
    assert s.message.startswith("dead end: cystic"), s.message
    for _ in range(40):
        key(app, pygame.K_DOWN)
        frames(app)
    assert scene.proc.breadcrumb() == ["coeliac"]
    assert "cannot pull back further" in s.message
