"""The core never imports pygame (DESIGN.md rule), checked in a fresh interpreter and by ruff."""

import pkgutil
import subprocess
import sys

from helpers import ROOT

import sim

GUI = ("sim.render", "sim.ui", "sim.app")


def core_modules() -> list[str]:
    mods = []
    for m in pkgutil.walk_packages(sim.__path__, "sim."):
        if not m.name.startswith(GUI):
            mods.append(m.name)
    return mods


def test_core_modules_found():
    mods = core_modules()
    assert "sim.flow.solve" in mods and "sim.engine.procedure" in mods and len(mods) > 20


def test_core_imports_without_pygame():
    code = (
        "import importlib, sys\n"
        f"for m in {core_modules()!r}: importlib.import_module(m)\n"
        "assert 'pygame' not in sys.modules, 'pygame was imported'\n"
        "assert 'pygame_gui' not in sys.modules\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_ruff_bans_pygame_in_core(tmp_path):
    bad = ROOT / "sim" / "flow" / "_ruff_probe_tmp.py"
    bad.write_text("import pygame\n")
    try:
        r = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", str(bad)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    finally:
        bad.unlink()
    assert r.returncode != 0
    assert "TID251" in r.stdout


def test_ruff_clean():
    r = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "sim", "tests", "bench", "main.py"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout
