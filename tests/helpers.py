"""Shared builders for tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sim.actions import Finish, Inject, Navigate, SelectAgent
from sim.engine.procedure import Procedure
from sim.scenario.models import Scenario, Shunt, Tumor

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def run_main(*args, cwd=ROOT, env=None, timeout=300) -> subprocess.CompletedProcess:
    """``python main.py ARGS`` in a fresh interpreter, output captured as text."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def scenario(lsf: float = 0.03, tn: float = 4.0, michels: str = "I", **tumor) -> Scenario:
    t = {"id": "T1", "segment": "S6", "diameter_mm": 40.0, "tn_ratio": tn}
    t.update(tumor)
    return Scenario(
        title="test",
        tumors=[Tumor(**t)],
        shunt=Shunt(lung_shunt_fraction=lsf),
        anatomy={"michels": michels, "seed": 3},
        seed=5,
    )


def inject_from(
    proc: Procedure,
    target: str,
    agent: str,
    size=None,
    volume=1.0,
    rate=2.0,
    activity=None,
    finish=True,
) -> Procedure:
    proc.apply(Navigate(target=target))
    proc.apply(SelectAgent(agent=agent, size_um=size, activity_gbq=activity))
    proc.apply(Inject(volume_ml=volume, rate_ml_min=rate))
    if finish:
        proc.apply(Finish())
    return proc


def open_app(tmp_path, size=(1280, 800)):
    """A headless window (SDL dummy) on the case library, its data in ``tmp_path``."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from sim.app.window import App

    a = App(size=size, data=tmp_path)
    a.library_folder = SCENARIOS
    return a


def frames(app, n=1, dt=1 / 60):
    """Run ``n`` window frames of ``dt`` seconds each."""
    for _ in range(n):
        app.frame(dt)
