"""Where Siphon keeps its files (settings, records) and how it writes them.

One implementation for the whole program: :mod:`sim.app.settings` re-exports these. The data
directory is ``--data-dir`` if given, else ``$SIPHON_DATA_DIR`` (kiosks, tests), else the
platform's user data directory. Files are written atomically (temp file, fsync, rename), so a
crash never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "SIPHON_DATA_DIR"


def data_dir(override: str | os.PathLike | None = None, create: bool = True) -> Path:
    """The data directory, created if missing (unless ``create`` is false).

    Parameters
    ----------
    override : str or PathLike, optional
        Explicit folder (``--data-dir``); else ``$SIPHON_DATA_DIR``; else the platform's user
        data directory for ``siphon``.
    create : bool
        Create the folder if it does not exist (a reader that must not write says False).
    """
    d = Path(override or os.environ.get(ENV_DATA_DIR) or platformdirs.user_data_dir("siphon"))
    if not create:
        return d
    try:
        d.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        if d.is_symlink() and not d.exists():
            raise DataDirError(
                f"{d}: is a link to {os.readlink(d)}, which does not exist; give another folder"
            ) from None
        raise DataDirError(
            f"{d}: is a file, not a folder; give the folder that holds records.sqlite3"
        ) from None
    except OSError as exc:
        raise DataDirError(
            f"{d}: cannot use it as the data folder: {exc.strerror or exc}"
        ) from None
    return d


class DataDirError(OSError):
    """The data folder cannot be used (a file is in the way, no permission …); one line."""


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a reader sees the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
