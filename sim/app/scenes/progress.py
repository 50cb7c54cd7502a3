"""Work that takes seconds (building a case, re-running one for a what-if) on a worker thread,
and the progress box the window shows meanwhile, so the screen never looks frozen.

The work is headless (no pygame, no record store: SQLite stays on the window's thread). It may
report how far it is (a fraction, 0–1) through the callable it is handed; otherwise the bar
follows the time it is expected to take.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sim.render import canvas
from sim.render.canvas import Rect
from sim.render.text import draw_lines, wrap


class Work:
    """``fn(report)`` run on a daemon thread; ``report(fraction)`` may be called from it.

    ``result`` holds what ``fn`` returned, ``error`` the exception it raised (shown, never
    re-raised in the window), once ``done``.
    """

    def __init__(self, fn: Callable[[Callable[[float], None]], object], expected_s: float) -> None:
        self.expected_s = max(expected_s, 0.1)
        self.started = time.monotonic()
        self.result = None
        self.error: Exception | None = None
        self.reported: float | None = None
        self.thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self.thread.start()

    def _run(self, fn) -> None:
        try:
            self.result = fn(self._report)
        except Exception as exc:  # shown on screen, never a crash
            self.error = exc

    def _report(self, fraction: float) -> None:
        self.reported = min(max(float(fraction), 0.0), 1.0)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()

    def fraction(self) -> float:
        """The bar: what the work reported, else elapsed over expected slowing near the end."""
        if self.reported is not None:
            return self.reported
        x = self.elapsed_s / self.expected_s
        return x * 0.9 if x < 0.9 else 0.9 + 0.09 * (1 - 1 / (1 + 10 * (x - 0.9)))


def draw_progress(surface, app, title: str, work: Work, note: str) -> None:
    """A box centred on the window: ``title``, the bar and ``note`` with the seconds so far."""
    px = app.px
    w, h = app.size
    box = Rect(0, 0, min(px(640), w - px(40)), px(130))
    box.center = (w // 2, h // 2)
    surface.fill((20, 24, 32), box)
    canvas.rect(surface, (90, 110, 140), box, max(1, px(2)))
    room = box.width - px(40)
    line = wrap(title, px(18), room, True)[0]
    draw_lines(surface, [line], (box.x + px(20), box.y + px(14)), px(18), bold=True)
    bar = Rect(box.x + px(20), box.y + px(52), room, px(22))
    surface.fill((45, 50, 62), bar)
    surface.fill((47, 109, 181), (bar.x, bar.y, int(bar.width * work.fraction()), bar.height))
    text = wrap(f"{note} … {work.elapsed_s:.0f} s", px(14), room)[0]
    draw_lines(surface, [text], (bar.x, bar.bottom + px(10)), px(14), (190, 200, 210))
