"""Golden outputs: what the simulation printed before a change, kept to prove it still does.

For every case in ``scenarios/`` with an expert plan, at seeds 1–3: the exact ``run --json``
text and the final-state digest (:func:`sim.records.digest.state_digest`); plus the digest of
a window-style session (free steps between non-blocking actions, as the window drives the
engine). ``tests/test_golden.py`` compares against them.

A change that alters the simulation *on purpose* regenerates them in the same commit and says
why in its message::

    python tests/golden.py --write      # rewrite tests/golden/*.json
    python tests/golden.py --write --case workshop_quick   # only that case's expert plan changed
    python tests/golden.py              # compare only; prints what differs, exit 1 if any
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLDEN = HERE / "golden"
SCENARIOS = ROOT / "scenarios"
SEEDS = (1, 2, 3)
WINDOW_SESSION = "window_session"


def expert_cases() -> list[Path]:
    """Every case file that has an expert plan beside it, sorted by name."""
    return sorted(
        p
        for p in SCENARIOS.glob("*.yaml")
        if not p.name.endswith(".plan.yaml") and p.with_name(p.stem + ".plan.yaml").is_file()
    )


def output_of(proc, outcome) -> dict:
    """``{"run_json": <run --json text>, "digest": <hex>}`` of a finished, assessed run."""
    from sim.records.digest import state_digest

    out = outcome.to_dict()
    return {"run_json": json.dumps(out, ensure_ascii=False), "digest": state_digest(proc, out)}


def expert_output(case: Path, seed: int) -> dict:
    """:func:`output_of` a case's expert plan at ``seed``."""
    from sim.app.runner import run_plan

    return output_of(*run_plan(case, None, seed))


def window_session_output() -> dict:
    """The digest and outcome of a window-style session on the default case."""
    from sim.actions import Finish, Navigate, SelectAgent, SetInjection, StartContrast
    from sim.engine.final import assess_procedure
    from sim.engine.procedure import Procedure
    from sim.scenario.load import load_scenario

    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    proc = Procedure(sc)
    script = [
        (SelectAgent(agent="bland", size_um=(100.0, 300.0)), 0),
        (Navigate(target="CHA"), 7),
        (Navigate(target="RHA"), 13),
        (SetInjection(rate_ml_min=2.0), 250),
        (StartContrast(volume_ml=3.0, rate_ml_s=1.0), 37),
        (Navigate(target="S6"), 5),
        (SetInjection(rate_ml_min=0.0), 90),
    ]
    for action, free_steps in script:
        proc.apply(action)
        for _ in range(free_steps):
            proc.step()
    proc.apply(Finish())
    return output_of(proc, assess_procedure(proc))


def golden_path(name: str) -> Path:
    return GOLDEN / f"{name}.json"


def all_outputs(cases: list[str] | None = None) -> dict[str, dict]:
    """Every golden output, keyed by file name (``<case>.seed<N>`` and the window session).

    ``cases``: only these case stems (no window session); None: everything.
    """
    chosen = [c for c in expert_cases() if cases is None or c.stem in cases]
    out = {f"{c.stem}.seed{s}": expert_output(c, s) for c in chosen for s in SEEDS}
    if cases is None:
        out[WINDOW_SESSION] = window_session_output()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the golden files")
    ap.add_argument("--case", nargs="+", help="only these case stems (a plan changed on purpose)")
    args = ap.parse_args(argv)
    known = {c.stem for c in expert_cases()}
    if args.case and not set(args.case) <= known:
        ap.error(f"unknown case: {sorted(set(args.case) - known)} (allowed: {sorted(known)})")
    outputs = all_outputs(args.case)
    if args.write:
        GOLDEN.mkdir(exist_ok=True)
        for old in GOLDEN.glob("*.json"):
            if args.case is None and old.stem not in outputs:
                old.unlink()
        for name, value in outputs.items():
            golden_path(name).write_text(json.dumps(value, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {len(outputs)} golden files to {GOLDEN.relative_to(ROOT)}")
        return 0
    differ = [
        name
        for name, value in outputs.items()
        if not golden_path(name).is_file()
        or json.loads(golden_path(name).read_text(encoding="utf-8")) != value
    ]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(outputs) - len(differ)} of {len(outputs)} golden outputs unchanged")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
