"""The booth's scenes by name, for :meth:`KioskApp.go <sim.app.kiosk.app.KioskApp.go>`.

The kiosk's flow (:class:`~sim.app.kiosk.app.KioskApp`) names scenes with transitions; only
this module imports them, so no scene imports the app or another scene.
"""

from __future__ import annotations

from sim.app.kiosk.attract import AttractScene
from sim.app.kiosk.board import LeaderboardScene
from sim.app.kiosk.choose import ChooseScene, HowToScene
from sim.app.kiosk.game import GameScene
from sim.app.kiosk.results import BriefDebriefScene, InitialsScene

KIOSK_SCENES = {
    "attract": AttractScene,
    "board": LeaderboardScene,
    "choose": ChooseScene,
    "how_to": HowToScene,
    "game": GameScene,
    "brief_debrief": BriefDebriefScene,
    "initials": InitialsScene,
}
