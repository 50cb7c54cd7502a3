"""Shared builders for tests."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sim.actions import Finish, Inject, Navigate, SelectAgent
from sim.engine.procedure import Procedure
from sim.outcome.result import Outcome
from sim.records.model import Record
from sim.scenario.models import Scenario, Shunt, Tumor

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
EXPERT_SEED = 1  # the seed of the shared expert runs (the golden files' first seed)


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


@dataclass(frozen=True)
class ExpertRun:
    """A case's expert plan at :data:`EXPERT_SEED`, run as ``run`` does and recorded."""

    proc: Procedure
    outcome: Outcome
    record: Record


def expert_run(case: Path) -> ExpertRun:
    """The expert run of ``case``, once per test process (read only: never change it).

    The golden test (its first seed), the library test (record, replay, conservation) and the
    teaching suite (the expert's score) all need this run, 1–10 s of CPU per case;
    ``tests/conftest.py`` sends the three tests of a case to the same pytest-xdist worker.
    """
    return _expert_run(Path(case).resolve())


@functools.cache
def _expert_run(case: Path) -> ExpertRun:
    from sim.app.runner import run_recorded
    from sim.records.store import RecordStore

    with tempfile.TemporaryDirectory(prefix="siphon-expert-") as folder:
        with RecordStore(folder) as store:
            proc, out, rid = run_recorded(store, case, seed=EXPERT_SEED)
            return ExpertRun(proc, out, store.get(rid))
