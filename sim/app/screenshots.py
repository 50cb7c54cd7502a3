"""``python main.py screenshots``: the README's pictures, taken from the current code headless.

Each screen is driven the way a trainee would drive it (scene actions, the engine's actions) and
saved as a PNG, so the pictures in ``docs/img`` never go stale: re-run after a change.
"""

from __future__ import annotations

from pathlib import Path

from sim.actions import Inject, Navigate, SelectAgent, SetInjection, StartContrast
from sim.app.scenes.picker import PickerScene
from sim.app.scenes.procedure import ProcedureScene
from sim.app.window import App
from sim.engine.procedure import DT
from sim.scenario.load import load_library


def take(out: Path, library: Path, data=None, size=(1280, 800)) -> list[Path]:
    """Write picker, procedure (fluoro, DSA roadmap, teaching, an oblique C-arm view, exam
    mode), debrief, what-if, history and between-visits screenshots."""
    app = App(size=size, data=data)
    app.library_folder = library
    saved = []
    picker = PickerScene(app, library)
    names = [c.path.name for c in picker.cases]
    picker.index = names.index("default.yaml") if "default.yaml" in names else 0
    app.switch(picker)
    for _ in range(3):
        app.frame(1 / 60)
    saved.append(app.screenshot(out / "picker.png"))
    case = picker.cases[picker.index]
    scene = ProcedureScene(app, case)
    app.switch(scene)
    p = scene.proc
    p.apply(Navigate(target="feeder:T1"))
    p.apply(StartContrast(volume_ml=4.0, rate_ml_s=1.0))
    for _ in range(150):  # 2.5 s: arterial phase into the tumour blush
        app.frame(1 / 60)
    saved.append(app.screenshot(out / "procedure_fluoro.png"))
    p.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    scene.panel.build()
    scene.session.injecting = True
    p.apply(SetInjection(rate_ml_min=2.0))
    scene.view.teaching = True
    for _ in range(240):
        app.frame(1 / 30)
    saved.append(app.screenshot(out / "procedure_teaching.png"))
    scene.view.teaching = False
    scene.session.stop_injection()
    scene.view.mode, scene.view.roadmap = "dsa", True
    p.apply(StartContrast(volume_ml=3.0, rate_ml_s=1.0))
    for _ in range(90):
        app.frame(1 / 60)
    saved.append(app.screenshot(out / "procedure_dsa.png"))
    saved += _roadmap_and_cine(app, scene, out)
    for _ in range(600):  # the run before ends
        if p.contrast_m3_s == 0:
            break
        app.frame(1 / 30)
    scene.controls.command("carm_1")  # RAO 20: the C-arm turned, a run in the oblique view
    scene.controls.command("contrast")
    for _ in range(90):
        app.frame(1 / 60)
    saved.append(app.screenshot(out / "procedure_oblique.png"))
    scene.finish()
    for _ in range(3):
        app.frame(1 / 60)
    saved.append(app.screenshot(out / "debrief.png"))
    saved += _what_if_and_history(app, out)
    saved.append(_exam(app, case, out))
    saved += _between_visits(app, picker.cases, out)
    return saved


def _between_visits(app: App, cases, out: Path) -> list[Path]:
    """The two-visit case: MAA from the common hepatic artery (the GDA takes its share), then
    Finish: the between-visits screen with the mapping's results."""
    case = next((c for c in cases if c.path.stem == "y90_two_visit" and c.scenario), None)
    if case is None:
        return []
    scene = ProcedureScene(app, case)
    app.switch(scene)
    s = scene.session  # MAA, the mapping shelf's first agent, is drawn up; the tip in the CHA
    s.proc.apply(Inject(volume_ml=2.0, rate_ml_min=5.0))
    scene.finish()
    for _ in range(2):
        app.frame(1 / 60)
    return [app.screenshot(out / "between_visits.png")]


def _roadmap_and_cine(app: App, scene: ProcedureScene, out: Path) -> list[Path]:
    """Fluoroscopy over the roadmap of the last run; then a completion run from the proper
    hepatic artery, replayed in the cine loop and paused on its late arterial frame."""
    scene.view.mode, scene.view.roadmap = "fluoro", True
    for _ in range(30):
        app.frame(1 / 60)
    saved = [app.screenshot(out / "procedure_roadmap.png")]
    s = scene.session
    s.navigate("PHA")
    s.contrast()
    s.proc.run_to(s.proc.tick + round(14.0 / DT))
    scene.controls.command("cine")
    s.cine.step(round(3.0 * s.cine.fps), s.proc.t)
    app.frame(1 / 60)
    saved.append(app.screenshot(out / "procedure_cine.png"))
    scene.controls.command("cine")
    scene.view.roadmap = False
    return saved


def _exam(app: App, case, out: Path) -> Path:
    """Exam mode: bland spheres from the common hepatic artery, so some reach the GDA; the
    event list says nothing of it and the teaching overlay stays off."""
    scene = ProcedureScene(app, case, exam=True)
    app.switch(scene)
    p = scene.proc
    p.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    scene.session.set_rate(6.0)
    scene.panel.build()
    scene.session.start_injection()
    scene.view.command("teaching")  # refused in exam mode (says so)
    for _ in range(420):  # 14 s: some spheres reach the GDA (a non_target event, not listed)
        app.frame(1 / 30)
    scene.session.stop_injection()
    app.frame(1 / 60)
    return app.screenshot(out / "procedure_exam.png")


def _what_if_and_history(app: App, out: Path) -> list[Path]:
    """From the debrief: a what-if (the same case from the proper hepatic artery), then the
    history screen with the finished case."""
    from sim.app.scenes.history import HistoryScene
    from sim.app.scenes.whatif import WhatIfScene

    debrief = app.scene
    chooser = WhatIfScene(app, debrief)
    app.switch(chooser)
    nav = [k for k, (i, _) in enumerate(chooser.rows) if chooser.log[i][1].kind == "navigate"]
    chooser.row = nav[0] if nav else 0
    labels = [a.label for a in chooser.rows[chooser.row][1]]
    chooser.alt = (
        labels.index("catheter to PHA instead") if "catheter to PHA instead" in labels else 0
    )
    chooser.focus = 1
    chooser._rebuild()
    app.frame(1 / 60)
    chooser._ask_run()
    app.frame(1 / 60)
    saved = [app.screenshot(out / "whatif_running.png")]
    chooser.wait()
    for _ in range(3):
        app.frame(1 / 60)
    saved.append(app.screenshot(out / "whatif.png"))
    app.switch(HistoryScene(app))
    for _ in range(2):
        app.frame(1 / 60)
    saved.append(app.screenshot(out / "history.png"))
    return saved


def take_nuclear(out: Path, library: Path, data=None, size=(1280, 800)) -> list[Path]:
    """The nuclear-medicine pictures of the 12 %-shunt resin case: the MAA mapping from the
    common hepatic artery (GDA uptake) in the window's N view, then resin from the right
    hepatic artery and the debrief's predicted-versus-delivered scans."""
    app = App(size=size, data=data)
    app.library_folder = library
    case = next(c for c in load_library(library) if c.path.name == "y90_resin_lsf12.yaml")
    scene = ProcedureScene(app, case)
    app.switch(scene)
    p = scene.proc
    p.apply(Navigate(target="CHA"))
    p.apply(SelectAgent(agent="maa", activity_mbq=150.0))
    p.apply(Inject(volume_ml=5.0, rate_ml_min=5.0))
    scene.panel.build()
    scene.controls.command("scan")
    for _ in range(3):
        app.frame(1 / 60)
    saved = [app.screenshot(out / "procedure_scan.png")]
    scene.controls.command("scan")
    p.apply(Navigate(target="RHA", beyond="cystic"))
    p.apply(SelectAgent(agent="y90_resin", activity_gbq=0.94))  # the BSA plan for the RHA
    p.apply(Inject(volume_ml=25.0, rate_ml_min=5.0))
    scene.finish()
    for _ in range(3):
        app.frame(1 / 60)
    saved.append(app.screenshot(out / "debrief_scan.png"))
    return saved


def main(out: str = "docs/img", library: str | None = None) -> list[Path]:
    from sim.app.settings import SCENARIOS

    lib = Path(library) if library else SCENARIOS
    assert load_library(lib), f"no cases in {lib}"
    return take(Path(out), lib) + take_nuclear(Path(out), lib)
