"""Make pygame usable without a display (previews, screenshots, tests)."""

from __future__ import annotations

import os


def use_dummy_video_if_headless() -> None:
    """Select SDL's dummy drivers when no display is available (before pygame initialises)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


NO_DISPLAY = (
    "no display here, so the window cannot open; set SDL_VIDEODRIVER=dummy to run it "
    "invisibly (screenshots, tests), or use the headless commands (run, replay, report)"
)


def has_display() -> bool:
    """Whether a window can be shown (X11/Wayland, Windows, macOS, or a chosen SDL driver)."""
    import sys

    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or sys.platform in ("win32", "darwin")
        or os.environ.get("SDL_VIDEODRIVER") not in (None, "", "dummy")
    )


def window_refused() -> str | None:
    """Why a window command should not start here (None: it may): no display, and no explicit
    ``SDL_VIDEODRIVER`` asking to run invisibly — a window nobody can see would run forever."""
    if has_display() or os.environ.get("SDL_VIDEODRIVER"):
        return None
    return NO_DISPLAY
