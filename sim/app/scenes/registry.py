"""The window's scenes by name, for :meth:`App.go <sim.app.window.App.go>`.

A scene names the next one with a :class:`~sim.app.scene.Transition` (``self.go("debrief",
...)``); only this module imports the scene classes, so scenes never import each other.
"""

from __future__ import annotations

from sim.app.scene import Scene
from sim.app.scenes.debrief import DebriefScene
from sim.app.scenes.demo import DemoScene
from sim.app.scenes.history import HistoryScene
from sim.app.scenes.picker import PickerScene
from sim.app.scenes.playback import PlaybackScene
from sim.app.scenes.procedure import ProcedureScene
from sim.app.scenes.whatif import WhatIfScene
from sim.scenario.load import LoadedCase


def next_case(app, after: LoadedCase) -> Scene:
    """The library's next playable case after ``after`` (the picker when there is none)."""
    picker = PickerScene(app)
    names = [c.path.name for c in picker.cases]
    i = names.index(after.path.name) if after.path.name in names else -1
    for c in picker.cases[i + 1 :] + picker.cases[: i + 1]:
        if c.scenario is not None and c.path.name != after.path.name:
            return ProcedureScene(app, c)
    return picker


WINDOW_SCENES = {
    "picker": PickerScene,
    "history": HistoryScene,
    "procedure": ProcedureScene,
    "demo": DemoScene,
    "playback": PlaybackScene,
    "debrief": DebriefScene,
    "next_case": next_case,
    "whatif": WhatIfScene,
}
