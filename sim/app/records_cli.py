"""Command-line side of records: ``run`` recording, ``history``, ``replay``, ``export-replay``,
``import-replay``.

Headless commands never import pygame (``replay --window`` does, on demand). A bad record id,
a broken, forged or runaway replay file, or a store that cannot be used prints one line and
exits 2; a replay whose final state differs from the recorded one prints ``DIGEST MISMATCH``
and exits 1. Commands that only read (``history``, ``replay ID``, ``export-replay``) fall back to
reading a store they cannot write (a read-only folder or file). Nothing a file contains is
printed with its control characters.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

from sim.records.paths import ENV_DATA_DIR


def _err(msg: str) -> None:
    from sim.records.model import printable

    print("\n".join(printable(line) for line in msg.splitlines()), file=sys.stderr)


def recording_dir(args: argparse.Namespace) -> str | None:
    """The data directory ``run`` records into: ``--data-dir`` or ``$SIPHON_DATA_DIR``."""
    return getattr(args, "data_dir", None) or os.environ.get(ENV_DATA_DIR) or None


def open_store(folder: str | None, reading: bool = False):
    """The record store of ``folder`` (default data directory if None); prints its notice.

    ``reading``: a store that cannot be opened for writing is opened read-only (said on
    stderr); a :class:`~sim.records.db.StoreError` of the read-only open is raised.
    """
    from sim.records.store import RecordStore, StoreError

    try:
        store = RecordStore(folder)
    except StoreError as exc:
        if not reading:
            raise
        try:
            store = RecordStore(folder, read_only=True)
        except StoreError:
            raise exc from None
        _err(f"notice: reading the records read-only ({exc})")
    if store.notice:
        _err(f"notice: {store.notice}")
    return store


def run_and_record(args: argparse.Namespace, folder: str) -> tuple[dict, int]:
    """``run`` with a data directory: run the plan recorded (mode ``cli``); prints the id.

    The trainee is ``--trainee``, else the name the window remembers in that folder.
    """
    from sim.app.runner import run_recorded
    from sim.app.settings import Settings
    from sim.records.paths import data_dir

    trainee = args.trainee
    if trainee is None:
        trainee = str(Settings(data_dir(folder)).get("trainee", "") or "")
    with open_store(folder) as store:
        _, out, rid = run_recorded(
            store, args.scenario, args.plan, args.seed, trainee=trainee, mode="cli"
        )
    _err(f"saved record {rid}")
    return out, rid


# ---------------------------------------------------------------------- history
def _cmd_history(args: argparse.Namespace) -> int:
    from sim.records.history import format_history, history_json

    with open_store(args.data_dir, reading=True) as store:
        records = store.list(trainee=args.name, actions=False)
    if args.json:
        print(json.dumps(history_json(records), ensure_ascii=False, indent=1))
    else:
        print(format_history(records))
    return 0


# ---------------------------------------------------------------------- replay
def load_record(ref: str, folder: str | None):
    """A record from a replay file path or a record id; raises ``LookupError`` (one line)."""
    from sim.records.exchange import ReplayFileError, read_replay_file
    from sim.records.store import RecordNotFound

    path = Path(ref)
    looks_like_file = path.is_file() or bool(path.suffix) or len(path.parts) > 1
    if not looks_like_file and not (ref.isascii() and ref.isdigit()):
        raise LookupError(f"{ref}: not a record id (see 'history') or a replay file")
    if looks_like_file:
        try:
            return read_replay_file(ref)
        except ReplayFileError as exc:
            raise LookupError(str(exc)) from None
    with open_store(folder, reading=True) as store:
        try:
            return store.get(int(ref))
        except RecordNotFound as exc:
            raise LookupError(str(exc)) from None


def _cmd_replay(args: argparse.Namespace) -> int:
    try:
        record = load_record(args.record, args.data_dir)
    except LookupError as exc:
        _err(str(exc))
        return 2
    if args.window:
        return _replay_window(args, record)
    from sim.app.report_text import render_text
    from sim.engine.final import assess_procedure
    from sim.records.replay import DigestMismatch, ReplayError, ReplayWarning, replay

    status = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReplayWarning)
        try:
            proc, out = replay(record)
        except DigestMismatch as exc:
            proc, out, status = exc.proc, exc.outcome, 1
        except ReplayError as exc:
            _err(_about(args.record, exc))
            return 2
    for w in caught:
        _err(f"warning: {w.message}")
    if out is None:
        out = assess_procedure(proc)
    print(json.dumps(out.to_dict(), ensure_ascii=False) if args.json else render_text(out))
    if record.status != "finished":
        _err(f"record {record.id or args.record} was {record.status}: replayed to t = "
             f"{proc.t:.0f} s, no digest to check")  # fmt: skip
    elif not record.digest:
        _err("no digest recorded: nothing to check")
    else:
        _err("digest ok" if status == 0 else "DIGEST MISMATCH: the replay differs from the record")
    return status


def _replay_window(args: argparse.Namespace, record) -> int:
    from sim.render.headless import window_refused

    if why := window_refused():
        _err(why)
        return 2
    from sim.records.replay import ReplayError, parse_actions, record_scenario, version_warnings

    for msg in version_warnings(record):
        _err(f"warning: {msg}")
    try:
        sc, path = record_scenario(record)
        actions = parse_actions(record, sc)
    except ReplayError as exc:
        _err(_about(args.record, exc))
        return 2
    from sim.app.scenes.playback import PlaybackScene
    from sim.app.window import App
    from sim.scenario.load import LoadedCase

    app = App(fullscreen=args.fullscreen, data=args.data_dir)
    case = LoadedCase(path, sc, [])
    scene = PlaybackScene(app, case, record, actions, args.speed, args.exit_at_end)
    app.switch(scene)
    app.run(max_frames=args.frames)
    if not scene.done:
        _err(f"playback stopped at t = {scene.proc.t:.0f} s, before the end of the record")
        return 0
    if record.status != "finished" or not record.digest:
        _err(f"played to the end of the record (t = {scene.proc.t:.0f} s)")
        return 0
    from sim.engine.final import assess_procedure
    from sim.records.digest import state_digest

    ok = state_digest(scene.proc, assess_procedure(scene.proc).to_dict()) == record.digest
    _err("digest ok" if ok else "DIGEST MISMATCH: the playback differs from the record")
    return 0 if ok else 1


# ---------------------------------------------------------------------- files
def _cmd_export(args: argparse.Namespace) -> int:
    from sim.records.exchange import export_record
    from sim.records.store import RecordNotFound

    with open_store(args.data_dir, reading=True) as store:
        try:
            record = store.get(args.record)
        except RecordNotFound as exc:
            _err(str(exc))
            return 2
    if record.damage:
        _err(f"record {record.id} is damaged in the store ({record.damage}); not exported")
        return 2
    print(f"wrote {export_record(record, args.out)}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    """Read, check, replay, and only then store: outcome and digest are the replay's."""
    from sim.records.exchange import ReplayFileError, read_replay_file
    from sim.records.replay import ReplayError, ReplayWarning, verified

    try:
        record = read_replay_file(args.file)
    except ReplayFileError as exc:
        _err(str(exc))
        return 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReplayWarning)
        try:
            record = verified(record)
        except ReplayError as exc:
            _err(_about(args.file, exc))
            return 2
    for w in caught:
        _err(f"warning: {w.message}")
    with open_store(args.data_dir) as store:
        rid = store.add(record, mode="import")
    print(f"imported {args.file} as record {rid}")
    return 0


def _about(ref: str, exc: Exception) -> str:
    """An error about a record from a file, led by the file's name (``record 0`` says nothing)."""
    msg = str(exc).removeprefix("record 0: ").removeprefix("record 0 ")
    return msg if ref.isdigit() else f"{ref}: {msg}"


def add_commands(sub, window_options) -> None:
    """Register ``history``, ``replay``, ``export-replay`` and ``import-replay``.

    ``window_options`` adds the window's shared options (``--fullscreen``, ``--data-dir``…).
    """
    data_help = "records folder (or $SIPHON_DATA_DIR)"
    h = sub.add_parser("history", help="records, best scores, trends and goals met")
    h.add_argument("name", nargs="?", help="only this trainee")
    h.add_argument("--data-dir", help=data_help)
    h.add_argument("--json", action="store_true", help="print one JSON object")
    h.set_defaults(fn=_cmd_history)
    r = sub.add_parser("replay", help="replay a record (id) or a .siphon.json file")
    r.add_argument("record", help="record id or replay file")
    r.add_argument("--json", action="store_true", help="print the outcome as run --json did")
    r.add_argument("--window", action="store_true", help="play it in the window")
    r.add_argument("--speed", type=float, default=4.0, help="window playback speed")
    r.add_argument("--exit-at-end", action="store_true")
    window_options(r)
    r.set_defaults(fn=_cmd_replay)
    e = sub.add_parser("export-replay", help="write a record to a self-contained replay file")
    e.add_argument("record", type=int)
    e.add_argument("-o", "--out", required=True, help="e.g. case.siphon.json")
    e.add_argument("--data-dir", help=data_help)
    e.set_defaults(fn=_cmd_export)
    i = sub.add_parser("import-replay", help="add a replay file to the records")
    i.add_argument("file")
    i.add_argument("--data-dir", help=data_help)
    i.set_defaults(fn=_cmd_import)
