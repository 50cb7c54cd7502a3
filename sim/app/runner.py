"""Run a scenario with a plan headless (``run``, the library tests, the benchmark), recorded if
asked (:func:`run_recorded`)."""

from __future__ import annotations

from pathlib import Path

from sim.app.check import build, default_plan_path, plan_problems, seed_problem
from sim.engine.final import assess_procedure
from sim.engine.navigation import NavigationError
from sim.engine.procedure import Procedure
from sim.outcome.result import Outcome
from sim.records.store import RecordStore
from sim.scenario.load import load_scenario
from sim.scenario.plan import PlanStep, load_plan
from sim.scenario.problems import Problem


class RunError(Exception):
    """A scenario or plan that cannot be run; ``problems`` say why, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def prepare_run(
    scenario_path: str | Path, plan_path: str | Path | None = None, seed: int | None = None
) -> tuple[Procedure, list[PlanStep]]:
    """Load the case and the plan (default: the expert plan) and build the procedure.

    Raises :class:`RunError` with located problems.
    """
    sp = Path(scenario_path)
    why = seed_problem(seed)
    if why:
        raise RunError([Problem(str(sp), 1, 1, "", why)])
    sc, problems = load_scenario(sp)
    if sc is None:
        raise RunError(problems)
    pp = Path(plan_path) if plan_path else default_plan_path(sp)
    if not plan_path and not pp.is_file():
        why = f"no --plan given and no expert plan beside it ({pp.name})"
        raise RunError([Problem(str(sp), 1, 1, "", why)])
    steps, problems = load_plan(pp)
    if problems:
        raise RunError(problems)
    proc, problems = build(sc, sp, seed)
    if proc is None:
        raise RunError(problems)
    problems = plan_problems(proc, steps)
    if problems:
        raise RunError(problems)
    return proc, steps


def run_plan(
    scenario_path: str | Path, plan_path: str | Path | None = None, seed: int | None = None
) -> tuple[Procedure, Outcome]:
    """Load, run and assess; raises :class:`RunError` with located problems."""
    proc, steps = prepare_run(scenario_path, plan_path, seed)
    run_steps(proc, steps)
    return proc, assess_procedure(proc)


def run_recorded(
    store: RecordStore,
    scenario_path: str | Path,
    plan_path: str | Path | None = None,
    seed: int | None = None,
    trainee: str = "",
    mode: str = "cli",
) -> tuple[Procedure, Outcome, int]:
    """:func:`run_plan`, recorded in ``store`` as it runs; returns the record id as well.

    The record is begun before the first action and synced once a simulated second (through
    ``Procedure.observers``, so long injections are synced while they run); a run that stops
    early (a refused step, Ctrl-C) leaves an abandoned record.
    """
    proc, steps = prepare_run(scenario_path, plan_path, seed)
    live = store.begin(
        trainee=trainee, scenario_path=Path(scenario_path), seed=proc.seed, mode=mode
    )
    proc.observers.append(live.sync)
    try:
        run_steps(proc, steps)
        out = assess_procedure(proc)
    except BaseException:
        live.abandon(proc)
        raise
    finally:
        proc.observers.remove(live.sync)
    live.finish(proc, out.to_dict())
    return proc, out, live.id


def run_steps(proc: Procedure, steps: list[PlanStep]) -> None:
    """Apply plan steps in order; a refused step raises :class:`RunError` naming its line."""
    from sim.actions import Finish

    for st in steps:
        if proc.finished:
            break
        try:
            proc.apply(st.action)
        except NavigationError as exc:
            raise RunError([st.problem(str(exc))]) from None
    if not proc.finished:
        proc.apply(Finish())


def naive_steps(proc: Procedure, max_ml: float = 20.0, step_ml: float = 1.0) -> None:
    """The naive plan: whole-liver injection (from the PHA) of the first agent offered, with its
    default size, until stasis (or the prepared Y-90 or Lu-177 vial is used up), then finish."""
    from sim.actions import Finish, Inject, Navigate, SelectAgent
    from sim.agents import VIAL_VOLUME_ML

    first = proc.scenario.agents_available[0]
    proc.apply(Navigate(target="PHA"))
    proc.apply(SelectAgent(agent=first.agent, size_um=(first.sizes_um or [None])[0]))
    limit = VIAL_VOLUME_ML.get(first.agent, max_ml)  # a vial (Y-90, Lu-177): all of it
    given = 0.0
    while given < limit - 1e-9 and not any(e.kind == "stasis" for e in proc.events):
        if proc.finished:  # the case's time limit ended it
            return
        proc.apply(Inject(volume_ml=min(step_ml, limit - given), rate_ml_min=2.0))
        given += step_ml
    if not proc.finished:
        proc.apply(Finish())
