"""``python main.py kiosk``: run the booth, or check it (``--self-test SECONDS``).

Importing this module does not import pygame (the command line builds its parser from here);
:func:`run` does, after the playlist has been validated.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

PLAYLISTS = Path(__file__).resolve().parents[3] / "playlists"
DEFAULT_PLAYLIST = PLAYLISTS / "workshop.yaml"
HEADLESS_SIZE = (1280, 720)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not WIDTHxHEIGHT, e.g. 1920x1080") from None
    if w < 640 or h < 480:
        raise argparse.ArgumentTypeError("the window must be at least 640x480")
    return w, h


def add_kiosk_parser(sub) -> None:
    """Add the ``kiosk`` command to the command line's subparsers."""
    k = sub.add_parser(
        "kiosk",
        help="workshop booth: attract loop, timed games, leaderboard (fullscreen)",
        description="Run a conference booth: expert demos with captions when idle, a timed "
        "game on any key, a leaderboard kept in the records. Leave only by holding "
        "Ctrl+Shift+Q for two seconds; hold Ctrl+Shift+R, then Y, to reset the board.",
    )
    k.add_argument("--playlist", default=str(DEFAULT_PLAYLIST), help="playlist YAML")
    k.add_argument("--minutes", type=float, help="game countdown (default: the playlist's)")
    k.add_argument("--data-dir", help="records and leaderboard folder (or $SIPHON_DATA_DIR)")
    k.add_argument(
        "--self-test",
        type=float,
        metavar="SECONDS",
        help="drive the kiosk with random input this long and report (a scratch data dir "
        "unless --data-dir is given)",
    )
    k.add_argument(
        "--window", type=_size, metavar="WxH", help="a borderless window, not fullscreen"
    )
    k.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    k.add_argument("--frames", type=int, help=argparse.SUPPRESS)
    k.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    """The ``kiosk`` command; returns the exit code."""
    from sim.render.headless import use_dummy_video_if_headless, window_refused
    from sim.scenario.playlist import load_playlist

    refused = window_refused()  # asked before the dummy driver is chosen below
    use_dummy_video_if_headless()  # before pygame is imported: also hides its banner

    if args.minutes is not None and not 0.5 <= args.minutes <= 30:
        print("--minutes: allowed 0.5–30", file=sys.stderr)
        return 2
    playlist, problems = load_playlist(args.playlist)
    if playlist is not None:  # every case must build and its plan resolve before the booth opens
        from sim.app.check import playlist_case_problems

        problems = playlist_case_problems(playlist)
        playlist = None if problems else playlist
    if playlist is None:
        for p in problems:
            print(p, file=sys.stderr)
        return 2
    size = args.window
    headless = os.environ.get("SDL_VIDEODRIVER") == "dummy"
    if size is None and (args.self_test is not None or headless):
        size = HEADLESS_SIZE  # fullscreen needs a screen; the self-test runs in a window
    if args.self_test is not None:
        if args.data_dir:
            return _self_test(playlist, args, size, args.data_dir)
        with tempfile.TemporaryDirectory(prefix="siphon-selftest-") as tmp:
            return _self_test(playlist, args, size, tmp)
    if refused:  # the self-test runs headless; a booth nobody can see would run forever
        print(refused, file=sys.stderr)
        return 2
    from sim.app.kiosk.app import KioskApp

    app = KioskApp(playlist, size=size, data=args.data_dir, minutes=args.minutes)
    _close_on_signals(app)
    app.go_attract()
    try:
        app.run(max_frames=args.frames)
    finally:
        app.store.close()
    return 0


def _self_test(playlist, args, size, data_dir) -> int:
    from sim.app.kiosk.app import KioskApp
    from sim.app.kiosk.driver import run_self_test

    app = KioskApp(playlist, size=size, data=data_dir, minutes=args.minutes)
    try:
        rep = run_self_test(app, wall_s=args.self_test, seed=args.seed, log=sys.stderr)
    finally:
        app.close()
    print(
        f"self-test: {rep.sim_s / 60:.1f} kiosk minutes in {rep.seconds:.0f} s, "
        f"{rep.frames} frames, {rep.games} games ({rep.named} named, {rep.idle_resets} idle "
        f"resets), "
        f"{rep.quit_refused} quit requests refused, RSS {rep.rss_warm_mb:.0f} → "
        f"{rep.rss_end_mb:.0f} MB, {rep.board_rows} board rows",
        file=sys.stderr,
    )
    print(rep.line(), flush=True)
    return 0 if rep.ok else 1


def _close_on_signals(app) -> None:
    """SIGTERM (shutdown, a service manager, ``timeout``) and Ctrl+C in the host's terminal close
    the booth properly — a game in progress is saved as abandoned. SDL would otherwise turn them
    into window-close events, which the booth refuses."""
    import signal

    def stop(signum, frame) -> None:
        app.leave_kiosk()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
