"""The trainee's settings, kept in the user data directory (records: :mod:`sim.records`).

Overridable with ``--data-dir`` or the ``SIPHON_DATA_DIR`` environment variable (kiosks, tests).
Files are written atomically (temp file + rename) so a crash never leaves half a file.
"""

from __future__ import annotations

import json
from pathlib import Path

# One implementation of the data directory and of atomic writes, in the headless core.
from sim.records.paths import ENV_DATA_DIR, data_dir, write_atomic

__all__ = ["ENV_DATA_DIR", "SCENARIOS", "Settings", "data_dir", "write_atomic"]

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"  # the shipped case library


class Settings:
    """Small persistent preferences (trainee name, last case, display options)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "settings.json"
        try:
            self.values = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(self.values, dict):
                self.values = {}
        except (OSError, ValueError):
            self.values = {}

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    def set(self, key: str, value) -> None:
        self.values[key] = value
        write_atomic(self.path, json.dumps(self.values, indent=2, ensure_ascii=False))
