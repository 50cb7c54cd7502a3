"""The booth check: the kiosk driven by random input, its memory watched, its board verified.

:class:`RandomDriver` is every visitor at once: it mashes keys (Escape, F11, Alt+F4 with its
quit event, taps of the instructor's chords), clicks anywhere, scrolls, moves the mouse, asks
the window to close, resizes it, plays games in one of three manners (mashing, playing to the
time limit, walking away) and types initials or leaves them. :func:`run_self_test` feeds it to
a :class:`~sim.app.kiosk.app.KioskApp` frame by frame with a fixed :data:`SIM_DT` of kiosk time
per frame (the game's physics clamp is 0.25 s, so nothing is skipped: a frame is a quarter
second of booth time, computed as fast as the machine can), then checks that the kiosk never
left, recovered from no error, and that the leaderboard in the store holds every finished game
with its score and initials.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from sim.app.kiosk.app import KioskApp, release_memory
from sim.render.maps import forget_maps
from sim.ui.inputs import Click, Motion, Quit, Resize, Wheel, key, post, tap

SIM_DT = 0.25  # kiosk seconds per frame (the procedure screen's own per-frame clamp)
WARMUP_FRACTION = 0.2  # RSS growth is measured from this share of the run on
RESIZE_SIZES = ((1280, 720), (1366, 768), (1600, 900), (1920, 1080))
KEYS = (
    list("abcdefghijklmnopqrstuvwxyz0123456789")
    + ["up", "down", "left", "right", "space", "return", "escape", "backspace", "tab", "f11"]
    + ["f1", "f4", "ctrl", "shift", "alt"]
)
MODS = ((), (), (), (), ("shift",), ("ctrl",), ("alt",))
PLAY_KEYS = ("up", "up", "left", "right", "c", "t")


def rss_mb() -> float:
    """Resident memory of this process, MB: ``/proc/self/statm`` on Linux, the peak resident
    size on macOS and other Unixes, 0 where neither exists (Windows: not measured)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource
    except ImportError:
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def key_tap(name: str, mods: tuple[str, ...] = (), up: bool = True) -> None:
    """Post a key press (and its release unless ``up`` is False)."""
    post(*(tap(name, *mods) if up else (key(name, *mods),)))


class RandomDriver:
    """Random booth visitors for ``app`` (reproducible with ``seed``)."""

    def __init__(self, app: KioskApp, seed: int = 0, resize: bool = True) -> None:
        self.app = app
        self.rng = np.random.default_rng(seed)
        self.resize = resize
        self.quiet_until = 0.0
        self.scene = None
        self.manner = "mash"
        self.space_down = False
        self.pending_sizes = list(RESIZE_SIZES) if resize else []  # each size early on
        self.next_resize_at = 10.0

    def step(self) -> None:
        """Post this frame's events (none while the visitor has walked away)."""
        app, rng = self.app, self.rng
        if app.scene is not self.scene:
            self.scene = app.scene
            self._new_scene()
        if self.pending_sizes and app.clock_s >= self.next_resize_at:
            self._resize(self.pending_sizes.pop(0), real=True)
            self.next_resize_at = app.clock_s + 15.0
        if app.clock_s < self.quiet_until:
            return
        kind = type(app.scene).__name__
        if kind == "GameScene" and self.manner == "play":
            self._play()
            return
        for _ in range(int(rng.integers(0, 3))):
            self._random_event()

    def _new_scene(self) -> None:
        rng, kind = self.rng, type(self.app.scene).__name__
        idle = self.app.playlist.spec.idle_reset_s
        if kind == "GameScene":
            self.manner = str(rng.choice(["mash", "play", "leave"], p=[0.45, 0.4, 0.15]))
            if self.manner == "leave":
                self.quiet_until = self.app.clock_s + rng.uniform(5, 20) + idle
        elif kind == "InitialsScene" and rng.random() < 0.2:
            self.quiet_until = self.app.clock_s + idle + 2  # walks away: stays ???
        elif kind == "InitialsScene":
            self.quiet_until = self.app.clock_s + 2.0  # reads the screen first

    def _play(self) -> None:
        """Someone trying: steer, inject in bursts, contrast; never presses F."""
        rng = self.rng
        r = rng.random()
        if r < 0.03:
            self.space_down = not self.space_down
            if self.space_down:
                key_tap("space", up=False)
            else:
                post(key("space", down=False))
        elif r < 0.06:
            key_tap(str(rng.choice(PLAY_KEYS)))
        elif r < 0.08:
            self._click()

    def _click(self) -> None:
        w, h = self.app.size
        pos = (int(self.rng.integers(0, w)), int(self.rng.integers(0, h)))
        button = int(self.rng.choice([1, 1, 1, 2, 3]))
        post(Click(pos, button), Click(pos, button, down=False))

    def _resize(self, size: tuple[int, int], real: bool) -> None:
        """A resize event; ``real``: the window really changes first (a projector plugged in)."""
        if real:
            self.app.set_window_size(size)
        post(Resize(size))

    def _random_event(self) -> None:
        rng, app = self.rng, self.app
        r = rng.random()
        if r < 0.55:
            mods = MODS[int(rng.choice(len(MODS)))]
            key_tap(str(rng.choice(KEYS)), mods, up=bool(rng.random() < 0.8))
        elif r < 0.75:
            self._click()
        elif r < 0.83:
            w, h = app.size
            post(Motion((int(rng.integers(0, w)), int(rng.integers(0, h))), (1, 1)))
        elif r < 0.86:
            post(Wheel(0, int(rng.choice([-1, 1]))))
        elif r < 0.89:
            key_tap("f4", ("alt",))  # Alt+F4: the key, then the quit request
            post(Quit())
        elif r < 0.92:
            post(Quit(window=True), Quit())
        elif r < 0.94:
            key_tap(str(rng.choice(["q", "r"])), ("ctrl", "shift"))  # a tap, not a hold
        elif r < 0.96 and self.resize:
            size = RESIZE_SIZES[int(rng.integers(0, len(RESIZE_SIZES)))]
            self._resize(size, real=bool(rng.random() < 0.5))
        elif r < 0.97:
            self.quiet_until = app.clock_s + rng.uniform(5, 30)  # looks away for a while


@dataclass
class SelfTestReport:
    """What a self-test run found; :attr:`ok` if :attr:`problems` is empty."""

    seconds: float = 0.0
    sim_s: float = 0.0
    frames: int = 0
    games: int = 0
    named: int = 0
    abandoned: int = 0
    idle_resets: int = 0
    quit_refused: int = 0
    rss_warm_mb: float = 0.0
    rss_end_mb: float = 0.0
    board_rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rss_growth_mb(self) -> float:
        return self.rss_end_mb - self.rss_warm_mb

    def line(self) -> str:
        """The one-line verdict the ``--self-test`` command prints."""
        if self.ok:
            return (
                f"self-test ok seconds={self.seconds:.0f} games={self.games} "
                f"rss_growth_mb={self.rss_growth_mb:.1f}"
            )
        return "self-test FAILED: " + "; ".join(self.problems)


def check_board(app: KioskApp) -> tuple[int, list[str]]:
    """Every finished game of this session is on the store's board with its score and name."""
    rows = {e.record_id: e for e in app.store.leaderboard(None, board=app.board, limit=10**6)}
    problems = []
    for g in app.games:
        e = rows.get(g.record_id)
        if e is None:
            problems.append(f"game {g.record_id} ({g.case_id}) is missing from the leaderboard")
        elif abs(e.score - g.score) > 1e-6 or e.trainee != g.initials:
            problems.append(
                f"game {g.record_id}: board says {e.trainee} {e.score:g}, "
                f"the kiosk saw {g.initials} {g.score:g}"
            )
    return len(rows), problems


def reference_rss(app: KioskApp, size: tuple[int, int]) -> float:
    """Resident MB in one fixed state: the first case's demo at ``size``, a few frames in, after
    a collection. Two calls compare the same screen (not a game at 1080p against a menu at
    720p), so their difference is what the run accumulated. The fluoroscopy maps kept across
    games (:mod:`sim.render.maps`, bounded there) are dropped first: a full cache is not a leak."""
    if app.size != tuple(size) and not app.fullscreen:
        app.set_window_size(size)
    forget_maps()
    app.go_attract(0)
    for _ in range(4):
        app.frame(SIM_DT)
    release_memory()
    return rss_mb()


def run_self_test(
    app: KioskApp,
    wall_s: float | None = None,
    sim_s: float | None = None,
    seed: int = 0,
    log=None,
    max_rss_growth_mb: float = 50.0,
) -> SelfTestReport:
    """Drive ``app`` with random input until ``wall_s`` real or ``sim_s`` kiosk seconds pass.

    Progress lines (scene changes, games) go to ``log`` (a text stream) if given, flushed, so
    a watching process can follow. The app is left open (the caller closes it).
    """
    assert wall_s is not None or sim_s is not None, "give a wall-clock or a kiosk-time budget"
    rep = SelfTestReport()
    driver = RandomDriver(app, seed)
    if app.scene is None:
        app.go_attract()
    home = app.size
    t0 = time.monotonic()
    warm_at = WARMUP_FRACTION * (wall_s if wall_s is not None else sim_s)
    last_scene, games_seen, errors_seen = None, 0, 0

    def elapsed() -> float:
        return time.monotonic() - t0 if wall_s is not None else app.clock_s

    def say(msg: str) -> None:
        if log is not None:
            print(f"[self-test {app.clock_s:7.1f}s] {msg}", file=log, flush=True)

    while elapsed() < (wall_s if wall_s is not None else sim_s):
        driver.step()
        app.frame(SIM_DT)
        if not app.running:
            rep.problems.append("the kiosk left without the instructor's chord")
            break
        if not rep.rss_warm_mb and elapsed() >= warm_at:
            rep.rss_warm_mb = reference_rss(app, home)
            say(f"warm-up done: {rep.rss_warm_mb:.1f} MB resident")
        name = type(app.scene).__name__
        if name != last_scene:
            last_scene = name
            say(f"{name} games={len(app.games)}")
        if len(app.games) > games_seen:
            games_seen = len(app.games)
            say(f"game {games_seen} finished score={app.games[-1].score:.1f}")
        if app.error_count > errors_seen:
            errors_seen = app.error_count
            say("recovered from an error:\n" + app.errors[-1])
    rep.seconds = time.monotonic() - t0
    rep.sim_s, rep.frames = app.clock_s, app.frames
    rep.rss_warm_mb = rep.rss_warm_mb or reference_rss(app, home)
    rep.rss_end_mb = reference_rss(app, home)
    rep.games = len(app.games)
    rep.named = sum(g.initials != "???" for g in app.games)
    rep.abandoned = app.games_started - rep.games
    rep.quit_refused = app.quit_refused
    rep.idle_resets = app.idle_resets
    if app.error_count:
        last = app.errors[-1].strip().splitlines()[-1]
        rep.problems.append(f"{app.error_count} error(s) recovered from; the last: {last}")
    if rep.games == 0:
        rep.problems.append(f"no game completed in {rep.sim_s:.0f} kiosk seconds")
    rep.board_rows, board_problems = check_board(app)
    rep.problems += board_problems
    if rep.rss_growth_mb >= max_rss_growth_mb:
        rep.problems.append(f"memory grew {rep.rss_growth_mb:.1f} MB (limit {max_rss_growth_mb:g})")
    return rep
