"""Behaviour unchanged: every expert plan at seeds 1–3 prints the same ``run --json`` and
reaches the same final-state digest as the golden files; so does a window-style session.

A change that alters these on purpose regenerates them (``python tests/golden.py --write``)
in the same commit and says why.

The first seed's output is taken from the recorded expert run the library and teaching-suite
tests share (:func:`helpers.expert_run`), so it also proves that recording a run leaves it as
``run`` computes it."""

from __future__ import annotations

import json

import pytest
from golden import SEEDS, WINDOW_SESSION, expert_cases, expert_output, golden_path, output_of
from helpers import EXPERT_SEED, expert_run

CASES = expert_cases()
PARAMS = [
    pytest.param(c, s, id=f"{c.stem}-seed{s}", marks=() if s == SEEDS[0] else pytest.mark.slow)
    for c in CASES
    for s in SEEDS
]


def _golden(name: str) -> dict:
    return json.loads(golden_path(name).read_text(encoding="utf-8"))


def test_every_case_with_an_expert_plan_has_golden_files():
    assert len(CASES) >= 13
    for c in CASES:
        for s in SEEDS:
            assert golden_path(f"{c.stem}.seed{s}").is_file(), c.stem


@pytest.mark.parametrize("case, seed", PARAMS)
def test_expert_plan_output_unchanged(case, seed):
    if seed == EXPERT_SEED:
        run = expert_run(case)
        got = output_of(run.proc, run.outcome)
    else:
        got = expert_output(case, seed)
    want = _golden(f"{case.stem}.seed{seed}")
    assert got["run_json"] == want["run_json"]
    assert got["digest"] == want["digest"]


def test_window_session_unchanged():
    from golden import window_session_output

    got = window_session_output()
    want = _golden(WINDOW_SESSION)
    assert got == want
