"""Fonts shipped in ``assets/fonts`` (default fonts go missing on minimal installs)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pygame

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@cache
def font(size: int, bold: bool = False) -> pygame.font.Font:
    """DejaVu Sans at ``size`` px (pygame's font module is initialised on first use)."""
    if not pygame.font.get_init():
        pygame.font.init()
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return pygame.font.Font(str(ASSETS / "fonts" / name), size)
