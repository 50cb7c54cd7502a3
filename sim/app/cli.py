"""Command line: ``python main.py <command>`` or ``siphon <command>``.

Headless commands never import pygame. Bad input prints ``file:line:col: field: problem`` lines
and exits non-zero; it never shows a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.app.settings import SCENARIOS

DEFAULT_SCENARIO = SCENARIOS / "default.yaml"


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.app.check import seed_problem
    from sim.app.records_cli import recording_dir, run_and_record
    from sim.app.report_text import render_text
    from sim.app.runner import RunError, run_plan

    why = seed_problem(args.seed)
    if why:
        print(f"run: {why}", file=sys.stderr)
        return 2
    args.seed = None if args.seed is None else int(args.seed)
    folder = recording_dir(args)
    try:
        if folder:  # recorded as it runs; the output is the same
            out, _ = run_and_record(args, folder)
        else:
            _, out = run_plan(args.scenario, args.plan, args.seed)
    except RunError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 2
    if args.json:
        try:
            text = json.dumps(out.to_dict(), ensure_ascii=False, allow_nan=False)
        except ValueError:  # validation should make this impossible: a bug, said in one line
            print("run: the outcome holds a number that is not finite (a bug)", file=sys.stderr)
            return 2
        print(text)
    else:
        print(render_text(out))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim.app.check import check_file

    files: list[Path] = []
    for p in [Path(x) for x in (args.paths or [SCENARIOS])]:
        files.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    listed = {f.resolve() for f in files}
    names = {str(f) for f in files}
    shown: set[str] = set()
    bad: set[str] = set()
    for f in files:
        problems = check_file(f, listed)
        for pr in problems:
            if str(pr) not in shown:  # a base case's problem is printed once
                shown.add(str(pr))
                print(pr)
        # a file is invalid when a problem names it (a case's plan problems name the plan)
        bad |= {pr.file for pr in problems if pr.file in names}
        if problems and not any(pr.file in names for pr in problems):
            bad.add(str(f))  # e.g. a problem in the base case it extends
    n = len(files)
    print(f"{n - len(bad)} of {n} files valid", file=sys.stderr)
    return 1 if bad else 0


def _cmd_list(args: argparse.Namespace) -> int:
    from sim.scenario.load import load_library

    for e in load_library(args.folder):
        if e.scenario is None:
            print(f"{e.path.name}: BROKEN — {len(e.problems)} problem(s); run 'validate'")
            continue
        sc = e.scenario
        print(f"{e.path.name}: {sc.title}  [difficulty {sc.difficulty}]")
        for g in sc.learning_goals:
            print(f"    - {g.goal}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from sim.scenario.schema import export_schema

    if args.fields:
        from sim.scenario.docs import field_table

        print(field_table())
        return 0
    text = export_schema()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text, end="")
    return 0


def _cmd_preview(args: argparse.Namespace) -> int:
    from sim.scenario.load import load_scenario

    sc, problems = load_scenario(args.file)
    if sc is None:
        for pr in problems:
            print(pr, file=sys.stderr)
        return 1
    from sim.render.preview import save_preview

    out = save_preview(sc, args.out)
    print(f"wrote {out}")
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from sim.scenario.template import write_template

    try:
        paths = write_template(args.name, Path(args.folder))
    except FileExistsError as exc:
        print(f"{exc.filename}: already exists; choose another name", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"new: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"new: cannot write into {args.folder}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for p in paths:
        print(f"wrote {p}")
    return 0


def _window_refused() -> bool:
    """Print why a window cannot open here (and return True), or return False."""
    from sim.render.headless import window_refused

    why = window_refused()
    if why:
        print(why, file=sys.stderr)
    return bool(why)


def _open_case(path: str) -> object:
    """The case for the window: validated and built once (so it cannot fail in a scene)."""
    from sim.app.check import build
    from sim.scenario.load import LoadedCase, load_scenario

    sc, problems = load_scenario(path)
    if sc is not None:
        proc, problems = build(sc, path)
        sc = sc if proc is not None else None
    return LoadedCase(Path(path), sc, problems)


def _cmd_window(args: argparse.Namespace) -> int:
    if _window_refused():
        return 2
    from sim.app.window import App

    app = App(fullscreen=args.fullscreen, data=args.data_dir)
    app.exam = args.exam
    if args.scenario:
        case = _open_case(args.scenario)
        if case.scenario is None:
            for p in case.problems:
                print(p, file=sys.stderr)
            return 1
        from sim.app.scenes.procedure import ProcedureScene

        app.switch(ProcedureScene(app, case))
    else:
        from sim.app.scenes.picker import PickerScene

        app.switch(PickerScene(app))
    app.run(max_frames=args.frames)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from sim.app.check import seed_problem

    why = seed_problem(args.seed)
    if why:
        print(f"demo: {why}", file=sys.stderr)
        return 2
    args.seed = None if args.seed is None else int(args.seed)
    if _window_refused():
        return 2
    from sim.app.runner import default_plan_path
    from sim.scenario.plan import load_plan

    case = _open_case(args.scenario)
    if case.scenario is None:
        for p in case.problems:
            print(p, file=sys.stderr)
        return 1
    steps, problems = load_plan(args.plan or default_plan_path(Path(args.scenario)))
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 2
    from sim.app.scenes.demo import DemoScene
    from sim.app.window import App

    app = App(fullscreen=args.fullscreen, data=args.data_dir)
    shots = Path(args.screenshot_dir) if args.screenshot_dir else None
    app.switch(DemoScene(app, case, steps, args.speed, shots, args.exit_at_end, args.seed))
    app.run(max_frames=args.frames)
    return 0


def _cmd_screenshots(args: argparse.Namespace) -> int:
    import tempfile

    from sim.app.screenshots import take

    with tempfile.TemporaryDirectory() as tmp:
        for p in take(Path(args.out), SCENARIOS, data=tmp):
            print(f"wrote {p}")
    if not args.no_kiosk:
        from sim.app.kiosk.shots import take_kiosk_screenshots

        with tempfile.TemporaryDirectory() as tmp:
            for p in take_kiosk_screenshots(Path(args.out), Path(tmp)):
                print(f"wrote {p}")
    return 0


def _window_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fullscreen", action="store_true")
    p.add_argument("--data-dir", help="settings and records folder (or $SIPHON_DATA_DIR)")
    p.add_argument("--frames", type=int, help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="siphon",
        description="Siphon — transarterial therapy trainer for NET liver metastases "
        "(a teaching tool, not a clinical planning device).",
    )
    sub = ap.add_subparsers(dest="command")
    r = sub.add_parser("run", help="run a procedure headless from a plan")
    r.add_argument("scenario")
    r.add_argument("--plan", help="plan YAML (default: the case's expert plan)")
    r.add_argument("--seed", help="procedure seed, 0 to 2**63 - 1 (default: the scenario's)")
    r.add_argument("--json", action="store_true", help="print one JSON object")
    r.add_argument("--data-dir", help="record the run in this folder (or $SIPHON_DATA_DIR)")
    r.add_argument("--trainee", help="trainee name for the record")
    r.set_defaults(fn=_cmd_run)
    v = sub.add_parser("validate", help="check scenario files or folders")
    v.add_argument("paths", nargs="*")
    v.set_defaults(fn=_cmd_validate)
    li = sub.add_parser("list", help="the scenario library")
    li.add_argument("folder", nargs="?", default=str(SCENARIOS))
    li.set_defaults(fn=_cmd_list)
    s = sub.add_parser("schema", help="JSON Schema of the scenario format (draft-07)")
    s.add_argument("--out")
    s.add_argument("--fields", action="store_true", help="print the Markdown field table")
    s.set_defaults(fn=_cmd_schema)
    pv = sub.add_parser("preview", help="render a case's anatomy to a PNG (headless)")
    pv.add_argument("file")
    pv.add_argument("-o", "--out", required=True)
    pv.set_defaults(fn=_cmd_preview)
    nw = sub.add_parser(
        "new",
        help="write a commented template case NAME.yaml and its plan NAME.plan.yaml into the "
        "current folder (or --folder); never overwrites a file",
    )
    nw.add_argument("name", help="case name: letters, digits, '_' or '-' (no folder)")
    nw.add_argument(
        "--folder", default=".", help="folder to write into (default: the current folder)"
    )
    nw.set_defaults(fn=_cmd_new)
    w = sub.add_parser("window", help="open the trainee window (case picker, or a case)")
    w.add_argument("scenario", nargs="?")
    w.add_argument(
        "--exam",
        action="store_true",
        help="exam mode: only what a real room shows (no live non-target, no teaching overlay)",
    )
    _window_options(w)
    w.set_defaults(fn=_cmd_window)
    d = sub.add_parser("demo", help="play a plan in the window with captions")
    d.add_argument("scenario")
    d.add_argument("--plan")
    d.add_argument("--speed", type=float, default=4.0)
    d.add_argument("--seed", help="procedure seed, 0 to 2**63 - 1 (default: the scenario's)")
    d.add_argument("--screenshot-dir")
    d.add_argument("--exit-at-end", action="store_true")
    _window_options(d)
    d.set_defaults(fn=_cmd_demo)
    sh = sub.add_parser("screenshots", help="take the README screenshots headless")
    sh.add_argument("--out", default="docs/img")
    sh.add_argument("--no-kiosk", action="store_true", help="skip the workshop-mode pictures")
    sh.set_defaults(fn=_cmd_screenshots)
    from sim.app.dosimetry_cli import add_command as add_dosimetry_command

    add_dosimetry_command(sub)
    from sim.app.report.command import add_command as add_report_command

    add_report_command(sub)
    from sim.app.records_cli import add_commands as add_record_commands

    add_record_commands(sub, _window_options)
    from sim.app.kiosk.launch import add_kiosk_parser

    add_kiosk_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python main.py`` and the ``siphon`` script."""
    import os

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # our output, not pygame's banner
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.command is None:
        from sim.render.headless import has_display

        if has_display():
            args = ap.parse_args(["window", str(DEFAULT_SCENARIO)])
        else:
            print(
                "Siphon: no display here, so the default case's expert plan is played "
                "headless (on a desktop, this command opens the window).\n"
            )
            args = ap.parse_args(["run", str(DEFAULT_SCENARIO)])
    from sim.records.paths import DataDirError

    try:
        return args.fn(args)
    except DataDirError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
