"""Records and replay: every procedure kept with its timed actions, replayable bit for bit.

Headless core (no pygame, no :mod:`sim.app`). :mod:`.store` keeps records in SQLite (opened
safely by :mod:`.db`, laid out and migrated by :mod:`.schema`, rows as in :mod:`.model`, read
without trusting them by :mod:`.rows`), :mod:`.digest` fingerprints a final state,
:mod:`.replay` re-runs a record, :mod:`.exchange` reads (bounded, through :mod:`.strict_json`)
and writes self-contained ``.siphon.json`` files, :mod:`.history` summarises a trainee's
progress, :mod:`.paths` finds the data directory. See ``docs/records.md``.
"""

from sim.records.paths import ENV_DATA_DIR, data_dir, write_atomic
from sim.records.store import (
    DB_NAME,
    SCHEMA_VERSION,
    BoardEntry,
    LiveRecord,
    Record,
    RecordNotFound,
    RecordStore,
    StoreError,
)

__all__ = [
    "DB_NAME",
    "ENV_DATA_DIR",
    "SCHEMA_VERSION",
    "BoardEntry",
    "LiveRecord",
    "Record",
    "RecordNotFound",
    "RecordStore",
    "StoreError",
    "data_dir",
    "write_atomic",
]
