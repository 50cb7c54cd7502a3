"""Benchmarks leave the user's data folder alone: the frame-time benchmark opens the real
window, which records every case it opens — into a folder of its own, never the user's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from helpers import ROOT


@pytest.mark.slow
def test_frame_time_benchmark_writes_nothing_into_the_user_data_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SIPHON_DATA_DIR"}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        SDL_VIDEODRIVER="dummy",
        SDL_AUDIODRIVER="dummy",
    )
    r = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "frame_time.py"), "--frames", "21"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1].startswith("frame_ms p50=")
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [], f"the benchmark wrote {written}"
