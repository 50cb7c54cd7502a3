"""The expert's score of each playlist case: the row a visitor tries to beat on the board.

The score is what the case's expert plan earns (``run``'s score for the plan the attract loop
plays). The attract loop notes it when its demo finishes; the cases not demonstrated yet are run
headless on one worker thread, once per process (a booth restarts with the same playlist), so
the board never waits for them: a row shows "…" until its score is known.
"""

from __future__ import annotations

import threading
from pathlib import Path

_SCORES: dict[tuple[str, str], float] = {}
_LOCK = threading.Lock()
_RUNNING: set[tuple[str, str]] = set()


def _key(pcase) -> tuple[str, str]:
    return str(Path(pcase.scenario_path).resolve()), str(Path(pcase.plan_path).resolve())


def note(pcase, score: float) -> None:
    """The attract loop's demo of ``pcase`` finished with ``score``."""
    with _LOCK:
        _SCORES[_key(pcase)] = float(score)


def score(pcase) -> float | None:
    """The expert's score of ``pcase``, or None while it is not known yet."""
    with _LOCK:
        return _SCORES.get(_key(pcase))


def compute_missing(cases) -> threading.Thread | None:
    """Run the expert plans whose scores are not known yet, one after another on a daemon
    thread (started once per case and process); returns the thread, or None if none is due."""
    with _LOCK:
        due = [c for c in cases if _key(c) not in _SCORES and _key(c) not in _RUNNING]
        _RUNNING.update(_key(c) for c in due)
    if not due:
        return None

    def work() -> None:
        from sim.app.runner import run_plan

        for c in due:
            try:
                _, out = run_plan(c.scenario_path, c.plan_path)
            except Exception:  # the board shows no expert row rather than failing
                continue
            finally:
                with _LOCK:
                    _RUNNING.discard(_key(c))
            note(c, out.score)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread
