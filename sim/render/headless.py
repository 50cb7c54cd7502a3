"""Make pygame usable without a display (previews, screenshots, tests)."""

from __future__ import annotations

import os


def use_dummy_video_if_headless() -> None:
    """Select SDL's dummy drivers when no display is available (before pygame initialises)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
