"""Importing the app sets nothing up: pygame is set up when a window or a booth starts
(:class:`sim.app.window.App`), never when a module is imported. (Import cycles and layers:
``tests/test_layers.py``.)
"""

import json
import os
import pkgutil
import subprocess
import sys

from helpers import ROOT

import sim

GUI = ("sim.app", "sim.render", "sim.ui")
DISPLAY_ENV = ("SDL_VIDEODRIVER", "SDL_AUDIODRIVER", "DISPLAY", "WAYLAND_DISPLAY")


def gui_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(sim.__path__, "sim.") if m.name.startswith(GUI)]


def test_importing_every_app_render_and_ui_module_sets_up_no_display():
    mods = gui_modules()
    assert {"sim.app.window", "sim.app.scenes.procedure", "sim.render.fluoro"} <= set(mods)
    code = (
        "import importlib, json, os\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "import pygame\n"
        "print(json.dumps({'display': pygame.display.get_init(), 'font': pygame.font.get_init(),"
        f" 'env': [k for k in {DISPLAY_ENV!r} if k in os.environ]}}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in DISPLAY_ENV}
    env["PYTHONPATH"] = str(ROOT)
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert r.returncode == 0, r.stderr
    state = json.loads(r.stdout.strip().splitlines()[-1])
    assert state == {"display": False, "font": False, "env": []}, state
