"""Importing the app sets nothing up, and no module of ``sim`` imports itself in a circle.

pygame is set up when a window or a booth starts (:class:`sim.app.window.App`), never when a
module is imported; scenes reach each other through registries, not imports.
"""

import ast
import json
import os
import pkgutil
import subprocess
import sys

import networkx as nx
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


def import_graph() -> nx.DiGraph:
    """Module → module it imports, for every import statement in ``sim`` (also the ones inside
    functions: a lazy import is still a dependency). ``from pkg import sub`` of a submodule is
    an edge to the submodule (the package itself is its parent, not a dependency)."""
    files = {}
    for path in (ROOT / "sim").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path
    g = nx.DiGraph()
    for name, path in files.items():
        g.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                g.add_edges_from((name, a.name) for a in node.names if a.name in files)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    if sub in files:
                        g.add_edge(name, sub)
                    elif node.module in files:
                        g.add_edge(name, node.module)
    return g


def test_import_graph_sees_the_app():
    g = import_graph()
    assert g.has_edge("sim.app.scenes.registry", "sim.app.scenes.procedure")
    assert g.has_edge("sim.app.window", "sim.app.scenes.registry")  # a lazy import counts


def test_no_import_cycle_in_sim():
    cycles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert cycles == [], cycles
