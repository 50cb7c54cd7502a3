"""The cine loop of the last contrast run: its DSA exposures replayed and scrubbed.

A real angiography suite stores every run as a series of exposures at the DSA frame rate; the
fellow replays it in a loop or steps through it frame by frame to read the arterial, capillary
and venous phases. Contrast runs are queryable at any time (:class:`~sim.transport.contrast.
ContrastRun`), so the loop keeps only times: frame ``i`` is the exposure at
``t0 + i / fps``. No pygame here: the session owns the loop, the view draws it.
"""

from __future__ import annotations

import math

PHASES_S = 9.0  # frames kept after the push ends: capillary and venous phases (U)


class Cine:
    """The replay state of one run's exposures.

    Parameters
    ----------
    t0, duration : float
        Start and push duration of the run, s (simulated).
    fps : float
        DSA exposures per second.
    """

    def __init__(self, t0: float, duration: float, fps: float) -> None:
        self.t0 = t0
        self.fps = fps
        self.n = max(1, math.ceil((duration + PHASES_S) * fps))
        self.i = 0
        self.playing = True
        self._acc = 0.0

    def available(self, now: float) -> int:
        """Frames already acquired at simulated time ``now`` (at least 1)."""
        return max(1, min(self.n, math.floor((now - self.t0) * self.fps + 1e-6) + 1))

    def time(self) -> float:
        """Simulated time of the frame shown, s."""
        return self.t0 + self.i / self.fps

    def step(self, k: int, now: float) -> None:
        """Scrub ``k`` frames (wrapping in the frames acquired so far); pauses the loop."""
        self.playing = False
        self.i = (self.i + k) % self.available(now)

    def toggle(self) -> None:
        """Play or pause the loop."""
        self.playing = not self.playing
        self._acc = 0.0

    def update(self, dt: float, now: float) -> None:
        """Advance a playing loop by ``dt`` real seconds at the acquisition rate (1×), looping."""
        if not self.playing:
            return
        self._acc += dt * self.fps
        k = int(self._acc)
        if k:
            self._acc -= k
            self.i = (self.i + k) % self.available(now)

    def label(self, now: float) -> str:
        """What the overlay says: frame, count, time into the run and play state."""
        state = "playing" if self.playing else "paused"
        return (
            f"CINE  frame {self.i + 1}/{self.available(now)}  "
            f"{self.i / self.fps:4.1f} s  {self.fps:g} fps  {state}"
        )
