"""``python main.py report``: the command, and where a report's procedure comes from.

::

    python main.py report RECORD_ID -o DIR [--data-dir D]          # a stored record, replayed
    python main.py report --scenario FILE [--plan PLAN] -o DIR      # a plan run headless

A record is replayed from the record store (:mod:`sim.records`); the replay is bit-identical to
what the trainee did when its digest matches. ``--scenario`` runs a plan headless (an
instructor's worked example). Every failure is a :class:`ReportError` whose message is one line
per problem: the command prints those lines and exits 2, never a traceback.

This module is imported when the CLI builds its parser, so it imports pygame (through
:mod:`.build`) only when a report is actually made.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.app.report.build import ReportFiles

DIGEST_NOTICE = (
    "The replay of this record did not reproduce its stored final state (digest mismatch, "
    "e.g. a newer Siphon): this report shows the replay."
)


class ReportError(Exception):
    """The report cannot be made; ``lines`` say why, one problem each."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = [str(x) for x in lines]


def parse_record_id(text: str) -> int:
    """A record id from the command line (a positive integer)."""
    try:
        rid = int(str(text).strip())
    except ValueError:
        raise ReportError(f"{text!r} is not a record id (a positive whole number)") from None
    if rid <= 0:
        raise ReportError(f"{text!r} is not a record id (a positive whole number)")
    return rid


def _when(rec) -> str:
    stamp = rec.ended_at or rec.started_at or ""
    return stamp[:16].replace("T", " ") + (" UTC" if stamp else "")


def report_from_record(
    record_id: int | str, out_dir: Path, data_dir: str | Path | None = None
) -> tuple[ReportFiles, list[str]]:
    """Replay record ``record_id`` of the store in ``data_dir`` and write its report.

    Returns
    -------
    (ReportFiles, list of str)
        The files and warnings to show (other numpy or Siphon version, digest mismatch).
    """
    rid = parse_record_id(str(record_id))
    try:
        from sim.records.replay import DigestMismatch, ReplayError, replay
        from sim.records.store import RecordNotFound, RecordStore
    except ImportError as exc:  # pragma: no cover - records ship with Siphon
        raise ReportError(f"records are not available in this build ({exc})") from None
    try:
        store = RecordStore(data_dir)
    except (OSError, ValueError) as exc:
        where = data_dir or "the data folder"
        raise ReportError(f"cannot open the record store in {where}: {exc}") from None
    try:
        rec = store.get(rid)
    except RecordNotFound as exc:
        raise ReportError(str(exc)) from None
    finally:
        store.close()
    notes: list[str] = []
    notice = ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            proc, outcome = replay(rec)
        except DigestMismatch as exc:
            proc, outcome, notice = exc.proc, exc.outcome, DIGEST_NOTICE
            notes.append(str(exc))
        except ReplayError as exc:
            raise ReportError(str(exc)) from None
    notes += [f"warning: {w.message}" for w in caught]
    if outcome is None:
        raise ReportError(
            f"record {rid} is {rec.status}, not finished: it has no outcome to report"
        )
    meta = {
        "trainee": rec.trainee,
        "date": _when(rec),
        "record_id": rec.id,
        "scenario_id": rec.scenario_id,
        "seed": rec.seed,
        "app_version": rec.app_version,
        "mode": rec.mode,
        "notice": notice,
    }
    from sim.app.report.build import ReportFiles, build_report

    html = build_report(proc, outcome, meta, Path(out_dir))
    return ReportFiles(html, html.with_name("card.png")), notes


def report_from_plan(
    scenario: str | Path,
    out_dir: Path,
    plan: str | Path | None = None,
    seed: int | None = None,
    trainee: str = "",
) -> ReportFiles:
    """Run ``plan`` (default: the case's expert plan) on ``scenario`` headless and report it."""
    from sim.app.report.build import ReportFiles, build_report
    from sim.app.runner import RunError, run_plan

    try:
        proc, outcome = run_plan(scenario, plan, seed)
    except RunError as exc:
        raise ReportError(*(str(p) for p in exc.problems)) from None
    meta = {"trainee": trainee, "scenario_id": Path(scenario).stem, "mode": "plan"}
    html = build_report(proc, outcome, meta, Path(out_dir))
    return ReportFiles(html, html.with_name("card.png"))


def add_command(sub) -> None:
    """Register the ``report`` subcommand on the CLI's subparsers."""
    p = sub.add_parser(
        "report",
        help="write a self-contained HTML report and a PNG card (a record, or a plan run)",
        description="Write report.html (images embedded, prints to PDF) and card.png (1600×900)"
        " for a stored record (replayed) or for a plan run headless.",
    )
    p.add_argument("record_id", nargs="?", help="record id (see 'history')")
    p.add_argument("-o", "--out", required=True, help="folder for report.html and card.png")
    p.add_argument("--data-dir", help="records folder (or $SIPHON_DATA_DIR)")
    p.add_argument("--scenario", help="report a plan run on this case instead of a record")
    p.add_argument("--plan", help="with --scenario: plan YAML (default: the expert plan)")
    p.add_argument("--seed", type=int, help="with --scenario: procedure seed")
    p.add_argument("--trainee", default="", help="with --scenario: name shown on the report")
    p.set_defaults(fn=run)


def _fail(*lines: str) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Make the report; ``0`` on success, ``2`` with one line per problem otherwise."""
    if (args.record_id is None) == (args.scenario is None):
        return _fail("report: give a RECORD_ID or --scenario FILE (one of them)")
    if args.record_id is not None and (args.plan or args.seed is not None):
        return _fail("report: --plan and --seed go with --scenario, not with a record")
    try:
        if args.record_id is not None:
            files, notes = report_from_record(args.record_id, args.out, args.data_dir)
            for n in notes:
                print(n, file=sys.stderr)
        else:
            files = report_from_plan(args.scenario, args.out, args.plan, args.seed, args.trainee)
    except ReportError as exc:
        return _fail(*exc.lines)
    except OSError as exc:
        return _fail(f"report: cannot write to {args.out}: {exc.strerror or exc}")
    print(f"wrote {files.html}")
    print(f"wrote {files.card}")
    return 0
