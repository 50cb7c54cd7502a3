"""Where Siphon keeps the trainee's settings (and, later, records): the user data directory.

Overridable with ``--data-dir`` or the ``SIPHON_DATA_DIR`` environment variable (kiosks, tests).
Files are written atomically (temp file + rename) so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "SIPHON_DATA_DIR"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The data directory: ``override``, else ``$SIPHON_DATA_DIR``, else the platform's."""
    d = Path(override or os.environ.get(ENV_DATA_DIR) or platformdirs.user_data_dir("siphon"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
