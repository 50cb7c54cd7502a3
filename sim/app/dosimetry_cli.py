"""``python main.py dosimetry``: the Y-90 activity planned from a catheter tip, headless.

::

    python main.py dosimetry SCENARIO --at VESSEL --agent y90_glass|y90_resin
        [--method mird|partition|bsa] [--target-gy G] [--tn R] [--lsf F] [--hours H]
        [--prior-lung-gy G] [--maa PLAN_OR_RECORD] [--json]

The case is built as ``run`` builds it, the tip resolved as ``navigate`` resolves it, and the
plan is :func:`sim.engine.y90_plan.plan_from_tip`, the function the window's calculator uses.
With ``--maa`` the lung shunt and the T/N come from an MAA mapping instead of the case's declared
values: a plan file (``*.yaml``) is run on the case, a replay file (``*.siphon.json``) is replayed,
and :mod:`sim.outcome.scintigraphy` measures the lung shunt (conjugate views) and the T/N of the
tumours the planned tip perfuses; ``--lsf``/``--tn`` still override. Bad input — including an
untrusted plan or replay file — prints one line and exits 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass

# option: (lowest, highest) accepted
BOUNDS = {
    "--target-gy": (1.0, 2000.0),
    "--tn": (0.5, 12.0),  # the case schema's T/N range
    "--lsf": (0.0, 0.6),  # the case schema's shunt range, a fraction
    "--hours": (0.0, 336.0),  # up to two weeks after calibration
    "--prior-lung-gy": (0.0, 100.0),
}


class DosimetryInputError(ValueError):
    """One line saying which input is wrong and what is allowed."""


def _number(option: str, text: str | None) -> float | None:
    """``text`` as a number within :data:`BOUNDS`, None when not given."""
    if text is None:
        return None
    lo, hi = BOUNDS[option]
    try:
        x = float(text)
    except ValueError:
        x = math.nan
    if not (math.isfinite(x) and lo <= x <= hi):
        what = "is out of range" if math.isfinite(x) else "is not a number"
        raise DosimetryInputError(f"{option}: {text!r} {what} (allowed: {lo:g}–{hi:g})")
    return x


@dataclass(frozen=True)
class MaaSource:
    """An MAA mapping read for the plan: where from and what it measured."""

    path: str
    study: object  # sim.outcome.scintigraphy.MaaStudy

    def to_dict(self, tn: float | None) -> dict:
        """The ``maa`` object of ``dosimetry --json``: the source and what it measured (the T/N
        of the perfused tumours, ``tn``)."""
        return {
            "source": self.path,
            "lung_shunt_fraction": round(self.study.lung_shunt_fraction, 4),
            "tn_ratio": None if tn is None else round(tn, 3),
        }


def maa_study(path: str, scenario: str) -> MaaSource:
    """Run the mapping plan ``path`` on ``scenario`` (or replay the record ``path``) and measure
    its MAA; raises DosimetryInputError with one line."""
    from sim.app.runner import RunError, prepare_run, run_steps
    from sim.engine.final import assess_procedure
    from sim.records.exchange import ReplayFileError, read_replay_file
    from sim.records.replay import ReplayError, replay

    try:
        if path.endswith(".json"):
            _, out = replay(read_replay_file(path), check_digest=False)
            if out is None:
                raise DosimetryInputError(f"--maa: {path}: the record was not finished")
        else:
            proc, steps = prepare_run(scenario, path)
            run_steps(proc, steps)
            out = assess_procedure(proc)
    except RunError as exc:
        raise DosimetryInputError(f"--maa: {exc.problems[0]}") from None
    except (ReplayFileError, ReplayError) as exc:
        raise DosimetryInputError(f"--maa: {str(exc).splitlines()[0]}") from None
    if out.maa is None:
        raise DosimetryInputError(f"--maa: {path}: no MAA was given (select_agent: maa)")
    return MaaSource(path, out.maa)


def plan_for_args(args: argparse.Namespace):
    """The :class:`TipPlan` the command's arguments ask for; raises DosimetryInputError."""
    from sim.app.check import build
    from sim.engine.navigation import NavigationError, resolve_target
    from sim.engine.y90_plan import inputs_for, perfused_territory, plan_from_tip
    from sim.scenario.load import load_scenario

    if not args.at:
        raise DosimetryInputError("--at: missing (the catheter tip, e.g. RHA or feeder:T1)")
    if not args.agent:
        raise DosimetryInputError("--agent: missing (allowed: y90_glass, y90_resin)")
    nums = {o: _number(o, getattr(args, o[2:].replace("-", "_"))) for o in BOUNDS}
    sc, problems = load_scenario(args.scenario)
    if sc is None:
        raise DosimetryInputError(str(problems[0]) if problems else f"{args.scenario}: unreadable")
    proc, problems = build(sc, args.scenario)
    if proc is None:
        raise DosimetryInputError(str(problems[0]))
    try:
        node, _ = resolve_target(
            proc.c, proc.flow, args.at, proc.catheter_radius, proc.liver.tumors
        )
    except NavigationError as exc:
        raise DosimetryInputError(f"--at: {exc}") from None
    territory = perfused_territory(proc.c, node, args.at)
    mapping = maa_study(args.maa, args.scenario) if getattr(args, "maa", None) else None
    if mapping is not None:
        if nums["--lsf"] is None:
            nums["--lsf"] = mapping.study.lung_shunt_fraction
        if nums["--tn"] is None:
            nums["--tn"] = mapping.study.tn_for(territory.tumor_ids)
    try:
        inputs = inputs_for(
            sc,
            args.agent,
            args.method,
            nums["--target-gy"],
            nums["--tn"],
            nums["--lsf"],
            nums["--hours"] or 0.0,
            nums["--prior-lung-gy"],
        )
    except ValueError as exc:
        raise DosimetryInputError(str(exc)) from None
    plan = plan_from_tip(territory, inputs, sc)
    if mapping is not None:
        tn = nums["--tn"]
        plan.working.insert(
            1,
            f"MAA mapping ({mapping.path}): lung shunt "
            f"{100 * mapping.study.lung_shunt_fraction:.1f} % (conjugate views), T/N of the "
            f"perfused tumours {'not measured' if tn is None else f'{tn:.2f}'}",
        )
        if mapping.study.extrahepatic:
            extra = ", ".join(f"{k} {100 * v:.1f} %" for k, v in mapping.study.extrahepatic.items())
            plan.warnings.append(f"MAA shows extrahepatic uptake: {extra}")
    return plan, mapping


def _cmd_dosimetry(args: argparse.Namespace) -> int:
    try:
        plan, mapping = plan_for_args(args)
    except DosimetryInputError as exc:
        print(f"dosimetry: {exc}", file=sys.stderr)
        return 2
    if args.json:
        d = plan.to_dict()
        if mapping is not None:
            d["maa"] = mapping.to_dict(mapping.study.tn_for(plan.territory.tumor_ids))
        print(json.dumps(d, ensure_ascii=False, allow_nan=False))
        return 0
    a = plan.activity_gbq
    head = "do not treat" if a is None else f"{a:.2f} GBq"
    print(f"{plan.inputs.agent} at {args.at}, {plan.inputs.method}: {head}")
    for line in plan.working:
        print(f"  {line}")
    for w in plan.warnings:
        print(f"  WARNING: {w}")
    return 0


def add_command(sub) -> None:
    """Register ``dosimetry`` on the CLI's subparsers."""
    d = sub.add_parser(
        "dosimetry",
        help="Y-90 activity planned from a catheter tip (MIRD, partition or resin BSA)",
        description="Plan the Y-90 activity for the territory a catheter tip perfuses. The lung "
        "shunt and T/N are the case's declared values, an MAA mapping's measurements (--maa) "
        "or --lsf/--tn.",
    )
    d.add_argument("scenario")
    d.add_argument("--at", help="catheter tip: a vessel name or feeder:T")
    d.add_argument("--agent", help="y90_glass or y90_resin")
    d.add_argument(
        "--method", help="mird, partition or bsa (resin only); default mird (glass), bsa (resin)"
    )
    d.add_argument("--target-gy", help="target dose, Gy (default the case's tumour target)")
    d.add_argument("--tn", help="tumour-to-normal ratio (default the case's)")
    d.add_argument("--lsf", help="lung shunt fraction 0–0.6 (default the case's)")
    d.add_argument("--hours", help="hours from vial calibration to treatment (default 0)")
    d.add_argument(
        "--prior-lung-gy", help="lung dose of earlier treatments, Gy (default the case's)"
    )
    d.add_argument(
        "--maa",
        help="an MAA mapping: a plan file run on the case, or a replay file (.siphon.json); "
        "its measured lung shunt and T/N go into the plan",
    )
    d.add_argument("--json", action="store_true", help="print one JSON object")
    d.set_defaults(fn=_cmd_dosimetry)
