"""The window's screens as a fellow meets them: exam mode, the panel (names, help, menus,
events), the picker (order, default, disclaimer, progress, briefing) and nothing cut off from
1280×720 to 4K."""

import os
import tempfile
from pathlib import Path

import pygame
import pygame_gui
import pytest
from helpers import SCENARIOS, frames, open_app
from screen_fit import clipped_texts, drawn_texts, recording_fonts

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from sim.actions import Navigate, SelectAgent, SetInjection  # noqa: E402
from sim.app.scenes.picker import PickerScene  # noqa: E402
from sim.app.scenes.procedure import ProcedureScene  # noqa: E402
from sim.app.window import App  # noqa: E402
from sim.engine.anatomy_cache import forget_anatomies  # noqa: E402
from sim.scenario.load import LoadedCase, load_scenario  # noqa: E402


@pytest.fixture
def app(tmp_path):
    yield open_app(tmp_path, (1280, 720))
    pygame.display.quit()


def open_case(app, name: str, **kw) -> ProcedureScene:
    path = SCENARIOS / name
    sc, _ = load_scenario(path)
    app.switch(ProcedureScene(app, LoadedCase(path, sc, []), **kw))
    frames(app, 2)
    return app.scene


def texts(app) -> list[str]:
    with recording_fonts():
        return [t for t, _ in drawn_texts(app)]


def spill_from_the_chA(scene, seconds: float = 12.0) -> None:
    """Bland spheres from the common hepatic artery, fast: some go down the GDA."""
    p = scene.proc
    p.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    p.apply(SetInjection(rate_ml_min=6.0))
    p.run_to(p.tick + int(seconds / 0.05))
    p.apply(SetInjection(rate_ml_min=0.0))


def test_exam_mode_hides_what_a_real_room_cannot_see(app):
    scene = open_case(app, "default.yaml", exam=True)
    spill_from_the_chA(scene)
    assert any(e.kind == "non_target" for e in scene.proc.events), "the case must spill"
    frames(app, 1)
    shown = " ".join(texts(app))
    assert "non_target" not in shown and "navigate" in shown
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_t, mod=0, unicode="t"))
    frames(app, 1)
    assert not scene.view.teaching, "no teaching overlay in exam mode"
    assert "teaching" not in scene.panel.buttons.values()
    # the same case outside exam mode lists it
    scene2 = open_case(app, "default.yaml", exam=False)
    spill_from_the_chA(scene2)
    frames(app, 1)
    assert "non_target" in " ".join(texts(app))


def test_exam_mode_from_the_picker_and_the_command_line(app, tmp_path):
    app.switch(PickerScene(app))
    frames(app, 2)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_x, mod=0, unicode="x"))
    frames(app, 2)
    assert app.exam and "on" in app.scene.exam_btn.text
    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    app.switch(ProcedureScene(app, LoadedCase(SCENARIOS / "default.yaml", sc, [])))
    assert app.scene.exam and app.scene.view.exam and app.scene.panel.exam
    from sim.app.cli import main

    rc = main(["window", "--exam", "--frames", "2", "--data-dir", str(tmp_path / "d")])
    assert rc == 0


def test_agent_menu_readable_with_help_one_key_away(app):
    scene = open_case(app, "default.yaml")
    menu = scene.panel.agent_menu
    assert menu.selected_option[0] == "Bland spheres"
    options = [o[0] for o in menu.options_list]
    assert "PVA particles" in options and not any("_" in o for o in options)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_g, mod=0, unicode="g"))
    frames(app, 1)
    shown = " ".join(texts(app))
    for needle in ("Bland spheres", "when", "source", "PubMed 15126660", "Sizes"):
        assert needle in shown, needle
    assert clipped_texts(app) == []


def test_choosing_pva_and_menus_close_after_the_same_item(app):
    scene = open_case(app, "default.yaml")
    menu = scene.panel.agent_menu
    pygame.event.post(
        pygame.event.Event(
            pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text="PVA particles", ui_element=menu
        )
    )
    frames(app, 2)
    assert scene.proc.agent.agent == "pva"
    menu = scene.panel.size_menu
    picked = menu.selected_option[0]
    click(app, menu.rect.center)
    assert menu.current_state is menu.menu_states["expanded"]
    items = menu.current_state.options_selection_list.item_list_container.elements
    same = next(b for b in items if b.text == picked)
    click(app, same.rect.center)  # the item already chosen
    assert menu.current_state is menu.menu_states["closed"]
    assert menu.selected_option[0] == picked and scene.proc.agent.agent == "pva"


def click(app, pos) -> None:
    """A real left click, and the frames pygame_gui needs to pass its events on."""
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    frames(app, 1)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    frames(app, 4)


def test_events_list_keeps_the_newest_in_sight(app):
    scene = open_case(app, "default.yaml")
    for target in ["PHA", "RHA", "CHA"] * 10 + ["LHA"]:
        scene.session.navigate(target)
    frames(app, 1)
    assert len(scene.proc.events) > 30
    assert any("navigate: tip in LHA" in t for t in texts(app)), "the newest event in sight"
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=3))
    frames(app, 1)
    assert scene.panel.events_back == 3
    assert not any("tip in LHA" in t for t in texts(app)), "scrolled back from the newest"


def test_picker_by_difficulty_default_selected_with_patient_and_progress(app):
    picker = PickerScene(app)
    app.switch(picker)
    frames(app, 2)
    levels = [c.scenario.difficulty for c in picker.cases if c.scenario is not None]
    assert levels == sorted(levels) and len(set(levels)) > 2
    assert picker.cases[picker.index].path.name == "default.yaml"
    shown = texts(app)
    disclaimer = next(r for t, r in _drawn(app) if t.startswith("Siphon is a teaching tool"))
    for b in (picker.start, picker.history, picker.exam_btn):
        assert not b.rect.colliderect(disclaimer)
    assert any("78 kg" in t and "178 cm" in t for t in shown), "weight and height in the brief"
    assert any("bilirubin" in t for t in " ".join(shown).split("\n"))
    forget_anatomies()  # a case opened before (by another test) is built at once, unseen
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode=""))
    frames(app, 1)
    assert picker.building is not None
    assert any(t.startswith("Building ") for t in texts(app)), "progress while it builds"
    picker.building.thread.join(60)
    frames(app, 2)
    assert isinstance(app.scene, ProcedureScene)


def _drawn(app):
    with recording_fonts():
        return drawn_texts(app)


def test_the_fit_check_finds_text_that_is_cut_off(app):
    scene = open_case(app, "default.yaml")
    scene.session.say("x" * 400)  # one unbreakable line, wider than the viewport
    frames(app, 1)
    with recording_fonts():
        assert any("xxxx" in p for p in clipped_texts(app))
    scene.panel.agents_help_btn.set_text("What is it? " * 6)
    with recording_fonts():
        assert any(p.startswith("widget 'What is it?") for p in clipped_texts(app))


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (3840, 2160)])
def test_nothing_is_cut_off(size, tmp_path, monkeypatch):
    """Every screen the README shows (picker, procedure in fluoro, teaching, DSA and exam,
    debrief, what-if running and compared, history, the booth's attract loop, game and board),
    plus the Y-90 panel with its plan block and both help boxes, at three window sizes.

    The check redraws each screen in full; the frames that only drive the case between two
    screens skip the angiogram (a pure function of the state, and no text: most of a frame's
    time at 4K) and show a blank view instead."""
    from sim.app import screenshots
    from sim.app.kiosk import shots
    from sim.render.fluoro import FluoroView

    found: dict[str, list[str]] = {}
    original = App.screenshot
    render = FluoroView.render
    checking = []
    blank = {}

    def render_when_checked(self, *args, **kwargs):
        if checking:
            return render(self, *args, **kwargs)
        if self.size not in blank:
            blank[self.size] = pygame.Surface(self.size)
        return blank[self.size]

    def checked(self, path):
        checking.append(path)
        try:
            found[Path(path).name] = clipped_texts(self)
        finally:
            checking.clear()
        return Path(path)  # the texts are what is checked: no PNG to encode

    monkeypatch.setattr(FluoroView, "render", render_when_checked)
    App.screenshot = checked
    try:
        with recording_fonts(), tempfile.TemporaryDirectory() as tmp:
            screenshots.take(tmp_path, SCENARIOS, data=tmp, size=size)
            shots.take_kiosk_screenshots(tmp_path, Path(tmp) / "kiosk", size=size)
            a = App(size=size, data=Path(tmp) / "y90")
            scene = open_case(a, "y90_resin_lsf12.yaml")
            scene.proc.apply(Navigate(target="feeder:T1"))
            scene.panel.build()
            for name in ("none", "help", "agents"):
                if name != "none":
                    scene.view.command(name)
                frames(a, 1)
                a.screenshot(tmp_path / f"y90_{name}.png")
            _booth_between_games(size, Path(tmp) / "booth", tmp_path)
    finally:
        App.screenshot = original
    assert len(found) >= 19
    assert {k: v for k, v in found.items() if v} == {}


def test_one_rounding_rule_on_the_debrief_the_report_and_its_card(app, monkeypatch):
    import sim.app.report.card as card_mod
    from sim.app.report_text import score_text
    from sim.app.scenes.debrief import DebriefScene

    scene = open_case(app, "default.yaml")
    scene.session.navigate("feeder:T1")
    scene.proc.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    scene.proc.apply(SetInjection(rate_ml_min=2.0))
    scene.proc.run_to(scene.proc.tick + 1100)
    scene.finish()
    frames(app, 1)
    debrief = app.scene
    assert isinstance(debrief, DebriefScene)
    shown = score_text(debrief.out.score)
    assert f"Score {shown} / 100" in texts(app)
    drawn = []
    original = card_mod._text
    monkeypatch.setattr(
        card_mod, "_text", lambda surf, s, *a, **k: (drawn.append(s), original(surf, s, *a, **k))[1]
    )
    debrief._report()
    html = debrief.report_path.read_text(encoding="utf-8")
    assert f'<span class="big">{shown}</span>' in html, "the report's number is the screen's"
    assert shown in drawn, "the card's number is the screen's"


def _booth_between_games(size, data: Path, out: Path) -> None:
    """The booth's choose, how-to, brief debrief and initials screens, each saved once."""
    from sim.app.kiosk.app import KioskApp
    from sim.app.kiosk.launch import DEFAULT_PLAYLIST
    from sim.scenario.playlist import load_playlist

    playlist, _ = load_playlist(DEFAULT_PLAYLIST)
    k = KioskApp(playlist, size=size, data=data)
    try:
        k.start_game(1)
        k.frame(0.05)
        k.screenshot(out / "kiosk_choose.png")
        k.how_to(1)
        k.frame(0.05)
        k.screenshot(out / "kiosk_howto.png")
        k.play(0)
        k.frame(0.05)
        k.scene.finish()
        k.frame(0.05)
        k.screenshot(out / "kiosk_results.png")
        k.ask_initials(playlist.cases[0], k.games[-1])
        k.frame(0.05)
        k.screenshot(out / "kiosk_initials.png")
    finally:
        k.close()
