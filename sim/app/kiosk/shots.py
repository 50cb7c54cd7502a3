"""The booth's pictures for the README: the attract loop, a game in progress, the leaderboard.

:func:`take_kiosk_screenshots` drives a real :class:`~sim.app.kiosk.app.KioskApp` headless at
1920×1080 (a projector) the way the booth runs: the expert demo of the reflux-trap case at
its contrast run, a visitor's game at the tumour with the countdown running, and the board
after that visitor typed initials (a few earlier games are played straight into the store).
"""

from __future__ import annotations

from pathlib import Path

from sim.actions import Finish, Inject, Navigate, SelectAgent
from sim.app.kiosk import expert
from sim.app.kiosk.app import KioskApp
from sim.engine.final import assess_procedure
from sim.engine.procedure import Procedure
from sim.scenario.playlist import load_playlist

SIZE = (1920, 1080)
# Earlier visitors: initials, playlist case, injected volume (mL) from the tumour's feeder.
EARLIER_GAMES = (
    ("MKR", 0, 2.0),
    ("ALX", 0, 3.5),
    ("JOS", 1, 1.5),
    ("???", 0, 0.8),
    ("EVA", 2, 2.5),
    ("TOM", 1, 3.0),
)


def _frames(app: KioskApp, n: int, dt: float = 1 / 30) -> None:
    for _ in range(n):
        app.frame(dt)


def _play_into_store(app: KioskApp, initials: str, index: int, volume_ml: float) -> None:
    """A finished kiosk record without the window (for a board that is not empty)."""
    pcase = app.playlist.cases[index]
    proc = Procedure(pcase.scenario)
    rec = app.store.begin(
        trainee=initials, scenario_path=pcase.scenario_path, seed=proc.seed, mode=app.board
    )
    proc.apply(Navigate(target="feeder:T1"))
    proc.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    proc.apply(Inject(volume_ml=volume_ml, rate_ml_min=2.0))
    proc.apply(Finish())
    rec.finish(proc, assess_procedure(proc).to_dict())


def take_kiosk_screenshots(
    out_dir: str | Path, data_dir: str | Path, size: tuple[int, int] = SIZE
) -> list[Path]:
    """Write ``kiosk_attract.png``, ``kiosk_game.png`` and ``kiosk_leaderboard.png``.

    Parameters
    ----------
    out_dir : str or Path
        Where the PNGs go (``docs/img``).
    data_dir : str or Path
        A scratch data directory for the records the pictures need (use a temporary one).
    size : (int, int)
        The booth's screen (a projector's 1920×1080 for the README).
    """
    from sim.app.kiosk.attract import AttractScene
    from sim.app.kiosk.game import GameScene
    from sim.app.kiosk.launch import DEFAULT_PLAYLIST

    out = Path(out_dir)
    playlist, problems = load_playlist(DEFAULT_PLAYLIST)
    assert playlist is not None, "\n".join(map(str, problems))
    app = KioskApp(playlist, size=size, data=data_dir)
    saved = []
    try:
        for initials, index, volume in EARLIER_GAMES:
            _play_into_store(app, initials, index, volume)
        # the attract loop: the reflux trap's contrast run, where the right gastric arises
        trap = next(i for i, c in enumerate(playlist.cases) if c.case_id == "right_gastric_trap")
        app.go_attract(trap)
        scene = app.scene
        assert isinstance(scene, AttractScene)
        while not (scene.driver.i == 1 and scene.proc.contrast_runs and scene.caption_t > 0.8):
            app.frame(1 / 30)
        saved.append(app.screenshot(out / "kiosk_attract.png"))
        # a game: at the tumour's feeder, injecting, a minute gone
        app.play(0)
        game = app.scene
        assert isinstance(game, GameScene)
        _frames(app, 120, 0.25)
        game.session.navigate("feeder:T1")
        game.session.start_injection()
        _frames(app, 50, 0.25)
        game.session.stop_injection()
        game.session.contrast()
        _frames(app, 45, 1 / 30)  # the arterial phase of the check run
        game.session.start_injection()
        _frames(app, 2, 1 / 30)
        saved.append(app.screenshot(out / "kiosk_game.png"))
        game.session.stop_injection()
        game.finish()
        result = app.games[-1]
        experts = expert.compute_missing(playlist.cases)  # the board's expert rows
        if experts is not None:
            experts.join(300)
        app.save_initials(result, "ANA")
        _frames(app, 20)
        saved.append(app.screenshot(out / "kiosk_leaderboard.png"))
    finally:
        app.close()
    return saved


def main(out: str = "docs/img") -> list[Path]:
    """Take the pictures into ``out`` with a temporary data directory."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return take_kiosk_screenshots(out, tmp)


if __name__ == "__main__":  # python -m sim.app.kiosk.shots
    for p in main():
        print(f"wrote {p}")
